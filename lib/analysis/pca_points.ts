/**
 * Points for a map of some movies on two principal components, e.g. seed 003's "top 40 movies
 * on PC1 and PC3": the coordinates of chosen ids in a {@linkcode PcaResult}, with titles, ready
 * for a labelled scatter plot.
 *
 * @module
 */

import type { PcaResult } from "./pca.ts";
import { rowIndex, rowOf } from "./_table.ts";
import { checkOptionKeys, type Numbers, plural, toIds } from "../_validate.ts";

/** Options of {@linkcode pcaPoints}. */
export interface PcaPointsOptions {
  /**
   * 0-based component on the horizontal axis (0 = PC1).
   * @default {0}
   */
  x?: number;
  /**
   * 0-based component on the vertical axis (seed 003 uses 2 = PC3).
   * @default {1}
   */
  y?: number;
}

/** Every option of {@linkcode pcaPoints} (the type makes the list complete). */
const PCA_POINTS_OPTIONS: Record<keyof PcaPointsOptions, true> = { x: true, y: true };

/** One movie on a PCA map. */
export interface PcaPoint {
  /** Raw movie id. */
  movieId: number;
  /** Title, or the id as text when the PCA result has no titles. */
  title: string;
  /** Coordinate on the `x` component. */
  x: number;
  /** Coordinate on the `y` component. */
  y: number;
}

function component(result: PcaResult, value: unknown, name: string, who: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${who}: expected ${name} to be a component index 0..${
        result.components - 1
      } (0 = PC1), found ${value}`,
    );
  }
  if (value >= result.components) {
    throw new RangeError(
      `${who}: expected ${name} to be a component index 0..${
        result.components - 1
      } (0 = PC1), found ${value}: the PCA kept ${plural(result.components, "component")}`,
    );
  }
  return value;
}

/**
 * The coordinates of some movies on two principal components, in the order of `ids`.
 *
 * @param result A {@linkcode pca} result (fitted on all movies, or on any set of rows).
 * @param ids Raw ids of the movies to place; an id the PCA did not see is a RangeError naming it.
 * @param options Which components go on the two axes.
 * @returns One `{ movieId, title, x, y }` per id.
 * @example
 * ```ts
 * import { pca, pcaPoints } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const table = {
 *   ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(0, 0, 1, 1, 2, 2.5), dim: 2,
 *   titles: ["A (1990)", "B (1991)", "C (1992)"],
 * };
 * const points = pcaPoints(pca(table, { components: 2 }), [3, 1]);
 * assertEquals(points.map((p) => p.title), ["C (1992)", "A (1990)"]);
 * ```
 */
export function pcaPoints(
  result: PcaResult,
  ids: Numbers,
  options: PcaPointsOptions = {},
): PcaPoint[] {
  const who = "pcaPoints()";
  if (result === null || typeof result !== "object" || !(result.scores instanceof Float64Array)) {
    throw new TypeError(
      `${who}: expected a pca() result, found ${result === null ? "null" : typeof result}`,
    );
  }
  checkOptionKeys(options, Object.keys(PCA_POINTS_OPTIONS), who);
  const x = component(result, options.x ?? 0, "x", who);
  const y = component(result, options.y ?? 1, "y", who);
  const wanted = toIds(ids, "ids", who);
  const index = rowIndex(result.ids, who);
  const k = result.components;
  return Array.from(wanted, (id): PcaPoint => {
    const row = rowOf(index, id, who);
    return {
      movieId: id,
      title: result.titles?.[row] ?? String(id),
      x: result.scores[row * k + x],
      y: result.scores[row * k + y],
    };
  });
}
