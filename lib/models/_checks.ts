/**
 * Private: the checks of `buildModel`'s options (counts, rates, coefficients, activation
 * names), each throwing an error that names the option and the value found.
 *
 * @module
 */

import { camelName } from "./_init.ts";

/** Activation names `buildModel` accepts (tfjs names; Keras spellings are converted). */
export const ACTIVATIONS = [
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "sigmoid",
  "tanh",
  "softmax",
  "softplus",
  "softsign",
  "swish",
  "mish",
  "gelu",
];

/** `v` as a positive integer option `name`, or a `RangeError`. */
export function positiveInt(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`buildModel(): expected ${name} to be a positive integer, found ${v}`);
  }
  return v;
}

/** `v` as a rate in [0, 1), or a `RangeError`. */
export function rate(v: unknown, name: string): number {
  if (typeof v !== "number" || !(v >= 0 && v < 1)) {
    throw new RangeError(`buildModel(): expected ${name} in [0, 1), found ${v}`);
  }
  return v;
}

/** `v` as a finite number >= 0, or a `RangeError`. */
export function nonNegative(v: unknown, name: string): number {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
    throw new RangeError(`buildModel(): expected ${name} >= 0, found ${v}`);
  }
  return v;
}

/** `v` as a known activation's tfjs name, or a `TypeError` listing them. */
export function activationName(v: unknown, name: string): string {
  if (typeof v !== "string" || !ACTIVATIONS.includes(camelName(v))) {
    throw new TypeError(
      `buildModel(): unknown ${name} ${JSON.stringify(v)} (known: ${ACTIVATIONS.join(", ")})`,
    );
  }
  return camelName(v);
}

/** Option keys a recipe may carry that are not model options. */
export const RECIPE_KEYS = new Set(["kind", "description", "fit"]);

export const OPTION_KEYS = new Set([
  "ratings",
  "users",
  "movies",
  "catalog",
  "factors",
  "l2",
  "biasL2",
  "initializer",
  "biasInitializer",
  "yRange",
  "hidden",
  "inputDropout",
  "dropout",
  "activation",
  "kernelInitializer",
  "outputUnits",
  "outputActivation",
  "loss",
  "metrics",
  "learningRate",
  "schedule",
  "optimizer",
  "seed",
  "ratingRange",
  "targetMean",
  "classes",
  "decode",
  "metadataColumns",
  "metadata",
  "metadataFitOn",
  "quantiles",
]);

/** The min..max of the training ratings, for options derived from the data. */
export function dataRange(ratings: Float64Array | undefined, option: string): [number, number] {
  if (!ratings) {
    throw new TypeError(`buildModel(): ${option} needs the training ratings (options.ratings)`);
  }
  let lo = Infinity, hi = -Infinity;
  for (const r of ratings) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return [lo, hi];
}
