/**
 * How `deno task evaluate` loads its data: the duplicate policies it offers, the options it
 * passes to `loadMovieLens()` (shared by the rating and the ranking task), the look at a
 * `--data` path that refuses one it cannot load before anything runs, and how the report
 * names where the data came from.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { isAbsolute, relative, resolve, sep } from "node:path";
import {
  type DuplicatePolicy,
  type LoadOptions,
  type Origin,
  PREDEFINED_SPLIT_NAMES,
} from "../../lib/data/mod.ts";
// The loader's own look at a data path, so that both refuse a path in the same words.
import { probeDataPath } from "../../lib/data/_source.ts";

/** What an evaluation does with repeated (userId, movieId) pairs: see `loadMovieLens()`. */
export type EvaluationDuplicates = Exclude<DuplicatePolicy, "keep">;

/**
 * The loader's options for an evaluation run: its duplicate policy and warning hook, each only
 * when given (so that the loader's own defaults apply otherwise).
 *
 * @param options The run's options.
 * @returns Options for `loadMovieLens()`.
 * @example
 * ```ts
 * import { evaluationLoadOptions } from "./_loading.ts";
 * console.log(evaluationLoadOptions({ duplicates: "error" })); // { duplicates: "error" }
 * console.log(evaluationLoadOptions({})); // {}
 * ```
 */
export function evaluationLoadOptions(
  options: { duplicates?: EvaluationDuplicates; onWarning?: (message: string) => void },
): LoadOptions {
  const out: LoadOptions = {};
  if (options.duplicates !== undefined) out.duplicates = options.duplicates;
  if (options.onWarning !== undefined) out.onWarning = options.onWarning;
  return out;
}

/**
 * What is wrong with a `--data` path for the run the command line asks for, found before
 * anything loads, or null when nothing is (as far as a look at its files tells: what they hold
 * is the loader's to judge, and so is a .zip's content). The path's problems are the loader's
 * own (`probeDataPath()`: a file that is not a .zip, a folder without either layout's files, a
 * folder with both layouts' files or with one file of a layout's pair), in its words after
 * `--data: `, with `--data` before a path to pass instead; added here: for ml-100k's published
 * folds (`--split u1`), a folder without that fold's `.base` and `.test`.
 *
 * @param path The `--data` path.
 * @param split The `--split` asked for, if any.
 * @returns One line for the command line's refusal (starting with the flag), or null.
 * @example
 * ```ts
 * import { dataPathProblem } from "./_loading.ts";
 * const tiny = new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname;
 * console.log(dataPathProblem(tiny, "random80")); // null
 * console.log(dataPathProblem(`${tiny}/ratings.csv`, undefined)?.startsWith("--data: ")); // true
 * console.log(dataPathProblem(tiny, "u1")?.startsWith("--split u1: ")); // true
 * ```
 */
export function dataPathProblem(path: string, split: string | undefined): string | null {
  const probe = probeDataPath(path, { flag: "--data" });
  if (probe.kind === "problem") return `--data: ${probe.problem.message}`;
  if (probe.kind === "zip") return null;
  if (split !== undefined && (PREDEFINED_SPLIT_NAMES as readonly string[]).includes(split)) {
    const fold = [`${split}.base`, `${split}.test`];
    const has = fold.filter((f) => probe.names.has(f));
    if (has.length < 2) {
      const found = probe.layout === "latest"
        ? "a folder in the ml-latest-small layout, which has no published fold"
        : has.length === 0
        ? "neither file"
        : `${has[0]} without ${fold.find((f) => !probe.names.has(f))}`;
      return `--split ${split}: expected ml-100k's published fold (${fold.join(" and ")}) ` +
        `in --data ${probe.path}, found ${found}; choose a split of its own (random80, …)`;
    }
  }
  return null;
}

/** The project folder (the one holding `deno.json`, `data/` and `results/`). */
const PROJECT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Where a data set was read from, as the report writes it: relative to the project for a path
 * inside it (`data/ml-latest-small.zip`), and for the `MOVIELENS_DIR` mirror beside it
 * (`../shared/movielens/ml-100k`, where the README and CI put it); absolute for any other
 * path (`--data /home/me/ml` gives `/home/me/ml`, not `../../home/me/ml`; the cache too). A
 * zip entry's label (`x.zip:folder/file`) is written as its zip is.
 *
 * @param path An absolute path, or a zip entry's label that starts with one.
 * @param origin How the loader found the data (`MovieLens.origin`).
 * @param project The project folder.
 * @returns The path for the report.
 * @example
 * ```ts
 * import { dataSourceLabel } from "./_loading.ts";
 * console.log(dataSourceLabel("/work/repo/data/x.zip", "path", "/work/repo")); // "data/x.zip"
 * console.log(dataSourceLabel("/home/me/ml", "path", "/work/repo")); // "/home/me/ml"
 * console.log(dataSourceLabel("/work/shared/ml-100k", "MOVIELENS_DIR", "/work/repo"));
 * // "../shared/ml-100k"
 * ```
 */
export function dataSourceLabel(path: string, origin: Origin, project: string = PROJECT): string {
  const full = resolve(path);
  const rel = relative(resolve(project), full);
  if (rel === "") return ".";
  if (isAbsolute(rel)) return full; // another drive
  // How many folders up it starts: 0 inside, 1 beside; -1 for a folder the project is in.
  const up = rel.split(sep).findIndex((part) => part !== "..");
  return up === 0 || (up === 1 && origin === "MOVIELENS_DIR") ? rel : full;
}
