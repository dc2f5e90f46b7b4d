import { assert, assertEquals, assertRejects } from "@std/assert";
import { strToU8, zipSync } from "fflate";
import { join } from "node:path";
import { loadMovieLens, predefinedSplit } from "../../lib/data/mod.ts";
import {
  col,
  copyFolder,
  LATEST_TINY,
  listTree,
  ML100K_TINY,
  withTempDir,
  zipFolder,
} from "./_helpers.ts";

const RATINGS_HEADER = "userId,movieId,rating,timestamp\r\n";

/** Loads a copy of a fixture with some files replaced (or removed with null). */
async function loadEdited(
  fixture: string,
  edits: Record<string, string | Uint8Array | null>,
  options = {},
) {
  return await withTempDir(async (dir) =>
    await loadMovieLens(await copyFolder(fixture, join(dir, "data"), edits), options)
  );
}

/** Asserts that loading the edited fixture rejects with `cls` and a message holding each part. */
async function assertLoadFails(
  fixture: string,
  edits: Record<string, string | Uint8Array | null>,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error,
  parts: string[],
) {
  const error = await assertRejects(() => loadEdited(fixture, edits), cls);
  for (const part of parts) {
    assert(error.message.includes(part), `"${part}" not in: ${error.message}`);
  }
}

Deno.test("loadMovieLens() names the missing movies.csv and the folder", async () => {
  await assertLoadFails(LATEST_TINY, { "movies.csv": null }, Deno.errors.NotFound, [
    "movies.csv is missing in",
    "data",
    "needs ratings.csv and movies.csv",
  ]);
});

Deno.test("loadMovieLens() names the missing u.item of an ml-100k folder", async () => {
  await assertLoadFails(ML100K_TINY, { "u.item": null }, Deno.errors.NotFound, [
    "u.item is missing",
  ]);
});

Deno.test("loadMovieLens() rejects a path that does not exist, naming it", async () => {
  const error = await assertRejects(
    () => loadMovieLens("/nonexistent/movielens-folder"),
    Deno.errors.NotFound,
  );
  assert(error.message.includes("/nonexistent/movielens-folder"), error.message);
});

Deno.test("loadMovieLens() rejects a folder without MovieLens files and points at data subfolders", async () => {
  await withTempDir(async (dir) => {
    await copyFolder(ML100K_TINY, join(dir, "ml-100k"));
    const error = await assertRejects(() => loadMovieLens(dir), Deno.errors.NotFound);
    assert(error.message.includes("holds no MovieLens files"), error.message);
    assert(
      error.message.endsWith(`; its subfolder ml-100k has them: name it (${join(dir, "ml-100k")})`),
      error.message,
    );
    await copyFolder(ML100K_TINY, join(dir, "ml-100k-copy"));
    const two = await assertRejects(() => loadMovieLens(dir), Deno.errors.NotFound);
    assert(
      two.message.endsWith(
        `; its subfolders ml-100k, ml-100k-copy have them: name one (${join(dir, "ml-100k")})`,
      ),
      two.message,
    );
  });
});

Deno.test("loadMovieLens() rejects a ratings row with the wrong number of fields, naming file and line", async () => {
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": RATINGS_HEADER + "1,1,4.0,964982703\r\n1,3,4.5\r\n" },
    RangeError,
    ["ratings.csv line 3", "expected 4 fields", "found 3", '"1,3,4.5"'],
  );
});

Deno.test("loadMovieLens() rejects a non-numeric rating, naming file, line and value", async () => {
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": RATINGS_HEADER + "1,1,four,964982703\r\n" },
    RangeError,
    ["ratings.csv line 2", "expected a number for rating", '"four"'],
  );
});

Deno.test("loadMovieLens() rejects ratings off the data set's scale", async () => {
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": RATINGS_HEADER + "1,1,4.0,1\r\n1,3,5.5,2\r\n" },
    RangeError,
    ["ratings.csv line 3", "rating 5.5 is off the 0.5–5 scale"],
  );
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": RATINGS_HEADER + "1,1,3.7,1\r\n" },
    RangeError,
    ["line 2", "rating 3.7", "steps of 0.5"],
  );
  await assertLoadFails(ML100K_TINY, { "u.data": "1\t1\t4.5\t874965758\n" }, RangeError, [
    "u.data line 1",
    "rating 4.5 is off the 1–5 scale",
  ]);
  await assertLoadFails(ML100K_TINY, { "u.data": "1\t1\t0\t874965758\n" }, RangeError, [
    "rating 0 is off",
  ]);
});

Deno.test("loadMovieLens() rejects a non-integer or negative id, naming the column", async () => {
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": RATINGS_HEADER + "1.5,1,4.0,1\r\n" },
    RangeError,
    ["ratings.csv line 2", "expected an integer userId", '"1.5"'],
  );
  await assertLoadFails(ML100K_TINY, { "u.data": "1\t-3\t4\t874965758\n" }, RangeError, [
    "u.data line 1",
    "movieId",
    "-3",
  ]);
});

Deno.test("loadMovieLens() rejects an empty ratings file", async () => {
  await assertLoadFails(LATEST_TINY, { "ratings.csv": "" }, RangeError, [
    "ratings.csv",
    "found an empty file",
  ]);
  await assertLoadFails(LATEST_TINY, { "ratings.csv": "\r\n\r\n" }, RangeError, [
    "ratings.csv",
    "found only blank lines",
  ]);
  await assertLoadFails(ML100K_TINY, { "u.data": "" }, RangeError, [
    "u.data: expected at least one rating, found none (the file is empty)",
  ]);
  await assertLoadFails(ML100K_TINY, { "u.data": "\n" }, RangeError, [
    "u.data: expected at least one rating, found none (the file holds only blank lines)",
  ]);
});

Deno.test("loadMovieLens() says a ratings.csv holds only its header line, not that it is empty", async () => {
  for (const text of [RATINGS_HEADER, RATINGS_HEADER + "\r\n", "\ufeff" + RATINGS_HEADER]) {
    const error = await assertRejects(
      () => loadEdited(LATEST_TINY, { "ratings.csv": text }),
      RangeError,
    );
    assert(
      error.message.endsWith(
        "ratings.csv: expected at least one rating, found none (the file holds only its " +
          "header line)",
      ),
      error.message,
    );
    assert(!error.message.includes("empty"), error.message);
  }
});

Deno.test("loadMovieLens() rejects a ratings.csv with another header", async () => {
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": "user_id,item_id,rating,timestamp\r\n1,1,4,1\r\n" },
    RangeError,
    ["ratings.csv line 1", 'expected the header "userId,movieId,rating,timestamp"'],
  );
});

Deno.test("loadMovieLens() rejects an unterminated quote and a repeated movieId in movies.csv", async () => {
  const header = "movieId,title,genres\r\n";
  await assertLoadFails(
    LATEST_TINY,
    { "movies.csv": header + '1,"Toy Story (1995),Comedy\r\n' },
    RangeError,
    ["movies.csv line 2", "unterminated quoted field"],
  );
  await assertLoadFails(
    LATEST_TINY,
    { "movies.csv": header + "1,A (1995),Comedy\r\n1,B (1996),Drama\r\n" },
    RangeError,
    ["movies.csv line 3", "movieId 1 already appeared on line 2"],
  );
});

Deno.test("loadMovieLens() rejects a bad genre flag or release date in u.item", async () => {
  const item = await Deno.readTextFile(join(ML100K_TINY, "u.item"));
  const lines = item.split("\n");
  await assertLoadFails(
    ML100K_TINY,
    { "u.item": [lines[0].replace(/\|0$/, "|2"), ...lines.slice(1)].join("\n") },
    RangeError,
    ["u.item line 1", "genre flag Western", '"2"'],
  );
  await assertLoadFails(
    ML100K_TINY,
    { "u.item": [lines[0].replace("01-Jan-1995", "1995/01/01"), ...lines.slice(1)].join("\n") },
    RangeError,
    ["u.item line 1", "release date like 01-Jan-1995", "1995/01/01"],
  );
  await assertLoadFails(ML100K_TINY, { "u.item": "1|Toy Story (1995)|01-Jan-1995\n" }, RangeError, [
    "u.item line 1",
    "expected 24 fields",
  ]);
});

Deno.test("loadMovieLens() refuses a folder that mixes both layouts", async () => {
  await withTempDir(async (dir) => {
    const mixed = await copyFolder(LATEST_TINY, join(dir, "mixed"));
    await Deno.copyFile(join(ML100K_TINY, "u.data"), join(mixed, "u.data"));
    const error = await assertRejects(() => loadMovieLens(mixed), RangeError);
    assert(error.message.includes("mixes both layouts"), error.message);
  });
});

const DUPLICATED = RATINGS_HEADER +
  "1,1,4.0,100\r\n1,3,2.0,100\r\n1,1,1.5,300\r\n2,1,3.0,100\r\n1,1,5.0,200\r\n";

Deno.test("loadMovieLens() keeps the latest rating of a repeated pair and reports the count", async () => {
  const ml = await loadEdited(LATEST_TINY, { "ratings.csv": DUPLICATED }, { onWarning: () => {} });
  assertEquals(ml.duplicates, 2);
  assertEquals(ml.ratings.height, 3);
  assertEquals(col(ml.ratings, "rating"), [2, 1.5, 3]);
  assertEquals(col(ml.ratings, "timestamp"), [100, 300, 100]);
});

Deno.test("loadMovieLens() keeps every repeated row with { duplicates: 'keep' }", async () => {
  const ml = await loadEdited(LATEST_TINY, { "ratings.csv": DUPLICATED }, { duplicates: "keep" });
  assertEquals(ml.duplicates, 2);
  assertEquals(ml.ratings.height, 5);
});

Deno.test("loadMovieLens() throws on a repeated pair with { duplicates: 'error' }, naming ids and lines", async () => {
  const error = await assertRejects(
    () => loadEdited(LATEST_TINY, { "ratings.csv": DUPLICATED }, { duplicates: "error" }),
    RangeError,
  );
  for (const part of ["ratings.csv", "userId 1", "movieId 1", "lines 2 and 4", "2 repeated rows"]) {
    assert(error.message.includes(part), `"${part}" not in: ${error.message}`);
  }
});

Deno.test("loadMovieLens() rejects a truncated zip, naming it", async () => {
  await withTempDir(async (dir) => {
    const bytes = await zipFolder(LATEST_TINY, "ml-latest-small/");
    const zip = join(dir, "cut.zip");
    await Deno.writeFile(zip, bytes.slice(0, Math.floor(bytes.length / 2)));
    const error = await assertRejects(() => loadMovieLens(zip), RangeError);
    assert(error.message.startsWith(`corrupt zip ${zip}`), error.message);
    assert(error.message.includes("end-of-central-directory"), error.message);
  });
});

Deno.test("loadMovieLens() rejects a zip whose data were altered, naming the entry", async () => {
  await withTempDir(async (dir) => {
    const ratings = await Deno.readFile(join(LATEST_TINY, "ratings.csv"));
    const bytes = zipSync({ "ratings.csv": [ratings, { level: 0 }], "movies.csv": strToU8("x") });
    const text = new TextDecoder("latin1").decode(bytes);
    const at = text.indexOf("964982703"); // a timestamp inside the stored ratings.csv
    assert(at > 0);
    bytes[at] = 0x38; // "9" → "8": still a valid CSV, but not the bytes the CRC was taken of
    const zip = join(dir, "altered.zip");
    await Deno.writeFile(zip, bytes);
    const error = await assertRejects(() => loadMovieLens(zip), RangeError);
    assert(error.message.includes(`corrupt zip ${zip}`), error.message);
    assert(error.message.includes('entry "ratings.csv" fails its CRC-32 check'), error.message);
  });
});

Deno.test("loadMovieLens() rejects a zip whose compressed stream is damaged", async () => {
  await withTempDir(async (dir) => {
    const ratings = await Deno.readFile(join(LATEST_TINY, "ratings.csv"));
    const movies = await Deno.readFile(join(LATEST_TINY, "movies.csv"));
    const bytes = zipSync({ "ratings.csv": [ratings, { level: 9 }], "movies.csv": movies });
    for (let i = 50; i < 80; i++) bytes[i] ^= 0xff; // inside ratings.csv's deflate stream
    const zip = join(dir, "damaged.zip");
    await Deno.writeFile(zip, bytes);
    const error = await assertRejects(() => loadMovieLens(zip), RangeError);
    assert(error.message.startsWith(`corrupt zip ${zip}: entry "ratings.csv"`), error.message);
  });
});

Deno.test("loadMovieLens() rejects a file with a .zip name that is not a zip", async () => {
  await withTempDir(async (dir) => {
    const zip = join(dir, "fake.zip");
    await Deno.writeTextFile(zip, "userId,movieId,rating,timestamp\n1,1,4,1\n".repeat(5));
    const error = await assertRejects(() => loadMovieLens(zip), RangeError);
    assert(error.message.includes("not a zip"), error.message);
  });
});

for (const evil of ["../ratings.csv", "/etc/ratings.csv", "ml/../../x.csv", "C:\\x\\ratings.csv"]) {
  Deno.test(`loadMovieLens() refuses a zip entry named ${JSON.stringify(evil)} (zip-slip)`, async () => {
    await withTempDir(async (dir) => {
      const zip = join(dir, "evil.zip");
      await Deno.writeFile(
        zip,
        await zipFolder(LATEST_TINY, "ml-latest-small/", { [evil]: strToU8("1,1,4,1") }),
      );
      const before = await listTree(dir);
      const error = await assertRejects(() => loadMovieLens(zip), RangeError);
      assert(error.message.includes("zip-slip refused"), error.message);
      assert(error.message.includes(JSON.stringify(evil)), error.message);
      assertEquals(await listTree(dir), before);
    });
  });
}

Deno.test("loadMovieLens('ml-100k') rejects a mirror whose u.data fails its sha256", async () => {
  await withTempDir(async (dir) => {
    await copyFolder(ML100K_TINY, join(dir, "ml-100k"));
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", { dir, download: false, cacheDir: join(dir, "cache") }),
      RangeError,
    );
    assert(error.message.includes(`checksum mismatch for ${join(dir, "ml-100k", "u.data")}`));
    assert(error.message.includes("expected sha256 06416e59"), error.message);
    const options = { dir, verify: false, download: false, onWarning: () => {} };
    const ml = await loadMovieLens("ml-100k", options);
    assertEquals([ml.verified, ml.ratings.height], [false, 8]);
  });
});

Deno.test("loadMovieLens('ml-100k') rejects a mirror zip of the wrong size before reading it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "ml-100k.zip"), await zipFolder(ML100K_TINY, "ml-100k/"));
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", { dir, download: false, cacheDir: join(dir, "cache") }),
      RangeError,
    );
    assert(error.message.includes("expected 4924029 bytes"), error.message);
  });
});

Deno.test("loadMovieLens('ml-latest-small') rejects an archive in options.dir that fails its sha256", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(
      join(dir, "ml-latest-small.zip"),
      await zipFolder(LATEST_TINY, "ml-latest-small/"),
    );
    const error = await assertRejects(() => loadMovieLens("ml-latest-small", { dir }), RangeError);
    assert(error.message.includes("expected sha256 696d65a3"), error.message);
  });
});

Deno.test("loadMovieLens('ml-100k') refuses a folder of the other layout", async () => {
  await withTempDir(async (dir) => {
    await copyFolder(LATEST_TINY, join(dir, "ml-100k"));
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", { dir, verify: false, download: false }),
      RangeError,
    );
    assert(error.message.includes("found the latest layout"), error.message);
  });
});

Deno.test("loadMovieLens() rejects a source that is not a string", async () => {
  // deno-lint-ignore no-explicit-any
  await assertRejects(() => loadMovieLens(42 as any), TypeError, "expected");
});

Deno.test("loadMovieLens() rejects a rating of a movie not in movies.csv, naming it", async () => {
  const ratings = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));
  await assertLoadFails(
    LATEST_TINY,
    { "ratings.csv": ratings + "5,999,4.0,964982703\r\n" },
    RangeError,
    [
      "ratings.csv line 12: movieId 999 is not in ",
      "movies.csv",
      "1 unknown movieId in all, on 1 rating row",
    ],
  );
});

Deno.test("loadMovieLens() counts the unknown movieIds and lists the first five", async () => {
  const ratings = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));
  const extra = [901, 902, 901, 903, 904, 905, 906].map((m, i) =>
    `${9 + i},${m},3.0,${100 + i}\r\n`
  );
  await assertLoadFails(LATEST_TINY, { "ratings.csv": ratings + extra.join("") }, RangeError, [
    "line 12: movieId 901",
    "6 unknown movieIds in all (901, 902, 903, 904, 905, …), on 7 rating rows",
  ]);
});

Deno.test("loadMovieLens() rejects ratings with a movies.csv that lists no movies", async () => {
  await assertLoadFails(LATEST_TINY, { "movies.csv": "movieId,title,genres\r\n" }, RangeError, [
    "movies.csv: expected a row for each rated movie, found no movies",
    "ratings.csv holds 10 ratings",
  ]);
});

Deno.test("loadMovieLens() rejects a u.data or u1.test rating an item not in u.item", async () => {
  const uData = await Deno.readTextFile(join(ML100K_TINY, "u.data"));
  await assertLoadFails(ML100K_TINY, { "u.data": uData + "1\t77\t3\t889237700\n" }, RangeError, [
    "u.data line 9: movieId 77 is not in ",
    "u.item",
  ]);
  const u1 = await Deno.readTextFile(join(ML100K_TINY, "u1.test"));
  await withTempDir(async (dir) => {
    const path = await copyFolder(ML100K_TINY, join(dir, "data"), {
      "u1.test": u1 + "2\t78\t3\t889237700\n",
    });
    const ml = await loadMovieLens(path);
    const error = await assertRejects(() => predefinedSplit(ml, "u1"), RangeError);
    assert(error.message.includes("u1.test line 3: movieId 78 is not in "), error.message);
  });
});

Deno.test("loadMovieLens() reports dropped repeated pairs through onWarning", async () => {
  const seen: string[] = [];
  const ml = await loadEdited(LATEST_TINY, { "ratings.csv": DUPLICATED }, {
    onWarning: (m: string) => seen.push(m),
  });
  assertEquals(ml.duplicates, 2);
  assertEquals(seen.length, 1);
  for (
    const part of [
      "ratings.csv",
      "2 rating rows repeat",
      "userId 1 rated movieId 1 on lines 2 and 4",
      '{ duplicates: "keep" }',
    ]
  ) {
    assert(seen[0].includes(part), `"${part}" not in: ${seen[0]}`);
  }
  const kept: string[] = [];
  await loadEdited(LATEST_TINY, { "ratings.csv": DUPLICATED }, {
    duplicates: "keep",
    onWarning: (m: string) => kept.push(m),
  });
  assertEquals(kept, []);
});

Deno.test("loadMovieLens() rejects a zip holding a file twice, naming it", async () => {
  await withTempDir(async (dir) => {
    const ratings = await Deno.readFile(join(LATEST_TINY, "ratings.csv"));
    const movies = await Deno.readFile(join(LATEST_TINY, "movies.csv"));
    const bytes = zipSync({
      "ml/ratings.csv": ratings,
      "ml/movies.csv": movies,
      "ml/ratings.csX": strToU8("userId,movieId,rating,timestamp\n1,1,1.0,1\n"),
    });
    const text = new TextDecoder("latin1").decode(bytes);
    for (let at = text.indexOf("ratings.csX"); at >= 0; at = text.indexOf("ratings.csX", at + 1)) {
      bytes[at + 10] = "v".charCodeAt(0); // the name, in the local and the central header
    }
    const zip = join(dir, "twice.zip");
    await Deno.writeFile(zip, bytes);
    const error = await assertRejects(() => loadMovieLens(zip), RangeError);
    assert(error.message.includes(zip), error.message);
    assert(error.message.includes('two entries named "ml/ratings.csv"'), error.message);
  });
});

Deno.test("loadMovieLens() rejects a tag or link of a movie not in movies.csv, naming it", async () => {
  const tags = await Deno.readTextFile(join(LATEST_TINY, "tags.csv"));
  await assertLoadFails(
    LATEST_TINY,
    { "tags.csv": tags + "2,999,odd,1445714995\r\n" },
    RangeError,
    [
      "tags.csv line 4: movieId 999 is not in ",
      "1 unknown movieId in all, on 1 tag row. Expected every tagged movie to have a row",
    ],
  );
  const links = await Deno.readTextFile(join(LATEST_TINY, "links.csv"));
  await assertLoadFails(LATEST_TINY, { "links.csv": links + "999,0114709,862\r\n" }, RangeError, [
    "links.csv line 7: movieId 999 is not in ",
    "1 unknown movieId in all, on 1 link row. Expected every linked movie to have a row",
  ]);
});

Deno.test("loadMovieLens() rejects a movieId listed twice in links.csv, or an imdbId not of digits", async () => {
  const links = await Deno.readTextFile(join(LATEST_TINY, "links.csv"));
  await assertLoadFails(LATEST_TINY, { "links.csv": links + "1,0114709,862\r\n" }, RangeError, [
    "links.csv line 7: movieId 1 already appeared on line 2 (expected one row per movie)",
  ]);
  await assertLoadFails(
    LATEST_TINY,
    { "links.csv": links.replace("7,0114319,", "7,abc,") },
    RangeError,
    ['links.csv line 5: expected an imdbId of digits (such as 0114709), found "abc"'],
  );
  // Either id may be missing: null, as the release's empty tmdbIds are.
  const ml = await loadEdited(LATEST_TINY, { "links.csv": links.replace("7,0114319,", "7,,") });
  assertEquals(col(ml.links!, "imdbId"), ["0114709", "0113228", "0112346", null, "0105946"]);
  assertEquals(col(ml.links!, "tmdbId"), [862, 15602, 9087, null, null]);
});
