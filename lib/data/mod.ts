/**
 * The MovieLens data layer: load ml-latest-small (shipped, checksum-verified) or ml-100k
 * (mirror, cache or checked download) or any folder/zip in either layout into Polars
 * DataFrames; encode ids; split (random, seed 000's mask, Keras' validation_split, per user,
 * by time, ml-100k's predefined folds); summarize; and convert to typed arrays or tensors.
 *
 * ```ts
 * import { fitEncoders, loadMovieLens, randomSplit, ratingsToTensors, summarize } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const ml = await loadMovieLens();
 * assertEquals(summarize(ml).users, 610);
 * const { train, test } = randomSplit(ml.ratings, { testFraction: 0.1, seed: 42 });
 * const encoders = fitEncoders(train);
 * const { x, y } = ratingsToTensors(train, encoders);
 * assertEquals(x[0].shape, [90752, 1]);
 * assertEquals(y.shape, [90752, 1]);
 * assertEquals(test.height, 10084);
 * ```
 *
 * @module
 */

export * from "./duplicates.ts";
export * from "./encoder.ts";
export * from "./frame.ts";
export * from "./load.ts";
export * from "./split.ts";
export * from "./stats.ts";
export * from "./tensors.ts";
export * from "./types.ts";
