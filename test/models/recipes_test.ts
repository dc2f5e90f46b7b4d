import { assert, assertEquals, assertGreater } from "@std/assert";
import { IdEncoder } from "../../lib/data/encoder.ts";
import { buildModel, type Recipe, recipes } from "../../lib/models/mod.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";

const all: [string, Recipe][] = Object.entries(recipes).flatMap(([notebook, group]) =>
  Object.entries(group as Record<string, Recipe>).map((
    [name, r],
  ): [string, Recipe] => [`${notebook}.${name}`, r])
);

// Notebooks that go beyond the tutorials: they have no tutorial recipe to reproduce.
const BEYOND_TUTORIALS = ["fromRatingsToRankings"];

Deno.test("recipes are grouped under the names of the notebooks that mirror their tutorials", () => {
  const notebooks = [...Deno.readDirSync(new URL("../../notebooks/", import.meta.url))]
    .map((e) => e.name)
    .filter((name) => /^\d\d_.*\.ipynb$/.test(name))
    .sort()
    .map((name) =>
      name.replace(/^\d\d_|\.ipynb$/g, "").replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
    )
    .filter((name) => !BEYOND_TUTORIALS.includes(name));
  assertEquals(notebooks.length, 5);
  assertEquals(Object.keys(recipes), notebooks);
});

Deno.test("every recipe builds its kind with a description and a training schedule", () => {
  const ratings = syntheticRatings({ scale: "whole" });
  assertEquals(all.length, 15);
  for (const [name, r] of all) {
    const classes = r.kind === "classifier" ? { classes: [1, 2, 3, 4, 5] } : {};
    const rec = buildModel(r.kind, { ...r, ...classes, ratings, catalog: syntheticMovies() });
    assertEquals(rec.kind, r.kind, name);
    assertGreater(r.description.length, 20, name);
    const phases = r.fit.schedule?.reduce((s, p) => s + p.epochs, 0) ?? r.fit.epochs;
    assertEquals(phases, r.fit.epochs, name);
    rec.model.dispose();
  }
});

Deno.test("recipes reproduce the tutorials' parameter counts on the tutorials' data sizes", () => {
  const enc = (n: number, name: string) =>
    IdEncoder.fit(Array.from({ length: n }, (_, i) => i), { name });
  const count = (r: Recipe, users: number, movies: number, extra = {}) => {
    const rec = buildModel(r.kind, {
      ...r,
      users: enc(users, "user"),
      movies: enc(movies, "movie"),
      ...extra,
    });
    const n = rec.model.countParams();
    rec.model.dispose();
    return n;
  };
  assertEquals(count(recipes.matrixFactorization.mf, 671, 9066), 486_850);
  assertEquals(count(recipes.matrixFactorization.biasedMf, 671, 9066), 496_587);
  assertEquals(count(recipes.matrixFactorization.nn, 671, 9066), 493_991);
  assertEquals(count(recipes.kerasCollaborativeFiltering.recommenderV1, 610, 9724), 516_700);
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderV2, 610, 9724, { yRange: [0.5, 5] }),
    527_034,
  );
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderNet, 610, 9724, { yRange: [0.5, 5] }),
    517_721,
  );
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderNetV2, 610, 9724, {
      ratingRange: [0.5, 5],
    }),
    527_034,
  );
  // The lab sizes its tables max id + 1 (944 × 64 + 1683 × 64 = 168,128); contiguous ids drop the unused row 0.
  assertEquals(count(recipes.explicitFeedbackLab.regression, 943, 1682), 168_128 - 2 * 64);
  assertEquals(count(recipes.embeddingNet.net, 943, 1682), (943 + 1682) * 51);
  assertEquals(count(recipes.dlrmMlp.dlrm, 610, 9724, { targetMean: 3.5 }), 83_353);
});

Deno.test("recipes carry the tutorials' initialisers, ranges and optimizers", () => {
  const ratings = syntheticRatings();
  const v2 =
    buildModel("dot-bias", { ...recipes.kerasCollaborativeFiltering.recommenderV2, ratings })
      .config;
  const r = ratings.getColumn("rating").toArray() as number[];
  assertEquals(v2.yRange, [Math.min(...r), Math.max(...r)]);
  assertEquals(v2.initializer, "heNormal");
  const net = buildModel("dot-bias", { ...recipes.embeddingNet.net, ratings }).config;
  assertEquals(net.yRange, [0, 5.5]);
  assertEquals(net.optimizer, { weightDecay: 3e-4, decay: "l2" });
  assertEquals(net.initializer, { name: "randomNormal", mean: 0, stddev: 1 });
  const dlrm = buildModel("dlrm", { ...recipes.dlrmMlp.dlrm, ratings }).config;
  assertEquals([dlrm.factors, dlrm.hidden, dlrm.metrics], [8, [32, 4], ["mae"]]);
  assert(recipes.dlrmMlp.classifier.classes.length === 10);
});
