/**
 * Giving back the memory of models no code can reach any more. tfjs frees a weight only when
 * something calls `dispose()`; JavaScript's garbage collector frees the layer objects but not
 * the tensors behind them. In a notebook that matters: running again a cell that builds a model
 * replaces the variable that held the old one, which no cell can reach afterwards, yet its
 * weights and its optimizer's moments stayed in tfjs' memory until Kernel › Restart (16.6 to
 * 41.8 MB per Run All of these notebooks at full size).
 *
 * Once {@linkcode freeUnreachable} has run (`setupBackend()` runs it inside Deno's Jupyter
 * kernel, as `inKernel()` of `lib/notebook/flush.ts` tells), every layer that creates a weight
 * afterwards gives that weight back when the collector finds the layer unreachable, and every
 * fused Adam made afterwards its moments ({@linkcode freeWhenUnreachable}). A layer shared by a
 * model still in use is reachable through that model, and so is every graph it was applied in
 * (tfjs links a layer to each), with their other layers; a weight disposed by hand is skipped.
 *
 * The tensors tfjs hands out live as long as their owner: `model.getWeights()`,
 * `model.weights[i].read()` and `FusedAdam.getWeights()` return the live variables, not copies
 * (unlike Keras' `get_weights()`), so a value kept from a model that is then dropped is disposed
 * with it; `clone()` it (or copy its `dataSync()`) to keep it.
 *
 * When the memory comes back is V8's choice: at its next full collection, which follows
 * JavaScript allocation, not tfjs' memory (which V8 does not see). Rebuilding a 2.7 MB model
 * 40 times in a loop that allocates little else, the collector came after the 9th, 10th and
 * 32nd model: memory peaked at 61.9 MB (108 MB without this module) and fell to 5.4 MB at each
 * collection. Outside a notebook nothing is installed: programs and tests free what they make
 * themselves, and a test that counts tensors sees no count change behind its back.
 *
 * One more holder had to shrink: tfjs-layers caches the topologically sorted graph of each
 * model that predicts (through `predict`, `evaluate` or `compareModels()`), keeping the last
 * 100 and every layer they reach; once installed it keeps {@linkcode SORT_CACHE_ENTRIES}
 * (the public flag `TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES`), so at most that many models that
 * predicted lately outlive their last reference.
 *
 * What it relies on inside tfjs: every layer creates its weights through
 * `tf.layers.Layer.prototype.addWeight` (wrapped here; `checkTfjsInternals()` checks that it
 * exists), and a weight's `read()` returns the one `tf.Variable` it keeps for its life.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { SORT_CACHE_FLAG } from "./_tfjs_internals.ts";

/** The process-wide state (one per process, whichever copy of this module is loaded). */
interface ReclaimState {
  /** Frees a registered owner's tensors once the owner is collected. */
  registry: FinalizationRegistry<() => void>;
  /** How many registered owners were collected so far (diagnostics, and what tests read). */
  freed: number;
}

const KEY = Symbol.for("movielens-embeddings.reclaim");

function state(): ReclaimState | undefined {
  return (globalThis as unknown as Record<symbol, ReclaimState | undefined>)[KEY];
}

/** How many sorted graphs tfjs-layers keeps once {@linkcode freeUnreachable} is installed. */
export const SORT_CACHE_ENTRIES = 8;

/** The method this module wraps: how every tfjs layer creates a weight. */
type AddWeight = (this: tf.layers.Layer, ...args: unknown[]) => tf.LayerVariable;

/**
 * A freeing function for one weight, made outside any method so that its closure holds the
 * variable and nothing else (a closure that could reach the layer would keep it alive).
 */
function freeVariable(variable: tf.Variable): () => void {
  return () => {
    if (!variable.isDisposed) variable.dispose();
  };
}

/**
 * From now on, frees the weights of tfjs layers, and the moments of fused Adams, that no code
 * can reach any more, once the garbage collector finds them (see the module documentation).
 * Layers and optimizers made before the call are not followed. Calling it again does nothing.
 *
 * @returns `"installed"`, or `"already installed"` when an earlier call (from any copy of this
 *   module) installed it.
 * @example
 * ```ts
 * import { freeUnreachable, freedCount } from "./_reclaim.ts";
 * import { assertEquals } from "@std/assert";
 * // A doc example shares its process with others: look, do not install.
 * assertEquals(typeof freeUnreachable, "function");
 * assertEquals(freedCount() >= 0, true);
 * ```
 */
export function freeUnreachable(): "installed" | "already installed" {
  if (state() !== undefined) return "already installed";
  const reclaim: ReclaimState = {
    registry: new FinalizationRegistry((free) => {
      free();
      reclaim.freed++;
    }),
    freed: 0,
  };
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const addWeight = proto.addWeight;
  proto.addWeight = function (this: tf.layers.Layer, ...args: unknown[]) {
    const weight = addWeight.apply(this, args);
    reclaim.registry.register(this, freeVariable(weight.read() as tf.Variable));
    return weight;
  };
  // tfjs-layers keeps the sorted graph of the last 100 models that predicted (its flag's
  // default), and with it their layers: a few are enough to reuse a graph within a cell.
  tf.env().set(SORT_CACHE_FLAG, SORT_CACHE_ENTRIES);
  (globalThis as unknown as Record<symbol, ReclaimState>)[KEY] = reclaim;
  return "installed";
}

/**
 * Has `free` called once `owner` has been garbage-collected, when {@linkcode freeUnreachable}
 * was installed; otherwise does nothing. `free` must not reach `owner` (make it in a function
 * of its own that receives only what it frees), or `owner` would never be collected.
 *
 * @param owner The object whose tensors `free` gives back.
 * @param free Disposes those tensors; called at most once.
 * @example
 * ```ts
 * import { freeWhenUnreachable } from "./_reclaim.ts";
 * freeWhenUnreachable({}, () => {}); // not installed in a doc example: nothing happens
 * ```
 */
export function freeWhenUnreachable(owner: object, free: () => void): void {
  state()?.registry.register(owner, free);
}

/**
 * How many owners registered since {@linkcode freeUnreachable} was installed (a layer once per
 * weight, a fused Adam once) have been collected and their freeing run, whether or not their
 * tensors had been disposed by hand before (0 when it was not installed).
 *
 * @returns The count.
 * @example
 * ```ts
 * import { freedCount } from "./_reclaim.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(Number.isInteger(freedCount()), true);
 * ```
 */
export function freedCount(): number {
  return state()?.freed ?? 0;
}
