/**
 * Every file of a release that has an official checksum is checked, not only the ratings,
 * items and users: in a mirror or the cache (an error naming the file, when the file is read;
 * a predefined split's files when that split is loaded), and for a source given as a path (a
 * difference from the release). Run against copies of the local mirror (skipped without it),
 * whose unchanged files are symbolic links so that a copy costs nothing.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import {
  fileSha256,
  loadMovieLens,
  type LoadOptions,
  MOVIELENS_CHECKSUMS,
  predefinedSplit,
} from "../../lib/data/mod.ts";
import { hashFiles } from "../../lib/data/_checksums.ts";
import { sha256Hex } from "../../lib/data/_hash.ts";
import { mirrorDir, withTempDir } from "./_helpers.ts";

const MIRROR = mirrorDir();
const noMirror = MIRROR === null;

/**
 * Makes `<dir>/<release>/` from the mirror's folder: edited files written, the others linked.
 * @returns The new folder.
 */
async function mirrorCopy(
  dir: string,
  edits: Record<string, string> = {},
  release = "ml-100k",
): Promise<string> {
  const from = join(MIRROR!, release);
  const dest = join(dir, release);
  await Deno.mkdir(dest, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name in edits) await Deno.writeTextFile(join(dest, entry.name), edits[entry.name]);
    else await Deno.symlink(join(from, entry.name), join(dest, entry.name));
  }
  return dest;
}

/** A mirror file's text with one edit that keeps it well formed. */
async function edited(name: string, release = "ml-100k"): Promise<string> {
  const text = await Deno.readTextFile(join(MIRROR!, release, name));
  const cut = text.split("\n");
  if (/^u[1-5ab]\.(base|test)$/.test(name)) return cut.slice(0, cut.length - 101).join("\n");
  return text.replace(/[a-z]/, (c) => c.toUpperCase());
}

const quiet: LoadOptions = { download: false, onWarning: () => {} };

function assertChecksumError(error: Error, path: string) {
  assert(error.message.includes(`checksum mismatch for ${path}`), error.message);
  assert(error.message.includes("expected sha256"), error.message);
}

Deno.test({
  name: "MOVIELENS_CHECKSUMS holds the sha256 of every file of the mirror's ml-100k release",
  ignore: noMirror,
  fn: async () => {
    const sums = MOVIELENS_CHECKSUMS["ml-100k"].files;
    const names: string[] = [];
    for await (const entry of Deno.readDir(join(MIRROR!, "ml-100k"))) names.push(entry.name);
    assertEquals(names.length, 23);
    for (const name of names) {
      assertEquals(sums[name], await fileSha256(join(MIRROR!, "ml-100k", name)), name);
    }
  },
});

Deno.test({
  name: "loadMovieLens('ml-100k') refuses a mirror whose u.genre, u.occupation, u.info or README " +
    "is not the official file, naming it",
  ignore: noMirror,
  fn: async () => {
    for (const name of ["u.genre", "u.occupation", "u.info", "README"]) {
      await withTempDir(async (dir) => {
        const path = await mirrorCopy(dir, { [name]: await edited(name) });
        const error = await assertRejects(
          () => loadMovieLens("ml-100k", { ...quiet, dir }),
          RangeError,
        );
        assertChecksumError(error, join(path, name));
      });
    }
  },
});

Deno.test({
  name: "predefinedSplit() refuses a verified mirror's u1.test cut at a line end, naming it, and " +
    "still loads the other splits",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = await mirrorCopy(dir, { "u1.test": await edited("u1.test") });
      const ml = await loadMovieLens("ml-100k", { ...quiet, dir });
      assertEquals([ml.verified, ml.ratings.height], [true, 100_000]);
      const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
      assertChecksumError(error, join(path, "u1.test"));
      assertEquals((await predefinedSplit(ml, "u2")).test.height, 20_000);
    });
  },
});

Deno.test({
  name: "loadMovieLens('ml-100k') from the cache refuses an edited ua.base when ua is loaded",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, "cache");
      const path = await mirrorCopy(cacheDir, { "ua.base": await edited("ua.base") });
      await Deno.mkdir(join(dir, "empty-mirror"));
      const ml = await loadMovieLens("ml-100k", {
        ...quiet,
        dir: join(dir, "empty-mirror"),
        cacheDir,
      });
      assertEquals(ml.origin, "cache");
      const error = await assertRejects(() => predefinedSplit(ml, "ua"), RangeError);
      assertChecksumError(error, join(path, "ua.base"));
      assert(error.message.includes(`delete ${path}`), error.message);
    });
  },
});

Deno.test({
  name: "loadMovieLens('ml-100k') refuses a mirror's or the cache's copy without u.item, naming " +
    "the file and what to do with that copy",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = await mirrorCopy(join(dir, "mirror"));
      await Deno.remove(join(path, "u.item"));
      const error = await assertRejects(
        () => loadMovieLens("ml-100k", { ...quiet, dir: join(dir, "mirror") }),
        Deno.errors.NotFound,
      );
      assert(error.message.startsWith(`u.item is missing in ${path}: `), error.message);
      assert(error.message.endsWith("; replace it with the official release"), error.message);
    });
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, "cache");
      const path = await mirrorCopy(cacheDir);
      await Deno.remove(join(path, "u.item"));
      await Deno.mkdir(join(dir, "empty-mirror"));
      const error = await assertRejects(
        () => loadMovieLens("ml-100k", { ...quiet, dir: join(dir, "empty-mirror"), cacheDir }),
        Deno.errors.NotFound,
      );
      assert(error.message.startsWith(`u.item is missing in ${path}: `), error.message);
      assert(error.message.endsWith(`; delete ${path} to download it again`), error.message);
    });
  },
});

Deno.test({
  name: "loadMovieLens() by path reports an edited u1.test or u.occupation as a difference from " +
    "ml-100k, not verified",
  ignore: noMirror,
  fn: async () => {
    for (const name of ["u1.test", "u.occupation"]) {
      await withTempDir(async (dir) => {
        const path = await mirrorCopy(dir, { [name]: await edited(name) });
        const seen: string[] = [];
        const ml = await loadMovieLens(path, { onWarning: (m) => seen.push(m) });
        assertEquals(ml.release?.differences, [
          `${join(path, name)} is not the official file (its sha256 differs)`,
        ]);
        assertEquals([ml.name, ml.verified, seen.length], ["ml-100k (modified)", false, 1]);
      });
    }
  },
});

Deno.test({
  name: "loadMovieLens('ml-100k', { verify: false }) reports an edited u.genre as a difference",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = await mirrorCopy(dir, { "u.genre": await edited("u.genre") });
      const ml = await loadMovieLens("ml-100k", { ...quiet, dir, verify: false });
      assertEquals(ml.release?.differences, [
        `${join(path, "u.genre")} is not the official file (its sha256 differs)`,
      ]);
      assertEquals(ml.verified, false);
    });
  },
});

Deno.test({
  name: "loadMovieLens('ml-latest-small') refuses an options.dir folder whose README.txt differs",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const readme = await edited("README.txt", "ml-latest-small");
      const path = await mirrorCopy(dir, { "README.txt": readme }, "ml-latest-small");
      const error = await assertRejects(
        () => loadMovieLens("ml-latest-small", { ...quiet, dir }),
        RangeError,
      );
      assertChecksumError(error, join(path, "README.txt"));
      const good = join(dir, "good");
      await mirrorCopy(good, {}, "ml-latest-small");
      const ml = await loadMovieLens("ml-latest-small", { ...quiet, dir: good });
      assertEquals([ml.origin, ml.verified], ["dir", true]);
    });
  },
});

Deno.test("hashFiles() reads each file once: checkUnread() and sha256() reuse a verified read", async () => {
  const contents: Record<string, Uint8Array> = {
    "a.csv": new TextEncoder().encode("1,2\n"),
    "b.csv": new TextEncoder().encode("3,4\n"),
  };
  const reads: string[] = [];
  const files = hashFiles({
    kind: "dir",
    path: "/data",
    names: new Set(Object.keys(contents)),
    read: (name) => (reads.push(name), Promise.resolve(contents[name])),
    label: (name) => `/data/${name}`,
  }, {
    sums: { "a.csv": sha256Hex(contents["a.csv"]), "b.csv": sha256Hex(contents["b.csv"]) },
    fix: "download it again",
  });
  await files.read("a.csv");
  await files.checkUnread(() => false);
  assertEquals(reads, ["a.csv", "b.csv"]);
  assertEquals(await files.sha256("a.csv"), sha256Hex(contents["a.csv"]));
  assertEquals(await files.sha256("b.csv"), sha256Hex(contents["b.csv"]));
  assertEquals(reads, ["a.csv", "b.csv"]);
});
