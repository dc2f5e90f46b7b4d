import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import {
  binaryCrossentropyLoss,
  DOT_BIAS,
  dotBias,
  dotBiasContextCount,
  dotBiasForward,
  meanAbsoluteErrorLoss,
  meanSquaredErrorLoss,
} from "../../lib/train/kernels/mod.ts";
import { adam } from "../../lib/train/optimizer.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/** Largest absolute difference between two tensors' values. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  assertEquals(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

function randomIds(n: number, rows: number, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: n }, () => rng.int(rows));
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
}

Deno.test("setupBackend() is idempotent and lists the custom kernels", async () => {
  const a = await setupBackend({ backend: "wasm" });
  const b = await setupBackend({ backend: "wasm" });
  assertEquals(a, b);
  assertEquals(a.backend, "wasm");
  assertEquals(a.simd, true);
  assert(a.threads >= 1);
  for (const k of ["UnsortedSegmentSum", "GatherV2", "EmbeddingDotBias", "Identity"]) {
    assert(a.kernels.includes(k), `missing ${k}`);
  }
  const cpu = await setupBackend({ backend: "cpu" });
  assertEquals(cpu.backend, "cpu");
  assertEquals(tf.getBackend(), "cpu");
  assert(cpu.kernels.includes("UnsortedSegmentSum"));
});

Deno.test("setupBackend() rejects an unknown backend name", async () => {
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => setupBackend({ backend: "webgpu" as any }),
    RangeError,
    'expected backend "wasm" or "cpu", found "webgpu"',
  );
});

for (const backend of BACKENDS) {
  Deno.test(`UnsortedSegmentSum matches a one-hot product on random inputs (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const x = randomTensor([40, 7], 1);
      const ids = randomIds(40, 13, 2);
      ids[3] = -1; // dropped, as TensorFlow does
      ids[9] = 13; // out of range: dropped too
      const sums = tf.unsortedSegmentSum(x, tf.tensor1d(ids, "int32"), 13);
      const oneHot = tf.oneHot(tf.tensor1d(ids, "int32"), 13).toFloat();
      const dense = tf.matMul(oneHot, x, true, false);
      assert(maxDiff(sums, dense) < 1e-5);
      const ints = tf.unsortedSegmentSum(
        tf.tensor1d([1, 2, 3, 4], "int32"),
        tf.tensor1d([1, 0, 1, 1], "int32"),
        2,
      );
      assertEquals(ints.dtype, "int32");
      assertEquals(Array.from(ints.dataSync()), [2, 8]);
    });
  });

  Deno.test(`the gather gradient matches a dense equivalent through tf.grad (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const table = randomTensor([11, 6], 3);
      const ids = tf.tensor2d(randomIds(30, 11, 4), [15, 2], "int32");
      const w = randomTensor([15, 2, 6], 5);
      const viaGather = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
      const oneHot = tf.oneHot(ids.reshape([-1]), 11).toFloat();
      const viaDense = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(oneHot, t).reshape([15, 2, 6]), w))
      )(table);
      assert(maxDiff(viaGather, viaDense) < 1e-5);
      // Other axes take the stock path and still agree.
      const ids1 = tf.tensor1d([5, 0, 5], "int32");
      const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids1, 1))))(table);
      const d1 = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(t, tf.oneHot(ids1, 6).toFloat(), false, true)))
      )(table);
      assert(maxDiff(g1, d1) < 1e-4);
    });
  });

  Deno.test(`GatherV2 copies rows and names an out-of-range index (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      const rows = tf.gather(table, tf.tensor2d([[2, 0], [1, 2]], [2, 2], "int32"));
      assertEquals(rows.shape, [2, 2, 2]);
      assertEquals(Array.from(rows.dataSync()), [5, 6, 1, 2, 3, 4, 5, 6]);
      const ints = tf.gather(tf.tensor1d([7, 8, 9], "int32"), tf.tensor1d([2, 2, 0], "int32"));
      assertEquals(Array.from(ints.dataSync()), [9, 9, 7]);
      assertThrows(
        () => tf.gather(table, tf.tensor1d([0, 3], "int32")),
        Error,
        "the index value 3 is not in [0, 2]",
      );
    });
  });

  Deno.test(`single values: a gather from a 1-D table and a segment sum of scalars give a plain loop's bits (${backend})`, async () => {
    await setupBackend({ backend });
    const rng = createRng(11);
    const rows = 3_000, n = 20_000;
    const table = Float32Array.from({ length: rows }, () => rng.normal());
    table[5] = -0;
    table[6] = NaN;
    const ids = randomIds(n, rows, 12);
    ids[0] = 5;
    ids[1] = 6;
    const values = Float32Array.from({ length: n }, () => rng.normal());
    const segIds = Int32Array.from(ids);
    segIds[2] = -1; // dropped, as TensorFlow does
    segIds[3] = rows; // out of range: dropped too
    const gathered = new Float32Array(n), sums = new Float32Array(rows);
    for (let i = 0; i < n; i++) gathered[i] = table[ids[i]];
    for (let i = 0; i < n; i++) {
      if (segIds[i] >= 0 && segIds[i] < rows) {
        sums[segIds[i]] = Math.fround(sums[segIds[i]] + values[i]);
      }
    }
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
    tf.tidy(() => {
      const got = tf.gather(tf.tensor1d(table), tf.tensor1d(ids, "int32"));
      assertEquals(bits(got.dataSync() as Float32Array), bits(gathered));
      const summed = tf.unsortedSegmentSum(tf.tensor1d(values), tf.tensor1d(segIds, "int32"), rows);
      assertEquals(bits(summed.dataSync() as Float32Array), bits(sums));
      assertThrows(
        () => tf.gather(tf.tensor1d(table), tf.tensor1d([0, rows], "int32")),
        Error,
        `the index value ${rows} is not in [0, ${rows - 1}]`,
      );
    });
  });

  Deno.test(`dotBias matches dotBiasForward on gathered rows, forward and every gradient (${backend})`, async () => {
    await setupBackend({ backend });
    for (
      const variant of [
        { bias: true, yRange: [0, 5.5] as [number, number], offset: 0.3, shape: [25, 1] },
        { bias: true, yRange: [1, 5] as [number, number], offset: 0, shape: [25] },
        { bias: false, yRange: null, offset: 0, shape: [25] },
      ]
    ) {
      tf.tidy(() => {
        const U = randomTensor([9, 5], 6), M = randomTensor([14, 5], 7);
        const ub = randomTensor([9, 1], 8), mb = randomTensor([14], 9);
        const users = tf.tensor(randomIds(25, 9, 10), variant.shape, "int32");
        const movies = tf.tensor(randomIds(25, 14, 11), variant.shape, "int32");
        const w = randomTensor([25, 1], 12);
        const tables = variant.bias ? [U, M, ub, mb] : [U, M];
        const fused = (...t: tf.Tensor[]) =>
          tf.sum(tf.mul(
            dotBias(
              { userFactors: t[0], movieFactors: t[1], userBias: t[2], movieBias: t[3] },
              [users, movies],
              { yRange: variant.yRange, offset: variant.offset },
            ),
            w,
          ));
        const oracle = (...t: tf.Tensor[]) => {
          const u = users.reshape([-1]) as tf.Tensor1D, m = movies.reshape([-1]) as tf.Tensor1D;
          const rows = (table: tf.Tensor | undefined, idx: tf.Tensor1D) =>
            table ? tf.gather(table, idx).reshape([25, -1]) : null;
          const y = dotBiasForward(
            rows(t[0], u)!,
            rows(t[1], m)!,
            rows(t[2], u),
            rows(t[3], m),
            variant.yRange,
            variant.offset,
          );
          return tf.sum(tf.mul(y, w));
        };
        assertAlmostEquals(fused(...tables).dataSync()[0], oracle(...tables).dataSync()[0], 1e-3);
        const gf = tf.grads(fused)(tables), go = tf.grads(oracle)(tables);
        gf.forEach((g, i) => assert(maxDiff(g, go[i]) < 1e-4, `gradient ${i}`));
      });
    }
  });

  Deno.test(`dotBias names an out-of-range id (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const weights = { userFactors: tf.ones([3, 2]), movieFactors: tf.ones([4, 2]) };
      assertThrows(
        () => dotBias(weights, [tf.tensor1d([0, 3], "int32"), tf.tensor1d([0, 1], "int32")]),
        RangeError,
        "expected user indices in [0, 3), found 3 at row 1",
      );
      assertThrows(
        () => dotBias(weights, [tf.tensor1d([0, 1], "int32"), tf.tensor1d([-2, 1], "int32")]),
        RangeError,
        "expected movie indices in [0, 4), found -2 at row 0",
      );
      assertThrows(
        () => dotBias(weights, [tf.tensor1d([0, 1]), tf.tensor1d([0, 1], "int32")]),
        TypeError,
        "expected int32 users, found float32",
      );
    });
  });

  Deno.test(`fused MSE and MAE match stock ops, value and gradient (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const y = randomTensor([33, 1], 13), p = randomTensor([33, 1], 14);
      const pairs: [typeof meanSquaredErrorLoss, (a: tf.Tensor, b: tf.Tensor) => tf.Scalar][] = [
        [meanSquaredErrorLoss, (a, b) => tf.losses.meanSquaredError(a, b) as tf.Scalar],
        [meanAbsoluteErrorLoss, (a, b) => tf.losses.absoluteDifference(a, b) as tf.Scalar],
      ];
      for (const [fused, stock] of pairs) {
        assertAlmostEquals(fused(y, p).dataSync()[0], stock(y, p).dataSync()[0], 1e-5);
        const gf = tf.grads((a: tf.Tensor, b: tf.Tensor) => fused(a, b))([y, p]);
        const gs = tf.grads((a: tf.Tensor, b: tf.Tensor) => stock(a, b))([y, p]);
        assert(maxDiff(gf[0], gs[0]) < 1e-6 && maxDiff(gf[1], gs[1]) < 1e-6);
      }
    });
  });

  Deno.test(`fused binary cross-entropy matches tfjs' Keras loss, value and gradient, clipped ends included (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const rng = createRng(20);
      const y = tf.tensor2d(Float32Array.from({ length: 40 }, () => rng.next()), [40, 1]);
      const inside = Array.from({ length: 36 }, () => 0.001 + 0.998 * rng.next());
      const p = tf.tensor2d([...inside, 0, 1, 1e-9, 1 - 1e-9], [40, 1]);
      const stock = (a: tf.Tensor, b: tf.Tensor) =>
        tf.mean(tf.metrics.binaryCrossentropy(a, b)) as tf.Scalar;
      const value = binaryCrossentropyLoss(y, p).dataSync()[0];
      assertAlmostEquals(value, stock(y, p).dataSync()[0], 1e-5);
      const gf = tf.grads((a: tf.Tensor, b: tf.Tensor) => binaryCrossentropyLoss(a, b))([y, p]);
      const gs = tf.grads((a: tf.Tensor, b: tf.Tensor) => stock(a, b))([y, p]);
      assert(maxDiff(gf[0], gs[0]) < 1e-5, `dTrue differs by ${maxDiff(gf[0], gs[0])}`);
      assert(maxDiff(gf[1], gs[1]) < 1e-4, `dPred differs by ${maxDiff(gf[1], gs[1])}`);
      assertEquals(Array.from(gf[1].dataSync().slice(36)), [0, 0, 0, 0]);
    });
  });

  Deno.test(`a training step on the fused ops leaks no tensors or buffers (${backend})`, async () => {
    await setupBackend({ backend });
    const U = tf.variable(randomTensor([20, 4], 15));
    const M = tf.variable(randomTensor([30, 4], 16));
    const users = tf.tensor1d(randomIds(10, 20, 17), "int32");
    const movies = tf.tensor1d(randomIds(10, 30, 18), "int32");
    const y = randomTensor([10, 1], 19);
    const step = () => {
      const { value, grads } = tf.variableGrads(() =>
        meanSquaredErrorLoss(
          y,
          dotBias({ userFactors: U, movieFactors: M }, [users, movies], { yRange: [0, 5] }),
        )
      );
      tf.dispose([value, ...Object.values(grads)]);
      // Forward passes without a gradient tape keep no context either.
      dotBias({ userFactors: U, movieFactors: M }, [users, movies]).dispose();
    };
    step();
    const tensors = tf.memory().numTensors, buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    assertEquals(tf.memory().numTensors, tensors);
    assertEquals(tf.engine().backend.numDataIds(), buffers);
    assertEquals(dotBiasContextCount(), 0);
    tf.dispose([U, M, users, movies, y]);
  });
}

Deno.test("the WASM Identity shares the buffer and a clone outlives its source", async () => {
  await setupBackend({ backend: "wasm" });
  const a = tf.tensor1d([1, 2, 3]);
  const before = tf.engine().backend.numDataIds();
  const b = a.clone();
  assertEquals(tf.engine().backend.numDataIds(), before, "a clone adds no buffer");
  a.dispose();
  assertEquals(Array.from(b.dataSync()), [1, 2, 3]);
  b.dispose();
  assertEquals(tf.engine().backend.numDataIds(), before - 1);
});

/** Runs `fn` on a backend and returns the values of its result(s). */
async function valuesOn(
  backend: "cpu" | "wasm",
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; values: number[] }[]> {
  await setupBackend({ backend });
  return tf.tidy(() => {
    const out = fn();
    return (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape,
      values: Array.from(t.dataSync()),
    }));
  });
}

async function assertSameOnBothBackends(fn: () => tf.Tensor | tf.Tensor[], tolerance: number) {
  const cpu = await valuesOn("cpu", fn), wasm = await valuesOn("wasm", fn);
  assertEquals(wasm.map((t) => t.shape), cpu.map((t) => t.shape));
  cpu.forEach((t, i) =>
    t.values.forEach((v, j) => {
      const w = wasm[i].values[j];
      assert(Math.abs(w - v) <= tolerance * (1 + Math.abs(v)), `output ${i}[${j}]: ${w} vs ${v}`);
    })
  );
}

Deno.test("WASM matMul agrees with the CPU backend for every transpose and batch shape", async () => {
  // 13 x 11 x 10: the 4-row, 8-column and 4-column blocks and both tails all run.
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    await assertSameOnBothBackends(() => {
      const a = randomTensor(ta ? [11, 13] : [13, 11], 20);
      const b = randomTensor(tb ? [10, 11] : [11, 10], 21);
      return tf.matMul(a, b, ta, tb);
    }, 1e-5);
  }
  await assertSameOnBothBackends(() => {
    const a = randomTensor([3, 5, 7], 22), b = randomTensor([7, 9], 23);
    const c = randomTensor([3, 9, 7], 24);
    return [
      tf.matMul(a, b),
      tf.matMul(a, c, false, true),
      tf.matMul(randomTensor([5, 7], 25), c, false, true),
    ];
  }, 1e-5);
});

Deno.test("WASM fused matMul adds the bias and applies the activation like the CPU backend", async () => {
  for (const activation of ["linear", "relu", "relu6", "sigmoid", "elu"] as const) {
    await assertSameOnBothBackends(() => {
      const x = randomTensor([9, 6], 26), w = randomTensor([6, 5], 27);
      const bias = randomTensor([5], 28);
      return [
        tf.fused.matMul({ a: x, b: w, bias, activation }),
        tf.fused.matMul({ a: w, b: x, transposeA: true, transposeB: true, activation }),
      ];
    }, 1e-5);
  }
});

Deno.test("WASM dense-layer gradients agree with the CPU backend", async () => {
  await assertSameOnBothBackends(() => {
    const x = randomTensor([17, 6], 29), w = randomTensor([6, 9], 30), b = randomTensor([9], 31);
    const f = (w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: x, b: w, bias: b, activation: "relu" })));
    return tf.grads(f)([w, b]);
  }, 1e-4);
});

Deno.test("WASM concat, slice and split agree with the CPU backend", async () => {
  await assertSameOnBothBackends(() => {
    const a = randomTensor([6, 3], 32),
      b = randomTensor([6, 5], 33),
      c = randomTensor([6, 2, 2], 34);
    const ints = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
    return [
      tf.concat([a, b], 1),
      tf.concat([a, b.slice([0, 0], [6, 3])], 0),
      tf.concat([c, c], 1),
      tf.concat([ints, ints], -1).toFloat(),
      tf.slice(b, [1, 2], [4, -1]),
      tf.slice(c, [2, 0, 0], [3, 2, 2]),
      tf.slice(c, [0, 1, 0], [6, 1, 2]),
      ...tf.split(b, [2, -1, 1], 1),
      ...tf.split(c, 2, 0),
    ];
  }, 0);
});

Deno.test("FusedAdam's in-place updates reach WASM kernels that cache weights (XNNPACK)", async () => {
  await setupBackend({ backend: "wasm" });
  const x = randomTensor([1, 5, 5, 2], 35);
  const filter = tf.variable(randomTensor([3, 3, 2, 4], 36));
  const opt = adam({ learningRate: 0.1 });
  // The first step moves the variable onto a buffer of the optimizer's own; later ones are in place.
  tf.tidy(() => opt.applyGradients({ [filter.name]: tf.onesLike(filter) }));
  tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same").dispose(); // caches the packed filter
  tf.tidy(() => opt.applyGradients({ [filter.name]: tf.onesLike(filter) }));
  const fresh = tf.tidy(() =>
    tf.conv2d(x as tf.Tensor4D, tf.add(filter, 0) as tf.Tensor4D, 1, "same")
  );
  const reused = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same");
  assert(maxDiff(reused, fresh) < 1e-5, "the convolution used the updated filter");
  tf.dispose([x, filter, fresh, reused]);
  opt.dispose();
});

Deno.test("WASM column sums (bias gradients) agree with the CPU backend", async () => {
  await assertSameOnBothBackends(() => {
    const x = randomTensor([37, 7], 37);
    return [tf.sum(x, 0), tf.sum(x, 0, true), tf.sum(x, -2), tf.sum(x, 1), tf.sum(x)];
  }, 1e-5);
});

/**
 * tfjs' WASM `Sum` on the innermost axes, in JavaScript: each output from +0, the row's elements
 * added one by one in order in float32 (a float add is the double sum rounded once).
 */
function sumInOrder(values: Float32Array, n: number): Float32Array {
  const out = new Float32Array(values.length / n);
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s = Math.fround(s + values[r * n + j]);
    out[r] = s;
  }
  return out;
}

Deno.test("WASM sums over the innermost or the leading axes give the stock kernel's bits", async () => {
  await setupBackend({ backend: "wasm" });
  const rng = createRng(61);
  // Magnitudes from 1e-6 to 1e6, so that adding in any other order changes the bits.
  const draw = () => rng.normal() * 10 ** (rng.next() * 12 - 6);
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).buffer));
  const shapes = [[1, 1], [3, 5], [8, 7], [9, 33], [17, 100], [64, 1682], [2, 3, 4], [5], [
    2,
    3,
    1,
    6,
  ]];
  for (const shape of shapes) {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, draw);
    const x = tf.tensor(values, shape);
    for (let k = 1; k <= shape.length; k++) {
      const axes = shape.map((_, i) => i).slice(shape.length - k);
      const n = shape.slice(shape.length - k).reduce((a, b) => a * b, 1);
      const want = Array.from(new Uint32Array(sumInOrder(values, n).buffer));
      const kept = shape.slice(0, shape.length - k);
      for (const keepDims of [false, true]) {
        const y = tf.sum(x, axes, keepDims);
        assertEquals(y.shape, keepDims ? [...kept, ...axes.map(() => 1)] : kept);
        assertEquals(bits(y), want, `shape ${shape}, axes ${axes}, keepDims ${keepDims}`);
        y.dispose();
      }
      if (k === 1) {
        const y = tf.sum(x, -1); // a negative axis is the same axis
        assertEquals(bits(y), want);
        y.dispose();
      }
    }
    for (let k = 1; k < shape.length; k++) { // the leading axes: rows added in turn, from 0
      const cols = shape.slice(k).reduce((a, b) => a * b, 1), rows = values.length / cols;
      const want = new Float32Array(cols);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) want[j] = Math.fround(want[j] + values[r * cols + j]);
      }
      const axes = shape.map((_, i) => i).slice(0, k);
      for (const keepDims of [false, true]) {
        const y = tf.sum(x, axes, keepDims);
        assertEquals(y.shape, keepDims ? shape.map((d, i) => i < k ? 1 : d) : shape.slice(k));
        assertEquals(bits(y), Array.from(new Uint32Array(want.buffer)), `leading ${axes}`);
        y.dispose();
      }
    }
    const all = tf.sum(x); // no axis: every axis
    assertEquals(bits(all), Array.from(new Uint32Array(sumInOrder(values, values.length).buffer)));
    tf.dispose([x, all]);
  }
  // Specials: a row of -0 sums to +0 (from +0), NaN and infinities propagate.
  tf.tidy(() => {
    const x = tf.tensor2d([[-0, -0, -0], [1, NaN, 2], [Infinity, 1, -Infinity], [Infinity, 1, 2]]);
    const y = Array.from(tf.sum(x, 1).dataSync());
    assert(Object.is(y[0], 0) && Number.isNaN(y[1]) && Number.isNaN(y[2]) && y[3] === Infinity);
    // Other axes, int32 and empty tensors still take the stock kernel.
    assertEquals(
      Array.from(tf.sum(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), 1).dataSync()),
      [
        4,
        6,
        12,
        14,
      ],
    );
    assertEquals(Array.from(tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), 1).dataSync()), [
      3,
      7,
    ]);
    assertEquals(tf.sum(tf.zeros([3, 0]), 1).shape, [3]);
    // Axes out of order: the stock kernel sums in the order given (here axis 1 outer), so it runs.
    const x3 = tf.tensor3d([1e8, 1, 1e-3, 1, -1e8, 3, 5e-4, 1], [2, 2, 2]);
    const given = tf.sum(x3, [1, 0]).dataSync(), sorted = tf.sum(x3, [0, 1]).dataSync();
    const f = Math.fround;
    assertEquals(given[0], f(f(f(f(0 + 1e8) + -1e8) + f(1e-3)) + f(5e-4))); // x[0,0], x[1,0], x[0,1], x[1,1]
    assertEquals(sorted[0], f(f(f(f(0 + 1e8) + f(1e-3)) + -1e8) + f(5e-4))); // x[0,0], x[0,1], x[1,0], …
    assert(given[0] !== sorted[0], "the example should tell the two orders apart");
  });
});

Deno.test("WASM maxima over the innermost axes give the stock kernel's bits, NaNs and zeros too", async () => {
  await setupBackend({ backend: "wasm" });
  const rng = createRng(62);
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).buffer));
  // NaNs with three payloads (the stock kernel keeps a row's last NaN), both zeros (the first one
  // seen stays), infinities and the largest floats.
  const specials = new Float32Array(
    new Uint32Array([
      0,
      0x80000000,
      0x7fc00000,
      0x7fc00001,
      0xffc12345,
      0x7f800000,
      0xff800000,
      0x7f7fffff,
      0xff7fffff,
    ]).buffer,
  );
  const shapes = [[1, 1], [3, 5], [8, 7], [9, 33], [17, 70], [5, 64], [64, 1682], [2, 3, 19]];
  for (const shape of shapes) {
    for (const rate of [0, 0.02, 0.3]) {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) {
        values[i] = rng.next() < rate
          ? specials[Math.floor(rng.next() * specials.length)]
          : rng.next() < 0.1
          ? 0 // a row whose largest value is a zero
          : rng.normal();
      }
      const x = tf.tensor(values, shape);
      const last = shape.length - 1;
      // The reference: the same rows through the stock kernel, which a leading axis reaches (it
      // moves that axis innermost by a transpose, a copy that keeps the bits, then scans rows).
      const perm = [last, ...shape.slice(0, last).map((_, i) => i)];
      const want = tf.tidy(() => bits(tf.max(tf.transpose(x, perm), 0)));
      for (const keepDims of [false, true]) {
        const y = tf.max(x, -1, keepDims);
        assertEquals(y.shape, keepDims ? [...shape.slice(0, last), 1] : shape.slice(0, last));
        assertEquals(bits(y), want, `shape ${shape}, rate ${rate}, keepDims ${keepDims}`);
        y.dispose();
      }
      x.dispose();
    }
  }
  tf.tidy(() => {
    const row = (v: number[]) => Array.from(tf.max(tf.tensor2d([v]), 1).dataSync());
    const signs = (v: number[]) => row(v).map((m) => Object.is(m, -0) ? "-0" : String(m));
    // The cases the one-pass scan hands back to the in-order one, and one it keeps.
    assertEquals(signs([-1, -0, 0, ...Array(20).fill(-2)]), ["-0"]);
    assertEquals(signs([-1, 0, -0, ...Array(20).fill(-2)]), ["0"]);
    assert(Number.isNaN(row([1, NaN, ...Array(20).fill(2)])[0]));
    assertEquals(row([1, ...Array(20).fill(2), 3]), [3]);
    // Every axis, other axes, int32 and empty tensors take the stock kernel.
    assertEquals(Array.from(tf.max(tf.tensor2d([[1, 5], [7, 2]])).dataSync()), [7]);
    assertEquals(Array.from(tf.max(tf.tensor2d([[1, 5], [7, 2]]), 0).dataSync()), [7, 5]);
    assertEquals(Array.from(tf.max(tf.tensor2d([[1, 5], [7, 2]], [2, 2], "int32"), 1).dataSync()), [
      5,
      7,
    ]);
    assertEquals(tf.max(tf.zeros([3, 0]), 1).shape, [3]);
  });
});

Deno.test("Dense layers on the fast path match tfjs' own Dense, values and gradients", async () => {
  // The same model on the CPU backend (stock code) and on WASM (one fused kernel per layer).
  const run = async (backend: "cpu" | "wasm") => {
    await setupBackend({ backend });
    return tf.tidy(() => {
      const input = tf.input({ shape: [6] });
      let h = tf.layers.dense({ units: 9, activation: "relu", kernelInitializer: "glorotUniform" })
        .apply(input) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: 5, activation: "sigmoid", useBias: false }).apply(
        h,
      ) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 1 }).apply(h) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: out });
      model.setWeights(model.getWeights().map((w, i) => randomTensor(w.shape, 40 + i)));
      const x = randomTensor([13, 6], 38), y = randomTensor([13, 1], 39);
      const { value, grads } = tf.variableGrads(() =>
        tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar
      );
      const result = [
        value.dataSync()[0],
        ...model.trainableWeights.map((w) =>
          Array.from(grads[(w.read() as tf.Variable).name].dataSync())
        ),
      ];
      model.dispose();
      return result;
    });
  };
  const cpu = await run("cpu"), wasm = await run("wasm");
  assertAlmostEquals(wasm[0] as number, cpu[0] as number, 1e-5);
  for (let i = 1; i < cpu.length; i++) {
    (cpu[i] as number[]).forEach((v, j) => assertAlmostEquals((wasm[i] as number[])[j], v, 1e-4));
  }
});

Deno.test("Dropout layers draw seeded inverted-dropout masks, the same on both backends", async () => {
  const masks = async (backend: "cpu" | "wasm") => {
    await setupBackend({ backend });
    return tf.tidy(() => {
      const layer = tf.layers.dropout({ rate: 0.3, seed: 5 });
      const x = tf.ones([40, 50]);
      const train = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
      const again = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
      const infer = Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync());
      // 21 elements: the SIMD lanes' tail too.
      const odd = Array.from(
        (layer.apply(tf.ones([7, 3]), { training: true }) as tf.Tensor).dataSync(),
      );
      return { train, again, infer, odd };
    });
  };
  const cpu = await masks("cpu"), wasm = await masks("wasm");
  assertEquals(wasm.train, cpu.train);
  assertEquals(wasm.odd, cpu.odd);
  assert(cpu.odd.some((v) => v === 0) && cpu.odd.some((v) => v !== 0));
  assertEquals(cpu.train, cpu.again, "a seeded layer repeats its mask");
  assert(cpu.infer.every((v) => v === 1), "no dropout at inference");
  const kept = cpu.train.filter((v) => v !== 0);
  assert(Math.abs(kept.length / 2000 - 0.7) < 0.04, `kept ${kept.length} of 2000`);
  assert(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6), "kept values are scaled by 1/(1 - rate)");
  // Gradients flow through the kept elements only, with the same scale.
  await setupBackend({ backend: "wasm" });
  tf.tidy(() => {
    const layer = tf.layers.dropout({ rate: 0.5, seed: 3 });
    const x = randomTensor([30, 4], 41);
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t, { training: true }) as tf.Tensor))(x);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const gv = g.dataSync(), yv = y.dataSync(), xv = x.dataSync();
    for (let i = 0; i < gv.length; i++) assertAlmostEquals(yv[i], gv[i] * xv[i], 1e-5);
  });
});

Deno.test("SpatialDropout1D still drops whole channels once the fast Dropout is installed", async () => {
  // It inherits Dropout's call(): the elementwise fast mask dropped single values instead.
  for (const backend of BACKENDS) {
    await setupBackend({ backend });
    tf.tidy(() => {
      const layer = tf.layers.spatialDropout1d({ rate: 0.5, seed: 3 });
      const out = layer.apply(tf.ones([4, 5, 12]), { training: true }) as tf.Tensor;
      const rows = out.arraySync() as number[][][];
      for (const [s, sample] of rows.entries()) {
        for (let c = 0; c < 12; c++) {
          const column = sample.map((step) => step[c]);
          assert(
            column.every((v) => v === column[0]),
            `${backend}: sample ${s}, channel ${c} is not dropped whole: ${column}`,
          );
        }
      }
      const values = rows.flat(2);
      assert(
        values.some((v) => v === 0) && values.some((v) => v === 2),
        "a mask of 0 and 1/(1 - rate)",
      );
    });
  }
});

for (const backend of BACKENDS) {
  Deno.test(`Embedding layers on the fast path match tfjs' own lookup (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const layer = tf.layers.embedding({ inputDim: 12, outputDim: 5 });
      const ids = [[3], [11], [3], [0]];
      const w = randomTensor([4, 1, 5], 42);
      // int32 ids take the fast path; float ids take tfjs' code (cast, reshape, gather).
      const run = (x: tf.Tensor) => {
        const { value, grads } = tf.variableGrads(() =>
          tf.sum(tf.mul(layer.apply(x) as tf.Tensor, w)) as tf.Scalar
        );
        return [value, Object.values(grads)[0]];
      };
      assertEquals((layer.apply(tf.tensor2d(ids, [4, 1], "int32")) as tf.Tensor).shape, [4, 1, 5]);
      const [vFast, gFast] = run(tf.tensor2d(ids, [4, 1], "int32"));
      const [vStock, gStock] = run(tf.tensor2d(ids, [4, 1], "float32"));
      assertAlmostEquals(vFast.dataSync()[0], vStock.dataSync()[0], 1e-6);
      assert(maxDiff(gFast, gStock) < 1e-6);
    });
  });
}

for (const backend of BACKENDS) {
  Deno.test(`saved tensors keep first- and second-order gradients right, without leaks (${backend})`, async () => {
    await setupBackend({ backend });
    const x = tf.tensor1d([1, 2, -3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      // d/dx x³ = 3x², d²/dx² x³ = 6x: the second order records a tape inside a tape.
      const first = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mul(t, t), t)))(x);
      assertEquals(Array.from(first.dataSync()), [3, 12, 27]);
      const second = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.mul(u, u), u)))(t))
      )(x);
      assertEquals(Array.from(second.dataSync()), [6, 12, -18]);
    });
    assertEquals(tf.memory().numTensors, before);
    x.dispose();
  });
}

Deno.test("dotBias runs dotBiasForward, with stock gradients, where the backend has no fused kernel", async () => {
  await setupBackend({ backend: "cpu" });
  const kernel = tf.getKernel(DOT_BIAS, "cpu")!;
  const U = randomTensor([6, 3], 1), M = randomTensor([8, 3], 2);
  const ub = randomTensor([6, 1], 3), mb = randomTensor([8, 1], 4);
  const ids = [
    tf.tensor1d(randomIds(20, 6, 5), "int32"),
    tf.tensor1d(randomIds(20, 8, 6), "int32"),
  ];
  const run = (...t: tf.Tensor[]) =>
    dotBias({ userFactors: t[0], movieFactors: t[1], userBias: t[2], movieBias: t[3] }, [
      ids[0],
      ids[1],
    ], { yRange: [1, 5] });
  const fused = run(U, M, ub, mb);
  const fusedGrads = tf.grads((...t: tf.Tensor[]) => tf.sum(run(...t)))([U, M, ub, mb]);
  tf.unregisterKernel(DOT_BIAS, "cpu");
  try {
    const fallback = run(U, M, ub, mb);
    assert(maxDiff(fused, fallback) < 1e-5);
    const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(run(...t)))([U, M, ub, mb]);
    grads.forEach((g, i) => assert(maxDiff(g, fusedGrads[i]) < 1e-5, `gradient ${i}`));
    tf.dispose([fallback, ...grads]);
  } finally {
    tf.registerKernel(kernel);
  }
  assert(tf.getKernel(DOT_BIAS, "cpu") !== undefined);
  tf.dispose([U, M, ub, mb, ...ids, fused, ...fusedGrads]);
});

for (const backend of BACKENDS) {
  Deno.test(`GatherV2 names an out-of-range index in the first position too (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      for (const ids of [[7, 0], [-1, 2, 1]]) {
        assertThrows(
          () => tf.gather(table, tf.tensor1d(ids, "int32")),
          Error,
          `the index value ${ids[0]} is not in [0, 2]`,
        );
      }
    });
  });

  Deno.test(`UnsortedSegmentSum rejects segment ids that do not match x's leading dims (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      // Two ids for three rows: a sum of the first two rows would be silently wrong.
      assertThrows(
        () => tf.unsortedSegmentSum(x, tf.tensor1d([0, 1], "int32"), 2),
        RangeError,
        "expected x's leading dims to equal segmentIds' shape [2], found x of shape [3,2]",
      );
    });
  });
}

for (const backend of BACKENDS) {
  Deno.test(`dotBias names an out-of-range user id in row 0 (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      const weights = { userFactors: tf.ones([3, 2]), movieFactors: tf.ones([4, 2]) };
      assertThrows(
        () => dotBias(weights, [tf.tensor1d([3, 0], "int32"), tf.tensor1d([0, 1], "int32")]),
        RangeError,
        "expected user indices in [0, 3), found 3 at row 0",
      );
    });
  });
}

for (const backend of BACKENDS) {
  Deno.test(`dotBias gives exactly zero gradient to the table rows no id in the batch names (${backend})`, async () => {
    await setupBackend({ backend });
    tf.tidy(() => {
      // Users 0 and 1 rate movie 2 only: user rows 2, 3 and movie rows 0, 1, 3, 4 get nothing.
      const U = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]);
      const M = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0.5, -1, 2], [0, 0, 1], [2, 2, 2]]);
      const ub = tf.tensor2d([[0.1], [0.2], [0.3], [0.4]]);
      const mb = tf.tensor2d([[1], [2], [3], [4], [5]]);
      const users = tf.tensor1d([0, 1], "int32"), movies = tf.tensor1d([2, 2], "int32");
      const w = tf.tensor2d([[1], [-2]]);
      const loss = (...t: tf.Tensor[]) =>
        tf.sum(tf.mul(
          dotBias(
            { userFactors: t[0], movieFactors: t[1], userBias: t[2], movieBias: t[3] },
            [users, movies],
          ),
          w,
        ));
      const [dU, dM, dub, dmb] = tf.grads(loss)([U, M, ub, mb]).map((g) => g.arraySync());
      // d/dM[2] = 1·U[0] − 2·U[1]; d/dU[u] = w[u]·M[2]; each bias gets its rows' weights.
      assertEquals(dM, [[0, 0, 0], [0, 0, 0], [-7, -8, -9], [0, 0, 0], [0, 0, 0]]);
      assertEquals(dU, [[0.5, -1, 2], [-1, 2, -4], [0, 0, 0], [0, 0, 0]]);
      assertEquals(dub, [[1], [-2], [0], [0]]);
      assertEquals(dmb, [[0], [0], [-1], [0], [0]]);
    });
  });
}

Deno.test("the _FusedMatMul kernel's gradient matches the unfused ops' for every transpose (wasm)", async () => {
  // WASM only: the fast Dense layer runs the kernel there, and the relu gradient's kernel too.
  await setupBackend({ backend: "wasm" });
  // m 4, k 3, n 5: no two alike, so a product of the wrong operands cannot even be formed.
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    for (const activation of ["linear", "relu"] as const) {
      tf.tidy(() => {
        const a = randomTensor(ta ? [3, 4] : [4, 3], 40),
          b = randomTensor(tb ? [5, 3] : [3, 5], 41);
        const bias = randomTensor([5], 42), w = randomTensor([4, 5], 43);
        // The kernel itself, as the fast Dense layer runs it (tf.fused.matMul has a gradient
        // of its own and never reaches the registered one).
        const fused = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
          tf.sum(tf.mul(
            tf.engine().runKernel("_FusedMatMul", { a, b, bias }, {
              transposeA: ta,
              transposeB: tb,
              activation,
            }) as tf.Tensor,
            w,
          ));
        const plain = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) => {
          const z = tf.add(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb), bias);
          return tf.sum(tf.mul(activation === "relu" ? tf.relu(z) : z, w));
        };
        const got = tf.grads(fused)([a, b, bias]), want = tf.grads(plain)([a, b, bias]);
        got.forEach((g, i) =>
          assert(maxDiff(g, want[i]) < 1e-5, `ta ${ta}, tb ${tb}, ${activation}: gradient ${i}`)
        );
      });
    }
  }
});

Deno.test("a Dense layer inside a model takes the fast path on WASM, one-kernel relu gradient included", async () => {
  // A model's graph hands each layer its inputs as a one-element list: that must not send the
  // layer back to tfjs' own code, whose gradient computes the relu's as a step and a product.
  await setupBackend({ backend: "wasm" });
  const input = tf.input({ shape: [6] });
  const out = tf.layers.dense({ units: 4, activation: "relu" }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const x = randomTensor([5, 6], 44);
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
  assert(info.kernelNames.includes("FusedReluGrad"), `kernels run: ${info.kernelNames}`);
  tf.dispose(x);
  model.dispose();
});
