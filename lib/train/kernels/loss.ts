/**
 * Mean squared and mean absolute error as single ops with their own gradient. tfjs builds
 * `mean(squaredDifference(p, y))` from two kernels forward, three saved-tensor clones and six
 * kernels backward; at batch 100 those eleven kernel launches cost about as much as the whole
 * fused dot-bias model. Here it is one kernel forward (two clones) and one backward. The
 * arithmetic is the same (float32 residuals, the mean over every element), so losses match
 * the stock ops to rounding. Shapes must match exactly; otherwise the stock ops run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  checkCpuInternals,
  cpuValues,
  heapF32,
  kernelConfig,
  offsetOf,
  wasmContext,
} from "./_wasm.ts";

/** The name of the forward kernel. */
export const FUSED_LOSS = "FusedRegressionLoss";
/** The name of the backward kernel. */
export const FUSED_LOSS_GRAD = "FusedRegressionLossGrad";

type LossKind = "mse" | "mae";

interface LossArgs {
  inputs: { yTrue: tf.TensorInfo; yPred: tf.TensorInfo; dy?: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

const size = (shape: number[]) => shape.reduce((a, c) => a * c, 1);

/** The mean loss over all elements, accumulated in float64 from float32 residuals. */
function lossValue(kind: LossKind, y: ArrayLike<number>, p: ArrayLike<number>): number {
  let sum = 0;
  if (kind === "mse") {
    for (let i = 0; i < p.length; i++) {
      const r = Math.fround(p[i] - y[i]);
      sum += r * r;
    }
  } else {
    for (let i = 0; i < p.length; i++) sum += Math.abs(Math.fround(p[i] - y[i]));
  }
  return p.length > 0 ? sum / p.length : NaN;
}

/** Writes d(loss)/d(yPred) times `dy` into `out`. */
function lossGrad(
  kind: LossKind,
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  dy: number,
  out: Float32Array,
): void {
  const scale = dy / p.length;
  if (kind === "mse") {
    for (let i = 0; i < p.length; i++) out[i] = 2 * scale * Math.fround(p[i] - y[i]);
  } else {
    for (let i = 0; i < p.length; i++) out[i] = scale * Math.sign(p[i] - y[i]);
  }
}

function forwardCpu({ inputs, backend, attrs }: LossArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const v = (t: tf.TensorInfo) => cpuValues(backend, t.dataId);
  const value = lossValue(attrs?.kind as LossKind, v(inputs.yTrue), v(inputs.yPred));
  return backend.makeTensorInfo([], "float32", Float32Array.of(value));
}

function backwardCpu({ inputs, backend, attrs }: LossArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const v = (t: tf.TensorInfo) => cpuValues(backend, t.dataId);
  const out = new Float32Array(size(inputs.yPred.shape));
  lossGrad(attrs?.kind as LossKind, v(inputs.yTrue), v(inputs.yPred), v(inputs.dy!)[0], out);
  return backend.makeTensorInfo(inputs.yPred.shape, "float32", out);
}

function forwardWasm({ inputs, backend, attrs }: LossArgs): tf.TensorInfo {
  const { backend: b, memory } = wasmContext(backend);
  const out = b.makeOutput([], "float32");
  const v = (t: tf.TensorInfo) => heapF32(memory, offsetOf(b, t.dataId), size(t.shape));
  const value = lossValue(attrs?.kind as LossKind, v(inputs.yTrue), v(inputs.yPred));
  v(out)[0] = value;
  return out;
}

function backwardWasm({ inputs, backend, attrs }: LossArgs): tf.TensorInfo {
  const { backend: b, memory } = wasmContext(backend);
  const out = b.makeOutput(inputs.yPred.shape, "float32");
  const v = (t: tf.TensorInfo) => heapF32(memory, offsetOf(b, t.dataId), size(t.shape));
  lossGrad(attrs?.kind as LossKind, v(inputs.yTrue), v(inputs.yPred), v(inputs.dy!)[0], v(out));
  return out;
}

/**
 * Kernel configs of the fused regression losses (forward and backward, CPU and WASM), for
 * `tf.registerKernel` (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { lossKernels } from "./loss.ts";
 * if (lossKernels.length !== 4) throw new Error("expected 2 kernels x 2 backends");
 * ```
 */
export const lossKernels: tf.KernelConfig[] = [
  kernelConfig(FUSED_LOSS, "cpu", forwardCpu),
  kernelConfig(FUSED_LOSS_GRAD, "cpu", backwardCpu),
  kernelConfig(FUSED_LOSS, "wasm", forwardWasm),
  kernelConfig(FUSED_LOSS_GRAD, "wasm", backwardWasm),
];

/**
 * The gradient of the fused losses: `dPred = dy·2(p − y)/n` (MSE) or `dy·sign(p − y)/n`
 * (MAE); `dTrue` is its negation, computed only if asked for.
 *
 * @example
 * ```ts
 * import { lossGradient } from "./loss.ts";
 * if (lossGradient.kernelName !== "FusedRegressionLoss") throw new Error("wrong kernel");
 * ```
 */
export const lossGradient: tf.GradConfig = {
  kernelName: FUSED_LOSS,
  inputsToSave: ["yTrue", "yPred"],
  gradFunc: (dy, saved, attrs) => {
    const [yTrue, yPred] = saved;
    const dPred = tf.engine().runKernel(
      FUSED_LOSS_GRAD,
      { dy: dy as tf.Tensor, yTrue, yPred },
      attrs,
    ) as tf.Tensor;
    return { yPred: () => dPred, yTrue: () => tf.neg(dPred) };
  },
};

function fused(kind: LossKind, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar | null {
  if (
    yTrue.dtype !== "float32" || yPred.dtype !== "float32" ||
    !tf.util.arraysEqual(yTrue.shape, yPred.shape) ||
    tf.getKernel(FUSED_LOSS, tf.getBackend()) === undefined
  ) return null;
  return tf.engine().runKernel(FUSED_LOSS, { yTrue, yPred }, { kind }) as tf.Scalar;
}

/**
 * Mean squared error over every element, `mean((yPred − yTrue)²)`, as one fused op (stock ops
 * when the shapes differ or the backend has no fused kernel). For a `[n, 1]` output this is
 * Keras' `meanSquaredError` averaged over the batch.
 *
 * @param yTrue Targets.
 * @param yPred Predictions, same shape.
 * @returns The mean, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { meanSquaredErrorLoss } from "./loss.ts";
 * await setupBackend({ backend: "cpu" });
 * const loss = meanSquaredErrorLoss(tf.tensor2d([[1], [2]]), tf.tensor2d([[2], [4]]));
 * if (loss.dataSync()[0] !== 2.5) throw new Error("expected (1 + 4) / 2");
 * ```
 */
export function meanSquaredErrorLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return fused("mse", yTrue, yPred) ??
    tf.mean(tf.squaredDifference(yPred, yTrue)) as tf.Scalar;
}

/**
 * Mean absolute error over every element, `mean(|yPred − yTrue|)`, as one fused op (stock
 * ops when the shapes differ or the backend has no fused kernel).
 *
 * @param yTrue Targets.
 * @param yPred Predictions, same shape.
 * @returns The mean, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { meanAbsoluteErrorLoss } from "./loss.ts";
 * await setupBackend({ backend: "cpu" });
 * const loss = meanAbsoluteErrorLoss(tf.tensor2d([[1], [2]]), tf.tensor2d([[2], [4]]));
 * if (loss.dataSync()[0] !== 1.5) throw new Error("expected (1 + 2) / 2");
 * ```
 */
export function meanAbsoluteErrorLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return fused("mae", yTrue, yPred) ?? tf.mean(tf.abs(tf.sub(yPred, yTrue))) as tf.Scalar;
}
