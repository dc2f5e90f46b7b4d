/**
 * Download-and-install of a zipped data set into the cache: the archive is fetched into
 * memory with a progress callback, its size and checksum are checked, it is extracted into a
 * temporary folder next to the target, the extracted files are checked, and only then is the
 * folder renamed into place in one step. Any failure removes the temporary folder, so the
 * cache never holds a half-written data set and a retry starts from a clean state.
 *
 * @module
 */

import { join } from "node:path";
import { md5Hex, sha256Hex } from "./_hash.ts";
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

/** Known checksums of one zipped data set. */
export interface ArchiveChecksums {
  /** Exact size of the archive in bytes. */
  bytes: number;
  /** MD5 of the archive (as GroupLens publishes it). */
  md5: string;
  /** SHA-256 of selected extracted files, by base name. */
  files: Record<string, string>;
}

/** How to download and install one archive. */
export interface InstallSpec {
  /** The data set's name: the cache sub-folder. */
  name: string;
  /** The layout the archive must hold. */
  layout: Layout;
  url: string;
  cacheDir: string;
  fetch: typeof globalThis.fetch;
  onProgress: (progress: DownloadProgress) => void;
  /** Checksums to verify, or null to skip verification. */
  checksums: ArchiveChecksums | null;
  /** Where the user can put the files by hand (appended to network errors). */
  hint: string;
}

const STALE_MS = 60 * 60 * 1000;

/** @returns The bytes at `url`; throws on network errors, HTTP errors and cut transfers. */
export async function fetchBytes(spec: InstallSpec): Promise<Uint8Array> {
  const { url } = spec;
  let res: Response;
  try {
    res = await spec.fetch(url);
  } catch (e) {
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
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk);
      received += chunk.length;
      spec.onProgress({ url, received, total });
    }
  } catch (e) {
    throw new Deno.errors.UnexpectedEof(
      `the download of ${url} was interrupted after ${received} of ${
        total ?? "an unknown number of"
      } bytes (${(e as Error).message}); nothing was written to the cache, run again to retry`,
      { cause: e },
    );
  }
  if (total !== null && received !== total) {
    throw new Deno.errors.UnexpectedEof(
      `the download of ${url} is truncated: received ${received} of ${total} bytes; ` +
        "nothing was written to the cache, run again to retry",
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

/** Throws a `RangeError` when a file's SHA-256 differs from the expected one. */
export function checkSha256(bytes: Uint8Array, expected: string, label: string, fix: string) {
  const found = sha256Hex(bytes);
  if (found !== expected) {
    throw new RangeError(
      `checksum mismatch for ${label}: expected sha256 ${expected}, found ${found} ` +
        `(the file is damaged or from another release); ${fix}`,
    );
  }
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

async function removeStalePartials(cacheDir: string, name: string): Promise<void> {
  const prefix = `.${name}-partial-`;
  for await (const entry of Deno.readDir(cacheDir)) {
    if (!entry.name.startsWith(prefix)) continue;
    const path = join(cacheDir, entry.name);
    try {
      const info = await Deno.stat(path);
      if (Date.now() - (info.mtime?.getTime() ?? 0) > STALE_MS) {
        await Deno.remove(path, { recursive: true });
      }
    } catch {
      // Another process may be removing it at the same time.
    }
  }
}

/**
 * Downloads, checks and installs an archive as `<cacheDir>/<name>/`.
 * @returns The installed folder.
 */
export async function downloadAndInstall(spec: InstallSpec): Promise<string> {
  const target = join(spec.cacheDir, spec.name);
  const bytes = await fetchBytes(spec);
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
    for (const [name, sum] of Object.entries(spec.checksums.files)) {
      const data = contents.get(name);
      if (!data) {
        throw new Deno.errors.NotFound(`${name} is missing in ${files.label("")}; ${fix}`);
      }
      checkSha256(data, sum, files.label(name), fix);
    }
  }
  await Deno.mkdir(spec.cacheDir, { recursive: true });
  await removeStalePartials(spec.cacheDir, spec.name);
  const tmp = await Deno.makeTempDir({ dir: spec.cacheDir, prefix: `.${spec.name}-partial-` });
  try {
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
    throw e;
  }
  return target;
}
