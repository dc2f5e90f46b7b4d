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
 *   `"string abc"`, `"an empty string"`.
 * @example
 * ```ts
 * import { describe } from "./_describe.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(describe([1, 2]), "an array of length 2");
 * assertEquals(describe(new Map()), "an object (Map)");
 * assertEquals(describe(undefined), "undefined");
 * assertEquals(describe(""), "an empty string");
 * ```
 */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "Object"})`;
  if (x === "") return "an empty string";
  return `${typeof x} ${String(x)}`;
}

/**
 * A value as it reads in "found …": a number as it is, anything else described ("string 1" for
 * the text "1", which would read like a right value as it is).
 *
 * @param x Any value.
 * @returns The text.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { found } from "./_describe.ts";
 * assertEquals([found(0.2), found("0.2")], ["0.2", "string 0.2"]);
 * ```
 */
export function found(x: unknown): string {
  return typeof x === "number" ? String(x) : describe(x);
}

/**
 * A small JSON value as it reads in "found …": JSON, except that the numbers JSON cannot hold
 * read as they are (`NaN`, `Infinity`, where `JSON.stringify` writes `null`) and `undefined`
 * is named; anything that is not plain JSON data (a Map, a typed array) is described.
 *
 * @param x Any value.
 * @returns E.g. `"[NaN,5]"`, `'{"min":3,"max":Infinity}'`, `'"x"'`.
 * @example
 * ```ts
 * import { literal } from "./_describe.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(literal([NaN, 5]), "[NaN,5]");
 * assertEquals(literal({ type: "minmax", max: undefined }), '{"type":"minmax","max":undefined}');
 * assertEquals(literal(new Map()), "an object (Map)");
 * assertEquals(literal([1n, 5]), "[1n,5]");
 * ```
 */
export function literal(x: unknown): string {
  const within = new Set<object>(); // the arrays and objects being written: a cycle is described
  const write = (v: unknown): string => {
    if (typeof v === "number") return String(v);
    if (typeof v === "bigint") return `${v}n`;
    if (v === undefined) return "undefined";
    if (typeof v !== "object" || v === null) return JSON.stringify(v) ?? describe(v);
    const proto = Object.getPrototypeOf(v);
    const plain = Array.isArray(v) || proto === Object.prototype || proto === null;
    if (!plain || within.has(v)) return describe(v);
    within.add(v);
    const text = Array.isArray(v)
      ? `[${v.map(write).join(",")}]`
      : `{${Object.entries(v).map(([k, e]) => `${JSON.stringify(k)}:${write(e)}`).join(",")}}`;
    within.delete(v);
    return text;
  };
  return write(x);
}
