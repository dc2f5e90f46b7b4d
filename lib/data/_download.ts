/**
 * Download-and-install of a zipped data set into the cache: a temporary folder is made in the
 * cache first (so an unwritable cache is reported before any download), the archive is
 * fetched into memory with a progress callback and two time limits (a stall without bytes,
 * and the whole download), its size and checksum are checked, it is extracted into the
 * temporary folder, every extracted file with a known SHA-256 is checked, and only then is the
 * folder renamed into place in one step. Any failure removes the temporary folder, so the cache
 * never holds a half-written data set and a retry starts from a clean state. A download stopped
 * before it could clean up (Ctrl-C, SIGTERM) leaves its folder, named with its process id; the
 * next download of that data set removes it once that process is gone (without `/proc`, after
 * an hour).
 *
 * @module
 */

import { join } from "node:path";
import { checkSha256, type FileChecksums, requiredFiles } from "./_checksums.ts";
import { md5Hex } from "./_hash.ts";
import { abandoned } from "../_atomic_write.ts";
import { detectLayout, exists, type Layout, openZip } from "./_source.ts";

/** Progress of a download, reported after every chunk. */
export interface DownloadProgress {
  /** The URL being fetched. */
  url: string;
  /** Bytes received so far. */
  received: number;
  /** Bytes announced by the server (Content-Length), or null when it sent none. */
  total: number | null;
}

/** Known checksums of one zipped data set, and of its extracted files (see `FileChecksums`). */
export interface ArchiveChecksums extends FileChecksums {
  /** Exact size of the archive in bytes. */
  bytes: number;
  /** MD5 of the archive (as GroupLens publishes it). */
  md5: string;
}

/** How to download and install one archive. */
export interface InstallSpec {
  /** The data set's name: the cache sub-folder. */
  name: string;
  /** The layout the archive must hold. */
  layout: Layout;
  url: string;
  cacheDir: string;
  /** Where `cacheDir` comes from, for messages (`"set by MOVIELENS_CACHE"`). */
  cacheSource: string;
  fetch: typeof globalThis.fetch;
  onProgress: (progress: DownloadProgress) => void;
  /** Checksums to verify, or null to skip verification. */
  checksums: ArchiveChecksums | null;
  /** Where the user can put the files by hand (appended to network errors). */
  hint: string;
  /** Milliseconds without a byte after which the download is abandoned. */
  stallTimeoutMs: number;
  /** Milliseconds after which the whole download is abandoned. */
  downloadTimeoutMs: number;
}

const RETRY = "nothing was written to the cache, run again to retry";

function seconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

function ofTotal(received: number, total: number | null): string {
  return `${received} of ${total ?? "an unknown number of"} bytes`;
}

/**
 * Two time limits on a download: no byte for `stallTimeoutMs`, and `downloadTimeoutMs` in
 * all. `guard()` races a step of the download against them; when one expires the request is
 * aborted and the step rejects with a `Deno.errors.TimedOut` naming the URL and the bytes.
 */
class DownloadClock {
  readonly signal: AbortSignal;
  #abort = new AbortController();
  #expired = Promise.withResolvers<never>();
  #stall: ReturnType<typeof setTimeout> | undefined;
  #total: ReturnType<typeof setTimeout>;
  received = 0;
  total: number | null = null;

  constructor(private spec: InstallSpec) {
    this.signal = this.#abort.signal;
    this.#expired.promise.catch(() => {});
    this.#total = setTimeout(() => this.#expire("total"), spec.downloadTimeoutMs);
    this.progress(0);
  }

  /** Records `bytes` more received and restarts the stall timer. */
  progress(bytes: number) {
    this.received += bytes;
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => this.#expire("stall"), this.spec.stallTimeoutMs);
  }

  guard<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#expired.promise]);
  }

  stop() {
    clearTimeout(this.#stall);
    clearTimeout(this.#total);
  }

  #expire(kind: "stall" | "total") {
    this.stop();
    const { url, hint } = this.spec;
    const got = ofTotal(this.received, this.total);
    const text = kind === "stall"
      ? `the download of ${url} stalled: no data for ${
        seconds(this.spec.stallTimeoutMs)
      } after ${got} (allow longer with { stallTimeoutMs })`
      : `the download of ${url} took longer than ${
        seconds(this.spec.downloadTimeoutMs)
      }: received ${got} (allow longer with { downloadTimeoutMs })`;
    const error = new Deno.errors.TimedOut(`${text}; ${RETRY}. ${hint}`);
    this.#expired.reject(error);
    this.#abort.abort(error);
  }
}

/**
 * @returns The bytes at `url`; throws on network errors, HTTP errors, cut transfers, a stall
 *   and the total time limit.
 */
export async function fetchBytes(spec: InstallSpec): Promise<Uint8Array> {
  const clock = new DownloadClock(spec);
  try {
    return await readAll(spec, clock);
  } finally {
    clock.stop();
  }
}

async function readAll(spec: InstallSpec, clock: DownloadClock): Promise<Uint8Array> {
  const { url } = spec;
  let res: Response;
  try {
    res = await clock.guard(spec.fetch(url, { signal: clock.signal }));
  } catch (e) {
    if (e instanceof Deno.errors.TimedOut) throw e;
    throw new Deno.errors.NotFound(
      `${spec.name} is not available offline: the download of ${url} failed (${
        (e as Error).message
      }). ${spec.hint}`,
      { cause: e },
    );
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Deno.errors.NotFound(
      `${spec.name}: the download of ${url} failed with HTTP ${res.status} ${res.statusText}. ${spec.hint}`,
    );
  }
  const header = res.headers.get("content-length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  clock.total = total;
  const chunks: Uint8Array[] = [];
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await clock.guard(reader.read());
      if (done) break;
      chunks.push(value);
      clock.progress(value.length);
      spec.onProgress({ url, received: clock.received, total });
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof Deno.errors.TimedOut) throw e;
    throw new Deno.errors.UnexpectedEof(
      `the download of ${url} was interrupted after ${ofTotal(clock.received, total)} (${
        (e as Error).message
      }); ${RETRY}`,
      { cause: e },
    );
  }
  const received = clock.received;
  if (total !== null && received !== total) {
    throw new Deno.errors.UnexpectedEof(
      `the download of ${url} is truncated: received ${received} of ${total} bytes; ${RETRY}`,
    );
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Checks an archive's size and MD5. */
export function checkArchive(
  bytes: Uint8Array,
  sums: ArchiveChecksums,
  label: string,
  fix: string,
) {
  if (bytes.length !== sums.bytes) {
    throw new RangeError(
      `checksum mismatch for ${label}: expected ${sums.bytes} bytes, found ${bytes.length}; ${fix}`,
    );
  }
  const md5 = md5Hex(bytes);
  if (md5 !== sums.md5) {
    throw new RangeError(
      `checksum mismatch for ${label}: expected md5 ${sums.md5}, found ${md5} ` +
        `(the file is damaged or from another release); ${fix}`,
    );
  }
}

/**
 * The prefix of a download's temporary folder in the cache: the data set's name and the
 * downloading process's id (`.ml-100k-partial-4242-…`), so that a later download can tell a
 * folder whose process is gone.
 */
function partialPrefix(name: string): string {
  return `.${name}-partial-${Deno.pid}-`;
}

/**
 * Removes the temporary folders of downloads of `name` that will never finish, left in the
 * cache by a process stopped mid-download (Ctrl-C, SIGTERM, a crash: its clean-up never ran):
 * those whose process no longer runs (Linux' `/proc` tells), and where that cannot be told (no
 * `/proc`, or an older version's name without a process id) those older than an hour. This
 * process's own are never touched, since another of its downloads may be under way, nor those
 * of a process still running, however old (see `abandoned()`).
 *
 * @returns The names removed.
 */
async function removeStalePartials(cacheDir: string, name: string): Promise<string[]> {
  const prefix = `.${name}-partial-`;
  const removed: string[] = [];
  for await (const entry of Deno.readDir(cacheDir)) {
    if (!entry.name.startsWith(prefix)) continue;
    const path = join(cacheDir, entry.name);
    const pid = /^(\d+)-/.exec(entry.name.slice(prefix.length))?.[1];
    try {
      if (!(await abandoned(path, pid === undefined ? undefined : Number(pid)))) continue;
      await Deno.remove(path, { recursive: true });
      removed.push(entry.name);
    } catch {
      // Another process may be removing it at the same time.
    }
  }
  return removed;
}

/**
 * Makes the cache folder and a temporary folder in it before anything is fetched, so that an
 * unwritable cache is reported at once.
 * @returns The temporary folder, and whether the cache folder was created here.
 */
async function prepareCache(spec: InstallSpec): Promise<{ tmp: string; created: boolean }> {
  const created = !(await exists(spec.cacheDir));
  try {
    await Deno.mkdir(spec.cacheDir, { recursive: true });
    await removeStalePartials(spec.cacheDir, spec.name);
    const tmp = await Deno.makeTempDir({ dir: spec.cacheDir, prefix: partialPrefix(spec.name) });
    return { tmp, created };
  } catch (e) {
    const Class = e instanceof Error ? e.constructor as ErrorConstructor : Error;
    throw new Class(
      `the cache folder ${spec.cacheDir} (${spec.cacheSource}) cannot be written (${
        (e as Error).message
      }); nothing was downloaded. Set MOVIELENS_CACHE to a writable folder (or ` +
        "XDG_CACHE_HOME, whose movielens-embeddings/ subfolder is then used), or pass " +
        `{ cacheDir }. ${spec.hint}`,
      { cause: e },
    );
  }
}

/** Checks the downloaded archive and reads its files. */
async function unpack(spec: InstallSpec, bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const fix = "nothing was written to the cache; check the URL or retry";
  if (spec.checksums) checkArchive(bytes, spec.checksums, spec.url, fix);
  const files = openZip(bytes, spec.url);
  const layout = detectLayout(files);
  if (layout !== spec.layout) {
    throw new RangeError(
      `${spec.url} holds the ${layout} layout, expected ${spec.name} (${spec.layout}); ${fix}`,
    );
  }
  const contents = new Map<string, Uint8Array>();
  for (const name of files.names) contents.set(name, await files.read(name));
  if (spec.checksums) {
    for (const name of requiredFiles(spec.checksums)) {
      if (!contents.has(name)) {
        throw new Deno.errors.NotFound(`${name} is missing in ${files.label("")}; ${fix}`);
      }
    }
    for (const [name, sum] of Object.entries(spec.checksums.files)) {
      const data = contents.get(name);
      if (data) checkSha256(data, sum, files.label(name), fix);
    }
  }
  return contents;
}

/**
 * Downloads, checks and installs an archive as `<cacheDir>/<name>/`. The cache is checked
 * for writing first; on any failure the temporary folder (and a cache folder made here) is
 * removed.
 * @returns The installed folder.
 */
export async function downloadAndInstall(spec: InstallSpec): Promise<string> {
  const target = join(spec.cacheDir, spec.name);
  const { tmp, created } = await prepareCache(spec);
  try {
    const contents = await unpack(spec, await fetchBytes(spec));
    for (const [name, data] of contents) await Deno.writeFile(join(tmp, name), data);
    try {
      await Deno.rename(tmp, target);
    } catch (e) {
      if (!(await exists(join(target, "u.data")) || await exists(join(target, "ratings.csv")))) {
        throw e;
      }
      // Another process installed the same data set meanwhile: keep theirs.
      await Deno.remove(tmp, { recursive: true });
    }
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    if (created) await Deno.remove(spec.cacheDir).catch(() => {});
    throw e;
  }
  return target;
}
