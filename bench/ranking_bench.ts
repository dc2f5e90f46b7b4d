/**
 * Ranking benchmark (`deno task bench --model softmax|bpr`): the ranking evaluation's embedding
 * model (`rankingNetwork` with `rankingRecipes` from `lib/models/`: two tables of 64 factors and
 * a movie bias) trained for ranking by `trainRanking` — batches of users (64 unless `--batch`
 * says otherwise), the whole catalogue scored at once, the recipe's loss in stock tfjs ops (the
 * lines notebook 06 writes), the count-weighted L2 term and the fused Adam — on ml-100k random
 * 80/20 (seed 42, every rating a positive), then the same recipe in PyTorch on one thread
 * (`bench/torch_ranking.py`) on the very same pairs. Both are scored with the top-10 protocol
 * after the last epoch.
 *
 * The L2 strength, learning rate and epochs are this bench's own, fixed
 * ({@linkcode RANKING_BENCH_RECIPES}; the research's final settings): softmax, L2 0.08, Adam
 * 5e-3, 45 epochs; BPR with 16 uniform negatives per positive, L2 0.012, Adam 1e-2, 65 epochs.
 * `deno task evaluate --task ranking` chooses its own on a validation part (and steps the
 * softmax 32 users at a time); notebook 06 writes its own network, with 32 factors.
 *
 * Output: one line per epoch, then one JSON line with the keys of the rating bench where they
 * apply — `framework`, `backend`, `simd`, `threads`, `model`, `epochs`, `batch` (users per
 * step), `samples_per_s` (training ratings per second of training steps), `s_per_epoch`,
 * `cpu_samples_per_s`, `precision_at_10`, `ndcg_at_10` (the ranking model's "best metric":
 * after the last epoch, on the test part), `peak_rss_mb`, `load_avg` — and, when torch runs,
 * `torch_samples_per_s`, `torch_s_per_epoch`, `torch_cpu_samples_per_s`, `torch_blas_threads`
 * (the threads OpenBLAS ran on in the twin, capped at one; null with another BLAS),
 * `torch_precision_at_10`, `torch_ndcg_at_10`, `ratio` and `cpu_ratio` (ours / torch).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import pl from "nodejs-polars";
import { fitEncoders, loadMovieLens, randomSplit } from "../lib/data/mod.ts";
import { evaluateRanking, rankingTask } from "../lib/eval/mod.ts";
import {
  rankingNetwork,
  rankingRecipes,
  rankingScorer,
  recommender,
  trainRanking,
} from "../lib/models/mod.ts";
import { setupBackend } from "../lib/train/backend.ts";
import {
  backendFields,
  loadAverage,
  peakRssMb,
  PYTHON,
  runPython,
  torchAvailable,
} from "./_machine.ts";
import { withTemporary } from "../tools/_cleanup.ts";

/** The ranking models the bench knows. */
export const RANKING_BENCH_MODELS = ["softmax", "bpr"] as const;

/** One of {@linkcode RANKING_BENCH_MODELS}. */
export type RankingBenchModel = typeof RANKING_BENCH_MODELS[number];

/** The fixed recipe of each bench model (the research's final settings). */
export const RANKING_BENCH_RECIPES: Record<
  RankingBenchModel,
  { l2: number; epochs: number; learningRate: number; negatives: number }
> = {
  softmax: { l2: 0.08, epochs: 45, learningRate: 5e-3, negatives: 0 },
  bpr: { l2: 0.012, epochs: 65, learningRate: 1e-2, negatives: 16 },
};

/** What the ranking bench needs from the command line. */
export interface RankingBenchArgs {
  /** Which loss. */
  model: RankingBenchModel;
  /** Epochs (null: the recipe's). */
  epochs: number | null;
  /** Users per step. */
  batch: number;
  /** Seed of the split, the initial weights, the shuffles and the negatives. */
  seed: number;
  /** Backend override. */
  backend: "wasm" | "cpu" | null;
  /** Whether to run the torch twin. */
  torch: boolean;
}

const here = new URL(".", import.meta.url).pathname;

function writeDataFile(
  path: string,
  nUsers: number,
  nMovies: number,
  train: Int32Array[],
  test: Int32Array[],
): void {
  const head = Int32Array.of(nUsers, nMovies, train[0].length, test[0].length);
  const all = new Int32Array(4 + 2 * train[0].length + 2 * test[0].length);
  all.set(head);
  let at = 4;
  for (const part of [...train, ...test]) {
    all.set(part, at);
    at += part.length;
  }
  Deno.writeFileSync(path, new Uint8Array(all.buffer));
}

/** Runs the torch twin (a child Ctrl-C and SIGTERM stop, see train_bench.ts). */
async function runTorch(args: string[]): Promise<Record<string, number>> {
  const out = await runPython(args, { stderr: "inherit" });
  const lines = out.stdout.trim().split("\n");
  for (const line of lines.slice(0, -1)) console.log(`torch ${line}`);
  if (!out.success) throw new Error(`ranking_bench: the torch run failed (exit ${out.code})`);
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Runs the ranking benchmark and prints its JSON line last.
 *
 * @param args Model, epochs, users per step, seed, backend, torch.
 * @returns The JSON summary.
 * @example
 * ```ts ignore
 * import { runRankingBench } from "./ranking_bench.ts";
 * const r = await runRankingBench({ model: "bpr", epochs: 1, batch: 64, seed: 42, backend: null, torch: false });
 * console.log(r.samples_per_s, r.ndcg_at_10);
 * ```
 */
export async function runRankingBench(args: RankingBenchArgs): Promise<Record<string, unknown>> {
  const loadBefore = loadAverage();
  const info = await setupBackend(args.backend ? { backend: args.backend } : {});
  const recipe = rankingRecipes[args.model];
  const fixed = RANKING_BENCH_RECIPES[args.model];
  const epochs = args.epochs ?? fixed.epochs;
  const ml = await loadMovieLens("ml-100k");
  const encoders = fitEncoders(ml.ratings);
  const { train, test } = randomSplit(ml.ratings, { testFraction: 0.2, seed: args.seed });
  const task = rankingTask(train, test, encoders);
  console.log(
    `tfjs ${tf.version.tfjs} · ${info.backend}${info.simd ? " simd" : ""} · ${info.threads} ` +
      `thread(s) · Adam ${info.adam} · ${args.model} · ` +
      `${train.height} training / ${test.height} test ratings · ` +
      `${args.batch} users per step · ${epochs} epochs`,
  );
  const model = rankingNetwork(
    { ...recipe, learningRate: fixed.learningRate },
    encoders,
    args.seed,
  );
  const rec = recommender(model, { ...encoders, seed: args.seed });
  let last = performance.now();
  const history = await trainRanking(rec, train, {
    epochs,
    batchUsers: args.batch,
    l2: fixed.l2,
    negatives: fixed.negatives,
    verbose: 0,
    onEpochEnd: (epoch, logs) => {
      const now = performance.now();
      console.log(
        `epoch ${epoch} loss ${logs.loss.toFixed(4)} epoch_s ${((now - last) / 1000).toFixed(2)}`,
      );
      last = now;
    },
  });
  const report = evaluateRanking(task, rankingScorer(rec, { task }));
  const seconds = history.trainSeconds.reduce((a, b) => a + b, 0);
  const cpu = history.trainCpuSeconds.reduce((a, b) => a + b, 0);
  const samples = history.params.samples * history.epoch.length;
  const result: Record<string, unknown> = {
    ...backendFields(info),
    model: args.model,
    epochs,
    batch: args.batch,
    samples_per_s: Math.round(samples / seconds),
    s_per_epoch: Number((seconds / epochs).toFixed(3)),
    cpu_samples_per_s: Math.round(samples / cpu),
    precision_at_10: Number(report.precision.toFixed(4)),
    ndcg_at_10: Number(report.ndcg.toFixed(4)),
  };
  model.dispose();
  if (args.torch && await torchAvailable()) {
    const cols = (df: pl.DataFrame) => [
      encoders.users.encode(df.getColumn("userId").toArray() as number[]),
      encoders.movies.encode(df.getColumn("movieId").toArray() as number[]),
    ];
    // The rows torch reads, removed afterwards and also on Ctrl-C or SIGTERM.
    await withTemporary({ prefix: "ranking_bench_", suffix: ".bin" }, async (file) => {
      writeDataFile(file, encoders.users.size, encoders.movies.size, cols(train), cols(test));
      const t = await runTorch([
        `${here}torch_ranking.py`,
        ...["--data", file, "--model", args.model, "--epochs", String(epochs)],
        ...["--batch", String(args.batch), "--factors", String(recipe.factors)],
        ...["--lr", String(fixed.learningRate), "--l2", String(fixed.l2)],
        ...["--negatives", String(fixed.negatives || 1), "--seed", String(args.seed)],
      ]);
      Object.assign(result, {
        torch_samples_per_s: t.samples_per_s,
        torch_s_per_epoch: t.s_per_epoch,
        torch_cpu_samples_per_s: t.cpu_samples_per_s,
        torch_blas_threads: t.blas_threads ?? null,
        torch_precision_at_10: t.precision_at_10,
        torch_ndcg_at_10: t.ndcg_at_10,
        ratio: Number(((result.samples_per_s as number) / t.samples_per_s).toFixed(3)),
        cpu_ratio: Number(
          ((result.cpu_samples_per_s as number) / t.cpu_samples_per_s).toFixed(3),
        ),
      });
    });
  } else if (args.torch) {
    console.log(`torch: ${PYTHON} cannot import torch; skipped`);
  }
  result.peak_rss_mb = peakRssMb();
  result.load_avg = [loadBefore, loadAverage()];
  console.log(JSON.stringify(result));
  return result;
}
