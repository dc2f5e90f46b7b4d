/**
 * Loading MovieLens: the shipped ml-latest-small archive (the default), ml-100k from a local
 * mirror, the user cache or a checked download, or any folder or zip in either layout.
 *
 * Where ml-100k comes from, first match wins:
 * 1. a local mirror: `options.dir`, or else the folder named by the environment variable
 *    `MOVIELENS_DIR` (a relative path is resolved against the working folder), holding
 *    `ml-100k/` (extracted) or `ml-100k.zip` as `../shared/movielens` does, or itself an
 *    ml-100k folder (a setting that names a missing folder or a file is an error naming it);
 * 2. the user cache, `<cache>/ml-100k/` (see {@linkcode defaultCacheDir});
 * 3. a download of {@linkcode ML_100K_URL} into the cache, checked (4,924,029 bytes, MD5, and
 *    the SHA-256 of every file) before it is renamed into place in one step.
 *    The cache is checked for writing before the download starts; a download that stalls
 *    (30 s without a byte) or runs too long (10 min) ends with an error naming the URL and
 *    the bytes received, and leaves nothing in the cache.
 *
 * ml-latest-small comes from `options.dir` when that holds `ml-latest-small/` or
 * `ml-latest-small.zip`, else from the archive shipped in this repository's `data/` (the
 * same release, so `MOVIELENS_DIR` is not consulted for it).
 *
 * ml-100k is never shipped: its licence forbids redistribution.
 *
 * In a mirror or the cache, every file with an official SHA-256 (see
 * {@linkcode MOVIELENS_CHECKSUMS}) is checked as it is read, so each is read and hashed once:
 * the data files, u.genre, u.occupation, u.info, the README and the scripts when the data set
 * is loaded, and a predefined split's `.base` and `.test` files when that split is loaded. A
 * mismatch is an error naming the file. Wherever it comes from, a predefined split must hold
 * only ratings of the folder's u.data (see `predefinedSplit()`).
 *
 * What checksums cannot cover (a source given as a path, `verify: false`) is still checked: a
 * file cut inside its last row is refused, naming the file and line, and a folder that claims
 * a release (its `u.info` or README says so, or its name is the release's) but differs from it
 * is reported ("expected 100,000 ratings, found 50,703") and named `ml-100k (modified)`.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkRequired,
  checkSha256,
  type Expected,
  type FileChecksums,
  hashFiles,
} from "./_checksums.ts";
import {
  type ArchiveChecksums,
  checkArchive,
  downloadAndInstall,
  type DownloadProgress,
} from "./_download.ts";
import { sha256Hex } from "./_hash.ts";
import { parseDataFiles, type ParsedData } from "./_parse.ts";
import { checkRelease, type KnownRelease } from "./_release.ts";
import {
  checkFolder,
  type DataFiles,
  dataSetName,
  detectLayout,
  exists,
  type Layout,
  openPath,
  openZip,
} from "./_source.ts";
import { checkBoolean, checkOptionKeys, checkPositiveInt, describe } from "../_validate.ts";
import { COLUMNS } from "../defaults.ts";
import { type DuplicatePolicy, isDuplicatePolicy } from "./duplicates.ts";
import { type MovieLens, type Origin, PREDEFINED_SPLIT_NAMES } from "./types.ts";

export type { DownloadProgress } from "./_download.ts";
export type { Layout } from "./_source.ts";
export { ML100K_GENRES, ML100K_MISSING_YEAR, NO_GENRES } from "./_parse.ts";

/** Where GroupLens publishes ml-100k. */
export const ML_100K_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip";

/**
 * The official checksums the loader verifies: SHA-256 of every file of each release (those in
 * `required` must be present, the others are checked where present).
 */
export const MOVIELENS_CHECKSUMS = {
  /** The 2018-09-26 ml-latest-small release (the archive shipped in `data/`). */
  "ml-latest-small": {
    /** SHA-256 of ml-latest-small.zip (978,202 bytes). */
    zipSha256: "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
    /** SHA-256 of the extracted files. */
    files: {
      "ratings.csv": "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646",
      "movies.csv": "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07",
      "tags.csv": "92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d",
      "links.csv": "97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31",
      "README.txt": "63d22ac138e80fae37021797ed8e1b9424b5239dc576a137422adf783ae3f404",
    } as Record<string, string>,
    /** The files a folder claiming the release must hold. */
    required: ["ratings.csv", "movies.csv", "tags.csv", "links.csv"],
  } satisfies FileChecksums & { zipSha256: string },
  /** The ml-100k release: its 23 files. */
  "ml-100k": {
    bytes: 4_924_029,
    md5: "0e33842e24a9c977be4e0107933c0723",
    files: {
      "u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
      "u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
      "u.user": "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c",
      "u.genre": "9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb",
      "u.occupation": "cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d",
      "u.info": "5b0a40b2e47a729ee6203063f6dcf8790c2e63f5a18663e6ee318a72c5f3c27b",
      "README": "4883b8cf340ed0059971b33f56ad3adc88a40792108ebca3d24aafc4c82e8b52",
      "u1.base": "ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a",
      "u1.test": "18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950",
      "u2.base": "6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e",
      "u2.test": "4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3",
      "u3.base": "afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d",
      "u3.test": "0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d",
      "u4.base": "219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca",
      "u4.test": "7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9",
      "u5.base": "a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485",
      "u5.test": "351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634",
      "ua.base": "67b5bcdb380c29f85d56a012ecd88612ae020f30a6730d117a334ee8203b91f2",
      "ua.test": "d0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42",
      "ub.base": "237254d253b6ad7de84f919d041055428646254f34ed8f562703c899430cd881",
      "ub.test": "d54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da",
      "allbut.pl": "bfc6a75cbd65c74bb38a0b580dbe866af252733dfa9a65a2c4b93258774ee8a3",
      "mku.sh": "7929735c375e89a04340e34de621bf2ea643cd04b0bcda2c6f458e4be961ae71",
    } as Record<string, string>,
    /** The files a folder claiming the release must hold. */
    required: ["u.data", "u.item", "u.user"],
  } satisfies ArchiveChecksums,
} as const;

/** What each official release holds, to check folders that claim to be one. */
const KNOWN_RELEASES: Record<string, KnownRelease> = {
  "ml-latest-small": {
    layout: "latest",
    counts: { ratings: 100_836, users: 610, movies: 9_742, tags: 3_683 },
    files: MOVIELENS_CHECKSUMS["ml-latest-small"].files,
    required: MOVIELENS_CHECKSUMS["ml-latest-small"].required,
  },
  "ml-100k": {
    layout: "100k",
    counts: { ratings: 100_000, users: 943, movies: 1_682 },
    files: MOVIELENS_CHECKSUMS["ml-100k"].files,
    required: MOVIELENS_CHECKSUMS["ml-100k"].required,
  },
};

/** A data set by name, or the path of a folder or .zip in either layout. */
export type MovieLensSource = "ml-latest-small" | "ml-100k" | (string & Record<never, never>);

/** Options of {@linkcode loadMovieLens}. */
export interface LoadOptions {
  /**
   * A local mirror: a folder holding `ml-100k/` or `ml-100k.zip` (and/or `ml-latest-small/`
   * or `ml-latest-small.zip`). Given, it replaces `MOVIELENS_DIR`.
   * @default {the environment variable MOVIELENS_DIR (for ml-100k only)}
   */
  dir?: string;
  /**
   * Where downloads are installed.
   * @default {defaultCacheDir()}
   */
  cacheDir?: string;
  /**
   * The ml-100k download URL (tests point it at 127.0.0.1).
   * @default {ML_100K_URL}
   */
  url?: string;
  /**
   * The fetch function used to download.
   * @default {globalThis.fetch}
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Called after every downloaded chunk.
   * @default {one line on stderr that updates in place}
   */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Milliseconds without a byte after which a download is abandoned (with an error naming
   * the URL and the bytes received; nothing is left in the cache).
   * @default {30_000}
   */
  stallTimeoutMs?: number;
  /**
   * Milliseconds after which a whole download is abandoned, however it progresses.
   * @default {600_000}
   */
  downloadTimeoutMs?: number;
  /**
   * Check the official checksums of the named data sets and refuse a mismatch (each file as
   * it is read: a predefined split's files when that split is loaded). Without it, and for a
   * source given as a path, the data are still compared with the release they claim to be
   * (see `MovieLens.release`): a difference is reported through `onWarning` and in the data
   * set's name, and a path whose files match the official checksums counts as verified.
   * @default {true}
   */
  verify?: boolean;
  /**
   * Download ml-100k when no local copy is found (false: fail with the where-to-put-it error).
   * @default {true}
   */
  download?: boolean;
  /**
   * What to do with a (userId, movieId) pair rated more than once (see `DuplicatePolicy`).
   * @default {"last"}
   */
  duplicates?: DuplicatePolicy;
  /**
   * Called with a warning that the data differ from the release they claim to be (see
   * `MovieLens.release`), that repeated (userId, movieId) pairs were dropped under the
   * `"last"` policy (with their count and the first pair), or, when a predefined split is
   * loaded, that ratings of u.data are in neither of its files (with their count and the
   * first).
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
}

const APP = "movielens-embeddings";

/** Default of `LoadOptions.stallTimeoutMs`: 30 s without a byte. */
const STALL_TIMEOUT_MS = 30_000;
/** Default of `LoadOptions.downloadTimeoutMs`: 10 min in all (ml-100k is 4.9 MB). */
const DOWNLOAD_TIMEOUT_MS = 600_000;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder downloads go to: `$MOVIELENS_CACHE` if set, else
 * `$XDG_CACHE_HOME/movielens-embeddings`, else `~/.cache/movielens-embeddings`
 * (`%LOCALAPPDATA%\movielens-embeddings` on Windows).
 *
 * @returns An absolute path (it may not exist yet).
 * @example
 * ```ts
 * import { isAbsolute } from "node:path";
 * import { defaultCacheDir } from "./load.ts";
 * import { assert } from "@std/assert";
 * const dir = defaultCacheDir();
 * assert(isAbsolute(dir));
 * assert(Deno.env.get("MOVIELENS_CACHE") !== undefined || dir.endsWith("movielens-embeddings"));
 * ```
 */
export function defaultCacheDir(): string {
  const explicit = env("MOVIELENS_CACHE");
  if (explicit) return resolve(explicit);
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return resolve(xdg, APP);
  const home = env("HOME");
  if (home) return join(home, ".cache", APP);
  const local = env("LOCALAPPDATA");
  if (local) return join(local, APP);
  throw new Deno.errors.NotFound(
    "no cache folder: set MOVIELENS_CACHE (or HOME / XDG_CACHE_HOME), or pass { cacheDir }",
  );
}

/** What sets the cache folder, for messages. */
function cacheSource(options: LoadOptions): string {
  if (options.cacheDir) return "passed as { cacheDir }";
  if (env("MOVIELENS_CACHE")) return "set by MOVIELENS_CACHE";
  if (env("XDG_CACHE_HOME")) return "under XDG_CACHE_HOME";
  return "the default cache; MOVIELENS_CACHE is not set";
}

/**
 * The path of the ml-latest-small archive shipped with this repository.
 * @returns The absolute path of `data/ml-latest-small.zip`.
 * @example
 * ```ts
 * import { shippedArchivePath } from "./load.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(shippedArchivePath().endsWith("ml-latest-small.zip"), true);
 * ```
 */
export function shippedArchivePath(): string {
  return fileURLToPath(new URL("../../data/ml-latest-small.zip", import.meta.url));
}

function stderrProgress(): (p: DownloadProgress) => void {
  const enc = new TextEncoder();
  let last = -1;
  return ({ url, received, total }) => {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const pct = total ? Math.floor((100 * received) / total) : -1;
    const done = total !== null && received >= total;
    if (!done && pct === last) return;
    last = pct;
    const name = url.slice(url.lastIndexOf("/") + 1);
    const text = total
      ? `Downloading ${name}: ${mb(received)} / ${mb(total)} MB (${pct}%)`
      : `Downloading ${name}: ${mb(received)} MB`;
    try {
      Deno.stderr.writeSync(enc.encode(`\r${text}${done ? "\n" : ""}`));
    } catch {
      // No stderr (e.g. a worker): progress is best effort.
    }
  };
}

interface Found {
  files: DataFiles;
  origin: Origin;
  zipBytes?: Uint8Array;
  /** The sums every read is checked against, when the official files are required. */
  expected?: Expected;
}

/** How to mend a mirror's or the cache's copy of a release whose files are wrong. */
const REPLACE = "replace it with the official release";

/**
 * Opens a release's copy in a mirror or the cache; a folder whose files the loader refuses
 * (`openPath()`: one file of a pair, none at all, both layouts) is refused with `fix`, what to do
 * about that copy, after the problem.
 */
async function openCandidate(path: string, origin: Origin, fix = REPLACE): Promise<Found> {
  if (path.toLowerCase().endsWith(".zip")) {
    const zipBytes = await Deno.readFile(path);
    return { files: openZip(zipBytes, path), origin, zipBytes };
  }
  return { files: await openPath(path, fix), origin };
}

/** The places a named data set may be in a mirror-like folder, in search order. */
async function searchMirror(
  dir: string,
  name: string,
  keyFile: string,
  origin: Origin,
  looked: string[],
): Promise<Found | null> {
  const root = resolve(dir);
  for (const path of [join(root, name), join(root, `${name}.zip`)]) {
    looked.push(path);
    if (await exists(path)) return await openCandidate(path, origin);
  }
  if (await exists(join(root, keyFile))) return await openCandidate(root, origin);
  return null;
}

/** Checks that the required files are there; each file is checked as it is read. */
function expectOfficial(found: Found, sums: FileChecksums, fix: string): void {
  checkRequired(found.files, sums, fix);
  found.expected = { sums: sums.files, fix };
}

async function resolveLatestSmall(options: LoadOptions): Promise<Found> {
  const verify = options.verify ?? true;
  const sums = MOVIELENS_CHECKSUMS["ml-latest-small"];
  const fix = "replace it with the official release, or pass { verify: false }";
  let found: Found | null = null;
  if (options.dir) {
    await checkFolder(options.dir, "options.dir");
    found = await searchMirror(options.dir, "ml-latest-small", "ratings.csv", "dir", []);
  }
  if (!found) {
    const path = shippedArchivePath();
    const zipBytes = await Deno.readFile(path);
    if (verify) checkSha256(zipBytes, sums.zipSha256, path, fix);
    return { files: openZip(zipBytes, path), origin: "shipped", zipBytes };
  }
  if (verify) {
    if (found.zipBytes) checkSha256(found.zipBytes, sums.zipSha256, found.files.path, fix);
    else expectOfficial(found, sums, fix);
  }
  return found;
}

function whereToPut(cacheDir: string): string {
  return "To use ml-100k without a download, get ml-100k.zip from " +
    "https://grouplens.org/datasets/movielens/100k/ on a connected machine, then either put " +
    "the zip or its extracted ml-100k/ folder in a folder named by the environment variable " +
    `MOVIELENS_DIR (or pass { dir }), or extract it as ${join(cacheDir, "ml-100k")}/ ` +
    "(u.data, u.item, u.user, …).";
}

async function resolve100k(options: LoadOptions): Promise<Found> {
  const verify = options.verify ?? true;
  const sums = MOVIELENS_CHECKSUMS["ml-100k"];
  const looked: string[] = [];
  let found: Found | null = null;
  const mirror = options.dir ?? env("MOVIELENS_DIR");
  if (mirror) {
    const origin: Origin = options.dir ? "dir" : "MOVIELENS_DIR";
    await checkFolder(mirror, options.dir ? "options.dir" : "MOVIELENS_DIR");
    found = await searchMirror(mirror, "ml-100k", "u.data", origin, looked);
  }
  const cacheDir = () => resolve(options.cacheDir ?? defaultCacheDir());
  const cached = found ? "" : join(cacheDir(), "ml-100k");
  if (!found) {
    looked.push(cached);
    if (await exists(cached)) {
      found = await openCandidate(cached, "cache", `delete ${cached} to download it again`);
    }
  }
  if (!found) {
    const hint = whereToPut(cacheDir());
    if (options.download === false) {
      throw new Deno.errors.NotFound(
        `ml-100k not found (looked in ${looked.join(", ")}; downloads are off). ${hint}`,
      );
    }
    const path = await downloadAndInstall({
      name: "ml-100k",
      layout: "100k",
      url: options.url ?? ML_100K_URL,
      cacheDir: cacheDir(),
      cacheSource: cacheSource(options),
      fetch: options.fetch ?? globalThis.fetch,
      onProgress: options.onProgress ?? stderrProgress(),
      checksums: verify ? sums : null,
      hint,
      stallTimeoutMs: options.stallTimeoutMs ?? STALL_TIMEOUT_MS,
      downloadTimeoutMs: options.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS,
    });
    return { files: await openPath(path), origin: "download" };
  }
  if (verify) {
    const fix = found.origin === "cache"
      ? `delete ${cached} to download it again, or pass { verify: false }`
      : "replace it with the official release, or pass { verify: false }";
    if (found.zipBytes) checkArchive(found.zipBytes, sums, found.files.path, fix);
    expectOfficial(found, sums, fix);
  }
  return found;
}

/**
 * Loads a MovieLens data set into Polars DataFrames.
 *
 * @param source `"ml-latest-small"` (the 2018 release shipped in `data/`, sha256-checked),
 *   `"ml-100k"` (mirror, cache or download; see the module doc), or the path of a folder or
 *   .zip in either layout (detected by its files, e.g. the 2016 ml-latest-small).
 * @param options Where to look, download settings, verification, the duplicate policy.
 * @returns The data set: ratings, movies and the layout's other tables.
 * @throws {RangeError} On a checksum mismatch, a corrupt or zip-slip archive (or one holding
 *   a file twice), a malformed row or a file cut inside its last row (naming file and line),
 *   an empty ratings file, a file with NUL bytes in its first line (UTF-16 without a
 *   byte-order mark; UTF-16 with one is decoded), a rating, tag or link of a movie that
 *   movies.csv / u.item does not list, a movie listed twice in movies.csv, u.item or
 *   links.csv, an imdbId that is not digits, or duplicates under `"error"` (under `"last"`
 *   they are reported through `onWarning`).
 * @throws {Deno.errors.NotFound} On a missing file, a folder or zip without the files of
 *   either layout (naming what it holds, e.g. ml-1m's ratings.dat, which is not supported), or
 *   ml-100k neither found nor downloadable (the message says where to put it).
 * @throws {TypeError} On an unknown option (naming it and the option it most likely meant), or
 *   an option of the wrong kind (`dir` not a path, `verify` not true or false, `duplicates` not
 *   "last", "keep" or "error", `onWarning` not a function, …), before anything is read.
 * @example
 * ```ts
 * import { loadMovieLens } from "./load.ts";
 * import { assertEquals } from "@std/assert";
 * const ml = await loadMovieLens();
 * assertEquals(ml.name, "ml-latest-small");
 * assertEquals(ml.ratings.height, 100836);
 * assertEquals(ml.movies.height, 9742);
 * ```
 */
export async function loadMovieLens(
  source: MovieLensSource = "ml-latest-small",
  options: LoadOptions = {},
): Promise<MovieLens> {
  if (typeof source !== "string" || source === "") {
    throw new TypeError(
      `loadMovieLens(): expected "ml-latest-small", "ml-100k" or a path, found ${String(source)}`,
    );
  }
  checkLoadOptions(options);
  let found: Found;
  let name: string;
  let verified = false;
  if (source === "ml-latest-small") {
    found = await resolveLatestSmall(options);
    name = source;
    verified = options.verify ?? true;
  } else if (source === "ml-100k") {
    found = await resolve100k(options);
    name = source;
    verified = options.verify ?? true;
  } else {
    found = { files: await openPath(source), origin: "path" };
    name = dataSetName(source);
  }
  const files = hashFiles(found.files, found.expected);
  const layout = detectLayout(files);
  const expected: Layout = source === "ml-100k" ? "100k" : "latest";
  if (found.origin !== "path" && layout !== expected) {
    throw new RangeError(
      `${files.path} was expected to hold ${name}, found the ${layout} layout instead`,
    );
  }
  const policy = options.duplicates ?? "last";
  const warn = options.onWarning ?? console.warn;
  const parsed = await parseDataFiles(files, layout, policy, warn);
  const checked = await checkRelease({
    files,
    layout,
    found: foundCounts(parsed, policy === "keep"),
    name,
    requested: found.origin !== "path",
    verified,
    known: KNOWN_RELEASES,
  });
  if (found.expected) await files.checkUnread(isPredefinedSplitFile);
  const release = checked.release;
  if (release && release.differences.length > 0) {
    if (name === release.name) name = `${name} (modified)`;
    warn(
      `warning: ${files.path} is not the ${release.name} release that ${release.claimedBy} ` +
        `describes: ${release.differences.join("; ")}. Results on it are labelled "${name}".`,
    );
  }
  return {
    name,
    source: files.path,
    origin: found.origin,
    verified: verified || checked.matchedChecksums,
    release,
    ...parsed,
  };
}

/** Every option of {@linkcode loadMovieLens} (the type makes the list complete). */
const LOAD_OPTIONS: Record<keyof LoadOptions, true> = {
  dir: true,
  cacheDir: true,
  url: true,
  fetch: true,
  onProgress: true,
  stallTimeoutMs: true,
  downloadTimeoutMs: true,
  verify: true,
  download: true,
  duplicates: true,
  onWarning: true,
};

/** Checks every option of {@linkcode loadMovieLens} before anything is read. */
function checkLoadOptions(options: LoadOptions): void {
  const who = "loadMovieLens()";
  checkOptionKeys(options, Object.keys(LOAD_OPTIONS), who);
  for (const key of ["stallTimeoutMs", "downloadTimeoutMs"] as const) {
    if (options[key] !== undefined) checkPositiveInt(options[key], key, who);
  }
  for (const key of ["dir", "cacheDir", "url"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "string" || v === "")) {
      throw new TypeError(
        `${who}: expected ${key} to be a ${key === "url" ? "URL" : "folder path"}, found ${
          typeof v === "string" ? '""' : describe(v)
        }`,
      );
    }
  }
  for (const key of ["verify", "download"] as const) {
    if (options[key] !== undefined) checkBoolean(options[key], key, who);
  }
  const { duplicates } = options;
  if (duplicates !== undefined && !isDuplicatePolicy(duplicates)) {
    throw new TypeError(
      `${who}: expected duplicates to be "last", "keep" or "error", found ${
        typeof duplicates === "string" ? JSON.stringify(duplicates) : describe(duplicates)
      }`,
    );
  }
  for (const key of ["fetch", "onProgress", "onWarning"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "function") {
      throw new TypeError(`${who}: expected ${key} to be a function, found ${describe(v)}`);
    }
  }
}

/** Whether a file is one of ml-100k's predefined splits, read when the split is loaded. */
function isPredefinedSplitFile(name: string): boolean {
  return PREDEFINED_SPLIT_NAMES.some((split) =>
    name === `${split}.base` || name === `${split}.test`
  );
}

/** What a parsed folder holds, counted as a release's description counts it. */
function foundCounts(parsed: ParsedData, keptDuplicates: boolean) {
  const raters = parsed.ratings.getColumn(COLUMNS.user).nUnique();
  return {
    ratings: parsed.ratings.height + (keptDuplicates ? 0 : parsed.duplicates),
    users: parsed.users?.height ?? raters,
    movies: parsed.movies.height,
    tags: parsed.tags?.height,
  };
}

/**
 * The SHA-256 of a file, to print next to a data set or compare with `MOVIELENS_CHECKSUMS`.
 *
 * @param path The file.
 * @returns The lowercase hex digest.
 * @example
 * ```ts
 * import { fileSha256, MOVIELENS_CHECKSUMS, shippedArchivePath } from "./load.ts";
 * import { assertEquals } from "@std/assert";
 * const sum = await fileSha256(shippedArchivePath());
 * assertEquals(sum === MOVIELENS_CHECKSUMS["ml-latest-small"].zipSha256, true);
 * ```
 */
export async function fileSha256(path: string): Promise<string> {
  return sha256Hex(await Deno.readFile(path));
}
