import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { cleanUp } from "../../../tools/_cleanup.ts";
import { RESULTS, writeResults } from "../../../tools/evaluate/committed_results.ts";

const COMMITTED = new URL("../../../tools/evaluate/committed_results.ts", import.meta.url).href;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

/**
 * A folder with committed results reading "old" and a report of an earlier run (`--md`), and
 * the files of the run that is about to write over them: the committed pair and a report in a
 * folder not made yet.
 */
async function withOldResults(
  fn: (root: string, files: [string, string, string][]) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "interrupted-write-" });
  try {
    await Deno.mkdir(join(root, "results"));
    await Deno.writeTextFile(join(root, RESULTS.md), "old md\n");
    await Deno.writeTextFile(join(root, RESULTS.json), '"old json"\n');
    await Deno.writeTextFile(join(root, "r.md"), "old report\n");
    await fn(root, [[join(root, "r.md"), "new report\n", "--md"], [
      join(root, "new", "r.json"),
      "{}\n",
      "--json",
    ]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Every file under `root` with its text: what a stopped write must leave as it found it. */
async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, prefix: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(join(dir, e.name), `${prefix}${e.name}/`);
      else out[prefix + e.name] = await Deno.readTextFile(join(dir, e.name));
    }
  };
  await walk(root, "");
  return out;
}

const AS_IT_WAS = {
  "r.md": "old report\n",
  "results/evaluation.md": "old md\n",
  "results/evaluation.json": '"old json"\n',
};

const update = () => ({ md: "new md\n", json: '"new json"\n' });

Deno.test("the clean-up of a signal stops a write of the results and leaves every file as it was", async () => {
  await withOldResults(async (root, files) => {
    let renames = 0;
    let cleaning: Promise<string[]> | null = null;
    // The signal's clean-up (what Ctrl-C runs) starts just as the first file is renamed.
    const rename = async (from: string, to: string) => {
      if (++renames === 1) {
        cleaning = cleanUp();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await Deno.rename(from, to);
    };
    await assertRejects(
      () => writeResults(update, files, { root, rename }),
      Deno.errors.Interrupted,
      "the write was stopped (Ctrl-C or SIGTERM)",
    );
    assertEquals(renames, 1, "no rename after the signal");
    assert(cleaning !== null);
    assertEquals(await cleaning, [], "the clean-up failed nowhere");
    // The first file renamed is back, the temporaries, the lock and the new folder are gone.
    assertEquals(await tree(root), AS_IT_WAS);
  });
});

Deno.test("without a signal the same write writes every file and leaves nothing else", async () => {
  await withOldResults(async (root, files) => {
    await writeResults(update, files, { root, rename: Deno.rename });
    assertEquals(await tree(root), {
      "r.md": "new report\n",
      "new/r.json": "{}\n",
      "results/evaluation.md": "new md\n",
      "results/evaluation.json": '"new json"\n',
    });
    assertEquals(await cleanUp(), [], "the write took its clean-up off the list");
  });
});

/**
 * A child that writes the results and sends itself `signal` as the `at`-th file is renamed,
 * going on only once its own listener has seen the signal (so the write's listener, installed
 * before, has too): no timing decides where the signal lands.
 */
function program(root: string, files: [string, string, string][], signal: string, at: number) {
  return `
    import { writeResults } from ${JSON.stringify(COMMITTED)};
    let renames = 0;
    const rename = async (from: string, to: string) => {
      if (++renames === ${at}) {
        await new Promise<void>((seen) => {
          Deno.addSignalListener(${JSON.stringify(signal)}, () => seen());
          Deno.kill(Deno.pid, ${JSON.stringify(signal)});
        });
      }
      await Deno.rename(from, to);
    };
    await writeResults(() => ({ md: "new md\\n", json: '"new json"\\n' }),
      ${JSON.stringify(files)}, { root: ${JSON.stringify(root)}, rename });
    console.log("went on");`;
}

for (const [signal, status, at] of [["SIGINT", 130, 1], ["SIGTERM", 143, 3]] as const) {
  Deno.test({
    name: `${signal} while the results are written exits ${status} and leaves no temporary file`,
    ignore: Deno.build.os === "windows",
    fn: () =>
      withOldResults(async (root, files) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["eval", "--ext=ts", "--config", CONFIG, program(root, files, signal, at)],
          env: { NO_COLOR: "1" },
          stdin: "null",
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, status, stderr);
        assertEquals(new TextDecoder().decode(out.stdout), "", "the program did not go on");
        assert(
          stderr.includes(`${signal}: undoing the write under way and removing its temporary`),
          stderr,
        );
        assertEquals(await tree(root), AS_IT_WAS);
      }),
  });
}
