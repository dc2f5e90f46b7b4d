// Which cell of a notebook defines a name, and the hint added to a ReferenceError for a name a
// cell uses before the cell that defines it has run (private to lib/notebook; the notebook
// runner in tools/notebooks uses the same wording).
//
// In Deno's Jupyter kernel (2.9) `installReferenceHints()` adds the hint through V8's
// `Error.prepareStackTrace` hook, which Deno calls when an error's stack is first read: the
// kernel's inspector reads it as soon as a cell throws, before the kernel reads the error's
// message and stack for the notebook, so both carry the hint. Only a ReferenceError for a missing
// name thrown by cell code (not by a module) is changed; every other stack is written as Deno
// writes it. Which cell defines the name is looked up in the notebook open in the kernel, found
// among the `.ipynb` files of the kernel's folder by the code of the cells run so far.

import { cellPreview } from "./_format.ts";

/** A notebook's code cell: its 1-based position among all cells, and its source. */
export interface SourceCell {
  /** 1-based position of the cell in the notebook, markdown cells included. */
  cell: number;
  /** The cell's source. */
  source: string;
}

const IDENT = /^[A-Za-z_$][\w$]*/;

/** The index just past the bracket that closes the one at `open`, or the text's end. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{" || ch === "[" || ch === "(") depth++;
    else if (ch === "}" || ch === "]" || ch === ")") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Names bound by a destructuring pattern's text (`{ a, b: c, ...d }`, `[e, [f]]`). */
function patternNames(pattern: string): string[] {
  const names: string[] = [];
  // Drop default values (`= expr` up to the next `,` or closing bracket) and object keys.
  const cleaned = pattern.replace(/=[^,}\]]*/g, "").replace(/[\w$]+\s*:/g, "");
  for (const m of cleaned.matchAll(/[A-Za-z_$][\w$]*/g)) names.push(m[0]);
  return names;
}

/**
 * Names bound by the declaration whose declarators start `text`: the first declarator (a name
 * or a destructuring pattern), or every name of a plain list such as `let a, b;`.
 */
function declaratorNames(text: string): string[] {
  const rest = text.trimStart();
  if (rest.startsWith("{") || rest.startsWith("[")) {
    return patternNames(rest.slice(1, closing(rest, 0) - 1));
  }
  const list = rest.match(/^([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*(?:;|$)/m);
  if (list) return list[1].split(",").map((n) => n.trim());
  const id = rest.match(IDENT);
  return id ? [id[0]] : [];
}

/** Value names an import clause binds (`pl`, `* as tf`, `{ a, b as c }`); none for `import type`. */
function importNames(clause: string): string[] {
  if (/^type\s/.test(clause)) return [];
  const names: string[] = [];
  const braces = clause.match(/\{([\s\S]*)\}/);
  const outside = clause.replace(/\{[\s\S]*\}/, "");
  const namespace = outside.match(/\*\s+as\s+([A-Za-z_$][\w$]*)/);
  if (namespace) names.push(namespace[1]);
  const def = outside.replace(/\*\s+as\s+[\w$]+/, "").match(/^\s*([A-Za-z_$][\w$]*)/);
  if (def) names.push(def[1]);
  for (const spec of braces?.[1].split(",") ?? []) {
    const s = spec.trim();
    if (s === "" || /^type\s/.test(s)) continue;
    const alias = s.match(/\bas\s+([A-Za-z_$][\w$]*)$/);
    const name = alias ? alias[1] : s.match(IDENT)?.[0];
    if (name) names.push(name);
  }
  return names;
}

/**
 * The value names a cell declares at its top level: `const`/`let`/`var` (with destructuring),
 * functions, classes, enums and imports. Top-level statements are told apart by starting at
 * column 0, as `deno fmt` writes notebook cells; names inside blocks are not counted.
 */
export function topLevelNames(source: string): string[] {
  const names: string[] = [];
  const lines = source.split("\n");
  let offset = 0;
  for (const line of lines) {
    const at = offset;
    offset += line.length + 1;
    const text = line.replace(/^export\s+(default\s+)?/, "");
    let m;
    if ((m = text.match(/^(?:const|let|var|using)\s+/))) {
      const skipped = line.length - text.length + m[0].length;
      names.push(...declaratorNames(source.slice(at + skipped)));
    } else if ((m = text.match(/^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/))) {
      names.push(m[1]);
    } else if ((m = text.match(/^(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/))) {
      names.push(m[1]);
    } else if ((m = text.match(/^(?:const\s+)?enum\s+([A-Za-z_$][\w$]*)/))) {
      names.push(m[1]);
    } else if (/^import\s/.test(line) && !/^import\s*\(/.test(line)) {
      const statement = source.slice(at).match(/^import\s+([\s\S]*?)\s+from\s+["']/);
      if (statement) names.push(...importNames(statement[1]));
    }
  }
  return [...new Set(names)];
}

/** The first cell that declares `name` at its top level, or `undefined`. */
export function definingCell(cells: SourceCell[], name: string): SourceCell | undefined {
  return cells.find((c) => topLevelNames(c.source).includes(name));
}

/** A cell as the hints name it: `cell 12 (\`const model = …\`)`. */
export function describeCell(cell: SourceCell, notebook?: string): string {
  return `cell ${cell.cell}${notebook ? ` of ${notebook}` : ""} (\`${cellPreview(cell.source)}\`)`;
}

/** The name in a ReferenceError's message: `x is not defined` → `x`; else `null`. */
export function missingName(message: string): string | null {
  return message.match(/^([A-Za-z_$][\w$]*) is not defined$/)?.[1] ?? null;
}

/** The words a hint ends with, also a mark that a message has one. */
export const RUN_ABOVE = "Cell › Run All Above";

/**
 * The name in a ReferenceError's message for a `let`/`const` read before its declaration ran:
 * `Cannot access 'x' before initialization` → `x`; else `null`. (Cells that share one module, as
 * on the notebook runner's fresh path, fail so; the kernel's cells say "is not defined".)
 */
export function uninitialisedName(message: string): string | null {
  return message.match(/^Cannot access '([A-Za-z_$][\w$]*)' before initialization$/)?.[1] ?? null;
}

/**
 * The message of a ReferenceError for a missing name, with the hint: which cell defines it
 * when known, and to run the cells above first.
 *
 * @param message The original message (`model is not defined`, or `Cannot access 'model'
 *   before initialization`).
 * @param found The defining cell and its notebook's file name (left out when the reader knows
 *   it); `null` when the notebook is unknown; without a cell when no cell of the known notebook
 *   declares the name.
 * @param usedIn The position of the cell that failed, when known: a defining cell below it is
 *   named as such, and a cell that defines the name itself gets no hint.
 * @returns The message with the hint, or the message as it was when it is not about a missing
 *   name or has a hint already.
 */
export function hintedMessage(
  message: string,
  found: { notebook?: string; cell?: SourceCell } | null,
  usedIn?: number,
): string {
  const name = missingName(message) ?? uninitialisedName(message);
  if (name === null) return message; // not about a missing name, or hinted already
  if (found === null) {
    return `${message}: if an earlier cell defines it, run the cells above first (${RUN_ABOVE})`;
  }
  const { notebook, cell } = found;
  if (cell === undefined) {
    return `${message}, and no cell${
      notebook ? ` of ${notebook}` : ""
    } declares it at its top level`;
  }
  if (usedIn !== undefined && cell.cell === usedIn) return message;
  if (usedIn !== undefined && cell.cell > usedIn) {
    return `${message}: ${describeCell(cell, notebook)} defines it, below the cell that uses it; ` +
      `move it up, or run it first`;
  }
  return `${message}: ${describeCell(cell, notebook)} defines it; ` +
    `run it first, or every cell above with ${RUN_ABOVE}`;
}

/** The code cells of an nbformat 4 notebook file, or `null` when it cannot be read. */
export function notebookCells(path: string): SourceCell[] | null {
  try {
    const nb = JSON.parse(Deno.readTextFileSync(path));
    if (!Array.isArray(nb?.cells)) return null;
    return (nb.cells as { cell_type?: string; source?: string | string[] }[]).flatMap((c, i) =>
      c.cell_type === "code"
        ? [{ cell: i + 1, source: Array.isArray(c.source) ? c.source.join("") : c.source ?? "" }]
        : []
    );
  } catch {
    return null;
  }
}

/** Where to look for the open notebook. */
export interface NotebookClues {
  /** The kernel's folder (front ends start a kernel in its notebook's folder). */
  dir: string;
  /** The code of cells run in this kernel, oldest first. */
  executed: readonly string[];
  /** The notebook's path if the front end says (`JPY_SESSION_NAME`), else `undefined`. */
  sessionName?: string;
}

/**
 * The notebook open in the kernel: the one the front end names, the only notebook of the
 * folder, or the one whose code cells match most of the cells run so far (a tie is unknown).
 *
 * @returns Its file name and code cells, or `null` when it cannot be told.
 */
export function openNotebook(
  clues: NotebookClues,
): { notebook: string; cells: SourceCell[] } | null {
  const { dir, executed, sessionName } = clues;
  const named = (path: string) => {
    const cells = notebookCells(path);
    return cells === null ? null : { notebook: path.split("/").at(-1)!, cells };
  };
  if (sessionName) {
    for (const path of [sessionName, `${dir}/${sessionName.split("/").at(-1)}`]) {
      const found = path.startsWith("/") ? named(path) : null;
      if (found) return found;
    }
  }
  let files: string[];
  try {
    files = [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name)
      .sort();
  } catch {
    return null;
  }
  if (files.length === 1) return named(`${dir}/${files[0]}`);
  const ran = new Set(executed.map((code) => code.trim()).filter((code) => code !== ""));
  if (ran.size === 0) return null;
  let best: { notebook: string; cells: SourceCell[] } | null = null;
  let bestScore = 0;
  let tie = false;
  for (const file of files) {
    const found = named(`${dir}/${file}`);
    if (found === null) continue;
    const score = found.cells.filter((c) => ran.has(c.source.trim())).length;
    if (score > bestScore) [best, bestScore, tie] = [found, score, false];
    else if (score === bestScore && score > 0) tie = true;
  }
  return tie ? null : best;
}

/** A V8 call site, as far as the hook reads it. */
export interface CallSiteLike {
  getFileName(): string | null | undefined;
  toString(): string;
}

/** `/a b/x.ts` → `file:///a%20b/x.ts`, as Deno writes stack frames. */
function fileUrl(path: string): string {
  const posix = path.replace(/\\/g, "/");
  const absolute = posix.startsWith("/") ? posix : `/${posix}`;
  return `file://${encodeURI(absolute).replace(/[?#]/g, encodeURIComponent)}`;
}

/**
 * A stack written as Deno writes it (`Name: message` then `    at …` lines) from the call sites
 * Deno hands to `Error.prepareStackTrace`, which name files by path instead of URL.
 */
export function denoStack(error: unknown, callsites: CallSiteLike[]): string {
  let head = "";
  if (error !== null && typeof error === "object") {
    const e = error as { name?: unknown; message?: unknown };
    const message = e.message === undefined ? "" : String(e.message);
    const name = e.name === undefined ? "Error" : String(e.name);
    head = message && name ? `${name}: ${message}` : message || name;
  }
  const frames = callsites.map((site) => {
    const text = String(site);
    const file = site.getFileName?.();
    const isPath = typeof file === "string" && /^(\/|[A-Za-z]:[\\/])/.test(file);
    return `\n    at ${isPath ? text.replace(file, fileUrl(file)) : text}`;
  });
  return head + frames.join("");
}

/** Whether the error is a missing name thrown by cell code (no file behind its first frame). */
export function thrownByCell(error: unknown, callsites: CallSiteLike[]): boolean {
  if (!(error instanceof ReferenceError) || callsites.length === 0) return false;
  const file = callsites[0].getFileName?.();
  return (file === "" || file === null || file === undefined) &&
    missingName(error.message) !== null;
}

const HINTS = Symbol.for("movielens.notebook.referenceHints");

type PrepareStackTrace = (error: Error, callsites: CallSiteLike[]) => unknown;

/**
 * Installs the hint for missing names in this runtime (`Error.prepareStackTrace`). A
 * `prepareStackTrace` set before is kept and called for the stack. Idempotent.
 *
 * @param clues Where the open notebook is, asked only when a cell throws.
 * @returns `"installed"` or `"already installed"`.
 */
export function installReferenceHints(
  clues: () => NotebookClues,
): "installed" | "already installed" {
  const ErrorCtor = Error as unknown as { prepareStackTrace?: PrepareStackTrace };
  const previous = ErrorCtor.prepareStackTrace as
    | (PrepareStackTrace & { [HINTS]?: true })
    | undefined;
  if (previous?.[HINTS]) return "already installed";
  const hook = function (this: unknown, error: Error, callsites: CallSiteLike[]) {
    if (thrownByCell(error, callsites)) {
      try {
        const name = missingName(error.message)!;
        const open = openNotebook(clues());
        error.message = hintedMessage(
          error.message,
          open === null ? null : { notebook: open.notebook, cell: definingCell(open.cells, name) },
        );
      } catch {
        // The plain message is still right.
      }
    }
    return typeof previous === "function"
      ? previous.call(this, error, callsites)
      : denoStack(error, callsites);
  };
  Object.defineProperty(hook, HINTS, { value: true });
  ErrorCtor.prepareStackTrace = hook;
  return "installed";
}
