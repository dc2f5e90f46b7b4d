/**
 * The validation-only studies of the ranking evaluation's softmax, as a script anyone can rerun:
 * the studies that `results/evaluation.md` lists in its ranking history after the recipe's last
 * change, each with the settings and the adoption rule written down before it first ran. Every
 * study scores the validation part carved out of a split's training part (20 %, seed + 1000),
 * the task on which `deno task evaluate --task ranking` chooses its settings; the test parts are
 * never read. Each split's softmax is chosen as the evaluation chooses it (its L2 ladder and
 * epoch rule), so splits 42–44 give the committed validation scores again.
 *
 * ```sh
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts blend     # study 2
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts grid      # study 3
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts no-hits   # study 4
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts ensemble  # study 6
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts mult-dae  # study 7
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/ranking_studies.ts cooldown  # study 8
 * ... --splits 42,43     only these splits (the rule is then judged on them alone)
 * deno run -A bench/ranking_studies.ts --help   # the studies and flags; a bad one: exit status 2
 * ```
 *
 * Output: a line per split (and per grid cell) with the validation NDCG@10 of the recipe and of
 * the change, then one JSON line with the gains and whether the study's rule adopts the change
 * (null when fewer splits ran than the study was written down for).
 * Times on the 2-core development machine, per split: blend 30 s, grid 4 min, no-hits 3 min,
 * ensemble 1 min, mult-dae 4–8 min, cooldown 22 s. Run on split 42 each reproduced the recorded
 * validation figures to the last printed digit (all 27 runs of the grid included).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { loadMovieLens, type MovieLens } from "../lib/data/mod.ts";
import { type CatalogueScorer, ease, evaluateRanking } from "../lib/eval/mod.ts";
import {
  type RankingRecipe,
  rankingRecipes,
  rankingScorer,
  trainRanking,
} from "../lib/models/mod.ts";
import { createRng, MAX_SEED, offsetSeed } from "../lib/random.ts";
import { setupBackend } from "../lib/train/backend.ts";
import type { RankingLoss } from "../lib/train/ranking.ts";
import {
  type CarveOut,
  chooseEpoch,
  chooseL2,
  type L2Choice,
  rankingParts,
  trainScored,
  walkLadder,
} from "../tools/evaluate/ranking_evaluation.ts";
import { EASE_LADDER } from "../tools/evaluate/ranking_recipes.ts";
import { FlagReader, integerValue, readCommandLine } from "../tools/_cli.ts";

/** The studies this script runs, with the splits each was written down for. */
const STUDIES = {
  blend: [42, 43, 44],
  grid: [42, 43, 44],
  "no-hits": [42, 43, 44, 45, 46],
  ensemble: [42, 43, 44, 45, 46],
  "mult-dae": [42, 43, 44, 45, 46],
  cooldown: [42, 43, 44, 45, 46],
} as const;
/** A study's name. */
export type Study = keyof typeof STUDIES;

/** A split's carve-out, as the evaluation makes it (`rankingParts`). */
async function carveOut(ml: MovieLens, seed: number): Promise<CarveOut> {
  return (await rankingParts(ml, "random80", seed)).carve;
}

/** Trains one softmax-family model on the carve-out as the evaluation does, scoring its task. */
async function trainOn(
  c: CarveOut,
  recipe: RankingRecipe,
  l2: number,
  epochs: number,
  seed = c.seed,
) {
  const { rec, curve } = await trainScored(recipe, c.train, {
    encoders: c.encoders,
    seed,
    l2,
    epochs,
    score: { task: c.task, every: recipe.evalEvery },
  });
  return { rec, scorer: rankingScorer(rec, { task: c.task }), curve };
}

/** A validation curve: NDCG@10 at the scored epochs. */
type Curve = { epochs: number[]; ndcg: number[] };

/** The value at the epoch the evaluation's rule picks (first within 0.5 % of the best). */
function atChosenEpoch(curve: Curve) {
  const epoch = chooseEpoch(curve.epochs, curve.ndcg);
  return { epoch, ndcg: curve.ndcg[curve.epochs.indexOf(epoch)] };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sd(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
}

/**
 * The studies' adoption rule: a gain on every split and a mean gain above `minMean` (studies 3,
 * 4, 6 and 7: the sample sd of the gains; study 2: 0.002).
 *
 * @param gains The change's validation NDCG@10 minus the recipe's, one per split.
 * @param minMean The mean gain to exceed.
 * @returns Whether the change is adopted.
 * @example
 * ```ts
 * import { adopts } from "./ranking_studies.ts";
 * console.log(adopts([0.0009, 0.0009, -0.0008, 0.0022, 0.0014])); // false: a loss on one split
 * ```
 */
export function adopts(gains: number[], minMean: number = sd(gains)): boolean {
  return gains.length > 0 && gains.every((g) => g > 0) && mean(gains) > minMean;
}

/** Prints the verdict, judged only on the splits the study was written down for. */
function verdict(study: Study, splits: number[], gains: number[], minMean = sd(gains)) {
  const complete = STUDIES[study].every((s) => splits.includes(s));
  const adopted = complete ? adopts(gains, minMean) : null;
  console.log(JSON.stringify({ study, splits, gains, mean: mean(gains), sd: sd(gains), adopted }));
}

const fmt = (x: number) => x.toFixed(4);

/** A choice as the studies print it: "0.2899 (L2 0.100, epoch 65)". */
const chosenText = (c: L2Choice) =>
  `${fmt(c.validationNdcg)} (L2 ${c.l2.toPrecision(3)}, epoch ${c.epochs})`;

/**
 * Study 2: each user's softmax and EASE scores standardised over their candidates (movies
 * without an EASE weight at the user's lowest EASE z) and mixed as (1 − α)·softmax + α·EASE;
 * the softmax at L2 0.1 for 65 epochs on every split, EASE's λ from its ladder. Adopted if the
 * best α (by mean) gains on every split and by more than 0.002 on average.
 */
async function blendStudy(ml: MovieLens, splits: number[]) {
  const ALPHAS = [0.25, 0.5, 0.75];
  const scores: Record<string, number[]> = { softmax: [] };
  for (const a of ALPHAS) scores[`alpha ${a}`] = [];
  for (const seed of splits) {
    const c = await carveOut(ml, seed);
    const { start, step, maxTries } = EASE_LADDER;
    const lambda = await walkLadder(start, step, maxTries, (value) => {
      return evaluateRanking(c.task, ease(c.task, { lambda: value }).scorer).ndcg;
    });
    const e = ease(c.task, { lambda: lambda.value });
    const { rec, scorer } = await trainOn(c, rankingRecipes.softmax, 0.1, 65);
    const n = c.task.movies.size;
    const modelled = new Uint8Array(n);
    for (const j of e.modelled) modelled[j] = 1;
    // z over the user's candidates; `unmodelled` columns take the lowest z of the others.
    const z = (values: ArrayLike<number>, rows: Int32Array, onlyModelled: boolean) => {
      const out = new Float64Array(rows.length * n);
      rows.forEach((u, r) => {
        const seen = new Uint8Array(n);
        const x = c.task.train;
        for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) seen[x.indices[p]] = 1;
        const use = (j: number) => !seen[j] && (!onlyModelled || modelled[j] === 1);
        let sum = 0, sq = 0, count = 0;
        for (let j = 0; j < n; j++) {
          if (!use(j)) continue;
          const v = values[r * n + j];
          sum += v, sq += v * v, count++;
        }
        const m = sum / count, s = Math.sqrt(Math.max(sq / count - m * m, 1e-30));
        let lowest = Infinity;
        for (let j = 0; j < n; j++) {
          out[r * n + j] = (values[r * n + j] - m) / s;
          if (use(j)) lowest = Math.min(lowest, out[r * n + j]);
        }
        if (onlyModelled) { for (let j = 0; j < n; j++) if (!modelled[j]) out[r * n + j] = lowest; }
      });
      return out;
    };
    const blend = (alpha: number): CatalogueScorer => (rows) => {
      const [a, b] = [z(scorer(rows), rows, false), z(e.scorer(rows), rows, e.modelled.length < n)];
      return a.map((v, i) => (1 - alpha) * v + alpha * b[i]);
    };
    scores.softmax.push(evaluateRanking(c.task, scorer).ndcg);
    for (const a of ALPHAS) scores[`alpha ${a}`].push(evaluateRanking(c.task, blend(a)).ndcg);
    rec.model.dispose();
    const line = Object.entries(scores).map(([k, v]) => `${k} ${fmt(v.at(-1)!)}`).join(", ");
    console.log(`split ${seed}: EASE λ ${lambda.value}; ${line}`);
  }
  const best = ALPHAS.reduce((a, b) =>
    mean(scores[`alpha ${b}`]) > mean(scores[`alpha ${a}`]) ? b : a
  );
  console.log(`best α ${best}`);
  verdict("blend", splits, scores[`alpha ${best}`].map((v, i) => v - scores.softmax[i]), 0.002);
}

/**
 * Study 3: factors {32, 64, 128} × learning rate {2.5e-3, 5e-3, 1e-2} × L2 {0.0714, 0.1, 0.14},
 * 80 epochs each, the score at the rule's epoch; a cell's score is its best L2's mean over the
 * splits. The best cell replaces (64, 5e-3) only by the common rule, each at its best L2.
 */
async function gridStudy(ml: MovieLens, splits: number[]) {
  const carves = await Promise.all(splits.map((seed) => carveOut(ml, seed)));
  const cells: { factors: number; lr: number; perSplit: number[] }[] = [];
  for (const factors of [32, 64, 128]) {
    for (const lr of [2.5e-3, 5e-3, 1e-2]) {
      const recipe = { ...rankingRecipes.softmax, factors, learningRate: lr };
      let best: number[] = [];
      for (const l2 of [0.1 / 1.4, 0.1, 0.14]) {
        const perSplit: number[] = [];
        for (const c of carves) {
          const { rec, curve } = await trainOn(c, recipe, l2, 80);
          rec.model.dispose();
          perSplit.push(atChosenEpoch(curve).ndcg);
        }
        console.log(`factors ${factors}, lr ${lr}, L2 ${l2.toPrecision(3)}: ${perSplit.map(fmt)}`);
        if (best.length === 0 || mean(perSplit) > mean(best)) best = perSplit;
      }
      cells.push({ factors, lr, perSplit: best });
    }
  }
  const recipe = cells.find((cell) => cell.factors === 64 && cell.lr === 5e-3)!;
  const top = cells.reduce((a, b) => (mean(b.perSplit) > mean(a.perSplit) ? b : a));
  console.log(`best cell: ${top.factors} factors, lr ${top.lr}, ${fmt(mean(top.perSplit))}`);
  verdict("grid", splits, top.perSplit.map((v, i) => v - recipe.perSplit[i]));
}

/**
 * The loss of study 4: for each watched movie i of a user, −s_i + log(exp s_i + Σ exp s_j over
 * the movies j the user did not watch in training) — the other watched movies leave the
 * normaliser; the mean over the batch's watched movies.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../lib/train/backend.ts";
 * import { noHitsLoss } from "./ranking_studies.ts";
 * await setupBackend();
 * const loss = noHitsLoss(tf.tensor2d([[1, 1, 0]]), tf.tensor2d([[0, 0, 0]]));
 * console.log(loss.dataSync()[0].toFixed(4)); // "0.6931": each watched movie against one other
 * ```
 */
export const noHitsLoss: RankingLoss = (positives, scores) =>
  tf.tidy(() => {
    const top = tf.max(scores, 1, true);
    const e = tf.exp(tf.sub(scores, top));
    const unwatched = tf.sum(tf.mul(tf.sub(1, positives), e), 1, true);
    const perMovie = tf.sub(tf.add(tf.log(tf.add(e, unwatched)), top), scores);
    return tf.div(tf.sum(tf.mul(positives, perMovie)), tf.sum(positives));
  });

/** Study 4: that loss with its own L2 ladder against the recipe. */
async function noHitsStudy(ml: MovieLens, splits: number[]) {
  const gains: number[] = [];
  for (const seed of splits) {
    const c = await carveOut(ml, seed);
    const recipe = await chooseL2(rankingRecipes.softmax, c);
    const change = await chooseL2({ ...rankingRecipes.softmax, loss: noHitsLoss }, c);
    console.log(
      `split ${seed}: recipe ${chosenText(recipe)}; no hits ${chosenText(change)}`,
    );
    gains.push(change.validationNdcg - recipe.validationNdcg);
  }
  verdict("no-hits", splits, gains);
}

/** Study 6: the mean score of five softmax models started from seeds s, s + 1000, … */
async function ensembleStudy(ml: MovieLens, splits: number[]) {
  const gains: number[] = [];
  for (const seed of splits) {
    const c = await carveOut(ml, seed);
    const chosen = await chooseL2(rankingRecipes.softmax, c);
    const members: Awaited<ReturnType<typeof trainOn>>[] = [];
    for (let m = 0; m < 5; m++) {
      members.push(
        await trainOn(
          c,
          rankingRecipes.softmax,
          chosen.l2,
          chosen.epochs,
          offsetSeed(seed, 1000 * m),
        ),
      );
    }
    const meanOf = (k: number): CatalogueScorer => (rows) => {
      const out = new Float64Array(rows.length * c.task.movies.size);
      for (const m of members.slice(0, k)) {
        const part = m.scorer(rows);
        for (let i = 0; i < out.length; i++) out[i] += part[i] / k;
      }
      return out;
    };
    const byK = [1, 2, 3, 4, 5].map((k) => evaluateRanking(c.task, meanOf(k)).ndcg);
    for (const m of members) m.rec.model.dispose();
    console.log(`split ${seed}: one model ${fmt(byK[0])}; means of 2–5: ${byK.slice(1).map(fmt)}`);
    gains.push(byK[4] - byK[0]);
  }
  verdict("ensemble", splits, gains);
}

/** Study 8's cooldown: epochs after the chosen one, the rate falling linearly towards zero. */
export const COOLDOWN_EPOCHS = 10;

/**
 * Study 8's learning rates: cooldown epoch j (1…C) at `base` · (C + 1 − j) / (C + 1).
 *
 * @param base The recipe's constant learning rate.
 * @param epochs The cooldown's epochs C.
 * @returns One rate per cooldown epoch.
 * @example
 * ```ts
 * import { cooldownRates } from "./ranking_studies.ts";
 * console.log(cooldownRates(1, 3)); // [0.75, 0.5, 0.25]
 * ```
 */
export function cooldownRates(base: number, epochs: number = COOLDOWN_EPOCHS): number[] {
  return Array.from({ length: epochs }, (_, i) => base * (epochs - i) / (epochs + 1));
}

/**
 * Study 8: the chosen softmax continued for {@linkcode COOLDOWN_EPOCHS} epochs at a linearly
 * falling learning rate (same L2, batches, shuffle stream and Adam state); beside it, not judged,
 * the constant-rate curve 10 epochs after the chosen one (more epochs without the decay).
 */
async function cooldownStudy(ml: MovieLens, splits: number[]) {
  const recipe = rankingRecipes.softmax;
  const gains: number[] = [];
  for (const seed of splits) {
    const c = await carveOut(ml, seed);
    const chosen = await chooseL2(recipe, c);
    const { rec, scorer, curve } = await trainOn(c, recipe, chosen.l2, chosen.epochs);
    const start = curve.ndcg[curve.ndcg.length - 1];
    for (const learningRate of cooldownRates(recipe.learningRate)) {
      await trainRanking(rec, c.train, {
        epochs: 1,
        learningRate,
        batchUsers: recipe.batchUsers,
        l2: chosen.l2,
        l2Power: recipe.l2Power,
        negatives: recipe.negatives,
        verbose: 0,
      });
    }
    const cooled = evaluateRanking(c.task, scorer).ndcg;
    rec.model.dispose();
    const later = chosen.epochs + COOLDOWN_EPOCHS;
    const at = chosen.curve.epochs.indexOf(later);
    console.log(
      `split ${seed}: recipe ${chosenText(chosen)}, retrained ${fmt(start)}; cooldown ` +
        `${fmt(cooled)}; constant rate at epoch ${later} ${
          at < 0 ? "not scored" : fmt(chosen.curve.ndcg[at])
        }`,
    );
    gains.push(cooled - chosen.validationNdcg);
  }
  verdict("cooldown", splits, gains);
}

/**
 * Study 7's model, Mult-DAE (Liang et al. 2018): the training history, L2-normalised and thinned
 * by dropout 0.5, encoded by 200 tanh units and decoded to the catalogue by a linear layer with a
 * bias; loss −Σ x log softmax per user (mean over the batch) + λ·ΣW². Adam 1e-3, 64 users per
 * step, up to 300 epochs, validation NDCG@10 every 10. Returns the validation curve.
 */
function fitMultDae(c: CarveOut, lambda: number) {
  const [HIDDEN, DROP, BATCH, EPOCHS, EVERY] = [200, 0.5, 64, 300, 10];
  const { rows, cols, indptr, indices } = c.task.train;
  const x = new Float32Array(rows * cols), xn = new Float32Array(rows * cols);
  for (let u = 0; u < rows; u++) {
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      x[u * cols + indices[p]] = 1;
      xn[u * cols + indices[p]] = 1 / Math.sqrt(indptr[u + 1] - indptr[u]);
    }
  }
  const rng = createRng(c.seed);
  const glorot = (a: number, b: number) => {
    const limit = Math.sqrt(6 / (a + b));
    const values = Float32Array.from({ length: a * b }, () => (2 * rng.next() - 1) * limit);
    return tf.variable(tf.tensor2d(values, [a, b]));
  };
  const [w1, w2] = [glorot(cols, HIDDEN), glorot(HIDDEN, cols)];
  const [b1, b2] = [tf.variable(tf.zeros([HIDDEN])), tf.variable(tf.zeros([cols]))];
  const optimizer = tf.train.adam(1e-3);
  const logits = (input: tf.Tensor2D) =>
    tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(input, w1), b1)), w2), b2);
  const scorer: CatalogueScorer = (userRows) => {
    const input = new Float32Array(userRows.length * cols);
    userRows.forEach((u, r) => input.set(xn.subarray(u * cols, (u + 1) * cols), r * cols));
    return tf.tidy(() => logits(tf.tensor2d(input, [userRows.length, cols])).dataSync());
  };
  const active = Int32Array.from({ length: rows }, (_, u) => u).filter((u) =>
    indptr[u + 1] > indptr[u]
  );
  const curve = { epochs: [] as number[], ndcg: [] as number[] };
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = rng.shuffle(Int32Array.from(active)) as Int32Array;
    for (let s = 0; s < order.length; s += BATCH) {
      const batch = order.subarray(s, Math.min(s + BATCH, order.length));
      const target = new Float32Array(batch.length * cols), input = new Float32Array(target.length);
      batch.forEach((u, r) => {
        for (let j = 0; j < cols; j++) {
          if (!x[u * cols + j]) continue;
          target[r * cols + j] = 1;
          if (rng.next() >= DROP) input[r * cols + j] = xn[u * cols + j] / (1 - DROP);
        }
      });
      tf.tidy(() => {
        const t = tf.tensor2d(target, [batch.length, cols]);
        const i = tf.tensor2d(input, [batch.length, cols]);
        optimizer.minimize(() => {
          const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits(i)), t), 1)));
          return tf.add(nll, tf.mul(lambda, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2)))));
        });
      });
    }
    if (epoch % EVERY === 0) {
      curve.epochs.push(epoch);
      curve.ndcg.push(evaluateRanking(c.task, scorer).ndcg);
    }
  }
  for (const v of [w1, w2, b1, b2]) v.dispose();
  optimizer.dispose();
  return curve;
}

/** Study 7: Mult-DAE, λ from a ladder (0.01, × 2, at most 6), against the chosen softmax. */
async function multDaeStudy(ml: MovieLens, splits: number[]) {
  const gains: number[] = [];
  for (const seed of splits) {
    const c = await carveOut(ml, seed);
    const softmax = await chooseL2(rankingRecipes.softmax, c);
    const tried: { lambda: number; epoch: number; ndcg: number; best: number }[] = [];
    await walkLadder(0.01, 2, 6, (lambda) => {
      const curve = fitMultDae(c, lambda);
      tried.push({ lambda, ...atChosenEpoch(curve), best: Math.max(...curve.ndcg) });
      return Math.max(...curve.ndcg);
    });
    const dae = tried.reduce((a, b) => (b.best > a.best ? b : a));
    console.log(
      `split ${seed}: softmax ${fmt(softmax.validationNdcg)}; Mult-DAE ${fmt(dae.ndcg)} ` +
        `(λ ${dae.lambda}, epoch ${dae.epoch})`,
    );
    gains.push(dae.ndcg - softmax.validationNdcg);
  }
  verdict("mult-dae", splits, gains);
}

/** The help text of `bench/ranking_studies.ts`. */
export const USAGE = `Usage: deno run -A bench/ranking_studies.ts STUDY [flags]

Reruns one of the validation-only studies of the ranking evaluation's softmax on ml-100k
(MOVIELENS_DIR, the cache, or downloaded), scoring only the validation part carved out of each
split's training part; prints a line per split and one JSON line last.

Studies, and the splits each was written down for:
${Object.entries(STUDIES).map(([name, splits]) => `  ${name.padEnd(14)}  ${splits}`).join("\n")}

Flags:
  --splits LIST   comma-separated split seeds (42,43), each once, from 0 to ${MAX_SEED};
                  default: the splits the study was written down for (its rule is then
                  judged on these alone)
  -h, --help      show this text

A value follows its flag or is joined to it by "=" (--splits=42,43). A bad command line is one
line on stderr and exit status 2.`;

/**
 * Reads the command line: the study's name, then `--splits a,b,…` (default: the splits the study
 * was written down for).
 *
 * @param args The arguments.
 * @returns The study and its splits.
 * @throws {TypeError} On an unknown flag, a missing value or `--splits` given twice.
 * @throws {RangeError} On an unknown study or a bad split list (a seed that is not an integer
 *   from 0 to `MAX_SEED`, or a split given twice).
 * @example
 * ```ts
 * import { parseStudyArgs } from "./ranking_studies.ts";
 * console.log(parseStudyArgs(["ensemble"]).splits); // [42, 43, 44, 45, 46]
 * ```
 */
export function parseStudyArgs(args: string[]): { study: Study; splits: number[] } {
  const names = Object.keys(STUDIES);
  const study = args[0] as Study;
  if (!Object.hasOwn(STUDIES, study)) {
    throw new RangeError(
      `expected a study first (${names.join(", ")}), found ${
        args[0] === undefined ? "nothing" : JSON.stringify(args[0])
      }`,
    );
  }
  let splits: number[] = [...STUDIES[study]];
  const read = new FlagReader(args.slice(1));
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    if (flag !== "--splits") read.unknown();
    const list = read.value();
    try {
      splits = list.split(",").map((s) => integerValue(flag, s, 0, MAX_SEED));
    } catch {
      throw new RangeError(
        `--splits: expected seeds from 0 to ${MAX_SEED} like 42,43, found ${JSON.stringify(list)}`,
      );
    }
    const twice = splits.find((s, i) => splits.indexOf(s) !== i);
    if (twice !== undefined) {
      throw new RangeError(
        `--splits: expected each split once, found ${twice} twice in ${JSON.stringify(list)} ` +
          "(a repeated split would count twice in the mean)",
      );
    }
  }
  return { study, splits };
}

if (import.meta.main) {
  const { study, splits } = readCommandLine(Deno.args, USAGE, parseStudyArgs);
  await setupBackend();
  const ml = await loadMovieLens("ml-100k");
  const run = {
    blend: blendStudy,
    grid: gridStudy,
    "no-hits": noHitsStudy,
    ensemble: ensembleStudy,
    "mult-dae": multDaeStudy,
    cooldown: cooldownStudy,
  }[study];
  await run(ml, splits);
}
