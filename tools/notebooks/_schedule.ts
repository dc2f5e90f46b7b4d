/**
 * The order in which `deno task notebooks` starts the notebooks when several run at a time:
 * longest first, from the seconds each took the last time it ran the same way on this machine
 * (kept in `.cache/notebook-seconds.json`, outside git, or in the file `NB_SCHEDULE_FILE`
 * names). Starting the long ones first keeps a short notebook from being the one that holds
 * the last core alone at the end (the classic longest-processing-time rule). A notebook without
 * a record starts first, in name order, as if it were the longest; with no record at all the
 * order is the name order.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { withLock } from "../../lib/_lock.ts";
import { writeFileAtomic } from "../_write.ts";

/** Seconds per run key (see {@linkcode runKey}). */
export type Durations = Record<string, number>;

/** Where the records live: the repository's git-ignored `.cache/` folder. */
export const DURATIONS_FILE: URL = new URL("../../.cache/notebook-seconds.json", import.meta.url);

/**
 * The records file in use: the one `NB_SCHEDULE_FILE` names (a path, relative to the working
 * folder), else {@linkcode DURATIONS_FILE}. The runner's tests point it at a temporary file, so
 * that their fixture runs stay out of this machine's records.
 *
 * @param named The path named, by default `$NB_SCHEDULE_FILE`.
 * @returns The file's URL.
 * @example
 * ```ts
 * import { durationsFile } from "./_schedule.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(durationsFile("/tmp/seconds.json").href, "file:///tmp/seconds.json");
 * ```
 */
export function durationsFile(named = Deno.env.get("NB_SCHEDULE_FILE")): URL {
  return named ? pathToFileURL(resolve(named)) : DURATIONS_FILE;
}

/**
 * The key of a notebook's record: its file name and how it ran, since a quick run, a full one
 * and a kernel run take different times.
 *
 * @param notebook The notebook's path.
 * @param how What changes the time: `"fresh"` or `"kernel"`, and whether the run was quick.
 * @returns For example `"01_matrix_factorization.ipynb fresh"`.
 * @example
 * ```ts
 * import { runKey } from "./_schedule.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(runKey("notebooks/02_x.ipynb", { mode: "kernel", quick: true }), "02_x.ipynb kernel quick");
 * ```
 */
export function runKey(notebook: string, how: { mode: string; quick: boolean }): string {
  return `${notebook.split("/").at(-1)} ${how.mode}${how.quick ? " quick" : ""}`;
}

/**
 * The indices of `keys` in the order to start them: unknown keys first (in their given order),
 * then known ones from the longest to the shortest (ties in their given order).
 *
 * @param keys One run key per notebook, in name order.
 * @param known Seconds of earlier runs.
 * @returns A permutation of `0 … keys.length - 1`.
 * @example
 * ```ts
 * import { startOrder } from "./_schedule.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(startOrder(["a", "b", "c", "d"], { a: 120, b: 30, d: 80 }), [2, 0, 3, 1]);
 * ```
 */
export function startOrder(keys: string[], known: Durations): number[] {
  const seconds = (i: number) => {
    const s = known[keys[i]];
    return typeof s === "number" && Number.isFinite(s) && s >= 0 ? s : Infinity;
  };
  return keys.map((_, i) => i).sort((a, b) => seconds(b) - seconds(a) || a - b);
}

/**
 * Reads the records; a missing, unreadable or malformed file counts as no record (the order
 * is then the name order), and entries that are not a finite number of seconds are dropped.
 *
 * @param file The records file, by default {@linkcode durationsFile}'s.
 * @returns The records.
 * @example
 * ```ts
 * import { readDurations } from "./_schedule.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(await readDurations(new URL("file:///nonexistent/seconds.json")), {});
 * ```
 */
export async function readDurations(file: URL = durationsFile()): Promise<Durations> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(file));
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  return Object.fromEntries(
    Object.entries(parsed).filter(([, s]) => typeof s === "number" && Number.isFinite(s) && s >= 0),
  );
}

/**
 * Adds this run's seconds to the records, written whole to a temporary file first and then
 * renamed over the old one, so that a run stopped half-way never leaves a truncated file; the
 * records are read, merged and written under a lock (the records file's name with `.lock`
 * added), so that two runs that end at once keep both their seconds. Failing to write (a
 * read-only checkout) is not an error: the order just stays as it was.
 *
 * @param runs Run key → seconds of the notebooks that ran to the end.
 * @param file The records file, by default {@linkcode durationsFile}'s.
 * @example
 * ```ts
 * import { readDurations, writeDurations } from "./_schedule.ts";
 * import { assertEquals } from "@std/assert";
 * const dir = await Deno.makeTempDir();
 * const file = new URL(`file://${dir}/sub/seconds.json`);
 * await writeDurations({ "a.ipynb fresh": 12.5 }, file);
 * await writeDurations({ "b.ipynb fresh": 3 }, file);
 * assertEquals(await readDurations(file), { "a.ipynb fresh": 12.5, "b.ipynb fresh": 3 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeDurations(runs: Durations, file: URL = durationsFile()): Promise<void> {
  if (Object.keys(runs).length === 0) return;
  const path = fileURLToPath(file);
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await withLock(`${path}.lock`, async () => {
      const merged = { ...await readDurations(file), ...runs };
      await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
    }, { holder: "another notebook run recording its seconds" });
  } catch {
    // not writable: the order stays as it was
  }
}
