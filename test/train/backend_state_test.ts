import { assert, assertEquals } from "@std/assert";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const LIB = new URL("../../lib/", import.meta.url).href;

/** Runs `code` in a fresh Deno (its own tfjs and backend state); its exit code and stderr. */
async function child(code: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", "--config", CONFIG, code],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** A script that builds a dot model on `rows` synthetic ratings and starts train() with a bad
 * option (refused after the backend check, so that nothing trains for long), twice. */
const trainTwice = (rows: number, setup: string) => `
  import pl from "nodejs-polars";
  import { buildModel, train } from "${LIB}models/mod.ts";
  ${setup}
  const n = ${rows};
  const ratings = pl.DataFrame({
    userId: Array.from({ length: n }, (_, i) => i % 500),
    movieId: Array.from({ length: n }, (_, i) => Math.floor(i / 500)),
    rating: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
    timestamp: Array.from({ length: n }, (_, i) => i),
  });
  const rec = buildModel("dot", { ratings, factors: 2 });
  for (let i = 0; i < 2; i++) {
    await train(rec, ratings, { epochs: 0 }).catch((e) => console.error("refused:", e.message));
  }
`;

Deno.test("train() warns once when a real data set would train on tfjs' own CPU backend", async () => {
  const run = await child(trainTwice(12_000, ""));
  assertEquals(run.code, 0, run.stderr);
  const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning: "));
  assertEquals(warnings, [
    `warning: train(): training 12,000 rows on tfjs' own "cpu" backend without the engine's ` +
    "kernels, thousands of times slower for embeddings: `await setupBackend()` " +
    "(lib/train/mod.ts) once before building models",
  ]);
  assertEquals(run.stderr.split("\n").filter((l) => l.startsWith("refused:")).length, 2);
});

Deno.test("train() does not warn after setupBackend(), nor on a small data set", async () => {
  const setUp = await child(
    trainTwice(
      12_000,
      `import { setupBackend } from "${LIB}train/mod.ts"; await setupBackend({ backend: "cpu" });`,
    ),
  );
  assertEquals(setUp.code, 0, setUp.stderr);
  assert(!setUp.stderr.includes("warning:"), setUp.stderr);
  const small = await child(trainTwice(2_000, ""));
  assertEquals(small.code, 0, small.stderr);
  assert(!small.stderr.includes("warning:"), small.stderr);
});

Deno.test("buildModel() names setupBackend() when the WASM backend is imported but not started", async () => {
  const run = await child(`
    import pl from "nodejs-polars";
    import { buildModel } from "${LIB}models/mod.ts";
    import "${LIB}train/mod.ts";
    const ratings = pl.DataFrame({ userId: [1, 2], movieId: [1, 2], rating: [3, 4] });
    try {
      buildModel("dot", { ratings, factors: 2 });
    } catch (e) {
      console.error("refused:", (e as Error).message);
    }
  `);
  assertEquals(run.code, 0, run.stderr);
  const told = "refused: buildModel(): tfjs' backend is not started: `await setupBackend()` " +
    "(lib/train/mod.ts) once before building or training a model";
  assert(run.stderr.includes(told), run.stderr);
});
