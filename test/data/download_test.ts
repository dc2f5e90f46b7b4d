import { assert, assertEquals, assertGreater, assertRejects } from "@std/assert";
import { strToU8 } from "fflate";
import { join } from "node:path";
import { type DownloadProgress, loadMovieLens, type LoadOptions } from "../../lib/data/mod.ts";
import { downloadAndInstall, type InstallSpec } from "../../lib/data/_download.ts";
import { md5Hex, sha256Hex } from "../../lib/data/_hash.ts";
import { exists } from "../../lib/_atomic_write.ts";
import { until } from "../_child.ts";
import {
  cutResponse,
  LATEST_TINY,
  listTree,
  ML100K_TINY,
  serve,
  withTempDir,
  zipFolder,
} from "./_helpers.ts";

const ZIP = await zipFolder(ML100K_TINY, "ml-100k/");
const zipResponse = () =>
  new Response(ZIP.slice(), { headers: { "content-length": String(ZIP.length) } });

/** Options that force the download path: an empty mirror folder and a fresh cache. */
async function downloadOptions(dir: string, url: string): Promise<LoadOptions> {
  await Deno.mkdir(join(dir, "empty-mirror"), { recursive: true });
  return {
    dir: join(dir, "empty-mirror"),
    cacheDir: join(dir, "cache"),
    url: `${url}/ml-100k.zip`,
    onProgress: () => {},
    onWarning: () => {}, // the tiny fixture is not the release its name claims
  };
}

Deno.test("loadMovieLens('ml-100k') downloads, installs into the cache and reports progress", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const progress: DownloadProgress[] = [];
      const options = await downloadOptions(dir, server.url);
      const ml = await loadMovieLens("ml-100k", {
        ...options,
        verify: false,
        onProgress: (p) => progress.push({ ...p }),
      });
      assertEquals(ml.origin, "download");
      assertEquals(ml.source, join(dir, "cache", "ml-100k"));
      assertEquals(ml.ratings.height, 8);
      assertGreater(progress.length, 0);
      assertEquals(progress.at(-1), { url: options.url!, received: ZIP.length, total: ZIP.length });
      const tree = await listTree(join(dir, "cache"));
      assertEquals(tree.filter((p) => !p.startsWith("ml-100k/")), ["ml-100k"]);
      assert(tree.includes("ml-100k/u.data") && tree.includes("ml-100k/u1.test"));
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') reads the cache on the next call without downloading", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      await loadMovieLens("ml-100k", options);
      const again = await loadMovieLens("ml-100k", options);
      assertEquals(again.origin, "cache");
      assertEquals(server.requests(), 1);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') rejects a download of the wrong size and leaves the cache empty", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = await downloadOptions(dir, server.url);
      const error = await assertRejects(() => loadMovieLens("ml-100k", options), RangeError);
      assert(error.message.includes(`checksum mismatch for ${options.url}`), error.message);
      assert(error.message.includes(`expected 4924029 bytes, found ${ZIP.length}`), error.message);
      assertEquals(await listTree(join(dir, "cache")), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') rejects a download with the right size but the wrong md5", async () => {
  const junk = new Uint8Array(4_924_029).fill(42);
  const server = serve(() => new Response(junk));
  try {
    await withTempDir(async (dir) => {
      const options = await downloadOptions(dir, server.url);
      const error = await assertRejects(() => loadMovieLens("ml-100k", options), RangeError);
      assert(
        error.message.includes("expected md5 0e33842e24a9c977be4e0107933c0723"),
        error.message,
      );
      assertEquals(await listTree(join(dir, "cache")), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') rejects a truncated download and writes nothing", async () => {
  const server = serve(() => cutResponse(ZIP, Math.floor(ZIP.length / 2)));
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const error = await assertRejects(
        () => loadMovieLens("ml-100k", options),
        Deno.errors.UnexpectedEof,
      );
      assert(error.message.includes(options.url!), error.message);
      assert(error.message.includes(`of ${ZIP.length} bytes`), error.message);
      assert(error.message.includes("nothing was written to the cache"), error.message);
      assertEquals(await listTree(join(dir, "cache")), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') succeeds on a retry after an interrupted download", async () => {
  const server = serve((n) => n === 1 ? cutResponse(ZIP, 100) : zipResponse());
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      await assertRejects(() => loadMovieLens("ml-100k", options), Deno.errors.UnexpectedEof);
      assertEquals(await listTree(join(dir, "cache")), []);
      const ml = await loadMovieLens("ml-100k", options);
      assertEquals([ml.origin, ml.ratings.height, server.requests()], ["download", 8, 2]);
      const tree = await listTree(join(dir, "cache"));
      assertEquals(tree.filter((p) => !p.startsWith("ml-100k/")), ["ml-100k"]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') refuses a downloaded zip with a zip-slip entry", async () => {
  const evil = await zipFolder(ML100K_TINY, "ml-100k/", { "../../escape.txt": strToU8("x") });
  const server = serve(() => new Response(evil.slice()));
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const error = await assertRejects(() => loadMovieLens("ml-100k", options), RangeError);
      assert(error.message.includes('zip-slip refused: entry "../../escape.txt"'), error.message);
      assertEquals(await listTree(dir), ["empty-mirror"]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') rejects a downloaded file that is not a zip", async () => {
  const server = serve(() => new Response("<html>not found</html>"));
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const error = await assertRejects(() => loadMovieLens("ml-100k", options), RangeError);
      assert(error.message.startsWith(`corrupt zip ${options.url}`), error.message);
      assertEquals(await listTree(join(dir, "cache")), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') offline says where to put the files", async () => {
  await withTempDir(async (dir) => {
    const options: LoadOptions = {
      ...await downloadOptions(dir, "http://127.0.0.1:9"),
      fetch: () => Promise.reject(new TypeError("dns error: no network")),
    };
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.NotFound,
    );
    for (
      const part of [
        "ml-100k is not available offline",
        "no network",
        "MOVIELENS_DIR",
        join(dir, "cache", "ml-100k"),
        "grouplens.org",
      ]
    ) assert(error.message.includes(part), `"${part}" not in: ${error.message}`);
    assertEquals(await listTree(join(dir, "cache")), []);
  });
});

Deno.test("loadMovieLens('ml-100k') turns a refused connection into the same offline error", async () => {
  const server = serve(zipResponse);
  const url = server.url;
  await server.close();
  await withTempDir(async (dir) => {
    const options = await downloadOptions(dir, url);
    await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.NotFound,
      "not available offline",
    );
  });
});

Deno.test("loadMovieLens('ml-100k') reports an HTTP error status", async () => {
  const server = serve(() => new Response("gone", { status: 404, statusText: "Not Found" }));
  try {
    await withTempDir(async (dir) => {
      const options = await downloadOptions(dir, server.url);
      await assertRejects(
        () => loadMovieLens("ml-100k", options),
        Deno.errors.NotFound,
        "failed with HTTP 404 Not Found",
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') with { download: false } lists where it looked", async () => {
  await withTempDir(async (dir) => {
    const options = { ...await downloadOptions(dir, "http://127.0.0.1:9"), download: false };
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", options),
      Deno.errors.NotFound,
    );
    assert(error.message.includes(join(dir, "empty-mirror", "ml-100k.zip")), error.message);
    assert(error.message.includes("downloads are off"), error.message);
  });
});

Deno.test("loadMovieLens('ml-100k') removes a stale partial download before installing", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const stale = join(dir, "cache", ".ml-100k-partial-old");
      await Deno.mkdir(stale, { recursive: true });
      await Deno.writeTextFile(join(stale, "u.data"), "half");
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await Deno.utime(stale, twoHoursAgo, twoHoursAgo);
      await loadMovieLens("ml-100k", options);
      const tree = await listTree(join(dir, "cache"));
      assertEquals(tree.filter((p) => !p.startsWith("ml-100k/")), ["ml-100k"]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') removes only its own stale partials, not the cache's other old entries", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      // Another data set's stale partial and a folder of the user's, both hours old.
      for (const name of [".ml-latest-small-partial-old", "notes"]) {
        await Deno.mkdir(join(dir, "cache", name), { recursive: true });
        await Deno.writeTextFile(join(dir, "cache", name, "a.txt"), "keep");
        await Deno.utime(join(dir, "cache", name), twoHoursAgo, twoHoursAgo);
      }
      await loadMovieLens("ml-100k", options);
      const tree = await listTree(join(dir, "cache"));
      assertEquals(tree.filter((p) => !p.startsWith("ml-100k/")), [
        ".ml-latest-small-partial-old",
        ".ml-latest-small-partial-old/a.txt",
        "ml-100k",
        "notes",
        "notes/a.txt",
      ]);
    });
  } finally {
    await server.close();
  }
});

/**
 * Starts a child process whose download of ml-100k into `cacheDir` never gets an answer (its
 * fetch never resolves), and waits until its partial folder is in the cache.
 * @returns The child and the partial folder's name.
 */
async function startStuckDownload(
  dir: string,
): Promise<{ child: Deno.ChildProcess; partial: string }> {
  const code = `
    import { loadMovieLens } from ${
    JSON.stringify(new URL("../../lib/data/mod.ts", import.meta.url).href)
  };
    await loadMovieLens("ml-100k", {
      dir: ${JSON.stringify(join(dir, "empty-mirror"))},
      cacheDir: ${JSON.stringify(join(dir, "cache"))},
      url: "http://127.0.0.1:9/ml-100k.zip",
      onProgress: () => {},
      fetch: () => new Promise(() => {}),
    });`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--ext=ts",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      code,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const partials = () => {
    try {
      return [...Deno.readDirSync(join(dir, "cache"))].map((e) => e.name)
        .filter((n) => n.startsWith(".ml-100k-partial-"));
    } catch {
      return [];
    }
  };
  try {
    await until(() => partials().length > 0, "the child's partial download folder");
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    throw e;
  }
  return { child, partial: partials()[0] };
}

Deno.test("loadMovieLens('ml-100k') removes the partial folder of a stopped download, not a running one's", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const { child, partial } = await startStuckDownload(dir);
      try {
        assert(partial.startsWith(`.ml-100k-partial-${child.pid}-`), partial);
        // A download beside a running one leaves the running one's folder alone.
        await loadMovieLens("ml-100k", options);
        assertEquals(
          (await listTree(join(dir, "cache"))).filter((p) => !p.startsWith("ml-100k/")),
          [partial, "ml-100k"].sort(),
        );
      } finally {
        child.kill("SIGINT"); // Ctrl-C mid-download: its clean-up never runs
        assertEquals((await child.status).signal, "SIGINT");
      }
      assert(await exists(join(dir, "cache", partial)), "the stopped download left its folder");
      // The next download (within the hour) removes it.
      await Deno.remove(join(dir, "cache", "ml-100k"), { recursive: true });
      await loadMovieLens("ml-100k", options);
      const tree = await listTree(join(dir, "cache"));
      assertEquals(tree.filter((p) => !p.startsWith("ml-100k/")), ["ml-100k"]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') keeps a running download's folder, however old", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      const { child, partial } = await startStuckDownload(dir);
      try {
        // A download that has run for two hours (a slow line, or a laptop that slept).
        const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
        await Deno.utime(join(dir, "cache", partial), twoHoursAgo, twoHoursAgo);
        await loadMovieLens("ml-100k", options);
        assert(await exists(join(dir, "cache", partial)), "the running download's folder is kept");
      } finally {
        child.kill("SIGKILL");
        await child.status;
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("loadMovieLens('ml-100k') refuses a download holding the other layout", async () => {
  const latest = await zipFolder(LATEST_TINY, "ml-latest-small/");
  const server = serve(() => new Response(latest.slice()));
  try {
    await withTempDir(async (dir) => {
      const options = { ...await downloadOptions(dir, server.url), verify: false };
      await assertRejects(
        () => loadMovieLens("ml-100k", options),
        RangeError,
        "holds the latest layout, expected ml-100k",
      );
      assertEquals(await listTree(join(dir, "cache")), []);
    });
  } finally {
    await server.close();
  }
});

// The archive-level and per-file checks with checksums of the tiny fixture, through the
// private installer (the public API only knows the official sums, which a test cannot serve).
function installSpec(dir: string, url: string, files: Record<string, string>): InstallSpec {
  return {
    name: "ml-100k",
    layout: "100k",
    url: `${url}/ml-100k.zip`,
    cacheDir: join(dir, "cache"),
    cacheSource: "passed as { cacheDir }",
    fetch,
    onProgress: () => {},
    checksums: { bytes: ZIP.length, md5: md5Hex(ZIP), files },
    hint: "",
    stallTimeoutMs: 30_000,
    downloadTimeoutMs: 600_000,
  };
}

Deno.test("the installer checks each extracted file's sha256 before renaming into the cache", async () => {
  const server = serve(zipResponse);
  try {
    await withTempDir(async (dir) => {
      const uData = sha256Hex(await Deno.readFile(join(ML100K_TINY, "u.data")));
      const wrong = installSpec(dir, server.url, { "u.data": uData, "u.item": "0".repeat(64) });
      const error = await assertRejects(() => downloadAndInstall(wrong), RangeError);
      assert(error.message.includes("checksum mismatch for"), error.message);
      assert(error.message.includes("ml-100k/u.item"), error.message);
      assertEquals(await listTree(join(dir, "cache")), []);
      const right = installSpec(dir, server.url, { "u.data": uData });
      assertEquals(await downloadAndInstall(right), join(dir, "cache", "ml-100k"));
      assert((await listTree(join(dir, "cache"))).includes("ml-100k/u.data"));
    });
  } finally {
    await server.close();
  }
});
