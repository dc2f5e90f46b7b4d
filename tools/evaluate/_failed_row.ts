/**
 * Where an evaluation failed: an error thrown while a row trains or is scored (the library's
 * `buildModel(): expected ratingRange [min, max] with min < max, found [4, 4]`) is passed on
 * with the data set, split, seed and row in front of its message, so that a run of dozens of
 * rows says which one failed. Shared by the rating and the ranking task.
 *
 * @module
 */

/** The errors already named after their row (a row inside a split is named once). */
const named = new WeakSet<Error>();

/** Where a row runs. */
export interface RowPlace {
  /** The data set's name. */
  data: string;
  /** The split's name. */
  split: string;
  /** The seed of the run. */
  seed: number;
  /** The row: its label (`"seed 002 deep model (fixed)"`), and its number and count. */
  row?: { label: string; model?: string; index: number; count: number };
}

/**
 * The place as the start of a message: `all4 random80, seed 42, row 7 of 11 "seed 002 deep
 * model (fixed)" (model mlp)`; without a row, the split alone.
 *
 * @param place Where.
 * @returns The words.
 * @example
 * ```ts
 * import { describePlace } from "./_failed_row.ts";
 * console.log(describePlace({ data: "toy", split: "random80", seed: 42 }));
 * // toy random80, seed 42
 * ```
 */
export function describePlace(place: RowPlace): string {
  const { row } = place;
  const what = row === undefined
    ? ""
    : `, row ${row.index} of ${row.count} "${row.label}"${
      row.model !== undefined && row.model !== row.label ? ` (model ${row.model})` : ""
    }`;
  return `${place.data} ${place.split}, seed ${place.seed}${what}`;
}

/**
 * Runs one row (or a split's preparation) and passes on what it throws as an error of the same
 * class whose message names the place first (`toy random80, seed 42, row 4 of 4 "dot" failed:
 * buildModel(): …`); the original stays its `cause`. An error already named keeps its message,
 * and a thrown value that is not an `Error` is passed on as it is.
 *
 * @param place Where the row runs.
 * @param run The row.
 * @returns What `run` returns.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { duringRow } from "./_failed_row.ts";
 * const place = {
 *   data: "toy", split: "random80", seed: 42, row: { label: "dot", index: 4, count: 4 },
 * };
 * await assertRejects(
 *   () => duringRow(place, () => { throw new RangeError("buildModel(): bad range"); }),
 *   RangeError,
 *   'toy random80, seed 42, row 4 of 4 "dot" failed: buildModel(): bad range',
 * );
 * ```
 */
export async function duringRow<T>(place: RowPlace, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof Error) || named.has(e)) throw e;
    const message = `${describePlace(place)} failed: ${e.message}`;
    // Of the same class when its constructor takes (message, options), as Error's subclasses do.
    let error: Error | null = null;
    try {
      error = new (e.constructor as ErrorConstructor)(message, { cause: e });
    } catch {
      // a constructor of another shape
    }
    if (!(error instanceof Error) || error.message !== message) {
      error = new Error(message, { cause: e });
    }
    named.add(error);
    throw error;
  }
}
