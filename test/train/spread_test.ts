import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { SPREAD, spreadInto, spreadKernels } from "../../lib/train/kernels/spread.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/** A float32 array's bits, so that equal means bit for bit (NaNs and −0 included). */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** Values over twelve orders of magnitude, so that a division rounds differently per value. */
function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal() * 10 ** (rng.next() * 12 - 6)),
    shape,
  );
}

/** tfjs 4.22's own gradient of `Sum` (`mean` false) or `Mean`, written out as its source does. */
function stockGradient(dy: tf.Tensor, x: tf.Tensor, axis: number | number[] | null, mean: boolean) {
  const axes = tf.util.parseAxisParam(axis ?? [...x.shape.keys()], x.shape);
  const expanded = x.shape.map((size, a) => axes.includes(a) ? 1 : size);
  const product = tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, "float32"));
  if (!mean) return product;
  return tf.div(product, axes.reduce((p, a) => p * x.shape[a], 1));
}

/** Shapes and axes: every reduction, leading, trailing, inner and split axes, ones, rank 0. */
const CASES: [number[], number | number[] | null][] = [
  [[64, 1682], null],
  [[64, 1682], 1],
  [[64, 1682], 0],
  [[64, 1682], -1],
  [[2, 3, 4], [0, 2]],
  [[2, 3, 4], 1],
  [[2, 3, 4], [1, 2]],
  [[5, 1, 3], 0],
  [[5, 1, 3], 1],
  [[1, 1], null],
  [[7], 0],
  [[3, 2, 4, 5], [0, 3]],
  [[], null],
];

for (const backend of BACKENDS) {
  Deno.test(`Sum and Mean gradients give tfjs' own gradients' bits (${backend})`, async () => {
    await setupBackend({ backend });
    CASES.forEach(([shape, axis], c) => {
      for (const keepDims of [false, true]) {
        tf.tidy(() => {
          const x = randomTensor(shape, 10 + c);
          const outShape = tf.sum(x, axis ?? undefined, keepDims).shape;
          const dy = randomTensor(outShape, 100 + c);
          for (const mean of [false, true]) {
            const f = (t: tf.Tensor) =>
              mean
                ? tf.mean(t, axis ?? undefined, keepDims)
                : tf.sum(t, axis ?? undefined, keepDims);
            const ours = tf.grad(f)(x, dy);
            const label = `${
              mean ? "mean" : "sum"
            } of [${shape}] over ${axis}, keepDims ${keepDims}`;
            assertEquals(ours.shape, shape, label);
            assertEquals(bits(ours), bits(stockGradient(dy, x, axis, mean)), label);
          }
        });
      }
    });
  });

  Deno.test(`the Spread kernel adds one buffer per gradient and frees it (${backend})`, async () => {
    await setupBackend({ backend });
    const x = randomTensor([64, 100], 1);
    const before = tf.memory().numTensors, buffers = tf.engine().backend.numDataIds();
    const g = tf.grad((t: tf.Tensor) => tf.mean(tf.square(t)))(x);
    assertEquals(tf.memory().numTensors, before + 1);
    assertEquals(tf.engine().backend.numDataIds(), buffers + 1);
    tf.dispose([g, x]);
    assertEquals(tf.engine().backend.numDataIds(), buffers - 1);
  });

  Deno.test(`second-order gradients through a sum run the stock gradient (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      // f(x) = (Σx)²: f' = 2Σx in every position; the sum of f' is 2nΣx, whose gradient is 2n.
      const x = tf.tensor1d([1, 2, 3, 4]);
      const first = tf.grad((t: tf.Tensor) => tf.square(tf.sum(t)));
      assertEquals(Array.from(first(x).dataSync()), [20, 20, 20, 20]);
      const second = tf.grad((t: tf.Tensor) => tf.sum(first(t)))(x);
      assertEquals(Array.from(second.dataSync()), [8, 8, 8, 8]);
      // The same through a mean: f = (mean x)², f' = 2 mean / n, Σ f' = 2 mean, gradient 2/n.
      const firstMean = tf.grad((t: tf.Tensor) => tf.square(tf.mean(t)));
      const secondMean = tf.grad((t: tf.Tensor) => tf.sum(firstMean(t)))(x);
      assertEquals(Array.from(secondMean.dataSync()), [0.5, 0.5, 0.5, 0.5]);
    });
  });
}

Deno.test("without a Spread kernel on the backend, the Sum gradient is tfjs' own", async () => {
  await setupBackend({ backend: "cpu" });
  const config = tf.getKernel(SPREAD, "cpu")!;
  tf.unregisterKernel(SPREAD, "cpu");
  try {
    tf.tidy(() => {
      const x = randomTensor([3, 4], 5), dy = randomTensor([3], 6);
      const g = tf.grad((t: tf.Tensor) => tf.sum(t, 1))(x, dy);
      assertEquals(bits(g), bits(stockGradient(dy, x, 1, false)));
    });
  } finally {
    tf.registerKernel(config);
  }
  assert(spreadKernels.some((k) => k.backendName === "cpu" && tf.getKernel(SPREAD, "cpu")));
});

Deno.test("spreadInto() writes each value over its positions, divided once in float32", () => {
  const out = new Float32Array(24);
  // [2, 3, 4] from [2, 1, 4]: the middle axis was reduced.
  const values = Float32Array.from({ length: 8 }, (_, i) => i + 1);
  spreadInto(out, values, [2, 1, 4], [2, 3, 4], 1);
  assertEquals(Array.from(out.subarray(0, 12)), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  assertEquals(Array.from(out.subarray(12)), [5, 6, 7, 8, 5, 6, 7, 8, 5, 6, 7, 8]);
  // A divisor: float32 division of float32 values, the same for every position of a value.
  const third = new Float32Array(3);
  spreadInto(third, new Float32Array([1]), [1], [3], 3);
  assertEquals(Array.from(third), new Array(3).fill(Math.fround(1 / 3)));
  // Nothing to write, and a scalar.
  spreadInto(new Float32Array(0), new Float32Array([1]), [1, 1], [0, 5], 1);
  const one = new Float32Array(1);
  spreadInto(one, new Float32Array([7]), [], [], 2);
  assertEquals(one[0], 3.5);
});

Deno.test("the WASM Cast shares the buffer for its own dtype and converts for another", async () => {
  await setupBackend({ backend: "wasm" });
  const a = tf.tensor1d([1.5, -2.5, 3]);
  const buffers = tf.engine().backend.numDataIds();
  const same = tf.cast(a, "float32");
  assertEquals(tf.engine().backend.numDataIds(), buffers, "a cast to float32 adds no buffer");
  const ints = tf.cast(a, "int32");
  assertEquals(tf.engine().backend.numDataIds(), buffers + 1);
  a.dispose();
  assertEquals(Array.from(same.dataSync()), [1.5, -2.5, 3]);
  assertEquals([ints.dtype, ...ints.dataSync()], ["int32", 1, -2, 3]);
  tf.dispose([same, ints]);
  assertThrows(() => same.dataSync(), Error, "disposed");
});
