/**
 * Cheaper saved tensors. While a gradient tape records, tfjs keeps every tensor an op needs
 * for its gradient by cloning it: a full `Identity` kernel launch plus a tape node of its own,
 * per saved tensor (19 per training step of the seed-004 concat-MLP, about 15% of its CPU
 * time). {@linkcode installFastSaves} makes that clone a plain reference-counted handle on
 * the same buffer — what the CPU backend's `Identity` (and the zero-copy WASM one of
 * `./identity.ts`) produce anyway — without the kernel launch and the tape node. Higher-order
 * gradients (a tape inside a tape), which need the clone's tape node, and other backends keep
 * tfjs' code.
 *
 * @module
 */
import { replaceSaveTensorsForBackward } from "../../_tfjs_internals.ts";

const FAST_BACKENDS = new Set(["cpu", "wasm"]);
let installed = false;

/**
 * Replaces the engine's saving of tensors for gradients with reference-counted handles
 * (idempotent; done by `setupBackend()`).
 *
 * @returns Whether this call installed it (false when already done).
 * @example
 * ```ts
 * import { installFastSaves } from "./engine.ts";
 * import { assertEquals } from "@std/assert";
 * installFastSaves();
 * assertEquals(installFastSaves(), false, "the second call should do nothing");
 * ```
 */
export function installFastSaves(): boolean {
  if (installed) return false;
  replaceSaveTensorsForBackward((stock, engine) => (tensors) => {
    if (engine.gradientDepth > 1 || !FAST_BACKENDS.has(engine.backendName)) return stock(tensors);
    return tensors.map((t) => engine.handle(t) ?? stock([t])[0]);
  });
  installed = true;
  return true;
}
