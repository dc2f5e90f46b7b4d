/**
 * A short description of any value for error messages, free of any package so that the
 * lightest modules (a notebook's parameters) can use it.
 *
 * @module
 */

/**
 * A short description of a value for error messages.
 *
 * @param x Any value.
 * @returns E.g. `"null"`, `"an array of length 3"`, `"a Float32Array"`, `"an object (Map)"`,
 *   `"string abc"`.
 * @example
 * ```ts
 * import { describe } from "./_describe.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(describe([1, 2]), "an array of length 2");
 * assertEquals(describe(new Map()), "an object (Map)");
 * assertEquals(describe(undefined), "undefined");
 * ```
 */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "Object"})`;
  return `${typeof x} ${String(x)}`;
}
