/**
 * A fused Adam optimizer: one pass over each variable updates the moments and the weights in
 * place (WebAssembly SIMD on the WASM backend, or the same pass in the CPU's widest vectors
 * where `kernels/_native.ts` could build it, bit for bit the same; a JavaScript loop on the CPU
 * backend; stock ops elsewhere). tfjs' own Adam runs about a dozen elementwise kernels per variable and
 * allocates a new buffer for each; on the 134k parameters of the seed-003 model this pass is
 * the largest part of a training step.
 *
 * Three weight-decay modes, each matching a reference implementation:
 * - `"none"`: Adam as Keras computes it;
 * - `"l2"`: PyTorch's `Adam(weight_decay=wd)`: `g += wd * w` on every row, every step;
 * - `"decoupled"`: PyTorch's `AdamW`: `w *= 1 - lr * wd`, then the Adam step.
 *
 * Two placements of `epsilon`: Keras (and TensorFlow) add it to `sqrt(v)` before the bias
 * correction of the step size ("epsilon hat", the default without weight decay); PyTorch and
 * tfjs' own `tf.train.adam` add it after, to `sqrt(v̂)` as in the paper's Algorithm 1 (the
 * default of the two PyTorch modes; `epsilonHat: false` chooses it). With `epsilonHat: false`
 * and no weight decay this optimizer computes what `tf.train.adam` computes, which is how the
 * training loop replaces a compiled `tf.train.adam` by this one without changing the results.
 *
 * Keras-style L2 penalties (`embeddings_regularizer=l2(λ)`) can be handed over per variable
 * with {@linkcode FusedAdam.setPenalties}: the update then adds `2λw` to that variable's
 * gradient (dense, every step) and reports `Σ λ·Σw²` through
 * {@linkcode FusedAdam.lastPenalty}, so a training loop can show Keras' loss without extra
 * passes over the weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { CpuBackend, DataId, WasmBackend } from "../_tfjs_internals.ts";
import {
  type AdamConstants,
  offsetOf,
  refCountOf,
  renewWasmId,
  wasmContext,
} from "./kernels/_wasm.ts";
import { heapPointers, nativeKernels } from "./kernels/_native.ts";
import { noteWeightsWritten } from "./_health.ts";
import { freeWhenUnreachable } from "../_reclaim.ts";
import { checkOptionKeys } from "../_options.ts";
import { ADAM_OPTION_NAMES } from "./_adam_options.ts";

/** A tensor with a name, as optimizers exchange weights and gradients. */
export interface NamedTensor {
  /** Variable or weight name. */
  name: string;
  /** Its value. */
  tensor: tf.Tensor;
}

/** How {@linkcode FusedAdam} applies `weightDecay`. */
export type WeightDecayMode = "none" | "l2" | "decoupled";

/** Options of {@linkcode adam}. */
export interface AdamOptions {
  /**
   * Step size; can be changed later through `optimizer.learningRate`.
   * @default 1e-3
   */
  learningRate?: number;
  /**
   * Decay rate of the first moment.
   * @default 0.9
   */
  beta1?: number;
  /**
   * Decay rate of the second moment.
   * @default 0.999
   */
  beta2?: number;
  /**
   * Added to the denominator for stability (Keras' default).
   * @default 1e-7
   */
  epsilon?: number;
  /**
   * Weight decay factor, applied as `decay` says.
   * @default 0
   */
  weightDecay?: number;
  /**
   * `"none"`, `"l2"` (PyTorch `Adam(weight_decay)`) or `"decoupled"` (PyTorch `AdamW`).
   * @default "none", or "l2" when only `weightDecay` is given
   */
  decay?: WeightDecayMode;
  /**
   * Add `epsilon` to `sqrt(v)` before the bias correction (Keras' "epsilon hat") rather than
   * to `sqrt(v̂)` after it (PyTorch, `tf.train.adam`).
   * @default true with decay "none", false with "l2" and "decoupled"
   */
  epsilonHat?: boolean;
}

/** The moments of one variable. */
interface Slots {
  m: tf.Variable;
  v: tf.Variable;
}

const MODES: readonly WeightDecayMode[] = ["none", "l2", "decoupled"];

/** Frees an optimizer's moments: made apart from the optimizer, so that it holds only them. */
function freeMoments(slots: Map<string, Slots>): () => void {
  return () => {
    for (const { m, v } of slots.values()) tf.dispose([m, v]);
    slots.clear();
  };
}

function checkNumber(name: string, value: number, ok: (x: number) => boolean, want: string) {
  if (typeof value !== "number" || !ok(value)) {
    throw new RangeError(`adam(): expected ${name} ${want}, found ${value}`);
  }
}

/**
 * Adam with fused, in-place updates, usable from `model.compile({ optimizer })` and from a
 * hand-written loop. Create it with {@linkcode adam}.
 */
export class FusedAdam extends tf.Optimizer {
  /** The name tfjs serialisation knows this class by. */
  static get className(): string {
    return "FusedAdam";
  }

  /**
   * `x instanceof FusedAdam` by the prototype chain. (tfjs' `Optimizer` counts every object
   * with `minimize`, `computeGradients` and `applyGradients` as an instance of every optimizer
   * class, so without this any optimizer would pass for a fused Adam.)
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  /** Step size of the next update (settable between calls). */
  learningRate: number;
  /** Decay rate of the first moment. */
  readonly beta1: number;
  /** Decay rate of the second moment. */
  readonly beta2: number;
  /** Stability term of the denominator. */
  readonly epsilon: number;
  /** Weight decay factor. */
  readonly weightDecay: number;
  /** How the weight decay is applied. */
  readonly decay: WeightDecayMode;
  /** Whether `epsilon` is added before the bias correction (Keras) or after (PyTorch, tfjs). */
  readonly epsilonHat: boolean;

  #slots = new Map<string, Slots>();
  #penalties = new Map<string, number>();
  #lastPenalty = 0;
  /** Data buffers this optimizer made and may therefore update in place. */
  #owned = new WeakSet<DataId>();

  /**
   * Checks the hyper-parameters; the moments are created on the first update.
   *
   * @param options Hyper-parameters; see {@linkcode AdamOptions}.
   */
  constructor(options: AdamOptions = {}) {
    super();
    const {
      learningRate = 1e-3,
      beta1 = 0.9,
      beta2 = 0.999,
      epsilon = 1e-7,
      weightDecay = 0,
    } = options;
    checkNumber("learningRate", learningRate, (x) => x >= 0 && Number.isFinite(x), ">= 0");
    checkNumber("beta1", beta1, (x) => x >= 0 && x < 1, "in [0, 1)");
    checkNumber("beta2", beta2, (x) => x >= 0 && x < 1, "in [0, 1)");
    // ε = 0 divides 0 by 0 wherever a gradient has been 0 so far (an unseen embedding row).
    checkNumber("epsilon", epsilon, (x) => x > 0 && Number.isFinite(x), "> 0 (and finite)");
    checkNumber("weightDecay", weightDecay, (x) => x >= 0 && Number.isFinite(x), ">= 0");
    const decay = options.decay ?? (weightDecay > 0 ? "l2" : "none");
    if (!MODES.includes(decay)) {
      throw new RangeError(
        `adam(): expected decay "none", "l2" or "decoupled", found ${JSON.stringify(decay)}`,
      );
    }
    if (decay === "none" && weightDecay > 0) {
      throw new RangeError(
        `adam(): weightDecay ${weightDecay} needs decay "l2" or "decoupled", found "none"`,
      );
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.decay = decay;
    this.epsilonHat = options.epsilonHat ?? decay === "none";
    if (typeof this.epsilonHat !== "boolean") {
      throw new RangeError(`adam(): expected epsilonHat true or false, found ${this.epsilonHat}`);
    }
    // In a notebook, the moments go when nothing can reach this optimizer any more.
    freeWhenUnreachable(this, freeMoments(this.#slots));
  }

  /**
   * Sets per-variable Keras-style L2 penalties: for each variable name, `loss += λ·Σw²`, so
   * the update adds `2λw` to the variable's gradient. Replaces any earlier map.
   *
   * @param penalties Variable name (`variable.name`) → λ (≥ 0).
   */
  setPenalties(penalties: Map<string, number>): void {
    for (const [name, lambda] of penalties) {
      if (!(lambda >= 0) || !Number.isFinite(lambda)) {
        throw new RangeError(
          `FusedAdam.setPenalties(): expected λ >= 0 for variable "${name}", found ${lambda}`,
        );
      }
    }
    this.#penalties = new Map(penalties);
  }

  /** The per-variable L2 penalties in force (a copy). */
  penalties(): Map<string, number> {
    return new Map(this.#penalties);
  }

  /**
   * `Σ λ·Σw²` over the penalised variables, measured during the last update before the
   * weights changed (0 when none is penalised).
   */
  lastPenalty(): number {
    return this.#lastPenalty;
  }

  /**
   * Applies one Adam step to each named variable.
   *
   * @param variableGradients Gradients keyed by variable name (as `tf.variableGrads` returns
   *   them) or as a list of `{ name, tensor }`.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs: [string, tf.Tensor | null][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const t = this.iterations + 1;
    const lr = this.learningRate;
    const bc1 = 1 - Math.pow(this.beta1, t), bc2 = 1 - Math.pow(this.beta2, t);
    const hat = this.epsilonHat;
    const step: StepConstants = {
      b1: this.beta1,
      ob1: 1 - this.beta1,
      b2: this.beta2,
      ob2: 1 - this.beta2,
      alpha: hat ? lr * Math.sqrt(bc2) / bc1 : lr / bc1,
      s: hat ? 1 : 1 / Math.sqrt(bc2),
      eps: this.epsilon,
      c: 0,
      d: this.decay === "decoupled" ? 1 - lr * this.weightDecay : 1,
    };
    const l2 = this.decay === "l2" ? this.weightDecay : 0;
    const engine = tf.engine();
    const backendName = tf.getBackend();
    const backend = tf.backend();
    let penalty = 0;
    for (const [name, grad] of pairs) {
      if (grad == null) continue;
      const variable = engine.registeredVariables[name];
      if (variable === undefined) {
        throw new RangeError(`FusedAdam.applyGradients(): no variable named "${name}"`);
      }
      if (grad.size !== variable.size) {
        throw new RangeError(
          `FusedAdam.applyGradients(): expected a gradient of shape [${variable.shape}] for ` +
            `"${name}", found [${grad.shape}]`,
        );
      }
      const lambda = this.#penalties.get(name) ?? 0;
      step.c = l2 + 2 * lambda;
      const slots = this.#slotsFor(name, variable);
      const sumsq = backendName === "wasm" && variable.dtype === "float32" &&
          grad.dtype === "float32" && onBackend(backend, [variable, grad, slots.m, slots.v])
        ? this.#stepWasm(backend as WasmBackend, variable, grad, slots, step)
        : backendName === "cpu" && variable.dtype === "float32" &&
            onBackend(backend, [variable, grad, slots.m, slots.v])
        ? this.#stepCpu(backend as CpuBackend, variable, grad, slots, step)
        : this.#stepOps(variable, grad, slots, step, lambda > 0);
      penalty += lambda * sumsq;
    }
    this.#lastPenalty = penalty;
    noteWeightsWritten();
    this.incrementIterations();
  }

  /** The moments of `variable`, created (zeros) on first use. */
  #slotsFor(name: string, variable: tf.Variable): Slots {
    let slots = this.#slots.get(name);
    if (slots && (slots.m.isDisposed || !tf.util.arraysEqual(slots.m.shape, variable.shape))) {
      slots.m.dispose();
      slots.v.dispose();
      slots = undefined;
    }
    if (slots === undefined) {
      slots = tf.tidy(() => ({
        m: tf.variable(tf.zeros(variable.shape), false),
        v: tf.variable(tf.zeros(variable.shape), false),
      }));
      this.#slots.set(name, slots);
    }
    return slots;
  }

  /**
   * Makes sure `variable` has a data buffer of its own that this optimizer may write in
   * place: a buffer another tensor shares (after `clone()`, `assign()` or `tf.variable(t)`)
   * is copied first, and the variable moved onto the copy.
   */
  #own(backend: tf.KernelBackend, variable: tf.Variable): void {
    if (this.#owned.has(variable.dataId) && refCountOf(backend, variable.dataId) === 1) return;
    const copy = tf.tidy(() => tf.add(variable, tf.scalar(0, variable.dtype)));
    variable.assign(copy);
    copy.dispose();
    this.#owned.add(variable.dataId);
  }

  /** {@linkcode #own} for a variable and both its moments, before an in-place step. */
  #ownAll(backend: tf.KernelBackend, variable: tf.Variable, slots: Slots): void {
    this.#own(backend, variable);
    this.#own(backend, slots.m);
    this.#own(backend, slots.v);
  }

  #stepWasm(
    backend: WasmBackend,
    variable: tf.Variable,
    grad: tf.Tensor,
    slots: Slots,
    k: StepConstants,
  ): number {
    this.#ownAll(backend, variable, slots);
    const { kernels, memory } = wasmContext(backend);
    const native = nativeKernels();
    const ids = [variable.dataId, grad.dataId, slots.m.dataId, slots.v.dataId];
    const offsets = ids.map((id) => offsetOf(backend, id));
    const constants: AdamConstants = [k.b1, k.ob1, k.b2, k.ob2, k.c, k.d, k.alpha, k.s, k.eps];
    let sumsq: number;
    if (native !== null) { // the same step in wider vectors, bit for bit (kernels/_native.ts)
      const [w, g, m, v] = heapPointers(memory, offsets);
      sumsq = native.step(w, g, m, v, variable.size, ...constants);
    } else {
      const [w, g, m, v] = offsets;
      sumsq = kernels.adam(w, g, m, v, variable.size, ...constants);
    }
    // XNNPACK caches MatMul/Conv operators with their weights packed, keyed by tensor id: a
    // weight changed in place must drop them, or those kernels keep the stale weights.
    renewWasmId(backend, variable.dataId);
    return sumsq;
  }

  #stepCpu(
    backend: CpuBackend,
    variable: tf.Variable,
    grad: tf.Tensor,
    slots: Slots,
    k: StepConstants,
  ): number {
    this.#ownAll(backend, variable, slots);
    const values = (t: tf.Tensor) => backend.data.get(t.dataId)!.values as Float32Array;
    return adamLoop(
      values(variable),
      backend.data.get(grad.dataId)!.values,
      values(slots.m),
      values(slots.v),
      k,
    );
  }

  /** The same step from stock ops (any backend; new buffers, so no ownership needed). */
  #stepOps(
    variable: tf.Variable,
    grad: tf.Tensor,
    slots: Slots,
    k: StepConstants,
    wantSumsq: boolean,
  ): number {
    return tf.tidy(() => {
      const w = variable as tf.Tensor;
      const g = k.c !== 0 ? tf.add(grad, tf.mul(w, k.c)) : grad;
      const m = tf.add(tf.mul(slots.m, k.b1), tf.mul(g, k.ob1));
      const v = tf.add(tf.mul(slots.v, k.b2), tf.mul(tf.square(g), k.ob2));
      const sumsq = wantSumsq ? tf.sum(tf.square(w)).dataSync()[0] : 0;
      const update = tf.div(tf.mul(m, k.alpha), tf.add(tf.mul(tf.sqrt(v), k.s), k.eps));
      const next = tf.sub(k.d !== 1 ? tf.mul(w, k.d) : w, update);
      slots.m.assign(m);
      slots.v.assign(v);
      variable.assign(next.reshape(variable.shape));
      return sumsq;
    });
  }

  /** The hyper-parameters, for `tf.serialization` and `model.save()`. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      decay: this.decay,
      epsilonHat: this.epsilonHat,
    };
  }

  /**
   * Rebuilds an optimizer from {@linkcode FusedAdam.getConfig}'s output.
   *
   * @param cls The class (tfjs serialisation passes it).
   * @param config The saved hyper-parameters.
   * @returns A new optimizer with no moments yet.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as AdamOptions);
  }

  /** The step count and every moment, named `<variable>/m` and `<variable>/v` like tfjs. */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, { m }] of this.#slots) weights.push({ name: `${name}/m`, tensor: m });
    for (const [name, { v }] of this.#slots) weights.push({ name: `${name}/v`, tensor: v });
    return weights;
  }

  /** Restores what {@linkcode FusedAdam.getWeights} returned (tensors are copied). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const byOwner = new Map<string, Partial<Record<"m" | "v", tf.Tensor>>>();
    for (const { name, tensor } of rest) {
      const match = /^(.*)\/([mv])$/.exec(name);
      if (match === null) {
        throw new RangeError(
          `FusedAdam.setWeights(): expected weights named "<variable>/m" or "/v", found "${name}"`,
        );
      }
      const entry = byOwner.get(match[1]) ?? {};
      entry[match[2] as "m" | "v"] = tensor;
      byOwner.set(match[1], entry);
    }
    for (const [name, { m, v }] of byOwner) {
      if (m === undefined || v === undefined) {
        throw new RangeError(`FusedAdam.setWeights(): expected both moments of "${name}"`);
      }
      const old = this.#slots.get(name);
      if (old) tf.dispose([old.m, old.v]);
      // The copies live on in the variables; the tidy frees the clones' own handles.
      this.#slots.set(
        name,
        tf.tidy(() => ({ m: tf.variable(tf.clone(m), false), v: tf.variable(tf.clone(v), false) })),
      );
    }
  }

  /** Disposes the moments. */
  override dispose(): void {
    for (const { m, v } of this.#slots.values()) tf.dispose([m, v]);
    this.#slots.clear();
  }
}

/** The per-step constants of the fused update (see `kernels.wat`, function `adam`). */
interface StepConstants {
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  c: number;
  d: number;
  alpha: number;
  s: number;
  eps: number;
}

/** Whether every tensor's data already lives on `backend`. */
function onBackend(backend: tf.KernelBackend, tensors: tf.Tensor[]): boolean {
  for (const t of tensors) if (refCountOf(backend, t.dataId) === 0) return false;
  return true;
}

/** The fused step in JavaScript (CPU backend); returns Σw² before the step. */
function adamLoop(
  w: Float32Array,
  g: tf.TypedArray,
  m: Float32Array,
  v: Float32Array,
  k: StepConstants,
): number {
  const { b1, ob1, b2, ob2, c, d, alpha, s, eps } = k;
  let sumsq = 0;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i];
    const gi = g[i] + c * wi;
    const mi = b1 * m[i] + ob1 * gi;
    const vi = b2 * v[i] + ob2 * gi * gi;
    sumsq += wi * wi;
    m[i] = mi;
    v[i] = vi;
    w[i] = d * wi - alpha * mi / (s * Math.sqrt(vi) + eps);
  }
  return sumsq;
}

tf.serialization.registerClass(FusedAdam);

/**
 * Creates a {@linkcode FusedAdam} optimizer.
 *
 * @param options Learning rate, betas, epsilon and weight decay (see {@linkcode AdamOptions}).
 * @returns The optimizer, ready for `model.compile({ optimizer })` or a custom loop.
 * @throws {RangeError} On a hyper-parameter out of range: a learning rate or weight decay that
 *   is negative or not finite, a beta outside [0, 1), an epsilon that is not a finite number
 *   > 0 (0 makes the first step of a weight without gradient 0 / 0), an unknown decay mode.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "./backend.ts";
 * import { adam } from "./optimizer.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const w = tf.variable(tf.tensor1d([1, -1]), true, "doc_w");
 * const opt = adam({ learningRate: 0.1, weightDecay: 1e-2, decay: "decoupled" });
 * opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
 * // The first Adam step moves each weight by about the learning rate, towards 0.
 * assertAlmostEquals(w.dataSync()[0], 0.899, 1e-3, "unexpected step");
 * opt.dispose();
 * w.dispose();
 * ```
 */
export function adam(options: AdamOptions = {}): FusedAdam {
  checkOptionKeys(options, ADAM_OPTION_NAMES, "adam()");
  return new FusedAdam(options);
}

/**
 * The fused Adam equivalent of a compiled optimizer: the optimizer itself when it is a
 * {@linkcode FusedAdam}; for tfjs' `tf.train.adam`, a `FusedAdam` with the same learning
 * rate, betas and epsilon, computing the same update (`epsilonHat: false`), and carrying over
 * its step count and moments (so a model trained before goes on where it was); `null` for any
 * other optimizer. The stock Adam is left as it was (the caller disposes it).
 *
 * @param optimizer A tfjs optimizer.
 * @returns The fused Adam, or null when there is none for this optimizer.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedAdamFor } from "./optimizer.ts";
 * import { assertEquals } from "@std/assert";
 * const fused = await fusedAdamFor(tf.train.adam(0.01, 0.8));
 * assertEquals(fused?.learningRate, 0.01);
 * assertEquals(fused?.beta1, 0.8);
 * assertEquals(fused?.epsilonHat, false);
 * assertEquals(await fusedAdamFor(tf.train.sgd(0.1)), null);
 * ```
 */
export async function fusedAdamFor(optimizer: tf.Optimizer): Promise<FusedAdam | null> {
  if (optimizer instanceof FusedAdam) return optimizer;
  // By the prototype chain: tfjs' own instanceof takes any optimizer for an Adam.
  if (!Object.prototype.isPrototypeOf.call(tf.AdamOptimizer.prototype, optimizer)) return null;
  const c = optimizer.getConfig() as Record<"learningRate" | "beta1" | "beta2" | "epsilon", number>;
  const fused = new FusedAdam({
    learningRate: c.learningRate,
    beta1: c.beta1,
    beta2: c.beta2,
    epsilon: c.epsilon,
    epsilonHat: false,
  });
  const weights = await optimizer.getWeights();
  try {
    await fused.setWeights(weights);
  } finally {
    // The step count comes as a new scalar (the moments are the optimizer's own variables).
    tf.dispose(weights.filter((w) => w.name === "iter").map((w) => w.tensor));
  }
  return fused;
}
