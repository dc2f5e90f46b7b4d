/**
 * `Concat`, `Slice` and `SplitV` on the WASM backend as strided block copies inside
 * WebAssembly (`copy_block` in `kernels.wat`). The stock kernels copy row by row from
 * JavaScript, making a `subarray` per row: concatenating two `[500, 8]` embeddings (and
 * splitting the gradient back) cost more than the dense layers after them. Float32 and int32
 * only; other dtypes and slices of rank 3 or more that are not contiguous use the stock
 * kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, wasmContext } from "./_wasm.ts";

interface CopyArgs {
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[];
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

const size = (shape: number[]) => shape.reduce((a, c) => a * c, 1);
const FOUR_BYTES = new Set(["float32", "int32"]);

function axisOf(axis: unknown, rank: number): number {
  const a = (Array.isArray(axis) ? axis[0] : axis) as number;
  return a < 0 ? a + rank : a;
}

function concatWasm(args: CopyArgs, stock: tf.KernelConfig): tf.TensorInfo {
  const inputs = Object.values(args.inputs) as tf.TensorInfo[];
  const first = inputs[0];
  const axis = axisOf(args.attrs?.axis, first.shape.length);
  const rank = first.shape.length;
  const sameShapes = inputs.every((t) =>
    t.dtype === first.dtype && t.shape.length === rank &&
    t.shape.every((d, i) => i === axis || d === first.shape[i])
  );
  const nonEmpty = inputs.filter((t) => size(t.shape) > 0);
  if (!FOUR_BYTES.has(first.dtype) || !sameShapes || nonEmpty.length < 2) {
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const { backend, kernels } = wasmContext(args.backend);
  const outShape = [...first.shape];
  outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
  const out = backend.makeOutput(outShape, first.dtype);
  const dst = offsetOf(backend, out.dataId);
  const rows = size(first.shape.slice(0, axis));
  const total = size(outShape.slice(axis));
  let col = 0;
  for (const t of nonEmpty) {
    const inner = size(t.shape.slice(axis));
    kernels.copy_block(offsetOf(backend, t.dataId), inner, dst + 4 * col, total, rows, inner);
    col += inner;
  }
  return out;
}

function sliceWasm(args: CopyArgs, stock: tf.KernelConfig): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const fallback = () =>
    stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  if (!FOUR_BYTES.has(x.dtype)) return fallback();
  const [begin, sizes] = tf.slice_util.parseSliceParams(
    x,
    args.attrs?.begin as number[],
    args.attrs?.size as number[],
  );
  tf.slice_util.assertParamsValid(x, begin, sizes);
  const rank = x.shape.length;
  const contiguous = tf.slice_util.isSliceContinous(x.shape, begin, sizes);
  if (rank > 2 && !contiguous) return fallback();
  const { backend, kernels } = wasmContext(args.backend);
  const out = backend.makeOutput(sizes, x.dtype);
  const n = size(sizes);
  if (n === 0) return out;
  const src = offsetOf(backend, x.dataId), dst = offsetOf(backend, out.dataId);
  if (contiguous) {
    const start = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    kernels.copy_block(src + 4 * start, 0, dst, 0, 1, n);
  } else {
    const cols = x.shape[1];
    kernels.copy_block(
      src + 4 * (begin[0] * cols + begin[1]),
      cols,
      dst,
      sizes[1],
      sizes[0],
      sizes[1],
    );
  }
  return out;
}

/** Piece sizes along the axis, as tfjs' `split` accepts them (a count or sizes with one −1). */
function splitSizes(dim: number, numOrSizeSplits: number | number[]): number[] {
  if (typeof numOrSizeSplits === "number") {
    if (dim % numOrSizeSplits !== 0) {
      throw new RangeError(
        `SplitV: expected a split count dividing ${dim}, found ${numOrSizeSplits}`,
      );
    }
    return new Array(numOrSizeSplits).fill(dim / numOrSizeSplits);
  }
  const known = numOrSizeSplits.reduce((s, v) => v === -1 ? s : s + v, 0);
  const sizes = numOrSizeSplits.map((v) => v === -1 ? dim - known : v);
  if (sizes.reduce((s, v) => s + v, 0) !== dim) {
    throw new RangeError(`SplitV: expected sizes adding up to ${dim}, found [${numOrSizeSplits}]`);
  }
  return sizes;
}

function splitWasm(args: CopyArgs, stock: tf.KernelConfig): tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (!FOUR_BYTES.has(x.dtype)) {
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo[];
  }
  const axis = axisOf(args.attrs?.axis, x.shape.length);
  const sizes = splitSizes(x.shape[axis], args.attrs?.numOrSizeSplits as number | number[]);
  const { backend, kernels } = wasmContext(args.backend);
  const rows = size(x.shape.slice(0, axis));
  const after = size(x.shape.slice(axis + 1));
  const total = x.shape[axis] * after;
  let col = 0;
  return sizes.map((s) => {
    const shape = [...x.shape];
    shape[axis] = s;
    const out = backend.makeOutput(shape, x.dtype);
    // Offsets are computed after every allocation (allocating may grow the memory).
    const inner = s * after;
    if (inner > 0 && rows > 0) {
      kernels.copy_block(
        offsetOf(backend, x.dataId) + 4 * col,
        total,
        offsetOf(backend, out.dataId),
        inner,
        rows,
        inner,
      );
    }
    col += inner;
    return out;
  });
}

/**
 * Wraps the stock WASM `Concat`, `Slice` and `SplitV` configs so that 4-byte tensors take the
 * block-copy path.
 *
 * @param stock The stock configs for `wasm`, in the order Concat, Slice, SplitV.
 * @returns The three configs to register in their place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastCopyKernels } from "./copy.ts";
 * import { assertEquals } from "@std/assert";
 * const stock = [tf.Concat, tf.Slice, tf.SplitV].map((k) => tf.getKernel(k, "wasm")!);
 * assertEquals(fastCopyKernels(stock).length, 3, "expected three kernels");
 * ```
 */
export function fastCopyKernels(stock: tf.KernelConfig[]): tf.KernelConfig[] {
  const [concat, slice, split] = stock;
  return [
    { ...concat, kernelFunc: ((a: CopyArgs) => concatWasm(a, concat)) as unknown as tf.KernelFunc },
    { ...slice, kernelFunc: ((a: CopyArgs) => sliceWasm(a, slice)) as unknown as tf.KernelFunc },
    { ...split, kernelFunc: ((a: CopyArgs) => splitWasm(a, split)) as unknown as tf.KernelFunc },
  ];
}
