/**
 * Benchmark and bit check of the native elementwise kernels: `softplus`, BPR's loss
 * (`lib/train/kernels/softplus.ts`), and `exp`, the softmax loss's (`exp.ts`). tfjs' op over the
 * values of one training step on ml-100k (softplus: 87,000, 64 users × about 85 training movies ×
 * 16 negatives; exp: 107,648, 64 users × 1,682 movies) is timed with the WebAssembly kernel and
 * with the native one; then the two are compared on float32 inputs spread evenly over every bit
 * pattern (every 256th pattern, 16.8 million values; `--every N` every Nth), or with `--all` on
 * every one of the 2³² patterns (NaNs, infinities and subnormals included; about four minutes
 * for softplus, a minute and a half for exp on the 2-core development machine), counting the
 * outputs whose bits differ from the WebAssembly kernel's: as the tfjs op gives them, and as each
 * native function alone computes them (softplus: the one kernel, which `tf.softplus` runs only
 * after its probe agreed; exp: every vector variant this CPU runs).
 *
 * ```sh
 * deno task bench:softplus          # timing, and every 256th float32
 * deno task bench:softplus --all    # timing, and every float32
 * deno task bench:exp [--all]       # the same for exp
 * deno task bench:exp --every 4099   # every 4,099th float32
 * deno task bench:exp --train        # and softmax epochs with either kernel
 * deno task bench:exp --help         # the flags; a bad one is one line, exit status 2
 * ```
 *
 * With `--train` it also trains the op's ranking model on ml-100k (BPR for softplus, the softmax
 * for exp; the ranking bench's recipe, 64 users a step), switching that one kernel between the
 * WebAssembly and the native version every 5 epochs in one process, 12 blocks, and prints the
 * median milliseconds an epoch of each: between processes this machine's speed drifts more than
 * the difference.
 *
 * Output: two timing lines and a check line per comparison, then one JSON line with `op`,
 * `kernel` (which kernel the op runs), `values` (per call), `wasm_ns_per_value`,
 * `native_ns_per_value`, `speedup`, `threads`, `checked` (inputs compared), `differing` (outputs
 * of the tfjs op whose bits differ), `native_differing` (outputs of the native functions alone
 * whose bits differ, summed over them), `alone` (that count for each function),
 * `first_native_difference` (the first such input's bits, or null) and, with `--train`,
 * `epoch_ms_wasm`, `epoch_ms_native` and `epoch_speedup` (null without).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { fitEncoders, loadMovieLens, randomSplit } from "../lib/data/mod.ts";
import { rankingNetwork, rankingRecipes, recommender, trainRanking } from "../lib/models/mod.ts";
import { setupBackend } from "../lib/train/backend.ts";
import {
  type NativeKernels,
  nativeKernels,
  setNativeKernels,
} from "../lib/train/kernels/_native.ts";
import { RANKING_BENCH_RECIPES } from "./ranking_bench.ts";
import { nativeSoftplusStatus } from "../lib/train/kernels/softplus.ts";
import { createRng } from "../lib/random.ts";
import { FlagReader, integerValue, readCommandLine } from "../tools/_cli.ts";

/** The ops this bench knows. */
export const UNARY_OPS = ["softplus", "exp"] as const;

/** One of {@linkcode UNARY_OPS}. */
export type UnaryOp = typeof UNARY_OPS[number];

/** The help text of `deno task bench:softplus` and `deno task bench:exp`. */
export const USAGE = `Usage: deno task bench:softplus [flags]
       deno task bench:exp [flags]
       deno run -A bench/unary_bench.ts softplus|exp [flags]

Times tfjs' op over one training step's values with the WebAssembly kernel and with the
native one, then compares the two kernels' outputs bit for bit on float32 inputs spread
evenly over every bit pattern; prints two timing lines, a check line per comparison and one
JSON line last.

Flags:
  --every N    compare every Nth float32 bit pattern, N from 1 to 4294967296
               (default: 256, 16.8 million values)
  --all        compare every float32 (--every 1: minutes)
  --train      also train the op's ranking model on ml-100k (BPR for softplus, the softmax
               for exp), switching the kernel every 5 epochs, and time an epoch of each
  -h, --help   show this text

A value follows its flag or is joined to it by "=" (--every=4099). Numbers are plain
decimals; each flag is given once. A bad command line is one line on stderr and exit
status 2.`;

/** Values of one training step on ml-100k for each op (see the module doc). */
export const STEP_VALUES: Record<UnaryOp, number> = { softplus: 87_000, exp: 64 * 1_682 };

/**
 * Parses the bench's arguments: the op, then flags (`--all` checks every float32, `--every N`
 * every Nth bit pattern, 256 by default; `--train` also times training epochs).
 *
 * @param args The arguments.
 * @returns The op, the step between the bit patterns checked, and whether epochs are timed.
 * @throws {TypeError} On an unknown flag, a missing value, a flag given twice, or `--all`
 *   with `--every`.
 * @throws {RangeError} On a missing or unknown op or a bad step.
 * @example
 * ```ts
 * import { parseUnaryBenchArgs } from "./unary_bench.ts";
 * console.log(parseUnaryBenchArgs(["exp", "--all"])); // { op: "exp", every: 1, train: false }
 * ```
 */
export function parseUnaryBenchArgs(
  args: string[],
): { op: UnaryOp; every: number; train: boolean } {
  const [op, ...flags] = args;
  if (!UNARY_OPS.includes(op as UnaryOp)) {
    throw new RangeError(
      `expected an op first (${UNARY_OPS.join(" or ")}), found ${
        op === undefined ? "nothing" : JSON.stringify(op)
      }`,
    );
  }
  let every = 256, train = false, all = false, everyGiven = false;
  const read = new FlagReader(flags);
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    if (flag === "--all") all = true;
    else if (flag === "--train") train = true;
    else if (flag === "--every") {
      every = integerValue(flag, read.value(), 1, 2 ** 32);
      everyGiven = true;
    } else read.unknown();
  }
  if (all && everyGiven) {
    throw new TypeError(`--all and --every ${every}: expected one of them (--all is --every 1)`);
  }
  if (all) every = 1;
  return { op: op as UnaryOp, every, train };
}

/** The tfjs op. */
function apply(op: UnaryOp, x: tf.Tensor): tf.Tensor {
  return op === "exp" ? tf.exp(x) : tf.softplus(x);
}

/** `run()` with the native kernels on or off, then on again. */
function withNative<T>(native: boolean, run: () => T): T {
  setNativeKernels(native);
  try {
    return run();
  } finally {
    setNativeKernels(true);
  }
}

/** Nanoseconds a value of the op over `x`, median of 7 timings of 50 calls. */
function timeOp(op: UnaryOp, x: tf.Tensor, native: boolean): number {
  return withNative(native, () => {
    tf.dispose(apply(op, x));
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) tf.dispose(apply(op, x));
      times.push((performance.now() - t0) / 50 * 1e6 / x.size);
    }
    return times.sort((a, b) => a - b)[3];
  });
}

/**
 * The bits of the tfjs op over `values`, with the native kernels on or off (then on again).
 *
 * @param op `"softplus"` or `"exp"`.
 * @param values The inputs.
 * @param native Whether the native kernels may run.
 * @returns The outputs' bit patterns.
 * @example
 * ```ts
 * import { setupBackend } from "../lib/train/backend.ts";
 * import { unaryBits } from "./unary_bench.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "wasm" });
 * const x = new Float32Array([0, 1, -2]);
 * assertEquals(unaryBits("exp", x, true), unaryBits("exp", x, false));
 * ```
 */
export function unaryBits(op: UnaryOp, values: Float32Array, native: boolean): Uint32Array {
  return withNative(native, () => {
    const x = tf.tensor1d(values), y = apply(op, x);
    try {
      return new Uint32Array((y.dataSync() as Float32Array).slice().buffer);
    } finally {
      tf.dispose([x, y]);
    }
  });
}

/** A native function on plain arrays, by name (softplus' returns a count, ignored here). */
type Alone = Record<string, (x: Deno.PointerValue, out: Deno.PointerValue, n: number) => unknown>;

/** The op and each native function against the WebAssembly kernel, on every step-th pattern. */
function compareAll(op: UnaryOp, step: number, alone: Alone) {
  const chunk = 1 << 22;
  const total = Math.ceil(2 ** 32 / step);
  const names = Object.keys(alone);
  const counts = Object.fromEntries(names.map((name) => [name, 0]));
  let differing = 0, checked = 0, first: number | null = null;
  const patterns = new Uint32Array(chunk), raw = new Float32Array(chunk);
  const rawBits = new Uint32Array(raw.buffer);
  for (let start = 0; start < total; start += chunk) {
    const n = Math.min(chunk, total - start);
    for (let i = 0; i < n; i++) patterns[i] = (start + i) * step; // all below 2³²
    const values = new Float32Array(patterns.buffer, 0, n);
    const a = unaryBits(op, values, true), b = unaryBits(op, values, false);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) differing++;
    for (const name of names) {
      alone[name](Deno.UnsafePointer.of(values), Deno.UnsafePointer.of(raw), n);
      for (let i = 0; i < n; i++) {
        if (rawBits[i] !== b[i]) {
          counts[name]++;
          if (first === null || patterns[i] < first) first = patterns[i];
        }
      }
    }
    checked += n;
  }
  return { checked, differing, counts, first };
}

/** The model whose loss calls the op: BPR's softplus, the softmax's exponential. */
const TRAINED: Record<UnaryOp, "bpr" | "softmax"> = { softplus: "bpr", exp: "softmax" };

/**
 * Milliseconds a training epoch of the op's ranking model (the ranking bench's recipe on ml-100k,
 * seed 42), its native kernel switched off and on in turn, 12 blocks of 5 epochs in one process
 * (one model training on throughout): medians, and each pair's ratio. The kernels read their
 * native function from the loaded library at every call and run the WebAssembly kernel when it
 * is absent, so clearing the field switches off that one kernel and nothing else.
 */
async function trainEpochs(op: UnaryOp, lib: NativeKernels) {
  const name = TRAINED[op], fixed = RANKING_BENCH_RECIPES[name];
  const ml = await loadMovieLens("ml-100k");
  const encoders = fitEncoders(ml.ratings);
  const { train } = randomSplit(ml.ratings, { testFraction: 0.2, seed: 42 });
  const model = rankingNetwork(
    { ...rankingRecipes[name], learningRate: fixed.learningRate },
    encoders,
    42,
  );
  const rec = recommender(model, { ...encoders, seed: 42 });
  const fields = lib as unknown as Record<UnaryOp, unknown>, real = fields[op];
  const times: Record<"wasm" | "native", number[]> = { wasm: [], native: [] };
  const block = async (native: boolean) => {
    fields[op] = native ? real : null;
    const t0 = performance.now();
    await trainRanking(rec, train, {
      epochs: 5,
      batchUsers: 64,
      l2: fixed.l2,
      negatives: fixed.negatives,
      verbose: 0,
    });
    times[native ? "native" : "wasm"].push((performance.now() - t0) / 5);
  };
  try {
    await block(true); // warm-up, not counted
    times.native.length = 0;
    for (let k = 0; k < 12; k++) await block(k % 2 === 1);
  } finally {
    fields[op] = real;
    model.dispose();
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const ratios = times.wasm.map((w, k) => w / times.native[k]);
  return { model: name, wasm: median(times.wasm), native: median(times.native), ratios };
}

if (import.meta.main) {
  const { op, every, train } = readCommandLine(Deno.args, USAGE, parseUnaryBenchArgs);
  await setupBackend({ backend: "wasm" });
  const lib = nativeKernels();
  const rng = createRng(42);
  // BPR's score differences lie within a few units of 0; the softmax's shifted scores at or below.
  const draw = op === "exp" ? () => -Math.abs(4 * rng.normal()) : () => 3 * rng.normal();
  const x = tf.tensor1d(Float32Array.from({ length: STEP_VALUES[op] }, draw));
  tf.dispose(apply(op, x)); // softplus' probe runs here, before any timing
  const status = () =>
    op === "softplus" ? nativeSoftplusStatus() : lib ? `native ${lib.variant}` : "wasm";
  const wasm = timeOp(op, x, false);
  console.log(`wasm    ${wasm.toFixed(2)} ns a value (${STEP_VALUES[op]} values a call)`);
  const native = lib ? timeOp(op, x, true) : NaN;
  const threads = lib ? (op === "softplus" ? lib.sweepThreads(1 << 30) : 1) : 0;
  const cores = threads === 1 ? "one thread" : `up to ${threads} threads`;
  console.log(
    lib
      ? `native  ${native.toFixed(2)} ns a value (${status()}, ${cores})`
      : `native  not loaded (${status()})`,
  );
  tf.dispose(x);
  // Only a native kernel in force is compared; otherwise both sides would be the same.
  const alone: Alone = !lib || !status().startsWith("native")
    ? {}
    : op === "softplus"
    ? { softplus: lib.softplus }
    : lib.exps as Alone;
  const check = Object.keys(alone).length > 0
    ? compareAll(op, every, alone)
    : { checked: 0, differing: 0, counts: {} as Record<string, number>, first: null };
  const of = `of ${check.checked.toLocaleString("en")} inputs differ`;
  console.log(`bits    tf.${op}: ${check.differing} ${of}`);
  for (const [name, count] of Object.entries(check.counts)) {
    console.log(`bits    native ${name} alone: ${count} ${of}`);
  }
  const nativeDiffering = Object.values(check.counts).reduce((s, c) => s + c, 0);
  if (check.first !== null) {
    const value = new Float32Array(new Uint32Array([check.first]).buffer)[0];
    console.log(`bits    first native difference: 0x${check.first.toString(16)} (${value})`);
  }
  const epochs = train && lib && status().startsWith("native") ? await trainEpochs(op, lib) : null;
  if (epochs) {
    const [w, n] = [epochs.wasm.toFixed(1), epochs.native.toFixed(1)];
    console.log(
      `train   ${epochs.model} epoch ${w} ms with the WebAssembly ${op}, ${n} ms with the native ` +
        `one (medians of 6 blocks of 5 epochs each; pair ratios ${
          epochs.ratios.map((r) => r.toFixed(2)).join(" ")
        })`,
    );
  }
  console.log(JSON.stringify({
    op,
    kernel: status(),
    values: STEP_VALUES[op],
    wasm_ns_per_value: Number(wasm.toFixed(3)),
    native_ns_per_value: Number(native.toFixed(3)),
    speedup: Number((wasm / native).toFixed(2)),
    threads,
    checked: check.checked,
    differing: check.differing,
    native_differing: nativeDiffering,
    alone: check.counts,
    first_native_difference: check.first,
    epoch_ms_wasm: epochs ? Number(epochs.wasm.toFixed(2)) : null,
    epoch_ms_native: epochs ? Number(epochs.native.toFixed(2)) : null,
    epoch_speedup: epochs ? Number((epochs.wasm / epochs.native).toFixed(3)) : null,
  }));
}
