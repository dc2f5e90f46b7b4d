import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { parseEvaluateArgs, writesCommittedFiles } from "../../../tools/evaluate/cli.ts";
import { writeFileAtomic } from "../../../tools/_write.ts";

Deno.test("parseEvaluateArgs() reads every flag, with or without '='", () => {
  const a = parseEvaluateArgs([
    "--data=ml-100k",
    "--split",
    "u1",
    "--models",
    "dot-bias, mlp",
    "--seeds",
    "3",
    "--first-seed=45",
    "--epochs=2",
    "--json",
    "-",
    "--md",
    "/tmp/x.md",
    "--no-ranking",
  ]);
  assertEquals(a, {
    task: "rating",
    data: "ml-100k",
    split: "u1",
    models: ["dot-bias", "mlp"],
    seeds: 3,
    firstSeed: 45,
    epochs: 2,
    json: "-",
    md: "/tmp/x.md",
    ranking: false,
    help: false,
  });
});

Deno.test("parseEvaluateArgs() defaults to the whole table, one seed, recipe epochs", () => {
  assertEquals(parseEvaluateArgs([]), {
    task: "rating",
    seeds: 1,
    firstSeed: 42,
    epochs: null,
    json: null,
    md: null,
    ranking: true,
    help: false,
  });
});

Deno.test("parseEvaluateArgs() names what is wrong", () => {
  assertThrows(() => parseEvaluateArgs(["--seeds", "0"]), RangeError, 'found "0"');
  assertThrows(() => parseEvaluateArgs(["--epochs"]), RangeError, "--epochs: expected a value");
  for (const bad of ["-1", "4.5", "x", ""]) {
    assertThrows(
      () => parseEvaluateArgs(["--first-seed", bad]),
      RangeError,
      `--first-seed: expected an integer ≥ 0, found ${JSON.stringify(bad)}`,
    );
  }
  assertEquals(parseEvaluateArgs(["--first-seed", "0"]).firstSeed, 0);
  assertThrows(() => parseEvaluateArgs(["--models", "svd"]), RangeError, "known kinds: dot");
  assertThrows(() => parseEvaluateArgs(["--split", "u9"]), RangeError, 'unknown split "u9"');
  assertThrows(() => parseEvaluateArgs(["--fast"]), RangeError, 'unknown flag "--fast"');
});

Deno.test("only the whole table on the seeds from 42 rewrites the committed files", () => {
  const writes = (...args: string[]) => writesCommittedFiles(parseEvaluateArgs(args));
  assert(writes());
  assert(writes("--seeds", "3"));
  assert(writes("--task", "ranking", "--seeds", "3"));
  assert(writes("--task", "ranking", "--first-seed", "42"));
  for (
    const part of [
      ["--first-seed", "45"],
      ["--data", "ml-100k"],
      ["--split", "random80"],
      ["--epochs", "2"],
      ["--models", "dot"],
    ]
  ) {
    assert(!writes(...part), part.join(" "));
  }
  assert(!writes("--task", "ranking", "--first-seed", "45", "--seeds", "5"));
  assert(!writes("--task", "ranking", "--models", "softmax"));
});

const CLI = new URL("../../../tools/evaluate/cli.ts", import.meta.url).pathname;
const TINY = new URL("../../fixtures/latest_tiny", import.meta.url).pathname;

/** Runs a one-epoch evaluation of the tiny fixture writing to `--json`/`--md` as given. */
async function evaluateTiny(output: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--data", TINY, "--split", "random80", "--models", "dot"]
      .concat(["--epochs", "1", "--no-ranking", ...output]),
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr).trimEnd(),
  };
}

Deno.test("deno task evaluate refuses a --json path that is a folder before it runs anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const run = await evaluateTiny(["--json", dir]);
    assertEquals(run.code, 1);
    assertEquals(run.stdout, "", "nothing ran");
    assertEquals(run.stderr, `error: --json: cannot write ${dir}: it is a folder, not a file`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate refuses an --md path under a file before it runs anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    await Deno.writeTextFile(join(dir, "notes"), "");
    const path = join(dir, "notes", "report", "evaluation.md");
    const run = await evaluateTiny(["--md", path]);
    assertEquals(run.code, 1);
    assertEquals(run.stdout, "", "nothing ran");
    assertEquals(
      run.stderr,
      `error: --md: cannot write ${path}: ${join(dir, "notes")} is a file, not a folder`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const sysReadOnly = Deno.build.os === "linux" && (() => {
  try {
    Deno.writeTextFileSync("/sys/evaluate-test.json", "");
    Deno.removeSync("/sys/evaluate-test.json");
    return false;
  } catch (e) {
    return e instanceof Deno.errors.PermissionDenied;
  }
})();

Deno.test({
  name: "deno task evaluate refuses a --json path in a read-only folder before it runs anything",
  ignore: !sysReadOnly,
  fn: async () => {
    const run = await evaluateTiny(["--json", "/sys/evaluation.json"]);
    assertEquals(run.code, 1);
    assertEquals(run.stdout, "", "nothing ran");
    assert(
      run.stderr.startsWith("error: --json: cannot write /sys/evaluation.json: "),
      run.stderr,
    );
    assertEquals(run.stderr.split("\n").length, 1, run.stderr);
  },
});

Deno.test("deno task evaluate writes --json and --md into new folders and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const json = join(dir, "a", "b", "result.json");
    const md = join(dir, "result.md");
    const run = await evaluateTiny(["--json", json, "--md", md]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(JSON.parse(await Deno.readTextFile(json)).version, 1);
    assert((await Deno.readTextFile(md)).startsWith("# Evaluation"));
    assertEquals([...Deno.readDirSync(join(dir, "a", "b"))].map((e) => e.name), ["result.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() replaces a file in one step and keeps the old one when it cannot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const path = join(dir, "out.json");
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(path, 0o640);
    await writeFileAtomic(path, "new");
    assertEquals(await Deno.readTextFile(path), "new");
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o640, "the mode is kept");
      await writeFileAtomic(join(dir, "fresh.json"), "x");
      assertEquals((await Deno.stat(join(dir, "fresh.json"))).mode! & 0o777, 0o644);
      await Deno.remove(join(dir, "fresh.json"));
    }
    // A folder in the way: the rename fails, the temporary file is removed.
    const blocked = join(dir, "blocked");
    await Deno.mkdir(join(blocked, "inside"), { recursive: true });
    await assertRejects(() => writeFileAtomic(blocked, "text"));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["blocked", "out.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate names a bad option in one line, without a stack", async () => {
  const bad = [["--models", "nonsense"], ["--split", "nope"], ["--seeds", "0"], ["--bogus"], [
    "--data",
  ]];
  for (const args of bad) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trimEnd();
    assertEquals(out.code, 1, args.join(" "));
    assertEquals(new TextDecoder().decode(out.stdout), "");
    assertEquals(err.split("\n").length, 1, err);
    assert(err.startsWith(`error: ${args[0]}`) || err.startsWith("error: unknown flag"), err);
  }
});
