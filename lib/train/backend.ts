/**
 * One call that makes tfjs train fast in Deno: pick the backend, initialise it and register
 * the custom kernels of `./kernels/` (fast segment sum and gather, the fused dot-bias op).
 * Notebooks, tests and benchmarks all start with `await setupBackend()`.
 *
 * ## Which backend, and why
 *
 * MEASUREMENTS_PLACEHOLDER
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { checkCpuInternals, checkWasmInternals, type WasmBackend } from "./kernels/_internals.ts";
import { registerTrainingKernels } from "./kernels/register.ts";

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
}

const BACKENDS: readonly BackendName[] = ["wasm", "cpu"];

function requested(options: SetupBackendOptions): { name: BackendName; explicit: boolean } {
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
    return {
      backend: name,
      simd: Boolean(tf.env().get("WASM_HAS_SIMD_SUPPORT")),
      threads: (backend as WasmBackend).wasm.tfjs.getThreadsCount(),
      kernels: [...(kernels.get(name) ?? [])],
    };
  }
  checkCpuInternals(backend);
  return { backend: name, simd: false, threads: 1, kernels: [...(kernels.get(name) ?? [])] };
}

/**
 * Selects and initialises the tfjs backend and registers the custom training kernels.
 * Idempotent: calling it again with the same choice returns at once; a different choice
 * switches backend (tensors made on the old one stay there, so call it before building models).
 *
 * @param options Which backend; by default the WASM backend with SIMD.
 * @returns The active backend, whether it uses SIMD, its thread count and the custom kernels.
 * @example
 * ```ts
 * import { setupBackend } from "./backend.ts";
 * const info = await setupBackend({ backend: "cpu" });
 * if (!info.kernels.includes("UnsortedSegmentSum")) throw new Error("kernels not registered");
 * ```
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendInfo> {
  const { name, explicit } = requested(options);
  const kernels = registerTrainingKernels();
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
  if (tf.getBackend() === "cpu") {
    // The CPU backend greets Node users with advice to install tfjs-node (not for Deno).
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  }
  return describe(kernels);
}
