/**
 * Counts in words for what a notebook prints: a table header, a headline, a figure's title or
 * legend that takes its number from a parameter reads right at 1 and at many ("after 1 epoch",
 * "over 3 seeds").
 *
 * @module
 */

import { checkFiniteNumber, checkOptionKeys, describe, plural } from "../_validate.ts";

/** Options of {@linkcode counted}. */
export interface CountedOptions {
  /**
   * The noun's plural, for a noun that does not take a plain "s" ("bias" → "biases").
   * @default {`${noun}s`}
   */
  plural?: string;
}

/** Every option of {@linkcode counted} (the type makes the list complete). */
const COUNTED_OPTIONS: Record<keyof CountedOptions, true> = { plural: true };

/**
 * A count with its noun, singular for 1 and plural otherwise, the count with thousands
 * separators: for text that takes a count from a notebook parameter, which a teacher may set
 * to 1.
 *
 * @param n The count.
 * @param noun The noun in the singular (words before it belong to the noun: "highest bias").
 * @param options The plural, when it is not the noun with an "s".
 * @returns E.g. `"1 epoch"`, `"2,000 movies"`, `"40 highest biases"`.
 * @throws {RangeError} When `n` is NaN or infinite.
 * @throws {TypeError} When `n` is not a number.
 * @throws {TypeError} When `noun` is not a non-empty string.
 * @example
 * ```ts
 * import { counted } from "./words.ts";
 * import { assertEquals } from "@std/assert";
 * const EPOCHS = 1; // a teacher's quick run
 * assertEquals(`held-out MSE after ${counted(EPOCHS, "epoch")}`, "held-out MSE after 1 epoch");
 * assertEquals(counted(3, "seed"), "3 seeds");
 * assertEquals(counted(2000, "movie"), "2,000 movies");
 * assertEquals(counted(1, "highest bias", { plural: "highest biases" }), "1 highest bias");
 * assertEquals(counted(40, "highest bias", { plural: "highest biases" }), "40 highest biases");
 * ```
 */
export function counted(n: number, noun: string, options: CountedOptions = {}): string {
  checkOptionKeys(options, Object.keys(COUNTED_OPTIONS), "counted()");
  checkFiniteNumber(n, "the count", "counted()");
  if (typeof noun !== "string" || noun.trim() === "") {
    const found = typeof noun === "string" ? JSON.stringify(noun) : describe(noun);
    throw new TypeError(`counted(): expected a noun, found ${found}`);
  }
  return plural(n, noun, options.plural);
}
