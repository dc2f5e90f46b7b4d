/**
 * The command-line conventions shared by the programs in `tools/` and `bench/`, so that a flag
 * reads and fails the same way in each:
 *
 * - a flag's value follows it (`--epochs 3`) or is joined to it by `=` (`--epochs=3`); a value
 *   may not start with `--` (`--json --md x` is a missing value, not a file named `--md`), and a
 *   flag that takes a value is given once;
 * - numbers are plain decimals (`2`, `90.5`; not `0x2`, `1e1`, `+2` or ` 2`);
 * - `--help` or `-h` anywhere prints the usage on stdout and exits 0;
 * - a bad command line is one line on stderr naming the flag, what was expected and what was
 *   found (`--epochs: expected an integer ≥ 1, found "-1" (see --help)`), and exit status 2
 *   ({@linkcode USAGE_STATUS}), before anything runs.
 *
 * @module
 */

/** Exit status of every program on a bad command line (1 is a failed run, 0 success). */
export const USAGE_STATUS = 2;

/**
 * Whether the command line asks for the usage text: `--help` or `-h` anywhere in it, which
 * wins over anything else on the line (a bad flag beside it included).
 *
 * @param args The arguments.
 * @returns True when the usage should be printed.
 * @example
 * ```ts
 * import { wantsHelp } from "./_cli.ts";
 * console.log(wantsHelp(["--epochs", "x", "-h"])); // true
 * console.log(wantsHelp(["--epochs", "3"])); // false
 * ```
 */
export function wantsHelp(args: readonly string[]): boolean {
  return args.some((a) => a === "--help" || a === "-h");
}

/**
 * Prints a bad command line's message in one line on stderr, pointing to `--help`.
 *
 * @param error What the parser threw (its message names the flag).
 * @returns {@linkcode USAGE_STATUS}, the exit status.
 * @example
 * ```ts ignore
 * import { reportUsageError } from "./_cli.ts";
 * // Prints `unknown flag "--fast" (see --help)` and exits with status 2.
 * Deno.exit(reportUsageError(new TypeError('unknown flag "--fast"')));
 * ```
 */
export function reportUsageError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${message.replace(/\s*\n\s*/g, " ")} (see --help)`);
  return USAGE_STATUS;
}

/**
 * Reads a program's command line at its start: prints `usage` and exits 0 when the line asks
 * for help ({@linkcode wantsHelp}), prints a bad line's message and exits with
 * {@linkcode USAGE_STATUS} when `parse` throws ({@linkcode reportUsageError}), and otherwise
 * returns what `parse` made of it. For a program's `import.meta.main` block only: it may end the
 * process.
 *
 * @param args The arguments (`Deno.args`).
 * @param usage The usage text.
 * @param parse The program's parser, which throws on a bad command line.
 * @returns The parsed command line.
 * @example
 * ```ts ignore
 * import { readCommandLine } from "./_cli.ts";
 * const epochs = readCommandLine(Deno.args, "Usage: demo [--epochs N]", (a) => a.length);
 * ```
 */
export function readCommandLine<T>(
  args: readonly string[],
  usage: string,
  parse: (args: string[]) => T,
): T {
  if (wantsHelp(args)) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parse([...args]);
  } catch (e) {
    Deno.exit(reportUsageError(e));
  }
}

/**
 * A whole number written in decimal digits, from `min` to `max`.
 *
 * @param flag The flag it belongs to, for the message.
 * @param text The value as given (undefined: none).
 * @param min The smallest value taken.
 * @param max The largest value taken.
 * @returns The number.
 * @throws {RangeError} Naming the flag, the range and the text, when it is not one.
 * @example
 * ```ts
 * import { integerValue } from "./_cli.ts";
 * import { assertThrows } from "@std/assert";
 * console.log(integerValue("--runs", "3", 0)); // 3
 * assertThrows(
 *   () => integerValue("--runs", "1e1", 0),
 *   RangeError,
 *   '--runs: expected an integer ≥ 0, found "1e1"',
 * );
 * ```
 */
export function integerValue(
  flag: string,
  text: string | undefined,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER
      ? `an integer ≥ ${min}`
      : `an integer from ${min} to ${max}`;
    throw new RangeError(`${flag}: expected ${range}, found ${found(text)}`);
  }
  return n;
}

/**
 * A number greater than 0 written as a plain decimal (`90`, `90.5`), at most `max`.
 *
 * @param flag The flag it belongs to, for the message.
 * @param text The value as given (undefined: none).
 * @param what What the number counts, for the message ("seconds").
 * @param max The largest value taken.
 * @returns The number.
 * @throws {RangeError} Naming the flag and the text (and `max`, when above it), when it is not
 *   one.
 * @example
 * ```ts
 * import { positiveValue } from "./_cli.ts";
 * import { assertThrows } from "@std/assert";
 * console.log(positiveValue("--timeout", "90.5", "seconds")); // 90.5
 * assertThrows(
 *   () => positiveValue("--timeout", "100", "seconds", 60),
 *   RangeError,
 *   '--timeout: expected a positive number of seconds up to 60, found "100"',
 * );
 * ```
 */
export function positiveValue(
  flag: string,
  text: string | undefined,
  what: string,
  max = Infinity,
): number {
  const n = text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0) || !Number.isFinite(n) || n > max) {
    const upTo = max === Infinity ? "" : ` up to ${max}`;
    throw new RangeError(
      `${flag}: expected a positive number of ${what}${upTo}, found ${found(text)}`,
    );
  }
  return n;
}

/** How a value given on the command line is quoted in a message. */
function found(text: string | undefined): string {
  return text === undefined ? "nothing" : JSON.stringify(text);
}

/**
 * Reads a command line one argument at a time, with the conventions of this module: a parser
 * loops over {@linkcode FlagReader.next}, takes a flag's value with
 * {@linkcode FlagReader.value} (or {@linkcode FlagReader.integer}), and ends unknown flags with
 * {@linkcode FlagReader.unknown}. A value joined by `=` to a flag that takes none
 * (`--no-torch=false`) is refused when the next argument is read.
 *
 * @example
 * ```ts
 * import { FlagReader } from "./_cli.ts";
 * import { assertEquals } from "@std/assert";
 * const read = new FlagReader(["--epochs=3", "--quick", "a.ipynb"]);
 * const seen: unknown[] = [];
 * for (let arg = read.next(); arg !== null; arg = read.next()) {
 *   if (arg === "--epochs") seen.push(read.integer(1));
 *   else if (arg === "--quick") seen.push(true);
 *   else if (!arg.startsWith("-")) seen.push(arg);
 *   else read.unknown();
 * }
 * assertEquals(seen, [3, true, "a.ipynb"]);
 * ```
 */
export class FlagReader {
  readonly #args: readonly string[];
  #next = 0;
  #inline: string | undefined;
  readonly #given = new Set<string>();
  /** The argument read last: a flag's name without its `=value`, or the argument as given. */
  flag = "";

  /** @param args The arguments (`Deno.args`). */
  constructor(args: readonly string[]) {
    this.#args = args;
  }

  /**
   * The next argument, or null after the last: a flag's name (`--epochs` of `--epochs=3`), or
   * any other argument as given.
   *
   * @returns The argument.
   * @throws {TypeError} When the flag before it was given `=value` but takes no value.
   */
  next(): string | null {
    if (this.#inline !== undefined) {
      throw new TypeError(`${this.flag}: expected no value, found ${found(this.#inline)}`);
    }
    if (this.#next >= this.#args.length) return null;
    const arg = this.#args[this.#next++];
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 2) {
      [this.flag, this.#inline] = [arg.slice(0, eq), arg.slice(eq + 1)];
    } else {
      [this.flag, this.#inline] = [arg, undefined];
    }
    return this.flag;
  }

  /**
   * The current flag's value: after its `=`, else the next argument.
   *
   * @param options `repeatable`: the flag may be given more than once (each value is read).
   * @returns The value.
   * @throws {TypeError} When there is no value (nothing follows, or a flag: `--…`), or the flag
   *   was given a value before and is not repeatable.
   */
  value(options: { repeatable?: boolean } = {}): string {
    let v = this.#inline;
    if (v === undefined) {
      const next = this.#args[this.#next];
      if (next === undefined || next.startsWith("--")) {
        throw new TypeError(`${this.flag}: expected a value, found ${found(next)}`);
      }
      this.#next++;
      v = next;
    }
    this.#inline = undefined;
    if (!options.repeatable) {
      if (this.#given.has(this.flag)) {
        throw new TypeError(`${this.flag}: expected once, found a second value ${found(v)}`);
      }
      this.#given.add(this.flag);
    }
    return v;
  }

  /**
   * The current flag's value as a whole number (see {@linkcode integerValue}).
   *
   * @param min The smallest value taken.
   * @param max The largest value taken.
   * @returns The number.
   * @throws {TypeError} As {@linkcode FlagReader.value} does.
   * @throws {RangeError} When the value is not such a number.
   */
  integer(min: number, max?: number): number {
    return integerValue(this.flag, this.value(), min, max);
  }

  /**
   * Throws the error of an argument this program does not take.
   *
   * @param what What it is called in the message.
   * @throws {TypeError} Always: `unknown flag "--fast"`.
   */
  unknown(what = "flag"): never {
    this.#inline = undefined;
    throw new TypeError(`unknown ${what} ${found(this.#args[this.#next - 1])}`);
  }
}
