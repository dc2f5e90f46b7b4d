/**
 * A range around a single value of any size ({@linkcode around}): shared by the histogram's bins
 * (lib/analysis) and the axes of a single value (lib/plot), neither of which imports the other.
 *
 * @module
 */

/**
 * `[v - half, v + half]`: a range around a single value. Where `half` is too small for the
 * numbers near v to step through it in at least 2^16 steps (0.5 beside 1e11; beside 5e15 it is
 * lost in rounding), a tenth of |v| each side instead, kept within the finite numbers (a value
 * near the largest one then sits at the range's end).
 */
export function around(v: number, half: number): [number, number] {
  if (Math.abs(v) * 2 ** -36 <= half) return [v - half, v + half];
  const d = Math.abs(v) / 10;
  return [Math.max(v - d, -Number.MAX_VALUE), Math.min(v + d, Number.MAX_VALUE)];
}
