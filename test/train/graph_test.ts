import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { planForward, runForward } from "../../lib/train/_graph.ts";

await setupBackend({ backend: "cpu" });

/** The lean forward pass of `model` on `xs` agrees with `model.apply`. */
function assertSameAsApply(model: tf.LayersModel, xs: tf.Tensor[]) {
  tf.tidy(() => {
    const plan = planForward(model);
    const got = runForward(model, plan, xs, false)[0].dataSync();
    const want = (model.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync();
    assertEquals(got.length, want.length);
    got.forEach((v, i) => assertAlmostEquals(v, want[i], 1e-6, `output ${i}`));
  });
}

Deno.test("planForward() leaves a model with a masking embedding to model.apply, which propagates the mask", () => {
  const ids = tf.input({ shape: [3], dtype: "int32" });
  const e = tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).apply(ids);
  const out = tf.layers.simpleRNN({ units: 2 }).apply(e) as tf.SymbolicTensor;
  const model = tf.model({ inputs: ids, outputs: out });
  assertEquals(planForward(model).steps, null);
  const xs = [tf.tensor2d([[1, 2, 0], [3, 0, 0]], [2, 3], "int32")];
  assertSameAsApply(model, xs);
  tf.dispose(xs);
  model.dispose();
});

Deno.test("planForward() runs a layer with two outputs, handing each its reader", () => {
  const x = tf.input({ shape: [4, 3] });
  const [seq, state] = tf.layers.simpleRNN({ units: 2, returnState: true }).apply(
    x,
  ) as tf.SymbolicTensor[];
  const out = tf.layers.concatenate().apply([seq, state]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: out });
  assertNotEquals(planForward(model).steps, null);
  const xs = [tf.randomNormal([2, 4, 3], 0, 1, "float32", 1)];
  assertSameAsApply(model, xs);
  tf.dispose(xs);
  model.dispose();
});
