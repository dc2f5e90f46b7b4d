/**
 * How `deno task evaluate` loads its data: the duplicate policies it offers, the options it
 * passes to `loadMovieLens()` (shared by the rating and the ranking task), and the look at a
 * `--data` path that refuses one it cannot load before anything runs.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import {
  type DuplicatePolicy,
  type LoadOptions,
  PREDEFINED_SPLIT_NAMES,
} from "../../lib/data/mod.ts";
// The layouts' file names, as the loader detects them (read only: one definition).
import { LAYOUT_FILES } from "../../lib/data/_source.ts";

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

const KEY_FILES: readonly string[] = [
  ...LAYOUT_FILES.latest.required,
  ...LAYOUT_FILES["100k"].required,
];

/** The two layouts' files that identify a data folder: the first pair of each is required. */
const LAYOUTS = [
  { name: "ml-latest-small", required: LAYOUT_FILES.latest.required },
  { name: "ml-100k", required: LAYOUT_FILES["100k"].required },
] as const;

/** The names of the regular files in `dir` (links followed) and of its subfolders. */
function folderEntries(dir: string): { files: Set<string>; folders: string[] } {
  const files = new Set<string>();
  const folders: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    let { isFile, isDirectory } = entry;
    if (entry.isSymlink) {
      const info = (() => {
        try {
          return Deno.statSync(join(dir, entry.name));
        } catch {
          return null; // a dangling link is no file
        }
      })();
      isFile = info?.isFile ?? false;
      isDirectory = info?.isDirectory ?? false;
    }
    if (isFile) files.add(entry.name);
    else if (isDirectory) folders.push(entry.name);
  }
  return { files, folders: folders.sort() };
}

/**
 * What is wrong with a `--data` path for the run the command line asks for, found before
 * anything loads, or null when nothing is (as far as a look at its files tells: what they hold
 * is the loader's to judge, and so is a .zip's content). Refused: a file that is not a .zip
 * (`ratings.csv` itself: its folder is what `--data` takes), a folder without the files of
 * either layout (ratings.csv and movies.csv, or u.data and u.item; a subfolder that has them is
 * named), a folder with only one of a layout's pair or with both layouts' files, and, for
 * ml-100k's published folds (`--split u1`), a folder without that fold's `.base` and `.test`.
 *
 * @param path The `--data` path (it exists).
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
  const full = resolve(path);
  const expected = "--data: expected a folder or a .zip in the ml-latest-small layout " +
    "(ratings.csv and movies.csv) or the ml-100k layout (u.data and u.item), found ";
  const info = Deno.statSync(full);
  if (!info.isDirectory) {
    if (full.toLowerCase().endsWith(".zip")) return null;
    const holder = KEY_FILES.includes(basename(full))
      ? `; to read the data set it belongs to, name its folder: --data ${dirname(full)}`
      : "";
    return `${expected}the file ${full}, which is not a .zip${holder}`;
  }
  const { files, folders } = folderEntries(full);
  const present = LAYOUTS.filter((l) => l.required.some((f) => files.has(f)));
  if (present.length === 0) {
    const inside = folders.filter((sub) =>
      KEY_FILES.some((f) => {
        try {
          return Deno.statSync(join(full, sub, f)).isFile;
        } catch {
          return false;
        }
      })
    );
    const hint = inside.length === 0
      ? ""
      : `; ${inside.length === 1 ? "its subfolder" : "its subfolders"} ${inside.join(", ")} ${
        inside.length === 1 ? "has" : "have"
      } them: name ${inside.length === 1 ? "it" : "one"} (--data ${join(full, inside[0])})`;
    return `${expected}the folder ${full}, which holds ${
      files.size === 0 && folders.length === 0 ? "nothing" : "none of those files"
    }${hint}`;
  }
  if (present.length > 1) {
    return `${expected}the folder ${full}, which mixes both layouts (it has ${
      KEY_FILES.filter((f) => files.has(f)).join(", ")
    })`;
  }
  const [layout] = present;
  const missing = layout.required.filter((f) => !files.has(f));
  if (missing.length > 0) {
    return `${expected}the folder ${full}, which has ${
      layout.required.filter((f) => files.has(f)).join(" and ")
    } but no ${missing.join(" or ")} (an ${layout.name} folder needs ${
      layout.required.join(" and ")
    })`;
  }
  if (split !== undefined && (PREDEFINED_SPLIT_NAMES as readonly string[]).includes(split)) {
    const fold = [`${split}.base`, `${split}.test`];
    const has = fold.filter((f) => files.has(f));
    if (has.length < 2) {
      const found = layout.name === "ml-latest-small"
        ? "a folder in the ml-latest-small layout, which has no published fold"
        : has.length === 0
        ? "neither file"
        : `${has[0]} without ${fold.find((f) => !files.has(f))}`;
      return `--split ${split}: expected ml-100k's published fold (${fold.join(" and ")}) ` +
        `in --data ${full}, found ${found}; choose a split of its own (random80, …)`;
    }
  }
  return null;
}
