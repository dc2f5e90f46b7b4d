import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { parseEvaluateArgs } from "../../../tools/evaluate/cli.ts";
import {
  checkRankingTargets,
  chooseEpoch,
  chooseL2,
  type RankingEvaluation,
  rankingParts,
  type RankingRow,
  runRankingEvaluation,
  trainScored,
  walkLadder,
} from "../../../tools/evaluate/ranking_evaluation.ts";
import { loadMovieLens } from "../../../lib/data/mod.ts";
import { evaluateRanking } from "../../../lib/eval/mod.ts";
import { rankingScorer } from "../../../lib/models/mod.ts";
import { setupBackend } from "../../../lib/train/backend.ts";
import { rankingRecipes } from "../../../lib/models/mod.ts";
import {
  batchText,
  keptRanking,
  mergeRanking,
  RANKING_HEADING,
  renderRankingSection,
} from "../../../tools/evaluate/ranking_report.ts";
import { EASE_LADDER } from "../../../tools/evaluate/ranking_recipes.ts";
import { renderMarkdown } from "../../../tools/evaluate/markdown_report.ts";
import { writeSyntheticLatest } from "./_synthetic.ts";

Deno.test("parseEvaluateArgs() reads --task ranking and its models", () => {
  const a = parseEvaluateArgs(["--task", "ranking", "--models", "popular,softmax", "--seeds", "3"]);
  assertEquals([a.task, a.rankingModels, a.models, a.seeds], [
    "ranking",
    ["popular", "softmax"],
    undefined,
    3,
  ]);
  assertThrows(
    () => parseEvaluateArgs(["--task", "ranking", "--models", "dot"]),
    RangeError,
    '--models: unknown ranking model "dot" (known: popular, item-knn, ease, softmax, bpr, squared)',
  );
  assertThrows(
    () => parseEvaluateArgs(["--task", "ranking", "--no-ranking"]),
    RangeError,
    "not an option",
  );
  assertThrows(
    () => parseEvaluateArgs(["--task", "stars"]),
    RangeError,
    'expected rating or ranking, found "stars"',
  );
  // Rating kinds are still checked for the rating task.
  assertThrows(() => parseEvaluateArgs(["--models", "softmax"]), RangeError, "known kinds: dot");
});

Deno.test("rankingParts() names the validation carve-out when too few ratings leave none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ranking-two-" });
  try {
    await Deno.writeTextFile(
      `${dir}/ratings.csv`,
      "userId,movieId,rating,timestamp\n1,10,4.0,1\n2,20,3.0,2\n",
    );
    await Deno.writeTextFile(
      `${dir}/movies.csv`,
      "movieId,title,genres\n10,A (1990),Drama\n20,B (1991),Comedy\n",
    );
    const ml = await loadMovieLens(dir, { onWarning: () => {} });
    await assertRejects(
      () => rankingParts(ml, "random80", 42),
      RangeError,
      `${ml.name} random80, seed 42: the validation carve-out that chooses every row's settings ` +
        "(20 % of the training part's 1 rating) cannot be made: randomSplit(): a test fraction " +
        "of 0.2 on 1 rating leaves the training part empty (expected at least one rating in " +
        "each part); the ranking task needs more ratings than that: give --data a larger data set",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("walkLadder() tries the start and both neighbours, then walks towards the better side", async () => {
  const walk = async (peak: number, maxTries = 9) => {
    const tried: number[] = [];
    const best = await walkLadder(1, 2, maxTries, (v) => {
      tried.push(v);
      return -Math.abs(Math.log2(v) - peak);
    });
    return { best: best.value, tried };
  };
  assertEquals(await walk(0), { best: 1, tried: [1, 2, 0.5] });
  assertEquals(await walk(2), { best: 4, tried: [1, 2, 0.5, 4, 8] });
  assertEquals(await walk(-3), { best: 0.125, tried: [1, 2, 0.5, 0.25, 0.125, 0.0625] });
  assertEquals(await walk(5, 4), { best: 4, tried: [1, 2, 0.5, 4] }, "stops at maxTries");
  assertEquals(await walk(5, 1), { best: 1, tried: [1] });
  await assertRejects(() => walkLadder(1, 1, 3, () => 0), RangeError, "step > 1");
});

Deno.test("chooseEpoch() takes the first scored epoch within 0.5 % of the best", () => {
  assertEquals(chooseEpoch([5, 10, 15, 20], [0.2, 0.2795, 0.28, 0.2799]), 10);
  assertEquals(chooseEpoch([5, 10], [0.3, 0.1]), 5);
  assertThrows(() => chooseEpoch([5], []), RangeError, "as many scores as epochs");
});

Deno.test("chooseL2() walks the recipe's ladder and keeps the best curve's rule epoch", async () => {
  await setupBackend();
  const { dir } = await writeSyntheticLatest({ users: 40, movies: 30, density: 0.5 });
  try {
    const { encoders, carve } = await rankingParts(await loadMovieLens(dir), "random80", 42);
    const task = carve.task;
    const recipe = { ...rankingRecipes.softmax, maxEpochs: 6, evalEvery: 2, l2MaxTries: 4 };
    const lines: string[] = [];
    const c = await chooseL2(recipe, carve, {
      report: (line) => lines.push(line),
    });
    const values = c.points.map((p) => p.value);
    assertEquals(values.slice(0, 3), [0.1, 0.1 * 1.4, 0.1 / 1.4], "start, then both neighbours");
    assert(values.length >= 3 && values.length <= 4, `${values.length} tries`);
    assertEquals(lines.length, values.length, "a line per try");
    for (const p of c.points) assertEquals(p.epochs, [2, 4, 6]);
    const best = Math.max(...c.points.map((p) => Math.max(...p.ndcg_at_10)));
    const winner = c.points.find((p) => Math.max(...p.ndcg_at_10) === best)!;
    assertEquals(c.l2, winner.value, "the first strength with the best score");
    assertEquals(c.curve, { epochs: winner.epochs!, ndcg: winner.ndcg_at_10 });
    assertEquals(c.epochs, chooseEpoch(c.curve.epochs, c.curve.ndcg));
    assertEquals(c.validationNdcg, c.curve.ndcg[c.curve.epochs.indexOf(c.epochs)]);
    // The choice replays: the chosen strength trained for the chosen epochs scores the same.
    const { rec } = await trainScored(recipe, carve.train, {
      encoders,
      seed: 42,
      l2: c.l2,
      epochs: c.epochs,
    });
    assertEquals(evaluateRanking(task, rankingScorer(rec, { task })).ndcg, c.validationNdcg);
    rec.model.dispose();
    const one = await chooseL2(recipe, carve, {
      maxEpochs: 3,
      walk: false,
    });
    assertEquals(one.points.map((p) => [p.value, p.epochs]), [[0.1, [2, 3]]], "one try, to 3");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

let evaluation: RankingEvaluation | null = null;
async function synthetic(): Promise<RankingEvaluation> {
  if (evaluation) return evaluation;
  const { dir } = await writeSyntheticLatest({ users: 40, movies: 30, density: 0.5 });
  try {
    evaluation = await runRankingEvaluation({
      data: dir,
      split: "random80",
      seeds: 2,
      epochs: 2,
      models: ["popular", "item-knn", "ease", "softmax", "bpr", "squared"],
      onProgress: () => {},
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return evaluation;
}

Deno.test("runRankingEvaluation() gives every model a row per first seed and a mean over seeds", async () => {
  const r = await synthetic();
  const models = ["popular", "item-knn", "ease", "softmax", "bpr", "squared"];
  assertEquals(r.rows.map((row) => row.model), [...models, ...models]);
  assertEquals(r.rows.map((row) => row.seeds.length), [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  for (const row of r.rows) {
    assertEquals(row.task, "ranking");
    for (
      const key of [
        "precision_at_10",
        "recall_at_10",
        "ndcg_at_10",
        "map_at_10",
        "coverage",
      ] as const
    ) {
      assert(
        Number.isFinite(row[key]) && row[key] >= 0 && row[key] <= 1,
        `${row.model} ${key} ${row[key]}`,
      );
    }
    assertEquals(row.std !== undefined, row.seeds.length > 1);
    assertEquals(row.settings.length, row.seeds.length);
    // Each seed's figures are kept, and the mean row is their mean.
    assertEquals(row.per_seed.length, row.seeds.length);
    const ndcg = row.per_seed.map((f) => f.ndcg_at_10);
    assertAlmostEquals(row.ndcg_at_10, ndcg.reduce((a, b) => a + b) / ndcg.length, 1e-12);
  }
  for (const row of r.rows.filter((x) => x.seeds.length === 1)) {
    const pooled = r.rows.find((x) => x.model === row.model && x.seeds.length > 1)!;
    assertEquals(pooled.per_seed[0], row.per_seed[0], `${row.model}: the first seed's figures`);
  }
  const pooled = r.rows.find((row) => row.model === "popular" && row.seeds.length === 2)!;
  assertEquals(pooled.published, [], "published figures stand beside ml-100k random80 only");
  // Every seed chose its own settings on its own carve-out.
  assertEquals(r.selection.filter((s) => s.model === "item-knn").map((s) => s.seed), [42, 43]);
  const softmax = r.selection.find((s) => s.model === "softmax")!;
  assertEquals(softmax.points.length, 1, "an epochs cap tries one L2 value");
  const easeChoice = r.selection.find((s) => s.model === "ease")!;
  assertEquals(easeChoice.parameter, "lambda");
  assertEquals(easeChoice.points.map((p) => p.value), [EASE_LADDER.start], "and one λ");
  const easeRow = r.rows.find((x) => x.model === "ease")!;
  assertEquals(easeRow.settings[0].lambda, EASE_LADDER.start, "λ is kept for the final model");
  assertEquals(easeRow.settings[0].movies_modelled! <= 30, true);
  const row = r.rows.find((x) => x.model === "softmax")!;
  assertAlmostEquals(
    row.settings[0].l2!,
    row.settings[0].l2_validation! * r.splits[0].carve[0] / r.splits[0].train,
    1e-12,
  );
  assertEquals(r.targets, [], "the targets concern ml-100k random80");
  // Each embedding row records the users per step its recipe trained with.
  for (const name of ["softmax", "bpr", "squared"] as const) {
    const seeded = r.rows.find((x) => x.model === name && x.seeds.length === 1)!;
    assertEquals(seeded.settings[0].batch_users, rankingRecipes[name].batchUsers, name);
  }
});

Deno.test("runRankingEvaluation() from another first seed replays that seed's split and choices", async () => {
  const { dir } = await writeSyntheticLatest({ users: 40, movies: 30, density: 0.5 });
  try {
    const run = (firstSeed: number | undefined, seeds: number) =>
      runRankingEvaluation({
        data: dir,
        split: "random80",
        seeds,
        firstSeed,
        models: ["popular", "item-knn"],
        onProgress: () => {},
      });
    const [both, second] = [await run(undefined, 2), await run(43, 1)];
    assertEquals(both.seeds, [42, 43]);
    assertEquals(second.seeds, [43]);
    assertEquals(second.rows.map((r) => r.seeds), [[43], [43]]);
    // The seed-43 run chooses and scores exactly as seed 43 did inside the two-seed run.
    const knn = (r: RankingEvaluation) =>
      r.selection.find((s) => s.model === "item-knn" && s.seed === 43)!;
    assertEquals(knn(second), knn(both));
    const pooled = both.rows.find((r) => r.model === "item-knn" && r.seeds.length === 2)!;
    const alone = second.rows.find((r) => r.model === "item-knn")!;
    const first = both.rows.find((r) => r.model === "item-knn" && r.seeds.length === 1)!;
    assertAlmostEquals(alone.ndcg_at_10, 2 * pooled.ndcg_at_10 - first.ndcg_at_10, 1e-12);
    await assertRejects(() => run(-1, 1), RangeError, "firstSeed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkRankingTargets() judges the row chosen on validation, not the best test figure", () => {
  const row = (model: RankingRow["model"], validation: number | null, ndcg: number, seeds = [42]) =>
    ({
      task: "ranking",
      model,
      data: "ml-100k",
      split: "random80",
      seeds,
      precision_at_10: 0.38,
      ndcg_at_10: ndcg,
      validation_ndcg_at_10: seeds.map(() => validation),
    }) as RankingRow;
  const rows = [
    row("popular", 0.15, 0.22),
    row("ease", 0.28, 0.46),
    row("softmax", 0.29, 0.449),
    row("softmax", 0.29, 0.451, [42, 43, 44]),
    row("bpr", null, 0.47),
  ];
  const [t] = checkRankingTargets(rows);
  assertEquals([t.seed, t.model, t.validation_ndcg_at_10, t.ndcg_at_10, t.met], [
    42,
    "softmax",
    0.29,
    0.449,
    false,
  ]);
  assertEquals(t.mean?.ndcg_at_10, 0.451);
  assertEquals(t.per_seed, undefined, "rows without per-seed figures judge no seed alone");
  // With per-seed figures, each seed is judged on its own validation choice.
  const figures = (precision: number, ndcg: number) => ({
    precision_at_10: precision,
    ndcg_at_10: ndcg,
    recall_at_10: 0,
    map_at_10: 0,
    coverage: 0,
    popularity: 0,
  });
  const pooled = (model: RankingRow["model"], validation: number[], f: [number, number][]) =>
    ({
      ...row(model, null, 0.45, [42, 43]),
      validation_ndcg_at_10: validation,
      per_seed: f.map(([p, n]) => figures(p, n)),
    }) as RankingRow;
  const [perSeed] = checkRankingTargets([
    row("softmax", 0.29, 0.449),
    row("ease", 0.28, 0.46),
    pooled("softmax", [0.29, 0.27], [[0.375, 0.4499], [0.38, 0.46]]),
    pooled("ease", [0.28, 0.275], [[0.37, 0.44], [0.371, 0.451]]),
  ]);
  assertEquals(perSeed.per_seed, [
    {
      seed: 42,
      model: "softmax",
      validation_ndcg_at_10: 0.29,
      precision_at_10: 0.375,
      ndcg_at_10: 0.4499,
      met: false,
    },
    {
      seed: 43,
      model: "ease",
      validation_ndcg_at_10: 0.275,
      precision_at_10: 0.371,
      ndcg_at_10: 0.451,
      met: true,
    },
  ]);
  const [other] = checkRankingTargets(
    rows.map((r) => r.model === "ease" ? row("ease", 0.3, 0.46) : r),
  );
  assertEquals([other.model, other.met], ["ease", true]);
  assertEquals(checkRankingTargets(rows.map((r) => ({ ...r, data: "ml-latest-small" }))), []);
});

Deno.test("batchText() names the recipes' users per step, grouped by size", () => {
  const { softmax, bpr, squared } = rankingRecipes;
  const at = (b: number) => ({ batchUsers: b });
  assertEquals(
    batchText({ softmax: { ...softmax, ...at(64) }, bpr: { ...bpr, ...at(64) } }),
    "64 users",
  );
  assertEquals(
    batchText({
      softmax: { ...softmax, ...at(32) },
      bpr: { ...bpr, ...at(64) },
      squared: { ...squared, ...at(64) },
    }),
    "32 users (softmax) or 64 (BPR and squared loss)",
  );
});

Deno.test("the ranking section merges into the committed files without touching the rating part", async () => {
  const r = await synthetic();
  const root = new URL("../../../results/", import.meta.url);
  const md = await Deno.readTextFile(new URL("evaluation.md", root));
  const json = await Deno.readTextFile(new URL("evaluation.json", root));
  const rating = (text: string) => {
    const at = text.indexOf(`\n${RANKING_HEADING}\n`);
    return (at >= 0 ? text.slice(0, at) : text).trimEnd();
  };
  const once = mergeRanking(md, json, r);
  // The rating report is rendered again from the JSON, its "At a glance" naming the new rows.
  const parsed = JSON.parse(json);
  assertEquals(
    rating(once.markdown),
    renderMarkdown(parsed, { json: "evaluation.json", ranking: r }).trimEnd(),
  );
  const glance = once.markdown.slice(0, once.markdown.indexOf("## Results"));
  assert(glance.includes(`| ranking | ${r.splits[0].data} · ${r.splits[0].split} | NDCG@10 |`));
  assertEquals(
    rating(once.markdown).replace(/## At a glance[^]*?## Results/, ""),
    rating(md).replace(/## At a glance[^]*?## Results/, ""),
    "the rest of the rating part is kept",
  );
  assert(once.markdown.endsWith(renderRankingSection(r)));
  // A JSON without a rating run keeps the Markdown's rating part as it was.
  const kept = mergeRanking("# Evaluation\n\ntext\n", '{"version": 1}', r);
  assert(kept.markdown.startsWith("# Evaluation\n\ntext\n\n" + RANKING_HEADING), kept.markdown);
  const { ranking: _, ...before } = JSON.parse(json);
  const { ranking, ...after } = JSON.parse(once.json);
  assertEquals(after, before);
  assertEquals(ranking.rows.length, r.rows.length);
  // Merging again replaces the section instead of adding a second one.
  const twice = mergeRanking(once.markdown, once.json, r);
  assertEquals(twice, once);
  assertEquals(twice.markdown.split(RANKING_HEADING).length, 2);
  // The rating run keeps what the ranking run wrote.
  assertEquals(keptRanking(once.json).section, "\n" + renderRankingSection(r));
  assertEquals(keptRanking("not json").ranking, null);
});

Deno.test("the ranking section says how the settings were chosen and what was seen", async () => {
  const md = renderRankingSection(await synthetic());
  for (
    const phrase of [
      "never on the test part",
      "× 0.8",
      "also saw test figures",
      "Every candidate's best validation NDCG@10",
      "evaluated; skipped",
      `batches of ${batchText()} with every catalogue movie`,
      `${rankingRecipes.softmax.batchUsers} users per step`,
      "After those test figures were seen",
      "Later, with every figure above seen",
      "the row judged against the target became the seed-42 row with the best validation",
      "EASE walks a ladder of λ",
      "Next, with every figure above seen",
      "The target rule compares each row's validation score at its chosen settings",
      "results/ranking_replication.md",
      "github.com/yng87/Recommenders.jl",
      "SLIM ElasticNet",
    ]
  ) {
    assert(md.includes(phrase), `missing: ${phrase}`);
  }
  assert(!md.includes("NaN"), "no NaN in the tables");
  assert(md.startsWith(RANKING_HEADING + "\n") && md.includes("The rating tables above"));
  // The top-10 metrics show four decimals, so that 0.4499 never prints as a target's 0.450.
  const softmax = (await synthetic()).rows.find((r) => r.model === "softmax")!;
  const cells = md.split("\n").find((l) => l.startsWith("| softmax |"))!.split(" | ");
  assertEquals(cells.slice(1, 5), [
    softmax.precision_at_10.toFixed(4),
    softmax.recall_at_10.toFixed(4),
    softmax.ndcg_at_10.toFixed(4),
    softmax.map_at_10.toFixed(4),
  ]);
});

Deno.test("a run on other seeds says it replicates the committed run instead of its history", async () => {
  const r = await synthetic();
  const moved = { ...r, seeds: r.seeds.map((s) => s + 3) };
  const md = renderRankingSection(moved, { standalone: true, json: "run.json" });
  assert(md.startsWith("# Ranking: the top-10 protocol\n"), md.slice(0, 40));
  assert(md.includes("The rating tables of `results/evaluation.md`"));
  assert(md.includes("In the run's JSON, `run.json`, these rows are under `rows`"));
  // Without a JSON file beside it, the file names none.
  const alone = renderRankingSection(moved, { standalone: true });
  assert(!alone.includes("the run's JSON"), alone.slice(0, 400));
  assert(
    md.includes("- **A replication.** These splits (seeds 45–46) shaped nothing of the recipe"),
    md,
  );
  for (const history of ["While this code was written", "After those test figures", "Last, with"]) {
    assert(!md.includes(history), `a replication repeats the committed run's history: ${history}`);
  }
});

Deno.test("the committed ranking section is what its committed JSON renders to", async () => {
  const root = new URL("../../../results/", import.meta.url);
  const md = await Deno.readTextFile(new URL("evaluation.md", root));
  const json = await Deno.readTextFile(new URL("evaluation.json", root));
  const again = mergeRanking(md, json, JSON.parse(json).ranking);
  // A change to the report's text or to the rows needs the section written again.
  assertEquals(again.markdown, md);
  assertEquals(again.json, json);
});

Deno.test("mergeRanking() refuses a JSON that is no object; keptRanking() keeps none", async () => {
  const r = await synthetic();
  for (const json of ["[1]", "null", "5"]) {
    assertThrows(() => mergeRanking("", json, r), TypeError, "to hold an object");
    assertEquals(keptRanking(json), { section: "", ranking: null });
  }
  assertEquals(keptRanking('{"version": 1}'), { section: "", ranking: null });
});
