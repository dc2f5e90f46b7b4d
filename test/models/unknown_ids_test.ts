// An unknown user or movie id is reported by the function the caller called, saying whether it
// is a user or a movie id, where it was found and how many are unknown: the encoder alone said
// "unknown id 3 (not in the 2 ids …)" for an encoder fitted without a name, and nothing named
// predict() or buildModel().

import pl from "nodejs-polars";
import { assertRejects, assertThrows } from "@std/assert";
import { IdEncoder } from "../../lib/data/encoder.ts";
import {
  buildModel,
  movieBiases,
  movieEmbeddings,
  predict,
  predictRatings,
  recommend,
  recommender,
  topKForUsers,
  train,
  userEmbeddings,
} from "../../lib/models/mod.ts";

const ratings = pl.DataFrame({ userId: [1, 2, 3], movieId: [5, 6, 7], rating: [4, 3, 2] });
const rec = buildModel("dot-bias", { ratings, factors: 2 });

Deno.test("buildModel() and recommender() name themselves, the role and the row of an id their encoders lack", () => {
  assertThrows(
    () => buildModel("dot", { ratings, users: IdEncoder.fit([1, 2]) }),
    RangeError,
    "buildModel(): ratings: unknown user id 3 in row 2 (1 of its 3 rows has a user id not " +
      "among the 2 user ids the encoder was fitted on)",
  );
  assertThrows(
    () => buildModel("dot", { ratings, movies: IdEncoder.fit([5]) }),
    RangeError,
    "buildModel(): ratings: unknown movie id 6 in row 1 (2 of its 3 rows have movie ids not " +
      "among the 1 movie ids the encoder was fitted on)",
  );
  assertThrows(
    () => recommender(rec.model, { users: IdEncoder.fit([1, 2]), movies: rec.movies, ratings }),
    RangeError,
    "recommender(): ratings: unknown user id 3 in row 2",
  );
});

Deno.test("predict(), predictRatings() and the recommenders name themselves and the role of an unknown id", () => {
  assertThrows(
    () => predict(rec, 9, 5),
    RangeError,
    "predict(): unknown user id 9 (not among the 3 user ids the encoder was fitted on)",
  );
  assertThrows(
    () => predict(rec, 1, 10),
    RangeError,
    "predict(): unknown movie id 10 (not among the 3 movie ids the encoder was fitted on)",
  );
  const bad = pl.DataFrame({ userId: [1, 9, 8], movieId: [5, 5, 5], rating: [4, 3, 1] });
  assertThrows(
    () => predictRatings(rec, bad),
    RangeError,
    "predictRatings(): ratings: unknown user id 9 in row 1 (2 of its 3 rows have user ids not " +
      "among the 3 user ids the encoder was fitted on)",
  );
  assertThrows(
    () => predictRatings(rec, { userIds: [1, 2], movieIds: [5, 70] }),
    RangeError,
    "predictRatings(): unknown movie id 70 at position 1 (1 of the 2 movie ids given is not " +
      "among the 3 movie ids the encoder was fitted on)",
  );
  assertThrows(() => recommend(rec, 9, { k: 1 }), RangeError, "recommend(): unknown user id 9 (");
  assertThrows(
    () => topKForUsers(rec, [1, 1, 9], { k: 1 }),
    RangeError,
    "topKForUsers(): unknown user id 9 at position 2 (1 of the 3 user ids given is not among",
  );
  assertThrows(
    () => movieEmbeddings(rec, { ids: [5, 99] }),
    RangeError,
    "movieEmbeddings(): ids: unknown movie id 99 at position 1",
  );
  assertThrows(
    () => userEmbeddings(rec, { ids: [99] }),
    RangeError,
    "userEmbeddings(): ids: unknown user id 99 (not among the 3 user ids",
  );
  assertThrows(
    () => movieBiases(rec, { ids: [1] }),
    RangeError,
    "movieBiases(): ids: unknown movie id 1",
  );
});

Deno.test("train() says how to validate on ids the training ratings lack", async () => {
  const validation = pl.DataFrame({ userId: [1, 2], movieId: [5, 8], rating: [4, 3] });
  await assertRejects(
    () => train(rec, ratings, { validation, verbose: 0 }),
    RangeError,
    "train(): validation: unknown movie id 8 in row 1 (1 of its 2 rows has a movie id not " +
      "among the 3 movie ids the encoder was fitted on); buildModel() fits the encoders on the " +
      "ratings it is given: to validate on movies the training part lacks, fit them on all the " +
      "ratings and pass them too (buildModel(kind, { ratings: train, " +
      "...fitEncoders(allRatings) })), or drop the validation rows that " +
      "unseenRows(train, validation) flags",
  );
  const newUser = pl.DataFrame({ userId: [4], movieId: [5], rating: [4] });
  await assertRejects(
    () => train(rec, ratings, { validation: newUser, verbose: 0 }),
    RangeError,
    'unseenRows(train, validation, { column: "userId" }) flags',
  );
  await assertRejects(
    () => train(rec, newUser, { verbose: 0 }),
    RangeError,
    "train(): ratings: unknown user id 4 (not among the 3 user ids the encoder was fitted on); " +
      "the model's encoders were fitted on other ratings",
  );
});
