// Every notebook in notebooks/ runs end to end with quick parameters (NB_QUICK=1) on the
// fresh-machine path, so a broken notebook fails `deno task test`; and its committed outputs are
// complete (executed in order, no error, an output wherever the quick run shows a value).

import { assert, assertEquals } from "@std/assert";
import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { declaredParams } from "../../../tools/notebooks/run_notebooks.ts";
import { formatFailure } from "../../../tools/notebooks/run_summary.ts";
import type { NotebookRun } from "../../../tools/notebooks/run_types.ts";
import { verifyNotebook } from "../../../tools/notebooks/verify_notebook.ts";
import { isolated } from "./_helpers.ts";

const DIR = new URL("../../../notebooks/", import.meta.url).pathname;

function notebooks(): string[] {
  try {
    return [...Deno.readDirSync(DIR)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

for (const name of notebooks()) {
  let run: Promise<NotebookRun> | undefined;
  // Without the parameters it declares or an NB_* knob, should the developer have exported one.
  const quickRun = () =>
    run ??= declaredParams(`${DIR}${name}`).then((params) =>
      runNotebook(`${DIR}${name}`, { quick: true, timeout: 600, env: isolated({}, params ?? []) })
    );

  Deno.test(`${name} runs end to end with quick parameters`, async () => {
    const result = await quickRun();
    assert(result.ok, `${formatFailure(result)}\n--- output ---\n${result.output.slice(-4000)}`);
  });

  Deno.test(`${name} has complete committed outputs`, async () => {
    const result = await quickRun();
    assertEquals(await verifyNotebook(`${DIR}${name}`, result.ok ? { run: result } : {}), []);
  });
}
