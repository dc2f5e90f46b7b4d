import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { ratingsFrame } from "../../../lib/data/mod.ts";
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
