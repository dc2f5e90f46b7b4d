/**
 * Mean squared error, mean absolute error and binary cross-entropy as single ops with their own
 * gradient. tfjs builds
 * `mean(squaredDifference(p, y))` from two kernels forward, three saved-tensor clones and six
 * kernels backward; at batch 100 those eleven kernel launches cost about as much as the whole
 * fused dot-bias model. Here it is one kernel forward (two clones) and one backward. The
 * arithmetic is the same (float32 residuals, the mean over every element), so losses match
 * the stock ops to rounding. Binary cross-entropy (Keras' `binaryCrossentropy` on probabilities)
 * costs tfjs a dozen kernels forward and more backward; here too it is one each, with Keras'
 * clipping of the probabilities to [ε, 1 − ε] (ε = 1e-7) and its zero gradient outside that
 * range. Shapes must match exactly; otherwise the stock ops run.
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

type LossKind = "mse" | "mae" | "bce";

/** Keras' fuzz factor: probabilities are clipped to [ε, 1 − ε] before the logarithm. */
const EPSILON = 1e-7;
const P_LOW = Math.fround(EPSILON), P_HIGH = Math.fround(1 - EPSILON);
/** A probability clipped as Keras clips it (float32 bounds). */
const clip = (p: number) => Math.min(Math.max(p, P_LOW), P_HIGH);

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
  } else if (kind === "mae") {
    for (let i = 0; i < p.length; i++) sum += Math.abs(Math.fround(p[i] - y[i]));
  } else {
    for (let i = 0; i < p.length; i++) {
      const q = clip(p[i]);
      sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
    }
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
  } else if (kind === "mae") {
    for (let i = 0; i < p.length; i++) out[i] = scale * Math.sign(p[i] - y[i]);
  } else {
    for (let i = 0; i < p.length; i++) {
      const q = p[i];
      out[i] = q >= P_LOW && q <= P_HIGH ? scale * (q - y[i]) / (q * (1 - q)) : 0;
    }
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
 * Kernel configs of the fused losses (forward and backward, CPU and WASM), for
 * `tf.registerKernel` (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { lossKernels } from "./loss.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(lossKernels.length, 4, "expected 2 kernels x 2 backends");
 * ```
 */
export const lossKernels: tf.KernelConfig[] = [
  kernelConfig(FUSED_LOSS, "cpu", forwardCpu),
  kernelConfig(FUSED_LOSS_GRAD, "cpu", backwardCpu),
  kernelConfig(FUSED_LOSS, "wasm", forwardWasm),
  kernelConfig(FUSED_LOSS_GRAD, "wasm", backwardWasm),
];

/**
 * The gradient of the fused losses: `dPred = dy·2(p − y)/n` (MSE), `dy·sign(p − y)/n` (MAE)
 * or `dy·(p − y)/(p(1 − p))/n` inside the clipping range (binary cross-entropy); `dTrue`,
 * computed only if asked for, is the negation of `dPred` for MSE and MAE and
 * `−dy·log(p/(1 − p))/n` for the cross-entropy (p clipped).
 *
 * @example
 * ```ts
 * import { lossGradient } from "./loss.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(lossGradient.kernelName, "FusedRegressionLoss", "wrong kernel");
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
    const dTrue = () => {
      if (attrs?.kind !== "bce") return tf.neg(dPred);
      const p = tf.clipByValue(yPred, P_LOW, P_HIGH);
      const logit = tf.log(tf.div(p, tf.sub(1, p)));
      return tf.mul(tf.neg(logit), tf.div(dy as tf.Tensor, yPred.size));
    };
    return { yPred: () => dPred, yTrue: dTrue };
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
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const loss = meanSquaredErrorLoss(tf.tensor2d([[1], [2]]), tf.tensor2d([[2], [4]]));
 * assertEquals(loss.dataSync()[0], 2.5, "expected (1 + 4) / 2");
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
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const loss = meanAbsoluteErrorLoss(tf.tensor2d([[1], [2]]), tf.tensor2d([[2], [4]]));
 * assertEquals(loss.dataSync()[0], 1.5, "expected (1 + 2) / 2");
 * ```
 */
export function meanAbsoluteErrorLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return fused("mae", yTrue, yPred) ?? tf.mean(tf.abs(tf.sub(yPred, yTrue))) as tf.Scalar;
}

/**
 * Binary cross-entropy of probabilities, `mean(−y·log p − (1 − y)·log(1 − p))` with `p`
 * clipped to [1e-7, 1 − 1e-7] as Keras does, as one fused op (stock ops when the shapes
 * differ or the backend has no fused kernel). For a `[n, 1]` sigmoid output this is Keras'
 * `binaryCrossentropy` averaged over the batch.
 *
 * @param yTrue Targets in [0, 1].
 * @param yPred Predicted probabilities, same shape.
 * @returns The mean, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { binaryCrossentropyLoss } from "./loss.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const loss = binaryCrossentropyLoss(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.5], [0.5]]));
 * assertAlmostEquals(loss.dataSync()[0], Math.LN2, 1e-6, "expected log 2");
 * ```
 */
export function binaryCrossentropyLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return fused("bce", yTrue, yPred) ??
    tf.mean(tf.metrics.binaryCrossentropy(yTrue, yPred)) as tf.Scalar;
}
