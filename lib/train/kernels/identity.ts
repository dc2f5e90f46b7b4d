/**
 * A zero-copy `Identity` for the WASM backend. tfjs runs `Identity` for every `clone()`, and
 * the engine clones each tensor an op saves for its gradient; the stock WASM kernel copies the
 * data each time (two copies of each 134k-parameter table per step of the seed-003 model).
 * Here the output shares the input's buffer with a reference count, as the CPU backend's
 * `Identity` and the WASM `Reshape` already do. A `Cast` to the dtype a tensor already has
 * (the gradient of every product casts the other factor to float32) shares it the same way,
 * as the CPU backend's `Cast` does; a cast to another dtype runs the stock kernel. tfjs never
 * writes a buffer in place, and the fused optimizer copies a shared buffer before updating it,
 * so sharing is safe.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkWasmInternals, kernelConfig } from "./_wasm.ts";

/** What tfjs passes `Cast` (`Identity` gets the same without attributes). */
interface CastArgs {
  inputs: { x: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

function identityWasm({ inputs, backend }: CastArgs): tf.TensorInfo {
  checkWasmInternals(backend);
  const { x } = inputs;
  if (x.dtype === "string") {
    return tf.tensor(backend.readSync(x.dataId) as Uint8Array[], x.shape, x.dtype);
  }
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Kernel config of the zero-copy `Identity` on the WASM backend, for `tf.registerKernel`
 * (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { identityKernels } from "./identity.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(identityKernels[0].backendName, "wasm", "wrong backend");
 * ```
 */
export const identityKernels: tf.KernelConfig[] = [kernelConfig(tf.Identity, "wasm", identityWasm)];

/**
 * The WASM `Cast` with a zero-copy path: a cast to the tensor's own dtype shares its buffer
 * (as {@linkcode identityKernels}), any other runs `stock`.
 *
 * @param stock The stock `Cast` config for `wasm` (from `tf.getKernel`).
 * @returns The config to register in its place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastCastKernel } from "./identity.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(fastCastKernel(tf.getKernel(tf.Cast, "wasm")!).kernelName, "Cast");
 * ```
 */
export function fastCastKernel(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: CastArgs) =>
    args.attrs?.dtype === args.inputs.x.dtype
      ? identityWasm(args)
      : stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
