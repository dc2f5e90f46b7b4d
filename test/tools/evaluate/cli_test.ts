import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import {
  commandLine,
  commandLineMessage,
  MAX_EPOCHS,
  MAX_SEEDS,
  nothingWrittenLine,
  parseEvaluateArgs,
  PARTIAL_RUN_FLAGS,
  partialRunFlags,
  USAGE,
  writesCommittedFiles,
} from "../../../tools/evaluate/cli.ts";
import { loadMovieLens } from "../../../lib/data/mod.ts";
import { assertHelp, assertUsageMatches } from "../_usage.ts";
import { outputProblem, writeFileAtomic } from "../../../tools/_write.ts";
import { canLockFolders, lockFolder, withLockableDir } from "../_locked.ts";
import { writeSyntheticLatest } from "./_synthetic.ts";

const TINY = new URL("../../fixtures/latest_tiny", import.meta.url).pathname;
const ML100K_TINY = new URL("../../fixtures/ml100k_tiny", import.meta.url).pathname;

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
    "--duplicates=error",
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
    duplicates: "error",
    help: false,
  });
});

Deno.test("parseEvaluateArgs() defaults to the whole table, three seeds, recipe epochs", () => {
  assertEquals(parseEvaluateArgs([]), {
    task: "rating",
    seeds: 3,
    firstSeed: 42,
    epochs: null,
    json: null,
    md: null,
    ranking: true,
    duplicates: "last",
    help: false,
  });
});

Deno.test("parseEvaluateArgs(): the whole table runs the committed three seeds, a partial run one", () => {
  // A plain run rewrites results/ with what they hold (mean ± sd over 42, 43, 44), never fewer.
  for (const args of [[], ["--task", "ranking"], ["--json", "/tmp/x.json"]]) {
    assertEquals(parseEvaluateArgs(args).seeds, 3, args.join(" "));
  }
  const partial = [["--models", "dot"], ["--epochs", "1"], ["--first-seed", "45"], [
    "--no-ranking",
  ]];
  for (const args of partial) assertEquals(parseEvaluateArgs(args).seeds, 1, args.join(" "));
  assertEquals(parseEvaluateArgs(["--seeds", "1"]).seeds, 1);
  assertEquals(parseEvaluateArgs(["--models", "dot", "--seeds", "2"]).seeds, 2);
});

Deno.test("parseEvaluateArgs() takes seeds the generator tells apart, and a count it can run", () => {
  // The generator reduces a seed to 32 bits: 2³² would run seed 0 again.
  assertThrows(
    () => parseEvaluateArgs(["--first-seed", "4294967296"]),
    RangeError,
    '--first-seed: expected an integer from 0 to 4294967295, found "4294967296"',
  );
  assertEquals(parseEvaluateArgs(["--first-seed", "4294967295"]).firstSeed, 4294967295);
  assertThrows(
    () => parseEvaluateArgs(["--seeds", "4294967296"]),
    RangeError,
    `--seeds: expected an integer from 1 to ${MAX_SEEDS}, found "4294967296"`,
  );
  assertEquals(parseEvaluateArgs(["--seeds", String(MAX_SEEDS)]).seeds, MAX_SEEDS);
  for (
    const order of [["--seeds", "3", "--first-seed", "4294967294"], [
      "--first-seed=4294967294",
      "--seeds=3",
    ]]
  ) {
    assertThrows(
      () => parseEvaluateArgs(order),
      RangeError,
      "--seeds: expected at most 2 from --first-seed 4294967294 (the seeds run to 4294967295, " +
        "the last seed of a stream of its own), found 3 (up to seed 4294967296)",
    );
  }
  assertEquals(parseEvaluateArgs(["--first-seed", "4294967294", "--seeds", "2"]).seeds, 2);
});

Deno.test("parseEvaluateArgs() caps --epochs as it caps --seeds, far above every recipe's", () => {
  assertEquals(MAX_EPOCHS, 10_000);
  assertEquals(parseEvaluateArgs(["--epochs", String(MAX_EPOCHS)]).epochs, MAX_EPOCHS);
  assertThrows(
    () => parseEvaluateArgs(["--epochs", "99999999999999"]),
    RangeError,
    `--epochs: expected an integer from 1 to ${MAX_EPOCHS}, found "99999999999999"`,
  );
  assert(USAGE.includes(`N from 1 to ${MAX_EPOCHS}`), USAGE);
});

Deno.test("parseEvaluateArgs() refuses ml-100k's folds u1 … u5 on ml-latest-small before loading", () => {
  for (const data of [[], ["--data", "ml-latest-small"]]) {
    for (const task of ["rating", "ranking"]) {
      assertThrows(
        () => parseEvaluateArgs(["--task", task, "--split", "u3", ...data]),
        RangeError,
        "--split u3: expected ml-100k's published fold (u3.base and u3.test) to split, found " +
          (data.length ? "--data ml-latest-small" : "no --data (ml-latest-small by default"),
      );
    }
  }
  assertEquals(parseEvaluateArgs(["--split", "u1", "--data", "ml-100k"]).split, "u1");
  // A folder in ml-100k's layout may have the fold (its files tell: see below).
  assertEquals(parseEvaluateArgs(["--split", "u1", "--data", ML100K_TINY]).split, "u1");
});

Deno.test("parseEvaluateArgs() refuses an empty or repeated name in --models", () => {
  assertThrows(
    () => parseEvaluateArgs(["--models", "dot,,dot"]),
    RangeError,
    '--models: expected a kind at position 2 of "dot,,dot", found nothing between two commas',
  );
  assertThrows(
    () => parseEvaluateArgs(["--models", "dot,"]),
    RangeError,
    '--models: expected a kind at position 2 of "dot,", found nothing after the last comma',
  );
  assertThrows(
    () => parseEvaluateArgs(["--models", ",dot"]),
    RangeError,
    '--models: expected a kind at position 1 of ",dot", found nothing before the first comma',
  );
  assertThrows(
    () => parseEvaluateArgs(["--models", "dot, dot-bias,dot"]),
    RangeError,
    '--models: expected each kind once, found "dot" twice in "dot, dot-bias,dot"',
  );
  assertThrows(
    () => parseEvaluateArgs(["--task", "ranking", "--models", "popular,popular"]),
    RangeError,
    '--models: expected each kind once, found "popular" twice',
  );
  assertThrows(() => parseEvaluateArgs(["--models", ","]), RangeError, "at least one kind");
  assertEquals(parseEvaluateArgs(["--models", "dot, dot-bias"]).models, ["dot", "dot-bias"]);
});

Deno.test("parseEvaluateArgs() names what is wrong", () => {
  assertThrows(() => parseEvaluateArgs(["--seeds", "0"]), RangeError, 'found "0"');
  assertThrows(() => parseEvaluateArgs(["--epochs"]), TypeError, "--epochs: expected a value");
  for (const bad of ["-1", "4.5", "x", ""]) {
    assertThrows(
      () => parseEvaluateArgs(["--first-seed", bad]),
      RangeError,
      `--first-seed: expected an integer from 0 to 4294967295, found ${JSON.stringify(bad)}`,
    );
  }
  assertEquals(parseEvaluateArgs(["--first-seed", "0"]).firstSeed, 0);
  assertThrows(() => parseEvaluateArgs(["--models", "svd"]), RangeError, "known kinds: dot");
  assertThrows(() => parseEvaluateArgs(["--split", "u9"]), RangeError, 'unknown split "u9"');
  assertThrows(() => parseEvaluateArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
  assertThrows(
    () => parseEvaluateArgs(["--data="]),
    RangeError,
    "--data: expected ml-latest-small",
  );
  // A path that does not exist is a usage error naming --data, before anything loads.
  assertThrows(
    () => parseEvaluateArgs(["--data", "no-such-folder-xyz"]),
    RangeError,
    '--data: expected ml-latest-small, ml-100k, or a folder or .zip in either layout, found "no-such-folder-xyz", which does not exist',
  );
});

Deno.test("parseEvaluateArgs() takes numbers as decimal digits and each flag once", () => {
  assertEquals(parseEvaluateArgs(["--seeds", "1", "--epochs", "1"]).seeds, 1);
  for (const [flag, bad] of [["--seeds", "1e0"], ["--epochs", "0x1"], ["--first-seed", "0o7"]]) {
    assertThrows(() => parseEvaluateArgs([flag, bad]), RangeError, `found "${bad}"`);
  }
  assertThrows(() => parseEvaluateArgs(["--seeds", " 2"]), RangeError, 'found " 2"');
  assertThrows(
    () => parseEvaluateArgs(["--epochs", "1", "--epochs=2"]),
    TypeError,
    '--epochs: expected once, found a second value "2"',
  );
  const twice: [string, string][] = [["--data", "ml-100k"], ["--split", "u1"], ["--models", "dot"]];
  twice.push(["--json", "x"], ["--md", "y"], ["--task", "rating"], ["--first-seed", "1"]);
  for (const [flag, v] of twice) {
    assertThrows(() => parseEvaluateArgs([flag, v, flag, v]), TypeError, `${flag}: expected once`);
  }
});

Deno.test("parseEvaluateArgs() refuses an empty path, --md - and one file for two", () => {
  for (const flag of ["--json", "--md"]) {
    assertThrows(
      () => parseEvaluateArgs([`${flag}=`]),
      RangeError,
      `${flag}: expected a file path, found ""`,
    );
    assertThrows(() => parseEvaluateArgs([flag, ""]), RangeError, `${flag}: expected a file path`);
    assertThrows(
      () => parseEvaluateArgs([flag, "  "]),
      RangeError,
      `${flag}: expected a file path`,
    );
  }
  assertThrows(
    () => parseEvaluateArgs(["--md", "-"]),
    RangeError,
    '--md: expected a file path, found "-" (the tables already go to stdout',
  );
  assertEquals(parseEvaluateArgs(["--json", "-"]).json, "-");
  assertThrows(
    () => parseEvaluateArgs(["--json", "out/x", "--md", "./out/../out/x"]),
    RangeError,
    `--json and --md: expected two different files, found ${join(Deno.cwd(), "out/x")} for both`,
  );
  assertThrows(
    () => parseEvaluateArgs(["--no-ranking=yes"]),
    TypeError,
    '--no-ranking: expected no value, found "yes"',
  );
});

Deno.test("outputProblem() refuses folders, devices, pipes and anything under /dev", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    assertEquals(await outputProblem("/dev/stdout"), "it is under /dev, not a place for files");
    assertEquals(await outputProblem("/dev/new.json"), "it is under /dev, not a place for files");
    assertEquals(await outputProblem(dir), "it is a folder, not a file");
    assertEquals(await outputProblem(join(dir, "new", "x.json")), null);
    if (Deno.build.os === "linux") {
      await Deno.symlink("/dev", join(dir, "devices"));
      assertEquals(
        await outputProblem(join(dir, "devices", "x.json")),
        "it is under /dev, not a place for files",
      );
      assertEquals(
        await outputProblem(join(dir, "devices", "missing", "x.json")),
        "it is under /dev, not a place for files",
      );
      await Deno.symlink("/dev/null", join(dir, "null.json"));
      assertEquals(
        await outputProblem(join(dir, "null.json")),
        "it is a link to a device, a pipe or a socket, not a regular file",
      );
      await Deno.writeTextFile(join(dir, "real.json"), "{}");
      await Deno.symlink(join(dir, "real.json"), join(dir, "link.json"));
      assertEquals(await outputProblem(join(dir, "link.json")), null);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
      ["--no-ranking"],
    ]
  ) {
    assert(!writes(...part), part.join(" "));
  }
  assert(!writes("--task", "ranking", "--first-seed", "45", "--seeds", "5"));
  assert(!writes("--task", "ranking", "--models", "softmax"));
});

const CLI = new URL("../../../tools/evaluate/cli.ts", import.meta.url).pathname;

/** Runs a one-epoch evaluation of the tiny fixture writing to `--json`/`--md` as given. */
function evaluateTiny(output: string[]) {
  return evaluateFolder(TINY, [
    ...["--split", "random80", "--models", "dot", "--epochs", "1", "--no-ranking"],
    ...output,
  ]);
}

Deno.test("deno task evaluate refuses a --json path that is a folder before it runs anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const run = await evaluateTiny(["--json", dir]);
    assertEquals(run.code, 2);
    assertEquals(run.stdout, "", "nothing ran");
    assertEquals(run.stderr, `--json: cannot write ${dir}: it is a folder, not a file`);
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
    assertEquals(run.code, 2);
    assertEquals(run.stdout, "", "nothing ran");
    assertEquals(
      run.stderr,
      `--md: cannot write ${path}: ${join(dir, "notes")} is a file, not a folder`,
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
    assertEquals(run.code, 2);
    assertEquals(run.stdout, "", "nothing ran");
    assert(run.stderr.startsWith("--json: cannot write /sys/evaluation.json: "), run.stderr);
    assertEquals(run.stderr.split("\n").length, 1, run.stderr);
  },
});

Deno.test("deno task evaluate refuses --md /dev/null as a bad command line, exit status 2", async () => {
  const run = await evaluateTiny(["--md", "/dev/null"]);
  assertEquals(run.code, 2);
  assertEquals(run.stdout, "", "nothing ran");
  assertEquals(run.stderr, "--md: cannot write /dev/null: it is under /dev, not a place for files");
});

Deno.test({
  name: "deno task evaluate refuses --json in a folder it cannot write, in a user's words",
  ignore: !canLockFolders,
  fn: () =>
    withLockableDir("evaluate-out-", async (dir) => {
      assert(lockFolder(dir), "the folder could be locked a moment ago");
      const path = join(dir, "out.json");
      const run = await evaluateTiny(["--json", path]);
      assertEquals(run.code, 2);
      assertEquals(run.stdout, "", "nothing ran");
      assertMatch(
        run.stderr,
        new RegExp(
          `^--json: cannot write ${path}: its folder ${dir} cannot be written ` +
            "\\([^():]+ \\(os error \\d+\\)\\)$",
        ),
      );
    }),
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

Deno.test("deno task evaluate makes no folder for its outputs when the run fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  // A rating that is no number: the loader refuses the folder once the run has started.
  const empty = await Deno.makeTempDir({ prefix: "evaluate-bad-data-" });
  await Deno.copyFile(join(TINY, "movies.csv"), join(empty, "movies.csv"));
  await Deno.writeTextFile(
    join(empty, "ratings.csv"),
    "userId,movieId,rating,timestamp\n1,1,four,964982703\n",
  );
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--data", empty, "--split", "random80"]
        .concat(["--json", join(dir, "a", "b", "r.json"), "--md", join(dir, "c", "r.md")]),
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assertEquals(out.code, 1);
    assertEquals([...Deno.readDirSync(dir)], [], "no folder and no file left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test({
  name: "deno task evaluate refuses a pipe as --json and replaces a link by the file",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
    try {
      const fifo = join(dir, "pipe.json");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      const refused = await evaluateTiny(["--json", fifo]);
      assertEquals(refused.code, 2);
      assertEquals(refused.stdout, "", "nothing ran");
      assertEquals(
        refused.stderr,
        `--json: cannot write ${fifo}: ` +
          "it is a device, a pipe or a socket, not a regular file",
      );
      // A link at the output path is replaced by the file; the file it pointed to is kept.
      await Deno.writeTextFile(join(dir, "real.md"), "kept");
      await Deno.symlink(join(dir, "real.md"), join(dir, "link.md"));
      const run = await evaluateTiny(["--md", join(dir, "link.md")]);
      assertEquals(run.code, 0, run.stderr);
      assert((await Deno.lstat(join(dir, "link.md"))).isFile);
      assertEquals(await Deno.readTextFile(join(dir, "real.md")), "kept");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deno task evaluate writes neither --md nor --json when the second cannot be written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const md = join(dir, "result.md");
    await Deno.writeTextFile(md, "old report");
    // A folder name too long to make: the check before the run passes (nothing is made then),
    // the write after it fails. The report used to be written first, and stayed.
    const json = join(dir, "x".repeat(300), "result.json");
    const run = await evaluateTiny(["--md", md, "--json", json]);
    assertEquals(run.code, 1, run.stderr);
    assert(
      run.stderr.split("\n").at(-1)!.startsWith(
        `error: --json: cannot write ${json}: File name too long`,
      ),
      run.stderr,
    );
    assertEquals(await Deno.readTextFile(md), "old report");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["result.md"], "no temporary");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate names the flag and file a write after the run fails on, and leaves no new folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    // The report's new folder is made, then the JSON's cannot be (a name too long, as a full
    // disk would refuse it after the run): the message names --json, and new/ goes again.
    const md = join(dir, "new", "e.md");
    const json = join(dir, "x".repeat(300), "e.json");
    const run = await evaluateTiny(["--md", md, "--json", json]);
    assertEquals(run.code, 1, run.stderr);
    const last = run.stderr.trimEnd().split("\n").at(-1)!;
    assert(last.startsWith(`error: --json: cannot write ${json}: File name too long`), last);
    assertEquals([...Deno.readDirSync(dir)], [], "no file, no temporary, no folder new/");
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

Deno.test("deno task evaluate names a bad option in one line, without a stack, exit status 2", async () => {
  const bad = [
    ["--models", "nonsense"],
    ["--split", "nope"],
    ["--seeds", "0"],
    ["--bogus"],
    ["--data"],
    ["--json", ""],
    ["--md", "-"],
    ["--epochs", "0x1"],
    ["--seeds", "2", "--seeds", "3"],
  ];
  for (const args of bad) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trimEnd();
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(new TextDecoder().decode(out.stdout), "");
    assertEquals(err.split("\n").length, 1, err);
    assert(err.startsWith(`${args[0]}: `) || err.startsWith("unknown flag"), err);
    assert(err.endsWith(" (see --help)"), err);
  }
});

Deno.test("parseEvaluateArgs() never takes a flag as a value", () => {
  assertThrows(
    () => parseEvaluateArgs(["--json", "--md", "x.md"]),
    TypeError,
    '--json: expected a value, found "--md"',
  );
  assertThrows(
    () => parseEvaluateArgs(["--data", "--split", "u1"]),
    TypeError,
    '--data: expected a value, found "--split"',
  );
  // Joined by "=", a value may start with "--" (--data's must exist: see above).
  assertEquals(parseEvaluateArgs(["--json=--odd.json"]).json, "--odd.json");
});

Deno.test("parseEvaluateArgs() gives --help and -h precedence over anything else on the line", () => {
  for (const args of [["-h"], ["--help"], ["--fast", "--help"], ["--seeds", "0", "-h"]]) {
    assertEquals(parseEvaluateArgs(args).help, true, args.join(" "));
  }
});

Deno.test("deno task evaluate --help lists every flag parseEvaluateArgs() takes", async () => {
  assertUsageMatches(
    USAGE,
    [
      "--task",
      "--data",
      "--split",
      "--models",
      "--seeds",
      "--first-seed",
      "--epochs",
      "--json",
      "--md",
      "--no-ranking",
      "--duplicates",
      "-h",
      "--help",
    ],
    (flag) => parseEvaluateArgs([flag, "1"]),
  );
  await assertHelp("tools/evaluate/cli.ts", USAGE);
});

Deno.test("deno task evaluate answers a checksum mismatch with what its command line can do", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-checksum-" });
  try {
    // ml-100k found through MOVIELENS_DIR, but a tiny stand-in: its files are not the release's.
    const mirror = join(dir, "ml-100k");
    await Deno.mkdir(mirror);
    const fixture = new URL("../../fixtures/ml100k_tiny", import.meta.url).pathname;
    for await (const entry of Deno.readDir(fixture)) {
      await Deno.copyFile(join(fixture, entry.name), join(mirror, entry.name));
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--data", "ml-100k", "--split", "u1", "--models", "dot"]
        .concat(["--epochs", "1", "--no-ranking"]),
      env: { NO_COLOR: "1", MOVIELENS_DIR: dir },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trimEnd();
    assertEquals(out.code, 1, stderr);
    const last = stderr.split("\n").at(-1)!;
    assert(last.startsWith(`error: checksum mismatch for ${mirror}/`), last);
    assert(!last.includes("verify: false"), last); // a library option the command has no flag for
    assert(
      last.endsWith(
        "replace it with the official release, or name its folder (or zip) with --data PATH, " +
          "which reads the files as they are (their differences from the release are reported, " +
          "and no published figure is shown beside their rows)",
      ),
      last,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseEvaluateArgs() takes --duplicates last or error, and says why not keep", () => {
  assertEquals(parseEvaluateArgs(["--duplicates", "last"]).duplicates, "last");
  assertThrows(
    () => parseEvaluateArgs(["--duplicates", "keep"]),
    RangeError,
    '--duplicates: expected last or error, found "keep" (every row is not kept: a pair rated ' +
      "twice could land in both the training and the test part)",
  );
  assertThrows(
    () => parseEvaluateArgs(["--duplicates", "first"]),
    RangeError,
    '--duplicates: expected last or error, found "first"',
  );
});

/**
 * Runs a one-epoch evaluation (rating or ranking) of a small synthetic folder in which one
 * (userId, movieId) pair is rated twice.
 */
async function evaluateRepeatedPair(task: string, extra: string[]) {
  const { dir } = await writeSyntheticLatest();
  try {
    const ratings = join(dir, "ratings.csv");
    const lines = (await Deno.readTextFile(ratings)).trimEnd().split("\n");
    const [user, movie] = lines[1].split(",");
    await Deno.writeTextFile(
      ratings,
      [...lines, `${user},${movie},2.0,1999999999`].join("\n") + "\n",
    );
    const models = task === "rating"
      ? ["--models", "dot", "--no-ranking"]
      : ["--models", "popular"];
    const run = await evaluateFolder(
      dir,
      ["--task", task, "--split", "random80", ...models, "--epochs", "1", ...extra],
    );
    return {
      code: run.code,
      stderr: run.stderr,
      where: `${ratings}: `,
      pair: `userId ${user} rated movieId ${movie}`,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const task of ["rating", "ranking"]) {
  Deno.test(`deno task evaluate --task ${task} gives advice on repeated pairs in its own flags`, async () => {
    const kept = await evaluateRepeatedPair(task, []);
    assertEquals(kept.code, 0, kept.stderr);
    const warning = kept.stderr.split("\n").find((l) => l.startsWith("warning: ")) ?? "";
    assert(warning.includes(kept.where + "1 rating row repeats an earlier"), kept.stderr);
    assert(warning.includes(kept.pair), warning);
    assert(!warning.includes("{ duplicates"), warning); // a library option, not a flag
    assert(
      warning.endsWith(
        "Add --duplicates error to refuse such data (every row is never kept: a pair rated " +
          "twice could land in both the training and the test part)",
      ),
      warning,
    );
    const refused = await evaluateRepeatedPair(task, ["--duplicates", "error"]);
    assertEquals(refused.code, 1, refused.stderr);
    const last = refused.stderr.trimEnd().split("\n").at(-1)!;
    assert(last.startsWith("error: " + refused.where), last);
    assert(!last.includes("{ duplicates"), last);
    assert(
      last.endsWith(
        "Leave out --duplicates error to keep the latest rating of each pair (with a warning)",
      ),
      last,
    );
  });
}

Deno.test("commandLineMessage() says what MOVIELENS_DIR is set to where the loader says { dir }", async () => {
  const mirror = await Deno.makeTempDir({ prefix: "evaluate-mirror-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "evaluate-cache-" });
  try {
    // The loader's own message when ml-100k is found nowhere.
    const error = await assertRejects(
      () => loadMovieLens("ml-100k", { dir: mirror, cacheDir, download: false }),
      Deno.errors.NotFound,
    );
    assert(error.message.includes("MOVIELENS_DIR (or pass { dir })"), error.message);
    const set = commandLineMessage(error.message, {
      env: (name) => name === "MOVIELENS_DIR" ? mirror : undefined,
    });
    assert(!set.includes("{ dir }"), set);
    assert(
      set.includes(
        `the environment variable MOVIELENS_DIR (now ${mirror}, which has neither ml-100k/ nor ` +
          "ml-100k.zip), name the zip or the folder with --data PATH, or extract it as " +
          `${join(cacheDir, "ml-100k")}/`,
      ),
      set,
    );
    const unset = commandLineMessage(error.message, { env: () => undefined });
    assert(unset.includes("MOVIELENS_DIR (which is not set), name the zip"), unset);
    // No flag sets the cache folder: MOVIELENS_CACHE does, and the advice names only that.
    assertEquals(
      commandLineMessage("Set MOVIELENS_CACHE to a writable folder, or pass { cacheDir }. Then"),
      "Set MOVIELENS_CACHE to a writable folder. Then",
    );
  } finally {
    await Deno.remove(mirror, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("deno task evaluate --data ml-100k names MOVIELENS_DIR and its value when it lacks ml-100k", async () => {
  const mirror = await Deno.makeTempDir({ prefix: "evaluate-mirror-" });
  const cache = await Deno.makeTempDir({ prefix: "evaluate-cache-" });
  try {
    // The download fails at once, online or not: through a proxy that is not there.
    const proxy = "http://127.0.0.1:9";
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--data", "ml-100k", "--split", "u1", "--models", "dot"]
        .concat(["--epochs", "1", "--no-ranking"]),
      env: {
        NO_COLOR: "1",
        MOVIELENS_DIR: mirror,
        MOVIELENS_CACHE: cache,
        HTTPS_PROXY: proxy,
        HTTP_PROXY: proxy,
        https_proxy: proxy,
        http_proxy: proxy,
        NO_PROXY: "",
        no_proxy: "",
      },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trimEnd();
    assertEquals(out.code, 1, stderr);
    const last = stderr.split("\n").at(-1)!;
    assert(last.startsWith("error: ml-100k is not available offline"), last);
    assert(!last.includes("{ dir }"), last);
    assert(
      last.includes(`MOVIELENS_DIR (now ${mirror}, which has neither ml-100k/ nor ml-100k.zip)`),
      last,
    );
  } finally {
    await Deno.remove(mirror, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("deno task evaluate --help names every flag that keeps a run from writing results/", () => {
  const intro = USAGE.split("\nFlags:")[0];
  assert(intro.includes("writes results/evaluation.md and results/evaluation.json"), intro);
  for (const flag of PARTIAL_RUN_FLAGS) {
    assert(new RegExp(`${flag}\\b`).test(intro.replaceAll("\n", " ")), `${flag}: ${intro}`);
  }
  // Each of them does keep a run from writing them (the test above runs each).
  const example: Record<string, string[]> = {
    "--data": ["--data", "ml-100k"],
    "--split": ["--split", "random80"],
    "--models": ["--models", "dot"],
    "--epochs": ["--epochs", "1"],
    "--first-seed": ["--first-seed", "7"],
    "--no-ranking": ["--no-ranking"],
  };
  for (const flag of PARTIAL_RUN_FLAGS) {
    const parsed = parseEvaluateArgs(example[flag]);
    assertEquals(partialRunFlags(parsed), [flag]);
    assert(!writesCommittedFiles(parsed), flag);
  }
});

Deno.test("nothingWrittenLine() names the flags of a run that wrote no file and how to keep it", () => {
  const line = (...args: string[]) => nothingWrittenLine(parseEvaluateArgs(args));
  assertEquals(
    line("--models", "dot", "--epochs", "1"),
    "Wrote no file: a run with --models and --epochs leaves results/evaluation.md and " +
      "results/evaluation.json as they are; to keep its results, add --json PATH (the numbers) " +
      "or --md PATH (the report)",
  );
  assert(line("--task", "ranking", "--first-seed", "45")!.includes("a run with --first-seed "));
  assertEquals(line(), null, "the whole table writes the committed files");
  assertEquals(line("--models", "dot", "--md", "r.md"), null);
  assertEquals(line("--models", "dot", "--json", "r.json"), null);
  assertEquals(line("--models", "dot", "--json", "-"), null, "the JSON went to stdout");
});

Deno.test("deno task evaluate ends a run that wrote no file with a line saying so", async () => {
  const run = await evaluateTiny([]);
  assertEquals(run.code, 0, run.stderr);
  assertEquals(
    run.stderr.split("\n").at(-1),
    "Wrote no file: a run with --data, --split, --models, --epochs and --no-ranking leaves " +
      "results/evaluation.md and results/evaluation.json as they are; to keep its results, " +
      "add --json PATH (the numbers) or --md PATH (the report)",
  );
  const dir = await Deno.makeTempDir({ prefix: "evaluate-out-" });
  try {
    const kept = await evaluateTiny(["--md", join(dir, "r.md")]);
    assertEquals(kept.code, 0, kept.stderr);
    assert(!kept.stderr.includes("Wrote no file"), kept.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A copy of the tiny fixture whose ratings are all 4 stars, but for `except` (the row's
 * 0-based index among the ratings), which is 3.
 */
async function fourStars(except?: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-four-" });
  for await (const entry of Deno.readDir(TINY)) {
    await Deno.copyFile(join(TINY, entry.name), join(dir, entry.name));
  }
  const [header, ...rows] = (await Deno.readTextFile(join(TINY, "ratings.csv"))).trimEnd()
    .split("\n");
  const changed = rows.map((line, i) => {
    const [user, movie, , time] = line.split(",");
    return `${user},${movie},${i === except ? "3.0" : "4.0"},${time}`;
  });
  await Deno.writeTextFile(join(dir, "ratings.csv"), [header, ...changed].join("\n") + "\n");
  return dir;
}

/** Runs `deno task evaluate --data dir` with `args`: its exit code and output. */
async function evaluateFolder(dir: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--data", dir, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr).trimEnd(),
  };
}

Deno.test("deno task evaluate names the data set, split, seed and row of a row that fails", async () => {
  // Only the latest rating differs: the temporal split puts it in the test part, so the
  // training ratings are all 4 stars, which the keras.io model's output range cannot span.
  const rows = (await Deno.readTextFile(join(TINY, "ratings.csv"))).trimEnd().split("\n").slice(1);
  const times = rows.map((line) => Number(line.split(",")[3]));
  const dir = await fourStars(times.indexOf(Math.max(...times)));
  try {
    const run = await evaluateFolder(
      dir,
      ["--split", "temporal", "--models", "bce"]
        .concat(["--epochs", "1", "--no-ranking"]),
    );
    assertEquals(run.code, 1, run.stderr);
    const name = dir.split("/").at(-1);
    assertEquals(
      run.stderr.split("\n").at(-1),
      `error: ${name} temporal, seed 42, row 4 of 4 "seed 001 RecommenderNetV2 (keras.io)" ` +
        "(model bce) failed: buildModel(): expected ratingRange [min, max] with min < max, " +
        "found [4, 4]",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate refuses data whose ratings are all equal before training", async () => {
  const dir = await fourStars();
  try {
    const run = await evaluateFolder(dir, ["--split", "random80", "--epochs", "1"]);
    assertEquals(run.code, 1, run.stderr);
    assertEquals(run.stdout, "");
    const lines = run.stderr.split("\n");
    assertEquals(lines.length, 2, run.stderr); // "Loading …" and the error: no row ran
    const name = dir.split("/").at(-1);
    assertEquals(
      lines[1],
      `error: ${name} (${dir}): expected ratings of at least two values to train the models ` +
        "on, found all 10 ratings equal to 4 (a model predicts within its training ratings' " +
        "range, which would be empty); nothing was trained",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("commandLine() quotes what a shell would split or expand", () => {
  assertEquals(commandLine([]), "deno task evaluate");
  assertEquals(
    commandLine(["--data", "/my data/ml-100k", "--seeds=3", "--json", "-", "--md", "it's.md"]),
    "deno task evaluate --data '/my data/ml-100k' --seeds=3 --json - --md 'it'\\''s.md'",
  );
  assertEquals(
    commandLine(["--md", "$HOME/r.md", "--data", ""]),
    "deno task evaluate --md '$HOME/r.md' --data ''",
  );
});

Deno.test("deno task evaluate's report quotes its paths and names the JSON written beside it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate out " });
  try {
    const md = join(dir, "r.md"), json = join(dir, "json files", "r.json");
    const run = await evaluateTiny(["--md", md, "--json", json]);
    assertEquals(run.code, 0, run.stderr);
    const report = await Deno.readTextFile(md);
    const generated = report.split("\n")[2];
    const command = JSON.parse(await Deno.readTextFile(json)).command;
    assert(command.endsWith(` --md '${md}' --json '${json}'`), command);
    assert(generated.startsWith(`Generated by \`${command}\` on `), generated);
    assert(generated.endsWith(" The JSON twin is `json files/r.json` (same numbers)."), generated);
    // No ours (--models dot) and no tail15: the report describes neither.
    assert(!report.includes("**Ours**") && !report.includes("tail15"), report);
    // With the JSON on stdout, the report names no file.
    const printed = await evaluateTiny(["--md", md, "--json", "-"]);
    assertEquals(printed.code, 0, printed.stderr);
    assert(!(await Deno.readTextFile(md)).includes("JSON twin"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseEvaluateArgs() refuses a --data path in the loader's words, before loading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate-data-" });
  try {
    const layouts = "the ml-latest-small layout (ratings.csv and movies.csv) or the ml-100k " +
      "layout (u.data and u.item)";
    /** Asserts the command line's refusal, and that the loader refuses the path in its words. */
    const refused = async (path: string, cls: new (m?: string) => Error, message: string) => {
      assertThrows(() => parseEvaluateArgs(["--data", path]), RangeError, `--data: ${message}`);
      const flagless = message.replaceAll("--data ", "");
      const error = await assertRejects(() => loadMovieLens(path), cls);
      assertEquals(error.message, flagless);
    };
    await refused(
      join(TINY, "ratings.csv"),
      TypeError,
      `expected a folder or a .zip in ${layouts}, found the file ${join(TINY, "ratings.csv")}, ` +
        `which is not a .zip; to read the data set it belongs to, name its folder: --data ${TINY}`,
    );
    await refused(
      dir,
      Deno.errors.NotFound,
      `${dir} holds no MovieLens files (expected ${layouts}; it holds no files)`,
    );
    // A folder that holds a data set's folder: that one is named.
    await Deno.mkdir(join(dir, "ml-latest-small"));
    await Deno.copyFile(join(TINY, "ratings.csv"), join(dir, "ml-latest-small", "ratings.csv"));
    await Deno.writeTextFile(join(dir, "notes.txt"), "");
    await refused(
      dir,
      Deno.errors.NotFound,
      `${dir} holds no MovieLens files (expected ${layouts}; found notes.txt); its subfolder ` +
        `ml-latest-small has them: name it (--data ${join(dir, "ml-latest-small")})`,
    );
    await refused(
      join(dir, "ml-latest-small"),
      Deno.errors.NotFound,
      `movies.csv is missing in ${join(dir, "ml-latest-small")}: an ml-latest-small folder ` +
        "needs ratings.csv and movies.csv",
    );
    await Deno.copyFile(join(ML100K_TINY, "u.data"), join(dir, "ml-latest-small", "u.data"));
    await refused(
      join(dir, "ml-latest-small"),
      RangeError,
      `${join(dir, "ml-latest-small")} mixes both layouts (it has ratings.csv, u.data); ` +
        "expected ratings.csv + movies.csv or u.data + u.item",
    );
    // The same look, whatever the split.
    assertThrows(
      () => parseEvaluateArgs(["--data", join(dir, "ml-latest-small"), "--split", "random80"]),
      RangeError,
      `--data: ${join(dir, "ml-latest-small")} mixes both layouts`,
    );
    // A zip is the loader's to open.
    await Deno.writeTextFile(join(dir, "data.zip"), "");
    assertEquals(parseEvaluateArgs(["--data", join(dir, "data.zip")]).data, join(dir, "data.zip"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseEvaluateArgs() refuses ml-100k's folds on a folder without them", () => {
  assertThrows(
    () => parseEvaluateArgs(["--data", TINY, "--split", "u1"]),
    RangeError,
    `--split u1: expected ml-100k's published fold (u1.base and u1.test) in --data ${TINY}, ` +
      "found a folder in the ml-latest-small layout, which has no published fold; choose a " +
      "split of its own (random80, …)",
  );
  assertThrows(
    () => parseEvaluateArgs(["--task", "ranking", "--data", ML100K_TINY, "--split", "u2"]),
    RangeError,
    `--split u2: expected ml-100k's published fold (u2.base and u2.test) in --data ` +
      `${ML100K_TINY}, found neither file`,
  );
  assertEquals(parseEvaluateArgs(["--data", ML100K_TINY, "--split", "u1"]).split, "u1");
  assertEquals(parseEvaluateArgs(["--data", TINY, "--split", "random80"]).data, TINY);
});

Deno.test("deno task evaluate refuses a --data it could not read in one line, exit 2, before loading", async () => {
  const empty = await Deno.makeTempDir({ prefix: "evaluate-empty-" });
  try {
    const cases: [string[], string][] = [
      [["--data", join(TINY, "ratings.csv")], "--data: "],
      [["--data", empty], "--data: "],
      [["--data", TINY, "--split", "u1"], "--split u1: "],
      [["--task", "ranking", "--data", empty], "--data: "],
    ];
    for (const [args, start] of cases) {
      const run = await evaluateFolder(args[args.indexOf("--data") + 1], [
        ...args.filter((_, i) => i !== args.indexOf("--data") && i !== args.indexOf("--data") + 1),
        "--epochs",
        "1",
      ]);
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assertEquals(run.stdout, "");
      assertEquals(run.stderr.split("\n").length, 1, run.stderr);
      assert(run.stderr.startsWith(start) && run.stderr.endsWith(" (see --help)"), run.stderr);
    }
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});
