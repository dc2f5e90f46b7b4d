/**
 * tfjs' `Exp` in the native library's vectors. The softmax loss of ranking models exponentiates
 * its whole score matrix twice a step (`logSoftmax` forward, then its gradient), 107,648 values
 * a call on ml-100k at 64 users a step, and the WebAssembly kernel spends 2.3 to 4 ns a value on
 * them (musl's `expf`, one value at a time; `tf.profile` put them at a fifth of a softmax epoch).
 * The native `exp_*` functions of `native_kernels.c` compute the same algorithm, step by step in
 * double, eight or sixteen values at a time: 0.38 ns a value with AVX-512 (0.67 through `tf.exp`),
 * and a softmax epoch 9 to 15 % shorter (`bench/unary_bench.ts exp --train`).
 *
 * The native kernel gets the WebAssembly kernel's bits from its own code, not from a libm: every
 * step is one IEEE operation in the reference's order, with no fused multiply-add, so the bits do
 * not depend on the machine and there is no probe (unlike `softplus.ts`, whose `expf` and `log`
 * are the system's).
 * `bench/unary_bench.ts exp --all` compares every variant with the WebAssembly kernel on all
 * 2³² float32 inputs (none differs, NaN payloads included), and the tests compare them on a
 * million draws, a million bit patterns and the branch points, and train a softmax model both ways
 * to the same weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ElementwiseArgs, nativeKernels, runElementwise } from "./_native.ts";
import { wasmContext } from "./_wasm.ts";

/**
 * Wraps the stock WASM `Exp` so that float32 inputs run on the native library when it is loaded
 * (and not switched off); everything else goes to the stock kernel.
 *
 * @param stock The config tfjs registers for `Exp` on `"wasm"` (from `tf.getKernel`).
 * @returns A config to register in its place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastExpKernel } from "./exp.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(fastExpKernel(tf.getKernel(tf.Exp, "wasm")!).kernelName, "Exp");
 * ```
 */
export function fastExpKernel(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: ElementwiseArgs) => {
    const { x } = args.inputs;
    const native = nativeKernels()?.exp ?? null;
    if (native === null || x.dtype !== "float32" || x.shape.includes(0)) {
      return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    return runElementwise(wasmContext(args.backend).backend, x, native);
  };
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
