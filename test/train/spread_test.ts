import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { SPREAD, spreadInto, spreadKernels } from "../../lib/train/kernels/spread.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/** A float32 array's bits, so that equal means bit for bit (quiet NaNs and −0 included). */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/**
 * Values over twelve orders of magnitude, so that a division rounds differently per value, with
 * a quiet NaN, −0, ±∞ and a subnormal among them when there is room.
 */
function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from(
    { length: size },
    () => rng.normal() * 10 ** (rng.next() * 12 - 6),
  );
  [NaN, -0, Infinity, -Infinity, 1e-40].forEach((v, i) => {
    if (size > 8 * (i + 1)) values[8 * i + 3] = v;
  });
  return tf.tensor(values, shape);
}

/** `fn` run with tfjs' own Sum and Mean gradients (the fallback without a Spread kernel). */
function withStockGradients<T>(backend: string, fn: () => T): T {
  const config = tf.getKernel(SPREAD, backend)!;
  tf.unregisterKernel(SPREAD, backend);
  try {
    return fn();
  } finally {
    tf.registerKernel(config);
  }
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
  [[0, 5], 0],
  [[0, 5], 1],
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
            const stock = withStockGradients(backend, () => tf.grad(f)(x, dy));
            const label = `${
              mean ? "mean" : "sum"
            } of [${shape}] over ${axis}, keepDims ${keepDims}`;
            assertEquals(ours.shape, shape, label);
            assertEquals(bits(ours), bits(stock), label);
          }
        });
      }
    });
  });

  Deno.test(`a mean's gradient of a cast from int32 rounds each value to float32 first (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      // 2²⁴ + 1 and 2³¹ − 1 are not float32 values; the CPU backend's cast shares the integers.
      const dy = tf.cast(tf.tensor1d([16777217, -3, 2 ** 31 - 1], "int32"), "float32");
      const x = randomTensor([5, 3], 7);
      const f = (t: tf.Tensor) => tf.mean(t, 0);
      const stock = withStockGradients(backend, () => tf.grad(f)(x, dy));
      assertEquals(bits(tf.grad(f)(x, dy)), bits(stock));
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
      // tfjs' own gradient: dy times ones of x's shape.
      assertEquals(bits(g), bits(tf.mul(tf.reshape(dy, [3, 1]), tf.ones([3, 4]))));
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
  spreadInto(new Float32Array(0), new Float32Array(5), [1, 5], [0, 5], 1);
  const one = new Float32Array(1);
  spreadInto(one, new Float32Array([7]), [], [], 2);
  assertEquals(one[0], 3.5);
  // A count that float32 cannot hold divides as tfjs' float32 scalar of it: 2²⁴ + 1 → 2²⁴.
  spreadInto(one, new Float32Array([3]), [], [], 16777217);
  assertEquals(one[0], Math.fround(3 / 16777216));
  // Lengths that do not fit the shapes.
  assertThrows(
    () => spreadInto(new Float32Array(5), new Float32Array(2), [2, 1], [2, 3], 1),
    RangeError,
    "expected 6 outputs for [2,3] and 2 values for [2,1], found 5 and 2",
  );
  assertThrows(
    () => spreadInto(new Float32Array(6), new Float32Array(3), [2, 1], [2, 3], 1),
    RangeError,
    "found 6 and 3",
  );
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
