/**
 * Damaged data that checksums cannot catch (a source given as a path, or `verify: false`): a
 * file cut inside its last row is refused, and a folder whose own description (u.info,
 * README) names a release it no longer matches is reported and labelled as modified.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { loadMovieLens, type LoadOptions } from "../../lib/data/mod.ts";
import { copyFolder, LATEST_TINY, mirrorDir, ML100K_TINY, withTempDir } from "./_helpers.ts";

const MIRROR = mirrorDir();
const noMirror = MIRROR === null;

/** Loads a copy of a fixture, with some files replaced, from a folder named `name`. */
async function loadCopy(
  fixture: string,
  edits: Record<string, string | Uint8Array | null>,
  options: LoadOptions = {},
  name = "data",
) {
  return await withTempDir(async (dir) =>
    await loadMovieLens(await copyFolder(fixture, join(dir, name), edits), options)
  );
}

/** Collects the warnings of one load. */
function warnings(): { options: LoadOptions; seen: string[] } {
  const seen: string[] = [];
  return { options: { onWarning: (m) => seen.push(m) }, seen };
}

function assertIncludesAll(text: string, parts: string[]) {
  for (const part of parts) assert(text.includes(part), `"${part}" not in: ${text}`);
}

const U_DATA = await Deno.readTextFile(join(ML100K_TINY, "u.data"));
const RATINGS_CSV = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));

Deno.test("loadMovieLens() refuses a u.data cut inside the timestamp of its last row, naming file and line", async () => {
  const cut = U_DATA.slice(0, U_DATA.lastIndexOf("\t") + 3); // "3\t1\t3\t88"
  const error = await assertRejects(() => loadCopy(ML100K_TINY, { "u.data": cut }), RangeError);
  assertIncludesAll(error.message, [
    join("data", "u.data"),
    "line 8",
    'last field "88"',
    "cut short",
  ]);
});

Deno.test("loadMovieLens() refuses a CRLF ratings.csv cut inside its last row", async () => {
  const cut = RATINGS_CSV.trimEnd().slice(0, -5); // "4,50,1.0,9869"
  const error = await assertRejects(
    () => loadCopy(LATEST_TINY, { "ratings.csv": cut }),
    RangeError,
  );
  assertIncludesAll(error.message, ["ratings.csv line 11", '"9869"', "cut short"]);
});

Deno.test("loadMovieLens() refuses a u.user cut inside its last zip code", async () => {
  const text = await Deno.readTextFile(join(ML100K_TINY, "u.user"));
  const error = await assertRejects(
    () => loadCopy(ML100K_TINY, { "u.user": text.trimEnd().slice(0, -2) }),
    RangeError,
  );
  assertIncludesAll(error.message, ["u.user line 3", '"320"', "cut short"]);
});

Deno.test("loadMovieLens() still reads a complete last row without a line end", async () => {
  const ml = await loadCopy(ML100K_TINY, { "u.data": U_DATA.trimEnd() });
  assertEquals(ml.ratings.height, 8);
});

Deno.test("loadMovieLens() warns when u.info claims more ratings than u.data holds, and labels the data modified", async () => {
  const { options, seen } = warnings();
  const info = "3 users\n4 items\n9 ratings\n";
  const ml = await loadCopy(ML100K_TINY, { "u.info": info }, options, "ml-100k");
  assertEquals(ml.ratings.height, 8);
  assertEquals(ml.release?.name, "ml-100k");
  assertEquals(ml.release?.differences, ["expected 9 ratings, found 8"]);
  assertEquals(ml.name, "ml-100k (modified)");
  assertEquals(seen.length, 1);
  assertIncludesAll(seen[0], ["u.info", "ml-100k", "expected 9 ratings, found 8"]);
});

Deno.test("loadMovieLens() finds nothing to report when the folder matches its own description", async () => {
  const { options, seen } = warnings();
  const ml = await loadCopy(ML100K_TINY, { "u.info": "3 users\n4 items\n8 ratings\n" }, options);
  assertEquals([ml.release?.name, ml.release?.differences, ml.name], ["ml-100k", [], "data"]);
  assertEquals(seen, []);
});

Deno.test("loadMovieLens() compares ratings, tags, movies and users with an ml-latest-small README", async () => {
  const { options, seen } = warnings();
  const readme = "This dataset (ml-latest-small) describes 5-star rating. It contains 12 ratings " +
    "and 2 tag applications across 6 movies. These data were created by 4 users between …\n";
  const ml = await loadCopy(LATEST_TINY, { "README.txt": readme }, options, "ml-latest-small");
  assertEquals(ml.release?.differences, [
    "expected 12 ratings, found 10",
    "expected 6 movies, found 5",
  ]);
  assertEquals(ml.name, "ml-latest-small (modified)");
  assertIncludesAll(seen[0], ["README.txt", "expected 12 ratings, found 10"]);
});

Deno.test("loadMovieLens() without a description compares a folder named ml-100k with the release", async () => {
  const { options, seen } = warnings();
  const ml = await loadCopy(ML100K_TINY, {}, options, "ml-100k");
  assertEquals(ml.release?.differences, [
    "expected 100,000 ratings, found 8",
    "expected 943 users, found 3",
    "expected 1,682 movies, found 4",
  ]);
  assertEquals(ml.name, "ml-100k (modified)");
  assertIncludesAll(seen[0], ["the folder name", "expected 100,000 ratings, found 8"]);
});

/** Copies the mirror's ml-100k (without the predefined splits) with some files replaced. */
async function mirrorCopy(dir: string, edits: Record<string, string | null>): Promise<string> {
  const from = join(MIRROR!, "ml-100k");
  const dest = join(dir, "ml-100k");
  await Deno.mkdir(dest);
  for (const name of ["README", "u.info", "u.data", "u.item", "u.user", "u.genre"]) {
    if (name in edits) {
      if (edits[name] !== null) await Deno.writeTextFile(join(dest, name), edits[name]!);
    } else await Deno.copyFile(join(from, name), join(dest, name));
  }
  return dest;
}

const MIRROR_DATA = noMirror ? "" : await Deno.readTextFile(join(MIRROR!, "ml-100k", "u.data"));

Deno.test({
  name:
    "loadMovieLens() refuses the mirror's u.data cut at byte 1,000,003, by path and with verify: false",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = await mirrorCopy(dir, { "u.data": MIRROR_DATA.slice(0, 1_000_003) });
      for (
        const load of [
          () => loadMovieLens(path),
          () => loadMovieLens("ml-100k", { dir, verify: false }),
        ]
      ) {
        const error = await assertRejects(load, RangeError);
        assertIncludesAll(error.message, [join(path, "u.data"), "line 50703", '"88"']);
      }
    });
  },
});

Deno.test({
  name:
    "loadMovieLens() says 'expected 100,000 ratings, found 50,703' for the mirror cut at a line end",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const cut = MIRROR_DATA.split("\n").slice(0, 50_703).join("\n") + "\n";
      const path = await mirrorCopy(dir, { "u.data": cut });
      for (
        const source of [
          [path, {}],
          ["ml-100k", { dir, verify: false }],
        ] as const
      ) {
        const { options, seen } = warnings();
        const ml = await loadMovieLens(source[0], { ...source[1], ...options });
        assertEquals(ml.ratings.height, 50_703);
        assertEquals(ml.release?.differences, ["expected 100,000 ratings, found 50,703"]);
        assertEquals([ml.name, ml.verified], ["ml-100k (modified)", false]);
        assertIncludesAll(seen.join("\n"), [join(path, "u.info"), "expected 100,000 ratings"]);
      }
    });
  },
});

Deno.test({
  name: "loadMovieLens() reports an edited rating that keeps the counts as a sha256 difference",
  ignore: noMirror,
  fn: async () => {
    await withTempDir(async (dir) => {
      const edited = MIRROR_DATA.replace(
        /^(\d+\t\d+\t)(\d)/,
        (_, a, r) => `${a}${r === "5" ? 4 : 5}`,
      );
      const path = await mirrorCopy(dir, { "u.data": edited });
      const { options, seen } = warnings();
      const ml = await loadMovieLens(path, options);
      assertEquals(ml.release?.differences, [
        `${join(path, "u.data")} is not the official file (its sha256 differs)`,
      ]);
      assertEquals(ml.name, "ml-100k (modified)");
      assertEquals(seen.length, 1);
    });
  },
});

Deno.test({
  name: "loadMovieLens() by path finds the mirror's untouched ml-100k to be the release, verified",
  ignore: noMirror,
  fn: async () => {
    const { options, seen } = warnings();
    const ml = await loadMovieLens(join(MIRROR!, "ml-100k"), options);
    assertEquals([ml.name, ml.verified, ml.release?.differences], ["ml-100k", true, []]);
    assertEquals(seen, []);
  },
});

Deno.test("loadMovieLens() finds the shipped archive to be the release its README describes", async () => {
  const { options, seen } = warnings();
  const ml = await loadMovieLens("ml-latest-small", options);
  assertEquals([ml.name, ml.release?.name, ml.release?.differences], [
    "ml-latest-small",
    "ml-latest-small",
    [],
  ]);
  assert(ml.release!.claimedBy.endsWith("README.txt"), ml.release!.claimedBy);
  assertEquals(seen, []);
});
