/**
 * A zero-copy `Identity` for the WASM backend. tfjs runs `Identity` for every `clone()`, and
 * the engine clones each tensor an op saves for its gradient; the stock WASM kernel copies the
 * data each time (two copies of each 134k-parameter table per step of the seed-003 model).
 * Here the output shares the input's buffer with a reference count, as the CPU backend's
 * `Identity` and the WASM `Reshape` already do. tfjs never writes a buffer in place, and the
 * fused optimizer copies a shared buffer before updating it, so sharing is safe.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkWasmInternals, kernelConfig } from "./_wasm.ts";

/** The name tfjs gives the kernel. */
export const IDENTITY = "Identity";

function identityWasm(
  { inputs, backend }: { inputs: { x: tf.TensorInfo }; backend: tf.KernelBackend },
): tf.TensorInfo {
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
export const identityKernels: tf.KernelConfig[] = [kernelConfig(IDENTITY, "wasm", identityWasm)];
