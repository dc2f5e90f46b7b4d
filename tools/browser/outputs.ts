/**
 * Pure parts of the browser test: which cell an output belongs to (a Run-All's outputs
 * compared with a cell-by-cell reference run), and whether a figure is shown as a picture.
 *
 * Outputs are compared as *units*: each line of a stream (a late stream chunk can merge into
 * the next cell's stream), and each other output whole. A unit's key keeps the output's kind,
 * its MIME types and its text with every number masked (timings and throughput differ from run
 * to run) and data URIs cut; pictures are keyed by MIME type only.
 *
 * @module
 */

import { plural } from "../../lib/_validate.ts";

/** One output as nbformat stores it (and as Notebook 6's `toJSON()` gives it). */
export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** A code cell's outputs, with the cell's position in the notebook (0-based). */
export interface CellOutputs {
  /** Index in the notebook's `cells`. */
  cell: number;
  outputs: NbOutput[];
}

/** The comparable part of an output. */
export interface Unit {
  /** `stream stdout`, `execute_result`, `display_data`, `error`. */
  kind: string;
  /** Kind, MIME types and masked text: equal keys mean "the same output". */
  key: string;
  /** A short readable excerpt, for messages. */
  preview: string;
}

/** What {@linkcode compareWithReference} found wrong with one unit: where it is shown. */
export interface PlacementFinding {
  /**
   * `misplaced`: shown under `cell` but produced by `from`; `missing`: the reference has it in
   * `cell` and the run nowhere; `unexpected`: the run has it in `cell` and the reference
   * nowhere; `error`: the run shows an error output in `cell`.
   */
  kind: "misplaced" | "missing" | "unexpected" | "error";
  /** Notebook index (0-based) of the cell that shows it (or should). */
  cell: number;
  /** For `misplaced`: the cell that produced it. */
  from?: number;
  unit: Unit;
}

const PICTURE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/svg+xml"];

/** Joins nbformat's multi-line strings. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
}

/**
 * Masks what differs between two runs of the same cell: numbers (with their separators) become
 * `#`, data URIs `data:…`, runs of white space one space.
 *
 * @param text Any output text.
 * @returns The masked text.
 */
export function mask(text: string): string {
  return text
    .replace(/data:[a-z+./-]+(;[a-z0-9=-]+)*,[^"')\s<>]*/gi, "data:…")
    .replace(/\d+(?:[.,:]\d+)*(?:e[+-]?\d+)?/gi, "#")
    .replace(/\s+/g, " ")
    .trim();
}

/** What a terminal shows of `\r`-rewritten text: each line's text after its last `\r`. */
export function collapseCarriageReturns(text: string): string {
  return text.replace(/\r\n/g, "\n").split("\n").map((line) => line.replace(/^.*\r/s, ""))
    .join("\n");
}

function hash(text: string): string {
  // Two 32-bit FNV-1a hashes: enough to tell outputs apart, short in messages, fast on figures.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

function excerpt(text: string, length = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? flat.slice(0, length - 1) + "…" : flat;
}

/** Whether an output is a figure: a picture type, or HTML holding an `<svg>` or `<img>`. */
export function isFigure(output: NbOutput): boolean {
  const data = output.data;
  if (!data) return false;
  if (PICTURE_TYPES.some((type) => data[type] !== undefined)) return true;
  return /<(svg|img)\b/i.test(joinText(data["text/html"]));
}

/**
 * Splits outputs into comparable units.
 *
 * @param outputs A cell's outputs.
 * @returns Its units, in order.
 */
export function outputUnits(outputs: NbOutput[]): Unit[] {
  const units: Unit[] = [];
  for (const output of outputs) {
    const type = output.output_type;
    if (type === "stream") {
      const kind = `stream ${output.name ?? "stdout"}`;
      for (const line of collapseCarriageReturns(joinText(output.text)).split("\n")) {
        if (line.trim() === "") continue;
        units.push({ kind, key: `${kind}: ${mask(line)}`, preview: excerpt(line) });
      }
    } else if (type === "error") {
      const text = `${output.ename ?? ""}: ${output.evalue ?? ""}`;
      units.push({ kind: "error", key: `error: ${mask(text)}`, preview: excerpt(text) });
    } else {
      const data = output.data ?? {};
      const types = Object.keys(data).sort();
      const parts = types.map((t) =>
        PICTURE_TYPES.includes(t) ? t : `${t}=${mask(joinText(data[t]))}`
      );
      const plain = joinText(data["text/plain"]) || joinText(data["text/html"]);
      units.push({
        kind: type,
        key: `${type} [${types.join(", ")}] ${hash(parts.join("\n"))}`,
        preview: excerpt(plain) || `[${types.join(", ")}]`,
      });
    }
  }
  return units;
}

function countKeys(units: Unit[]): Map<string, { unit: Unit; count: number }> {
  const counts = new Map<string, { unit: Unit; count: number }>();
  for (const unit of units) {
    const entry = counts.get(unit.key);
    if (entry) entry.count++;
    else counts.set(unit.key, { unit, count: 1 });
  }
  return counts;
}

/**
 * Compares a run's outputs with a reference run's, cell by cell. An output the run shows in one
 * cell and the reference has in another (where the run lacks it) is `misplaced`; the nearest
 * earlier cell is preferred as its origin, since a late output lands in a later cell.
 *
 * @param reference Outputs of the cell-by-cell run.
 * @param actual Outputs of the run under test (the same cells).
 * @returns What differs, in cell order.
 * @throws {RangeError} When the two runs do not cover the same cells.
 */
export function compareWithReference(
  reference: CellOutputs[],
  actual: CellOutputs[],
): PlacementFinding[] {
  const refCells = reference.map((c) => c.cell).join(",");
  const actCells = actual.map((c) => c.cell).join(",");
  if (refCells !== actCells) {
    throw new RangeError(
      `compareWithReference(): expected the same code cells in both runs, found [${refCells}] and [${actCells}]`,
    );
  }
  const cells = reference.map((c) => c.cell);
  const missing = new Map<number, Map<string, { unit: Unit; count: number }>>();
  const extra = new Map<number, Map<string, { unit: Unit; count: number }>>();
  const findings: PlacementFinding[] = [];
  reference.forEach((ref, i) => {
    const want = countKeys(outputUnits(ref.outputs));
    const got = countKeys(outputUnits(actual[i].outputs));
    const lack = new Map<string, { unit: Unit; count: number }>();
    const more = new Map<string, { unit: Unit; count: number }>();
    for (const [key, entry] of want) {
      const diff = entry.count - (got.get(key)?.count ?? 0);
      if (diff > 0) lack.set(key, { unit: entry.unit, count: diff });
    }
    for (const [key, entry] of got) {
      const diff = entry.count - (want.get(key)?.count ?? 0);
      if (diff > 0) more.set(key, { unit: entry.unit, count: diff });
      if (entry.unit.kind === "error") {
        for (let k = 0; k < entry.count; k++) {
          findings.push({ kind: "error", cell: ref.cell, unit: entry.unit });
        }
      }
    }
    missing.set(ref.cell, lack);
    extra.set(ref.cell, more);
  });
  for (const [position, cell] of cells.entries()) {
    for (const [key, entry] of extra.get(cell)!) {
      while (entry.count > 0) {
        // Candidates: earlier cells, nearest first, then later ones.
        const order = [
          ...cells.slice(0, position).reverse(),
          ...cells.slice(position + 1),
        ];
        const from = order.find((c) => (missing.get(c)!.get(key)?.count ?? 0) > 0);
        if (from === undefined) break;
        missing.get(from)!.get(key)!.count--;
        entry.count--;
        findings.push({ kind: "misplaced", cell, from, unit: entry.unit });
      }
      for (let k = 0; k < entry.count; k++) {
        findings.push({ kind: "unexpected", cell, unit: entry.unit });
      }
    }
  }
  for (const cell of cells) {
    for (const entry of missing.get(cell)!.values()) {
      for (let k = 0; k < entry.count; k++) {
        findings.push({ kind: "missing", cell, unit: entry.unit });
      }
    }
  }
  const order = { error: 0, misplaced: 1, missing: 2, unexpected: 3 };
  return findings.sort((a, b) => a.cell - b.cell || order[a.kind] - order[b.kind]);
}

/** Counts of a comparison, with misplaced stream lines grouped into outputs. */
export interface Summary {
  /** Misplaced outputs: each non-stream output, and each stream moved from one cell to another. */
  misplaced: number;
  /** Cells that produced a misplaced output. */
  cellsAffected: number;
  missing: number;
  unexpected: number;
  errors: number;
}

/**
 * Summarises findings.
 *
 * @param findings From {@linkcode compareWithReference}.
 * @returns The counts.
 */
export function summarizeFindings(findings: PlacementFinding[]): Summary {
  const moved = new Set<string>();
  let misplaced = 0;
  for (const f of findings) {
    if (f.kind !== "misplaced") continue;
    if (f.unit.kind.startsWith("stream")) {
      const group = `${f.from}>${f.cell}:${f.unit.kind}`;
      if (moved.has(group)) continue;
      moved.add(group);
    }
    misplaced++;
  }
  const count = (kind: PlacementFinding["kind"]) => findings.filter((f) => f.kind === kind).length;
  return {
    misplaced,
    cellsAffected: new Set(findings.filter((f) => f.kind === "misplaced").map((f) => f.from))
      .size,
    missing: count("missing"),
    unexpected: count("unexpected"),
    errors: count("error"),
  };
}

/**
 * Describes a finding in one line, with cells numbered from 1 as the notebook shows them
 * (all cells, markdown included).
 */
export function describeFinding(f: PlacementFinding): string {
  const where = `cell ${f.cell + 1}`;
  const what = `${f.unit.kind} "${f.unit.preview}"`;
  switch (f.kind) {
    case "misplaced":
      return `${where}: shows ${what} produced by cell ${f.from! + 1}`;
    case "missing":
      return `${where}: lacks ${what} (the cell-by-cell run shows it)`;
    case "unexpected":
      return `${where}: shows ${what}, which no cell shows in the cell-by-cell run`;
    case "error":
      return `${where}: error output ${f.unit.preview}`;
  }
}

/** What the page shows for one output (collected in the browser). */
export interface ObservedOutput {
  /** Loaded `<img>` (natural width and height > 0) and rendered `<svg>` (non-empty box). */
  pictures: number;
  /** `<img>` elements that did not load. */
  brokenImages: number;
  /** The output's visible text (first 400 characters). */
  text: string;
}

/** A code cell as the page shows it. */
export interface ObservedCell {
  /** Index in the notebook's cells. */
  cell: number;
  outputs: ObservedOutput[];
}

/** SVG or HTML markup in an output's visible text: a tag, a namespace, a viewBox. */
const MARKUP_AS_TEXT =
  /<\/?(svg|path|g|rect|circle|line|text|object|img|table|thead|tbody|tr|th|td|div|span|style|script)\b|xmlns(:\w+)?=|viewBox=/i;

/**
 * Checks that an opened notebook shows every figure as a picture and no output garbled: no
 * markup shown as text, no figure reduced to its text by the sanitiser, no broken image.
 *
 * @param expected The notebook file's code cells and outputs.
 * @param observed What the page shows for the same cells.
 * @returns Problems, one line each (empty when all is well).
 */
export function checkRendered(expected: CellOutputs[], observed: ObservedCell[]): string[] {
  const problems: string[] = [];
  const seen = new Map(observed.map((c) => [c.cell, c]));
  for (const { cell, outputs } of expected) {
    const where = `cell ${cell + 1}`;
    const shown = seen.get(cell);
    if (!shown) {
      problems.push(`${where}: not found on the page`);
      continue;
    }
    if (shown.outputs.length !== outputs.length) {
      problems.push(
        `${where}: the page shows ${shown.outputs.length} outputs, the file has ${outputs.length}`,
      );
    }
    outputs.forEach((output, k) => {
      const view = shown.outputs[k];
      if (!view) return;
      const label = `${where}, output ${k + 1}`;
      if (view.brokenImages > 0) {
        problems.push(`${label}: ${plural(view.brokenImages, "image")} did not load`);
      }
      if (MARKUP_AS_TEXT.test(view.text)) {
        problems.push(`${label}: markup shown as text: "${excerpt(view.text)}"`);
      } else if (isFigure(output) && view.pictures === 0) {
        problems.push(
          view.text.trim()
            ? `${label}: figure shown as text, not a picture: "${excerpt(view.text)}"`
            : `${label}: figure not shown (no picture)`,
        );
      }
    });
  }
  return problems;
}
