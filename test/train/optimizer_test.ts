import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { adam, type AdamOptions, FusedAdam, fusedAdamFor } from "../../lib/train/optimizer.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/**
 * Adam by hand in float64, from the reference formulas: Keras' epsilon hat (added to sqrt(v)
 * before the step size's bias correction) or the paper's (PyTorch, tf.train.adam: added to
 * sqrt(v̂)), PyTorch Adam for "l2" (g += wd·w) and PyTorch AdamW for "decoupled"
 * (w *= 1 − lr·wd). `lambda` is a Keras l2 penalty (g += 2λw).
 */
function referenceAdam(
  w0: number[],
  grads: number[][],
  o: Required<AdamOptions>,
  lambda = 0,
): number[] {
  const w = [...w0], m = w0.map(() => 0), v = w0.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    const bc1 = 1 - o.beta1 ** t, bc2 = 1 - o.beta2 ** t;
    for (let i = 0; i < w.length; i++) {
      let gi = g[i] + 2 * lambda * w[i];
      if (o.decay === "l2") gi += o.weightDecay * w[i];
      if (o.decay === "decoupled") w[i] *= 1 - o.learningRate * o.weightDecay;
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
      if (o.epsilonHat) {
        const alpha = o.learningRate * Math.sqrt(bc2) / bc1;
        w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + o.epsilon);
      } else {
        w[i] -= (o.learningRate / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.epsilon);
      }
    }
  });
  return w;
}

function randomValues(n: number, seed: number, scale = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => scale * rng.normal());
}

const VARIANTS: Required<AdamOptions>[] = [
  // Large epsilons, so that where each formula adds it shows in the result.
  {
    learningRate: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 0.01,
    weightDecay: 0,
    decay: "none",
    epsilonHat: true,
  },
  {
    learningRate: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 0.01,
    weightDecay: 0,
    decay: "none",
    epsilonHat: false,
  },
  {
    learningRate: 3e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 0.01,
    weightDecay: 0.05,
    decay: "l2",
    epsilonHat: false,
  },
  {
    learningRate: 0.02,
    beta1: 0.8,
    beta2: 0.99,
    epsilon: 1e-6,
    weightDecay: 0.1,
    decay: "decoupled",
    epsilonHat: false,
  },
];

for (const backend of BACKENDS) {
  for (const options of VARIANTS) {
    Deno.test(`three FusedAdam steps match a hand computation: decay "${options.decay}", epsilon hat ${options.epsilonHat} (${backend})`, async () => {
      await setupBackend({ backend });
      // 37 values: the SIMD body and the scalar tail both run.
      const w0 = randomValues(37, 1, 0.5);
      const grads = [2, 3, 4].map((s) => randomValues(37, s, 0.1));
      const lambda = options.decay === "none" ? 0.01 : 0;
      const w = tf.variable(tf.tensor1d(w0));
      const opt = adam(options);
      if (lambda > 0) opt.setPenalties(new Map([[w.name, lambda]]));
      for (const g of grads) {
        tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d(g) }));
      }
      const want = referenceAdam(w0, grads, options, lambda);
      const got = w.dataSync();
      for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-6);
      assertEquals(opt.iterations, 3);
      opt.dispose();
      w.dispose();
    });
  }

  Deno.test(`lastPenalty() is Σλ·Σw² before the step (${backend})`, async () => {
    await setupBackend({ backend });
    const a = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const b = tf.variable(tf.tensor1d([0.5, -0.5, 2]));
    const c = tf.variable(tf.tensor1d([10]));
    const opt = adam({ learningRate: 0.1 });
    assertEquals(opt.lastPenalty(), 0);
    opt.setPenalties(new Map([[a.name, 0.1], [b.name, 0.01]]));
    tf.tidy(() =>
      opt.applyGradients({
        [a.name]: tf.zerosLike(a),
        [b.name]: tf.zerosLike(b),
        [c.name]: tf.zerosLike(c),
      })
    );
    assertAlmostEquals(opt.lastPenalty(), 0.1 * 30 + 0.01 * 4.5, 1e-6);
    // The penalty's gradient 2λw moved the penalised weights towards 0; c had none.
    assert(a.dataSync()[0] < 1 && b.dataSync()[2] < 2);
    assertEquals(c.dataSync()[0], 10);
    assertEquals(opt.penalties().get(a.name), 0.1);
    opt.dispose();
    tf.dispose([a, b, c]);
  });

  Deno.test(`a new learningRate takes effect at the next step (${backend})`, async () => {
    await setupBackend({ backend });
    const w = tf.variable(tf.tensor1d([1]));
    const opt = adam({ learningRate: 0.1 });
    tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d([1]) }));
    assertAlmostEquals(w.dataSync()[0], 0.9, 1e-5);
    opt.learningRate = 0.01;
    tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d([1]) }));
    // With a constant gradient, m / sqrt(v) stays 1 after bias correction: the step is the rate.
    assertAlmostEquals(w.dataSync()[0], 0.89, 1e-5);
    opt.dispose();
    w.dispose();
  });

  Deno.test(`in-place updates leave clones and source tensors untouched (${backend})`, async () => {
    await setupBackend({ backend });
    const source = tf.tensor1d([1, 2, 3]);
    const w = tf.variable(source); // shares source's buffer
    const snapshot = w.clone(); // shares it too
    const opt = adam({ learningRate: 0.5 });
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => opt.applyGradients({ [w.name]: tf.ones([3]) }));
    }
    assertEquals(Array.from(source.dataSync()), [1, 2, 3]);
    assertEquals(Array.from(snapshot.dataSync()), [1, 2, 3]);
    assert(w.dataSync()[0] < 0);
    // Restoring the snapshot (as early stopping does) and stepping again keeps it intact.
    w.assign(snapshot);
    tf.tidy(() => opt.applyGradients({ [w.name]: tf.ones([3]) }));
    assertEquals(Array.from(snapshot.dataSync()), [1, 2, 3]);
    assert(w.dataSync()[0] < 1);
    opt.dispose();
    tf.dispose([source, w, snapshot]);
  });

  Deno.test(`FusedAdam steps leak no tensors (${backend})`, async () => {
    await setupBackend({ backend });
    const w = tf.variable(tf.randomUniform([50, 3], -1, 1, "float32", 7));
    const opt = adam({ weightDecay: 1e-3 });
    const step = () => opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    assertEquals(tf.memory().numTensors, before);
    opt.dispose();
    w.dispose();
  });
}

Deno.test("FusedAdam gives the same step on a variable it must move between backends", async () => {
  // A variable made on the CPU backend and updated on WASM takes the stock-op path.
  const w0 = randomValues(9, 11), g = randomValues(9, 12);
  const options = VARIANTS[1];
  await setupBackend({ backend: "cpu" });
  const w = tf.variable(tf.tensor1d(w0));
  await setupBackend({ backend: "wasm" });
  const opt = adam(options);
  tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d(g) }));
  const want = referenceAdam(w0, [g], options);
  const got = w.dataSync();
  for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-6);
  opt.dispose();
  w.dispose();
});

Deno.test("FusedAdam trains a model through model.compile and model.fit", async () => {
  await setupBackend({ backend: "wasm" });
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: "zeros" })],
  });
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: "meanSquaredError" });
  const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]);
  const y = tf.tensor2d([[1], [2], [3], [5]]);
  const history = await model.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
  const losses = history.history.loss as number[];
  assertLessThan(losses[losses.length - 1], losses[0] / 4);
  model.dispose();
  tf.dispose([x, y]);
});

function assertLessThan(a: number, b: number) {
  assert(a < b, `expected ${a} < ${b}`);
}

Deno.test("FusedAdam round-trips through getConfig and tf.serialization", async () => {
  await setupBackend({ backend: "wasm" });
  const opt = adam({ learningRate: 0.02, weightDecay: 0.1, decay: "decoupled", epsilon: 1e-8 });
  const config = opt.getConfig();
  assertEquals(config, {
    learningRate: 0.02,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.1,
    decay: "decoupled",
    epsilonHat: false,
  });
  const entry = tf.serialization.SerializationMap.getMap().classNameMap["FusedAdam"];
  assert(entry !== undefined, "FusedAdam is registered for serialisation");
  const copy = entry[1](entry[0], config) as FusedAdam;
  assert(copy instanceof FusedAdam);
  assertEquals(copy.getConfig(), config);
});

Deno.test("FusedAdam getWeights/setWeights restore the moments and the step count", async () => {
  await setupBackend({ backend: "wasm" });
  const w = tf.variable(tf.tensor1d([1, -2]));
  const a = adam({ learningRate: 0.1 });
  for (let i = 0; i < 2; i++) tf.tidy(() => a.applyGradients({ [w.name]: tf.tensor1d([1, 3]) }));
  const saved = await a.getWeights();
  assertEquals(saved.map((s) => s.name), ["iter", `${w.name}/m`, `${w.name}/v`]);
  const b = adam({ learningRate: 0.1 });
  await b.setWeights(saved);
  assertEquals(b.iterations, 2);
  const w2 = tf.variable(w.clone(), true, `${w.name}_copy`);
  // Same moments, same step count: the next updates agree.
  tf.tidy(() => a.applyGradients({ [w.name]: tf.tensor1d([0.5, 0.5]) }));
  const restored = await b.getWeights();
  await b.setWeights(restored.map((r) => ({ ...r, name: r.name.replace(w.name, w2.name) })));
  tf.tidy(() => b.applyGradients({ [w2.name]: tf.tensor1d([0.5, 0.5]) }));
  assertEquals(Array.from(w2.dataSync()), Array.from(w.dataSync()));
  a.dispose();
  b.dispose();
  tf.dispose([w, w2]);
});

for (const backend of BACKENDS) {
  Deno.test(`fusedAdamFor() goes on from a trained tf.train.adam exactly as it would (${backend})`, async () => {
    await setupBackend({ backend });
    const w0 = randomValues(37, 5, 0.5);
    const grads = [6, 7, 8, 9].map((s) => randomValues(37, s, 0.1));
    const a = tf.variable(tf.tensor1d(w0)), b = tf.variable(tf.tensor1d(w0));
    const stockA = tf.train.adam(0.02, 0.8, 0.99, 1e-3),
      stockB = tf.train.adam(0.02, 0.8, 0.99, 1e-3);
    for (const g of grads.slice(0, 2)) {
      tf.tidy(() => stockA.applyGradients([{ name: a.name, tensor: tf.tensor1d(g) }]));
      tf.tidy(() => stockB.applyGradients([{ name: b.name, tensor: tf.tensor1d(g) }]));
    }
    // b goes on with the fused Adam made from its stock Adam, a with the stock Adam itself.
    const fused = (await fusedAdamFor(stockB))!;
    assertEquals([fused.iterations, fused.epsilonHat, fused.beta1, fused.epsilon], [
      2,
      false,
      0.8,
      1e-3,
    ]);
    for (const g of grads.slice(2)) {
      tf.tidy(() => stockA.applyGradients([{ name: a.name, tensor: tf.tensor1d(g) }]));
      tf.tidy(() => fused.applyGradients({ [b.name]: tf.tensor1d(g) }));
    }
    const want = a.dataSync(), got = b.dataSync();
    for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-6);
    assertEquals(await fusedAdamFor(fused), fused);
    assertEquals(await fusedAdamFor(tf.train.rmsprop(0.1)), null);
    tf.dispose([a, b]);
    for (const o of [stockA, stockB, fused]) o.dispose();
  });
}

Deno.test("adam() rejects bad hyper-parameters with a RangeError naming them", () => {
  assertThrows(
    () => adam({ learningRate: -1 }),
    RangeError,
    "expected learningRate >= 0, found -1",
  );
  assertThrows(() => adam({ beta2: 1 }), RangeError, "expected beta2 in [0, 1), found 1");
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => adam({ decay: "lazy" as any }),
    RangeError,
    'expected decay "none", "l2" or "decoupled", found "lazy"',
  );
  assertThrows(
    () => adam({ weightDecay: 0.1, decay: "none" }),
    RangeError,
    'weightDecay 0.1 needs decay "l2" or "decoupled"',
  );
  assertEquals(adam({ weightDecay: 3e-4 }).decay, "l2");
  assertThrows(
    () => adam().setPenalties(new Map([["w", -1]])),
    RangeError,
    'expected λ >= 0 for variable "w", found -1',
  );
});

Deno.test("FusedAdam's stock-op path matches the hand computation for every decay and a penalty", async () => {
  // A variable made on the CPU backend and updated on WASM takes the stock-op path.
  for (const options of VARIANTS) {
    const w0 = randomValues(9, 21), grads = [22, 23].map((s) => randomValues(9, s, 0.1));
    const lambda = 0.05;
    await setupBackend({ backend: "cpu" });
    const w = tf.variable(tf.tensor1d(w0));
    await setupBackend({ backend: "wasm" });
    const opt = adam(options);
    opt.setPenalties(new Map([[w.name, lambda]]));
    const before = w0.reduce((s, x) => s + x * x, 0);
    tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d(grads[0]) }));
    assertAlmostEquals(opt.lastPenalty(), lambda * before, 1e-5); // Σλ·Σw² before the step
    tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d(grads[1]) }));
    const want = referenceAdam(w0, grads, options, lambda);
    const got = w.dataSync();
    for (let i = 0; i < want.length; i++) assertAlmostEquals(got[i], want[i], 1e-6);
    opt.dispose();
    w.dispose();
  }
});

Deno.test("adam() rejects an infinite learningRate, beta1 of 1, an epsilon <= 0 or a negative weightDecay", () => {
  for (
    const [options, message] of [
      [{ learningRate: Infinity }, "expected learningRate >= 0, found Infinity"],
      [{ beta1: 1 }, "expected beta1 in [0, 1), found 1"],
      [{ epsilon: -1e-7 }, "expected epsilon > 0 (and finite), found -1e-7"],
      [{ epsilon: 0 }, "expected epsilon > 0 (and finite), found 0"],
      [{ epsilon: NaN }, "expected epsilon > 0 (and finite), found NaN"],
      [{ weightDecay: -0.1, decay: "l2" }, "expected weightDecay >= 0, found -0.1"],
      [{ epsilonHat: "yes" as never }, "expected epsilonHat true or false, found yes"],
    ] as [AdamOptions, string][]
  ) {
    assertThrows(() => adam(options), RangeError, message);
  }
});

Deno.test("FusedAdam.applyGradients() rejects a gradient of another shape, naming the variable", async () => {
  await setupBackend({ backend: "cpu" });
  const w = tf.variable(tf.tensor1d([1, 2, 3]), true, "shape_check_w");
  const opt = adam();
  assertThrows(
    () => tf.tidy(() => opt.applyGradients({ [w.name]: tf.tensor1d([1, 2]) })),
    RangeError,
    'expected a gradient of shape [3] for "shape_check_w", found [2]',
  );
  assertEquals([...w.dataSync()], [1, 2, 3]);
  opt.dispose();
  w.dispose();
});

Deno.test("FusedAdam.setWeights() needs both moments of a variable", async () => {
  await setupBackend({ backend: "cpu" });
  const opt = adam();
  const iter = tf.scalar(1), m = tf.zeros([2]);
  await assertRejects(
    () => opt.setWeights([{ name: "iter", tensor: iter }, { name: "w/m", tensor: m }]),
    RangeError,
    'expected both moments of "w"',
  );
  tf.dispose([iter, m]);
  opt.dispose();
});
