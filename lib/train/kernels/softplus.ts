/**
 * tfjs' `Softplus` on the native library's cores. BPR's loss, `softplus(s⁻ − s⁺)` over every
 * sampled negative (87,000 values a step on ml-100k), spent a third of a training step in the
 * WebAssembly kernel (13 to 20 ns a value: musl's `expf` and `log`, one value at a time). The
 * native `softplus` of `native_kernels.c` computes the same formula: its exponentials are the
 * native `exp` of `exp.ts` (the WebAssembly build's `expf` to the bit, in vectors), its logarithm
 * the system's `log` (glibc's uses musl's algorithm), the values spread over the cores.
 *
 * So the bits depend on the machine's libm, and are checked three ways. `bench/unary_bench.ts
 * softplus --all` compares the two kernels on every float32 input: with glibc 2.36 none differs
 * (with glibc's `expf` instead of the native `exp`, one did: −63.09946, where glibc's fused
 * multiply-adds round otherwise). Before its first use the native kernel runs on a probe of
 * 65,542 values (both signs, every power of two from 2⁻³¹ to 2⁴, varied mantissas, the branch
 * points, ±0, ±∞, NaN) beside the WebAssembly kernel, and any difference leaves the WebAssembly
 * kernel in charge for the rest of the run (said once on stderr). And the tests compare both on a
 * million values and train BPR both ways to the same weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type ElementwiseArgs,
  nativeKernels,
  type NativeSoftplusFn,
  runElementwise,
} from "./_native.ts";
import { heapF32, offsetOf, type WasmBackend, wasmContext } from "./_wasm.ts";

/**
 * The threshold below which softplus is e^x, as tfjs computes it (`logf(ε) + 2` in float); the
 * probe holds it and its negative, where the formula changes branch.
 */
export const SOFTPLUS_THRESHOLD = Math.fround(Math.fround(Math.log(2 ** -23)) + 2);

/** The values the native kernel must reproduce before it runs (see the module doc). */
export function softplusProbe(): Float32Array {
  const bits = new Uint32Array(65_536 + 6);
  // 0x30000000 is 2⁻³¹, and 32,768 odd steps of 8,963 reach just past 16 (0x41800000).
  for (let k = 0; k < 32_768; k++) {
    bits[2 * k] = 0x30000000 + k * 8_963;
    bits[2 * k + 1] = (0xb0000000 + k * 8_963) >>> 0;
  }
  const t = SOFTPLUS_THRESHOLD;
  const specials = new Float32Array([t, -t, -0, Infinity, -Infinity, NaN]);
  bits.set(new Uint32Array(specials.buffer), 65_536);
  return new Float32Array(bits.buffer);
}

/** Whether the loaded native softplus gave the WebAssembly kernel's bits on the probe. */
let verdict: { fn: NativeSoftplusFn; same: boolean } | null = null;

/** Runs the probe through both kernels on `backend` and compares their bits. */
function sameBits(b: WasmBackend, stock: tf.KernelConfig, native: NativeSoftplusFn): boolean {
  const { memory } = wasmContext(b);
  const values = softplusProbe(), n = values.length;
  const x = b.makeOutput([n], "float32");
  heapF32(memory, offsetOf(b, x.dataId), n).set(values);
  const ref = stock.kernelFunc({ inputs: { x }, backend: b, attrs: {} }) as tf.TensorInfo;
  const out = runElementwise(b, x, native);
  const want = new Uint32Array(memory.buffer, offsetOf(b, ref.dataId), n);
  const got = new Uint32Array(memory.buffer, offsetOf(b, out.dataId), n);
  const first = want.findIndex((bits, i) => bits !== got[i]);
  if (first >= 0) {
    const f32 = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];
    console.warn(
      `Softplus: the native kernel gave ${f32(got[first])} where the WebAssembly kernel gives ` +
        `${f32(want[first])} (softplus of ${values[first]}); this machine's libm differs from ` +
        "the one tfjs was built with, so the WebAssembly kernel runs (the same results, slower)",
    );
  }
  for (const t of [x, ref, out]) b.disposeData(t.dataId);
  return first < 0;
}

/**
 * Which softplus runs: `"native"`, `"wasm"` (no native library, or switched off), `"wasm (the
 * native kernel differs on this machine)"`, or `"not checked yet"` before the first call.
 *
 * @example
 * ```ts
 * import { nativeSoftplusStatus } from "./softplus.ts";
 * import { assert } from "@std/assert";
 * assert(["native", "wasm", "not checked yet"].includes(nativeSoftplusStatus().split(" (")[0]));
 * ```
 */
export function nativeSoftplusStatus(): string {
  const native = nativeKernels()?.softplus ?? null;
  if (native === null) return "wasm";
  if (verdict === null || verdict.fn !== native) return "not checked yet";
  return verdict.same ? "native" : "wasm (the native kernel differs on this machine)";
}

/**
 * Wraps the stock WASM `Softplus` so that float32 inputs run on the native library when it is
 * loaded and agrees with the stock kernel on the probe; everything else goes to the stock kernel.
 *
 * @param stock The config tfjs registers for `Softplus` on `"wasm"` (from `tf.getKernel`).
 * @returns A config to register in its place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastSoftplusKernel } from "./softplus.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(fastSoftplusKernel(tf.getKernel(tf.Softplus, "wasm")!).backendName, "wasm");
 * ```
 */
export function fastSoftplusKernel(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: ElementwiseArgs) => {
    const viaStock = () => stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { x } = args.inputs;
    const native = nativeKernels()?.softplus ?? null;
    if (native === null || x.dtype !== "float32" || x.shape.includes(0)) return viaStock();
    const { backend: b } = wasmContext(args.backend);
    if (verdict === null || verdict.fn !== native) {
      verdict = { fn: native, same: sameBits(b, stock, native) };
    }
    return verdict.same ? runElementwise(b, x, native) : viaStock();
  };
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
