import { assert, assertEquals } from "@std/assert";
import type { EvaluationResult, EvaluationRow } from "../../../tools/evaluate/run_evaluation.ts";
import {
  outsideSpread,
  renderMarkdown,
  renderTables,
} from "../../../tools/evaluate/markdown_report.ts";
import type { RankingEvaluation, RankingRow } from "../../../tools/evaluate/ranking_evaluation.ts";
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

function figures(mse: number, mae: number) {
  return { mse, rmse: Math.sqrt(mse), mae, precision: 0.05, recall: 0.02, ndcg: 0.06 };
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
      overSeeds: {
        seeds: [42, 43],
        mean: { mse: 0.83, rmse: 0.911, mae: 0.701, precision: 0.05, recall: 0.02, ndcg: 0.06 },
        std: { mse: 0.01, rmse: 0.005, mae: 0.004, precision: 0, recall: 0, ndcg: 0 },
        perSeed: [
          { seed: 42, ...figures(0.8, 0.7), epochs: 30, seconds: 7.25 },
          { seed: 43, ...figures(0.86, 0.702), epochs: 30, seconds: 7.5 },
        ],
      },
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
    overSeeds: { seeds: [42, 43], mean: 0.83, std: 0.01, perSeed: [0.8, 0.86] },
  }],
};

Deno.test("renderTables() puts the tutorial's figure and the difference beside ours", () => {
  const text = renderTables(result);
  assert(text.includes("### ml-100k · random80"));
  assert(text.includes("80,000 training / 20,000 test ratings"));
  assert(text.includes("with a movie absent from training: 12"));
  const line = text.split("\n").find((l) => l.includes("seed 003 EmbeddingNet¹"))!;
  assert(line.includes("| 0.8000 | 0.8944 | 0.7000 |"), line); // the first seed's, no spread
  assert(line.includes("0.8458 MSE (seed 003) → Δ −0.046"), line);
  assert(text.includes("¹ best epoch chosen on the test part."));
  const global = text.split("\n").find((l) => l.startsWith("| global mean baseline"))!;
  assertEquals(global.split("|").map((c) => c.trim()).slice(6, 10), ["–", "–", "–", "–"]);
});

Deno.test("renderMarkdown() adds the targets, the method and the total time", () => {
  const md = renderMarkdown(result);
  assert(md.startsWith("# Evaluation\n"));
  assert(
    md.includes(
      "| ml-100k | random80 | MSE | ≤ 0.80 | 0.8000 | 0.8300 ± 0.0100 (met on 1 of 2) | " +
        "seed 003 EmbeddingNet | yes |",
    ),
    md,
  );
  assert(md.includes("## How the table is made"));
  assert(md.includes("The tables show seed 42; the tables after them, the mean ± standard"));
  assert(md.includes("Total time: 123 s wall clock, 120 s CPU"));
});

Deno.test("the committed rating report is what its committed JSON renders to", async () => {
  const root = new URL("../../../results/", import.meta.url);
  const md = await Deno.readTextFile(new URL("evaluation.md", root));
  const json = await Deno.readTextFile(new URL("evaluation.json", root));
  // As the rating run writes it: its report, then the ranking section it keeps. A change to
  // the report's text or to the rows needs the results written again.
  const parsed = JSON.parse(json);
  const report = renderMarkdown(parsed, { json: "evaluation.json", ranking: parsed.ranking });
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

Deno.test("renderTables() follows the first seed's table with the same rows over the seeds", () => {
  const text = renderTables(result);
  const lines = text.split("\n");
  assert(lines.includes("Seed 42:"), text);
  assert(lines.includes("| Model | Recipe | MSE | RMSE | MAE |"), text);
  assert(text.includes("Over seeds 42, 43 (mean ± sd;"), text);
  assert(
    lines.includes(
      "| dot-bias | seed 003 EmbeddingNet | 0.8300 ± 0.0100 | 0.9110 ± 0.0050 | " +
        "0.7010 ± 0.0040 |",
    ),
    text,
  );
  // 0.8 lies 3 sd under the mean 0.83; 0.7 lies within 0.701 ± 0.004; the global mean row
  // ran once and has no spread.
  assert(
    text.includes(
      "Seed-42 figures outside their mean ± sd: seed 003 EmbeddingNet, MSE 0.8000 " +
        "(0.8300 ± 0.0100), RMSE 0.8944 (0.9110 ± 0.0050).",
    ),
    text,
  );
  // One seed: no second table.
  const one = renderTables({
    ...result,
    seeds: [42],
    rows: result.rows.map(({ overSeeds: _, ...r }) => ({ ...r, runs: 1 })),
  });
  assert(!one.includes("Over seeds") && !one.includes("Seed 42:"), one);
});

Deno.test("outsideSpread() takes a figure equal to its mean (sd 0) as inside", () => {
  const flat = row({
    overSeeds: {
      seeds: [42, 43, 44],
      mean: figures(0.8, 0.7),
      std: { mse: 0, rmse: 0, mae: 0, precision: 0, recall: 0, ndcg: 0 },
      perSeed: [],
    },
  });
  assertEquals(outsideSpread([flat]), []);
  const off = row({ ...flat, mae: 0.72 });
  assertEquals(outsideSpread([off]).map((o) => o.metric), ["mae"]);
});

Deno.test("the rating tables' top-10 columns say only 4-star ratings count, and define it", () => {
  const md = renderMarkdown(result);
  assert(md.includes("| P@10 (4★+) | R@10 (4★+) | NDCG@10 (4★+) |"), md);
  const defined = md.indexOf("only the test ratings of 4 stars or more count as relevant");
  assert(defined > 0 && defined < md.indexOf("| P@10 (4★+)"), "defined before the tables");
  assert(md.indexOf("**Carve-out.**") < md.indexOf("### ml-100k"), "carve-out defined first");
});

Deno.test("renderMarkdown() opens with the best row and the runner-up of each split and task", () => {
  const ours = row({
    model: "ensemble of 6 dot-bias + user/movie biases",
    recipe: "ours: blend for MSE",
    tutorial: null,
    mse: 0.79,
    overSeeds: { ...result.rows[1].overSeeds!, mean: figures(0.78, 0.69) },
  });
  const oursMae = row({ ...ours, recipe: "ours: blend for MAE", mse: 0.9 });
  const tuned = { ...result.rows[1], testTuned: true };
  const global = { ...result.rows[0], mse: 1.2 };
  const md = renderMarkdown({ ...result, rows: [global, tuned, ours, oursMae] }, {
    ranking: rankingFixture(),
  });
  const glance = md.slice(md.indexOf("## At a glance"), md.indexOf("## Results"));
  assert(
    md.indexOf("## At a glance") > 0 && md.indexOf("## At a glance") < md.indexOf("## Results"),
  );
  // Ranked by the mean over the seeds; the runner-up is another model than ours' other blend.
  assert(
    glance.includes(
      "| rating | ml-100k · random80 | MSE | ours: blend for MSE | 0.7900 | 0.7800 ± 0.0100 | " +
        "seed 003 EmbeddingNet † | 0.8000 | 0.8300 ± 0.0100 |",
    ),
    glance,
  );
  assert(
    glance.includes(
      "| ranking | ml-100k · random80 | NDCG@10 | ease | 0.3700 | 0.3660 ± 0.0090 | softmax | " +
        "0.3600 | 0.3530 ± 0.0040 |",
    ),
    glance,
  );
  assert(!renderMarkdown(result).includes("| ranking |"), "no ranking without its run");
});

/** A ranking run's rows, enough for "At a glance": seed 42's and the mean over 42–44. */
function rankingFixture(): RankingEvaluation {
  const r = (model: string, seeds: number[], ndcg: number, sd?: number) =>
    ({
      task: "ranking",
      model,
      data: "ml-100k",
      split: "random80",
      seeds,
      ndcg_at_10: ndcg,
      ...(sd === undefined ? {} : { std: { ndcg_at_10: sd } }),
    }) as unknown as RankingRow;
  return {
    seeds: [42, 43, 44],
    splits: [{ data: "ml-100k", split: "random80" }],
    rows: [
      r("softmax", [42], 0.36),
      r("ease", [42], 0.37),
      r("softmax", [42, 43, 44], 0.353, 0.004),
      r("ease", [42, 43, 44], 0.366, 0.009),
    ],
  } as unknown as RankingEvaluation;
}
