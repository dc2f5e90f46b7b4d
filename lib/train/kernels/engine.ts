/**
 * Cheaper saved tensors. While a gradient tape records, tfjs keeps every tensor an op needs
 * for its gradient by cloning it: a full `Identity` kernel launch plus a tape node of its own,
 * per saved tensor (19 per training step of the seed-004 concat-MLP, about 15% of its CPU
 * time). {@linkcode installFastSaves} makes that clone a plain reference-counted handle on
 * the same buffer — what the CPU backend's `Identity` (and the zero-copy WASM one of
 * `./identity.ts`) produce anyway — without the kernel launch and the tape node. Higher-order
 * gradients (a tape inside a tape), which need the clone's tape node, and other backends keep
 * tfjs' code.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

interface EngineInternals {
  state: {
    gradientDepth: number;
    tensorInfo: Map<object, { backend: tf.KernelBackend }>;
  };
  backendName: string;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
}

const FAST_BACKENDS = new Set(["cpu", "wasm"]);
let installed = false;

/**
 * Replaces the engine's saving of tensors for gradients with reference-counted handles
 * (idempotent; done by `setupBackend()`).
 *
 * @returns Whether this call installed it (false when already done).
 * @example
 * ```ts
 * import { installFastSaves } from "./engine.ts";
 * installFastSaves();
 * if (installFastSaves()) throw new Error("the second call should do nothing");
 * ```
 */
export function installFastSaves(): boolean {
  if (installed) return false;
  const engine = tf.engine() as unknown as EngineInternals;
  const proto = Object.getPrototypeOf(engine) as EngineInternals;
  const stock = proto.saveTensorsForBackwardMode;
  if (typeof stock !== "function" || typeof proto.makeTensorFromTensorInfo !== "function") {
    throw new TypeError(
      `installFastSaves(): expected the tfjs ${tf.version_core} engine internals ` +
        "(saveTensorsForBackwardMode, makeTensorFromTensorInfo)",
    );
  }
  proto.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]) {
    if (this.state.gradientDepth > 1 || !FAST_BACKENDS.has(this.backendName)) {
      return stock.call(this, tensors);
    }
    return tensors.map((t) => {
      const info = this.state.tensorInfo.get(t.dataId);
      if (info === undefined) return stock.call(this, [t])[0];
      info.backend.incRef(t.dataId);
      const handle = this.makeTensorFromTensorInfo(
        { dataId: t.dataId, shape: t.shape, dtype: t.dtype },
        info.backend,
      );
      return this.keep(handle);
    });
  };
  installed = true;
  return true;
}
