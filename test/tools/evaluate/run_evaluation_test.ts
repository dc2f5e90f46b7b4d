import { assert, assertAlmostEquals, assertEquals, assertGreater, assertLess } from "@std/assert";
import { MODEL_KINDS } from "../../../lib/models/mod.ts";
import type { EvaluationResult } from "../../../tools/evaluate/run_evaluation.ts";
import { writeSyntheticLatest } from "./_synthetic.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import type { Origin } from "../../../lib/data/mod.ts";
import { dataSourceLabel } from "../../../tools/evaluate/_loading.ts";
import { OURS_MODEL } from "../../../tools/evaluate/ours_ensemble.ts";

const CLI = new URL("../../../tools/evaluate/cli.ts", import.meta.url).pathname;

async function runCli(args: string[]) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

const REQUIRED = ["model", "data", "split", "mse", "rmse", "mae", "seconds"] as const;

Deno.test("deno task evaluate runs on a tiny synthetic set in seconds and prints its JSON last", async () => {
  const { dir, ratings } = await writeSyntheticLatest();
  try {
    const run = await runCli([
      "--data",
      dir,
      "--split",
      "random80",
      "--epochs",
      "2",
      "--json",
      "-",
    ]);
    assertEquals(run.code, 0, run.stderr);
    assertLess(run.seconds, 60, `took ${run.seconds} s`);
    const lines = run.stdout.trimEnd().split("\n");
    const result = JSON.parse(lines[lines.length - 1]) as EvaluationResult;

    // The table is on stdout, progress on stderr.
    assert(
      run.stdout.includes(
        "| Model | Recipe | MSE | RMSE | MAE | P@10 (4★+) | R@10 (4★+) | NDCG@10 (4★+) |",
      ),
    );
    assert(run.stdout.includes("Total time:"));
    assert(run.stderr.includes("user + movie bias baseline: MSE"), run.stderr);

    assertEquals(result.version, 1);
    assertEquals(result.seeds, [42]);
    assertEquals(result.epochs, 2);
    assertEquals(result.splits.length, 1);
    const split = result.splits[0];
    assertEquals(split.split, "random80");
    assertEquals(split.train + split.test, ratings);
    assertEquals(split.test, Math.ceil(ratings * 0.2));
    assertEquals(result.datasets[0].ratings, ratings);

    // A split no tutorial used: baselines, one recipe per kind, and ours (two blends).
    const models = result.rows.map((r) => r.model);
    for (const kind of MODEL_KINDS) assert(models.includes(kind), `no ${kind} row`);
    assertEquals(models.filter((m) => m.includes("baseline")).length, 3);
    const ours = result.rows.filter((r) => r.recipe.startsWith("ours:"));
    assertEquals(ours.map((r) => r.model), [OURS_MODEL, OURS_MODEL]);
    for (const row of result.rows) {
      for (const key of REQUIRED) assert(row[key] !== undefined, `${row.recipe}: no ${key}`);
      assert(
        (MODEL_KINDS as readonly string[]).includes(row.model) ||
          row.model.includes("baseline") || row.model === OURS_MODEL,
        `unexpected model name ${row.model}`,
      );
      assertEquals(row.data, split.data);
      assert(Number.isFinite(row.mse) && row.mse >= 0, `${row.recipe}: mse ${row.mse}`);
      assert(Math.abs(row.rmse * row.rmse - row.mse) < 1e-9, `${row.recipe}: rmse² ≠ mse`);
      assert(row.mae <= row.rmse + 1e-12, `${row.recipe}: mae > rmse`);
      if (row.model !== "global mean baseline") {
        assert(row.ndcg !== null && row.ndcg >= 0 && row.ndcg <= 1, `${row.recipe}: ndcg`);
      }
      if (row.model.includes("baseline")) assertEquals(row.epochs, null);
      else assertEquals(row.epochs, 2, `${row.recipe} ran ${row.epochs} epochs`);
    }
    // The planted biases are learnable: the bias baseline beats the global mean.
    const byName = (name: string) => result.rows.find((r) => r.model === name)!;
    assertLess(byName("user + movie bias baseline").mse, byName("global mean baseline").mse);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate keeps the requested kinds and averages over seeds", async () => {
  const { dir } = await writeSyntheticLatest({ users: 30, movies: 20, seed: 5 });
  try {
    const run = await runCli([
      "--data",
      dir,
      "--split",
      "tail15",
      "--models",
      "dlrm",
      "--seeds",
      "2",
      "--epochs",
      "1",
      "--no-ranking",
      "--json",
      "-",
    ]);
    assertEquals(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    const result = JSON.parse(lines[lines.length - 1]) as EvaluationResult;
    assertEquals(result.seeds, [42, 43]);
    // tail15 on a file sorted by user: the test users are unseen in training.
    assertGreater(result.splits[0].coldUsers, 0);
    // tail15 is seed 004's split, but seed 004's figures were measured on ml-latest-small:
    // synthetic data get none, and the split says why.
    assert(result.rows.every((r) => r.reported.length === 0), "a published figure shown");
    assertEquals(
      result.splits[0].reportedWithheld,
      "The tutorials' and the literature's figures are not shown (–): they were measured on " +
        `ml-latest-small, and ${result.datasets[0].name} does not claim to be that release ` +
        "and the loader could not verify it.",
    );
    assertEquals(result.rows.map((r) => r.model), [
      "global mean baseline",
      "movie mean baseline",
      "user + movie bias baseline",
      "dlrm",
    ]);
    for (const row of result.rows) {
      assertEquals(row.runs, 2);
      const over = row.overSeeds;
      assert(over !== undefined, `${row.recipe}: no spread over seeds`);
      assertEquals(over.seeds, [42, 43]);
      assertEquals(over.perSeed.map((p) => p.seed), [42, 43]);
      // The row's own figures are the first seed's; the mean and sd are the seeds'.
      assertEquals([row.mse, row.mae], [over.perSeed[0].mse, over.perSeed[0].mae]);
      const maes = over.perSeed.map((p) => p.mae);
      assertAlmostEquals(over.mean.mae, (maes[0] + maes[1]) / 2, 1e-12);
      assertAlmostEquals(over.std.mae, Math.abs(maes[0] - maes[1]) / Math.SQRT2, 1e-12);
      assertEquals(row.precision, null);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate names a bad flag and exits with the usage status, 2", async () => {
  const run = await runCli(["--split", "random70"]);
  assertEquals(run.code, 2);
  assert(run.stderr.includes('unknown split "random70"'), run.stderr);
  assert(run.stderr.includes("random80"), run.stderr);
});

Deno.test("runEvaluation() starts its seeds at firstSeed and names a bad one", async () => {
  const { runEvaluation } = await import("../../../tools/evaluate/run_evaluation.ts");
  const { dir } = await writeSyntheticLatest();
  try {
    const run = (firstSeed: number, seeds: number) =>
      runEvaluation({
        data: dir,
        split: "random80",
        models: ["dot"],
        epochs: 1,
        seeds,
        firstSeed,
        ranking: false,
        onProgress: () => {},
      });
    const [first, later, both] = [await run(42, 1), await run(43, 1), await run(42, 2)];
    assertEquals([first.seeds, later.seeds, both.seeds], [[42], [43], [42, 43]]);
    // Seed 43 alone makes the split and the model seed 43 makes inside the pair: the pair's
    // row is the first seed's, and its mean over the seeds the mean of the two single runs.
    const row = (r: EvaluationResult) => r.rows.find((x) => x.model === "movie mean baseline")!;
    assert(row(first).mse !== row(later).mse, "seeds 42 and 43 made the same split");
    assertEquals(row(both).mse, row(first).mse);
    assertAlmostEquals(row(both).overSeeds!.mean.mse, (row(first).mse + row(later).mse) / 2, 1e-12);
    assertEquals(row(both).overSeeds!.perSeed.map((p) => p.mse), [row(first).mse, row(later).mse]);
    await runEvaluation({ data: dir, firstSeed: -1, onProgress: () => {} }).then(
      () => assert(false, "a negative firstSeed ran"),
      (e) => assert(e instanceof RangeError && /firstSeed/.test(e.message), String(e)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate counts one epoch as one epoch in a row's note", async () => {
  const { dir } = await writeSyntheticLatest();
  try {
    const run = await runCli(
      ["--data", dir, "--split", "tail15", "--epochs", "1", "--models", "dlrm", "--no-ranking"],
    );
    assertEquals(run.code, 0, run.stderr);
    assert(run.stdout.includes("(stopped after 1 epoch)"), run.stdout);
    assert(!run.stdout.includes("1 epochs"), run.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dataSourceLabel() writes a path inside the project, or the mirror beside it, relative; any other absolute", () => {
  const project = "/work/repo";
  const cases: [string, Origin, string][] = [
    ["/work/repo/data/ml-latest-small.zip", "shipped", "data/ml-latest-small.zip"],
    [
      "/work/repo/data/ml-latest-small.zip:ml-latest-small/README.txt",
      "shipped",
      "data/ml-latest-small.zip:ml-latest-small/README.txt",
    ],
    ["/work/repo/test/fixtures/latest_tiny", "path", "test/fixtures/latest_tiny"],
    ["/work/repo", "path", "."],
    // The committed ml-100k row: the mirror beside the checkout, as README and CI place it.
    ["/work/shared/movielens/ml-100k", "MOVIELENS_DIR", "../shared/movielens/ml-100k"],
    [
      "/work/shared/movielens/ml-100k/u.info",
      "MOVIELENS_DIR",
      "../shared/movielens/ml-100k/u.info",
    ],
    // Before: ../shared/ml, ../../home/me/ml, ../../tmp/x/ml.zip:ml/u.data, ../../home/…
    ["/work/shared/ml", "path", "/work/shared/ml"],
    ["/home/me/ml", "path", "/home/me/ml"],
    ["/tmp/x/ml.zip:ml/u.data", "path", "/tmp/x/ml.zip:ml/u.data"],
    ["/data/movielens/ml-100k", "MOVIELENS_DIR", "/data/movielens/ml-100k"],
    [
      "/home/me/.cache/movielens-embeddings/ml-100k",
      "cache",
      "/home/me/.cache/movielens-embeddings/ml-100k",
    ],
    ["/work", "MOVIELENS_DIR", "/work"],
  ];
  for (const [path, origin, label] of cases) {
    assertEquals(dataSourceLabel(path, origin, project), label, `${path} (${origin})`);
  }
});

Deno.test("runEvaluation() reports a --data outside the project by its absolute path, one inside relative to it", async () => {
  const { runEvaluation } = await import("../../../tools/evaluate/run_evaluation.ts");
  const tiny = fileURLToPath(new URL("../../fixtures/latest_tiny", import.meta.url));
  const dir = await Deno.makeTempDir({ prefix: "evaluate-source-" });
  try {
    const files: Record<string, Uint8Array> = {};
    for (const f of ["ratings.csv", "movies.csv"]) {
      files[`tiny/${f}`] = await Deno.readFile(join(tiny, f));
    }
    const zip = join(dir, "tiny.zip");
    await Deno.writeFile(zip, zipSync(files));
    const sources: string[] = [];
    for (const data of [tiny, zip]) {
      const result = await runEvaluation({
        data,
        split: "random80",
        models: [],
        ranking: false,
        onProgress: () => {},
      });
      sources.push(result.datasets[0].source);
    }
    assertEquals(sources, ["test/fixtures/latest_tiny", zip]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
