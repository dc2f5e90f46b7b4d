import { assertEquals, assertThrows } from "@std/assert";
import {
  buildModel,
  movieBiases,
  movieEmbeddings,
  userBiases,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { movieId, syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings();
const catalog = syntheticMovies();

Deno.test("movieEmbeddings() returns the rows of the asked ids with their titles", () => {
  for (const kind of ["dot-bias", "mlp", "dlrm"] as const) {
    const rec = buildModel(kind, { ratings, catalog, factors: 3 });
    const all = movieEmbeddings(rec);
    assertEquals(all.ids, rec.movies.ids);
    assertEquals(all.dim, 3);
    assertEquals(all.vectors.length, rec.movies.size * 3);
    const ids = [movieId(4), movieId(1)];
    const some = movieEmbeddings(rec, { ids });
    assertEquals(Array.from(some.ids), ids);
    assertEquals(some.titles, ["Movie 4 (1962)", "Movie 1 (1953)"]);
    const row = rec.movies.encode([movieId(4)])[0];
    assertEquals(
      Array.from(some.vectors.subarray(0, 3)),
      Array.from(all.vectors.subarray(row * 3, row * 3 + 3)),
    );
  }
});

Deno.test("userEmbeddings() and the bias tables follow the encoders", () => {
  const rec = buildModel("dot-bias", { ratings, catalog, factors: 2 });
  assertEquals(userEmbeddings(rec).vectors.length, rec.users.size * 2);
  assertEquals(userEmbeddings(rec, { ids: [userId(3)] }).ids, Int32Array.from([userId(3)]));
  const mb = movieBiases(rec);
  assertEquals(mb.values.length, rec.movies.size);
  assertEquals(mb.titles?.length, rec.movies.size);
  assertEquals(userBiases(rec, { ids: [userId(1), userId(0)] }).values.length, 2);
});

Deno.test("the accessors name unknown ids and missing tables", () => {
  const rec = buildModel("mlp", { ratings, factors: 2 });
  assertThrows(() => movieEmbeddings(rec, { ids: [5] }), RangeError, "unknown movie id 5");
  assertThrows(
    () => movieBiases(rec),
    TypeError,
    'a "mlp" model has no movie bias table (an embedding of width 1 fed by the movie input)',
  );
  assertEquals(movieEmbeddings(rec).titles, undefined);
});
