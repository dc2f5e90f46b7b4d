// Input checks shared by the plot helpers (private to lib/plot). Every message names the
// helper, the argument and what was expected and found.

import { literal } from "../_describe.ts";
import { checkOptionKeys } from "../_options.ts";
import type { FigureOptions } from "./figure.ts";

/** Every name of {@linkcode FigureOptions}, which every helper takes (kept complete by type). */
const FIGURE_OPTIONS: Record<keyof FigureOptions, true> = {
  title: true,
  subtitle: true,
  caption: true,
  width: true,
  height: true,
};

/**
 * Checks a plot helper's options object: every key is one of its own options or a
 * {@linkcode FigureOptions} name (no helper passes other keys on to Plot).
 */
export function checkPlotOptions<T extends FigureOptions>(
  fn: string,
  options: T,
  own: Record<Exclude<keyof T, keyof FigureOptions>, true>,
): void {
  checkOptionKeys(options, [...Object.keys(own), ...Object.keys(FIGURE_OPTIONS)], `${fn}()`);
}

/** Numbers from an array or typed array, checked to be finite; throws naming the bad index. */
export function finiteNumbers(
  fn: string,
  name: string,
  values: unknown,
): Float64Array {
  if (
    values === null || typeof values !== "object" ||
    typeof (values as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(
      `${fn}(): expected ${name} as an array of numbers, found ${
        values === null ? "null" : typeof values
      }`,
    );
  }
  const list = values as ArrayLike<unknown>;
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number") {
      throw new TypeError(`${fn}(): expected ${name}[${i}] to be a number, found ${describe(v)}`);
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(`${fn}(): expected finite numbers in ${name}, found ${v} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Throws a RangeError when `count` is 0. */
export function nonEmpty(fn: string, what: string, count: number): void {
  if (count === 0) throw new RangeError(`${fn}(): expected at least one ${what}, found none`);
}

/** Throws a RangeError when two lengths differ. */
export function sameLength(fn: string, a: string, n: number, b: string, m: number): void {
  if (n !== m) {
    throw new RangeError(
      `${fn}(): expected ${a} and ${b} of the same length, found ${n} and ${m}`,
    );
  }
}

/** Checks an array of row objects; returns it typed. */
export function rowArray<T>(fn: string, name: string, rows: unknown, what: string): T[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(
      `${fn}(): expected ${name} as an array of ${what}, found ${describe(rows)}`,
    );
  }
  nonEmpty(fn, what.replace(/s$/, ""), rows.length);
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object") {
      throw new TypeError(
        `${fn}(): expected ${name}[${i}] to be an object, found ${describe(row)}`,
      );
    }
  });
  return rows as T[];
}

/** Checks one numeric field of row `i`. */
export function finiteField(
  fn: string,
  name: string,
  i: number,
  field: string,
  value: unknown,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `${fn}(): expected ${name}[${i}].${field} to be a number, found ${describe(value)}`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `${fn}(): expected a finite ${field} in ${name}[${i}], found ${value}`,
    );
  }
  return value;
}

/** Checks one text field of row `i`. */
export function textField(
  fn: string,
  name: string,
  i: number,
  field: string,
  value: unknown,
): string {
  if (typeof value !== "string") {
    throw new TypeError(
      `${fn}(): expected ${name}[${i}].${field} to be a string, found ${describe(value)}`,
    );
  }
  return value;
}

/** Checks a positive option value. */
export function positive(fn: string, name: string, value: number, integer = false): number {
  if (
    typeof value !== "number" || !(value > 0) || !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new RangeError(
      `${fn}(): expected ${name} to be a positive ${
        integer ? "integer" : "number"
      }, found ${value}`,
    );
  }
  return value;
}

/** Checks an optional `[min, max]` pair. */
export function range(fn: string, name: string, value: unknown): [number, number] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) || value.length !== 2 || !value.every(Number.isFinite) ||
    !(value[0] < value[1])
  ) {
    throw new RangeError(
      `${fn}(): expected ${name} as [min, max] with min < max, found ${literal(value)}`,
    );
  }
  return [value[0], value[1]];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `"${v.length > 30 ? v.slice(0, 30) + "…" : v}"`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`.replace(/^undefined undefined$/, "undefined");
}

/** A value drawn as a labelled line: a loss curve's baseline, a bar chart's reference. */
export interface LabelledValue {
  value: number;
  label: string;
}

/** Every field of a {@linkcode LabelledValue} (the type makes the list complete). */
const LABELLED_FIELDS: Record<keyof LabelledValue, true> = { value: true, label: true };

/**
 * Checks a `{ value, label }` option (a baseline, a reference line) the same way in every
 * helper: no other key, a finite number and a string. A blank label (`""`, spaces) means the
 * value is written alone; it is returned as `""`.
 * @param fn The helper's name.
 * @param name The option as the message names it (`"reference"`, `"baseline[1]"`).
 * @param given What was passed.
 * @throws {TypeError} For an unknown key, a non-object, a value that is not a number or a label
 *   that is not a string; {@link RangeError} for a value that is not finite.
 */
export function labelledValue(fn: string, name: string, given: unknown): LabelledValue {
  const expected = `${fn}(): expected ${name} as { value: finite number, label: string }, ` +
    `found ${literal(given)}`;
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new TypeError(expected);
  }
  checkOptionKeys(given, Object.keys(LABELLED_FIELDS), `${fn}()`, `${name}.`);
  const { value, label } = given as Partial<LabelledValue>;
  if (typeof value !== "number" || typeof label !== "string") throw new TypeError(expected);
  if (!Number.isFinite(value)) throw new RangeError(expected);
  return { value, label: label.trim() === "" ? "" : label };
}
