/**
 * One call that makes tfjs train fast in Deno: pick the backend, initialise it and register
 * the custom kernels of `./kernels/` (fast segment sum and gather, the fused dot-bias op, the
 * stock layers' fast paths, SIMD dense algebra, fused losses and dropout).
 * Notebooks, tests and benchmarks all start with `await setupBackend()`.
 *
 * ## Which backend, and why
 *
 * The WASM backend with SIMD (single-threaded: Deno gives the tfjs WASM module no threads) plus
 * the kernels of `./kernels/` is the default. Measured on this project's machine (2-core AMD
 * EPYC, shared with other jobs, so figures are best-of-blocks and drift between runs) on
 * seed 003's recipe — ml-100k, dot product + biases, 50 factors, sigmoid range 0–5.5, MSE,
 * Adam with L2 weight decay, batch 100 — one training step costs:
 *
 * | backend | step (µs) |
 * |---|---|
 * | WASM + SIMD, fused dot-bias op, fused loss, fused Adam | 140–165 |
 * | CPU (the same kernels in JavaScript) | 590–700 |
 * | WASM, stock ops for the model (fast gather), stock loss | 345–425 |
 * | WASM, fused model, stock `tf.train.adam` | 810–1020 |
 *
 * PyTorch on one thread does the same step in about 390 µs (258k samples/s) on a quiet
 * day, so the default trains this recipe about 2.5–3× as fast (`deno task bench` measures the
 * ratio within one run; it reported 2.6–3.2 with best validation MSE 0.828 against torch's
 * 0.830 over 30 epochs). Stock tfjs cannot train it at all on WASM (no `UnsortedSegmentSum`)
 * and needs over a second per batch on the CPU backend.
 *
 * What each kernel changed (µs per call, process CPU time, before → after):
 * - `UnsortedSegmentSum`, 100 rows into a 1,682×50 table: CPU 726,000 → 54 (one pass
 *   instead of one scan per segment); WASM: missing → 5.5 (SIMD).
 * - `GatherV2`, 100 rows of 50: WASM 137 → 3.7, CPU 231 → 7.3; its gradient is now one
 *   segment sum instead of reshape, transpose, segment sum, transpose.
 * - `Identity` (every tensor an op saves for its gradient is cloned) of a 134k table: 11.7 →
 *   1.1 on WASM (shares the buffer instead of copying it).
 * - Adam over the recipe's 134k parameters: ~12 elementwise kernels per variable → one SIMD
 *   pass of ~80 µs in place (`FusedAdam` in `./optimizer.ts`).
 * - The dot-bias model: ~40 kernels per step → one forward and one backward kernel (with
 *   the loss fused too, 18 kernel launches per step → 4, plus 3 saved-tensor handles).
 * - Dense layers at batch 500 (128→64): the transposed products of the gradient 2,900 → 220
 *   (SIMD GEMM instead of a scalar loop), the forward product 298 → 242 (no weight packing);
 *   concat of two [500, 8] embeddings 31 → 6, its split 39 → 6; a dropout mask on
 *   [500, 128] 643 → 56 (SIMD sfc32 instead of per-element JavaScript).
 * - Saving a tensor for the gradient: an `Identity` launch and a tape node → a reference
 *   count (`./kernels/engine.ts`; 19 saves per step of the concat-MLP, −12–15% CPU time).
 * - Whole steps at batch 500 in a bare loop: the seed-004 concat-MLP ("dlrm") 2.2 ms →
 *   0.29 ms (84 → 27 kernel launches), the seed-002 deep model with dropout 10.2 ms → 1.7 ms.
 *   Through `fit` against PyTorch twins in one run, the deep model is 1.9–6× as fast, the
 *   concat-MLP about on par (0.7–1.8×: its matrices are tiny, so per-op overhead decides).
 *
 * `setupBackend()` also makes tfjs-layers' `Dense`, `Embedding`, `Dropout`, `Dot`, `Add`,
 * `Activation`, `Rescaling` and `Flatten` layers use these kernels (same results; dropout masks
 * come from sfc32 instead of alea), so a model written from stock layers in a notebook trains
 * fast too: notebook 02's model written that way (four embeddings, dot, add, flatten, sigmoid,
 * rescaling) runs 20 kernel launches per step as written (32 without these paths). By default
 * `fit` goes further and runs such a dot product of embeddings as the fused dot-bias op on the
 * model's own weights (`_fuse.ts`), at the fused model's throughput; `fuse: false` runs the
 * layers as written, at about half of it (`deno task bench --stock [--no-fuse]` measures both
 * against PyTorch in the same run). `setupBackend()` also makes `GaussianNoise`, `GaussianDropout`
 * and `AlphaDropout` draw their training noise from sfc32 under a seed that `fit` sets every step
 * (tfjs draws it unseeded; `kernels/noise.ts`).
 * The kernels read the WASM backend's heap directly, an internal API: the tfjs version is pinned
 * in deno.json, and `lib/_tfjs_internals.ts` declares and checks everything they rely on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  checkCpuInternals,
  checkWasmInternals,
  silenceCpuBackendAdvice,
  type WasmBackend,
} from "../_tfjs_internals.ts";
import { freeUnreachable } from "../_reclaim.ts";
import { checkOptionKeys } from "../_options.ts";
import { inKernel } from "../notebook/flush.ts";
import { loadNativeKernels, nativeKernels } from "./kernels/_native.ts";
import { registerTrainingKernels } from "./kernels/register.ts";
import { markConfigured } from "./_backend_state.ts";

/** The backends {@linkcode setupBackend} can set up. */
export type BackendName = "wasm" | "cpu";

/** Options of {@linkcode setupBackend}. */
export interface SetupBackendOptions {
  /**
   * The backend to use. When not given, the `TFJS_BACKEND` environment variable decides, else
   * `"wasm"` (the fastest here, see the module doc), falling back to `"cpu"` if WASM cannot
   * start.
   * @default "wasm"
   */
  backend?: BackendName;
}

/** What {@linkcode setupBackend} set up. */
export interface BackendInfo {
  /** The active tfjs backend. */
  backend: string;
  /** Whether the backend runs WebAssembly SIMD code. */
  simd: boolean;
  /** Threads the backend computes with. */
  threads: number;
  /** The custom kernels registered on this backend. */
  kernels: string[];
  /**
   * Which Adam pass the fused optimizer runs: `"native avx512f"` (or `avx2`, `sse2`: the CPU's
   * widest vectors through FFI, see `kernels/_native.ts`), `"wasm simd"`, or on the CPU backend
   * `"javascript"`; the native and WASM passes give the same results to the bit.
   */
  adam: string;
}

const BACKENDS: readonly BackendName[] = ["wasm", "cpu"];

/** Every option of {@linkcode setupBackend} (the type makes the list complete). */
const SETUP_BACKEND_OPTIONS: Record<keyof SetupBackendOptions, true> = { backend: true };

function requested(options: SetupBackendOptions): { name: BackendName; explicit: boolean } {
  checkOptionKeys(options, Object.keys(SETUP_BACKEND_OPTIONS), "setupBackend()");
  if (options.backend !== undefined) {
    if (!BACKENDS.includes(options.backend)) {
      throw new RangeError(
        `setupBackend(): expected backend "wasm" or "cpu", found ${
          JSON.stringify(options.backend)
        }`,
      );
    }
    return { name: options.backend, explicit: true };
  }
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("TFJS_BACKEND");
  } catch {
    fromEnv = undefined; // no --allow-env: use the default
  }
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!BACKENDS.includes(fromEnv as BackendName)) {
      throw new RangeError(
        `setupBackend(): expected TFJS_BACKEND to be "wasm" or "cpu", found ${
          JSON.stringify(fromEnv)
        }`,
      );
    }
    return { name: fromEnv as BackendName, explicit: true };
  }
  return { name: "wasm", explicit: false };
}

function describe(kernels: Map<string, string[]>): BackendInfo {
  const name = tf.getBackend();
  const backend = tf.backend();
  if (name === "wasm") {
    checkWasmInternals(backend);
    const native = nativeKernels();
    return {
      backend: name,
      simd: Boolean(tf.env().get("WASM_HAS_SIMD_SUPPORT")),
      threads: (backend as WasmBackend).wasm.tfjs.getThreadsCount(),
      kernels: [...(kernels.get(name) ?? [])],
      adam: native ? `native ${native.variant}` : "wasm simd",
    };
  }
  checkCpuInternals(backend);
  return {
    backend: name,
    simd: false,
    threads: 1,
    kernels: [...(kernels.get(name) ?? [])],
    adam: "javascript",
  };
}

/**
 * Selects and initialises the tfjs backend and registers the custom training kernels.
 * Idempotent: calling it again with the same choice returns at once; a different choice
 * switches backend (tensors made on the old one stay there, so call it before building models).
 * Inside Deno's Jupyter kernel it also has the weights (and fused Adam moments) of models that
 * no cell can reach any more freed once they are garbage-collected (`lib/_reclaim.ts`), so that
 * running cells again does not pile up old models' memory.
 *
 * @param options Which backend; by default the WASM backend with SIMD.
 * @returns The active backend, whether it uses SIMD, its thread count and the custom kernels.
 * @example
 * ```ts
 * import { setupBackend } from "./backend.ts";
 * import { assert } from "@std/assert";
 * const info = await setupBackend({ backend: "cpu" });
 * assert(info.kernels.includes("UnsortedSegmentSum"), "kernels not registered");
 * ```
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendInfo> {
  const { name, explicit } = requested(options);
  const kernels = registerTrainingKernels();
  if (inKernel()) freeUnreachable(); // old models' memory back as cells are run again
  if (tf.getBackend() !== name) {
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch {
      ok = false;
    }
    if (!ok) {
      if (explicit || name === "cpu") {
        throw new Error(`setupBackend(): the tfjs "${name}" backend failed to initialise`);
      }
      console.warn('setupBackend(): the WASM backend failed to initialise; using "cpu"');
      if (!(await tf.setBackend("cpu"))) {
        throw new Error('setupBackend(): neither the "wasm" nor the "cpu" backend initialised');
      }
    }
  }
  await tf.ready();
  if (tf.getBackend() === "wasm") await loadNativeKernels();
  if (tf.getBackend() === "cpu") {
    // The CPU backend greets Node users with advice to install tfjs-node (not for Deno).
    silenceCpuBackendAdvice(tf.backend());
  }
  markConfigured();
  return describe(kernels);
}
