/**
 * A fast row gather (`GatherV2` on axis 0: the embedding lookup) for the CPU and WASM
 * backends, and a one-kernel gradient for it. The stock kernels are generic strided copies
 * (the WASM one also copies its shape arguments through the C stack on every call); the
 * stock gradient runs reshape, transpose, segment sum and transpose again. Here a lookup is
 * one bounds check plus one row copy per index (a row of one value, as in BPR's gathers from
 * its flat score matrix or a bias table, one load and one store instead of a 4-byte
 * `memory.copy`: 8 → 2 ms a BPR epoch on ml-100k), and its gradient is one
 * `UnsortedSegmentSum`.
 * Other axes and batch dims fall back to the stock implementations.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type EmbeddingFields,
  fieldsOf,
  firstInput,
  invokeCallHook,
  replaceLayerCall,
} from "../../_tfjs_internals.ts";
import { checkCpuInternals, cpuValues, offsetOf, wasmContext } from "./_wasm.ts";

interface GatherArgs {
  inputs: { x: tf.TensorInfo; indices: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** The axis as a non-negative number, as tfjs parses it. */
function parseAxis(axis: unknown, rank: number): number {
  const a = Array.isArray(axis) ? axis[0] : axis ?? 0;
  return (a as number) < 0 ? (a as number) + rank : (a as number);
}

/** Whether a gather is the plain row lookup these kernels handle. */
function isRowGather(x: tf.TensorInfo, indices: tf.TensorInfo, attrs?: tf.NamedAttrMap): boolean {
  return parseAxis(attrs?.axis, x.shape.length) === 0 &&
    ((attrs?.batchDims as number) ?? 0) === 0 &&
    indices.dtype === "int32" && (x.dtype === "float32" || x.dtype === "int32") &&
    x.shape.length >= 1;
}

function badIndex(index: number, rows: number): Error {
  return new Error(`GatherV2: the index value ${index} is not in [0, ${rows - 1}]`);
}

function gatherCpu({ inputs, backend }: GatherArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const { x, indices } = inputs;
  const rows = x.shape[0];
  const d = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const table = cpuValues(backend, x.dataId);
  const ids = cpuValues(backend, indices.dataId) as Int32Array;
  const out = x.dtype === "int32"
    ? new Int32Array(ids.length * d)
    : new Float32Array(ids.length * d);
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i];
    if (!(r >= 0 && r < rows)) throw badIndex(r, rows);
    if (d === 1) out[i] = table[r];
    else out.set(table.subarray(r * d, r * d + d), i * d);
  }
  return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], x.dtype, out);
}

function gatherWasm({ inputs, backend }: GatherArgs): tf.TensorInfo {
  const { backend: b, kernels, memory } = wasmContext(backend);
  const { x, indices } = inputs;
  const rows = x.shape[0];
  const d = x.shape.slice(1).reduce((a, c) => a * c, 1);
  const n = indices.shape.reduce((a, c) => a * c, 1);
  const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const idsOffset = offsetOf(b, indices.dataId);
  const bad = kernels.gather_rows(
    offsetOf(b, x.dataId),
    idsOffset,
    n,
    d,
    offsetOf(b, out.dataId),
    rows,
  );
  if (bad >= 0) {
    b.disposeData(out.dataId);
    throw badIndex(new Int32Array(memory.buffer, idsOffset, n)[bad], rows);
  }
  return out;
}

/**
 * Wraps the stock `GatherV2` config of a backend so that row lookups take the fast path and
 * everything else goes to the stock kernel.
 *
 * @param stock The config registered by tfjs for `backendName` (from `tf.getKernel`).
 * @returns A config to register in its place.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fastGatherKernel } from "./gather.ts";
 * import { assertEquals } from "@std/assert";
 * const config = fastGatherKernel(tf.getKernel(tf.GatherV2, "cpu")!);
 * assertEquals(config.backendName, "cpu", "wrong backend");
 * ```
 */
export function fastGatherKernel(stock: tf.KernelConfig): tf.KernelConfig {
  const fast = stock.backendName === "wasm" ? gatherWasm : gatherCpu;
  const kernelFunc = (args: GatherArgs) => {
    const { x, indices } = args.inputs;
    if (isRowGather(x, indices, args.attrs)) return fast(args);
    return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  };
  return { ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * The gradient of a row lookup as a single segment sum, falling back to `stock` for other
 * gathers. Register it with `tf.registerGradient` (done by `setupBackend()`).
 *
 * @param stock The gradient tfjs registers for `GatherV2` (from `tf.getGradient`).
 * @returns A gradient config for `GatherV2`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fastGatherGradient } from "./gather.ts";
 * import { assertEquals } from "@std/assert";
 * const grad = fastGatherGradient(tf.getGradient("GatherV2")!);
 * assertEquals(grad.kernelName, "GatherV2", "wrong kernel");
 * ```
 */
export function fastGatherGradient(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.GatherV2,
    inputsToSave: ["x", "indices"],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved;
      if (!Array.isArray(dy) && isRowGather(x, indices, attrs)) {
        return {
          x: () =>
            tf.engine().runKernel(tf.UnsortedSegmentSum, { x: dy, segmentIds: indices }, {
              numSegments: x.shape[0],
            }) as tf.Tensor,
          indices: () => indices,
        };
      }
      return stock.gradFunc(dy, saved, attrs);
    },
  };
}

let embeddingInstalled = false;

/**
 * Makes tfjs-layers' `Embedding` layer look up int32 ids with one `GatherV2` kernel (tfjs runs
 * a cast, two reshapes and the gather), on the CPU and WASM backends; float ids and other
 * backends keep tfjs' code. The output shape is the layer's own (`[...ids.shape, dim]`).
 * Idempotent.
 *
 * @returns Whether the layer was patched by this call (false when already done).
 * @example
 * ```ts
 * import { installFastEmbedding } from "./gather.ts";
 * import { assertEquals } from "@std/assert";
 * installFastEmbedding();
 * assertEquals(installFastEmbedding(), false, "the second call should do nothing");
 * ```
 */
export function installFastEmbedding(): boolean {
  if (embeddingInstalled) return false;
  replaceLayerCall("Embedding", (stock) =>
    function (inputs, kwargs) {
      const input = firstInput(inputs);
      const backend = tf.getBackend();
      if (
        input.dtype !== "int32" || (backend !== "wasm" && backend !== "cpu") ||
        (Array.isArray(inputs) && inputs.length !== 1)
      ) {
        return stock.call(this, inputs, kwargs);
      }
      // One kernel and no intermediates: no tidy scope needed (each costs a container walk).
      invokeCallHook(this, inputs, kwargs);
      const table = fieldsOf<EmbeddingFields>(this).embeddings.read();
      const out = tf.engine().runKernel(tf.GatherV2, { x: table, indices: input }, {
        axis: 0,
        batchDims: 0,
      }) as tf.Tensor;
      const shape = this.computeOutputShape(input.shape) as number[];
      return tf.util.arraysEqual(out.shape, shape) ? out : tf.tidy(() => tf.reshape(out, shape));
    });
  embeddingInstalled = true;
  return true;
}
