import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import {
  checkSeed,
  createRng,
  MAX_SEED,
  offsetSeed,
  randomSeed,
  setRandomSeed,
  withRandomSeed,
} from "../lib/random.ts";
import { COLUMNS, DEFAULT_K, DEFAULT_SEED, RELEVANCE_THRESHOLD } from "../lib/defaults.ts";

Deno.test("createRng() reproduces the same stream for the same seed", () => {
  const a = createRng(DEFAULT_SEED), b = createRng(DEFAULT_SEED);
  const xs = Array.from({ length: 100 }, () => a.next());
  const ys = Array.from({ length: 100 }, () => b.next());
  assertEquals(xs, ys);
  assertEquals(createRng(7).permutation(20), createRng(7).permutation(20));
});

Deno.test("createRng() gives unrelated streams for nearby seeds", () => {
  const a = Array.from({ length: 10 }, createRng(1).uint32);
  const b = Array.from({ length: 10 }, createRng(2).uint32);
  assertNotEquals(a, b);
  assert(a.every((x, i) => x !== b[i]));
});

Deno.test("Rng.next() is uniform on [0, 1) and Rng.int(n) covers 0..n-1", () => {
  const rng = createRng(3);
  const n = 100_000;
  let sum = 0;
  const counts = new Array(10).fill(0);
  for (let i = 0; i < n; i++) {
    const x = rng.next();
    assert(x >= 0 && x < 1);
    sum += x;
    counts[rng.int(10)]++;
  }
  assert(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
  for (const c of counts) assert(Math.abs(c - n / 10) < n / 100, `bucket count ${c}`);
});

Deno.test("Rng.ints(n, out) draws what out.length calls of int(n) draw, and the stream goes on alike", () => {
  for (const n of [1, 7, 1682, 2 ** 31]) {
    const a = createRng(5), b = createRng(5);
    a.normal(); // a spare normal draw must not disturb the integers
    b.normal();
    const bulk = a.ints(n, new Int32Array(1000));
    const one = Int32Array.from({ length: 1000 }, () => b.int(n));
    assertEquals(bulk, one);
    assertEquals(a.next(), b.next());
  }
  assertEquals(createRng(1).ints(10, new Int32Array(0)), new Int32Array(0));
  assertThrows(() => createRng(1).ints(0, new Int32Array(3)), RangeError, "found 0");
  assertThrows(() => createRng(1).ints(2 ** 32, new Int32Array(3)), RangeError, "found 4294967296");
});

Deno.test("Rng.normal() has mean 0 and variance 1", () => {
  const rng = createRng(4);
  const n = 50_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    s += z;
    s2 += z * z;
  }
  assert(Math.abs(s / n) < 0.02, `mean ${s / n}`);
  assert(Math.abs(s2 / n - 1) < 0.03, `variance ${s2 / n}`);
});

Deno.test("Rng.permutation() is a permutation and fork() is reproducible", () => {
  const p = createRng(5).permutation(1000);
  assertEquals([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  const f1 = createRng(9).fork(), f2 = createRng(9).fork();
  assertEquals(f1.seed, f2.seed);
  assertEquals(f1.next(), f2.next());
});

Deno.test("createRng() and Rng.int() reject bad arguments with the value found", () => {
  assertThrows(() => createRng(NaN), TypeError, "found NaN");
  assertThrows(() => createRng(1).int(0), RangeError, "found 0");
});

Deno.test("the shared defaults name the MovieLens columns every module uses", () => {
  assertEquals([COLUMNS.user, COLUMNS.movie, COLUMNS.rating, COLUMNS.timestamp], [
    "userId",
    "movieId",
    "rating",
    "timestamp",
  ]);
  assertEquals([DEFAULT_SEED, DEFAULT_K, RELEVANCE_THRESHOLD], [42, 10, 4]);
});

Deno.test("setRandomSeed() makes unseeded tfjs initializers repeat, and leaves seeded ones and configs alone", () => {
  const kernel = (init?: ReturnType<typeof tf.initializers.glorotUniform>) => {
    const layer = tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: init });
    layer.build([null, 4]);
    return { values: Array.from(layer.getWeights()[0].dataSync()), config: layer.getConfig() };
  };
  setRandomSeed(7);
  const a = [kernel(), kernel()];
  setRandomSeed(7);
  const b = [kernel(), kernel()];
  assertEquals(b.map((k) => k.values), a.map((k) => k.values));
  assertNotEquals(a[0].values, a[1].values); // one stream: each layer its own draw
  assertEquals(randomSeed(), 7);
  const seeded = () => kernel(tf.initializers.glorotUniform({ seed: 3 })).values;
  setRandomSeed(8);
  const s8 = seeded();
  setRandomSeed(9);
  assertEquals(seeded(), s8);
  const init = (a[0].config.kernelInitializer as { config: { seed: unknown } }).config;
  assertEquals(init.seed, undefined); // as tfjs left it: the drawn seed is not kept
  assertThrows(
    () => setRandomSeed(1.5),
    RangeError,
    "setRandomSeed(): expected seed to be an integer in [0, 4294967295], found 1.5",
  );
});

Deno.test("withRandomSeed() seeds what it runs and puts the session's seed back", () => {
  setRandomSeed(1);
  const draw = () => {
    const layer = tf.layers.embedding({ inputDim: 3, outputDim: 2 });
    layer.build([null, 1]);
    return Array.from(layer.getWeights()[0].dataSync());
  };
  const inside = withRandomSeed(5, draw);
  assertEquals(randomSeed(), 1);
  setRandomSeed(5);
  assertEquals(draw(), inside);
});

Deno.test("withRandomSeed() leaves the session's stream where it was, not where the run left it", () => {
  const draw = () => {
    const layer = tf.layers.embedding({ inputDim: 3, outputDim: 2 });
    layer.build([null, 1]);
    return Array.from(layer.getWeights()[0].dataSync());
  };
  setRandomSeed(1);
  draw();
  const second = draw();
  setRandomSeed(1);
  draw();
  withRandomSeed(5, draw);
  assertEquals(draw(), second);
});

Deno.test("createRng() draws sfc32 seeded by splitmix32, as an independent implementation does", () => {
  // Reference values: a separate Python implementation of the same algorithms (splitmix32 with
  // the module's constants fills sfc32's four words, 12 outputs discarded; next() = uint32 / 2³²;
  // int(n) = floor(next() · n); permutation = Fisher–Yates from the last position down;
  // normal() = Box–Muller, cos then the saved sin), run with /usr/bin/python3.
  const a = createRng(42);
  assertEquals([a.uint32(), a.uint32(), a.uint32(), a.uint32()], [
    1028872839,
    2516511472,
    400437680,
    853279530,
  ]);
  assertEquals([createRng(0).uint32(), createRng(7).uint32()], [4205396811, 838155491]);
  assertEquals(createRng(42).next(), 0.23955312534235418);
  const b = createRng(42);
  assertEquals(Array.from({ length: 8 }, () => b.int(10)), [2, 5, 0, 1, 4, 8, 8, 9]);
  assertEquals([...createRng(42).permutation(5)], [4, 3, 0, 2, 1]);
  assertEquals([...createRng(42).permutation(10)], [6, 7, 8, 3, 4, 9, 1, 0, 5, 2]);
  assertEquals([...createRng(1).permutation(2)], [1, 0]);
  const parent = createRng(42), child = parent.fork(); // seeded by the parent's next uint32
  assertEquals([child.uint32(), parent.uint32()], [71618127, 2516511472]);
  const c = createRng(42);
  const normals = [c.normal(), c.normal(), c.normal(), c.normal()];
  const want = [-1.450123486931413, -0.8689660584172896, 0.6904464376867262, 2.0660507880443504];
  for (let i = 0; i < 4; i++) assertAlmostEquals(normals[i], want[i], 1e-12);
});

Deno.test("Rng.int(n) and Rng.ints(n) take a fractional n down to an integer", () => {
  const rng = createRng(5);
  const draws = Array.from({ length: 200 }, () => rng.int(2.5));
  assertEquals(new Set(draws), new Set([0, 1]));
  const many = rng.ints(2.5, new Int32Array(200));
  assertEquals(new Set(many), new Set([0, 1]));
});

Deno.test("setRandomSeed(), withRandomSeed() and checkSeed() refuse a seed outside 0 … MAX_SEED", () => {
  // createRng() reduces a seed to 32 bits: these seeds would give another seed's stream.
  assertEquals(createRng(2 ** 32 + 42).next(), createRng(42).next());
  assertEquals(createRng(-1).next(), createRng(MAX_SEED).next());
  setRandomSeed(5);
  for (const seed of [2 ** 32 + 42, -1, 2 ** 53]) {
    const message = `expected seed to be an integer in [0, 4294967295], found ${seed}`;
    assertThrows(() => setRandomSeed(seed), RangeError, `setRandomSeed(): ${message}`);
    assertThrows(() => withRandomSeed(seed, () => 1), RangeError, `withRandomSeed(): ${message}`);
    assertThrows(() => checkSeed(seed, "f()"), RangeError, `f(): ${message}`);
  }
  assertEquals(randomSeed(), 5, "a refused seed must leave the session's seed as it was");
  assertThrows(
    () => checkSeed(null, "f()", "seeds[2]"),
    TypeError,
    "f(): expected seeds[2] to be an integer in [0, 4294967295], found null",
  );
  assertEquals([checkSeed(0, "f()"), checkSeed(MAX_SEED, "f()")], [0, MAX_SEED]);
  setRandomSeed(MAX_SEED);
  assertEquals(randomSeed(), MAX_SEED);
  assertEquals(withRandomSeed(0, randomSeed), 0);
});

Deno.test("Rng.permutation() refuses a length that is no count; withRandomSeed() names itself", () => {
  const rng = createRng(1);
  assertEquals(rng.permutation(0), new Int32Array(0));
  // NaN gave an empty permutation, 1.5 one of length 1, -1 'Invalid typed array length'.
  for (const n of [NaN, 1.5, -1, Infinity]) {
    assertThrows(
      () => rng.permutation(n),
      RangeError,
      `Rng.permutation(): expected n to be an integer >= 0, found ${n}`,
    );
  }
  // The error named setRandomSeed(), which the caller never called.
  assertThrows(
    () => withRandomSeed(NaN, () => 1),
    RangeError,
    "withRandomSeed(): expected seed to be an integer in [0, 4294967295], found NaN",
  );
  assertThrows( // a seed given as text is named as text, not as the number it spells
    () => withRandomSeed("3" as never, () => 1),
    TypeError,
    "withRandomSeed(): expected seed to be an integer in [0, 4294967295], found string 3",
  );
  assertThrows(
    () => withRandomSeed(1, 5 as never),
    TypeError,
    "withRandomSeed(): expected build to be a function, found number",
  );
  // A fraction is truncated, as documented: tfjs layers may carry any number as a seed.
  assertEquals(createRng(1.5).next(), createRng(1).next());
});

Deno.test("offsetSeed() adds within the seeds the library takes, on the stream of the plain sum", () => {
  assertEquals(offsetSeed(42, 1000), 1042);
  assertEquals(offsetSeed(MAX_SEED, 1), 0);
  assertEquals(offsetSeed(MAX_SEED - 10, 1000), 989);
  // createRng() reduced the plain sum to 32 bits: the wrapped seed draws the same numbers.
  assertEquals(
    createRng(offsetSeed(MAX_SEED - 10, 1000)).next(),
    createRng(MAX_SEED - 10 + 1000).next(),
  );
  assertThrows(() => offsetSeed(MAX_SEED + 1, 0), RangeError, "offsetSeed(): expected seed");
  assertThrows(
    () => offsetSeed(1, -1),
    RangeError,
    "expected offset to be a non-negative integer, found -1",
  );
  assertThrows(() => offsetSeed(1, 0.5), RangeError, "found 0.5");
  // Past 2⁵³ the sum is rounded (2⁵³ + 1 is 2⁵³) and the wrap misses the plain sum's stream.
  assertThrows(
    () => offsetSeed(1, 2 ** 53),
    RangeError,
    "offsetSeed(): expected offset to be a non-negative integer, found 9007199254740992",
  );
});
