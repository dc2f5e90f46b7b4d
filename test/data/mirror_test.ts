/**
 * Tests on the real data: the shipped ml-latest-small archive and the local mirror named by
 * MOVIELENS_DIR (CI sets `../shared/movielens`). The mirror tests are skipped without it.
 */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreaterOrEqual,
  assertRejects,
} from "@std/assert";
import { zipSync } from "fflate";
import { join, relative } from "node:path";
import { runWithEnv } from "../_child.ts";
import {
  fileSha256,
  loadMovieLens,
  MOVIELENS_CHECKSUMS,
  predefinedSplit,
  shippedArchivePath,
  summarize,
  topCrosstab,
  userStats,
} from "../../lib/data/mod.ts";
import { col, mirrorDir, withTempDir } from "./_helpers.ts";

const MIRROR = mirrorDir();
const noMirror = MIRROR === null;

Deno.test("the shipped ml-latest-small.zip has the official sha256", async () => {
  assertEquals(
    await fileSha256(shippedArchivePath()),
    "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
  );
});

Deno.test("loadMovieLens() loads the shipped 2018 ml-latest-small with its reference counts", async () => {
  const ml = await loadMovieLens();
  assertEquals([ml.name, ml.layout, ml.origin, ml.verified], [
    "ml-latest-small",
    "latest",
    "shipped",
    true,
  ]);
  const s = summarize(ml);
  assertEquals([s.ratings, s.users, s.ratedMovies, s.movies], [100_836, 610, 9_724, 9_742]);
  assertEquals(ml.tags!.height, 3_683);
  assertEquals(ml.links!.height, 9_742);
  assertEquals([s.ratingMin, s.ratingMax], [0.5, 5]);
  assertAlmostEquals(s.ratingMean, 3.5, 0.01);
  assertEquals(ml.duplicates, 0);
  assertEquals(col(ml.movies, "title")[0], "Toy Story (1995)");
});

Deno.test("topCrosstab() on ml-latest-small shows the 15 most active users and most rated movies", async () => {
  const { ratings } = await loadMovieLens();
  const table = topCrosstab(ratings, { n: 15 });
  assertEquals([table.height, table.width], [15, 16]);
  const top = (col(userStats(ratings).head(15), "userId") as number[]).sort((a, b) => a - b);
  assertEquals([...(col(table, "userId") as number[])].sort((a, b) => a - b), top);
  const firstRow = new Map<number, number>();
  (col(ratings, "userId") as number[]).forEach((u, i) => firstRow.has(u) || firstRow.set(u, i));
  const order = (col(table, "userId") as number[]).map((u) => firstRow.get(u)!);
  assertEquals(order, [...order].sort((a, b) => a - b));
  assert(table.columns.includes("356"), "Forrest Gump (356), the most rated movie, is a column");
});

Deno.test({
  name: "the mirror's ml-100k files have the official sha256",
  ignore: noMirror,
  fn: async () => {
    for (const [name, sum] of Object.entries(MOVIELENS_CHECKSUMS["ml-100k"].files)) {
      assertEquals(await fileSha256(join(MIRROR!, "ml-100k", name)), sum, name);
    }
  },
});

Deno.test({
  name: "loadMovieLens('ml-100k') reads the mirror with the reference counts",
  ignore: noMirror,
  fn: async () => {
    const ml = await loadMovieLens("ml-100k", { dir: MIRROR!, download: false });
    assertEquals([ml.layout, ml.origin, ml.verified], ["100k", "dir", true]);
    const s = summarize(ml);
    assertEquals([s.ratings, s.users, s.ratedMovies, s.movies], [100_000, 943, 1_682, 1_682]);
    assertEquals([s.ratingMin, s.ratingMax], [1, 5]);
    assertGreaterOrEqual(s.ratingsPerUser.min, 20);
    assertAlmostEquals(s.ratingMean, 3.53, 0.01);
    assertEquals(ml.users!.height, 943);
    assertEquals(ml.genres.length, 19);
    assertEquals(ml.occupations!.length, 21);
    const titles = col(ml.movies, "title") as string[];
    assertEquals(titles[49], "Star Wars (1977)");
    assert(titles.includes("Misérables, Les (1995)"), "Latin-1 titles are decoded");
    const item267 = (col(ml.movies, "movieId") as number[]).indexOf(267);
    assertEquals([titles[item267], col(ml.movies, "year")[item267]], ["unknown", 1920]);
  },
});

Deno.test({
  name: "predefinedSplit() reads ml-100k's u1–u5 folds and ua/ub holdouts with their sizes",
  ignore: noMirror,
  fn: async () => {
    const ml = await loadMovieLens("ml-100k", { dir: MIRROR!, download: false });
    assertEquals(ml.predefinedSplits!.names, ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]);
    let testRows = 0;
    for (const name of ["u1", "u2", "u3", "u4", "u5"] as const) {
      const { train, test } = await predefinedSplit(ml, name);
      assertEquals([train.height, test.height], [80_000, 20_000], name);
      testRows += test.height;
    }
    assertEquals(testRows, 100_000);
    const ua = await predefinedSplit(ml, "ua");
    assertEquals([ua.train.height, ua.test.height], [90_570, 9_430]);
  },
});

/** Runs a snippet in a fresh `deno eval` with only the given environment; returns its JSON output. */
async function evalWith(code: string, env: Record<string, string>): Promise<unknown> {
  return JSON.parse(await runWithEnv(code, env, { clearEnv: true }));
}

const LOAD = new URL("../../lib/data/load.ts", import.meta.url).href;

Deno.test({
  name:
    "loadMovieLens('ml-100k') finds the mirror through MOVIELENS_DIR (a path relative to the cwd)",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const result = await evalWith(
        `import { loadMovieLens } from ${JSON.stringify(LOAD)};
         const ml = await loadMovieLens("ml-100k", { download: false });
         console.log(JSON.stringify([ml.origin, ml.source, ml.ratings.height]));`,
        { MOVIELENS_DIR: relative(Deno.cwd(), MIRROR!), MOVIELENS_CACHE: dir },
      );
      assertEquals(result, ["MOVIELENS_DIR", join(MIRROR!, "ml-100k"), 100_000]);
    });
  },
});

Deno.test("defaultCacheDir() prefers MOVIELENS_CACHE, then XDG_CACHE_HOME, then ~/.cache", async () => {
  const result = await evalWith(
    `import { defaultCacheDir } from ${JSON.stringify(LOAD)};
     const out = [defaultCacheDir()];
     Deno.env.set("XDG_CACHE_HOME", "/xdg");
     out.push(defaultCacheDir());
     Deno.env.set("MOVIELENS_CACHE", "/explicit/cache");
     out.push(defaultCacheDir());
     console.log(JSON.stringify(out));`,
    { HOME: "/home/reader" },
  );
  assertEquals(result, [
    "/home/reader/.cache/movielens-embeddings",
    "/xdg/movielens-embeddings",
    "/explicit/cache",
  ]);
});

Deno.test({
  name:
    "loadMovieLens('ml-100k') refuses an ml-100k.zip of the official files that is not the official archive",
  ignore: noMirror,
  fn: () =>
    withTempDir(async (dir) => {
      // Every file is the release's own, but the archive is packed anew (stored, not deflated):
      // its size and MD5 are not the release's, and verification names the archive.
      const files: Record<string, Uint8Array> = {};
      for await (const e of Deno.readDir(join(MIRROR!, "ml-100k"))) {
        if (e.isFile) files[e.name] = await Deno.readFile(join(MIRROR!, "ml-100k", e.name));
      }
      await Deno.writeFile(join(dir, "ml-100k.zip"), zipSync({ "ml-100k": files }, { level: 0 }));
      await assertRejects(
        () => loadMovieLens("ml-100k", { dir, download: false, verify: true }),
        RangeError,
        `checksum mismatch for ${join(dir, "ml-100k.zip")}: expected 4924029 bytes`,
      );
      // Without verification the same files load.
      const ml = await loadMovieLens("ml-100k", { dir, download: false, verify: false });
      assertEquals([ml.layout, ml.ratings.height], ["100k", 100_000]);
    }),
});
