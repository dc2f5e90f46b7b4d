import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import { loadMovieLens, ratingsFrame } from "../../../lib/data/mod.ts";
import { ML100K_TINY } from "../../data/_helpers.ts";
import type { MovieLens } from "../../../lib/data/mod.ts";
import { assertSplitName, makeSplit, SPLIT_NAMES } from "../../../tools/evaluate/named_splits.ts";

function fakeLatest(n: number): MovieLens {
  const ratings = ratingsFrame({
    userId: Array.from({ length: n }, (_, i) => 1 + Math.floor(i / 10)),
    movieId: Array.from({ length: n }, (_, i) => 1 + (i % 10)),
    rating: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
    timestamp: Array.from({ length: n }, (_, i) => 1000 + i),
  });
  return { name: "fake", layout: "latest", ratings } as unknown as MovieLens;
}

Deno.test("makeSplit() builds every random split with the advertised share", async () => {
  const ml = fakeLatest(200);
  for (const [name, test] of [["random80", 40], ["random85", 30], ["random90", 20]] as const) {
    const s = await makeSplit(ml, name);
    assertEquals([s.train.height, s.test.height], [200 - test, test], name);
  }
});

Deno.test("makeSplit() tail15 holds out the last rows, whose users are cold", async () => {
  const s = await makeSplit(fakeLatest(200), "tail15");
  assertEquals(s.test.height, 30);
  assertEquals(s.test.getColumn("userId").toArray()[0], 18);
  assertEquals(s.coldUsers, 30);
  assertEquals(s.coldMovies, 0);
});

Deno.test("makeSplit() tail15 calls itself a cold-start test only where the data make it one", async () => {
  const cold = await makeSplit(fakeLatest(200), "tail15");
  assertEquals(
    cold.description,
    "Keras' `validation_split=0.15` on the file as stored (ratings.csv is sorted by user id): " +
      "the last 15 % of the rows, so the test users are almost all absent from training — a " +
      "cold-start test",
  );
  // Users in turn, as a small folder may have them: every test user is also in training.
  const n = 200;
  const mixed = {
    name: "mixed",
    layout: "latest",
    ratings: ratingsFrame({
      userId: Array.from({ length: n }, (_, i) => 1 + (i % 10)),
      movieId: Array.from({ length: n }, (_, i) => 1 + Math.floor(i / 10)),
      rating: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
      timestamp: Array.from({ length: n }, (_, i) => 1000 + i),
    }),
  } as unknown as MovieLens;
  const warm = await makeSplit(mixed, "tail15");
  assertEquals(warm.coldUsers, 0);
  assertEquals(
    warm.description,
    "Keras' `validation_split=0.15` on the file as stored: the last 15 % of the rows",
  );
});

Deno.test("makeSplit() tail15 describes the shipped ml-latest-small as the committed results do", async () => {
  const s = await makeSplit(await loadMovieLens(), "tail15");
  const committed = JSON.parse(
    await Deno.readTextFile(new URL("../../../results/evaluation.json", import.meta.url)),
  ).splits.find((x: { split: string }) => x.split === "tail15");
  assertEquals(s.description, committed.description);
  assertEquals(s.coldUsers, committed.coldUsers);
});

Deno.test("makeSplit() is deterministic for a seed and changes with it", async () => {
  const ml = fakeLatest(200);
  const a = await makeSplit(ml, "mask80", { seed: 1 });
  const b = await makeSplit(ml, "mask80", { seed: 1 });
  const c = await makeSplit(ml, "mask80", { seed: 2 });
  const rows = (s: typeof a) => s.test.getColumn("timestamp").toArray().join();
  assertEquals(rows(a), rows(b));
  assertEquals(rows(a) === rows(c), false);
});

Deno.test("makeSplit() refuses u1 on a data set without ml-100k's fold files", async () => {
  await assertRejects(() => makeSplit(fakeLatest(20), "u1"), RangeError, "needs ml-100k's u1.base");
});

Deno.test("assertSplitName() lists the known splits", () => {
  assertEquals(assertSplitName("per-user"), "per-user");
  assertThrows(() => assertSplitName("random70"), RangeError, SPLIT_NAMES.join(", "));
});

Deno.test("makeSplit() per-user keeps users in training, temporal tests the latest", async () => {
  const perUser = await makeSplit(fakeLatest(200), "per-user");
  assertEquals([perUser.test.height, perUser.coldUsers, perUser.coldMovies], [40, 0, 0]);
  // 100 ratings in time order; the last 20 are users 9 and 10's, of movies 11–15: all cold.
  const ml = fakeLatest(100);
  const movies = Array.from({ length: 100 }, (_, i) => i < 80 ? 1 + (i % 10) : 11 + (i % 5));
  const late = { ...ml, ratings: ml.ratings.withColumn(pl.Series("movieId", movies)) };
  const temporal = await makeSplit(late, "temporal");
  const times = (s: typeof temporal, part: "train" | "test") =>
    s[part].getColumn("timestamp").toArray() as number[];
  assertEquals(temporal.test.height, 20);
  assertEquals(Math.min(...times(temporal, "test")) > Math.max(...times(temporal, "train")), true);
  assertEquals([temporal.coldUsers, temporal.coldMovies], [20, 20]);
});

Deno.test("makeSplit() u1 is ml-100k's published fold u1.base / u1.test", async () => {
  const s = await makeSplit(await loadMovieLens(ML100K_TINY), "u1");
  assertEquals([s.train.height, s.test.height], [6, 2]);
  assertEquals(s.test.row(0), [1, 3, 4, 878542960]);
});
