/**
 * A data folder seen through one interface whether it is a directory on disk or a folder
 * inside a zip, plus layout detection by the files present.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { readZipDirectory, readZipEntry, type ZipEntry } from "./_zip.ts";
import { exists } from "../_atomic_write.ts";

export { exists };

/** The two MovieLens file layouts. */
export type Layout = "latest" | "100k";

/** Files of one data folder. */
export interface DataFiles {
  /** Whether the files live in a directory or inside a zip. */
  kind: "dir" | "zip";
  /** Absolute path of the directory or the zip. */
  path: string;
  /** Base names of the files in the data folder. */
  names: Set<string>;
  /** Reads one file by base name. */
  read(name: string): Promise<Uint8Array>;
  /** A path-like label of one file, for messages (`/a/ml-100k/u.data`, `/a/x.zip:ml-100k/u.data`). */
  label(name: string): string;
}

/** Files that identify each layout; the first two of each are required. */
const LAYOUT_FILES: Record<Layout, { required: string[]; optional: string[] }> = {
  latest: { required: ["ratings.csv", "movies.csv"], optional: ["tags.csv", "links.csv"] },
  "100k": {
    required: ["u.data", "u.item"],
    optional: ["u.user", "u.genre", "u.occupation"],
  },
};

const KEY_FILES = [...LAYOUT_FILES.latest.required, ...LAYOUT_FILES["100k"].required];

/** The "::"-separated files of ml-1m (with users.dat) and ml-10m (with tags.dat). */
const DAT_FILES = ["ratings.dat", "movies.dat", "users.dat", "tags.dat"];

/** At most `max` names joined with commas, then how many more. */
function someNames(names: string[], max = 6): string {
  const more = names.length - max;
  return names.slice(0, max).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

/** The release each layout is named after in messages. */
const LAYOUT_NAMES: Record<Layout, string> = { latest: "ml-latest-small", "100k": "ml-100k" };

/** What a path must be, as every refusal of a data path says it. */
const EXPECTED_LAYOUTS = "the ml-latest-small layout (ratings.csv and movies.csv) or the " +
  "ml-100k layout (u.data and u.item)";

/**
 * The message for a folder or zip without the key files of either layout: it names what was
 * found, and the ml-1m / ml-10m layout (ratings.dat, movies.dat) as not supported.
 * @param where The folder or zip.
 * @param files The files found (base names in a folder, entry paths in a zip).
 */
function noMovieLensFiles(where: string, files: Iterable<string>): string {
  const all = [...files].sort();
  const base = (f: string) => f.slice(f.lastIndexOf("/") + 1);
  const dat = all.filter((f) => DAT_FILES.includes(base(f)));
  const expected = `expected ${EXPECTED_LAYOUTS}`;
  if (dat.some((f) => base(f) === "ratings.dat" || base(f) === "movies.dat")) {
    const has = (name: string) => dat.some((f) => base(f) === name);
    const release = has("users.dat") ? "ml-1m" : has("tags.dat") ? "ml-10m" : "ml-1m / ml-10m";
    return `${where} holds ${someNames(dat)}: the ${release} layout ("::"-separated .dat ` +
      `files), which is not supported; ${expected}. To use it, convert ratings.dat and ` +
      "movies.dat to ratings.csv and movies.csv with ml-latest-small's header lines";
  }
  const found = all.length === 0 ? "it holds no files" : `found ${someNames(all)}`;
  return `${where} holds no MovieLens files (${expected}; ${found})`;
}

/** The error class each kind of data path problem is thrown as. */
const PROBLEM_ERRORS = {
  missing: Deno.errors.NotFound,
  "not-zip": TypeError,
  "no-files": Deno.errors.NotFound,
  mixed: RangeError,
  "half-pair": Deno.errors.NotFound,
} as const;

/** What keeps a data path from being read as MovieLens data, in the one message for it. */
export interface DataPathProblem {
  /**
   * What is wrong: the path does not exist, is a file but not a .zip, holds neither layout's
   * files, holds both layouts' files, or holds one file of a layout's required pair.
   */
  reason: keyof typeof PROBLEM_ERRORS;
  /** The message, naming the path, what it holds and what to pass instead when that is known. */
  message: string;
}

/** The error the loader throws for a problem (its class follows the problem's reason). */
export function problemError(problem: DataPathProblem): Error {
  return new PROBLEM_ERRORS[problem.reason](problem.message);
}

/**
 * The layout that a data folder's file names show, or the one problem with them.
 * @param names The base names of the folder's files.
 * @param where The folder (or `zip:folder/`) as messages name it.
 */
function layoutOf(names: ReadonlySet<string>, where: string): Layout | DataPathProblem {
  const present = KEY_FILES.filter((f) => names.has(f));
  if (present.length === 0) return { reason: "no-files", message: noMovieLensFiles(where, names) };
  const isLatest = LAYOUT_FILES.latest.required.some((f) => names.has(f));
  const is100k = LAYOUT_FILES["100k"].required.some((f) => names.has(f));
  if (isLatest && is100k) {
    return {
      reason: "mixed",
      message: `${where} mixes both layouts (it has ${present.join(", ")}); expected ` +
        "ratings.csv + movies.csv or u.data + u.item",
    };
  }
  const layout: Layout = isLatest ? "latest" : "100k";
  const need = LAYOUT_FILES[layout].required;
  const missing = need.find((f) => !names.has(f));
  if (missing === undefined) return layout;
  return {
    reason: "half-pair",
    message: `${missing} is missing in ${where}: an ${LAYOUT_NAMES[layout]} folder needs ` +
      need.join(" and "),
  };
}

/**
 * Checks that a folder named by a setting exists and is a folder.
 * @param path The folder.
 * @param setting What names it, e.g. `"MOVIELENS_DIR"` or `"options.dir"`.
 * @throws {Deno.errors.NotFound} When it does not exist.
 * @throws {Deno.errors.NotADirectory} When it is a file.
 */
export async function checkFolder(path: string, setting: string): Promise<void> {
  const full = resolve(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(full);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
    throw new Deno.errors.NotFound(
      `${setting} names ${full}, which does not exist; expected a folder holding ml-100k/ or ` +
        `ml-100k.zip (or ml-latest-small/): fix or unset ${setting}`,
    );
  }
  if (!info.isDirectory) {
    throw new Deno.errors.NotADirectory(
      `${setting} names ${full}, which is a file, not a folder; expected a folder holding ` +
        `ml-100k/ or ml-100k.zip (or ml-latest-small/): fix or unset ${setting}`,
    );
  }
}

/** The names of the files in `dir` and of its subfolders (sorted), symbolic links followed. */
function listFolder(dir: string): { files: Set<string>; folders: string[] } {
  const files = new Set<string>();
  const folders: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    let { isFile, isDirectory } = entry;
    if (entry.isSymlink) {
      try {
        ({ isFile, isDirectory } = Deno.statSync(join(dir, entry.name)));
      } catch {
        isFile = isDirectory = false; // a dangling link (or a loop) is no file
      }
    }
    if (isFile) files.add(entry.name);
    else if (isDirectory) folders.push(entry.name);
  }
  return { files, folders: folders.sort() };
}

/**
 * For a folder without MovieLens files, the subfolders that have some (the path to pass
 * instead), else those in the unsupported ml-1m / ml-10m layout; "" when there are none.
 */
function subfolderHint(dir: string, folders: string[], pass: (path: string) => string): string {
  const hasFile = (sub: string, name: string) => {
    try {
      return Deno.statSync(join(dir, sub, name)).isFile;
    } catch {
      return false;
    }
  };
  const subs = (list: string[]) =>
    list.length === 1 ? `its subfolder ${list[0]}` : `its subfolders ${list.join(", ")}`;
  const data = folders.filter((sub) => KEY_FILES.some((f) => hasFile(sub, f)));
  if (data.length > 0) {
    return `; ${subs(data)} ${data.length === 1 ? "has them: name it" : "have them: name one"} ` +
      `(${pass(join(dir, data[0]))})`;
  }
  const dat = folders.filter((sub) => hasFile(sub, "ratings.dat"));
  if (dat.length === 0) return "";
  return `; ${subs(dat)} ${dat.length === 1 ? "holds" : "hold"} ratings.dat, in the ml-1m / ` +
    "ml-10m layout, which is not supported";
}

/** What {@linkcode probeDataPath} finds at a path. */
export type DataPathProbe =
  /** A folder in one layout, with the base names of its files. */
  | { kind: "dir"; path: string; layout: Layout; names: Set<string> }
  /** A .zip file: what it holds is judged when it is read. */
  | { kind: "zip"; path: string }
  /** Something the loader would refuse. */
  | { kind: "problem"; path: string; problem: DataPathProblem };

/** Options of {@linkcode probeDataPath}. */
export interface ProbeOptions {
  /**
   * The command-line flag that takes the path (`"--data"`): a message that names a path to
   * pass instead writes the flag before it (`--data /a/ml-100k`).
   * @default undefined (the path alone)
   */
  flag?: string;
}

/**
 * Looks at a data path once, synchronously: a folder's files and subfolders are listed
 * (symbolic links followed) and judged by name; a .zip is left to be read. The loader and
 * the evaluation's command line both refuse a path by the problem found here, so each problem
 * has one message: a missing path, a file that is not a .zip (naming its folder when it is a
 * data file), a folder without either layout's files (naming what it holds, the ml-1m /
 * ml-10m layout as not supported, and a subfolder to pass instead), a folder with both
 * layouts' files, or with only one file of a layout's required pair.
 *
 * @param path A folder or a .zip.
 * @param options How a path to pass instead is written.
 * @returns The layout and file names found, a zip to read, or the one problem.
 * @example
 * ```ts
 * import { probeDataPath } from "./_source.ts";
 * const tiny = new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname;
 * const probe = probeDataPath(tiny);
 * console.log(probe.kind === "dir" && probe.layout); // "latest"
 * const file = probeDataPath(`${tiny}/ratings.csv`, { flag: "--data" });
 * console.log(file.kind === "problem" && file.problem.message.endsWith(`--data ${tiny}`)); // true
 * ```
 */
export function probeDataPath(path: string, options: ProbeOptions = {}): DataPathProbe {
  const full = resolve(path);
  const { flag } = options;
  const pass = (p: string) => flag === undefined ? p : `${flag} ${p}`;
  const problem = (reason: DataPathProblem["reason"], message: string): DataPathProbe => ({
    kind: "problem",
    path: full,
    problem: { reason, message },
  });
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(full);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
    return problem(
      "missing",
      `MovieLens data not found at ${full} (expected a folder or a .zip in the ml-latest-small ` +
        "or ml-100k layout)",
    );
  }
  if (!info.isDirectory) {
    if (full.toLowerCase().endsWith(".zip")) return { kind: "zip", path: full };
    const holder = KEY_FILES.includes(basename(full))
      ? `; to read the data set it belongs to, name its folder: ${pass(dirname(full))}`
      : "";
    return problem(
      "not-zip",
      `expected a folder or a .zip in ${EXPECTED_LAYOUTS}, found the file ${full}, which is ` +
        `not a .zip${holder}`,
    );
  }
  const { files, folders } = listFolder(full);
  const layout = layoutOf(files, full);
  if (typeof layout === "string") return { kind: "dir", path: full, layout, names: files };
  if (layout.reason === "no-files") layout.message += subfolderHint(full, folders, pass);
  return { kind: "problem", path: full, problem: layout };
}

/**
 * Opens the data folder inside a zip held in memory; `zip` (an absolute path or a URL) names
 * it in messages.
 */
export function openZip(bytes: Uint8Array, zip: string): DataFiles {
  const entries = readZipDirectory(bytes, zip);
  const byFolder = new Map<string, Map<string, ZipEntry>>();
  for (const entry of entries) {
    if (entry.name.endsWith("/")) continue;
    const cut = entry.name.lastIndexOf("/");
    const folder = entry.name.slice(0, cut + 1);
    const name = entry.name.slice(cut + 1);
    if (!byFolder.has(folder)) byFolder.set(folder, new Map());
    byFolder.get(folder)!.set(name, entry);
  }
  const candidates = [...byFolder].filter(([, files]) => KEY_FILES.some((f) => files.has(f)));
  if (candidates.length === 0) {
    throw new Deno.errors.NotFound(
      noMovieLensFiles(zip, entries.filter((e) => !e.name.endsWith("/")).map((e) => e.name)),
    );
  }
  if (candidates.length > 1) {
    throw new RangeError(
      `${zip} holds more than one MovieLens folder (${
        candidates.map(([f]) => f || "/").join(", ")
      }); expected one`,
    );
  }
  const [folder, files] = candidates[0];
  return {
    kind: "zip",
    path: zip,
    names: new Set(files.keys()),
    read: (name) => {
      const entry = files.get(name);
      if (!entry) return Promise.reject(new Deno.errors.NotFound(`${zip}:${folder}${name}`));
      return Promise.resolve(readZipEntry(bytes, entry, zip));
    },
    label: (name) => `${zip}:${folder}${name}`,
  };
}

/**
 * Opens a folder or a .zip file, refusing the problem {@linkcode probeDataPath} finds (a
 * zip's content is judged as it is opened).
 * @param path The folder or zip.
 * @param fix What to do about the path when it is refused (`"replace it with the official
 *   release"`), written after the problem; none by default.
 */
export async function openPath(path: string, fix?: string): Promise<DataFiles> {
  const probe = probeDataPath(path);
  if (probe.kind === "problem") {
    const { reason, message } = probe.problem;
    throw problemError({ reason, message: fix === undefined ? message : `${message}; ${fix}` });
  }
  if (probe.kind === "zip") return openZip(await Deno.readFile(probe.path), probe.path);
  const dir = probe.path;
  return {
    kind: "dir",
    path: dir,
    names: probe.names,
    read: (name) => Deno.readFile(join(dir, name)),
    label: (name) => join(dir, name),
  };
}

/**
 * Detects the layout from the files present and checks the required ones.
 * @throws {Deno.errors.NotFound} Naming the missing file and the folder.
 * @throws {RangeError} When the files of both layouts are present.
 */
export function detectLayout(files: DataFiles): Layout {
  const where = files.kind === "zip" ? files.label("").replace(/:$/, "") : files.path;
  const layout = layoutOf(files.names, where);
  if (typeof layout !== "string") throw problemError(layout);
  return layout;
}

/** @returns The base name of a folder or zip without `.zip`, as a data set name. */
export function dataSetName(path: string): string {
  return basename(resolve(path)).replace(/\.zip$/i, "");
}
