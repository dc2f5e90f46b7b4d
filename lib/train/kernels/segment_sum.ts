/**
 * A fast `UnsortedSegmentSum` for the CPU and WASM backends: the gradient of a gather (an
 * embedding lookup). tfjs' CPU kernel scans the whole input once per segment (about 2 s per
 * 64-row batch on a 1,682-row table); the WASM backend has none. Both kernels here make one
 * pass: zero the output, then add each input row to its segment's row (WASM: SIMD; rows of one
 * value, such as the gradient of BPR's gathers from its flat score matrix, one addition each
 * without a call per row: 5.9 → 1.7 ms a BPR epoch on ml-100k).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  checkCpuInternals,
  cpuValues,
  heapI32,
  kernelConfig,
  offsetOf,
  wasmContext,
} from "./_wasm.ts";

interface SegmentSumArgs {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** Output shape and sizes: x's leading dims (segmentIds' shape) collapse into numSegments. */
function plan(x: tf.TensorInfo, ids: tf.TensorInfo, numSegments: number) {
  if (ids.dtype !== "int32") {
    throw new TypeError(
      `UnsortedSegmentSum: expected int32 segment ids, found ${ids.dtype}`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new RangeError(
      `UnsortedSegmentSum: expected a non-negative integer numSegments, found ${numSegments}`,
    );
  }
  const n = ids.shape.reduce((a, b) => a * b, 1);
  const lead = x.shape.slice(0, ids.shape.length);
  if (lead.length !== ids.shape.length || lead.some((s, i) => s !== ids.shape[i])) {
    throw new RangeError(
      `UnsortedSegmentSum: expected x's leading dims to equal segmentIds' shape ` +
        `[${ids.shape}], found x of shape [${x.shape}]`,
    );
  }
  const inner = x.shape.slice(ids.shape.length);
  const d = inner.reduce((a, b) => a * b, 1);
  return { n, d, outShape: [numSegments, ...inner] };
}

/** Scalar segment sum over typed arrays (CPU backend, and any dtype on WASM). */
function segmentSumInto(
  out: tf.TypedArray,
  x: tf.TypedArray,
  ids: Int32Array,
  n: number,
  d: number,
  numSegments: number,
): void {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * d, b = i * d;
    for (let k = 0; k < d; k++) out[o + k] += x[b + k];
  }
}

function segmentSumCpu({ inputs, backend, attrs }: SegmentSumArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const { x, segmentIds } = inputs;
  const numSegments = attrs?.numSegments as number;
  const { n, d, outShape } = plan(x, segmentIds, numSegments);
  const out = x.dtype === "int32"
    ? new Int32Array(numSegments * d)
    : new Float32Array(numSegments * d);
  segmentSumInto(
    out,
    cpuValues(backend, x.dataId),
    cpuValues(backend, segmentIds.dataId) as Int32Array,
    n,
    d,
    numSegments,
  );
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function segmentSumWasm({ inputs, backend, attrs }: SegmentSumArgs): tf.TensorInfo {
  const { backend: b, kernels, memory } = wasmContext(backend);
  const { x, segmentIds } = inputs;
  const numSegments = attrs?.numSegments as number;
  const { n, d, outShape } = plan(x, segmentIds, numSegments);
  const out = b.makeOutput(outShape, x.dtype);
  const outOffset = offsetOf(b, out.dataId);
  const xOffset = offsetOf(b, x.dataId), idsOffset = offsetOf(b, segmentIds.dataId);
  if (x.dtype === "float32") {
    kernels.segment_sum(xOffset, idsOffset, n, d, outOffset, numSegments);
  } else {
    segmentSumInto(
      heapI32(memory, outOffset, numSegments * d),
      heapI32(memory, xOffset, n * d),
      heapI32(memory, idsOffset, n),
      n,
      d,
      numSegments,
    );
  }
  return out;
}

/**
 * Kernel configs for `UnsortedSegmentSum` on the `cpu` and `wasm` backends, for
 * `tf.registerKernel` (done by `setupBackend()`; an existing registration must be removed
 * first with `tf.unregisterKernel`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const sums = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, 0, 2], "int32"), 3);
 * assertEquals(sums.arraySync()[2][1], 8, "wrong sum");
 * ```
 */
export const segmentSumKernels: tf.KernelConfig[] = [
  kernelConfig(tf.UnsortedSegmentSum, "cpu", segmentSumCpu),
  kernelConfig(tf.UnsortedSegmentSum, "wasm", segmentSumWasm),
];
