import { assert, assertEquals } from "@std/assert";
import { LINKED, makeWorkspace } from "../../../tools/browser/workspace.ts";

const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("makeWorkspace() links every folder a notebook reads from the repository, results/ too", async () => {
  const ws = await makeWorkspace(repo, ["06_from_ratings_to_rankings.ipynb"]);
  try {
    assertEquals([...LINKED], ["lib", "data", "results", "node_modules"]);
    for (const dir of LINKED) {
      assert(Deno.lstatSync(`${ws.root}/${dir}`).isSymlink, dir);
    }
    // Notebook 06 reads the committed evaluation from its folder, as in the repository.
    const json = await Deno.readTextFile(`${ws.root}/notebooks/../results/evaluation.json`);
    assert(JSON.parse(json).ranking.rows.length > 0);
    assertEquals(ws.notebooks, ["notebooks/06_from_ratings_to_rankings.ipynb"]);
  } finally {
    await ws.remove();
  }
});
