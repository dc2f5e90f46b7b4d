/**
 * The SIMD kernels of `kernels.wat`, instantiated on the WASM backend's own heap, and the
 * helpers every kernel file uses: heap offsets and views, reference counts, a scratch block,
 * typed kernel configs. The backend internals they read are typed and checked in
 * `lib/_tfjs_internals.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  checkWasmInternals,
  type CpuBackend,
  type DataId,
  type WasmBackend,
} from "../../_tfjs_internals.ts";
import { KERNELS_WASM_BASE64 } from "./_kernels_wasm.ts";

export {
  checkCpuInternals,
  checkWasmInternals,
  type CpuBackend,
  type WasmBackend,
} from "../../_tfjs_internals.ts";

/** The exports of `kernels.wat`; every pointer is a byte offset into the WASM backend heap. */
export interface SimdKernels {
  segment_sum(data: number, ids: number, n: number, d: number, out: number, segs: number): void;
  gather_rows(
    table: number,
    ids: number,
    n: number,
    d: number,
    out: number,
    rows: number,
  ): number;
  dot_bias_forward(
    U: number,
    M: number,
    ub: number,
    mb: number,
    users: number,
    movies: number,
    n: number,
    f: number,
    z: number,
    offset: number,
    nu: number,
    nm: number,
    ctx: number,
  ): number;
  dot_bias_backward(
    dy: number,
    ctx: number,
    n: number,
    f: number,
    dU: number,
    dM: number,
    dub: number,
    dmb: number,
    nu: number,
    nm: number,
    ranged: number,
    lo: number,
    span: number,
  ): void;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, ta: number): void;
  copy_block(
    src: number,
    sstride: number,
    dst: number,
    dstride: number,
    rows: number,
    cols: number,
  ): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  clamp(x: number, n: number, lo: number, hi: number): void;
  relu_grad(dy: number, y: number, out: number, n: number): void;
  column_sums(src: number, rows: number, cols: number, dst: number): void;
  row_sums(src: number, rows: number, n: number, dst: number): void;
  row_maxima(src: number, rows: number, n: number, dst: number): void;
  row_dot(a: number, b: number, n: number, f: number, out: number): void;
  row_dot_grad(
    a: number,
    b: number,
    dy: number,
    n: number,
    f: number,
    da: number,
    db: number,
  ): void;
  sigmoid_grad(dy: number, y: number, out: number, n: number): void;
  scale_shift(x: number, n: number, scale: number, shift: number, out: number): void;
  dropout_mask(out: number, n: number, threshold: number, scale: number, state: number): void;
  adam(w: number, g: number, m: number, v: number, n: number, ...constants: AdamConstants): number;
}

/** The constants of one fused Adam step, in the order `kernels.wat`'s `adam` takes them. */
export type AdamConstants = [
  b1: number,
  ob1: number,
  b2: number,
  ob2: number,
  c: number,
  d: number,
  alpha: number,
  s: number,
  eps: number,
];

/** A WASM backend together with the SIMD kernels bound to its memory. */
export interface WasmContext {
  backend: WasmBackend;
  kernels: SimdKernels;
  memory: WebAssembly.Memory;
  /** A reusable block on the heap for temporaries (see {@linkcode scratch}). */
  scratch: { ptr: number; bytes: number };
}

let compiled: WebAssembly.Module | null = null;
const contexts = new WeakMap<object, WasmContext>();

/** The bytes of the compiled kernels module. */
export function kernelsWasmBytes(): Uint8Array {
  const binary = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The SIMD kernels instantiated on `backend`'s heap (once per backend). */
export function wasmContext(backend: tf.KernelBackend): WasmContext {
  let ctx = contexts.get(backend);
  if (ctx) return ctx;
  checkWasmInternals(backend);
  compiled ??= new WebAssembly.Module(kernelsWasmBytes() as BufferSource);
  const memory = backend.wasm.asm.memory;
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  ctx = {
    backend,
    kernels: instance.exports as unknown as SimdKernels,
    memory,
    scratch: { ptr: 0, bytes: 0 },
  };
  contexts.set(backend, ctx);
  return ctx;
}

/**
 * A heap block of at least `bytes` bytes for temporaries, reused across calls (valid until
 * the next call). Allocating may grow the memory: build typed-array views afterwards.
 */
export function scratch(ctx: WasmContext, bytes: number): number {
  if (ctx.scratch.bytes < bytes) {
    if (ctx.scratch.ptr !== 0) ctx.backend.wasm._free(ctx.scratch.ptr);
    const size = Math.max(bytes, 2 * ctx.scratch.bytes, 1 << 16);
    ctx.scratch = { ptr: ctx.backend.wasm._malloc(size) >>> 0, bytes: size };
  }
  return ctx.scratch.ptr;
}

/** A Float32Array view of `n` floats at `offset` (build it after any allocation). */
export function heapF32(memory: WebAssembly.Memory, offset: number, n: number): Float32Array {
  return new Float32Array(memory.buffer, offset, n);
}

/** An Int32Array view of `n` ints at `offset` (build it after any allocation). */
export function heapI32(memory: WebAssembly.Memory, offset: number, n: number): Int32Array {
  return new Int32Array(memory.buffer, offset, n);
}

/**
 * A kernel config for `tf.registerKernel`, taking a kernel function typed with this module's
 * own argument types (tfjs' `KernelFunc` types them loosely).
 */
export function kernelConfig(
  kernelName: string,
  backendName: "cpu" | "wasm",
  kernelFunc: (args: never) => tf.TensorInfo | tf.TensorInfo[],
): tf.KernelConfig {
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** How many tensors share the data buffer `dataId` on `backend` (0 when it has none). */
export function refCountOf(backend: tf.KernelBackend, dataId: DataId): number {
  return (backend as unknown as { refCount(id: DataId): number }).refCount(dataId);
}

/** The heap offset of a tensor's data on the WASM backend. */
export function offsetOf(backend: WasmBackend, dataId: DataId): number {
  const data = backend.dataIdMap.get(dataId);
  if (data === undefined) {
    throw new TypeError("custom kernels: a tensor's data is not on the WASM backend");
  }
  return data.memoryOffset;
}

/**
 * Gives a tensor's buffer a new id on the C++ side of the WASM backend, after its values were
 * changed in place. tfjs' WASM kernels cache work keyed by that id (XNNPACK packs the weights
 * of a matmul or convolution once per weight tensor); re-registering the id drops those
 * caches, so no kernel keeps using the old values.
 */
export function renewWasmId(backend: WasmBackend, dataId: DataId): void {
  const data = backend.dataIdMap.get(dataId);
  if (data === undefined) return;
  const size = data.shape.reduce((a, b) => a * b, 1);
  // Unregistering runs the disposal callbacks (which drop the cached operators); the same id
  // then points at the same memory again.
  backend.wasm._dispose_data(data.id);
  backend.wasm._register_tensor(data.id, size, data.memoryOffset);
}

/** The values of a tensor on the CPU backend (the backend's own array: writes go through). */
export function cpuValues(backend: CpuBackend, dataId: DataId): tf.TypedArray {
  const data = backend.data.get(dataId);
  if (data === undefined) {
    throw new TypeError("custom kernels: a tensor's data is not on the CPU backend");
  }
  return data.values;
}
