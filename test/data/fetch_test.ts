/**
 * fetchBytes() on a response made in memory: the bytes, the progress, and its timers.
 */
import { assertEquals } from "@std/assert";
import { fetchBytes, type InstallSpec } from "../../lib/data/_download.ts";

/** A spec whose fetch answers with `chunks`, one read each. */
function spec(chunks: Uint8Array[], seen: number[]): InstallSpec {
  const body = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
  return {
    name: "ml-100k",
    layout: "100k",
    url: "https://example.invalid/ml-100k.zip",
    cacheDir: "/nonexistent",
    cacheSource: "/nonexistent/ml-100k",
    fetch: () => Promise.resolve(new Response(body(), { headers: { "content-length": "6" } })),
    onProgress: (p) => seen.push(p.received),
    checksums: null,
    hint: "",
    stallTimeoutMs: 60_000,
    downloadTimeoutMs: 120_000,
  };
}

/** Runs `fn` with setTimeout and clearTimeout watched; returns its result and the timers left. */
async function watchingTimers<T>(fn: () => Promise<T>): Promise<{ result: T; left: number }> {
  const live = new Set<unknown>();
  type Timers = {
    setTimeout: (handler: () => void, ms?: number) => unknown;
    clearTimeout: (id?: unknown) => void;
  };
  const g = globalThis as unknown as Timers;
  const [set, clear] = [g.setTimeout, g.clearTimeout];
  g.setTimeout = (handler, ms) => {
    const id = set(() => {
      live.delete(id);
      handler();
    }, ms);
    live.add(id);
    return id;
  };
  g.clearTimeout = (id) => {
    live.delete(id);
    clear(id);
  };
  try {
    const result = await fn();
    return { result, left: live.size };
  } finally {
    [g.setTimeout, g.clearTimeout] = [set, clear];
    for (const id of live) clear(id);
  }
}

Deno.test("fetchBytes() joins the chunks, reports each, and leaves no timer running", async () => {
  const seen: number[] = [];
  const chunks = [Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6)];
  // Each chunk restarts the stall timer (the old one cleared); the end clears the last ones.
  const { result, left } = await watchingTimers(() => fetchBytes(spec(chunks, seen)));
  assertEquals(result, Uint8Array.of(1, 2, 3, 4, 5, 6));
  assertEquals(seen, [2, 3, 6]);
  assertEquals(left, 0, "timers still running after the download");
});
