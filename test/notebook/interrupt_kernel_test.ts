import { assertEquals, assertMatch } from "@std/assert";
import { CWD, LIB, NO_KERNEL, runKernelDriver } from "./_kernel.ts";

/** Starts Deno's kernel, runs the cells, interrupts cell `target` after `delay` s, as Jupyter does. */
const DRIVER = `
import json, sys, threading
from jupyter_client.manager import KernelManager
cells, target, delay, cwd = json.loads(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
km = KernelManager(kernel_name="deno")
km.start_kernel(cwd=cwd)
kc = km.blocking_client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
results = []
try:
    for i, code in enumerate(cells):
        if i == target:
            threading.Timer(delay, km.interrupt_kernel).start()
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        c = reply["content"]
        results.append({"status": c["status"], "ename": c.get("ename"), "evalue": c.get("evalue")})
    ran = kc.execute_interactive("kept + 1", timeout=60, output_hook=lambda m: results.append(
        {"result": m["content"]["data"]["text/plain"]} if m["msg_type"] == "execute_result" else None))
    results = [r for r in results if r is not None]
    results.append({"alive": km.is_alive()})
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(results))
`;

Deno.test({
  name:
    "Kernel › Interrupt stops a training cell in Deno's kernel, which keeps running with its variables",
  ignore: NO_KERNEL,
  fn: async () => {
    const cells = [
      `import "${LIB}notebook/flush.ts";\nimport * as tf from "@tensorflow/tfjs";\n` +
      `import { fit, setupBackend } from "${LIB}train/mod.ts";\nawait setupBackend();\nconst kept = 41;`,
      "const x = tf.randomNormal([2000, 8]), y = tf.randomNormal([2000]);\n" +
      "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [8] })] });\n" +
      'model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });\n' +
      "await fit(model, { x, y }, { epochs: 300, batchSize: 1, verbose: 0 });",
    ];
    const results = await runKernelDriver(DRIVER, [JSON.stringify(cells), "1", "2", CWD]);
    const [imports, training, kept, alive] = results as Record<string, string | boolean>[];
    assertEquals(imports.status, "ok");
    assertEquals([training.status, training.ename], ["error", "Interrupted"]);
    assertMatch(
      String(training.evalue),
      /^stopped by Kernel › Interrupt in epoch \d+, batch \d+\/2000/,
    );
    assertEquals(kept, { result: "42" });
    assertEquals(alive, { alive: true });
  },
});
