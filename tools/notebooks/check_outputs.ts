/**
 * Checks the committed outputs of notebooks for what a reader should never see: numbers with
 * more than 6 significant digits, `null` in a rendered table, `[object Object]`, a raw object
 * dump (`{ mse: 0.7, … }`) or a typed-array dump (`Float32Array(5) [`), terminal colour codes, a plot as inline `<svg>` (text in an
 * untrusted notebook), two figures with the same title, and code cells over 20 lines.
 *
 * Plot coordinates and base64 data are not read: an inline `<svg>`, the `data:` URL of a figure's
 * picture, HTML attributes and non-text MIME types (images) are skipped.
 *
 * Run it as a program: `deno run -A tools/notebooks/check_outputs.ts notebooks/*.ipynb`; it
 * prints one line per finding and exits with status 1 when there is any (`--help`: its usage).
 *
 * @module
 */

import { FlagReader, readCommandLine } from "../_cli.ts";

/** What a finding is about. */
export type Rule =
  | "long-number"
  | "null-cell"
  | "object-dump"
  | "typed-array-dump"
  | "colour-code"
  | "inline-svg"
  | "duplicate-title"
  | "long-cell";

/** One problem in one cell. */
export interface Finding {
  /** The cell's position in the notebook, counted from 1 (markdown cells included). */
  cell: number;
  /** Which rule it breaks. */
  rule: Rule;
  /** What was found, with the offending text. */
  message: string;
}

/** Options of {@linkcode checkNotebook}. */
export interface CheckOptions {
  /**
   * A number with more significant digits than this is reported (integers are exact counts
   * and never are).
   * @default {6}
   */
  maxDigits?: number;
  /**
   * A code cell with more lines than this is reported.
   * @default {20}
   */
  maxLines?: number;
}

interface Output {
  output_type?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  traceback?: string[];
}

interface Cell {
  cell_type?: string;
  source?: string | string[];
  outputs?: Output[];
}

const joined = (v: unknown): string =>
  Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "";

const excerpt = (text: string, at: number, length: number) => {
  const start = Math.max(0, at - 15);
  const piece = text.slice(start, at + length + 15).replace(/\s+/g, " ");
  return `${start > 0 ? "…" : ""}${piece}${at + length + 15 < text.length ? "…" : ""}`;
};

/** The text a reader sees of an HTML output: no SVG, no attributes (data URLs), no tags. */
function visibleText(html: string): string {
  return html
    .replace(/<svg\b[\s\S]*?<\/svg>/gi, " ")
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/g, " ");
}

/** Significant digits of a decimal written as text (`0.00165` → 3, `2.6329223` → 8). */
export function significantDigits(number: string): number {
  const mantissa = number.replace(/^[-+]/, "").replace(/,/g, "").split(/e/i)[0];
  const digits = mantissa.replace(".", "").replace(/^0+/, "");
  return digits.length;
}

const NUMBER = /(?<![\w.])-?\d[\d,]*\.\d+(?:e[-+]?\d+)?|(?<![\w.])-?\d(?:\.\d+)?e[-+]?\d+/gi;
const TYPED_ARRAY =
  /\b(?:Float32|Float64|Int8|Int16|Int32|Uint8|Uint8Clamped|Uint16|Uint32|BigInt64|BigUint64)Array\(\d+\) \[/;
/** A value printed by `Deno.inspect` instead of a table: `{ mse: 0.7, … }`, `[ { … } ]`, `Map(2) {`. */
const INSPECT_DUMP = /^(?:[A-Z]\w*(?:\(\d+\))? )?\{\s*["'\w]+: |^\[\s*\{|^Map\(\d+\) \{/;
// deno-lint-ignore no-control-regex
const COLOUR = /\u001b\[[0-9;]*m/;

/**
 * Checks one parsed notebook (the JSON of an `.ipynb` file).
 *
 * @param notebook The parsed notebook.
 * @param options Digit and line limits.
 * @returns The findings, in cell order.
 * @throws {TypeError} When the value has no `cells` array.
 * @example
 * ```ts
 * import { checkNotebook } from "./check_outputs.ts";
 * const notebook = {
 *   cells: [{
 *     cell_type: "code",
 *     source: "mse",
 *     outputs: [{ output_type: "execute_result", data: { "text/plain": "0.7086123456" } }],
 *   }],
 * };
 * console.log(checkNotebook(notebook)[0].message);
 * // 0.7086123456 has 10 significant digits (at most 6): 0.7086123456
 * ```
 */
export function checkNotebook(notebook: unknown, options: CheckOptions = {}): Finding[] {
  const { maxDigits = 6, maxLines = 20 } = options;
  const cells = (notebook as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) {
    throw new TypeError(
      `checkNotebook(): expected a notebook with a cells array, found ${
        notebook === null ? "null" : typeof notebook
      }`,
    );
  }
  const findings: Finding[] = [];
  const titles = new Map<string, number>();
  (cells as Cell[]).forEach((cell, i) => {
    const at = i + 1;
    const add = (rule: Rule, message: string) => findings.push({ cell: at, rule, message });
    if (cell.cell_type !== "code") return;
    const lines = joined(cell.source).replace(/\n+$/, "").split("\n");
    if (lines.length > maxLines) {
      add("long-cell", `${lines.length} lines of code (at most ${maxLines})`);
    }
    for (const output of cell.outputs ?? []) {
      const texts: { kind: string; text: string; table: boolean }[] = [];
      if (output.text !== undefined) {
        texts.push({ kind: "stream", text: joined(output.text), table: true });
      }
      if (output.traceback) {
        texts.push({ kind: "error", text: output.traceback.join("\n"), table: false });
      }
      for (const [mime, value] of Object.entries(output.data ?? {})) {
        if (!mime.startsWith("text/")) continue;
        const raw = joined(value);
        if (mime === "text/html") {
          if (/<svg\b/i.test(raw)) {
            add(
              "inline-svg",
              "a plot as inline <svg> in text/html: an untrusted notebook shows its text",
            );
          }
          if (/<td[^>]*>\s*null\s*<\/td>/i.test(raw)) {
            add("null-cell", "null in a rendered HTML table");
          }
          texts.push({ kind: mime, text: visibleText(raw), table: false });
        } else {
          texts.push({ kind: mime, text: raw, table: mime === "text/plain" });
        }
        const only = Object.keys(output.data ?? {}).filter((m) => m !== "text/plain").length === 0;
        if (mime === "text/plain" && only && INSPECT_DUMP.test(raw.trim())) {
          add("object-dump", `a raw object dump instead of a table: ${excerpt(raw.trim(), 0, 30)}`);
        }
        if (mime === "text/plain") {
          const title = raw.match(/^\[figure: [^"\]]*"(.*)"/)?.[1];
          if (title !== undefined) {
            const first = titles.get(title);
            if (first !== undefined) {
              add(
                "duplicate-title",
                `figure title "${title}" is also the title of the figure in cell ${first}`,
              );
            } else titles.set(title, at);
          }
        }
      }
      for (const { kind, text, table } of texts) {
        const colour = text.search(COLOUR);
        if (colour >= 0) {
          add(
            "colour-code",
            `terminal colour codes in ${kind}: ${JSON.stringify(text.slice(colour, colour + 20))}`,
          );
        }
        const object = text.indexOf("[object Object]");
        if (object >= 0) {
          add("object-dump", `[object Object] in ${kind}: ${excerpt(text, object, 15)}`);
        }
        const typed = text.match(TYPED_ARRAY);
        if (typed) {
          add(
            "typed-array-dump",
            `a typed-array dump in ${kind}: ${excerpt(text, typed.index!, typed[0].length)}`,
          );
        }
        if (table) {
          // A text table (Polars' box drawing, or aligned columns under a dashed rule).
          const tabular = /[│┆]/.test(text) || /^-+(?: {2}-+)+\s*$/m.test(text);
          if (tabular && /(^|[\s│┆|])null(?=[\s│┆|]|$)/m.test(text)) {
            add("null-cell", `null in a text table (${kind})`);
          }
        }
        for (const m of text.matchAll(NUMBER)) {
          const n = significantDigits(m[0]);
          if (n > maxDigits) {
            add(
              "long-number",
              `${m[0]} has ${n} significant digits (at most ${maxDigits}): ${
                excerpt(text, m.index!, m[0].length)
              }`,
            );
          }
        }
      }
    }
  });
  return findings;
}

/**
 * Reads and checks one `.ipynb` file.
 *
 * @param path The notebook file.
 * @param options Digit and line limits.
 * @returns The findings, in cell order.
 * @throws {SyntaxError} When the file is not JSON, naming it.
 * @example
 * ```ts
 * import { checkNotebookFile } from "./check_outputs.ts";
 * const path = await Deno.makeTempFile({ suffix: ".ipynb" });
 * await Deno.writeTextFile(path, JSON.stringify({ cells: [] }));
 * console.log(await checkNotebookFile(path)); // []
 * await Deno.remove(path);
 * ```
 */
export async function checkNotebookFile(
  path: string,
  options: CheckOptions = {},
): Promise<Finding[]> {
  const text = await Deno.readTextFile(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`checkNotebookFile(): ${path} is not JSON (${(e as Error).message})`);
  }
  return checkNotebook(parsed, options);
}

/** One line per finding: `notebooks/01_x.ipynb cell 5 [long-number] …`. */
export function formatFindings(path: string, findings: Finding[]): string[] {
  return findings.map((f) => `${path} cell ${f.cell} [${f.rule}] ${f.message}`);
}

/** The help text of `deno run -A tools/notebooks/check_outputs.ts`. */
export const USAGE = `Usage: deno run -A tools/notebooks/check_outputs.ts NOTEBOOK.ipynb …

Checks the outputs of committed notebooks (the rules \`deno task test\` applies to every
notebook): prints each finding and a count; exit status 0 when there is none, 1 otherwise.

Flags:
  -h, --help   show this text

A bad command line is one line on stderr and exit status 2.`;

/**
 * Reads the command line of the output check: the notebooks, at least one, and no flag.
 *
 * @param args The arguments.
 * @returns The notebook paths.
 * @throws {TypeError} On a flag or when no notebook is named.
 * @example
 * ```ts
 * import { parseCheckArgs } from "./check_outputs.ts";
 * console.log(parseCheckArgs(["a.ipynb"])); // ["a.ipynb"]
 * ```
 */
export function parseCheckArgs(args: string[]): string[] {
  const paths: string[] = [];
  const read = new FlagReader(args);
  for (let arg = read.next(); arg !== null; arg = read.next()) {
    if (arg.startsWith("-")) read.unknown();
    paths.push(arg);
  }
  if (paths.length === 0) throw new TypeError("expected at least one notebook, found none");
  return paths;
}

if (import.meta.main) {
  const paths = readCommandLine(Deno.args, USAGE, parseCheckArgs);
  let count = 0;
  for (const path of paths) {
    const findings = await checkNotebookFile(path);
    count += findings.length;
    for (const line of formatFindings(path, findings)) console.log(line);
  }
  console.log(count === 0 ? `${paths.length} notebooks: no findings` : `${count} findings`);
  Deno.exit(count === 0 ? 0 : 1);
}
