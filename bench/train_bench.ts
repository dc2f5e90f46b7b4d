/**
 * Training benchmark: seed 003's recipe (dot product + user/movie biases, 50 factors, sigmoid
 * range 0–5.5, MSE, Adam lr 3e-3 with coupled L2 weight decay 3e-4, batch 100, 30 epochs,
 * ml-100k random 80/20 split with seed 42) trained through the library's public API —
 * `setupBackend`, `buildModel`, `fit` — exactly as the notebooks train, then the same model
 * in PyTorch on one thread (`bench/torch_bench.py`, run with `/usr/bin/python3`) on the very
 * same rows, so that the ratio of samples per second is measured within one run.
 *
 * `--stock` trains the same model written as a notebook writes it, from stock tfjs layers
 * (see `bench/stock_models.ts`: for dot-bias, notebook 02's EmbeddingNet — four
 * `tf.layers.embedding` tables, `tf.layers.dot`, `tf.layers.add`, `tf.layers.flatten`, a
 * sigmoid `tf.layers.activation` and `tf.layers.rescaling`), compiled as Keras does, seeded
 * with `setRandomSeed`: it measures how fast the engine trains a model it was not built for.
 * The engine runs a dot product of two embedding lookups written in stock layers as its fused
 * dot-bias op (`fit`'s `fuse`, on by default); `--no-fuse` times every layer as written.
 *
 * ```sh
 * deno task bench                              # dot-bias, 30 epochs, batch 100, with torch
 * deno task bench --stock                      # the same model from stock layers
 * deno task bench --stock --no-fuse            # … with every stock layer run as written
 * deno task bench --model mlp --batch 500      # seed 002's deep model
 * deno task bench --model dlrm --batch 500     # seed 004's concat-MLP
 * deno task bench --epochs 1 --no-torch        # a quick smoke run
 * ```
 *
 * `--model softmax` and `--model bpr` run the ranking benchmark instead (`ranking_bench.ts`):
 * the ranking evaluation's embedding model trained for ranking (a softmax over the catalogue, or
 * BPR with 16 sampled negatives) on ml-100k, against a PyTorch twin of the same recipe on the
 * same pairs (`torch_ranking.py`); `--batch` is then users per step (default 64) and `--epochs`
 * defaults to the bench's fixed recipe's (45 and 65).
 *
 * Flags: `--epochs N` (30), `--batch N` (100), `--model dot|dot-bias|mlp|dlrm|softmax|bpr` (dot-bias),
 * `--stock`, `--no-fuse`, `--seed N` (42), `--backend wasm|cpu` (setupBackend's choice), `--no-torch`,
 * `--no-table` (skip the time-per-step table), `--torch-reference` (dot-bias only: run the
 * shared reference script `../shared/bench/torch_embeddingnet.py` with its own split
 * instead). `--help` lists them ({@linkcode USAGE}); a bad flag or value ends the run with a
 * one-line message and exit status 2.
 *
 * Output: one line per epoch, a table of milliseconds per training step at batch 64, 100 and
 * 500, and, last, one JSON line with `framework`, `backend`, `epochs`, `batch`,
 * `samples_per_s`, `s_per_epoch`, `best_val_mse` (the torch script's keys) plus `model`,
 * `stock`, `fuse`, `simd`, `threads`, `peak_rss_mb`, `load_avg` (before, after), `step_ms`,
 * `cpu_samples_per_s`, and, when torch ran, `torch_samples_per_s`, `torch_s_per_epoch`,
 * `torch_best_val_mse`, `torch_step_ms`, `torch_blas_threads` (the threads OpenBLAS ran on in
 * the twin, capped at one; null with `--torch-reference`), `torch_cpu_samples_per_s`, `ratio`
 * (ours / torch samples per second, wall time) and `cpu_ratio` (the same on CPU time, which other
 * programs competing for the machine barely change: trust it when `load_avg` is high).
 * Samples per second count training steps only (validation excluded), as the torch script does.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { fitEncoders, loadMovieLens, randomSplit, ratingsToArrays } from "../lib/data/mod.ts";
import {
  buildModel,
  encodeTarget,
  type ModelOptions,
  type TargetTransform,
} from "../lib/models/mod.ts";
import { MAX_SEED, setRandomSeed } from "../lib/random.ts";
import { setupBackend } from "../lib/train/backend.ts";
import { fit } from "../lib/train/fit.ts";
import { stockModel } from "./stock_models.ts";
import { type RankingBenchModel, runRankingBench } from "./ranking_bench.ts";
import {
  backendFields,
  loadAverage,
  peakRssMb,
  PYTHON,
  runPython,
  torchAvailable,
} from "./_machine.ts";
import { FlagReader, readCommandLine } from "../tools/_cli.ts";
import { plural } from "../lib/_validate.ts";
import { cleanUpOnSignals, withTemporary } from "../tools/_cleanup.ts";

/** The help text of `deno task bench`. */
export const USAGE = `Usage: deno task bench [flags]

Trains one model on ml-100k, random 80/20, through the library's public API as the notebooks
train, then its PyTorch twin on one thread on the same rows (when /usr/bin/python3 can import
torch); prints a line per epoch, milliseconds per step at batch 64, 100 and 500, and one JSON
line last (the ranking models, softmax and bpr: a line per epoch and the JSON line).

Flags:
  --model KIND         dot, dot-bias, mlp, dlrm, softmax or bpr (default: dot-bias, notebook
                       02's EmbeddingNet); softmax and bpr run the ranking bench, the ranking
                       evaluation's model trained for the top 10
  --epochs N           epochs, N ≥ 1 (default: 30; softmax and bpr: 45 and 65, the bench's)
  --batch N            batch size, N ≥ 1 (default: 100; softmax and bpr: 64 users a step)
  --seed N             seed of the split, the initial weights and the shuffles,
                       0 ≤ N ≤ ${MAX_SEED} (default: 42)
  --stock              train the model written from stock tfjs layers, as a notebook writes it
                       (not for softmax and bpr, whose model is stock layers already)
  --no-fuse            with --stock: run every stock layer as written, not a stock dot
                       product of embeddings as the fused op (default: fused)
  --backend NAME       wasm or cpu (default: setupBackend's choice)
  --no-torch           leave out the PyTorch twin
  --no-table           leave out the milliseconds-per-step table (not for softmax and bpr,
                       which print none)
  --torch-reference    with --model dot-bias: run the shared reference script
                       (../shared/bench/torch_embeddingnet.py, its own split) instead of the twin
  -h, --help           show this text

A value follows its flag or is joined to it by "=" (--epochs=3). Numbers are plain decimals;
each flag is given once. A bad command line is one line on stderr and exit status 2.`;

/** Model kinds the bench knows. */
export const BENCH_MODELS = ["dot", "dot-bias", "mlp", "dlrm", "softmax", "bpr"] as const;
/** One of {@linkcode BENCH_MODELS}. */
export type BenchModel = typeof BENCH_MODELS[number];

/** Parsed command line of the bench. */
export interface BenchArgs {
  /** Epochs to train. */
  epochs: number;
  /** Batch size. */
  batch: number;
  /** Model kind. */
  model: BenchModel;
  /** Train the model written from stock tfjs layers instead of the library's. */
  stock: boolean;
  /** Let the engine run a stock dot product of embeddings as the fused op (`fit`'s `fuse`). */
  fuse: boolean;
  /** Seed of the split, the initialisers and the shuffles. */
  seed: number;
  /** Backend override, or null for setupBackend's choice. */
  backend: "wasm" | "cpu" | null;
  /** Whether to run the torch twin. */
  torch: boolean;
  /** Whether to print the time-per-step table. */
  table: boolean;
  /** Run the shared reference torch script (its own split) instead of the twin. */
  torchReference: boolean;
}

/**
 * Parses the bench's flags (`--help` is left to the caller: see {@linkcode USAGE}).
 *
 * @param argv Command-line arguments.
 * @returns The parsed arguments.
 * @throws {TypeError} On an unknown flag, a missing value, a flag given twice or flags that do
 *   not go together.
 * @throws {RangeError} On a bad number, model or backend.
 * @example
 * ```ts
 * import { parseBenchArgs } from "./train_bench.ts";
 * import { assertEquals } from "@std/assert";
 * const args = parseBenchArgs(["--epochs", "2", "--model", "mlp", "--no-torch", "--stock"]);
 * assertEquals([args.epochs, args.model, args.torch, args.stock], [2, "mlp", false, true]);
 * ```
 */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {
    epochs: 30,
    batch: 100,
    model: "dot-bias",
    stock: false,
    fuse: true,
    seed: 42,
    backend: null,
    torch: true,
    table: true,
    torchReference: false,
  };
  let batchGiven = false, epochsGiven = false;
  const read = new FlagReader(argv);
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    switch (flag) {
      case "--epochs":
        args.epochs = read.integer(1);
        epochsGiven = true;
        break;
      case "--batch":
        args.batch = read.integer(1);
        batchGiven = true;
        break;
      case "--seed":
        args.seed = read.integer(0, MAX_SEED);
        break;
      case "--model": {
        const v = read.value();
        if (!(BENCH_MODELS as readonly string[]).includes(v)) {
          throw new RangeError(
            `--model: expected one of ${BENCH_MODELS.join(", ")}, found ${JSON.stringify(v)}`,
          );
        }
        args.model = v as BenchModel;
        break;
      }
      case "--backend": {
        const v = read.value();
        if (v !== "wasm" && v !== "cpu") {
          throw new RangeError(`--backend: expected wasm or cpu, found ${JSON.stringify(v)}`);
        }
        args.backend = v;
        break;
      }
      case "--no-torch":
        args.torch = false;
        break;
      case "--stock":
        args.stock = true;
        break;
      case "--no-fuse":
        args.fuse = false;
        break;
      case "--no-table":
        args.table = false;
        break;
      case "--torch-reference":
        args.torchReference = true;
        break;
      default:
        read.unknown();
    }
  }
  if (args.torchReference && args.model !== "dot-bias") {
    throw new TypeError(
      `--torch-reference: expected with --model dot-bias, found --model ${args.model}`,
    );
  }
  if (!args.fuse && !args.stock) {
    throw new TypeError(
      "--no-fuse: expected with --stock (the library's models run as built: dot and dot-bias " +
        "as the one fused layer, mlp and dlrm with no dot product to fuse, softmax and bpr " +
        "stock layers already)",
    );
  }
  if (args.torchReference) {
    if (!args.torch) throw new TypeError("--torch-reference: expected without --no-torch");
    try {
      Deno.statSync(TORCH_REFERENCE);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      throw new RangeError(
        `--torch-reference: expected the shared reference script at ${TORCH_REFERENCE}, found ` +
          "none (it lives in ../shared/bench/, beside the project's folder)",
      );
    }
  }
  if (isRanking(args.model)) {
    if (args.stock) {
      throw new TypeError(
        `--stock: expected with --model dot, dot-bias, mlp or dlrm, found --model ${args.model} ` +
          "(its model is stock layers already)",
      );
    }
    if (!args.table) {
      throw new TypeError(
        `--no-table: expected with --model dot, dot-bias, mlp or dlrm, found --model ` +
          `${args.model} (the ranking bench prints no table of milliseconds per step)`,
      );
    }
    if (!batchGiven) args.batch = 64;
    if (!epochsGiven) args.epochs = 0; // the recipe's
  }
  return args;
}

function isRanking(model: BenchModel): model is RankingBenchModel {
  return model === "softmax" || model === "bpr";
}

/** Each kind's recipe, as `buildModel` options (the optimizer's settings included). */
const RECIPES: Record<Exclude<BenchModel, RankingBenchModel>, ModelOptions> = {
  // Notebook 02's EmbeddingNet (PyTorch defaults: N(0, 1) embeddings, Adam eps 1e-8, coupled
  // weight decay), as the one fused layer; `--stock` trains it written with stock layers.
  "dot-bias": {
    fused: true,
    factors: 50,
    yRange: [0, 5.5],
    initializer: { name: "randomNormal", mean: 0, stddev: 1 },
    biasInitializer: { name: "randomNormal", mean: 0, stddev: 1 },
    learningRate: 3e-3,
    optimizer: { weightDecay: 3e-4, decay: "l2", epsilon: 1e-8 },
  },
  dot: {
    fused: true,
    factors: 50,
    yRange: [0, 5.5],
    initializer: { name: "randomNormal", mean: 0, stddev: 1 },
    learningRate: 3e-3,
    optimizer: { weightDecay: 3e-4, decay: "l2", epsilon: 1e-8 },
  },
  // The lab's deep model: 64-d embeddings, dropout 0.5, dense 64 relu, dropout 0.5, dense 1.
  mlp: { factors: 64, hidden: [64], inputDropout: 0.5, dropout: 0.5, learningRate: 1e-3 },
  // The DLRM README: 8-d embeddings, dense 32 relu, dense 4 relu, dense 1, on rating − mean.
  dlrm: { factors: 8, hidden: [32, 4], learningRate: 1e-3, metrics: ["mae"] },
};

interface Split {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

interface BenchData {
  numUsers: number;
  numMovies: number;
  train: Split;
  val: Split;
  encoders: ReturnType<typeof fitEncoders>;
}

function movielensDir(): string | undefined {
  try {
    if (Deno.env.get("MOVIELENS_DIR")) return undefined; // loadMovieLens reads it itself
  } catch {
    // no env permission: fall through
  }
  for (const dir of ["../shared/movielens", "/work/shared/movielens"]) {
    try {
      if (Deno.statSync(`${dir}/ml-100k`).isDirectory) return dir;
    } catch {
      // not there
    }
  }
  return undefined;
}

async function loadData(seed: number): Promise<BenchData> {
  const ml = await loadMovieLens("ml-100k", { dir: movielensDir(), download: false });
  // The torch script: ids over all ratings, a seeded permutation, the first 80% to train.
  const encoders = fitEncoders(ml.ratings);
  const { train, test } = randomSplit(ml.ratings, { testFraction: 0.2, seed });
  return {
    numUsers: encoders.users.size,
    numMovies: encoders.movies.size,
    train: ratingsToArrays(train, encoders),
    val: ratingsToArrays(test, encoders),
    encoders,
  };
}

/** A model to train and the map from ratings to its targets. */
interface BenchNet {
  model: tf.LayersModel;
  target: TargetTransform;
}

function makeModel(args: BenchArgs, data: BenchData): BenchNet {
  const { model: kind, seed } = args;
  if (isRanking(kind)) throw new TypeError(`train_bench: ${kind} is a ranking model`);
  const mean = data.train.ratings.reduce((a, b) => a + b, 0) / data.train.ratings.length;
  const target: TargetTransform = kind === "dlrm" ? { type: "center", mean } : { type: "identity" };
  if (args.stock) {
    setRandomSeed(seed);
    return { model: stockModel(kind, data.numUsers, data.numMovies), target };
  }
  const rec = buildModel(kind, {
    ...RECIPES[kind],
    users: data.encoders.users,
    movies: data.encoders.movies,
    seed,
    ...(kind === "dlrm" ? { targetMean: mean } : {}),
  });
  return { model: rec.model, target: rec.config.target };
}

function tensors(net: BenchNet, split: Split, limit = split.ratings.length) {
  const n = Math.min(limit, split.ratings.length);
  const y = encodeTarget(net.target, split.ratings.subarray(0, n));
  return {
    x: [
      tf.tensor2d(split.users.subarray(0, n), [n, 1], "int32"),
      tf.tensor2d(split.movies.subarray(0, n), [n, 1], "int32"),
    ],
    y: tf.tensor2d(y, [n, 1]),
  };
}

function writeDataFile(data: BenchData, path: string): void {
  const { train, val } = data;
  const head = new Int32Array([
    data.numUsers,
    data.numMovies,
    train.ratings.length,
    val.ratings.length,
  ]);
  const parts: ArrayBufferView[] = [head];
  for (const s of [train, val]) parts.push(s.users, s.movies, s.ratings);
  const size = parts.reduce((a, p) => a + p.byteLength, 0);
  const bytes = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), off);
    off += p.byteLength;
  }
  Deno.writeFileSync(path, bytes);
}

interface TorchResult {
  samples_per_s: number;
  s_per_epoch: number;
  best_val_mse: number;
  cpu_samples_per_s?: number;
  /** Threads OpenBLAS runs on (our twins; null with another BLAS; absent in the shared script). */
  blas_threads?: number | null;
}

/** Runs the torch twin (a child Ctrl-C and SIGTERM stop), echoing its lines when asked. */
async function runTorch(args: string[], echo: boolean): Promise<TorchResult> {
  const lines: string[] = [];
  let pending = "";
  const run = await runPython(args, {
    stderr: "inherit",
    onStdout: (text) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        if (echo && !line.startsWith("{")) console.log(`torch ${line}`);
      }
    },
  });
  if (pending) lines.push(pending);
  if (!run.success) throw new Error(`train_bench: the torch run failed (exit ${run.code})`);
  return JSON.parse(lines[lines.length - 1]) as TorchResult;
}

const here = new URL(".", import.meta.url).pathname;

/** The shared PyTorch reference of seed 003's recipe (`--torch-reference`), outside the project. */
const TORCH_REFERENCE =
  new URL("../../shared/bench/torch_embeddingnet.py", import.meta.url).pathname;

/** Trains the model for one epoch on `limit` rows and returns milliseconds per step. */
async function stepMs(args: BenchArgs, data: BenchData, batch: number, limit: number) {
  const net = makeModel(args, data);
  const train = tensors(net, data.train, limit);
  const seed = args.seed;
  try {
    // A warm-up epoch on a few batches, then the timed one.
    const warm = tensors(net, data.train, Math.min(limit, batch * 20));
    try {
      await fit(net.model, warm, {
        epochs: 1,
        batchSize: batch,
        verbose: 0,
        seed,
        fuse: args.fuse,
      });
    } finally {
      tf.dispose([...warm.x, warm.y]);
    }
    const h = await fit(net.model, train, {
      epochs: 1,
      batchSize: batch,
      verbose: 0,
      seed,
      fuse: args.fuse,
    });
    return (h.trainSeconds[0] * 1000) / h.params.stepsPerEpoch;
  } finally {
    tf.dispose([...train.x, train.y]);
    net.model.optimizer.dispose();
    net.model.dispose();
  }
}

/**
 * Runs the benchmark and returns its summary (also printed as the last stdout line).
 *
 * @param args Parsed flags.
 * @returns The JSON summary.
 * @example
 * ```ts ignore
 * import { parseBenchArgs, runBench } from "./train_bench.ts";
 * const summary = await runBench(parseBenchArgs(["--epochs", "1", "--no-torch", "--no-table"]));
 * console.log(summary.samples_per_s, summary.best_val_mse);
 * ```
 */
export async function runBench(args: BenchArgs): Promise<Record<string, unknown>> {
  if (isRanking(args.model)) {
    return await runRankingBench({
      model: args.model,
      epochs: args.epochs > 0 ? args.epochs : null,
      batch: args.batch,
      seed: args.seed,
      backend: args.backend,
      torch: args.torch,
    });
  }
  const loadBefore = loadAverage();
  const info = await setupBackend(args.backend ? { backend: args.backend } : {});
  const data = await loadData(args.seed);
  console.log(
    `tfjs ${tf.version.tfjs} · ${info.backend}${info.simd ? " simd" : ""} · ` +
      `${info.threads} thread(s) · Adam ${info.adam} · ${args.model}${
        args.stock ? " (stock layers)" : ""
      }` +
      `${args.fuse ? "" : " (fuse: false)"} · ` +
      `${data.train.ratings.length} train / ${data.val.ratings.length} val rows · ` +
      `batch ${args.batch} · ${plural(args.epochs, "epoch")}`,
  );
  const history = await trainRun(args, data);
  const trainSeconds = history.trainSeconds.reduce((a, b) => a + b, 0);
  const samples = history.params.samples * history.epoch.length;
  const result: Record<string, unknown> = {
    ...backendFields(info),
    model: args.model,
    stock: args.stock,
    fuse: args.fuse,
    epochs: history.epoch.length,
    batch: args.batch,
    samples_per_s: Math.round(samples / trainSeconds),
    s_per_epoch: Number((trainSeconds / history.epoch.length).toFixed(3)),
    best_val_mse: Number(Math.min(...history.history.val_loss).toFixed(4)),
    cpu_samples_per_s: Math.round(samples / history.trainCpuSeconds.reduce((a, b) => a + b, 0)),
  };
  const withTorch = args.torch && await torchAvailable();
  if (args.torch && !withTorch) console.log(`torch: ${PYTHON} cannot import torch; skipped`);
  const compare = async (dataFile: string | null) => {
    if (args.table) Object.assign(result, await stepTable(args, data, dataFile));
    if (dataFile) Object.assign(result, await torchComparison(args, dataFile, result));
  };
  if (withTorch) {
    // The rows torch reads, removed afterwards and also on Ctrl-C or SIGTERM.
    await withTemporary({ prefix: "train_bench_", suffix: ".bin" }, async (dataFile) => {
      writeDataFile(data, dataFile);
      await compare(dataFile);
    });
  } else await compare(null);
  result.peak_rss_mb = peakRssMb();
  // The machine's 1-minute load average before and after: figures drift with other work.
  result.load_avg = [loadBefore, loadAverage()];
  console.log(JSON.stringify(result));
  return result;
}

/** Trains the model on the training rows, validating each epoch, one line per epoch. */
async function trainRun(args: BenchArgs, data: BenchData) {
  const net = makeModel(args, data);
  const train = tensors(net, data.train);
  const val = tensors(net, data.val);
  let last = performance.now();
  try {
    return await fit(net.model, train, {
      epochs: args.epochs,
      batchSize: args.batch,
      validationData: val,
      seed: args.seed,
      fuse: args.fuse,
      verbose: 0,
      onEpochEnd: (epoch, logs) => {
        const now = performance.now();
        console.log(
          `epoch ${epoch} loss ${logs.loss.toFixed(4)} val_mse ${logs.val_loss.toFixed(4)} ` +
            `epoch_s ${((now - last) / 1000).toFixed(2)}`,
        );
        last = now;
      },
    });
  } finally {
    tf.dispose([...train.x, train.y, ...val.x, val.y]);
    net.model.optimizer.dispose();
    net.model.dispose();
  }
}

/** Milliseconds per step at batch 64, 100 and 500 (and torch's, when it runs). */
async function stepTable(args: BenchArgs, data: BenchData, dataFile: string | null) {
  const limit = 20_000;
  const ours: Record<string, number> = {}, torch: Record<string, number> = {};
  console.log(`ms per step (${args.model}, one epoch on ${limit} rows)`);
  console.log(`batch  tfjs_ms${dataFile ? "  torch_ms  ratio" : ""}`);
  for (const b of [64, 100, 500]) {
    const ms = await stepMs(args, data, b, limit);
    ours[b] = Number(ms.toFixed(4));
    let line = `${String(b).padStart(5)}  ${ms.toFixed(3).padStart(7)}`;
    if (dataFile) {
      const t = await runTorch([
        `${here}torch_bench.py`,
        ...["--data", dataFile, "--model", args.model, "--epochs", "2", "--batch", String(b)],
        ...["--limit", String(limit), "--seed", String(args.seed)],
      ], false);
      const tms = (t.s_per_epoch * 1000) / Math.ceil(limit / b);
      torch[b] = Number(tms.toFixed(4));
      line += `  ${tms.toFixed(3).padStart(8)}  ${(tms / ms).toFixed(2).padStart(5)}`;
    }
    console.log(line);
  }
  return dataFile ? { step_ms: ours, torch_step_ms: torch } : { step_ms: ours };
}

/** The torch twin on the same rows (or the shared reference script), and the ratios. */
async function torchComparison(args: BenchArgs, dataFile: string, ours: Record<string, unknown>) {
  const script = args.torchReference
    ? [
      TORCH_REFERENCE,
      "--data",
      `${movielensDir() ?? Deno.env.get("MOVIELENS_DIR")}/ml-100k`,
    ]
    : [`${here}torch_bench.py`, "--data", dataFile, "--model", args.model];
  const t = await runTorch([
    ...script,
    ...["--epochs", String(args.epochs), "--batch", String(args.batch)],
    ...["--seed", String(args.seed)],
  ], true);
  const result: Record<string, unknown> = {
    torch_samples_per_s: t.samples_per_s,
    torch_s_per_epoch: t.s_per_epoch,
    torch_best_val_mse: t.best_val_mse,
    ratio: Number(((ours.samples_per_s as number) / t.samples_per_s).toFixed(3)),
  };
  // The threads OpenBLAS ran on in the twin (null: another BLAS, or the shared script, which
  // does not say).
  result.torch_blas_threads = t.blas_threads ?? null;
  if (t.cpu_samples_per_s) {
    result.torch_cpu_samples_per_s = t.cpu_samples_per_s;
    result.cpu_ratio = Number(
      ((ours.cpu_samples_per_s as number) / t.cpu_samples_per_s).toFixed(3),
    );
  }
  return result;
}

if (import.meta.main) {
  const args = readCommandLine(Deno.args, USAGE, parseBenchArgs);
  cleanUpOnSignals("stopping the torch run and removing its data file…");
  try {
    await runBench(args);
  } catch (e) {
    // A failed run in one line, as the other programs end one (status 1; 2 is a bad command line).
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
