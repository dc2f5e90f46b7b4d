import { assert, assertEquals } from "@std/assert";
import { DEFAULT_PLAN, rowKinds, rowsFor } from "../../../tools/evaluate/row_plan.ts";
import { MODEL_KINDS } from "../../../lib/models/mod.ts";

const labels = (rows: ReturnType<typeof rowsFor>) =>
  rows.map((r) => r.type === "recipe" ? r.label : r.type === "ours" ? "ours" : r.baseline);

Deno.test("the committed plan covers every data set and split of the committed table", () => {
  assertEquals(DEFAULT_PLAN.map((j) => `${j.data} ${j.split}`), [
    "ml-latest-small mask80",
    "ml-latest-small random90",
    "ml-latest-small tail15",
    "ml-latest-small random85",
    "ml-100k random80",
    "ml-100k u1",
  ]);
});

Deno.test("rowsFor() gives each tutorial's recipes on its own split", () => {
  assertEquals(labels(rowsFor("latest", "mask80")), [
    "global",
    "movie",
    "bias",
    "seed 000 model A (MF)",
    "seed 000 model B (MF + biases)",
    "seed 000 model C (NN)",
    "ours",
  ]);
  const r80 = rowsFor("100k", "random80");
  assertEquals(r80.filter((r) => r.type === "recipe").length, 5);
  const embeddingNet = r80.find((r) => r.type === "recipe" && r.tutorial === "003")!;
  assert(embeddingNet.type === "recipe" && embeddingNet.validation === "test");
  assertEquals(embeddingNet.reported.map((f) => f.value), [0.8458]);
  const tail = rowsFor("latest", "tail15");
  assertEquals(tail[0].reported.map((f) => f.value), [1.1, 0.83]);
});

Deno.test("rowsFor() falls back to one recipe per kind on other splits", () => {
  const rows = rowsFor("latest", "temporal");
  const kinds = rows.flatMap((r) => (r.type === "recipe" ? [r.recipe.kind] : []));
  assertEquals(kinds, [...MODEL_KINDS]);
  assertEquals(rows.at(-1)?.type, "ours");
});

Deno.test("rowsFor() keeps baselines and only the requested kinds", () => {
  const rows = rowsFor("latest", "random90", { models: ["dot", "mlp"] });
  assertEquals(labels(rows), [
    "global",
    "movie",
    "bias",
    "seed 001 RecommenderV1",
    "seed 001 RecommenderNet",
  ]);
  assertEquals(rowKinds(rows[0]), []);
});
