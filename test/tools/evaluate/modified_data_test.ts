import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { runEvaluation } from "../../../tools/evaluate/run_evaluation.ts";
import { renderMarkdown } from "../../../tools/evaluate/markdown_report.ts";

const LATEST_TINY = new URL("../../fixtures/latest_tiny", import.meta.url).pathname;

/** The tiny fixture copied into a folder named after the release it is not. */
async function fakeRelease(dir: string): Promise<string> {
  const dest = join(dir, "ml-latest-small");
  await Deno.mkdir(dest);
  for await (const entry of Deno.readDir(LATEST_TINY)) {
    await Deno.copyFile(join(LATEST_TINY, entry.name), join(dest, entry.name));
  }
  return dest;
}

Deno.test("runEvaluation() never labels data that differ from the release they claim with the release's bare name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-modified-" });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const result = await runEvaluation({
      data: await fakeRelease(dir),
      split: "random80",
      models: ["dot"],
      epochs: 1,
      ranking: false,
      onProgress: () => {},
    });
    const data = result.datasets[0];
    assertEquals(data.name, "ml-latest-small (modified)");
    assertEquals(data.verified, false);
    assertEquals(data.release?.name, "ml-latest-small");
    assertEquals(data.release?.differences[0], "expected 100,836 ratings, found 10");
    assert(result.rows.every((r) => r.data === "ml-latest-small (modified)"));
    assert(result.splits.every((s) => s.data === "ml-latest-small (modified)"));
    // The release's targets are not checked against other data.
    assertEquals(result.targets, []);
    assert(!JSON.stringify(result).includes('"data":"ml-latest-small"'), "a bare label");
    const md = renderMarkdown(result);
    assert(md.includes("### ml-latest-small (modified) · random80"), md);
    assert(
      md.includes(
        "differs from the ml-latest-small release that the folder name describes: expected 100,836",
      ),
      md,
    );
    assertEquals(warnings.length, 1);
  } finally {
    console.warn = warn;
    await Deno.remove(dir, { recursive: true });
  }
});
