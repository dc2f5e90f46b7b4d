// Files and child processes of a notebook run (private to tools/notebooks): reading an
// nbformat 4 notebook and its code cells, paths, the JSON-lines files a run leaves behind,
// the environment and output streams of the child process that runs the notebook, and the
// clean-up of runs on Ctrl-C and SIGTERM.

import type { Headline } from "../../lib/notebook/params.ts";
import type { SourceCell } from "../../lib/notebook/_cell_hints.ts";
import type { RunOptions } from "./run_types.ts";
import type { SignalCleanUpOptions } from "../_cleanup.ts";

/** The parts of an nbformat 4 notebook the runner reads. */
export interface NotebookJson {
  nbformat?: number;
  nbformat_minor?: number;
  metadata?: Record<string, unknown> & { kernelspec?: { name?: string } };
  cells?: {
    id?: unknown;
    cell_type?: string;
    source?: string | string[];
    execution_count?: number | null;
    metadata?: Record<string, unknown>;
    outputs?: { output_type?: string; ename?: string; evalue?: string }[];
  }[];
}

/** URL of the module the fresh path's generated code imports its host from. */
export const HOST_MODULE: string = new URL("./_host.ts", import.meta.url).href;

/** A cell's source as one string. */
export function sourceOf(cell: { source?: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source ?? "";
}

/**
 * A notebook that cannot be read or is not an nbformat 4 notebook; `problem` says what is
 * wrong in a few words, without the path ("no such file", "not JSON (…)").
 */
export class NotebookFileError extends TypeError {
  /** What is wrong with the file, e.g. `"no such file"`. */
  readonly problem: string;
  /** @param message The full message. @param problem The short form. */
  constructor(message: string, problem: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
  }
}

/** Reads and checks a notebook; a missing file or another format is a NotebookFileError. */
export async function readNotebook(path: string): Promise<NotebookJson> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new NotebookFileError(
        `expected a notebook at ${path}, found no such file`,
        "no such file",
      );
    }
    const reason = (error as Error).message;
    throw new NotebookFileError(`cannot read the notebook ${path}: ${reason}`, reason, {
      cause: error,
    });
  }
  let json: NotebookJson;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, " ");
    throw new NotebookFileError(
      `expected ${path} to be notebook JSON, found: ${reason}`,
      `not JSON (${reason})`,
    );
  }
  if (json?.nbformat !== 4 || !Array.isArray(json.cells)) {
    const found = `nbformat ${json?.nbformat} and cells of type ${
      Array.isArray(json?.cells) ? "array" : typeof json?.cells
    }`;
    throw new NotebookFileError(
      `expected ${path} to be an nbformat 4 notebook with a cells array, found ${found}`,
      `not an nbformat 4 notebook with a cells array (found ${found})`,
    );
  }
  return json;
}

/**
 * The code cells with their 1-based position among all cells, markdown included (the numbers
 * messages print; tools/browser's `indexedCodeCells()` gives 0-based indexes instead).
 */
export function codeCells(nb: NotebookJson): SourceCell[] {
  return nb.cells!.flatMap((c, i) =>
    c.cell_type === "code" ? [{ cell: i + 1, source: sourceOf(c) }] : []
  );
}

/** `path` made absolute against the current directory. */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/** The folder of a notebook and its name without `.ipynb`. */
export function splitPath(path: string): { dir: string; stem: string } {
  const abs = absolute(path);
  const slash = abs.lastIndexOf("/");
  return { dir: abs.slice(0, slash) || "/", stem: abs.slice(slash + 1).replace(/\.ipynb$/, "") };
}

/** The non-blank lines of a file; none when it cannot be read. */
export function readLines(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

/** The headline figures a run wrote as JSON lines. */
export function readHeadlines(path: string): Headline[] {
  return readLines(path).map((l) => JSON.parse(l) as Headline);
}

/** Collects a child's output stream as text, echoing it as it comes when asked. */
export async function pump(
  stream: ReadableStream<Uint8Array>,
  sink: string[],
  echo: { writeSync(p: Uint8Array): number } | undefined,
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    if (echo) echo.writeSync(chunk);
    sink.push(decoder.decode(chunk, { stream: true }));
  }
}

/** Variables holding paths: made absolute, since notebooks run in their own folder. */
const PATH_VARIABLES = ["MOVIELENS_DIR", "MOVIELENS_CACHE"];

/**
 * The notebook's whole environment, for a child started with `clearEnv`: this process's
 * environment with the overrides applied (`undefined` removes a variable), then the runner's
 * own: where to write headline figures, and quick mode. Quick mode is `options.quick` alone:
 * an `NB_QUICK` from this process or the overrides is not passed on, so `{ quick: false }` is a
 * full run whatever the shell exported (the CLI has already read an exported `NB_QUICK` as
 * `--quick`).
 */
export function notebookEnv(options: RunOptions, headlines: string): Record<string, string> {
  const env = Deno.env.toObject();
  env.NO_COLOR = "1";
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  env.NB_HEADLINES = headlines;
  delete env.NB_QUICK;
  if (options.quick) env.NB_QUICK = "1";
  for (const name of PATH_VARIABLES) {
    if (env[name]) env[name] = absolute(env[name]);
  }
  return env;
}

/**
 * The notebook runner's options for tools/_cleanup.ts's `withCleanUpOnSignals()`, which every
 * run (fresh, kernel, the CLI's whole batch) goes through: while a run is under way, Ctrl-C
 * (SIGINT) or SIGTERM runs its clean-up (stop its child, remove its files; those of the other
 * runs under way too, the latest first), says this, then ends the process with status 130 or
 * 143. Outside any run the signals keep their default action (the tests call the runner in
 * their own process).
 */
export const RUN_CLEANUP: SignalCleanUpOptions = {
  what: "stopping the notebook runs and removing their files…",
};
