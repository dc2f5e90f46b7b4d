// Private checks for EmbeddingTable and ScoreTable: shapes, finite values, unique ids, and
// id → row lookups whose errors name the unknown id.

import type { EmbeddingTable, ScoreTable } from "./types.ts";
import { checkFinite, checkPositiveInt, describe } from "../_validate.ts";

/** Throws unless `table` is a well-formed, non-empty EmbeddingTable with finite vectors. */
export function checkEmbeddings(table: EmbeddingTable, who: string): void {
  if (typeof table !== "object" || table === null) {
    throw new TypeError(`${who}: expected an EmbeddingTable, found ${describe(table)}`);
  }
  const { ids, vectors, dim, titles } = table;
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(`${who}: expected table.ids to be an Int32Array, found ${describe(ids)}`);
  }
  if (!(vectors instanceof Float32Array)) {
    throw new TypeError(
      `${who}: expected table.vectors to be a Float32Array, found ${describe(vectors)}`,
    );
  }
  checkPositiveInt(dim, "table.dim", who);
  if (ids.length === 0) {
    throw new RangeError(`${who}: expected at least one row, found an empty table`);
  }
  if (vectors.length !== ids.length * dim) {
    throw new RangeError(
      `${who}: expected ${ids.length} rows × ${dim} = ${
        ids.length * dim
      } values in table.vectors, ` +
        `found ${vectors.length}`,
    );
  }
  checkTitles(titles, ids.length, who);
  checkFinite(vectors, "table.vectors", who);
}

/** Throws unless `table` is a well-formed, non-empty ScoreTable with finite values. */
export function checkScores(table: ScoreTable, who: string): void {
  if (typeof table !== "object" || table === null) {
    throw new TypeError(`${who}: expected a ScoreTable, found ${describe(table)}`);
  }
  const { ids, values, titles } = table;
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(`${who}: expected scores.ids to be an Int32Array, found ${describe(ids)}`);
  }
  if (!(values instanceof Float32Array)) {
    throw new TypeError(
      `${who}: expected scores.values to be a Float32Array, found ${describe(values)}`,
    );
  }
  if (ids.length === 0) {
    throw new RangeError(`${who}: expected at least one score, found an empty table`);
  }
  if (values.length !== ids.length) {
    throw new RangeError(
      `${who}: expected one value per id (${ids.length}), found ${values.length} values`,
    );
  }
  checkTitles(titles, ids.length, who);
  checkFinite(values, "scores.values", who);
}

function checkTitles(titles: string[] | undefined, n: number, who: string): void {
  if (titles !== undefined && (!Array.isArray(titles) || titles.length !== n)) {
    throw new RangeError(
      `${who}: expected one title per row (${n}), found ${
        Array.isArray(titles) ? titles.length : describe(titles)
      }`,
    );
  }
}

/** Map raw id → row; a repeated id is a RangeError naming it. */
export function rowIndex(ids: Int32Array, who: string): Map<number, number> {
  const index = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    if (index.has(ids[i])) {
      throw new RangeError(`${who}: id ${ids[i]} appears in rows ${index.get(ids[i])} and ${i}`);
    }
    index.set(ids[i], i);
  }
  return index;
}

/**
 * The row of `id`; an unknown id is a RangeError naming it, and an id that is not a number a
 * TypeError (saying so when the table holds the number it reads as: `"1"` for 1).
 */
export function rowOf(index: Map<number, number>, id: number, who: string): number {
  if (typeof id !== "number") {
    const text: unknown = id;
    const near = typeof text === "string" && text.trim() !== "" && index.has(Number(text));
    throw new TypeError(
      `${who}: expected a numeric id, found ${describe(id)}` +
        (near ? ` (the table has id ${Number(text)}: pass it as a number)` : ""),
    );
  }
  const row = index.get(id);
  if (row === undefined) {
    throw new RangeError(`${who}: unknown id ${id} (not among the table's ${index.size} ids)`);
  }
  return row;
}
