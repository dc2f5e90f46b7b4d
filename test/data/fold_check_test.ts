/**
 * ml-100k's predefined splits are checked against the folder's own u.data: a row of
 * `<name>.base` / `<name>.test` that u.data lacks (same userId, movieId, rating and timestamp)
 * is refused, naming the file, its line, the row and the count, and so is a (userId, movieId)
 * pair in both files; u.data rows in neither file are a warning. The official folds pass (mirror test, skipped without the mirror).
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { loadMovieLens, type LoadOptions, predefinedSplit } from "../../lib/data/mod.ts";
import { copyFolder, mirrorDir, ML100K_TINY, withTempDir, zipFolder } from "./_helpers.ts";

const TINY_DATA = await Deno.readTextFile(join(ML100K_TINY, "u.data"));
const TINY_TEST = await Deno.readTextFile(join(ML100K_TINY, "u1.test"));

/** The lines of `text` whose first field is not `user`. */
function withoutUser(text: string, user: number): string {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith(`${user}\t`))
    .map((line) => `${line}\n`).join("");
}

/** Loads a copy of the tiny ml-100k folder with some files replaced; collects warnings. */
async function withTiny(
  edits: Record<string, string>,
  fn: (ml: Awaited<ReturnType<typeof loadMovieLens>>, warnings: string[]) => Promise<void>,
  options: LoadOptions = {},
): Promise<void> {
  await withTempDir(async (dir) => {
    const warnings: string[] = [];
    const path = await copyFolder(ML100K_TINY, join(dir, "folds"), edits);
    const ml = await loadMovieLens(path, { ...options, onWarning: (m) => warnings.push(m) });
    await fn(ml, warnings);
  });
}

function assertIncludesAll(text: string, parts: string[]): void {
  for (const part of parts) assert(text.includes(part), `"${part}" not in: ${text}`);
}

Deno.test("predefinedSplit() loads the tiny fixture's u1 without a warning: its folds are u.data's rows", async () => {
  await withTiny({}, async (ml, warnings) => {
    const { train, test } = await predefinedSplit(ml, "u1");
    assertEquals([train.height, test.height], [6, 2]);
    assertEquals(warnings, []);
  });
});

Deno.test("predefinedSplit() refuses fold rows that u.data lacks, naming the file, line, row and count", async () => {
  await withTiny({ "u.data": withoutUser(TINY_DATA, 1) }, async (ml) => {
    assertEquals([ml.ratings.height, ml.users!.height], [5, 3]);
    const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
    assertIncludesAll(error.message, [
      `${join(ml.source, "u1.base")} line 1: the rating userId 1, movieId 1, rating 5, ` +
      `timestamp 874965758 is not in ${join(ml.source, "u.data")}`,
      "no row there has the same userId, movieId, rating and timestamp",
      "3 rows of split u1 are not in u.data (2 in u1.base, 1 in u1.test)",
      "the release's mku.sh",
    ]);
  });
});

Deno.test("predefinedSplit() refuses a fold row whose rating or timestamp differs from u.data's", async () => {
  const cases = [
    ["2\t3\t3\t888551234", "rating 3, timestamp 888551234"],
    ["2\t3\t2\t888551235", "rating 2, timestamp 888551235"],
  ];
  for (const [row, shown] of cases) {
    const test = TINY_TEST.replace("2\t3\t2\t888551234", row);
    await withTiny({ "u1.test": test }, async (ml, warnings) => {
      const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
      assertIncludesAll(error.message, [
        `u1.test line 2: the rating userId 2, movieId 3, ${shown} is not in`,
        "1 row of split u1 is not in u.data (0 in u1.base, 1 in u1.test)",
      ]);
      assertEquals(warnings, []);
    });
  }
});

Deno.test("predefinedSplit() names the zip entry of a fold row that u.data lacks", async () => {
  await withTempDir(async (dir) => {
    const folder = await copyFolder(ML100K_TINY, join(dir, "folds"), {
      "u.data": withoutUser(TINY_DATA, 2),
    });
    const zip = join(dir, "folds.zip");
    await Deno.writeFile(zip, await zipFolder(folder, "ml-100k/"));
    const ml = await loadMovieLens(zip, { onWarning: () => {} });
    const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
    assertIncludesAll(error.message, [
      `${zip}:ml-100k/u1.base line 3: the rating userId 2, movieId 1,`,
      `is not in ${zip}:ml-100k/u.data`,
      "2 rows of split u1 are not in u.data (1 in u1.base, 1 in u1.test)",
    ]);
  });
});

Deno.test("predefinedSplit() warns about u.data ratings that are in neither file of the fold", async () => {
  const extra = "3\t3\t4\t889237700\n2\t4\t1\t889237800\n";
  await withTiny({ "u.data": TINY_DATA + extra }, async (ml, warnings) => {
    assertEquals(warnings, []);
    const { train, test } = await predefinedSplit(ml, "u1");
    assertEquals([train.height, test.height], [6, 2]);
    assertEquals(warnings.length, 1);
    assertIncludesAll(warnings[0], [
      `${join(ml.source, "u.data")}: 2 of its 10 ratings are in neither u1.base nor u1.test`,
      "(first: line 9, userId 3, movieId 3, rating 4, timestamp 889237700)",
      "split u1 leaves them out of both training and test",
    ]);
  });
});

Deno.test("predefinedSplit() checks folds against u.data as read, before the duplicate policy", async () => {
  // An older rating of (1, 1): dropped from ml.ratings under "last", yet a row of u.data, and
  // one of u1.base's two rows of that pair (the fold drops it too, with a warning).
  const older = "1\t1\t2\t870000000\n";
  const base = await Deno.readTextFile(join(ML100K_TINY, "u1.base"));
  await withTiny({ "u.data": TINY_DATA + older, "u1.base": base + older }, async (ml, w) => {
    assertEquals(ml.ratings.height, 8);
    assertEquals(w.length, 1); // the dropped repeated pair
    const { train, test } = await predefinedSplit(ml, "u1");
    assertEquals([train.height, test.height], [6, 2]);
    assertEquals(w.length, 2);
    assert(w[1].includes("u1.base"), w[1]);
  });
});

Deno.test("predefinedSplit() refuses a (userId, movieId) pair rated in both parts of a fold", async () => {
  // An older rating of (1, 1) (in u.data too) and u1.base's own row of (2, 1), in u1.test.
  const older = "1\t1\t2\t870000000\n";
  const test = TINY_TEST + older + "2\t1\t4\t888550871\n";
  await withTiny({ "u.data": TINY_DATA + older, "u1.test": test }, async (ml, warnings) => {
    const [base, tested] = [join(ml.source, "u1.base"), join(ml.source, "u1.test")];
    const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
    assertEquals(
      error.message,
      `${tested} line 3: userId 1, movieId 1 is also rated in ${base} (line 1); 2 (userId, ` +
        "movieId) pairs of split u1 are in both u1.base and u1.test, so a model would be " +
        "tested on ratings it was trained on. Expected each pair in one part only, as in the " +
        "published folds: remove each from one of the two files (the release's mku.sh makes " +
        "folds that way from u.data), or use another split",
    );
    assertEquals(warnings.length, 1); // u.data's repeated pair, when loading
  });
  // One pair, further down u1.base.
  await withTiny({ "u1.test": TINY_TEST + "3\t4\t5\t889237500\n" }, async (ml) => {
    const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
    assertIncludesAll(error.message, [
      "u1.test line 3: userId 3, movieId 4 is also rated in ",
      "u1.base (line 5); 1 (userId, movieId) pair of split u1 is in both u1.base and u1.test",
      "remove it from one of the two files",
    ]);
  });
});

const MIRROR = mirrorDir();

Deno.test({
  name: "predefinedSplit() refuses the mirror's u1 when user 1 is removed from u.data only " +
    "(272 rows), and passes the official folds without a warning",
  ignore: MIRROR === null,
  fn: async () => {
    const official = join(MIRROR!, "ml-100k");
    const warnings: string[] = [];
    const ml = await loadMovieLens(official, { onWarning: (m) => warnings.push(m) });
    for (const name of ml.predefinedSplits!.names) await predefinedSplit(ml, name);
    assertEquals(ml.predefinedSplits!.names.length, 7);
    assertEquals(warnings, []);
    await withTempDir(async (dir) => {
      const data = withoutUser(await Deno.readTextFile(join(official, "u.data")), 1);
      const path = await copyFolder(official, join(dir, "k_nouser1"), { "u.data": data });
      const edited = await loadMovieLens(path, { onWarning: () => {} });
      assertEquals(edited.ratings.height, 99_728);
      const error = await assertRejects(() => predefinedSplit(edited, "u1"), RangeError);
      assertIncludesAll(error.message, [
        `${join(path, "u1.base")} line 1: the rating userId 1, movieId 1, rating 5,`,
        "272 rows of split u1 are not in u.data (135 in u1.base, 137 in u1.test)",
      ]);
    });
  },
});
