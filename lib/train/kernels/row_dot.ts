/**
 * The `Dot` layer on rows: `tf.layers.dot({ axes: -1 })` on two equally shaped inputs
 * (`[n, f]`, or `[n, 1, f]` as embeddings of `[n, 1]` ids come out) is one dot product per
 * row. tfjs runs it as a batched matrix product of `n` 1×f by f×1 matrices (plus reshapes),
 * and its gradient as two more; here it is one `RowDot` kernel forward and one `RowDotGrad`
 * backward (WebAssembly SIMD on the WASM backend, a JavaScript loop on the CPU backend).
 * Other axes, `normalize: true` and unequal shapes keep tfjs' code.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type DotFields,
  fieldsOf,
  invokeCallHook,
  replaceLayerCall,
} from "../../_tfjs_internals.ts";
import { checkCpuInternals, cpuValues, kernelConfig, offsetOf, wasmContext } from "./_wasm.ts";

/** The name of the forward kernel. */
export const ROW_DOT = "RowDot";
/** The name of the backward kernel. */
export const ROW_DOT_GRAD = "RowDotGrad";

interface RowDotArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; dy?: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/** Rows and row length of the inputs. */
function rowsOf(a: tf.TensorInfo): { n: number; f: number } {
  const f = a.shape[a.shape.length - 1];
  return { n: f === 0 ? 0 : size(a.shape) / f, f };
}

function forwardCpu({ inputs, backend, attrs }: RowDotArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const { n, f } = rowsOf(inputs.a);
  const a = cpuValues(backend, inputs.a.dataId), b = cpuValues(backend, inputs.b.dataId);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = i * f; k < (i + 1) * f; k++) acc = Math.fround(acc + Math.fround(a[k] * b[k]));
    out[i] = acc;
  }
  return backend.makeTensorInfo(attrs?.outShape as number[], "float32", out);
}

function backwardCpu({ inputs, backend }: RowDotArgs): tf.TensorInfo[] {
  checkCpuInternals(backend);
  const { n, f } = rowsOf(inputs.a);
  const a = cpuValues(backend, inputs.a.dataId), b = cpuValues(backend, inputs.b.dataId);
  const dy = cpuValues(backend, inputs.dy!.dataId);
  const da = new Float32Array(n * f), db = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let k = i * f; k < (i + 1) * f; k++) {
      da[k] = dy[i] * b[k];
      db[k] = dy[i] * a[k];
    }
  }
  return [
    backend.makeTensorInfo(inputs.a.shape, "float32", da),
    backend.makeTensorInfo(inputs.b.shape, "float32", db),
  ];
}

function forwardWasm({ inputs, backend, attrs }: RowDotArgs): tf.TensorInfo {
  const { backend: b, kernels } = wasmContext(backend);
  const { n, f } = rowsOf(inputs.a);
  const out = b.makeOutput(attrs?.outShape as number[], "float32");
  kernels.row_dot(
    offsetOf(b, inputs.a.dataId),
    offsetOf(b, inputs.b.dataId),
    n,
    f,
    offsetOf(b, out.dataId),
  );
  return out;
}

function backwardWasm({ inputs, backend }: RowDotArgs): tf.TensorInfo[] {
  const { backend: b, kernels } = wasmContext(backend);
  const { n, f } = rowsOf(inputs.a);
  const da = b.makeOutput(inputs.a.shape, "float32"), db = b.makeOutput(inputs.b.shape, "float32");
  kernels.row_dot_grad(
    offsetOf(b, inputs.a.dataId),
    offsetOf(b, inputs.b.dataId),
    offsetOf(b, inputs.dy!.dataId),
    n,
    f,
    offsetOf(b, da.dataId),
    offsetOf(b, db.dataId),
  );
  return [da, db];
}

/**
 * Kernel configs of the row dot product (forward and backward, CPU and WASM), for
 * `tf.registerKernel` (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { rowDotKernels } from "./row_dot.ts";
 * assertEquals(rowDotKernels.map((k) => k.kernelName), ["RowDot", "RowDotGrad", "RowDot", "RowDotGrad"]);
 * ```
 */
export const rowDotKernels: tf.KernelConfig[] = [
  kernelConfig(ROW_DOT, "cpu", forwardCpu),
  kernelConfig(ROW_DOT_GRAD, "cpu", backwardCpu),
  kernelConfig(ROW_DOT, "wasm", forwardWasm),
  kernelConfig(ROW_DOT_GRAD, "wasm", backwardWasm),
];

/**
 * The gradient of `RowDot`: one backward kernel writes both inputs' gradients.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { rowDotGradient } from "./row_dot.ts";
 * assertEquals(rowDotGradient.kernelName, "RowDot");
 * ```
 */
export const rowDotGradient: tf.GradConfig = {
  kernelName: ROW_DOT,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const [da, db] = tf.engine().runKernel(ROW_DOT_GRAD, {
      a,
      b,
      dy: dy as tf.Tensor,
    }) as tf.Tensor[];
    return { a: () => da, b: () => db };
  },
};

/**
 * The dot product of every row of `a` with the same row of `b` (the last axis), one value per
 * row: `[n, f]` gives `[n, 1]`, `[n, 1, f]` gives `[n, 1, 1]` (as a Keras `Dot` layer).
 * Differentiable in both inputs.
 *
 * @param a Float32 rows.
 * @param b Float32 rows, the shape of `a`.
 * @returns The dot products.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { setupBackend } from "../backend.ts";
 * import { rowDot } from "./row_dot.ts";
 * await setupBackend({ backend: "cpu" });
 * const y = rowDot(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
 * assertEquals([y.shape, Array.from(y.dataSync())], [[2, 1], [17, 53]]);
 * ```
 */
export function rowDot(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (!rowDotApplies(a, b)) {
    throw new RangeError(
      `rowDot(): expected two float32 tensors of one shape [n, f] or [n, 1, f], found [${a.shape}] ${a.dtype} and [${b.shape}] ${b.dtype}`,
    );
  }
  const outShape = a.rank === 2 ? [a.shape[0], 1] : [a.shape[0], 1, 1];
  if (tf.getKernel(ROW_DOT, tf.getBackend()) === undefined) {
    return tf.tidy(() => tf.reshape(tf.sum(tf.mul(a, b), -1), outShape));
  }
  return tf.engine().runKernel(ROW_DOT, { a, b }, { outShape }) as tf.Tensor;
}

function rowDotApplies(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.dtype === "float32" && b.dtype === "float32" &&
    tf.util.arraysEqual(a.shape, b.shape) &&
    (a.rank === 2 || (a.rank === 3 && a.shape[1] === 1));
}

/** Whether `axes` picks the last axis of both inputs of the given rank. */
function lastAxis(axes: DotFields["axes"], rank: number): boolean {
  const list = Array.isArray(axes) ? axes : [axes, axes];
  return list.every((ax) => ax === -1 || ax === rank - 1);
}

let installed = false;

/**
 * Makes tfjs-layers' `Dot` layer run {@linkcode rowDot} when it multiplies two inputs of one
 * shape along their last axis, without normalisation (idempotent; done by `setupBackend()`).
 *
 * @returns Whether this call installed it.
 * @example
 * ```ts
 * import { installFastDot } from "./row_dot.ts";
 * import { assertEquals } from "@std/assert";
 * installFastDot();
 * assertEquals(installFastDot(), false, "the second call should do nothing");
 * ```
 */
export function installFastDot(): boolean {
  if (installed) return false;
  replaceLayerCall("Dot", (stock) =>
    function (inputs, kwargs) {
      const layer = fieldsOf<DotFields>(this);
      if (!Array.isArray(inputs) || inputs.length !== 2) return stock.call(this, inputs, kwargs);
      const [a, b] = inputs;
      const backend = tf.getBackend();
      if (
        layer.normalize || !rowDotApplies(a, b) || !lastAxis(layer.axes, a.rank) ||
        (backend !== "wasm" && backend !== "cpu")
      ) {
        return stock.call(this, inputs, kwargs);
      }
      // One kernel and no intermediates: no tidy scope needed.
      invokeCallHook(this, inputs, kwargs);
      return rowDot(a, b);
    });
  installed = true;
  return true;
}
