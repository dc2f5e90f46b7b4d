import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import pl from "nodejs-polars";
import { join } from "node:path";
import { loadMovieLens, ML100K_MISSING_YEAR, predefinedSplit } from "../../lib/data/mod.ts";
import { col, copyFolder, LATEST_TINY, ML100K_TINY, withTempDir, zipFolder } from "./_helpers.ts";

Deno.test("loadMovieLens() reads a folder in the ml-latest-small layout with the shared schema", async () => {
  const ml = await loadMovieLens(LATEST_TINY);
  assertEquals(ml.layout, "latest");
  assertEquals(ml.name, "latest_tiny");
  assertEquals(ml.origin, "path");
  assertEquals(ml.verified, false);
  assertEquals(ml.ratings.columns, ["userId", "movieId", "rating", "timestamp"]);
  assert(ml.ratings.schema.userId.equals(pl.Int32));
  assert(ml.ratings.schema.movieId.equals(pl.Int32));
  assert(ml.ratings.schema.rating.equals(pl.Float64));
  assert(ml.ratings.schema.timestamp.equals(pl.Int64));
  assertEquals(ml.ratings.height, 10);
  assertEquals(ml.ratings.row(1), [1, 3, 4.5, 964981247]);
  assertEquals(ml.ratingScale, { min: 0.5, max: 5, step: 0.5 });
  assertEquals(ml.duplicates, 0);
});

Deno.test("loadMovieLens() parses quoted titles, years from titles and genre lists", async () => {
  const { movies, genres } = await loadMovieLens(LATEST_TINY);
  assertEquals(movies.columns, ["movieId", "title", "genres", "year", "genreList"]);
  assertEquals(col(movies, "title"), [
    "Toy Story (1995)",
    "Grumpier Old Men (1995)",
    "American President, The (1995)",
    'Sabrina "Remake" (1995)',
    "Babylon 5",
  ]);
  assertEquals(col(movies, "year"), [1995, 1995, 1995, 1995, null]);
  assert(movies.schema.year.equals(pl.Int32));
  assertEquals(col(movies, "genreList"), [
    ["Adventure", "Animation", "Children", "Comedy", "Fantasy"],
    ["Comedy", "Romance"],
    ["Comedy", "Drama", "Romance"],
    ["Comedy", "Romance"],
    [],
  ]);
  assertEquals(col(movies, "genres")[4], "(no genres listed)");
  assertEquals(genres, [
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Drama",
    "Fantasy",
    "Romance",
  ]);
});

Deno.test("loadMovieLens() returns tags and links, keeping imdbId zeros and empty tmdbIds as null", async () => {
  const { tags, links } = await loadMovieLens(LATEST_TINY);
  assertEquals(tags!.columns, ["userId", "movieId", "tag", "timestamp"]);
  assertEquals(col(tags!, "tag"), ["funny, smart", "sci-fi"]);
  assertEquals(col(links!, "imdbId")[0], "0114709");
  assertEquals(col(links!, "tmdbId"), [862, 15602, 9087, null, null]);
});

Deno.test("loadMovieLens() reads the same data from a zip with a top folder as from the folder", async () => {
  await withTempDir(async (dir) => {
    const zip = join(dir, "ml-latest-small-2016.zip");
    await Deno.writeFile(zip, await zipFolder(LATEST_TINY, "ml-latest-small/"));
    const fromZip = await loadMovieLens(zip);
    const fromDir = await loadMovieLens(LATEST_TINY);
    assertEquals(fromZip.name, "ml-latest-small-2016");
    assertEquals(fromZip.source, zip);
    assert(fromZip.ratings.frameEqual(fromDir.ratings));
    assert(fromZip.movies.frameEqual(fromDir.movies));
  });
});

Deno.test("loadMovieLens() accepts any folder name: the layout is detected from the files", async () => {
  await withTempDir(async (dir) => {
    const older = await copyFolder(LATEST_TINY, join(dir, "movielens 2016 release"), {
      "tags.csv": null,
      "links.csv": null,
    });
    const ml = await loadMovieLens(older);
    assertEquals(ml.layout, "latest");
    assertEquals(ml.name, "movielens 2016 release");
    assertEquals(ml.tags, undefined);
    assertEquals(ml.links, undefined);
    assertEquals(ml.ratings.height, 10);
  });
});

Deno.test("loadMovieLens() reads the ml-100k layout into the same ratings schema", async () => {
  const ml = await loadMovieLens(ML100K_TINY);
  assertEquals(ml.layout, "100k");
  assertEquals(ml.ratings.columns, ["userId", "movieId", "rating", "timestamp"]);
  assert(ml.ratings.schema.userId.equals(pl.Int32));
  assert(ml.ratings.schema.timestamp.equals(pl.Int64));
  assertEquals(ml.ratings.height, 8);
  assertEquals(ml.ratings.row(0), [1, 1, 5, 874965758]);
  assertEquals(ml.ratingScale, { min: 1, max: 5, step: 1 });
});

Deno.test("loadMovieLens() decodes u.item as Latin-1 and builds genres from the 19 flags", async () => {
  const { movies, genres } = await loadMovieLens(ML100K_TINY);
  assertEquals(movies.columns, [
    "movieId",
    "title",
    "genres",
    "year",
    "genreList",
    "releaseDate",
    "imdbUrl",
  ]);
  assertEquals(col(movies, "title")[2], "Misérables, Les (1995)");
  assertEquals(col(movies, "genres"), [
    "Animation|Children's|Comedy",
    "Action|Adventure|Thriller",
    "Drama|Musical|War",
    "unknown",
  ]);
  assertEquals(col(movies, "genreList")[2], ["Drama", "Musical", "War"]);
  assertEquals(genres.length, 19);
  assertEquals(genres[4], "Children's");
});

Deno.test("loadMovieLens() gives ml-100k items without a release date the year 1920", async () => {
  const { movies } = await loadMovieLens(ML100K_TINY);
  assertEquals(ML100K_MISSING_YEAR, 1920);
  assertEquals(col(movies, "year"), [1995, 1995, 1995, 1920]);
  assertEquals(col(movies, "releaseDate"), [
    "01-Jan-1995",
    "01-Jan-1995",
    "01-Jan-1995",
    null,
  ]);
  assertEquals(col(movies, "imdbUrl")[3], null);
});

Deno.test("loadMovieLens() reads u.user, u.genre and u.occupation", async () => {
  const ml = await loadMovieLens(ML100K_TINY);
  assertEquals(ml.users!.columns, ["userId", "age", "gender", "occupation", "zipCode"]);
  assertEquals(ml.users!.row(1), [2, 53, "F", "other", "94043"]);
  assertEquals(ml.occupations, ["other", "technician", "writer"]);
  assertEquals(ml.genres[0], "unknown");
  assertEquals(ml.genres[18], "Western");
});

Deno.test("predefinedSplit() loads u1.base/u1.test lazily and lists only complete pairs", async () => {
  const ml = await loadMovieLens(ML100K_TINY);
  assertEquals(ml.predefinedSplits!.names, ["u1"]);
  const { train, test } = await predefinedSplit(ml, "u1");
  assertEquals(train.height, 6);
  assertEquals(test.height, 2);
  assertEquals(test.columns, ["userId", "movieId", "rating", "timestamp"]);
  assertEquals(test.row(0), [1, 3, 4, 878542960]);
  assertEquals(await predefinedSplit(ml, "u1"), { train, test });
});

Deno.test("predefinedSplit() rejects a split the data set does not have", async () => {
  const ml100k = await loadMovieLens(ML100K_TINY);
  const e1 = await predefinedSplit(ml100k, "u3").catch((e) => e);
  assert(e1 instanceof RangeError);
  assert(e1.message.includes('"u3"') && e1.message.includes("u1"), e1.message);
  const latest = await loadMovieLens(LATEST_TINY);
  const e2 = await predefinedSplit(latest, "u1").catch((e) => e);
  assert(e2 instanceof RangeError);
  assert(e2.message.includes("no predefined splits"), e2.message);
});

Deno.test("loadMovieLens() loads ml-100k from options.dir holding an ml-100k.zip", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(join(dir, "ml-100k.zip"), await zipFolder(ML100K_TINY, "ml-100k/"));
    const options = { dir, verify: false, download: false, onWarning: () => {} };
    const ml = await loadMovieLens("ml-100k", options);
    // The tiny fixture is not the release its name claims: results say so.
    assertEquals(ml.name, "ml-100k (modified)");
    assertEquals(ml.origin, "dir");
    assertEquals(ml.source, join(dir, "ml-100k.zip"));
    assertEquals(ml.ratings.height, 8);
    assertEquals((await predefinedSplit(ml, "u1")).train.height, 6);
  });
});

Deno.test("loadMovieLens() prefers options.dir over the cache, and the cache over a download", async () => {
  await withTempDir(async (dir) => {
    await copyFolder(ML100K_TINY, join(dir, "mirror", "ml-100k"));
    await copyFolder(ML100K_TINY, join(dir, "cache", "ml-100k"), {
      "u.data": "1\t1\t5\t874965758\n",
    });
    const opts = {
      cacheDir: join(dir, "cache"),
      verify: false,
      download: false,
      onWarning: () => {}, // the tiny fixture is not the release its name claims
    };
    const fromDir = await loadMovieLens("ml-100k", { ...opts, dir: join(dir, "mirror") });
    assertEquals([fromDir.origin, fromDir.ratings.height], ["dir", 8]);
    // An options.dir without ml-100k replaces MOVIELENS_DIR, so the cache is next.
    await Deno.mkdir(join(dir, "other"));
    const fromCache = await loadMovieLens("ml-100k", { ...opts, dir: join(dir, "other") });
    assertEquals([fromCache.origin, fromCache.ratings.height], ["cache", 1]);
  });
});

Deno.test("loadMovieLens('ml-latest-small') reads options.dir before the shipped archive", async () => {
  await withTempDir(async (dir) => {
    await copyFolder(LATEST_TINY, join(dir, "ml-latest-small"));
    const ml = await loadMovieLens("ml-latest-small", { dir, verify: false, onWarning: () => {} });
    assertEquals([ml.origin, ml.ratings.height], ["dir", 10]);
  });
});

Deno.test("loadMovieLens() keeps half-star ratings exact", async () => {
  const { ratings } = await loadMovieLens(LATEST_TINY);
  const values = col(ratings, "rating") as number[];
  assertAlmostEquals(values.reduce((a, b) => a + b, 0) / values.length, 3.3, 1e-12);
});

Deno.test("loadMovieLens() reads ratings alike with a BOM, LF or CRLF line ends, blank tails and no final newline", async () => {
  const crlf = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));
  const reference = (await loadMovieLens(LATEST_TINY)).ratings;
  const variants = [
    crlf.replaceAll("\r\n", "\n"),
    "\uFEFF" + crlf,
    crlf.trimEnd(),
    crlf + "\r\n\r\n",
    crlf.replaceAll(",", ", "),
  ];
  for (const text of variants) {
    const ml = await withTempDir(async (dir) =>
      await loadMovieLens(await copyFolder(LATEST_TINY, join(dir, "v"), { "ratings.csv": text }))
    );
    assert(ml.ratings.frameEqual(reference), JSON.stringify(text.slice(0, 60)));
  }
});

Deno.test("loadMovieLens() skips blank and whitespace-only lines between ratings, and reads a movies.csv with a BOM", async () => {
  const ratings = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));
  const movies = await Deno.readTextFile(join(LATEST_TINY, "movies.csv"));
  const reference = await loadMovieLens(LATEST_TINY);
  const second = ratings.indexOf("\n", ratings.indexOf("\n") + 1) + 1; // after the first row
  const ml = await withTempDir(async (dir) =>
    await loadMovieLens(
      await copyFolder(LATEST_TINY, join(dir, "v"), {
        "ratings.csv": ratings.slice(0, second) + "\r\n   \r\n" + ratings.slice(second),
        "movies.csv": "\uFEFF" + movies,
      }),
    )
  );
  assert(ml.ratings.frameEqual(reference.ratings), "every rating after the blank lines is read");
  assert(ml.movies.frameEqual(reference.movies), "the BOM is not part of the header");
});

Deno.test("loadMovieLens() refuses a rating row with a fifth field, a too large id and text after a closing quote", async () => {
  const ratings = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));
  const movies = await Deno.readTextFile(join(LATEST_TINY, "movies.csv"));
  const second = ratings.indexOf("\n", ratings.indexOf("\n") + 1) + 1;
  const withRow = (row: string) => ratings.slice(0, second) + row + "\r\n" + ratings.slice(second);
  const cases: [Record<string, string>, string][] = [
    [
      { "ratings.csv": withRow("1,2,4.0,964982703,9") },
      'ratings.csv line 3: expected 4 fields separated by commas, found 5: "1,2,4.0,964982703,9"',
    ],
    [
      { "ratings.csv": withRow("99999999999999999,2,4.0,964982703") },
      "ratings.csv line 3: userId 99999999999999999 is too large",
    ],
    [
      { "movies.csv": movies.replace(/"([^"]*)",/, '"$1"x,') },
      'movies.csv line 4: expected commas after a closing quote, found "x"',
    ],
  ];
  for (const [edits, message] of cases) {
    await assertRejects(
      () =>
        withTempDir(async (dir) =>
          await loadMovieLens(await copyFolder(LATEST_TINY, join(dir, "v"), edits))
        ),
      RangeError,
      message,
    );
  }
});
