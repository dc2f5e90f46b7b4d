import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import {
  RESULTS,
  RESULTS_LOCK,
  type ResultTexts,
  writeResults,
} from "../../../tools/evaluate/committed_results.ts";

/**
 * Sets one part of the committed results (`rating` or `ranking`), keeping the rest: the JSON is
 * an object of parts, the Markdown a line per part. A child runs the same code.
 */
function setPart(key: string, value: string) {
  return ({ json }: ResultTexts): ResultTexts => {
    const parts = JSON.parse(json || "{}");
    parts[key] = value;
    const md = Object.entries(parts).map(([k, v]) => `${k}: ${v}\n`).join("");
    return { md, json: JSON.stringify(parts) };
  };
}

/** Runs `fn` on a folder holding committed results whose parts are both "old". */
async function withResults(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "committed-results-" });
  try {
    await Deno.mkdir(join(root, "results"));
    const old = setPart("ranking", "old")(setPart("rating", "old")({ md: "", json: "" }));
    await Deno.writeTextFile(join(root, RESULTS.md), old.md);
    await Deno.writeTextFile(join(root, RESULTS.json), old.json);
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** The parts of the committed JSON, checked against the Markdown, and what else is in results/. */
async function committed(root: string) {
  const parts = JSON.parse(await Deno.readTextFile(join(root, RESULTS.json)));
  const md = Object.entries(parts).map(([k, v]) => `${k}: ${v}\n`).join("");
  assertEquals(await Deno.readTextFile(join(root, RESULTS.md)), md, "the pair agrees");
  const files = [...Deno.readDirSync(join(root, "results"))].map((e) => e.name).sort();
  return { parts, files };
}

/**
 * Starts another run in a child that sets the ranking part to "child" and stops inside its
 * update, after reading the committed files (holding the lock), until `finish()` lets it go on.
 */
async function startRunInside(root: string) {
  const module = new URL("../../../tools/evaluate/committed_results.ts", import.meta.url).href;
  const code = `
    import { writeResults } from ${JSON.stringify(module)};
    ${setPart.toString()}
    await writeResults(async (current) => {
      console.log("inside");
      await Deno.stdin.read(new Uint8Array(1));
      return setPart("ranking", "child")(current);
    }, [], { root: ${JSON.stringify(root)} });`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--ext=ts",
      "--config",
      new URL("../../../deno.json", import.meta.url).pathname,
      code,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let seen = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    seen += text;
    if (seen.includes("inside\n")) break;
  }
  return {
    pid: child.pid,
    child,
    /** Lets the child write and end; resolves when it has, checking it succeeded. */
    async finish() {
      const writer = child.stdin.getWriter();
      await writer.write(new Uint8Array([10]));
      await writer.close();
      assertEquals((await child.status).code, 0);
    },
  };
}

Deno.test("two runs at once keep each other's part of the results: one waits", async () => {
  await withResults(async (root) => {
    const other = await startRunInside(root);
    const waits: (number | null)[] = [];
    const waiting = Promise.withResolvers<string>();
    const mine = writeResults(setPart("rating", "parent"), [], {
      root,
      onWait: (pid) => {
        waits.push(pid);
        waiting.resolve("waited");
      },
    });
    // Without the lock this run reads the parts the other has read too, and writes first.
    const first = await Promise.race([mine.then(() => "written"), waiting.promise]);
    await other.finish();
    await mine;
    assertEquals(await committed(root), {
      parts: { rating: "parent", ranking: "child" },
      files: ["evaluation.json", "evaluation.md"],
    });
    assertEquals(first, "waited");
    assertEquals(waits, [other.pid], "the message names the run that holds the lock");
  });
});

Deno.test("a lock left by a run killed while holding it is taken over, and removed", async () => {
  await withResults(async (root) => {
    const other = await startRunInside(root);
    other.child.kill("SIGKILL");
    await other.child.status;
    await other.child.stdin.close().catch(() => {});
    assertEquals(await Deno.readTextFile(join(root, RESULTS_LOCK)), `${other.pid}\n`);
    const waits: (number | null)[] = [];
    await writeResults(setPart("rating", "parent"), [], { root, onWait: (p) => waits.push(p) });
    assertEquals(waits, []);
    assertEquals(await committed(root), {
      parts: { rating: "parent", ranking: "old" },
      files: ["evaluation.json", "evaluation.md"],
    });
  });
});

Deno.test("an update that fails writes nothing and leaves the lock to the next run", async () => {
  await withResults(async (root) => {
    const out = join(root, "out.json");
    await assertRejects(
      () =>
        writeResults(
          () => {
            throw new TypeError("not an object");
          },
          [[out, "{}"]],
          { root },
        ),
      TypeError,
      "not an object",
    );
    assertEquals(await Deno.stat(out).catch(() => null), null);
    await writeResults(setPart("rating", "new"), [[out, "{}"]], { root });
    assertEquals(await Deno.readTextFile(out), "{}");
    assertEquals(await committed(root), {
      parts: { rating: "new", ranking: "old" },
      files: ["evaluation.json", "evaluation.md"],
    });
  });
});

Deno.test("a run without committed results writes its one file, no results folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "committed-results-" });
  try {
    const out = join(root, "out.json");
    await writeResults(null, [[out, "{}"]], { root });
    assertEquals(await Deno.readTextFile(out), "{}");
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name), ["out.json"]);
    // Committed results under a root that has no results folder yet: the folder is made.
    await writeResults(setPart("rating", "new"), [], { root });
    assertEquals(await committed(root), {
      parts: { rating: "new" },
      files: ["evaluation.json", "evaluation.md"],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
