import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { addLayers, rowDot, scaleShift } from "../../lib/train/kernels/mod.ts";
import { fit } from "../../lib/train/fit.ts";
import { adam } from "../../lib/train/optimizer.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
}

function assertClose(a: tf.Tensor, b: tf.Tensor, tolerance = 1e-5) {
  assertEquals(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) assertAlmostEquals(x[i], y[i], tolerance, `at ${i}`);
}

/** The notebook-02 model from stock layers: four tables, dot, biases, flatten, sigmoid range. */
function stockDotBias(users: number, movies: number, f: number, seed: number) {
  const rng = createRng(seed);
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const table = (rows: number, width: number) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: width,
      embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: rng.uint32() }),
    });
  const u = table(users, f).apply(user) as tf.SymbolicTensor;
  const m = table(movies, f).apply(movie) as tf.SymbolicTensor;
  const ub = table(users, 1).apply(user) as tf.SymbolicTensor;
  const mb = table(movies, 1).apply(movie) as tf.SymbolicTensor;
  const dot = tf.layers.dot({ axes: -1 }).apply([u, m]) as tf.SymbolicTensor;
  const z = tf.layers.flatten().apply(tf.layers.add().apply([dot, ub, mb])) as tf.SymbolicTensor;
  const s = tf.layers.activation({ activation: "sigmoid" }).apply(z);
  const out = tf.layers.rescaling({ scale: 5.5, offset: 0 }).apply(s) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, movie], outputs: out });
}

/** The same forward pass written with tfjs ops (no layer, so no fast path). */
function byOps(weights: tf.Tensor[], users: tf.Tensor, movies: tf.Tensor): tf.Tensor {
  const [U, M, ub, mb] = weights;
  const u = tf.reshape(users, [-1]), m = tf.reshape(movies, [-1]);
  const dot = tf.sum(tf.mul(tf.gather(U, u), tf.gather(M, m)), 1, true);
  const z = tf.add(tf.add(dot, tf.gather(ub, u)), tf.gather(mb, m));
  return tf.add(tf.mul(tf.sigmoid(z), 5.5), 0);
}

for (const backend of BACKENDS) {
  Deno.test(`rowDot matches a product and sum, value and both gradients (${backend})`, async () => {
    await setupBackend({ backend });
    for (const shape of [[7, 37], [5, 1, 13]]) {
      const a = randomTensor(shape, 1), b = randomTensor(shape, 2);
      const dy = randomTensor(shape.length === 2 ? [shape[0], 1] : [shape[0], 1, 1], 3);
      const want = tf.sum(tf.mul(a, b), -1, true);
      const got = rowDot(a, b);
      assertClose(got, want);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => rowDot(x, y))([a, b], dy);
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(x, y), -1, true))(
        [a, b],
        dy,
      );
      assertClose(ours[0], ref[0]);
      assertClose(ours[1], ref[1]);
      tf.dispose([a, b, dy, want, got, ...ours, ...ref]);
    }
    assertThrows(() => rowDot(tf.ones([2, 3]), tf.ones([2, 4])), RangeError, "one shape");
  });

  Deno.test(`scaleShift and the sigmoid gradient give tfjs' numbers exactly (${backend})`, async () => {
    await setupBackend({ backend });
    const x = randomTensor([101], 4), dy = randomTensor([101], 5);
    assertEquals(scaleShift(x, 5.5, 0.25).dataSync(), tf.add(tf.mul(x, 5.5), 0.25).dataSync());
    const ours = tf.grad((t: tf.Tensor) => tf.sigmoid(t))(x, dy);
    const y = tf.sigmoid(x);
    const stock = tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
    assertEquals(ours.dataSync(), stock.dataSync());
    const g = tf.grad((t: tf.Tensor) => scaleShift(t, -2, 1))(x, dy);
    assertEquals(g.dataSync(), tf.mul(dy, -2).dataSync());
  });

  Deno.test(`addLayers sums in one kernel and hands each input the gradient (${backend})`, async () => {
    await setupBackend({ backend });
    const xs = [1, 2, 3].map((s) => randomTensor([4, 1, 1], s));
    assertClose(addLayers(xs), tf.addN(xs));
    const dy = randomTensor([4, 1, 1], 9);
    const before = tf.memory().numTensors;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => addLayers([a, b, c]))(
      xs,
      dy,
    );
    for (const g of grads) assertEquals(g.dataSync(), dy.dataSync());
    tf.dispose(grads);
    assertEquals(tf.memory().numTensors, before);
  });

  Deno.test(`a dot-bias model from stock layers computes what its ops compute, with the same gradients (${backend})`, async () => {
    await setupBackend({ backend });
    const model = stockDotBias(9, 11, 6, 1);
    const users = tf.tensor2d(Int32Array.from([0, 3, 8, 8, 2]), [5, 1], "int32");
    const movies = tf.tensor2d(Int32Array.from([10, 0, 4, 4, 7]), [5, 1], "int32");
    const y = randomTensor([5, 1], 3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const layersOut = model.apply([users, movies], { training: true }) as tf.Tensor;
    assertClose(layersOut, byOps(variables, users, movies));
    const loss = (out: () => tf.Tensor) => () => tf.losses.meanSquaredError(y, out()) as tf.Scalar;
    const ours = tf.variableGrads(loss(() => model.apply([users, movies]) as tf.Tensor), variables);
    const ref = tf.variableGrads(loss(() => byOps(variables, users, movies)), variables);
    assertAlmostEquals(ours.value.dataSync()[0], ref.value.dataSync()[0], 1e-5);
    for (const v of variables) assertClose(ours.grads[v.name], ref.grads[v.name]);
    model.dispose();
  });

  Deno.test(`training the stock-layer dot-bias model leaks no tensors (${backend})`, async () => {
    await setupBackend({ backend });
    const model = stockDotBias(9, 11, 6, 2);
    model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
    const rng = createRng(1);
    const n = 64;
    const x = [
      tf.tensor2d(Int32Array.from({ length: n }, () => rng.int(9)), [n, 1], "int32"),
      tf.tensor2d(Int32Array.from({ length: n }, () => rng.int(11)), [n, 1], "int32"),
    ];
    const y = tf.tensor2d(Float32Array.from({ length: n }, () => 1 + rng.int(5)), [n, 1]);
    await fit(model, { x, y }, { epochs: 1, batchSize: 16, verbose: 0 });
    const before = tf.memory().numTensors;
    const h = await fit(model, { x, y }, { epochs: 3, batchSize: 16, verbose: 0 });
    assertEquals(tf.memory().numTensors, before);
    assert(h.history.loss[2] < h.history.loss[0]);
    tf.dispose([...x, y]);
    model.dispose();
  });
}

Deno.test("layers outside the fast paths keep tfjs' own code: a normalised dot, an add of mixed shapes", async () => {
  await setupBackend({ backend: "wasm" });
  const a = randomTensor([3, 4], 1), b = randomTensor([3, 4], 2);
  const cos = tf.layers.dot({ axes: 1, normalize: true }).apply([a, b]) as tf.Tensor;
  const want = tf.sum(
    tf.mul(tf.div(a, tf.norm(a, 2, 1, true)), tf.div(b, tf.norm(b, 2, 1, true))),
    1,
    true,
  );
  assertClose(cos, want);
  const broadcast = tf.layers.add().apply([randomTensor([3, 4], 3), randomTensor([3, 4], 4)]);
  assertEquals((broadcast as tf.Tensor).shape, [3, 4]);
  const flat = tf.layers.flatten().apply(randomTensor([2, 3, 4], 5)) as tf.Tensor;
  assertEquals(flat.shape, [2, 12]);
  const tanh = tf.layers.activation({ activation: "softplus" }).apply(a) as tf.Tensor;
  assertClose(tanh, tf.softplus(a));
});

for (const backend of BACKENDS) {
  Deno.test(`a Dot layer over an axis other than the last keeps tfjs' result (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      // [n, 1, f] inputs of one shape, multiplied over axis 1 (length 1): each row's outer product
      // [f, f], not the row dot product [1, 1] the fast path computes over the last axis.
      const a = randomTensor([4, 1, 3], 6), b = randomTensor([4, 1, 3], 7);
      for (const axes of [1, [1, 1] as [number, number]]) {
        const got = tf.layers.dot({ axes }).apply([a, b]) as tf.Tensor;
        assertClose(got, tf.matMul(a, b, true, false));
      }
      // Over the last axis it is the row dot product.
      const last = tf.layers.dot({ axes: 2 }).apply([a, b]) as tf.Tensor;
      assertClose(last, tf.sum(tf.mul(a, b), -1, true));
    });
  });
}

for (const backend of BACKENDS) {
  Deno.test(`a channels-first Flatten keeps tfjs' order, channels last (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      // [n, c, l] moved to [n, l, c] before the reshape: the fast path's plain reshape would
      // keep [n, c, l]'s order, the same numbers in other places.
      const x = tf.tensor3d([[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]]);
      const flat = tf.layers.flatten({ dataFormat: "channelsFirst" }).apply(x) as tf.Tensor;
      assertEquals(flat.arraySync(), [[1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12]]);
      const last = tf.layers.flatten().apply(x) as tf.Tensor;
      assertEquals(last.arraySync(), [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    });
  });
}

Deno.test("the fast layer calls run a layer's call hook, as tfjs' own calls do (wasm)", async () => {
  await setupBackend({ backend: "wasm" });
  tf.tidy(() => {
    const x = randomTensor([4, 3], 8);
    const layers: [tf.layers.Layer, tf.Tensor | tf.Tensor[]][] = [
      [tf.layers.dropout({ rate: 0.5, seed: 1 }), x],
      [tf.layers.dense({ units: 2 }), x],
      [tf.layers.dot({ axes: -1 }), [x, x]],
      [tf.layers.add(), [x, x]],
      [tf.layers.rescaling({ scale: 2, offset: 1 }), x],
      [tf.layers.flatten(), tf.reshape(x, [4, 3, 1])],
    ];
    for (const [layer, input] of layers) {
      const seen: unknown[] = [];
      layer.setCallHook((inputs) => seen.push(inputs));
      layer.apply(input, { training: true });
      assertEquals(seen.length, 1, `${layer.getClassName()}'s call hook ran ${seen.length} times`);
    }
  });
});

for (const backend of BACKENDS) {
  Deno.test(`addLayers and the Add layer run the one-kernel sum (${backend})`, async () => {
    await setupBackend({ backend });
    const xs = [1, 2, 3].map((s) => randomTensor([4, 2], s));
    for (const add of [() => addLayers(xs), () => tf.layers.add().apply(xs) as tf.Tensor]) {
      const info = await tf.profile(() => add());
      assertEquals(info.kernelNames, ["AddLayer"]);
    }
    tf.dispose(xs);
  });

  Deno.test(`an Add layer of inputs the one-kernel sum cannot take keeps tfjs' result (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const a = randomTensor([3, 4], 1), b = randomTensor([3, 1], 2);
      assertClose(tf.layers.add().apply([a, b]) as tf.Tensor, tf.add(a, b));
      const i = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
      assertEquals((tf.layers.add().apply([i, i]) as tf.Tensor).arraySync(), [[2, 4], [6, 8]]);
    });
  });
}

Deno.test("slices, concatenations and splits of boolean tensors keep their values on WASM", async () => {
  await setupBackend({ backend: "wasm" });
  tf.tidy(() => {
    const x = tf.tensor2d([[true, false, true], [false, false, true]], [2, 3], "bool");
    assertEquals(tf.slice(x, [1, 0], [1, 3]).arraySync(), [[0, 0, 1]]);
    assertEquals(tf.slice(x, [0, 1], [2, 2]).arraySync(), [[0, 1], [0, 1]]);
    assertEquals(tf.concat([x, x], 0).arraySync(), [[1, 0, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1]]);
    assertEquals(tf.split(x, [1, 2], 1).map((t) => t.arraySync()), [[[1], [0]], [[0, 1], [0, 1]]]);
  });
});
