/**
 * Benchmark and bit check of the native softplus (`lib/train/kernels/softplus.ts`), BPR's loss
 * function: tfjs' `softplus` over the values of one BPR step on ml-100k (87,000: 64 users, about
 * 85 training movies each, 16 negatives per movie), timed with the WebAssembly kernel and with
 * the native one; then the two compared on float32 inputs spread evenly over every bit pattern
 * (every 256th pattern, 16.8 million values), or with `--all` on every one of the 2³² patterns
 * (NaNs, infinities and subnormals included; about seven minutes), counting the outputs whose
 * bits differ from the WebAssembly kernel's: as `tf.softplus` gives them (a tensor with an input
 * below the e^x threshold runs on the WebAssembly kernel whole), and as the native kernel alone
 * computes them, the e^x branch included.
 *
 * ```sh
 * deno task bench:softplus          # timing, and every 256th float32
 * deno task bench:softplus --all    # timing, and every float32
 * ```
 *
 * Output: two timing lines and two check lines, then one JSON line with `kernel` (the native
 * softplus' status), `values` (per call), `wasm_ns_per_value`, `native_ns_per_value`, `speedup`,
 * `threads`, `checked` (inputs compared), `differing` (outputs of `tf.softplus` whose bits
 * differ), `native_differing` (outputs of the native kernel alone whose bits differ) and
 * `first_native_difference` (the first such input's bits, or null).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../lib/train/backend.ts";
import {
  nativeKernels,
  type NativeSoftplusFn,
  setNativeKernels,
} from "../lib/train/kernels/_native.ts";
import { nativeSoftplusStatus } from "../lib/train/kernels/softplus.ts";
import { createRng } from "../lib/random.ts";

/** Values of one BPR step on ml-100k: 64 users × ~85 positives × 16 negatives. */
export const STEP_VALUES = 87_000;

/**
 * Parses the bench's flags.
 *
 * @param args The arguments.
 * @returns Whether every float32 is checked.
 * @throws {RangeError} On an unknown flag.
 * @example
 * ```ts
 * import { parseSoftplusBenchArgs } from "./softplus_bench.ts";
 * console.log(parseSoftplusBenchArgs(["--all"]).all); // true
 * ```
 */
export function parseSoftplusBenchArgs(args: string[]): { all: boolean } {
  let all = false;
  for (const arg of args) {
    if (arg === "--all") all = true;
    else throw new RangeError(`softplus_bench: unknown flag "${arg}" (known: --all)`);
  }
  return { all };
}

/** Nanoseconds a value of tf.softplus over `x`, median of 7 timings of 50 calls. */
function timeSoftplus(x: tf.Tensor, native: boolean): number {
  setNativeKernels(native);
  try {
    tf.dispose(tf.softplus(x));
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) tf.dispose(tf.softplus(x));
      times.push((performance.now() - t0) / 50 * 1e6 / x.size);
    }
    return times.sort((a, b) => a - b)[3];
  } finally {
    setNativeKernels(true);
  }
}

/**
 * The bits of `tf.softplus` over `values`, with the native kernels on or off (then on again).
 *
 * @param values The inputs.
 * @param native Whether the native kernels may run.
 * @returns The outputs' bit patterns.
 * @example
 * ```ts
 * import { setupBackend } from "../lib/train/backend.ts";
 * import { softplusBits } from "./softplus_bench.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "wasm" });
 * const x = new Float32Array([0, 1, -2]);
 * assertEquals(softplusBits(x, true), softplusBits(x, false));
 * ```
 */
export function softplusBits(values: Float32Array, native: boolean): Uint32Array {
  setNativeKernels(native);
  const x = tf.tensor1d(values), y = tf.softplus(x);
  try {
    return new Uint32Array((y.dataSync() as Float32Array).slice().buffer);
  } finally {
    tf.dispose([x, y]);
    setNativeKernels(true);
  }
}

/** Compares both kernels on the bit patterns `0, step, 2·step, …` below 2³². */
function compareAll(step: number, native: NativeSoftplusFn) {
  const chunk = 1 << 22;
  const total = 2 ** 32 / step;
  let differing = 0, nativeDiffering = 0, checked = 0, first: number | null = null;
  const patterns = new Uint32Array(chunk), raw = new Float32Array(chunk);
  const rawBits = new Uint32Array(raw.buffer);
  for (let start = 0; start < total; start += chunk) {
    const n = Math.min(chunk, total - start);
    for (let i = 0; i < n; i++) patterns[i] = (start + i) * step;
    const values = new Float32Array(patterns.buffer, 0, n);
    const a = softplusBits(values, true), b = softplusBits(values, false);
    native(Deno.UnsafePointer.of(values), Deno.UnsafePointer.of(raw), n);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) differing++;
      if (rawBits[i] !== b[i]) {
        nativeDiffering++;
        first ??= patterns[i];
      }
    }
    checked += n;
  }
  return { checked, differing, nativeDiffering, first };
}

if (import.meta.main) {
  const { all } = parseSoftplusBenchArgs(Deno.args);
  await setupBackend({ backend: "wasm" });
  const lib = nativeKernels();
  const rng = createRng(42);
  // Score differences of a trained BPR model lie within a few units of 0.
  const x = tf.tensor1d(Float32Array.from({ length: STEP_VALUES }, () => 3 * rng.normal()));
  tf.dispose(tf.softplus(x)); // the probe runs here, before any timing
  const wasm = timeSoftplus(x, false);
  console.log(`wasm    ${wasm.toFixed(2)} ns a value (${STEP_VALUES} values a call)`);
  const native = lib ? timeSoftplus(x, true) : NaN;
  const threads = lib ? lib.sweepThreads(1 << 30) : 0;
  console.log(
    lib
      ? `native  ${
        native.toFixed(2)
      } ns a value (${nativeSoftplusStatus()}, up to ${threads} threads)`
      : `native  not loaded (${nativeSoftplusStatus()})`,
  );
  tf.dispose(x);
  // Only a native kernel that passed its probe runs; otherwise both sides would be the same.
  const check = lib && nativeSoftplusStatus() === "native"
    ? compareAll(all ? 1 : 256, lib.softplus)
    : { checked: 0, differing: 0, nativeDiffering: 0, first: null };
  const of = `of ${check.checked.toLocaleString("en")} inputs differ`;
  console.log(`bits    tf.softplus: ${check.differing} ${of}`);
  console.log(
    `bits    native kernel alone: ${check.nativeDiffering} ${of}` +
      (check.first === null
        ? ""
        : ` (first: 0x${check.first.toString(16)}, ${
          new Float32Array(new Uint32Array([check.first]).buffer)[0]
        })`),
  );
  console.log(JSON.stringify({
    kernel: nativeSoftplusStatus(),
    values: STEP_VALUES,
    wasm_ns_per_value: Number(wasm.toFixed(3)),
    native_ns_per_value: Number(native.toFixed(3)),
    speedup: Number((wasm / native).toFixed(2)),
    threads,
    checked: check.checked,
    differing: check.differing,
    native_differing: check.nativeDiffering,
    first_native_difference: check.first,
  }));
}
