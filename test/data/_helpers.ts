/**
 * Helpers for the data-layer tests: fixture paths, temporary folders, zips built from
 * folders, the local MovieLens mirror, and a bounded local HTTP server.
 *
 * @module
 */

import { zipSync } from "fflate";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The tiny ml-latest-small-layout fixture folder. */
export const LATEST_TINY = fileURLToPath(new URL("../fixtures/latest_tiny", import.meta.url));
/** The tiny ml-100k-layout fixture folder. */
export const ML100K_TINY = fileURLToPath(new URL("../fixtures/ml100k_tiny", import.meta.url));

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "data-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Copies the files of a fixture folder into `dest` (created), optionally editing some. */
export async function copyFolder(
  from: string,
  dest: string,
  edits: Record<string, string | Uint8Array | null> = {},
): Promise<string> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isFile && !(entry.name in edits)) {
      await Deno.copyFile(join(from, entry.name), join(dest, entry.name));
    }
  }
  for (const [name, content] of Object.entries(edits)) {
    if (content === null) continue;
    await (typeof content === "string"
      ? Deno.writeTextFile(join(dest, name), content)
      : Deno.writeFile(join(dest, name), content));
  }
  return dest;
}

/** Zips the files of a folder, each under `prefix` (e.g. `"ml-100k/"`). */
export async function zipFolder(
  dir: string,
  prefix = "",
  extra: Record<string, Uint8Array> = {},
): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) files[prefix + entry.name] = await Deno.readFile(join(dir, entry.name));
  }
  return zipSync({ ...files, ...extra });
}

/** @returns Every path under `dir` (relative), sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(join(dir, sub))) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      out.push(rel);
      if (entry.isDirectory) await walk(rel);
    }
  };
  try {
    await walk("");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/**
 * The local MovieLens mirror, or null: `$MOVIELENS_DIR` (relative to the working folder, as
 * the loader reads it), else `../shared/movielens` beside the repository (CI's mirror), found
 * from this file rather than the working folder. Tests that need it are skipped when null.
 */
export function mirrorDir(): string | null {
  const named = Deno.env.get("MOVIELENS_DIR");
  const dir = named
    ? resolve(named)
    : fileURLToPath(new URL("../../../shared/movielens", import.meta.url));
  try {
    return Deno.statSync(join(dir, "ml-100k", "u.data")).isFile ? dir : null;
  } catch {
    return null;
  }
}

/** A local HTTP server answering with the handler, for download tests. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Number of requests served so far. */
  requests: () => number;
  /** Stops the server and waits for it. */
  close: () => Promise<void>;
}

/**
 * Serves on 127.0.0.1 (port 0) and stops by itself after `maxRequests` requests or
 * `timeoutMs`, whichever comes first; `close()` stops it at once.
 */
export function serve(
  handler: (request: number) => Response | Promise<Response>,
  { maxRequests = 5, timeoutMs = 20_000 } = {},
): TestServer {
  const ac = new AbortController();
  let count = 0;
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    () => {
      count++;
      if (count > maxRequests) return new Response("too many requests", { status: 429 });
      return handler(count);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests: () => count,
    close: async () => {
      clearTimeout(timer);
      ac.abort();
      await server.finished;
    },
  };
}

/** A response whose body stops after `cut` bytes although Content-Length announces all. */
export function cutResponse(body: Uint8Array, cut: number): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(body.slice(0, cut));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-length": String(body.length) } });
}

/** The values of one column, loosely typed for assertions. */
export function col(
  df: { getColumn(name: string): { toArray(): unknown } },
  name: string,
): unknown[] {
  return df.getColumn(name).toArray() as unknown[];
}
