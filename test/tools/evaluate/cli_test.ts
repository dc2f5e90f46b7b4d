import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import {
  MAX_EPOCHS,
  MAX_SEEDS,
  parseEvaluateArgs,
  USAGE,
  writesCommittedFiles,
} from "../../../tools/evaluate/cli.ts";
import { assertHelp, assertUsageMatches } from "../_usage.ts";
import { outputProblem, writeFileAtomic } from "../../../tools/_write.ts";
import { canLockFolders, lockFolder, withLockableDir } from "../_locked.ts";
import { writeSyntheticLatest } from "./_synthetic.ts";

const TINY = new URL("../../fixtures/latest_tiny", import.meta.url).pathname;

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

Deno.test("parseEvaluateArgs() defaults to the whole table, one seed, recipe epochs", () => {
  assertEquals(parseEvaluateArgs([]), {
    task: "rating",
    seeds: 1,
    firstSeed: 42,
    epochs: null,
    json: null,
    md: null,
    ranking: true,
    duplicates: "last",
    help: false,
  });
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
  // A folder may be in either layout: the loader judges it.
  assertEquals(parseEvaluateArgs(["--split", "u1", "--data", TINY]).split, "u1");
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
    '--models: expected a kind at position 2 of "dot,"',
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
  const empty = await Deno.makeTempDir({ prefix: "evaluate-no-data-" }); // fails when loaded
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
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--task", task, "--data", dir, "--split", "random80", ...models]
        .concat(["--epochs", "1", ...extra]),
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    return {
      code: out.code,
      stderr: new TextDecoder().decode(out.stderr),
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
