import { assertEquals, assertMatch } from "@std/assert";
import { LIB, NO_KERNEL, runKernelDriver } from "./_kernel.ts";

/** Runs the cells, interrupting cell `args[0]` after `args[1]` s as Jupyter does. */
const BODY = `
target, delay = int(args[0]), float(args[1])
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
    const results = await runKernelDriver(BODY, cells, ["1", "2"]);
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
