/**
 * Downloads that cannot finish end with an error instead of hanging: a stall (no bytes for a
 * while) and a total time limit, both naming the URL and the bytes received and leaving the
 * cache as it was. The cache folder is checked for writing before anything is fetched, and a
 * mirror folder (`MOVIELENS_DIR`, `options.dir`) that is missing or not a folder is named.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { loadMovieLens, type LoadOptions } from "../../lib/data/mod.ts";
import { listTree, ML100K_TINY, serve, withTempDir, zipFolder } from "./_helpers.ts";

const ZIP = await zipFolder(ML100K_TINY, "ml-100k/");

function assertIncludesAll(text: string, parts: string[]) {
  for (const part of parts) assert(text.includes(part), `"${part}" not in: ${text}`);
}

/** A body that sends `first` bytes, then `more` bytes every `everyMs` until `stop` resolves. */
function slowResponse(
  stop: Promise<void>,
  { first = 1000, more = 0, everyMs = 50 } = {},
): Response {
  let sent = false;
  let stopped = false;
  stop.then(() => (stopped = true));
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(ZIP.slice(0, first));
        return;
      }
      await Promise.race([stop, new Promise((r) => setTimeout(r, everyMs))]);
      if (stopped) controller.close();
      else if (more > 0) controller.enqueue(ZIP.slice(0, more));
    },
  });
  return new Response(stream, { headers: { "content-length": String(ZIP.length) } });
}

/** Runs `fn` against a server answering with `handler`, releasing slow bodies afterwards. */
async function withServer(
  handler: (stop: Promise<void>) => Response | Promise<Response>,
  fn: (url: string, dir: string, requests: () => number) => Promise<void>,
) {
  const stop = Promise.withResolvers<void>();
  const server = serve(() => handler(stop.promise));
  try {
    await withTempDir((dir) => fn(`${server.url}/ml-100k.zip`, dir, server.requests));
  } finally {
    stop.resolve();
    await server.close();
  }
}

async function downloadOptions(dir: string, url: string): Promise<LoadOptions> {
  await Deno.mkdir(join(dir, "empty-mirror"), { recursive: true });
  return {
    dir: join(dir, "empty-mirror"),
    cacheDir: join(dir, "cache"),
    url,
    verify: false,
    onProgress: () => {},
    onWarning: () => {},
  };
}

Deno.test("loadMovieLens('ml-100k') ends a stalled download naming the URL and the bytes received", async () => {
  await withServer((stop) => slowResponse(stop), async (url, dir) => {
    const options = { ...await downloadOptions(dir, url), stallTimeoutMs: 1000 };
    const started = performance.now();
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.TimedOut,
    );
    assert(performance.now() - started < 10_000, "the stall was not detected in time");
    assertIncludesAll(error.message, [
      `the download of ${url} stalled`,
      `after 1000 of ${ZIP.length} bytes`,
      "no data for 1 s",
      "stallTimeoutMs",
      "nothing was written to the cache",
    ]);
    assertEquals(await listTree(join(dir, "cache")), []);
  });
});

Deno.test("loadMovieLens('ml-100k') ends a download that is still trickling at its time limit", async () => {
  await withServer((stop) => slowResponse(stop, { more: 2, everyMs: 50 }), async (url, dir) => {
    const options = { ...await downloadOptions(dir, url), downloadTimeoutMs: 1500 };
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.TimedOut,
    );
    assertIncludesAll(error.message, [
      `the download of ${url} took longer than 1.5 s`,
      `of ${ZIP.length} bytes`,
      "downloadTimeoutMs",
    ]);
    assert(/received 1\d\d\d of/.test(error.message), error.message);
    assertEquals(await listTree(join(dir, "cache")), []);
  });
});

Deno.test("loadMovieLens('ml-100k') ends a download whose server never answers", async () => {
  await withServer((stop) => stop.then(() => new Response("late")), async (url, dir) => {
    const options = { ...await downloadOptions(dir, url), stallTimeoutMs: 300 };
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.TimedOut,
    );
    assertIncludesAll(error.message, [
      `the download of ${url} stalled`,
      "after 0 of an unknown number of bytes",
    ]);
    assertEquals(await listTree(dir), ["empty-mirror"]);
  });
});

Deno.test("loadMovieLens() rejects download time limits that are not positive integers", async () => {
  for (const bad of [{ stallTimeoutMs: 0 }, { downloadTimeoutMs: -1 }, { stallTimeoutMs: 1.5 }]) {
    const key = Object.keys(bad)[0];
    await assertRejects(() => loadMovieLens("ml-100k", bad), RangeError, key);
  }
});

Deno.test("loadMovieLens('ml-100k') checks the cache folder for writing before downloading, naming it", async () => {
  await withServer(() => new Response(ZIP.slice()), async (url, dir, requests) => {
    await Deno.writeTextFile(join(dir, "a-file"), "");
    const cacheDir = join(dir, "a-file", "cache");
    const options = { ...await downloadOptions(dir, url), cacheDir };
    const error = await assertRejects(() => loadMovieLens("ml-100k", options), Error);
    assertIncludesAll(error.message, [
      `the cache folder ${cacheDir} (passed as { cacheDir }) cannot be written`,
      "MOVIELENS_CACHE",
      "XDG_CACHE_HOME",
      "nothing was downloaded",
    ]);
    assertEquals(requests(), 0);
  });
});

const READ_ONLY = "/sys/movielens-cache-test";
const sysReadOnly = Deno.build.os === "linux" && (() => {
  try {
    Deno.mkdirSync(READ_ONLY);
    Deno.removeSync(READ_ONLY);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.PermissionDenied;
  }
})();

Deno.test({
  name: "loadMovieLens('ml-100k') names MOVIELENS_CACHE when the cache it sets is read-only",
  ignore: !sysReadOnly,
  fn: async () => {
    await withServer(() => new Response(ZIP.slice()), async (url, dir, requests) => {
      const { cacheDir: _, ...options } = await downloadOptions(dir, url);
      const script = `import { loadMovieLens } from ${
        JSON.stringify(new URL("../../lib/data/mod.ts", import.meta.url).href)
      };
        try { await loadMovieLens("ml-100k", ${JSON.stringify(options)}); }
        catch (e) { console.log(e.name + ": " + e.message); }`;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", script],
        env: { MOVIELENS_CACHE: READ_ONLY, NO_COLOR: "1" },
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assertIncludesAll(text, [
        `PermissionDenied: the cache folder ${READ_ONLY} (set by MOVIELENS_CACHE) cannot be written`,
        "Set MOVIELENS_CACHE to a writable folder",
      ]);
      assertEquals(requests(), 0);
    });
  },
});

/** Loads ml-100k in a child process with MOVIELENS_DIR set; returns what it printed. */
async function loadWithMirrorVariable(mirror: string): Promise<string> {
  const script = `import { loadMovieLens } from ${
    JSON.stringify(new URL("../../lib/data/mod.ts", import.meta.url).href)
  };
    try { await loadMovieLens("ml-100k", { download: false, onWarning: () => {} }); }
    catch (e) { console.log(e.name + ": " + e.message); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    env: { MOVIELENS_DIR: mirror, MOVIELENS_CACHE: `${mirror}-cache`, NO_COLOR: "1" },
  }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("loadMovieLens('ml-100k') says that MOVIELENS_DIR names a folder that does not exist", async () => {
  await withTempDir(async (dir) => {
    const text = await loadWithMirrorVariable(join(dir, "no-such-mirror"));
    assertIncludesAll(text, [
      `NotFound: MOVIELENS_DIR names ${join(dir, "no-such-mirror")}, which does not exist`,
    ]);
  });
});

Deno.test("loadMovieLens('ml-100k') says that MOVIELENS_DIR names a file, not a folder", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "mirror.txt"), "");
    const text = await loadWithMirrorVariable(join(dir, "mirror.txt"));
    assertIncludesAll(text, [
      `NotADirectory: MOVIELENS_DIR names ${
        join(dir, "mirror.txt")
      }, which is a file, not a folder`,
    ]);
  });
});

Deno.test("loadMovieLens() says that options.dir does not exist", async () => {
  for (const source of ["ml-100k", "ml-latest-small"]) {
    await assertRejects(
      () => loadMovieLens(source, { dir: "/no/such/mirror", download: false }),
      Deno.errors.NotFound,
      "options.dir names /no/such/mirror, which does not exist",
    );
  }
});
