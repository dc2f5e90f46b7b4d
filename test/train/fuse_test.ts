import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { evaluate, fit, predictOutputs } from "../../lib/train/fit.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { planForward, runForward } from "../../lib/train/_graph.ts";
import { createRng } from "../../lib/random.ts";

const [USERS, MOVIES, F, N] = [7, 11, 5, 40];
type Sym = tf.SymbolicTensor;
const on = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;

/** A table initialised from `seed`; `l2` adds a Keras penalty. */
function table(rows: number, width: number, seed: number, l2 = 0) {
  return tf.layers.embedding({
    inputDim: rows,
    outputDim: width,
    embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed }),
    embeddingsRegularizer: l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
  });
}

/** The shapes the notebooks write the dot-with-biases model in. */
const SHAPES: Record<string, (user: Sym, movie: Sym) => Sym> = {
  // Notebook 01, model A: dot of [n, 1, f] rows, then Flatten.
  "dot then flatten": (user, movie) =>
    on(
      tf.layers.flatten(),
      on(tf.layers.dot({ axes: -1 }), [
        on(table(USERS, F, 1, 1e-2), user),
        on(table(MOVIES, F, 2, 1e-2), movie),
      ]),
    ),
  // Notebook 01, model B: the same score plus flattened biases.
  "flattened biases added": (user, movie) =>
    on(tf.layers.add(), [
      SHAPES["dot then flatten"](user, movie),
      on(tf.layers.flatten(), on(table(USERS, 1, 3), user)),
      on(tf.layers.flatten(), on(table(MOVIES, 1, 4), movie)),
    ]),
  // Notebook 02: dot and biases as [n, 1, 1], added, flattened, sigmoid range.
  "3-D biases, flatten, range": (user, movie) => {
    const z = on(tf.layers.add(), [
      on(tf.layers.dot({ axes: -1 }), [
        on(table(USERS, F, 5), user),
        on(table(MOVIES, F, 6), movie),
      ]),
      on(table(USERS, 1, 7), user),
      on(table(MOVIES, 1, 8), movie),
    ]);
    const s = on(tf.layers.activation({ activation: "sigmoid" }), on(tf.layers.flatten(), z));
    return on(tf.layers.rescaling({ scale: 5.5, offset: 0 }), s);
  },
  // Notebook 04: rows flattened first, dot over axis 1, biases, range 0.5–5.5.
  "flattened rows, range": (user, movie) => {
    const row = (rows: number, width: number, seed: number, id: Sym) =>
      on(tf.layers.flatten(), on(table(rows, width, seed, 1e-3), id));
    const dot = on(tf.layers.dot({ axes: 1 }), [row(USERS, F, 9, user), row(MOVIES, F, 10, movie)]);
    const z = on(tf.layers.add(), [dot, row(USERS, 1, 11, user), row(MOVIES, 1, 12, movie)]);
    const s = on(tf.layers.activation({ activation: "sigmoid" }), z);
    return on(tf.layers.rescaling({ scale: 5, offset: 0.5 }), s);
  },
};

function build(shape: string) {
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  return tf.model({ inputs: [user, movie], outputs: SHAPES[shape](user, movie) });
}

function ids(seed: number): tf.Tensor[] {
  const rng = createRng(seed);
  const col = (rows: number) =>
    tf.tensor2d(Array.from({ length: N }, () => [rng.int(rows)]), [N, 1], "int32");
  return [col(USERS), col(MOVIES)];
}

/** Predictions and the gradient of their sum of squares, for every weight. */
function outputsAndGrads(model: tf.LayersModel, fuse: boolean, xs: tf.Tensor[]) {
  const plan = planForward(model, { fuse });
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.square(runForward(model, plan, xs, true)[0])) as tf.Scalar,
    model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
  );
  const y = runForward(model, plan, xs, false)[0];
  return { plan, y, value, grads };
}

for (const backend of ["wasm", "cpu"] as const) {
  for (const shape of Object.keys(SHAPES)) {
    Deno.test(`a stock "${shape}" model runs as one fused op on ${backend}, with the same predictions and gradients`, async () => {
      await setupBackend({ backend });
      const model = build(shape);
      const xs = ids(3);
      const fused = outputsAndGrads(model, true, xs);
      const plain = outputsAndGrads(model, false, xs);
      // One step in all: the biases, the flattening and the range go into the fused op too.
      assertEquals(fused.plan.steps!.map((s) => s.fused ? "fused" : s.layer.getClassName()), [
        "fused",
      ]);
      assert(fused.plan.steps!.length < plain.plan.steps!.length);
      assertEquals(fused.y.shape, plain.y.shape);
      const [a, b] = [fused.y.dataSync(), plain.y.dataSync()];
      a.forEach((v, i) => assertAlmostEquals(v, b[i], 1e-5, `prediction ${i}`));
      assertAlmostEquals(fused.value.dataSync()[0], plain.value.dataSync()[0], 1e-3);
      for (const name of Object.keys(plain.grads)) {
        const [g, h] = [fused.grads[name].dataSync(), plain.grads[name].dataSync()];
        g.forEach((v, i) => assertAlmostEquals(v, h[i], 1e-4, `${name}[${i}]`));
      }
      model.dispose();
    });
  }
}

Deno.test("a dot product whose rows another layer also reads is left as stock layers", async () => {
  await setupBackend({ backend: "wasm" });
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const u = on(tf.layers.flatten(), on(table(USERS, F, 1), user));
  const m = on(tf.layers.flatten(), on(table(MOVIES, F, 2), movie));
  const dot = on(tf.layers.dot({ axes: 1 }), [u, m]);
  const both = on(tf.layers.concatenate(), [u, m, dot]); // the rows feed a dense layer too
  const model = tf.model({
    inputs: [user, movie],
    outputs: on(tf.layers.dense({ units: 1 }), both),
  });
  assertEquals(planForward(model).steps!.some((s) => s.fused), false);
  model.dispose();
});

Deno.test("a dot of two lookups of the same input, or a normalised dot, is not fused", async () => {
  await setupBackend({ backend: "wasm" });
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const row = (id: Sym, seed: number) => on(tf.layers.flatten(), on(table(USERS, F, seed), id));
  const same = on(tf.layers.dot({ axes: 1 }), [row(user, 1), row(user, 2)]);
  const cosine = on(tf.layers.dot({ axes: 1, normalize: true }), [row(user, 3), row(movie, 4)]);
  const model = tf.model({ inputs: [user, movie], outputs: on(tf.layers.add(), [same, cosine]) });
  assertEquals(planForward(model).steps!.some((s) => s.fused), false);
  model.dispose();
});

Deno.test("float ids run the fused group's own layers (which cast them), with the same result", async () => {
  await setupBackend({ backend: "wasm" });
  const model = build("flattened biases added");
  const xs = ids(5);
  const floats = xs.map((x) => tf.cast(x, "float32"));
  const plan = planForward(model);
  assert(plan.steps!.some((s) => s.fused));
  const [a, b] = [runForward(model, plan, xs, false)[0], runForward(model, plan, floats, false)[0]];
  const [x, y] = [a.dataSync(), b.dataSync()];
  x.forEach((v, i) => assertAlmostEquals(v, y[i], 1e-5));
  model.dispose();
});

Deno.test("fit() trains a stock dot-with-biases model to the same history fused or as written, and checks fuse", async () => {
  await setupBackend({ backend: "wasm" });
  const histories: number[][] = [];
  for (const fuse of [true, false]) {
    const model = build("flattened rows, range");
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const [users, movies] = ids(9);
    const y = tf.tensor2d(Array.from({ length: N }, (_, i) => [1 + (i % 5)]));
    const h = await fit(model, { x: [users, movies], y }, {
      epochs: 3,
      batchSize: 8,
      seed: 1,
      verbose: 0,
      fuse,
    });
    histories.push(h.history.loss);
    model.dispose();
  }
  histories[0].forEach((loss, i) => assertAlmostEquals(loss, histories[1][i], 1e-4));
  assert(histories[0][2] < histories[0][0], "the loss falls");
  const model = build("dot then flatten");
  model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
  const data = { x: ids(1), y: tf.zeros([N, 1]) };
  await assertRejects(
    () => fit(model, data, { fuse: "yes" as unknown as boolean, verbose: 0 }),
    TypeError,
    "expected fuse to be true or false",
  );
  model.dispose();
});

Deno.test("evaluate() and predictOutputs() run a stock dot-with-biases model as one fused op", async () => {
  await setupBackend({ backend: "wasm" });
  const model = build("3-D biases, flatten, range");
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const xs = ids(4), y = tf.ones([N, 1]);
  for (const run of [() => evaluate(model, { x: xs, y }), () => predictOutputs(model, xs)]) {
    const info = await tf.profile(() => void run());
    assert(info.kernelNames.includes("EmbeddingDotBias"), `kernels run: ${info.kernelNames}`);
  }
  tf.dispose([...xs, y]);
  model.dispose();
});
