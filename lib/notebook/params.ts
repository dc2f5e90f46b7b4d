/**
 * Notebook parameters and headline figures, the two conventions every notebook follows.
 *
 * **Parameters.** A notebook's first code cell imports {@linkcode param} and declares its knobs
 * as UPPER_CASE constants. An environment variable of the same name overrides a value, and
 * `NB_QUICK=1` switches every parameter to its `quick` value, so CI and `deno task test` run the
 * notebook small while a reader re-runs it at full size:
 *
 * ```ts ignore
 * import { param } from "../lib/notebook/mod.ts";
 *
 * const EPOCHS = param("EPOCHS", 30, { quick: 2 });
 * const BATCH_SIZE = param("BATCH_SIZE", 64);
 * ```
 *
 * `EPOCHS=5 deno task notebooks` then trains for 5 epochs; `deno task notebooks --quick` for 2.
 * A list of numbers, such as the sizes of the hidden layers, is one parameter too:
 * `param("HIDDEN_UNITS", [32, 4], { integer: true, min: 1 })` reads `HIDDEN_UNITS=64,16,8`, each
 * value checked like a number parameter's.
 *
 * **Headline figures.** {@linkcode headline} prints a result next to the figure the tutorial
 * reports (`RMSE (validation): 0.8731 · tutorial: 0.88`), and the notebook runner gathers every
 * headline into its end-of-run summary table.
 *
 * @module
 */

import { checkOptionKeys } from "../_options.ts";

/** Options of {@linkcode param}. */
export interface ParamOptions<T> {
  /**
   * Value used when `NB_QUICK=1` (and the parameter's own variable is not set): small enough
   * that the whole notebook runs in seconds.
   * @default {undefined} (the full value)
   */
  quick?: T;
  /**
   * For number parameters (and each value of a list): reject values that are not integers
   * (epochs, sizes, counts); the environment variable must then be decimal digits (an optional
   * sign, no exponent).
   * @default {false}
   */
  integer?: boolean;
  /**
   * For number parameters and each value of a list: the smallest value accepted (inclusive),
   * such as 1 for a size.
   * @default {undefined} (no bound)
   */
  min?: number;
  /**
   * For number parameters and each value of a list: the largest value accepted (inclusive),
   * such as 1 for a share.
   * @default {undefined} (no bound)
   */
  max?: number;
  /**
   * For number parameters and each value of a list: a bound the value must lie strictly above,
   * such as 0 for a fraction of the ratings that must keep some (not with `min`).
   * @default {undefined} (no bound)
   */
  above?: number;
  /**
   * For number parameters and each value of a list: a bound the value must lie strictly below,
   * such as 1 for a fraction that must leave some (not with `max`).
   * @default {undefined} (no bound)
   */
  below?: number;
}

/** Every option of {@linkcode param} (the type makes the list complete). */
const PARAM_OPTIONS: Record<keyof ParamOptions<unknown>, true> = {
  quick: true,
  integer: true,
  min: true,
  max: true,
  above: true,
  below: true,
};

const NAME = /^[A-Z][A-Z0-9_]*$/;
/**
 * The environment variables the library reads for its own settings (the data folders, the
 * backend, the native kernels, the live display), which `deno task notebooks --set` passes on
 * like a parameter; quick mode is `--quick`.
 */
export const LIBRARY_SETTINGS: readonly string[] = [
  "MOVIELENS_DIR",
  "MOVIELENS_CACHE",
  "TFJS_BACKEND",
  "NATIVE_KERNELS",
  "NB_LIVE",
];
/**
 * Names a parameter may not take: the library's settings and the variables a login shell,
 * terminal, CI runner or compiler sets (the native kernels read `CC` and
 * `NATIVE_KERNELS_THREADS`). A notebook reads its parameters from the environment Jupyter was
 * started in, so `param("USER", 1)` would read the login name and fail in most shells.
 */
const TAKEN = new Set([
  ...LIBRARY_SETTINGS,
  "ALL_PROXY",
  "CC",
  "CI",
  "COLUMNS",
  "DISPLAY",
  "EDITOR",
  "HOME",
  "HOSTNAME",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "LANG",
  "LANGUAGE",
  "LINES",
  "LOGNAME",
  "MAIL",
  "NATIVE_KERNELS_THREADS",
  "NO_COLOR",
  "NO_PROXY",
  "OLDPWD",
  "PAGER",
  "PATH",
  "PWD",
  "PYTHONPATH",
  "SHELL",
  "SHLVL",
  "TERM",
  "TMPDIR",
  "TZ",
  "USER",
  "VIRTUAL_ENV",
]);
const TAKEN_PREFIXES = ["CONDA_", "DENO_", "JPY_", "JUPYTER_", "LC_", "LD_", "NB_", "SSH_", "XDG_"];
const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: defaults apply
  }
}

/** A plain decimal number (`3`, `-0.5`, `1e-4`): no hex, octal, binary, `Infinity` or `_`. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A plain decimal integer (`3`, `-2`, `+10`): no exponent, point, hex or other base. */
const DECIMAL_INTEGER = /^[+-]?\d+$/;

/**
 * Whether `NB_QUICK` asks for the small run: `1`, `true`, `yes` or `on` mean yes; `0`,
 * `false`, `no`, `off`, empty or unset mean no (case and surrounding spaces are ignored).
 *
 * @returns True for the small run.
 * @throws {RangeError} For any other value (`NB_QUICK=maybe`), naming it, rather than
 *   silently running at full size.
 * @example
 * ```ts
 * import { isQuick } from "./params.ts";
 * // A cell that draws a costly extra figure only at full size:
 * const drawSweep = !isQuick();
 * console.log(drawSweep ? "full run: drawing the sweep" : "small run: sweep skipped");
 * ```
 */
export function isQuick(): boolean {
  const raw = readEnv("NB_QUICK");
  const word = (raw ?? "").trim().toLowerCase();
  if (word === "" || FALSE.has(word)) return false;
  if (TRUE.has(word)) return true;
  throw new RangeError(
    `NB_QUICK: expected 1/0, true/false, yes/no or on/off (or unset), found "${raw}" ` +
      "(environment variable NB_QUICK)",
  );
}

/**
 * Reads a notebook parameter: the environment variable `name` when set, else its `quick` value
 * when `NB_QUICK=1`, else `fallback`. The variable is parsed to the fallback's type: a number
 * in plain decimal notation (`3`, `0.5`, `1e-4`; `0x10` or `Infinity` is refused), an `integer`
 * parameter as decimal digits only (`16`; `1e1` or `0x10` is refused), a boolean as
 * true/false, 1/0, yes/no or on/off.
 *
 * @param name UPPER_CASE name of the constant and of the environment variable; not one the
 *   system or this project sets for its own use (`USER`, `HOME`, `PATH`, `TZ`, `NB_*`, ...).
 * @param fallback The full-size value; its type (number, boolean or string) is the parameter's.
 * @param options The quick value, an integer check, and bounds (`min`, `max` inclusive;
 *   `above`, `below` exclusive).
 * @returns The value in force.
 * @throws {TypeError} For a name that is not UPPER_CASE or is taken, an unknown option (naming
 *   it and the option it most likely meant: `min` for `minimum`), a quick value whose type
 *   differs from the fallback's, or a bound that is not a finite number (or `min` with `above`,
 *   `max` with `below`).
 * @throws {RangeError} For a variable that does not parse to the parameter's type, a number
 *   parameter whose default or quick value is NaN or infinite, or a value outside its bounds
 *   (the message names the parameter, the bounds and the value).
 * @example
 * ```ts
 * import { param } from "./params.ts";
 * // 30 epochs, 2 under NB_QUICK=1, or what EXAMPLE_EPOCHS=5 says when that variable is set:
 * const EXAMPLE_EPOCHS = param("EXAMPLE_EPOCHS", 30, { quick: 2, integer: true });
 * console.log(`training for ${EXAMPLE_EPOCHS} epochs`);
 * ```
 */
export function param(name: string, fallback: number, options?: ParamOptions<number>): number;
/**
 * Reads a boolean notebook parameter, as the number form of {@linkcode param} reads a number:
 * the environment variable may be true/false, 1/0, yes/no or on/off (case and surrounding
 * spaces are ignored).
 *
 * @param name UPPER_CASE name of the constant and of the environment variable.
 * @param fallback The full-size value.
 * @param options The quick value.
 * @returns The value in force.
 */
export function param(name: string, fallback: boolean, options?: ParamOptions<boolean>): boolean;
/**
 * Reads a string notebook parameter, as the number form of {@linkcode param} reads a number: the
 * environment variable's text is the value, as it is.
 *
 * @param name UPPER_CASE name of the constant and of the environment variable.
 * @param fallback The full-size value.
 * @param options The quick value.
 * @returns The value in force.
 */
export function param(name: string, fallback: string, options?: ParamOptions<string>): string;
/**
 * Reads a list of numbers as one notebook parameter, such as the sizes of a network's hidden
 * layers, as the number form of {@linkcode param} reads one number: the environment variable
 * holds the values separated by commas (`64,16,8`; spaces around a value are ignored), each
 * parsed as a number parameter's variable is, and the options' integer check and bounds hold for
 * every value (the default's and the quick value's too).
 *
 * @param name UPPER_CASE name of the constant and of the environment variable.
 * @param fallback The full-size values, at least one.
 * @param options The quick values, an integer check, and bounds for each value (`min`, `max`
 *   inclusive; `above`, `below` exclusive).
 * @returns A new array of the values in force.
 * @throws {TypeError} As the number form does, and for a default or quick value that is not a
 *   non-empty array of numbers.
 * @throws {RangeError} For a variable that is empty, has an empty item (`32,,4`) or an item
 *   that does not parse (`32,1e9` for an integer list), or a value that is NaN, infinite or
 *   outside the bounds: the message names the parameter, the item's position and the bounds.
 * @example
 * ```ts
 * import { param } from "./params.ts";
 * import { assertEquals } from "@std/assert";
 * // Two hidden layers of 32 and 4 units, or what EXAMPLE_HIDDEN=64,16,8 says when it is set:
 * const EXAMPLE_HIDDEN = param("EXAMPLE_HIDDEN", [32, 4], { integer: true, min: 1, max: 4096 });
 * console.log(`hidden layers of ${EXAMPLE_HIDDEN.join(", ")} units`);
 * if (Deno.env.get("EXAMPLE_HIDDEN") === undefined) assertEquals(EXAMPLE_HIDDEN, [32, 4]);
 * // EXAMPLE_HIDDEN=32,0 would throw: param(): expected each value of EXAMPLE_HIDDEN between 1
 * // and 4096, found 0 at position 2 of "32,0" (environment variable EXAMPLE_HIDDEN)
 * ```
 */
export function param(
  name: string,
  fallback: readonly number[],
  options?: ParamOptions<readonly number[]>,
): number[];
export function param(
  name: string,
  fallback: number | boolean | string | readonly number[],
  options: ParamOptions<unknown> = {},
): number | boolean | string | number[] {
  if (!NAME.test(name)) {
    throw new TypeError(`param(): expected an UPPER_CASE name such as "EPOCHS", found "${name}"`);
  }
  if (TAKEN.has(name) || TAKEN_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    throw new TypeError(
      `param(): ${name} is an environment variable the system or this project sets for its own ` +
        `use; name the parameter otherwise (such as EXAMPLE_${name})`,
    );
  }
  checkOptionKeys(options, Object.keys(PARAM_OPTIONS), "param()");
  if (Array.isArray(fallback)) return listParam(name, fallback, options);
  const type = typeof fallback;
  if (type !== "number" && type !== "boolean" && type !== "string") {
    throw new TypeError(
      `param(): expected a number, boolean, string or list of numbers default for ${name}, ` +
        `found ${type}`,
    );
  }
  if (options.quick !== undefined && typeof options.quick !== type) {
    throw new TypeError(
      `param(): expected the quick value of ${name} to be a ${type} like its default, ` +
        `found ${typeof options.quick}`,
    );
  }
  const raw = readEnv(name);
  const source = raw !== undefined ? `environment variable ${name}` : "";
  let value: unknown;
  if (raw === undefined) {
    const quick = isQuick() && options.quick !== undefined;
    value = quick ? options.quick : fallback;
    if (type === "number" && !Number.isFinite(value)) {
      throw new RangeError(
        `param(): expected a finite number for ${name}, found ${value} (its ${
          quick ? "quick value" : "default"
        })`,
      );
    }
  } else if (type === "number") {
    const text = raw.trim();
    if (options.integer && !DECIMAL_INTEGER.test(text)) {
      throw new RangeError(
        `param(): expected a decimal integer for ${name} (digits only, such as 3), ` +
          `found "${raw}" (${source})`,
      );
    }
    value = DECIMAL.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `param(): expected a decimal number for ${name} (such as 3, 0.5 or 1e-4), ` +
          `found "${raw}" (${source})`,
      );
    }
  } else if (type === "boolean") {
    const word = raw.trim().toLowerCase();
    if (!TRUE.has(word) && !FALSE.has(word)) {
      throw new RangeError(
        `param(): expected true/false (or 1/0, yes/no, on/off) for ${name}, ` +
          `found "${raw}" (${source})`,
      );
    }
    value = TRUE.has(word);
  } else {
    value = raw;
  }
  const where = source === "" ? "" : ` (${source})`;
  if (options.integer && type === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`param(): expected an integer for ${name}, found ${value}${where}`);
  }
  checkBounds(name, value as number, type, options, where);
  return value as number | boolean | string;
}

/** Whether `value` is a non-empty array of numbers (a list parameter's default or quick value). */
const isNumberList = (value: unknown): value is readonly number[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "number");

/** The list form of {@linkcode param}: a number parameter's parsing and checks, on each value. */
function listParam(name: string, fallback: unknown, options: ParamOptions<unknown>): number[] {
  for (const [label, list] of [["default", fallback], ["quick value", options.quick]] as const) {
    if (list === undefined && label === "quick value") continue;
    if (!isNumberList(list)) {
      const found = Array.isArray(list) ? `[${list.map((v) => typeof v).join(", ")}]` : typeof list;
      throw new TypeError(
        `param(): expected the ${label} of ${name} to be a non-empty list of numbers, ` +
          `found ${found}`,
      );
    }
  }
  const raw = readEnv(name);
  let values: number[], where: string, shown: string;
  if (raw === undefined) {
    const quick = isQuick() && options.quick !== undefined;
    values = [...(quick ? options.quick : fallback) as readonly number[]];
    where = ` (its ${quick ? "quick value" : "default"})`;
    shown = `[${values.join(", ")}]`;
  } else {
    where = ` (environment variable ${name})`;
    shown = `"${raw}"`;
    const items = raw.split(",").map((item) => item.trim());
    const bad = items.findIndex((item) =>
      !(options.integer ? DECIMAL_INTEGER : DECIMAL).test(item)
    );
    if (bad >= 0) {
      const kind = options.integer ? "decimal integers (digits only)" : "decimal numbers";
      const item = raw.trim() === ""
        ? ""
        : items[bad] === ""
        ? `: an empty item at position ${bad + 1}`
        : `: "${items[bad]}" at position ${bad + 1}`;
      throw new RangeError(
        `param(): expected ${name} to be ${kind} separated by commas, such as ` +
          `${(fallback as number[]).join(",")}, found ${shown}${item}${where}`,
      );
    }
    values = items.map(Number);
  }
  values.forEach((value, i) => {
    const at = ` at position ${i + 1} of ${shown}`;
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `param(): expected finite numbers for ${name}, found ${value}${at}${where}`,
      );
    }
    if (options.integer && !Number.isSafeInteger(value)) {
      throw new RangeError(`param(): expected integers for ${name}, found ${value}${at}${where}`);
    }
    checkBounds(name, value, "number", options, at + where, `each value of ${name}`);
  });
  return values;
}

/**
 * Checks a parameter's bounds, then its value against them (numbers only); `subject` is what
 * the message says must lie within them (`each value of HIDDEN_UNITS` for a list).
 */
function checkBounds(
  name: string,
  value: number,
  type: string,
  options: ParamOptions<unknown>,
  where: string,
  subject = name,
): void {
  const { min, max, above, below } = options;
  const bounds = { min, max, above, below };
  for (const [label, bound] of Object.entries(bounds)) {
    if (bound !== undefined && (type !== "number" || !Number.isFinite(bound))) {
      throw new TypeError(
        `param(): ${label} applies to a number parameter and must be a finite number; ` +
          `found ${label}: ${bound} for ${name}`,
      );
    }
  }
  for (const [a, b] of [["min", "above"], ["max", "below"]] as const) {
    if (bounds[a] !== undefined && bounds[b] !== undefined) {
      throw new TypeError(`param(): expected ${a} or ${b} for ${name}, not both`);
    }
  }
  if (type !== "number") return;
  const lowOk = (min === undefined || value >= min) && (above === undefined || value > above);
  const highOk = (max === undefined || value <= max) && (below === undefined || value < below);
  if (lowOk && highOk) return;
  const range = min !== undefined && max !== undefined ? `between ${min} and ${max}` : [
    min !== undefined ? `at least ${min}` : above !== undefined ? `above ${above}` : "",
    max !== undefined ? `at most ${max}` : below !== undefined ? `below ${below}` : "",
  ].filter((part) => part !== "").join(" and ");
  throw new RangeError(`param(): expected ${subject} ${range}, found ${value}${where}`);
}

/** Options of {@linkcode headline}. */
export interface HeadlineOptions {
  /**
   * The figure the mirrored tutorial reports for the same quantity, shown beside ours:
   * `· tutorial: 0.88`.
   * @default {undefined} (none reported)
   */
  tutorial?: number | string;
  /**
   * For a notebook that mirrors no tutorial: a figure published for the same quantity, shown
   * beside ours as `· published: 0.44`. At most one of `tutorial` and `published`.
   * @default {undefined} (none)
   */
  published?: number | string;
  /**
   * Decimals shown for numbers.
   * @default {4}
   */
  digits?: number;
}

/** Every option of {@linkcode headline} (the type makes the list complete). */
const HEADLINE_OPTIONS: Record<keyof HeadlineOptions, true> = {
  tutorial: true,
  published: true,
  digits: true,
};

/** A headline figure as the notebook runner collects it. */
export interface Headline {
  /** What was measured, e.g. `"RMSE (validation), biased MF"`. */
  name: string;
  /** Our value, formatted. */
  value: string;
  /**
   * The figure beside ours with its source, `"tutorial: 0.88"` or `"published: 0.440"`, or `""`
   * when there is none.
   */
  compared: string;
}

function show(value: number | string, digits: number): string {
  if (typeof value === "string") return value;
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toFixed(digits);
}

/** Mean and sample standard deviation (n − 1) of finite numbers. */
function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0 };
}

function formatHeadline(name: string, value: number | string | readonly number[], digits: number) {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      throw new RangeError(`headline(): expected at least one value for "${name}", found none`);
    }
    const bad = value.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (bad >= 0) {
      throw new RangeError(
        `headline(): expected finite numbers for "${name}", found ${value[bad]} at position ${bad}`,
      );
    }
    if (value.length === 1) return show(value[0], digits);
    const { mean, sd } = meanSd(value);
    return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)} (${value.length} seeds)`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError(`headline(): expected a finite number for "${name}", found ${value}`);
  }
  return show(value as number | string, digits);
}

/**
 * Prints a headline figure of the notebook beside the tutorial's, and hands it to the notebook
 * runner's summary (through the file named by the `NB_HEADLINES` variable, when set). Given the
 * values of several seeds, it shows their mean ± standard deviation (n − 1) and the count.
 *
 * @param name What was measured.
 * @param value Our figure, or one figure per seed.
 * @param options The tutorial's figure (or, for a notebook that mirrors no tutorial, a
 *   published one) and the number of decimals.
 * @returns Nothing (so a cell may end with it and show no extra output).
 * @throws {TypeError} On an empty name, an unknown option (naming it and the option it most
 *   likely meant), or both a tutorial's and a published figure.
 * @throws {RangeError} On a value, or a tutorial's or published figure, that is a NaN or
 *   infinite number, or `digits` not an integer from 0 to 20.
 * @example
 * ```ts
 * import { headline } from "./params.ts";
 * headline("RMSE (validation)", 0.87312, { tutorial: 0.88, digits: 3 });
 * // prints: RMSE (validation): 0.873 · tutorial: 0.88
 * headline("Test MSE", [0.81, 0.83, 0.82], { digits: 3 });
 * // prints: Test MSE: 0.820 ± 0.010 (3 seeds)
 * headline("NDCG@10", 0.445, { published: "0.440", digits: 3 });
 * // prints: NDCG@10: 0.445 · published: 0.440
 * // Under the notebook runner, NB_HEADLINES names a file, and each call appends a JSON line:
 * // {"name":"NDCG@10","value":"0.445","compared":"published: 0.440"}
 * ```
 */
export function headline(
  name: string,
  value: number | string | readonly number[],
  options: HeadlineOptions = {},
): void {
  checkOptionKeys(options, Object.keys(HEADLINE_OPTIONS), "headline()");
  const { tutorial, published, digits = 4 } = options;
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(
      `headline(): expected a name saying what was measured, found ${
        typeof name === "string" ? JSON.stringify(name) : typeof name
      }`,
    );
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError(`headline(): expected digits to be an integer 0–20, found ${digits}`);
  }
  for (const [label, figure] of [["tutorial", tutorial], ["published", published]] as const) {
    if (typeof figure === "number" && !Number.isFinite(figure)) {
      throw new RangeError(
        `headline(): expected ${label} to be a finite number or a text for "${name}", found ${figure}`,
      );
    }
  }
  if (tutorial !== undefined && published !== undefined) {
    throw new TypeError(
      `headline(): expected a tutorial's figure or a published one for "${name}", found both`,
    );
  }
  const [source, figure] = published !== undefined
    ? ["published", String(published)]
    : ["tutorial", tutorial === undefined ? "" : String(tutorial)];
  const compared = figure ? `${source}: ${figure}` : "";
  const result: Headline = { name, value: formatHeadline(name, value, digits), compared };
  console.log(`${name}: ${result.value}${compared ? ` · ${compared}` : ""}`);
  const file = readEnv("NB_HEADLINES");
  if (file) Deno.writeTextFileSync(file, JSON.stringify(result) + "\n", { append: true });
}
