import { assert, assertEquals } from "@std/assert";
import type { EvaluationResult, EvaluationRow } from "../../../tools/evaluate/run_evaluation.ts";
import { renderMarkdown, renderTables } from "../../../tools/evaluate/markdown_report.ts";
import { keptRanking } from "../../../tools/evaluate/ranking_report.ts";

function row(over: Partial<EvaluationRow>): EvaluationRow {
  return {
    data: "ml-100k",
    split: "random80",
    model: "dot-bias",
    recipe: "seed 003 EmbeddingNet",
    tutorial: "003",
    mse: 0.8,
    rmse: Math.sqrt(0.8),
    mae: 0.7,
    precision: 0.05,
    recall: 0.02,
    ndcg: 0.06,
    epochs: 30,
    seconds: 7.25,
    runs: 1,
    reported: [],
    ...over,
  };
}

const result: EvaluationResult = {
  version: 1,
  generated: "2025-01-02T03:04:05Z",
  command: "deno task evaluate",
  seeds: [42, 43],
  epochs: null,
  k: 10,
  threshold: 4,
  backend: "wasm simd, 1 thread(s)",
  totalSeconds: 123.4,
  cpuSeconds: 120.2,
  datasets: [{
    name: "ml-100k",
    layout: "100k",
    source: "../shared/movielens/ml-100k",
    ratings: 100000,
    users: 943,
    movies: 1682,
    verified: true,
    release: { name: "ml-100k", claimedBy: "../shared/movielens/ml-100k/u.info", differences: [] },
  }],
  splits: [{
    data: "ml-100k",
    split: "random80",
    description: "A seeded random 80/20 split",
    train: 80000,
    test: 20000,
    coldUsers: 0,
    coldMovies: 12,
  }],
  rows: [
    row({
      model: "global mean baseline",
      recipe: "global mean baseline",
      tutorial: null,
      precision: null,
      recall: null,
      ndcg: null,
      epochs: null,
    }),
    row({
      note: "best epoch chosen on the test part",
      std: { mse: 0.01, rmse: 0.005, mae: 0.004, precision: 0, recall: 0, ndcg: 0 },
      reported: [{
        source: "seed 003",
        metric: "mse",
        value: 0.8458,
        release: "ml-100k",
        approx: false,
        comparable: true,
        note: "",
        ours: 0.8,
        difference: 0.8 - 0.8458,
      }],
    }),
  ],
  targets: [{
    data: "ml-100k",
    split: "random80",
    metric: "mse",
    max: 0.8,
    best: 0.8,
    bestRecipe: "seed 003 EmbeddingNet",
    met: true,
    note: "",
  }],
};

Deno.test("renderTables() puts the tutorial's figure and the difference beside ours", () => {
  const text = renderTables(result);
  assert(text.includes("### ml-100k · random80"));
  assert(text.includes("80,000 training / 20,000 test ratings"));
  assert(text.includes("with a movie absent from training: 12"));
  const line = text.split("\n").find((l) => l.includes("seed 003 EmbeddingNet¹"))!;
  assert(line.includes("| 0.8000 ± 0.0100 |"), line);
  assert(line.includes("0.8458 MSE (seed 003) → Δ −0.046"), line);
  assert(text.includes("¹ best epoch chosen on the test part."));
  const global = text.split("\n").find((l) => l.startsWith("| global mean baseline"))!;
  assertEquals(global.split("|").map((c) => c.trim()).slice(6, 10), ["–", "–", "–", "–"]);
});

Deno.test("renderMarkdown() adds the targets, the method and the total time", () => {
  const md = renderMarkdown(result);
  assert(md.startsWith("# Evaluation\n"));
  assert(
    md.includes("| ml-100k | random80 | MSE | ≤ 0.80 | 0.8000 | seed 003 EmbeddingNet | yes |"),
  );
  assert(md.includes("## How the table is made"));
  assert(md.includes("over 2 seeds (42, 43)"));
  assert(md.includes("Total time: 123 s wall clock, 120 s CPU"));
});

Deno.test("the committed rating report is what its committed JSON renders to", async () => {
  const root = new URL("../../../results/", import.meta.url);
  const md = await Deno.readTextFile(new URL("evaluation.md", root));
  const json = await Deno.readTextFile(new URL("evaluation.json", root));
  // As the rating run writes it: its report, then the ranking section it keeps. A change to
  // the report's text or to the rows needs the results written again.
  const report = renderMarkdown(JSON.parse(json), { json: "evaluation.json" });
  assertEquals(report + keptRanking(json).section, md);
});

Deno.test("renderMarkdown() drops empty sections, marks a 10th note [10], signs no zero Δ", () => {
  const noted = Array.from({ length: 10 }, (_, i) => row({ recipe: `r${i}`, note: `note ${i}` }));
  const zero = row({
    recipe: "same as reported",
    reported: [{ ...result.rows[1].reported[0], ours: 0.8458, difference: 0 }],
  });
  const md = renderMarkdown({ ...result, rows: [...noted, zero], targets: [] });
  assert(!md.includes("## Targets"), md);
  assert(md.includes("| r8⁹ |") && md.includes("| r9[10] |"), md);
  assert(md.includes("[10] note 9."), md);
  assert(md.includes("0.8458 MSE (seed 003) → Δ 0.000 |"), md);
  const bare = renderMarkdown({ ...result, rows: noted.slice(0, 1), targets: [] });
  assert(!bare.includes("## The reported figures"), bare);
});

const ours = (recipe: string) => row({ model: "dot-bias", recipe, tutorial: null, epochs: 5 });

Deno.test("renderMarkdown() describes ours, the tutorials' recipes and tail15 only when they ran", () => {
  const without = renderMarkdown(result);
  for (const absent of ["**Ours**", "No tuning on the test part", "and ours on", "tail15"]) {
    assert(!without.includes(absent), absent);
  }
  assert(without.includes("Each table compares the baselines and the tutorials' models"));
  assert(without.includes("Tutorial rows use the tutorials' own recipes"));
  const baselinesOnly = renderMarkdown({ ...result, rows: result.rows.slice(0, 1) });
  assert(!baselinesOnly.includes("Tutorial rows use"), baselinesOnly);
  const full = renderMarkdown({
    ...result,
    splits: [...result.splits, { ...result.splits[0], split: "tail15" }],
    rows: [...result.rows, ours("ours: blend for MSE"), ours("ours: blend for MAE")],
  });
  for (const present of ["**Ours**", "No tuning on the test part", "and ours on", "- tail15 "]) {
    assert(full.includes(present), present);
  }
  assert(full.includes("(compare ours with the bias baseline)"));
});

Deno.test("renderMarkdown() names the JSON written beside the report, and none when there is none", () => {
  const twin = (md: string) => md.split("\n")[2];
  assert(!twin(renderMarkdown(result)).includes("JSON"), twin(renderMarkdown(result)));
  assert(
    twin(renderMarkdown(result, { json: "../out/run 1.json" }))
      .endsWith(" The JSON twin is `../out/run 1.json` (same numbers)."),
  );
  assert(
    twin(renderMarkdown(result, { json: "evaluation.json" }))
      .endsWith(" The JSON twin is `evaluation.json` (same numbers)."),
  );
  // A backtick in a path or the command stays inside its code span.
  const odd = renderMarkdown({ ...result, command: "deno task evaluate --data 'a`b'" }, {
    json: "x`y.json",
  });
  assert(twin(odd).startsWith("Generated by ``deno task evaluate --data 'a`b'`` on "), twin(odd));
  assert(twin(odd).endsWith(" The JSON twin is ``x`y.json`` (same numbers)."), twin(odd));
});
