/**
 * Activations and rescaling as stock layers write them. tfjs computes the sigmoid's gradient
 * from three kernels (`1 − y`, `y · (1 − y)`, `dy · …`); here it is one (`SigmoidGrad`, the
 * same float32 operations in the same order, so the same numbers), registered as the
 * gradient of `Sigmoid`. A `Rescaling` layer (`x · scale + offset`, tfjs' `mul` then `add`)
 * becomes one `ScaleShift` kernel whose gradient is one more (`dy · scale`). A `Flatten` layer
 * becomes one `Reshape` kernel (no copy on these backends). An `Activation` layer is left as
 * tfjs writes it: its sigmoid, relu or tanh already is one kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  fieldsOf,
  firstInput,
  type FlattenFields,
  invokeCallHook,
  replaceLayerCall,
  type RescalingFields,
} from "../../_tfjs_internals.ts";
import { checkCpuInternals, cpuValues, kernelConfig, offsetOf, wasmContext } from "./_wasm.ts";

/** The name of the sigmoid-gradient kernel: `dy · y · (1 − y)` from the output `y`. */
export const SIGMOID_GRAD = "SigmoidGrad";
/** The name of the affine kernel: `x · scale + shift`. */
export const SCALE_SHIFT = "ScaleShift";

interface Args {
  inputs: { x?: tf.TensorInfo; y?: tf.TensorInfo; dy?: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const f = Math.fround;

function sigmoidGradCpu({ inputs, backend }: Args): tf.TensorInfo {
  checkCpuInternals(backend);
  const y = cpuValues(backend, inputs.y!.dataId), dy = cpuValues(backend, inputs.dy!.dataId);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = dy[i] * f(y[i] * f(1 - y[i]));
  return backend.makeTensorInfo(inputs.y!.shape, "float32", out);
}

function sigmoidGradWasm({ inputs, backend }: Args): tf.TensorInfo {
  const { backend: b, kernels } = wasmContext(backend);
  const out = b.makeOutput(inputs.y!.shape, "float32");
  kernels.sigmoid_grad(
    offsetOf(b, inputs.dy!.dataId),
    offsetOf(b, inputs.y!.dataId),
    offsetOf(b, out.dataId),
    size(inputs.y!.shape),
  );
  return out;
}

function scaleShiftCpu({ inputs, backend, attrs }: Args): tf.TensorInfo {
  checkCpuInternals(backend);
  const x = cpuValues(backend, inputs.x!.dataId);
  const scale = attrs?.scale as number, shift = attrs?.shift as number;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i] * scale) + shift;
  return backend.makeTensorInfo(inputs.x!.shape, "float32", out);
}

function scaleShiftWasm({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { backend: b, kernels } = wasmContext(backend);
  const out = b.makeOutput(inputs.x!.shape, "float32");
  kernels.scale_shift(
    offsetOf(b, inputs.x!.dataId),
    size(inputs.x!.shape),
    attrs?.scale as number,
    attrs?.shift as number,
    offsetOf(b, out.dataId),
  );
  return out;
}

/**
 * Kernel configs of the sigmoid gradient and the affine map (CPU and WASM), for
 * `tf.registerKernel` (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { activationKernels } from "./activation.ts";
 * assertEquals(activationKernels.length, 4);
 * ```
 */
export const activationKernels: tf.KernelConfig[] = [
  kernelConfig(SIGMOID_GRAD, "cpu", sigmoidGradCpu),
  kernelConfig(SIGMOID_GRAD, "wasm", sigmoidGradWasm),
  kernelConfig(SCALE_SHIFT, "cpu", scaleShiftCpu),
  kernelConfig(SCALE_SHIFT, "wasm", scaleShiftWasm),
];

/**
 * The gradient of `Sigmoid` as one kernel where the backend has it, else tfjs' formula
 * (replaces tfjs' gradient; register with `tf.registerGradient`, done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sigmoidGradient } from "./activation.ts";
 * assertEquals(sigmoidGradient.kernelName, "Sigmoid");
 * ```
 */
export const sigmoidGradient: tf.GradConfig = {
  kernelName: tf.Sigmoid,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    if (tf.getKernel(SIGMOID_GRAD, tf.getBackend()) === undefined) {
      return { x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(tf.scalar(1), y))) };
    }
    return {
      x: () => tf.engine().runKernel(SIGMOID_GRAD, { y, dy: dy as tf.Tensor }) as tf.Tensor,
    };
  },
};

/**
 * The gradient of `ScaleShift`: `dy · scale`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { scaleShiftGradient } from "./activation.ts";
 * assertEquals(scaleShiftGradient.kernelName, "ScaleShift");
 * ```
 */
export const scaleShiftGradient: tf.GradConfig = {
  kernelName: SCALE_SHIFT,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => scaleShift(dy as tf.Tensor, attrs?.scale as number, 0),
  }),
};

/**
 * `x · scale + shift` as one op (tfjs' `add(mul(x, scale), shift)`, same float32 result),
 * differentiable in `x`.
 *
 * @param x A float32 tensor.
 * @param scale The factor.
 * @param shift The offset.
 * @returns The affine map of `x`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { setupBackend } from "../backend.ts";
 * import { scaleShift } from "./activation.ts";
 * await setupBackend({ backend: "cpu" });
 * assertEquals(Array.from(scaleShift(tf.tensor1d([0, 0.5, 1]), 5.5, 0.5).dataSync()), [0.5, 3.25, 6]);
 * ```
 */
export function scaleShift(x: tf.Tensor, scale: number, shift: number): tf.Tensor {
  if (x.dtype !== "float32" || tf.getKernel(SCALE_SHIFT, tf.getBackend()) === undefined) {
    return tf.tidy(() => tf.add(tf.mul(tf.cast(x, "float32"), scale), shift));
  }
  return tf.engine().runKernel(SCALE_SHIFT, { x }, { scale, shift }) as tf.Tensor;
}

const fastBackend = () => {
  const name = tf.getBackend();
  return name === "wasm" || name === "cpu";
};

let installed = false;

/**
 * Makes tfjs-layers' `Rescaling` run {@linkcode scaleShift} on float32 inputs and `Flatten` one
 * `Reshape`, on the CPU and WASM backends (idempotent; done by `setupBackend()`).
 *
 * @returns Whether this call installed them.
 * @example
 * ```ts
 * import { installFastLayerCalls } from "./activation.ts";
 * import { assertEquals } from "@std/assert";
 * installFastLayerCalls();
 * assertEquals(installFastLayerCalls(), false, "the second call should do nothing");
 * ```
 */
export function installFastLayerCalls(): boolean {
  if (installed) return false;
  replaceLayerCall("Rescaling", (stock) =>
    function (inputs, kwargs) {
      const x = firstInput(inputs);
      if (x.dtype !== "float32" || !fastBackend()) return stock.call(this, inputs, kwargs);
      const { scale, offset } = fieldsOf<RescalingFields>(this);
      invokeCallHook(this, inputs, kwargs);
      return scaleShift(x, scale, offset);
    });
  replaceLayerCall("Flatten", (stock) =>
    function (inputs, kwargs) {
      const x = firstInput(inputs);
      const channelsFirst = fieldsOf<FlattenFields>(this).dataFormat === "channelsFirst";
      if (x.rank < 2 || (channelsFirst && x.rank > 2) || !fastBackend()) {
        return stock.call(this, inputs, kwargs);
      }
      invokeCallHook(this, inputs, kwargs);
      const shape = [x.shape[0], x.size / Math.max(1, x.shape[0])];
      return tf.util.arraysEqual(shape, x.shape)
        ? x
        : tf.engine().runKernel(tf.Reshape, { x }, { shape }) as tf.Tensor;
    });
  installed = true;
  return true;
}
