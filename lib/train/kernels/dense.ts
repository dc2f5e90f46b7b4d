/**
 * Matrix products for dense layers on the WASM backend: `BatchMatMul` and `_FusedMatMul`
 * (product + bias + activation) on a SIMD kernel with 4×8 register blocking (`gemm` in
 * `kernels.wat`). The stock WASM kernels send every transposed product (both products of a
 * dense layer's gradient) to a scalar triple loop, and for the others pack the weights with
 * XNNPACK once per weight tensor, which is wasted work when the weights change every step.
 * Transposed right-hand sides are transposed into scratch memory first (they are the small
 * weight matrices). Other dtypes, activations (elu, prelu, leaky relu) and bias shapes fall
 * back to the stock kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapPointers, nativeKernels } from "./_native.ts";
import {
  type DenseFields,
  fieldsOf,
  firstInput,
  invokeCallHook,
  replaceLayerCall,
} from "../../_tfjs_internals.ts";
import {
  heapF32,
  kernelConfig,
  offsetOf,
  scratch,
  type WasmContext,
  wasmContext,
} from "./_wasm.ts";

interface MatMulArgs {
  inputs: {
    a: tf.TensorInfo;
    b: tf.TensorInfo;
    bias?: tf.TensorInfo;
    preluActivationWeights?: tf.TensorInfo;
  };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

const size = (shape: number[]) => shape.reduce((a, c) => a * c, 1);

interface Plan {
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  batchA: number;
  batchB: number;
  outShape: number[];
}

/** The product's sizes, or null when the fast path does not apply. */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, attrs?: tf.NamedAttrMap): Plan | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const ta = Boolean(attrs?.transposeA), tb = Boolean(attrs?.transposeB);
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== k2) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${k2}) of Tensors with shapes ${a.shape} and ` +
        `${b.shape} and transposeA=${ta} and transposeB=${tb} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = size(outerA), batchB = size(outerB);
  let outer: number[];
  if (batchB === 1 && (batchA > 1 || outerA.length >= outerB.length)) outer = outerA;
  else if (batchA === 1) outer = outerB;
  else if (tf.util.arraysEqual(outerA, outerB)) outer = outerA;
  else return null; // general broadcasting: stock kernel
  return { m, k, n, ta, tb, batchA, batchB, outShape: [...outer, m, n] };
}

/**
 * C = op(A)·op(B) into `out` (already holding its initial rows), batch by batch.
 */
function product(ctx: WasmContext, p: Plan, a: tf.TensorInfo, b: tf.TensorInfo, c: number) {
  const { backend, kernels } = ctx;
  const native = nativeKernels()?.gemm ?? null; // the same bits in wider vectors (_native.ts)
  const gemm = (a: number, b: number, c: number, m: number, k: number, n: number, ta: number) => {
    if (native === null) return kernels.gemm(a, b, c, m, k, n, ta);
    const [pa, pb, pc] = heapPointers(ctx.memory, [a, b, c]); // after any growth
    native(pa, pb, pc, m, k, n, ta);
  };
  const batches = Math.max(p.batchA, p.batchB);
  const aBase = offsetOf(backend, a.dataId), bBase = offsetOf(backend, b.dataId);
  const aStep = p.batchA > 1 ? 4 * p.m * p.k : 0, bStep = p.batchB > 1 ? 4 * p.k * p.n : 0;
  const tmp = p.tb ? scratch(ctx, 4 * p.k * p.n) : 0;
  for (let i = 0; i < batches; i++) {
    let bPtr = bBase + i * bStep;
    if (p.tb) {
      if (i === 0 || bStep !== 0) kernels.transpose(bPtr, tmp, p.n, p.k);
      bPtr = tmp;
    }
    gemm(aBase + i * aStep, bPtr, c + i * 4 * p.m * p.n, p.m, p.k, p.n, p.ta ? 1 : 0);
  }
}

function matMulWasm(args: MatMulArgs, stock: tf.KernelConfig): tf.TensorInfo {
  const { a, b } = args.inputs;
  const p = plan(a, b, args.attrs);
  if (p === null) {
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const ctx = wasmContext(args.backend);
  const out = ctx.backend.makeOutput(p.outShape, "float32");
  const c = offsetOf(ctx.backend, out.dataId);
  heapF32(ctx.memory, c, size(p.outShape)).fill(0);
  product(ctx, p, a, b, c);
  return out;
}

const ACTIVATIONS = new Set(["linear", "relu", "relu6", "sigmoid"]);

function fusedMatMulWasm(args: MatMulArgs, stock: tf.KernelConfig): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const activation = (args.attrs?.activation as string | undefined) ?? "linear";
  const p = plan(a, b, args.attrs);
  if (
    p === null || preluActivationWeights != null || !ACTIVATIONS.has(activation) ||
    (bias != null && (bias.dtype !== "float32" || size(bias.shape) !== p.n))
  ) {
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const ctx = wasmContext(args.backend);
  const { kernels, memory } = ctx;
  const out = ctx.backend.makeOutput(p.outShape, "float32");
  const c = offsetOf(ctx.backend, out.dataId);
  const rows = size(p.outShape) / p.n;
  if (bias != null) {
    // Every row starts as the bias (a source stride of 0 repeats it).
    kernels.copy_block(offsetOf(ctx.backend, bias.dataId), 0, c, p.n, rows, p.n);
  } else {
    heapF32(memory, c, rows * p.n).fill(0);
  }
  product(ctx, p, a, b, c);
  if (activation === "relu") kernels.clamp(c, rows * p.n, 0, Infinity);
  else if (activation === "relu6") kernels.clamp(c, rows * p.n, 0, 6);
  else if (activation === "sigmoid") {
    const y = heapF32(memory, c, rows * p.n);
    for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-y[i]));
  }
  return out;
}

/**
 * Wraps the stock WASM `BatchMatMul` and `_FusedMatMul` configs so that float32 products take
 * the SIMD path and everything else the stock kernels.
 *
 * @param stockMatMul The stock `BatchMatMul` config for `wasm` (from `tf.getKernel`).
 * @param stockFused The stock `_FusedMatMul` config for `wasm`.
 * @returns The two configs to register in their place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastMatMulKernels } from "./dense.ts";
 * import { assertEquals } from "@std/assert";
 * const [mm, fused] = fastMatMulKernels(tf.getKernel(tf.BatchMatMul, "wasm")!, tf.getKernel(tf._FusedMatMul, "wasm")!);
 * assertEquals([mm.kernelName, fused.kernelName], ["BatchMatMul", "_FusedMatMul"]);
 * assertEquals([mm.backendName, fused.backendName], ["wasm", "wasm"]);
 * ```
 */
export function fastMatMulKernels(
  stockMatMul: tf.KernelConfig,
  stockFused: tf.KernelConfig,
): tf.KernelConfig[] {
  return [
    {
      ...stockMatMul,
      kernelFunc: ((args: MatMulArgs) => matMulWasm(args, stockMatMul)) as unknown as tf.KernelFunc,
    },
    {
      ...stockFused,
      kernelFunc:
        ((args: MatMulArgs) => fusedMatMulWasm(args, stockFused)) as unknown as tf.KernelFunc,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Bias gradients (column sums) and the relu gradient

/** The name of the relu-gradient kernel: `dy` where `y > 0`, else 0. */
export const RELU_GRAD = "FusedReluGrad";

/** The arguments tfjs passes a reduction kernel (`Sum`, `Max`). */
interface ReductionArgs {
  inputs: { x: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/**
 * A stock reduction kernel's config with `fast` in front: `fast` runs for non-empty float32
 * inputs and returns null for the cases it leaves to the stock kernel, which also takes every
 * other dtype and empty tensors.
 */
function reductionWithStock(
  stock: tf.KernelConfig,
  fast: (args: ReductionArgs) => tf.TensorInfo | null,
): tf.KernelConfig {
  const kernelFunc = (args: ReductionArgs) => {
    const { x } = args.inputs;
    const out = x.dtype === "float32" && !x.shape.some((d) => d === 0) ? fast(args) : null;
    return out ?? stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  };
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** `Sum` of a non-empty float32 tensor, or null for the stock kernel. */
function sumWasm(args: ReductionArgs): tf.TensorInfo | null {
  const { x } = args.inputs;
  const rank = x.shape.length;
  // No axis (null) means every axis, as in the stock kernel; the axes stay in the order given,
  // which is the order the stock kernel sums them in.
  const axis = (args.attrs?.axis ?? null) as unknown as number | number[];
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const keepDims = Boolean(args.attrs?.keepDims);
  const k = axes.length;
  // The stock kernel moves the summed axes innermost (a transposed copy when they are not) and
  // sums each output's elements in order from 0. Over the leading axes (a bias gradient, also
  // through a broadcast's leading 1) that order is column_sums' (rows added in turn, one SIMD
  // pass, no copy); over the innermost ones (a softmax's row sums, a loss' total) row_sums keeps
  // it, eight rows at a time. So both give the stock kernel's bits.
  if (k > 0 && k < rank && axes.every((a, i) => a === i)) {
    const { backend, kernels } = wasmContext(args.backend);
    const rows = size(x.shape.slice(0, k)), kept = x.shape.slice(k);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, "float32");
    kernels.column_sums(
      offsetOf(backend, x.dataId),
      rows,
      size(kept),
      offsetOf(backend, out.dataId),
    );
    return out;
  }
  return rowReduction(x, axes, keepDims, args.backend, "row_sums");
}

/**
 * A reduction over the innermost axes, given in order, as one WASM kernel that reduces each
 * row of `src [rows, n]` into `dst[row]` (`row_sums`, `row_maxima`); null for other axes (and
 * none), which the caller leaves to the stock kernel. The output keeps the reduced axes as 1s
 * with `keepDims`, as the stock kernels' does.
 */
function rowReduction(
  x: tf.TensorInfo,
  axes: number[],
  keepDims: boolean,
  wasmBackend: tf.KernelBackend,
  kernel: "row_sums" | "row_maxima",
): tf.TensorInfo | null {
  const rank = x.shape.length, k = axes.length;
  if (k === 0 || axes.some((a, i) => a !== rank - k + i)) return null;
  const { backend, kernels } = wasmContext(wasmBackend);
  const kept = x.shape.slice(0, rank - k);
  const out = backend.makeOutput(keepDims ? [...kept, ...axes.map(() => 1)] : kept, "float32");
  const n = size(x.shape.slice(rank - k));
  kernels[kernel](offsetOf(backend, x.dataId), size(kept), n, offsetOf(backend, out.dataId));
  return out;
}

/** `Max` of a non-empty float32 tensor, or null for the stock kernel. */
function maxWasm(args: ReductionArgs): tf.TensorInfo | null {
  const { x } = args.inputs;
  const axes = tf.util.parseAxisParam(
    (args.attrs?.reductionIndices ?? null) as unknown as number | number[],
    x.shape,
  );
  // The stock kernel moves the reduced axes innermost (a transposed copy when they are not) and
  // then scans each row as row_maxima does; only axes already innermost and in order come here.
  const keepDims = Boolean(args.attrs?.keepDims);
  return rowReduction(x, axes, keepDims, args.backend, "row_maxima");
}

function reluGradWasm(
  { inputs, backend }: {
    inputs: { dy: tf.TensorInfo; y: tf.TensorInfo };
    backend: tf.KernelBackend;
  },
): tf.TensorInfo {
  const { backend: b, kernels } = wasmContext(backend);
  const out = b.makeOutput(inputs.y.shape, "float32");
  kernels.relu_grad(
    offsetOf(b, inputs.dy.dataId),
    offsetOf(b, inputs.y.dataId),
    offsetOf(b, out.dataId),
    size(inputs.y.shape),
  );
  return out;
}

/**
 * Wraps the stock WASM `Sum` so that column sums of a matrix (bias gradients) take one SIMD
 * pass and sums over the innermost axes (a softmax's row sums) run eight rows at a time, wraps the
 * stock `Max` so that maxima over the innermost axes (a softmax's row maxima) run eight rows at a
 * time too, all with the stock kernels' bits, and adds the relu-gradient kernel.
 *
 * @param stockSum The stock `Sum` config for `wasm`.
 * @param stockMax The stock `Max` config for `wasm`.
 * @returns The configs to register.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { fastReductionKernels } from "./dense.ts";
 * import { assertEquals } from "@std/assert";
 * const [sum, max] = [tf.getKernel(tf.Sum, "wasm")!, tf.getKernel(tf.Max, "wasm")!];
 * assertEquals(fastReductionKernels(sum, max).length, 3, "expected three");
 * ```
 */
export function fastReductionKernels(
  stockSum: tf.KernelConfig,
  stockMax: tf.KernelConfig,
): tf.KernelConfig[] {
  return [
    reductionWithStock(stockSum, sumWasm),
    reductionWithStock(stockMax, maxWasm),
    kernelConfig(RELU_GRAD, "wasm", reluGradWasm),
  ];
}

// ---------------------------------------------------------------------------------------------
// Dense layers as one kernel forward, four backward

/**
 * The gradient of a direct `_FusedMatMul` call on rank-2 inputs (tfjs' own fused matMul op
 * wraps the kernel in a custom gradient and never uses this): the activation's gradient in
 * one kernel, then the two products and the bias' column sums.
 *
 * @example
 * ```ts
 * import { fusedMatMulGradient } from "./dense.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(fusedMatMulGradient.kernelName, "_FusedMatMul", "wrong kernel");
 * ```
 */
export const fusedMatMulGradient: tf.GradConfig = {
  kernelName: tf._FusedMatMul,
  inputsToSave: ["a", "b"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, y] = saved;
    const activation = (attrs?.activation as string | undefined) ?? "linear";
    const ta = Boolean(attrs?.transposeA), tb = Boolean(attrs?.transposeB);
    if (a.rank !== 2 || b.rank !== 2 || (activation !== "linear" && activation !== "relu")) {
      throw new TypeError(
        `_FusedMatMul gradient: expected rank-2 inputs and a linear or relu activation, found ` +
          `ranks ${a.rank}, ${b.rank} and "${activation}"`,
      );
    }
    const g = activation === "relu"
      ? tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, y }) as tf.Tensor
      : dy as tf.Tensor;
    return {
      a: () =>
        ta
          ? (tb ? tf.matMul(b, g, true, true) : tf.matMul(b, g, false, true))
          : (tb ? tf.matMul(g, b) : tf.matMul(g, b, false, true)),
      b: () =>
        tb
          ? (ta ? tf.matMul(g, a, true, true) : tf.matMul(g, a, true, false))
          : (ta ? tf.matMul(a, g, false, false) : tf.matMul(a, g, true, false)),
      bias: () => tf.sum(g, 0),
    };
  },
};

let denseInstalled = false;

/**
 * Makes tfjs-layers' `Dense` layer run a rank-2 float32 input as one `_FusedMatMul` kernel with
 * the gradient above (linear and relu fused; other activations applied after), on the WASM
 * backend. Other inputs and backends keep tfjs' code (idempotent).
 *
 * @returns Whether the layer was patched by this call (false when already done).
 * @example
 * ```ts
 * import { installFastDense } from "./dense.ts";
 * import { assertEquals } from "@std/assert";
 * installFastDense();
 * assertEquals(installFastDense(), false, "the second call should do nothing");
 * ```
 */
export function installFastDense(): boolean {
  if (denseInstalled) return false;
  replaceLayerCall("Dense", (stock) =>
    function (inputs, kwargs) {
      const input = firstInput(inputs);
      const layer = fieldsOf<DenseFields>(this);
      if (
        tf.getBackend() !== "wasm" || input.rank !== 2 || input.dtype !== "float32" ||
        layer.kernel === null || (Array.isArray(inputs) && inputs.length !== 1)
      ) {
        return stock.call(this, inputs, kwargs);
      }
      // One kernel and no intermediates: no tidy scope needed (each costs a container walk).
      invokeCallHook(this, inputs, kwargs);
      const name = layer.activation?.getClassName().toLowerCase() ?? "linear";
      const fused = name === "relu" ? "relu" : "linear";
      const ins: tf.NamedTensorMap = { a: input, b: layer.kernel.read() };
      if (layer.bias !== null) ins.bias = layer.bias.read();
      const out = tf.engine().runKernel(tf._FusedMatMul, ins, {
        transposeA: false,
        transposeB: false,
        activation: fused,
      }) as tf.Tensor;
      if (fused === name || layer.activation === null) return out;
      return tf.tidy(() => layer.activation!.apply(out));
    });
  denseInstalled = true;
  return true;
}
