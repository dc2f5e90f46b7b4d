import { assertEquals } from "@std/assert";
import { LIB, NO_KERNEL, runKernelDriver } from "./_kernel.ts";

/** Runs the cells in turn, keeping each one's result (or its error) as text. */
const BODY = `
def keep(msg):
    if msg["msg_type"] == "execute_result":
        results.append(msg["content"]["data"]["text/plain"])
for code in cells:
    reply = kc.execute_interactive(code, timeout=120, output_hook=keep)
    if reply["content"]["status"] != "ok":
        results.append(reply["content"]["ename"] + ": " + reply["content"]["evalue"])
`;

Deno.test({
  name:
    "in Deno's kernel, a model cell run again gives the old model's weights and moments back once collected",
  ignore: NO_KERNEL,
  fn: async () => {
    const imports = `import * as tf from "@tensorflow/tfjs";\n` +
      `import { adam, fit, setupBackend } from "${LIB}train/mod.ts";\n` +
      `import { freedCount } from "${LIB}_reclaim.ts";\nawait setupBackend();\n` +
      `const x = tf.randomNormal([200, 8]), y = tf.randomNormal([200]);`;
    // A teacher's cell: build, compile, train (Adam's moments are made), then run it again.
    const model = "const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, " +
      "inputShape: [8] }), tf.layers.dense({ units: 1 })] });\n" +
      'model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });\n' +
      "await fit(model, { x, y }, { epochs: 1, batchSize: 50, verbose: 0 });";
    const probe = "for (let i = 0; i < 4; i++) {\n  globalThis.gc();\n" +
      "  await new Promise((r) => setTimeout(r, 20));\n}\n" +
      "`${tf.memory().numTensors} tensors, ${freedCount()} freed`;";
    const cells = [imports, model, probe, model, model, model, probe];
    // The collector exposed, so that the test need not wait for V8 to choose to collect.
    const env = { DENO_V8_FLAGS: "--expose-gc" };
    const results = await runKernelDriver(BODY, cells, [], env) as string[];
    // (The other results are the set-up's and the trainings' return values.)
    // x, y, and one model: 4 weights and 8 moments; each run again frees the one before it
    // (4 weights and an optimizer: 5 freed).
    assertEquals(results.filter((r) => / tensors, /.test(r)), [
      '"14 tensors, 0 freed"',
      '"14 tensors, 15 freed"',
    ]);
  },
});
