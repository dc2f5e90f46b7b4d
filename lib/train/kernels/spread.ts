/**
 * The gradients of `Sum` and `Mean` without a tensor of ones. tfjs' gradients multiply the
 * upstream gradient by ones of the input's shape (filled by a JavaScript loop, then copied to
 * the backend) and, for a mean, divide the product by the count: three passes and an array the
 * size of the input. Here one `Spread` kernel writes each upstream value over the positions it
 * was reduced from, divided by the count once per value for a mean. The bits are the stock
 * gradients' (x · 1 is x, and every position of a value gets the same division). A softmax
 * loss sums over every score of its batch, BPR's takes the mean over every sampled pair: about
 * a tenth and a twentieth of their training steps on ml-100k went to those ones.
 *
 * The fast gradients run where the backend has the kernel (CPU and WASM) and no tape is
 * recording the backward pass; under a second-order gradient the stock gradients run. One
 * difference in bits remains, on purpose: a signalling NaN in the upstream gradient is copied as
 * it is, where the stock product by 1 makes it a quiet NaN (a NaN either way).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { isTapeOn } from "../../_tfjs_internals.ts";
import {
  checkCpuInternals,
  cpuValues,
  heapF32,
  kernelConfig,
  offsetOf,
  wasmContext,
} from "./_wasm.ts";

/** The name of the kernel (this project's own). */
export const SPREAD = "Spread";

interface SpreadArgs {
  inputs: { dy: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/**
 * Runs of axes of one kind: `[size, spread]` pairs, where `spread` marks axes whose upstream
 * size is 1 (the reduced ones). Neighbouring axes of one kind merge, and axes of size 1 go.
 */
function runsOf(upstream: number[], shape: number[]): [number, boolean][] {
  const runs: [number, boolean][] = [];
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const spread = upstream[axis] === 1;
    const last = runs[runs.length - 1];
    if (last && last[1] === spread) last[0] *= size;
    else runs.push([size, spread]);
  });
  return runs;
}

/**
 * Writes `values` (upstream shape, a 1 on every reduced axis) over `out` (the input's shape):
 * every output position gets the value it was reduced into, divided by `divisor` (in float32,
 * as tfjs' division) unless that is 1.
 *
 * @param out The output, `size(shape)` floats.
 * @param values The upstream gradient, `size(upstream)` values (integers on the CPU backend
 *   when it is a float32 cast of an int32 tensor, which shares the integers).
 * @param upstream Its shape, of `shape`'s rank, each size 1 or `shape`'s.
 * @param shape The input's shape.
 * @param divisor The count of a mean (1 for a sum).
 * @throws {RangeError} When `out` or `values` does not have the length its shape gives.
 * @example
 * ```ts
 * import { spreadInto } from "./spread.ts";
 * import { assertEquals } from "@std/assert";
 * const out = new Float32Array(6);
 * spreadInto(out, new Float32Array([1, 2]), [2, 1], [2, 3], 1);
 * assertEquals([...out], [1, 1, 1, 2, 2, 2]);
 * spreadInto(out, new Float32Array([3, 6, 9]), [1, 3], [2, 3], 2);
 * assertEquals([...out], [1.5, 3, 4.5, 1.5, 3, 4.5]);
 * ```
 */
export function spreadInto(
  out: Float32Array,
  values: Float32Array | Int32Array,
  upstream: number[],
  shape: number[],
  divisor: number,
): void {
  const outputs = tf.util.sizeFromShape(shape), inputs = tf.util.sizeFromShape(upstream);
  if (out.length !== outputs || values.length !== inputs) {
    throw new RangeError(
      `spreadInto(): expected ${outputs} outputs for [${shape}] and ${inputs} values ` +
        `for [${upstream}], found ${out.length} and ${values.length}`,
    );
  }
  if (out.length === 0) return;
  let v: Float32Array | Int32Array = values;
  if (divisor !== 1) {
    // Each value as float32 first: on the CPU backend a cast from int32 can share its integers.
    const d = Math.fround(divisor);
    v = new Float32Array(values.length);
    for (let i = 0; i < v.length; i++) v[i] = Math.fround(values[i]) / d;
  }
  const runs = runsOf(upstream, shape);
  if (runs.length === 0) {
    out[0] = v[0];
    return;
  }
  // Output and upstream strides of each run.
  const outStride = new Array<number>(runs.length), inStride = new Array<number>(runs.length);
  for (let r = runs.length - 1, o = 1, i = 1; r >= 0; r--) {
    outStride[r] = o;
    inStride[r] = runs[r][1] ? 0 : i;
    o *= runs[r][0];
    if (!runs[r][1]) i *= runs[r][0];
  }
  const last = runs.length - 1, [width, spreadLast] = runs[last];
  const walk = (r: number, at: number, from: number): void => {
    if (r === last) {
      if (spreadLast) out.fill(v[from], at, at + width);
      else out.set(v.subarray(from, from + width), at);
      return;
    }
    for (let k = 0; k < runs[r][0]; k++) walk(r + 1, at + k * outStride[r], from + k * inStride[r]);
  };
  walk(0, 0, 0);
}

function attrsOf(attrs: tf.NamedAttrMap | undefined) {
  return { shape: attrs?.shape as number[], divisor: attrs?.divisor as number };
}

function spreadCpu({ inputs, backend, attrs }: SpreadArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const { dy } = inputs, { shape, divisor } = attrsOf(attrs);
  const out = new Float32Array(tf.util.sizeFromShape(shape));
  spreadInto(
    out,
    cpuValues(backend, dy.dataId) as Float32Array | Int32Array,
    dy.shape,
    shape,
    divisor,
  );
  return backend.makeTensorInfo(shape, "float32", out);
}

function spreadWasm({ inputs, backend, attrs }: SpreadArgs): tf.TensorInfo {
  const { backend: b, memory } = wasmContext(backend);
  const { dy } = inputs, { shape, divisor } = attrsOf(attrs);
  const out = b.makeOutput(shape, "float32");
  // Views after makeOutput, which may grow the heap.
  const size = tf.util.sizeFromShape(shape), n = tf.util.sizeFromShape(dy.shape);
  spreadInto(
    heapF32(memory, offsetOf(b, out.dataId), size),
    heapF32(memory, offsetOf(b, dy.dataId), n),
    dy.shape,
    shape,
    divisor,
  );
  return out;
}

/**
 * Kernel configs of `Spread` on the `cpu` and `wasm` backends, for `tf.registerKernel` (done
 * by `setupBackend()`). Inputs `{ dy }` (float32, a 1 on every reduced axis), attributes
 * `{ shape, divisor }`.
 *
 * @example
 * ```ts
 * import { spreadKernels } from "./spread.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(spreadKernels.map((k) => k.backendName), ["cpu", "wasm"]);
 * ```
 */
export const spreadKernels: tf.KernelConfig[] = [
  kernelConfig(SPREAD, "cpu", spreadCpu),
  kernelConfig(SPREAD, "wasm", spreadWasm),
];

/** The gradient of a `Sum` (`mean` false) or a `Mean`, with the stock one as the fallback. */
function spreadGradient(stock: tf.GradConfig, mean: boolean): tf.GradConfig {
  return {
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const upstream = dy as tf.Tensor;
      // tfjs hands a gradient function float32 gradients only.
      if (isTapeOn() || tf.getKernel(SPREAD, tf.getBackend()) === undefined) {
        return stock.gradFunc(dy, saved, attrs);
      }
      const axes = tf.util.parseAxisParam(attrs?.axis as number | number[], x.shape);
      const expanded = x.shape.map((size, axis) => axes.includes(axis) ? 1 : size);
      const divisor = mean ? axes.reduce((p, axis) => p * x.shape[axis], 1) : 1;
      return {
        x: () =>
          tf.engine().runKernel(SPREAD, { dy: tf.reshape(upstream, expanded) }, {
            shape: x.shape,
            divisor,
          }) as tf.Tensor,
      };
    },
  };
}

/**
 * The `Sum` and `Mean` gradients through `Spread` (see the module doc), for
 * `tf.registerGradient` (done by `setupBackend()`).
 *
 * @param stockSum tfjs' own `Sum` gradient (`tf.getGradient("Sum")`), the fallback.
 * @param stockMean tfjs' own `Mean` gradient, the fallback.
 * @returns The two gradient configs.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { spreadGradients } from "./spread.ts";
 * import { assertEquals } from "@std/assert";
 * const grads = spreadGradients(tf.getGradient("Sum")!, tf.getGradient("Mean")!);
 * assertEquals(grads.map((g) => g.kernelName), ["Sum", "Mean"]);
 * ```
 */
export function spreadGradients(
  stockSum: tf.GradConfig,
  stockMean: tf.GradConfig,
): tf.GradConfig[] {
  return [spreadGradient(stockSum, false), spreadGradient(stockMean, true)];
}
