/**
 * How the parameter tables write a weight's shape.
 *
 * @module
 */

/**
 * A weight's shape as the tables show it, the sizes grouped by thousands: `"9,724 × 50"`.
 *
 * @param shape The shape.
 * @returns The text.
 */
export function shapeText(shape: readonly (number | null)[]): string {
  return shape.map((d) => d === null ? "?" : d.toLocaleString("en-US")).join(" × ");
}
