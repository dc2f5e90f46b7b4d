/**
 * Id encoders: raw ids (MovieLens user and movie ids) ↔ contiguous 0-based indices, the row
 * numbers of an embedding table. Fitted on training data; an id never seen is an error that
 * names it, never a silent wrong row.
 *
 * @module
 */

import { checkOptionKeys, describe, INT32_MAX, INT32_MIN, toIds } from "../_validate.ts";

/** The JSON form of an {@linkcode IdEncoder}, as saved next to a model. */
export interface IdEncoderJSON {
  /** What the ids are (used in error messages), e.g. `"user"` or `"movie"`. */
  name: string;
  /** The raw ids in index order: `ids[i]` is the id of row `i`. */
  ids: number[];
}

/** "movie " for the name "movie"; nothing for the default name "id" (no "id id" in messages). */
function kind(name: string): string {
  return name === "id" ? "" : `${name} `;
}

/** Throws a TypeError unless `x` has a length (undefined failed inside on `.length`). */
function checkList(x: unknown, what: string, who: string): void {
  if (typeof (x as ArrayLike<number> | null)?.length !== "number" || typeof x === "string") {
    throw new TypeError(`${who}: expected a list of ${what}, found ${describe(x)}`);
  }
}

/** Options of {@linkcode IdEncoder.fit}. */
export interface IdEncoderOptions {
  /**
   * Index order: `"sorted"` (ascending ids, as scikit-learn's LabelEncoder) or
   * `"appearance"` (order of first appearance, as pandas' `unique()`).
   * @default {"sorted"}
   */
  order?: "sorted" | "appearance";
  /**
   * What the ids are, for error messages.
   * @default {"id"}
   */
  name?: string;
}

/** Every option of {@linkcode IdEncoder.fit} (the type makes the list complete). */
const ID_ENCODER_OPTIONS: Record<keyof IdEncoderOptions, true> = { order: true, name: true };

/** Maps raw integer ids to contiguous indices 0..size-1 and back. */
export class IdEncoder {
  /** What the ids are (used in error messages). */
  readonly name: string;
  readonly #ids: Int32Array;
  readonly #index: Map<number, number>;

  private constructor(name: string, ids: Int32Array) {
    this.name = name;
    this.#ids = ids;
    this.#index = new Map();
    for (let i = 0; i < ids.length; i++) this.#index.set(ids[i], i);
  }

  /**
   * Fits an encoder on the ids seen (duplicates are fine).
   *
   * @param ids Raw ids, e.g. the userId column of the training ratings.
   * @param options Index order and a name for error messages.
   * @returns The fitted encoder.
   * @throws {TypeError} When `ids` is not a list, or an id is not an integer.
   * @throws {RangeError} When there is no id, or an id is outside the 32-bit range (the encoder
   *   keeps its ids in an Int32Array, where 3,000,000,000 would become −1,294,967,296).
   * @example
   * ```ts
   * import { IdEncoder } from "./encoder.ts";
   * import { assertEquals } from "@std/assert";
   * const enc = IdEncoder.fit([30, 10, 30, 20], { name: "movie" });
   * assertEquals(enc.encode([10, 30]), Int32Array.of(0, 2));
   * ```
   */
  static fit(ids: ArrayLike<number> | Iterable<number>, options: IdEncoderOptions = {}): IdEncoder {
    checkOptionKeys(options, Object.keys(ID_ENCODER_OPTIONS), "IdEncoder.fit()");
    const { order = "sorted", name = "id" } = options;
    if (typeof ids !== "object" || ids === null) {
      throw new TypeError(
        `IdEncoder.fit(): expected a list of ${kind(name)}ids, found ${describe(ids)}`,
      );
    }
    const seen = new Set<number>();
    const list: number[] = [];
    for (const id of Array.from(ids as ArrayLike<number>)) {
      if (!Number.isInteger(id)) {
        throw new TypeError(`IdEncoder.fit(): expected integer ${kind(name)}ids, found ${id}`);
      }
      if (id < INT32_MIN || id > INT32_MAX) {
        throw new RangeError(
          `IdEncoder.fit(): expected 32-bit integer ${kind(name)}ids, found ${id}`,
        );
      }
      if (!seen.has(id)) {
        seen.add(id);
        list.push(id);
      }
    }
    if (list.length === 0) {
      throw new RangeError(`IdEncoder.fit(): expected at least one ${kind(name)}id, found none`);
    }
    if (order === "sorted") list.sort((a, b) => a - b);
    else if (order !== "appearance") {
      throw new TypeError(
        `IdEncoder.fit(): unknown order "${order}" (expected sorted or appearance)`,
      );
    }
    return new IdEncoder(name, Int32Array.from(list));
  }

  /**
   * Rebuilds an encoder from its JSON form, checking the saved ids as `fit` checks ids.
   * @param json The object written by {@linkcode IdEncoder.toJSON}.
   * @returns The encoder.
   * @throws {TypeError} When `json` is not `{ name, ids }` or an id is not a 32-bit integer
   *   (naming it and its position; such an id would be changed on reading, 1.5 into 1).
   * @throws {RangeError} When there is no id or an id repeats.
   * @example
   * ```ts
   * import { IdEncoder } from "./encoder.ts";
   * import { assertEquals } from "@std/assert";
   * const a = IdEncoder.fit([5, 7]);
   * const b = IdEncoder.fromJSON(JSON.parse(JSON.stringify(a)));
   * assertEquals(b.encode([7]), Int32Array.of(1));
   * ```
   */
  static fromJSON(json: IdEncoderJSON): IdEncoder {
    if (!json || !Array.isArray(json.ids) || typeof json.name !== "string") {
      throw new TypeError("IdEncoder.fromJSON(): expected { name: string, ids: number[] }");
    }
    const who = "IdEncoder.fromJSON()";
    const ids = toIds(json.ids, `the saved ${kind(json.name)}ids`, who);
    if (ids.length === 0) {
      throw new RangeError(`${who}: expected at least one ${kind(json.name)}id, found none`);
    }
    if (new Set(ids).size !== ids.length) {
      throw new RangeError(`${who}: duplicate ${json.name} ids in the saved encoder`);
    }
    return new IdEncoder(json.name, ids);
  }

  /** Number of distinct ids (the embedding table's row count). */
  get size(): number {
    return this.#ids.length;
  }

  /** The raw ids in index order (a copy). */
  get ids(): Int32Array {
    return this.#ids.slice();
  }

  /**
   * Whether the id was seen when fitting.
   * @param id A raw id.
   * @returns True when the id has an index.
   */
  has(id: number): boolean {
    return this.#index.has(id);
  }

  /**
   * Raw ids → indices. Throws a `RangeError` naming the first unknown id.
   * @param ids Raw ids.
   * @returns Their indices.
   * @example
   * ```ts
   * import { IdEncoder } from "./encoder.ts";
   * import { assertEquals } from "@std/assert";
   * assertEquals(IdEncoder.fit([1, 2], { name: "user" }).encode([2, 1]), Int32Array.of(1, 0));
   * ```
   */
  encode(ids: ArrayLike<number>): Int32Array {
    checkList(ids, `${kind(this.name)}ids`, "IdEncoder.encode()");
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const idx = this.#index.get(ids[i]);
      if (idx === undefined) {
        const what = kind(this.name);
        throw new RangeError(
          `unknown ${what}id ${ids[i]} (not in the ${this.size} ${what}ids the encoder was ` +
            "fitted on)",
        );
      }
      out[i] = idx;
    }
    return out;
  }

  /**
   * Indices → raw ids (the inverse transform). Throws a `RangeError` on an index out of range.
   * @param indices Row indices.
   * @returns The raw ids.
   * @example
   * ```ts
   * import { IdEncoder } from "./encoder.ts";
   * import { assertEquals } from "@std/assert";
   * assertEquals(IdEncoder.fit([10, 20]).decode([1]), Int32Array.of(20));
   * ```
   */
  decode(indices: ArrayLike<number>): Int32Array {
    checkList(indices, `${kind(this.name)}indices`, "IdEncoder.decode()");
    const out = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.#ids.length) {
        throw new RangeError(
          `${this.name} index ${k} out of range (expected 0..${this.#ids.length - 1})`,
        );
      }
      out[i] = this.#ids[k];
    }
    return out;
  }

  /**
   * The JSON form, saved next to a model (`JSON.stringify(encoder)` calls it).
   * @returns The name and the ids in index order.
   */
  toJSON(): IdEncoderJSON {
    return { name: this.name, ids: Array.from(this.#ids) };
  }
}
