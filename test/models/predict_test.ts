import pl from "nodejs-polars";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { buildModel, predict, predictRatings } from "../../lib/models/mod.ts";
import { movieId, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings();
const rec = buildModel("dot-bias", { ratings, factors: 3, yRange: [0, 5.5] });

Deno.test("predictRatings() gives one prediction per row, in the sigmoid range", () => {
  const pred = predictRatings(rec, ratings);
  assertEquals(pred.length, ratings.height);
  for (const p of pred) assertEquals(p > 0 && p < 5.5, true);
});

Deno.test("predict() agrees with predictRatings() and with any batch size", () => {
  const ids = {
    userIds: [userId(0), userId(3), userId(3)],
    movieIds: [movieId(1), movieId(2), movieId(5)],
  };
  const all = predictRatings(rec, ids);
  const small = predictRatings(rec, ids, { batchSize: 1 });
  for (let i = 0; i < 3; i++) {
    assertAlmostEquals(predict(rec, ids.userIds[i], ids.movieIds[i]), all[i], 1e-6);
    assertAlmostEquals(small[i], all[i], 1e-6);
  }
});

Deno.test("predictRatings() names unknown ids and rejects empty or ragged input", () => {
  assertThrows(() => predict(rec, 4242, movieId(0)), RangeError, "unknown user id 4242");
  assertThrows(() => predict(rec, userId(0), 17), RangeError, "unknown movie id 17");
  assertThrows(
    () => predictRatings(rec, { userIds: [userId(0)], movieIds: [] }),
    RangeError,
    "expected as many movieIds as userIds (1), found 0",
  );
  assertThrows(
    () => predictRatings(rec, { userIds: [], movieIds: [] }),
    RangeError,
    "at least one",
  );
  assertThrows(() => predictRatings(rec, ratings.head(0)), RangeError, "empty DataFrame");
  assertThrows(
    () => predictRatings(rec, pl.DataFrame({ user: [1], movieId: [2] })),
    TypeError,
    'expected a "userId" column',
  );
  assertThrows(
    () => predictRatings(rec, pl.DataFrame({ userId: [1.5], movieId: [2] })),
    TypeError,
    "integer ids",
  );
  assertThrows(
    () => predict(rec, NaN, movieId(0)),
    RangeError,
    "predict(): expected userId to be an integer, found NaN",
  );
  assertThrows(
    () => predictRatings(rec, [1, 2] as unknown as pl.DataFrame),
    TypeError,
    "DataFrame or",
  );
  assertThrows(() => predictRatings(rec, ratings, { batchSize: 0 }), RangeError, "batchSize");
});
