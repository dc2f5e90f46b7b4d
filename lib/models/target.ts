/**
 * Target transforms: stars → what the network is trained on, and network output → stars. They
 * live in a model's config, so training and prediction always speak stars.
 *
 * @module
 */

import { checkFinite, checkPositiveInt } from "../_validate.ts";
import type { TargetTransform } from "./recommender.ts";

/**
 * Maps ratings (stars) to training targets. A rating outside a `minmax` range or not among the
 * `classes` throws a `RangeError` naming it and its row.
 *
 * @param transform The model's target transform (`rec.config.target`).
 * @param ratings Ratings in stars.
 * @returns One target per rating (for `classes`, the class index as a float).
 * @example
 * ```ts
 * import { encodeTarget } from "./target.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   encodeTarget({ type: "minmax", min: 0.5, max: 5 }, [0.5, 5]),
 *   Float32Array.of(0, 1),
 * );
 * ```
 */
export function encodeTarget(transform: TargetTransform, ratings: ArrayLike<number>): Float32Array {
  checkFinite(ratings, "ratings", "encodeTarget()");
  const out = new Float32Array(ratings.length);
  for (let i = 0; i < ratings.length; i++) {
    const r = ratings[i];
    switch (transform.type) {
      case "identity":
        out[i] = r;
        break;
      case "center":
        out[i] = r - transform.mean;
        break;
      case "minmax": {
        const { min, max } = transform;
        if (r < min - 1e-9 || r > max + 1e-9) {
          throw new RangeError(
            `encodeTarget(): expected ratings in [${min}, ${max}] (the model's range), found ${r} at row ${i}`,
          );
        }
        out[i] = (r - min) / (max - min);
        break;
      }
      case "classes": {
        const k = classIndex(transform.values, r);
        if (k < 0) {
          throw new RangeError(
            `encodeTarget(): rating ${r} at row ${i} is not one of the model's classes [${
              transform.values.join(", ")
            }]`,
          );
        }
        out[i] = k;
        break;
      }
      default:
        throw new TypeError(
          `encodeTarget(): unknown target transform ${JSON.stringify(transform)}`,
        );
    }
  }
  return out;
}

function classIndex(values: number[], r: number): number {
  for (let k = 0; k < values.length; k++) if (Math.abs(values[k] - r) < 1e-6) return k;
  return -1;
}

/**
 * Maps network outputs (row-major, `units` per row) back to stars. With several output units
 * and no `classes` transform (the deliberately buggy seed-002 model), a row's prediction is the
 * mean of its units, as a Keras loss broadcasting a `[n, 1]` target would see it.
 *
 * @param transform The model's target transform.
 * @param output Network output, row-major.
 * @param units Output units per row (1 for a rating model, the class count for a classifier).
 * @returns One rating (stars) per row.
 * @example
 * ```ts
 * import { decodeOutput } from "./target.ts";
 * import { assertEquals } from "@std/assert";
 * const t = { type: "classes" as const, values: [1, 2], decode: "expected" as const };
 * assertEquals(decodeOutput(t, [0.25, 0.75], 2), Float32Array.of(1.75));
 * ```
 */
export function decodeOutput(
  transform: TargetTransform,
  output: ArrayLike<number>,
  units = 1,
): Float32Array {
  checkPositiveInt(units, "units", "decodeOutput()");
  if (output.length % units !== 0) {
    throw new RangeError(
      `decodeOutput(): expected ${units} units per row, found ${output.length} values`,
    );
  }
  const n = output.length / units;
  const out = new Float32Array(n);
  if (transform.type === "classes") {
    const { values, decode } = transform;
    if (values.length !== units) {
      throw new RangeError(
        `decodeOutput(): expected ${values.length} class probabilities per row, found ${units}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const row = i * units;
      if (decode === "argmax") {
        let best = 0;
        for (let k = 1; k < units; k++) if (output[row + k] > output[row + best]) best = k;
        out[i] = values[best];
      } else {
        let s = 0, z = 0;
        for (let k = 0; k < units; k++) {
          s += output[row + k] * values[k];
          z += output[row + k];
        }
        out[i] = s / z;
      }
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let y = 0;
    for (let k = 0; k < units; k++) y += output[i * units + k];
    y /= units;
    if (transform.type === "center") y += transform.mean;
    else if (transform.type === "minmax") y = y * (transform.max - transform.min) + transform.min;
    out[i] = y;
  }
  return out;
}
