import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { runEvaluation } from "../../../tools/evaluate/run_evaluation.ts";
import { renderTables } from "../../../tools/evaluate/markdown_report.ts";
import { releaseProblem } from "../../../tools/evaluate/reported_figures.ts";

const LATEST_TINY = new URL("../../fixtures/latest_tiny", import.meta.url).pathname;

/** A quick tail15 run (seed 004's split, whose baselines carry seed 004's figures). */
function tail15(data: string) {
  return runEvaluation({
    data,
    split: "tail15",
    models: ["dlrm"],
    epochs: 1,
    ranking: false,
    onProgress: () => {},
  });
}

Deno.test("releaseProblem() admits only the named release as the loader verified it", () => {
  const verified = {
    name: "ml-100k",
    verified: true,
    release: { name: "ml-100k", differences: [] },
  };
  assertEquals(releaseProblem(verified, "ml-100k"), null);
  assertEquals(releaseProblem(verified, "ml-latest-small"), "ml-100k is the ml-100k release");
  assertEquals(
    releaseProblem({ ...verified, name: "copy", verified: false }, "ml-100k"),
    "the loader could not verify copy as that release (its official checksums did not apply " +
      "or did not match)",
  );
  assertEquals(
    releaseProblem({
      name: "ml-100k (modified)",
      verified: false,
      release: { name: "ml-100k", differences: ["expected 100,000 ratings, found 10"] },
    }, "ml-100k"),
    "ml-100k (modified) differs from it: expected 100,000 ratings, found 10",
  );
  assertEquals(
    releaseProblem({ name: "latest_tiny", verified: false, release: null }, "ml-latest-small"),
    "latest_tiny does not claim to be that release and the loader could not verify it",
  );
});

Deno.test("no published figure beside a 10-rating fixture, and a note says why", async () => {
  const result = await tail15(LATEST_TINY);
  assert(result.rows.every((r) => r.reported.length === 0), JSON.stringify(result.rows));
  const tables = renderTables(result);
  assert(!tables.includes("(tutorial 004)"), tables);
  assert(!tables.includes("Δ +"), tables);
  assert(
    tables.includes(
      "The tutorials' and the literature's figures are not shown (–): they were measured on " +
        "ml-latest-small, and latest_tiny does not claim to be that release and the loader " +
        "could not verify it.",
    ),
    tables,
  );
});

Deno.test("no published figure beside data that differ from the release they claim", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-release-" });
  const warn = console.warn;
  console.warn = () => {};
  try {
    const dest = join(dir, "ml-latest-small");
    await Deno.mkdir(dest);
    for await (const entry of Deno.readDir(LATEST_TINY)) {
      await Deno.copyFile(join(LATEST_TINY, entry.name), join(dest, entry.name));
    }
    const result = await tail15(dest);
    assert(result.rows.every((r) => r.reported.length === 0));
    assertEquals(
      result.splits[0].reportedWithheld,
      "The tutorials' and the literature's figures are not shown (–): they were measured on " +
        "ml-latest-small, and ml-latest-small (modified) differs from it: expected 100,836 " +
        "ratings, found 10 (and in 3 more ways).",
    );
  } finally {
    console.warn = warn;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("seed 004's figures stand beside the verified ml-latest-small", async () => {
  const result = await tail15("ml-latest-small");
  assertEquals(result.datasets[0].verified, true);
  const global = result.rows.find((r) => r.model === "global mean baseline")!;
  assertEquals(global.reported.map((f) => [f.metric, f.value]), [["mse", 1.1], ["mae", 0.83]]);
  assertEquals(global.reported[0].difference, global.mse - 1.1);
  assertEquals(result.splits[0].reportedWithheld, undefined);
  assert(renderTables(result).includes("1.1 MSE (tutorial 004) → Δ"));
});
