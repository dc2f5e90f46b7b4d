/**
 * Keras-style weight penalties of a model: `loss += λ·Σw²` (and `λ₁·Σ|w|`) over whole weight
 * matrices, every step. They come from stock layers' regularizers (`embeddingsRegularizer`,
 * `kernelRegularizer`, `biasRegularizer`, …) and from any layer with a `penalties()` method
 * (variable name → λ, as the fused `EmbeddingDotBias` layer exposes them).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { allLayers, REGULARIZER_FIELDS } from "../_tfjs_internals.ts";

/** One penalised weight. */
export interface PenaltyTerm {
  /** The variable (its `name` is the key optimizers use). */
  variable: tf.Variable;
  /** L2 coefficient: adds `l2·Σw²`. */
  l2: number;
  /** L1 coefficient: adds `l1·Σ|w|`. */
  l1: number;
  /** A regulariser other than L1/L2, applied as it is (never fused). */
  custom: tf.serialization.Serializable | null;
}

/** Every penalty of a model. */
export interface Penalties {
  /** The terms, one per penalised variable. */
  terms: PenaltyTerm[];
  /** Whether every term is a plain L2 one (then an optimizer can fuse them). */
  pureL2: boolean;
}

type Reg = tf.serialization.Serializable & { apply(x: tf.Tensor): tf.Scalar };

/**
 * Collects the penalties of every layer of `model` (nested models included).
 *
 * @param model The model.
 * @param caller Function name for error messages.
 * @returns The penalty terms.
 */
export function collectPenalties(model: tf.LayersModel, caller: string): Penalties {
  const byName = new Map<string, PenaltyTerm>();
  const variables = new Map<string, tf.Variable>();
  for (const w of model.weights) {
    const variable = w.read() as tf.Variable;
    variables.set(variable.name, variable);
  }
  const add = (variable: tf.Variable, term: Omit<PenaltyTerm, "variable">) => {
    const seen = byName.get(variable.name);
    if (seen) {
      seen.l1 += term.l1;
      seen.l2 += term.l2;
      if (term.custom) seen.custom = term.custom;
    } else byName.set(variable.name, { variable, ...term });
  };
  for (const layer of allLayers(model)) {
    const l = layer as unknown as Record<string, unknown>;
    if (l.activityRegularizer != null) {
      throw new TypeError(
        `${caller}(): layer "${layer.name}" has an activity regularizer, which tfjs cannot train; ` +
          "expected weight regularizers only",
      );
    }
    for (const [regKey, weightKey] of REGULARIZER_FIELDS) {
      const reg = l[regKey] as Reg | null | undefined;
      const weight = l[weightKey] as { read(): tf.Tensor } | null | undefined;
      if (reg == null || weight == null || typeof weight.read !== "function") continue;
      const variable = weight.read() as tf.Variable;
      if (!variable.trainable) continue;
      if (reg.getClassName() === "L1L2") {
        const { l1 = 0, l2 = 0 } = reg.getConfig() as { l1?: number; l2?: number };
        if (l1 !== 0 || l2 !== 0) add(variable, { l1, l2, custom: null });
      } else add(variable, { l1: 0, l2: 0, custom: reg });
    }
    const penalties = (layer as unknown as { penalties?: () => Map<string, number> }).penalties;
    if (typeof penalties === "function") {
      for (const [name, lambda] of penalties.call(layer)) {
        if (!(typeof lambda === "number" && Number.isFinite(lambda) && lambda >= 0)) {
          throw new RangeError(
            `${caller}(): layer "${layer.name}" reports a penalty of ${lambda} on "${name}"; ` +
              "expected a finite number >= 0",
          );
        }
        if (lambda === 0) continue;
        const variable = variables.get(name);
        if (!variable) {
          throw new RangeError(
            `${caller}(): layer "${layer.name}" reports a penalty on "${name}", which is not a ` +
              `weight of the model (weights: ${[...variables.keys()].join(", ")})`,
          );
        }
        add(variable, { l1: 0, l2: lambda, custom: null });
      }
    }
  }
  const terms = [...byName.values()];
  return { terms, pureL2: terms.every((t) => t.l1 === 0 && t.custom === null) };
}

/**
 * The total penalty as a scalar tensor (on the gradient tape when called inside one).
 *
 * @param terms The penalty terms.
 * @returns `Σ l2·Σw² + l1·Σ|w| + custom(w)`, or `null` when there are no terms.
 */
export function penaltyTensor(terms: PenaltyTerm[]): tf.Scalar | null {
  if (terms.length === 0) return null;
  const parts: tf.Tensor[] = [];
  for (const t of terms) {
    if (t.l2 !== 0) parts.push(tf.mul(t.l2, tf.sum(tf.square(t.variable))));
    if (t.l1 !== 0) parts.push(tf.mul(t.l1, tf.sum(tf.abs(t.variable))));
    if (t.custom) parts.push((t.custom as Reg).apply(t.variable));
  }
  return (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
}
