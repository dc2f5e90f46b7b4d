/**
 * {@linkcode RatingRange}, `sigmoid(x) · (high − low) + low`, the "sigmoid range" that keeps a
 * prediction inside the star scale, as one serialisable layer (the tutorials' `Lambda`). The
 * builders write the same with two stock layers, `Activation("sigmoid")` and `Rescaling`, as a
 * notebook does; this layer stays registered (`tf.serialization.registerClass`) so that models
 * saved with it load back.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkOptionKeys } from "../_validate.ts";

/** Options of {@linkcode ratingRange}. */
export interface RatingRangeOptions {
  /** Lowest output value. */
  low: number;
  /** Highest output value. */
  high: number;
  /**
   * Layer name.
   * @default {"rating_range"}
   */
  name?: string;
}

/**
 * Every option of {@linkcode ratingRange} (the type makes the list complete). The layer's
 * constructor is not checked: tfjs rebuilds a saved layer from its whole configuration.
 */
const RATING_RANGE_OPTIONS: Record<keyof RatingRangeOptions, true> = {
  low: true,
  high: true,
  name: true,
};

/** `sigmoid(x) · (high − low) + low`: squashes a score into a rating range. */
export class RatingRange extends tf.layers.Layer {
  /** Name under which the class is registered for serialisation. */
  static className = "RatingRange";
  /** Lowest output value. */
  readonly low: number;
  /** Highest output value. */
  readonly high: number;

  /**
   * Creates the layer.
   * @param options The range and an optional name.
   * @throws {RangeError} Unless `low` and `high` are finite and `low < high`.
   */
  constructor(options: RatingRangeOptions) {
    super({ name: options.name });
    const { low, high } = options;
    if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
      throw new RangeError(
        `RatingRange: expected finite low < high, found low=${low}, high=${high}`,
      );
    }
    this.low = low;
    this.high = high;
  }

  /**
   * Applies `sigmoid(x) · (high − low) + low` elementwise.
   * @param inputs The scores `x` (of a list, the first tensor).
   * @returns A tensor of the input's shape, each value from `low` to `high`.
   */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(tf.mul(tf.sigmoid(x), this.high - this.low), this.low);
    });
  }

  /**
   * The layer's configuration for serialisation.
   * @returns The base layer's configuration plus `low` and `high`.
   */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), low: this.low, high: this.high };
  }
}
tf.serialization.registerClass(RatingRange);

/**
 * Creates a {@linkcode RatingRange} layer.
 *
 * @param options The output range.
 * @returns The layer.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ratingRange } from "./layers.ts";
 * import { assertEquals } from "@std/assert";
 * const y = ratingRange({ low: 0, high: 5.5 }).apply(tf.tensor2d([[0]])) as tf.Tensor;
 * assertEquals(y.dataSync()[0], 2.75);
 * ```
 */
export function ratingRange(options: RatingRangeOptions): RatingRange {
  checkOptionKeys(options, Object.keys(RATING_RANGE_OPTIONS), "ratingRange()");
  return new RatingRange(options);
}
