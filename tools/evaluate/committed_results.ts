/**
 * The committed results, `results/evaluation.md` and `results/evaluation.json`: each task of
 * `deno task evaluate` rewrites its own part of them and keeps the other's, so a run reads them,
 * merges its part in and writes them back. Two runs that end at once (the rating task and the
 * ranking task started side by side) would each keep the part the other had before, and the
 * second to write would undo the first; so the read, the merge and the write happen under a lock,
 * `results/.evaluation.lock` ({@linkcode withLock}), and the second run waits for the first and
 * reads what it wrote.
 *
 * @module
 */

import { join } from "node:path";
import { withLock } from "../../lib/_lock.ts";
import { writeFilesAtomic } from "../_write.ts";
import { withCleanUpOnSignals } from "../_cleanup.ts";

/** Where the committed table lives, relative to the repository root. */
export const RESULTS = { md: "results/evaluation.md", json: "results/evaluation.json" } as const;

/** The lock two runs take in turn to rewrite {@linkcode RESULTS}. */
export const RESULTS_LOCK = "results/.evaluation.lock";

/** The texts of the committed files. */
export interface ResultTexts {
  /** `evaluation.md` ("" when missing). */
  md: string;
  /** `evaluation.json` ("" when missing). */
  json: string;
}

/** How the committed results change: their new texts from the current ones. */
export type ResultsUpdate = (current: ResultTexts) => ResultTexts | Promise<ResultTexts>;

/** Options of {@linkcode writeResults}. */
export interface WriteResultsOptions {
  /**
   * The folder {@linkcode RESULTS} are relative to.
   *
   * @default {the working folder}
   */
  root?: string;
  /**
   * Called once when another run holds the lock, with its process id (null when unknown).
   *
   * @default {a line on stderr naming the lock file and the process}
   */
  onWait?: (pid: number | null) => void;
  /**
   * How a temporary file takes its file's place (see `writeFilesAtomic()`): for tests of a
   * write that fails or is interrupted half-way.
   *
   * @default {Deno.rename}
   */
  rename?: (from: string, to: string) => Promise<void>;
}

/**
 * Writes a run's files in one step (`writeFilesAtomic()`): `files`, and, when `update` is
 * given, the committed results it makes of the current ones. Those are read, updated and
 * written under {@linkcode RESULTS_LOCK}, so that a run beside this one neither loses its part
 * nor gets a report from one run and a JSON from the other; a run that finds the lock held says
 * which process holds it and waits. An update that throws writes nothing. Ctrl-C (SIGINT) or
 * SIGTERM during the write leaves every file as it was, removes the temporary files and the
 * lock, and exits with status 130 or 143 (see `writeFilesAtomic()`).
 *
 * @param update The change to the committed results, or null to write `files` alone.
 * @param files Other files of the run: a path, its content and, optionally, the option that
 *   named it (`"--md"`, to begin the message of an error writing it).
 * @param options The folder of the results, what to do when the lock is held, how a file is
 *   renamed into place.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeResults } from "./committed_results.ts";
 * const root = await Deno.makeTempDir();
 * const add = (line: string) => ({ md, json }: { md: string; json: string }) =>
 *   ({ md: md + line, json: JSON.stringify([...JSON.parse(json || "[]"), line]) });
 * await writeResults(add("rating\n"), [], { root });
 * await writeResults(add("ranking\n"), [], { root });
 * assertEquals(await Deno.readTextFile(`${root}/results/evaluation.md`), "rating\nranking\n");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeResults(
  update: ResultsUpdate | null,
  files: readonly (readonly [path: string, text: string, label?: string])[],
  options: WriteResultsOptions = {},
): Promise<void> {
  if (update === null) {
    if (files.length > 0) await writeFilesAtomic(files, options.rename);
    return;
  }
  const root = options.root ?? Deno.cwd();
  const md = join(root, RESULTS.md), json = join(root, RESULTS.json);
  const lock = join(root, RESULTS_LOCK);
  await Deno.mkdir(join(lock, ".."), { recursive: true });
  await withLock(lock, async () => {
    // Stopped while it holds the lock, the run removes it on its way out (after the write's
    // own clean-up, registered later, has undone the write), as it does when it ends.
    const removeLock = () => Deno.remove(lock).catch(() => {});
    await withCleanUpOnSignals(removeLock, async () => {
      const read = (path: string) => Deno.readTextFile(path).catch(() => "");
      const next = await update({ md: await read(md), json: await read(json) });
      await writeFilesAtomic(
        [[md, next.md, "results"], [json, next.json, "results"], ...files],
        options.rename,
      );
    }, { what: "undoing the write under way and removing its temporary files…" });
  }, {
    holder: "another deno task evaluate writing its part of the results",
    onWait: options.onWait,
  });
}
