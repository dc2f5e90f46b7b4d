/**
 * A data folder seen through one interface whether it is a directory on disk or a folder
 * inside a zip, plus layout detection by the files present.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
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
export const LAYOUT_FILES: Record<Layout, { required: string[]; optional: string[] }> = {
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
  const expected = "expected the ml-latest-small layout (ratings.csv and movies.csv) or the " +
    "ml-100k layout (u.data and u.item)";
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

/** Whether any of `files` exists in `dir`. */
async function someExists(dir: string, files: string[]): Promise<boolean> {
  for (const file of files) if (await exists(join(dir, file))) return true;
  return false;
}

/** Opens a data folder on disk. */
export async function openFolder(path: string): Promise<DataFiles> {
  const dir = resolve(path);
  const names = new Set<string>();
  const subfolders: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    let isFile = entry.isFile, isDir = entry.isDirectory;
    if (entry.isSymlink) {
      const info = await Deno.stat(join(dir, entry.name));
      isFile = info.isFile;
      isDir = info.isDirectory;
    }
    if (isFile) names.add(entry.name);
    else if (isDir) subfolders.push(entry.name);
  }
  if (!KEY_FILES.some((f) => names.has(f))) {
    const found: string[] = [], dat: string[] = [];
    for (const sub of subfolders.sort()) {
      if (await someExists(join(dir, sub), KEY_FILES)) found.push(sub);
      else if (await someExists(join(dir, sub), ["ratings.dat"])) dat.push(sub);
    }
    const subs = (list: string[], one: string, many: string) =>
      list.length === 1
        ? `; its subfolder ${list[0]} ${one}`
        : `; its subfolders ${list.join(", ")} ${many}`;
    const hint = found.length
      ? `${subs(found, "does", "do")}: pass one`
      : dat.length
      ? `${subs(dat, "holds", "hold")} ratings.dat, in the ml-1m / ml-10m layout, which is ` +
        "not supported"
      : "";
    throw new Deno.errors.NotFound(noMovieLensFiles(dir, names) + hint);
  }
  return {
    kind: "dir",
    path: dir,
    names,
    read: (name) => Deno.readFile(join(dir, name)),
    label: (name) => join(dir, name),
  };
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

/** Opens a folder or a .zip file. */
export async function openPath(path: string): Promise<DataFiles> {
  const full = resolve(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(full);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `MovieLens data not found at ${full} (expected a folder or a .zip in the ml-latest-small ` +
          `or ml-100k layout)`,
      );
    }
    throw e;
  }
  if (info.isDirectory) return openFolder(full);
  if (!full.toLowerCase().endsWith(".zip")) {
    throw new TypeError(`expected a folder or a .zip file, found the file ${full}`);
  }
  return openZip(await Deno.readFile(full), full);
}

/**
 * Detects the layout from the files present and checks the required ones.
 * @throws {Deno.errors.NotFound} Naming the missing file and the folder.
 */
export function detectLayout(files: DataFiles): Layout {
  const where = files.kind === "zip" ? files.label("").replace(/:$/, "") : files.path;
  const isLatest = LAYOUT_FILES.latest.required.some((f) => files.names.has(f));
  const is100k = LAYOUT_FILES["100k"].required.some((f) => files.names.has(f));
  if (isLatest && is100k) {
    throw new RangeError(
      `${where} mixes both layouts (it has ${
        KEY_FILES.filter((f) => files.names.has(f)).join(", ")
      }); expected ratings.csv + movies.csv or u.data + u.item`,
    );
  }
  const layout: Layout = isLatest ? "latest" : "100k";
  const need = LAYOUT_FILES[layout].required;
  for (const file of need) {
    if (!files.names.has(file)) {
      throw new Deno.errors.NotFound(
        `${file} is missing in ${where}: a ${
          layout === "latest" ? "ml-latest-small" : "ml-100k"
        } folder needs ${need.join(" and ")}`,
      );
    }
  }
  return layout;
}

/** @returns The base name of a folder or zip without `.zip`, as a data set name. */
export function dataSetName(path: string): string {
  return basename(resolve(path)).replace(/\.zip$/i, "");
}
