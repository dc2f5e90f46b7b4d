/**
 * Benchmark of EASE's matrix inverse (`invertSpd`, `lib/train/kernels/spd_inverse.ts`): a random
 * sparse symmetric positive-definite matrix of order n (a Gram matrix's shape: co-watch counts
 * on a heavy diagonal), inverted by the JavaScript sweep, by the native kernels on one thread
 * and on every core, and optionally by NumPy's `numpy.linalg.inv` (LAPACK through OpenBLAS, every
 * core; Debian's Python, `/usr/bin/python3`) on the very same matrix.
 *
 * ```sh
 * deno task bench:inverse                    # n = 4000
 * deno task bench:inverse --numpy            # and NumPy on the same matrix
 * deno task bench:inverse --n 8272 --no-js   # ml-latest-small's watched movies
 * ```
 *
 * Flags: `--n N` (4000), `--seed N` (42), `--numpy`, `--no-js` (skip the JavaScript sweep, minutes
 * at large n); `--help` lists them ({@linkcode USAGE}), and a bad flag or value is one line on
 * stderr and exit status 2. Output: one line per method, then one JSON line with `n`, `kernels`,
 * `js_seconds`, `native_1_seconds`, `native_seconds`, `native_threads`, `thread_speedup`,
 * `native_vs_js`, `residual` (max |A·x − e_j| over 16 columns of the native inverse), `bits_equal`
 * (the inverses of one thread, of every core and of JavaScript equal to the bit), and with `--numpy` `numpy_seconds`,
 * `numpy_vs_native` (NumPy's time / ours) and `numpy_max_difference` (largest difference from
 * NumPy's inverse, relative to its largest entry).
 *
 * @module
 */

import { setupBackend } from "../lib/train/backend.ts";
import {
  nativeKernels,
  nativeKernelsStatus,
  setNativeKernels,
} from "../lib/train/kernels/_native.ts";
import { invertSpd } from "../lib/train/kernels/spd_inverse.ts";
import { createRng, MAX_SEED } from "../lib/random.ts";
import { PYTHON, runPython } from "./_machine.ts";
import { FlagReader, readCommandLine } from "../tools/_cli.ts";
import { cleanUpOnSignals, withTemporary } from "../tools/_cleanup.ts";

/**
 * The largest order `--n` takes: the bench holds up to five n × n float64 matrices (the input,
 * and the JavaScript, one-thread, all-core and NumPy inverses), 2 GiB each at this order.
 */
export const MAX_ORDER = 16384;

/** The help text of `deno task bench:inverse`. */
export const USAGE = `Usage: deno task bench:inverse [flags]

Times EASE's matrix inverse (invertSpd) on a random Gram-like matrix of order n: the
JavaScript sweep, the native kernels on one thread and on every core, and optionally NumPy's
inv on the same matrix; prints a line per method and one JSON line last.

Flags:
  --n N        order of the matrix, 1 ≤ N ≤ ${MAX_ORDER} (default: 4000; a matrix takes
               8·N² bytes, 2 GiB at ${MAX_ORDER}, and the bench holds up to five)
  --seed N     seed of the matrix, 0 ≤ N ≤ ${MAX_SEED} (default: 42)
  --numpy      also time NumPy's numpy.linalg.inv (/usr/bin/python3)
  --no-js      leave out the JavaScript sweep (minutes at large n)
  -h, --help   show this text

A value follows its flag or is joined to it by "=" (--n=8272). Numbers are plain decimals;
each flag is given once. A bad command line is one line on stderr and exit status 2.`;

/** Parsed command line. */
export interface InverseBenchArgs {
  /** Order of the matrix. */
  n: number;
  /** Seed of the matrix. */
  seed: number;
  /** Also time NumPy. */
  numpy: boolean;
  /** Time the JavaScript sweep. */
  js: boolean;
}

/**
 * Parses the bench's flags.
 *
 * @param args The arguments.
 * @returns The flags.
 * @throws {TypeError} On an unknown flag, a missing value or a flag given twice.
 * @throws {RangeError} On a bad number (`--n` above {@linkcode MAX_ORDER} included).
 * @example
 * ```ts
 * import { parseInverseBenchArgs } from "./inverse_bench.ts";
 * console.log(parseInverseBenchArgs(["--n", "500", "--numpy"]).n); // 500
 * ```
 */
export function parseInverseBenchArgs(args: string[]): InverseBenchArgs {
  const out: InverseBenchArgs = { n: 4000, seed: 42, numpy: false, js: true };
  const read = new FlagReader(args);
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    if (flag === "--n") out.n = read.integer(1, MAX_ORDER);
    else if (flag === "--seed") out.seed = read.integer(0, MAX_SEED);
    else if (flag === "--numpy") out.numpy = true;
    else if (flag === "--no-js") out.js = false;
    else read.unknown();
  }
  return out;
}

/**
 * A Gram-like symmetric positive-definite matrix: about a fifth of the entries off the diagonal
 * are small counts, the diagonal dominates (so the matrix is well conditioned).
 *
 * @param n Order.
 * @param seed Seed.
 * @returns Row-major n × n.
 */
export function gramLike(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (rng.next() < 0.2) a[i * n + j] = a[j * n + i] = Math.floor(rng.next() * 5);
    }
    a[i * n + i] = n + 200;
  }
  return a;
}

function seconds(run: () => void): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

/** Max |A·x_j − e_j| over `columns` columns of the inverse X. */
function residual(a: Float64Array, x: Float64Array, n: number, columns = 16): number {
  let worst = 0;
  for (let c = 0; c < Math.min(columns, n); c++) {
    const j = Math.floor((c * n) / Math.min(columns, n));
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * x[k * n + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

async function numpyInverse(a: Float64Array, n: number) {
  // Removed afterwards, and also on Ctrl-C or SIGTERM (with the Python child stopped).
  return await withTemporary({ folder: true, prefix: "inverse_bench_" }, async (dir) => {
    const input = `${dir}/a.bin`, output = `${dir}/x.bin`;
    await Deno.writeFile(input, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const script = [
      "import json, sys, time, numpy as np",
      `a = np.fromfile(${JSON.stringify(input)}, dtype='<f8').reshape(${n}, ${n})`,
      "t = time.perf_counter(); x = np.linalg.inv(a); s = time.perf_counter() - t",
      `x.astype('<f8').tofile(${JSON.stringify(output)})`,
      "print(json.dumps({'seconds': s, 'numpy': np.__version__}))",
    ].join("\n");
    const out = await runPython(["-c", script]);
    if (!out.success) {
      const why = out.stderr.trim().split("\n").at(-1);
      throw new Error(`inverse_bench: ${PYTHON} with NumPy failed: ${why}`);
    }
    const result = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    const x = new Float64Array((await Deno.readFile(output)).buffer);
    return { seconds: result.seconds as number, version: result.numpy as string, x };
  });
}

if (import.meta.main) {
  const args = readCommandLine(Deno.args, USAGE, parseInverseBenchArgs);
  cleanUpOnSignals("stopping NumPy's run and removing its temporary folder…");
  try {
    await setupBackend();
    const native = nativeKernels();
    const n = args.n;
    console.log(
      `invertSpd, n = ${n} (${nativeKernelsStatus()}, ${navigator.hardwareConcurrency} cores)`,
    );
    const a = gramLike(n, args.seed);
    const result: Record<string, unknown> = { n, kernels: nativeKernelsStatus() };
    let js: Float64Array | null = null;
    if (args.js) {
      setNativeKernels(false);
      js = a.slice();
      result.js_seconds = seconds(() => invertSpd(js!, n));
      setNativeKernels(true);
      console.log(`  JavaScript sweep:       ${(result.js_seconds as number).toFixed(2)} s`);
    }
    if (!native?.sweep) {
      throw new Error(`inverse_bench: the native kernels did not load: ${nativeKernelsStatus()}`);
    }
    const threads = native.sweepThreads(n);
    const one = a.slice();
    Deno.env.set("NATIVE_KERNELS_THREADS", "1");
    result.native_1_seconds = seconds(() => invertSpd(one, n));
    Deno.env.delete("NATIVE_KERNELS_THREADS");
    console.log(`  native, 1 thread:       ${(result.native_1_seconds as number).toFixed(2)} s`);
    const x = a.slice();
    result.native_seconds = seconds(() => invertSpd(x, n));
    result.native_threads = threads;
    console.log(
      `  native, ${threads} threads:      ${(result.native_seconds as number).toFixed(2)} s`,
    );
    result.thread_speedup = (result.native_1_seconds as number) / (result.native_seconds as number);
    const same = (p: Float64Array, q: Float64Array) => {
      const u = new Uint32Array(p.buffer), v = new Uint32Array(q.buffer);
      return u.every((bits, i) => bits === v[i]);
    };
    result.bits_equal = same(one, x) && (js === null || same(js, x));
    if (js) result.native_vs_js = (result.js_seconds as number) / (result.native_seconds as number);
    result.residual = residual(a, x, n);
    if (args.numpy) {
      const np = await numpyInverse(a, n);
      result.numpy_seconds = np.seconds;
      result.numpy_vs_native = np.seconds / (result.native_seconds as number);
      let diff = 0, top = 0;
      for (let i = 0; i < n * n; i++) {
        diff = Math.max(diff, Math.abs(np.x[i] - x[i]));
        top = Math.max(top, Math.abs(np.x[i]));
      }
      result.numpy_max_difference = diff / top;
      console.log(`  NumPy ${np.version}, inv: ${np.seconds.toFixed(2)} s`);
    }
    console.log(JSON.stringify(result));
  } catch (e) {
    console.error(e instanceof Error ? `error: ${e.message}` : e);
    Deno.exit(1);
  }
}
