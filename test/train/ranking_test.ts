import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertRejects, assertThrows } from "@std/assert";
import { interactionMatrix } from "../../lib/eval/mod.ts";
import {
  adam,
  bprLoss,
  catalogueScores,
  fitRanking,
  NonFiniteLossError,
  type PenaltyRows,
  type RankingLoss,
  setupBackend,
  softmaxLoss,
  weightedSquaredLoss,
} from "../../lib/train/mod.ts";
import { createRng } from "../../lib/random.ts";

/**
 * 12 users in 3 groups of 4; group g watches movies 4g … 4g + 3 (user u skips one of them),
 * so a good ranking puts the group's other movies first.
 */
function planted() {
  const u: number[] = [], m: number[] = [];
  for (let user = 0; user < 12; user++) {
    const g = Math.floor(user / 4);
    for (let j = 0; j < 4; j++) {
      if (j === user % 4) continue;
      u.push(user);
      m.push(4 * g + j);
    }
  }
  return interactionMatrix(u, m, 12, 12);
}

function tables(seed: number, d = 4) {
  const rng = createRng(seed);
  const normal = (rows: number) =>
    tf.variable(
      tf.tensor2d(Float32Array.from({ length: rows * d }, () => 0.1 * rng.normal()), [rows, d]),
    );
  return {
    userFactors: normal(12),
    movieFactors: normal(12),
    movieBias: tf.variable(tf.zeros([12, 1])),
  };
}

/** Whether every user's best unseen movie is the one of their group they skipped. */
function findsSkipped(t: ReturnType<typeof tables>): boolean {
  const s = catalogueScores(t, tf.tensor1d(Array.from({ length: 12 }, (_, i) => i), "int32"));
  const v = s.arraySync() as number[][];
  return v.every((row, user) => {
    const seen = new Set(
      [0, 1, 2, 3].filter((j) => j !== user % 4).map((j) => 4 * Math.floor(user / 4) + j),
    );
    const best = row.map((x, j) => [x, j]).filter(([, j]) =>
      !seen.has(j)
    ).sort((a, b) => b[0] - a[0])[0][1];
    return best === 4 * Math.floor(user / 4) + (user % 4);
  });
}

for (const backend of ["cpu", "wasm"] as const) {
  for (
    const [name, loss, negatives] of [
      ["the softmax", softmaxLoss, 0],
      ["BPR", bprLoss, 4],
      ["the weighted squared loss", weightedSquaredLoss(0.3), 0],
    ] as [string, RankingLoss, number][]
  ) {
    Deno.test(`fitRanking() with ${name} learns planted groups (${backend})`, async () => {
      await setupBackend({ backend });
      const t = tables(1);
      const h = await fitRanking(t, planted(), {
        loss,
        optimizer: adam({ learningRate: 0.05 }),
        epochs: 60,
        batchUsers: 5,
        negatives,
        l2: 0.01,
        verbose: 0,
      });
      assertEquals(h.epoch.slice(0, 3), [1, 2, 3]);
      assertEquals(h.params.stepsPerEpoch, 3);
      assertEquals(h.params.samples, 36);
      assertLess(h.history.loss[59], h.history.loss[0]);
      assert(findsSkipped(t), "every user's top unseen movie is their group's skipped one");
    });
  }
}

Deno.test("fitRanking() is deterministic for a seed, and another seed changes the run", async () => {
  await setupBackend({ backend: "wasm" });
  const run = async (seed: number) => {
    const t = tables(7);
    await fitRanking(t, planted(), {
      loss: bprLoss,
      optimizer: adam({ learningRate: 0.05 }),
      epochs: 3,
      batchUsers: 5,
      negatives: 2,
      seed,
      verbose: 0,
    });
    return Array.from(t.movieFactors.dataSync());
  };
  assertEquals(await run(3), await run(3));
  const [a, b] = [await run(3), await run(4)];
  assert(a.some((v, i) => v !== b[i]), "seed 4 draws other shuffles and negatives");
});

// Runs recorded before the loop drew a batch's negatives in one pass and reused its host arrays
// between batches: the same seed must keep giving the same batches (positives and negatives),
// hence the same losses and weights to the bit. Batches of 5 of 12 users end with a short one.
const RECORDED = {
  BPR: {
    loss: bprLoss,
    negatives: 3,
    losses: [0.7018224000930786, 0.6778348684310913, 0.6494417587916056],
    sums: [0.05188743211328983, 0.36730168480426073, 0.2040543146431446],
    movieFactors: [0.15787211060523987, -0.2632163166999817, 0.33784085512161255],
  },
  "the softmax": {
    loss: softmaxLoss,
    negatives: 0,
    losses: [2.5019033749898276, 2.4482449690500894, 2.367173115412394],
    sums: [0.007884406484663486, 0.5725108869373798, -0.29042247869074345],
    movieFactors: [0.04593392461538315, -0.314782053232193, 0.2332502007484436],
  },
};
for (const [name, run] of Object.entries(RECORDED)) {
  Deno.test(`fitRanking() with ${name} repeats its recorded run to the bit (wasm)`, async () => {
    await setupBackend({ backend: "wasm" });
    const t = tables(5);
    const h = await fitRanking(t, planted(), {
      loss: run.loss,
      optimizer: adam({ learningRate: 0.05 }),
      epochs: 3,
      batchUsers: 5,
      negatives: run.negatives,
      l2: 0.01,
      seed: 11,
      verbose: 0,
    });
    assertEquals(h.history.loss, run.losses);
    const sum = (v: tf.Variable) => Array.from(v.dataSync()).reduce((a, b) => a + b, 0);
    assertEquals([t.userFactors, t.movieFactors, t.movieBias].map(sum), run.sums);
    assertEquals(Array.from(t.movieFactors.dataSync()).slice(0, 3), run.movieFactors);
  });
}

/**
 * The loop's count-weighted L2 term written as a penalty, as notebook 06 writes it: each row's
 * squared length weighted by (its positives / the mean per row)^power, the batch users' rows and
 * every movie's, times the strength.
 */
function countWeightedL2(counts: { users: number[]; movies: number[] }, l2: number, power = 0.5) {
  const weights = (c: number[]) => {
    const mean = c.reduce((a, x) => a + x, 0) / c.length;
    return tf.tensor1d(c.map((x) => (Math.max(x, 1) / mean) ** power));
  };
  const w = { users: weights(counts.users), movies: weights(counts.movies) };
  const norms = (t: tf.Tensor) => tf.sum(tf.square(t), 1);
  const penalty = ({ users, userFactors, movieFactors }: PenaltyRows) =>
    tf.mul(
      tf.add(
        tf.mean(tf.mul(tf.gather(w.users, users), norms(userFactors))),
        tf.mean(tf.mul(w.movies, norms(movieFactors))),
      ),
      l2,
    );
  return { penalty, dispose: () => tf.dispose([w.users, w.movies]) };
}

/** Positives per user and per movie of {@linkcode planted}. */
function plantedCounts() {
  const p = planted(), users = [], movies = new Array(p.cols).fill(0);
  for (let u = 0; u < p.rows; u++) users.push(p.indptr[u + 1] - p.indptr[u]);
  for (const m of p.indices) movies[m]++;
  return { users, movies };
}

for (
  const [name, loss, negatives] of [["BPR", bprLoss, 3], ["the softmax", softmaxLoss, 0]] as const
) {
  Deno.test(`fitRanking() with a penalty written as code repeats its own L2 term to the bit (${name})`, async () => {
    await setupBackend({ backend: "wasm" });
    const run = { loss, negatives, epochs: 3, batchUsers: 5, seed: 11, verbose: 0 as const };
    const [own, coded] = [tables(5), tables(5)];
    const a = await fitRanking(own, planted(), {
      ...run,
      optimizer: adam({ learningRate: 0.05 }),
      l2: 0.2,
      l2Power: 0.5,
    });
    const term = countWeightedL2(plantedCounts(), 0.2);
    const b = await fitRanking(coded, planted(), {
      ...run,
      optimizer: adam({ learningRate: 0.05 }),
      penalty: term.penalty,
    });
    term.dispose();
    assertEquals(b.history.loss, a.history.loss);
    for (const k of ["userFactors", "movieFactors", "movieBias"] as const) {
      assertEquals(Array.from(coded[k].dataSync()), Array.from(own[k].dataSync()), k);
    }
  });
}

Deno.test("fitRanking() hands its penalty the batch users' rows and the movie table", async () => {
  await setupBackend({ backend: "cpu" });
  const seen: string[] = [], handed: number[] = [], theirRows: boolean[] = [];
  const t = tables(3), shrunk = tables(3), free = tables(3);
  const looked = ({ users, userFactors, movieFactors }: PenaltyRows) => {
    seen.push(`${users.dtype} [${users.shape}] [${userFactors.shape}] [${movieFactors.shape}]`);
    handed.push(...users.dataSync());
    const rows = tf.tidy(() => tf.gather(t.userFactors, users).dataSync());
    theirRows.push(userFactors.dataSync().every((x, i) => x === rows[i]));
    return tf.scalar(0);
  };
  const run = { loss: softmaxLoss, epochs: 1, batchUsers: 5, verbose: 0 as const };
  await fitRanking(t, planted(), { ...run, optimizer: adam(), penalty: looked });
  // 12 users in batches of 5: 5, 5, 2.
  assertEquals(seen, [
    "int32 [5] [5,4] [12,4]",
    "int32 [5] [5,4] [12,4]",
    "int32 [2] [2,4] [12,4]",
  ]);
  // The rows are the batch users' own (shuffled), every user once an epoch: a penalty that
  // weighs users by their counts gathers by these rows (planted()'s counts are all alike).
  assertEquals(handed.toSorted((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
  assert(handed.some((u, i) => u !== i), "shuffled");
  assertEquals(theirRows, [true, true, true]);
  // A strong penalty on every row's length shrinks the tables; its gradient reaches them.
  const sizes = ({ userFactors, movieFactors }: PenaltyRows) =>
    tf.mul(tf.add(tf.sum(tf.square(userFactors)), tf.sum(tf.square(movieFactors))), 10);
  const long = { ...run, epochs: 20, optimizer: adam({ learningRate: 0.05 }) };
  await fitRanking(shrunk, planted(), { ...long, penalty: sizes });
  await fitRanking(free, planted(), { ...long, optimizer: adam({ learningRate: 0.05 }) });
  const norm = (v: tf.Variable) => tf.tidy(() => tf.norm(v).dataSync()[0]);
  assertLess(norm(shrunk.movieFactors), norm(free.movieFactors) / 2);
  assertLess(norm(shrunk.userFactors), norm(free.userFactors) / 2);
  // A penalty of one value in another shape ([1, 1]) counts as that scalar.
  const boxed = tables(3);
  const inBox = (rows: PenaltyRows) => tf.reshape(sizes(rows), [1, 1]);
  await fitRanking(boxed, planted(), {
    ...long,
    optimizer: adam({ learningRate: 0.05 }),
    penalty: inBox,
  });
  assertEquals(
    Array.from(boxed.movieFactors.dataSync()),
    Array.from(shrunk.movieFactors.dataSync()),
  );
});

Deno.test("fitRanking() continues from initialEpoch without repeating its shuffles", async () => {
  await setupBackend({ backend: "wasm" });
  const opts = {
    loss: bprLoss,
    epochs: 1,
    batchUsers: 5,
    negatives: 2,
    seed: 9,
    verbose: 0 as const,
  };
  const whole = tables(2);
  await fitRanking(whole, planted(), {
    ...opts,
    optimizer: adam({ learningRate: 0.05 }),
    epochs: 2,
  });
  const split = tables(2);
  const optimizer = adam({ learningRate: 0.05 });
  await fitRanking(split, planted(), { ...opts, optimizer });
  const h = await fitRanking(split, planted(), { ...opts, optimizer, initialEpoch: 1 });
  assertEquals(h.epoch, [2]);
  assertEquals(Array.from(split.userFactors.dataSync()), Array.from(whole.userFactors.dataSync()));
});

Deno.test("a loss that reads negatives without any sampled is told how to ask for them", async () => {
  await setupBackend({ backend: "cpu" });
  await assertRejects(
    () =>
      fitRanking(tables(1), planted(), {
        loss: bprLoss,
        optimizer: adam(),
        verbose: 0,
      }),
    RangeError,
    "pass { negatives: N }",
  );
});

Deno.test("fitRanking() stops on a non-finite loss and leaves the weights as they were", async () => {
  await setupBackend({ backend: "cpu" });
  const t = tables(1);
  const before = Array.from(t.movieFactors.dataSync());
  const nan: RankingLoss = (_x, s) => tf.mul(tf.sum(s), NaN);
  const e = await assertRejects(
    () => fitRanking(t, planted(), { loss: nan, optimizer: adam(), verbose: 0 }),
    NonFiniteLossError,
  );
  assertEquals([e.epoch, e.batch], [1, 1]);
  assertEquals(Array.from(t.movieFactors.dataSync()), before);
});

Deno.test("fitRanking() names what is wrong with its tables, positives, loss and options", async () => {
  await setupBackend({ backend: "cpu" });
  const ok = { loss: softmaxLoss, optimizer: adam(), verbose: 0 as const };
  await assertRejects(
    () => fitRanking({ ...tables(1), movieFactors: tf.variable(tf.zeros([5, 4])) }, planted(), ok),
    RangeError,
    "exactly 12 movies",
  );
  await assertRejects(
    () => fitRanking(tables(1), { rows: 1 } as never, ok),
    TypeError,
    "expected positives as compressed rows",
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, loss: (_x, s) => s }),
    TypeError,
    "expected the loss to return a scalar tensor, found shape [12,12]",
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, batchUsers: 0 }),
    RangeError,
    "batchUsers",
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, l2: -1 }),
    RangeError,
    "fitRanking(): expected l2 to be a finite number >= 0, found -1", // trainRanking()'s words too
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, seed: NaN }),
    RangeError,
    "fitRanking(): expected seed to be an integer in [0, 4294967295], found NaN",
  );
  for (const seed of [2 ** 32 + 42, -1]) {
    await assertRejects(
      () => fitRanking(tables(1), planted(), { ...ok, seed }),
      RangeError,
      `fitRanking(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, onEpochEnd: "stop" as never }),
    TypeError,
    "fitRanking(): expected onEpochEnd to be a function, found string stop",
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, penalty: 0.1 as never }),
    TypeError,
    "fitRanking(): expected penalty to be a function of the step's rows, found number 0.1",
  );
  const zero = () => tf.scalar(0);
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, penalty: zero, l2: 0.1 }),
    TypeError,
    "fitRanking(): expected either a penalty or the loop's L2 term, found penalty and l2; " +
      "leave it out (the penalty replaces that term)",
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, penalty: zero, l2: 0, l2Power: 1 }),
    TypeError,
    "found penalty and l2 and l2Power; leave them out",
  );
  const t = tables(1), before = Array.from(t.userFactors.dataSync());
  await assertRejects(
    () => fitRanking(t, planted(), { ...ok, penalty: ({ userFactors }) => userFactors }),
    TypeError,
    "fitRanking(): expected the penalty to return a scalar tensor, found shape [12,4]",
  );
  await assertRejects(
    () => fitRanking(t, planted(), { ...ok, penalty: () => 0.5 as never }),
    TypeError,
    "fitRanking(): expected the penalty to return a scalar tensor, found number 0.5",
  );
  await assertRejects(
    // A block body without its return.
    () => fitRanking(t, planted(), { ...ok, penalty: () => undefined as never }),
    TypeError,
    "fitRanking(): expected the penalty to return a scalar tensor, found undefined",
  );
  assertEquals(Array.from(t.userFactors.dataSync()), before, "a refused penalty changes nothing");
  await assertRejects(
    () => fitRanking(tables(1), planted(), { ...ok, l2power: 1 } as never),
    TypeError,
    'fitRanking(): unknown option "l2power" (did you mean "l2Power"?)',
  );
  await assertRejects(
    () => fitRanking(tables(1), planted(), null as never),
    TypeError,
    "fitRanking(): expected an options object, found null",
  );
  assertThrows(() => interactionMatrix([], [], 0, 3), RangeError, "rows");
});
