/**
 * Top-k selection: the positions of the k highest scores, best first, in one pass without
 * sorting every score. Recommendations and the evaluation's top-k lists both select with it.
 *
 * @module
 */

import { checkNonNegativeInt, describe, isNumbers } from "./_validate.ts";

/**
 * Positions of the `k` highest scores, best first; ties keep the lower position first, NaN
 * scores and the positions `skip` rejects are never selected.
 *
 * @param scores The scores.
 * @param k How many to keep, an integer >= 0 (fewer come back when fewer positions remain; none
 *   for 0).
 * @param skip Positions to leave out (e.g. movies the user has rated).
 * @returns The selected positions, in order of decreasing score.
 * @throws {RangeError} When k is negative, fractional, NaN or infinite (NaN and Infinity kept
 *   every position, -1 none).
 * @throws {TypeError} When k is not a number, `scores` not an array or typed array of numbers
 *   (null, text), or `skip` not a function.
 * @example
 * ```ts
 * import { topKIndices } from "./top_k.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(topKIndices([0.2, 0.9, 0.5, 0.9], 3), [1, 3, 2]);
 * assertEquals(topKIndices([0.2, 0.9, 0.5], 2, (j) => j === 1), [2, 0]);
 * ```
 */
export function topKIndices(
  scores: ArrayLike<number>,
  k: number,
  skip: (j: number) => boolean = () => false,
): number[] {
  const who = "topKIndices()";
  if (!isNumbers(scores)) {
    const first = Array.isArray(scores) ? `, whose first entry is ${describe(scores[0])}` : "";
    throw new TypeError(
      `${who}: expected scores to be an array or typed array of numbers, found ` +
        `${describe(scores)}${first}`,
    );
  }
  checkNonNegativeInt(k, "k", who);
  if (typeof skip !== "function") {
    throw new TypeError(`${who}: expected skip to be a function, found ${describe(skip)}`);
  }
  const top: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (skip(j) || Number.isNaN(scores[j])) continue;
    const s = scores[j];
    if (top.length === k && s <= scores[top[k - 1]]) continue;
    let pos = top.length === k ? k - 1 : top.length;
    while (pos > 0 && scores[top[pos - 1]] < s) pos--;
    top.splice(pos, 0, j);
    if (top.length > k) top.pop();
  }
  return top;
}
