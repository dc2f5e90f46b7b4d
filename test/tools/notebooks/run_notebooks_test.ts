import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  declaredParams,
  defaultNotebooks,
  distinctNotebooks,
  MAX_TIMEOUT_SECONDS,
  outputLocationProblem,
  parseArgs,
  sharedOutput,
  unknownSetNames,
  USAGE,
  writtenPaths,
} from "../../../tools/notebooks/run_notebooks.ts";
import {
  assertStringIncludes,
  FAILING,
  MANY,
  runCli,
  SEMANTICS,
  writeNotebook,
} from "./_helpers.ts";
import { withTempDir } from "../../data/_helpers.ts";
import { runWithEnv } from "../../_child.ts";
import { assertHelp, assertUsageMatches } from "../_usage.ts";
import { canLockFolders, lockFolder, withLockableDir } from "../_locked.ts";

const CLI = new URL("../../../tools/notebooks/run_notebooks.ts", import.meta.url).pathname;

Deno.test("parseArgs() reads the notebooks CLI and rejects a quick kernel run in place", () => {
  const cli = parseArgs(["--kernel", "--quick", "--out", "/tmp/x", "--set", "EPOCHS=2", "a.ipynb"]);
  assertEquals([cli.kernel, cli.quick, cli.out, cli.env, cli.notebooks], [
    true,
    true,
    "/tmp/x",
    { EPOCHS: "2" },
    ["a.ipynb"],
  ]);
  assertThrows(() => parseArgs(["--kernel", "--quick"]), TypeError, "add --out DIR");
  assertThrows(
    () => parseArgs(["--set", "epochs=2"]),
    TypeError,
    'UPPER_CASE name, found "epochs=2"',
  );
  assertThrows(() => parseArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
});

Deno.test("parseArgs() takes --twice only for a kernel run written elsewhere, never to compare", () => {
  const cli = parseArgs(["--kernel", "--quick", "--twice", "--out", "/tmp/x"]);
  assertEquals([cli.kernel, cli.twice, cli.out], [true, true, "/tmp/x"]);
  assertEquals(parseArgs(["--kernel", "--out", "/tmp/x"]).twice, false);
  for (const args of [["--twice"], ["--kernel", "--twice"], ["--quick", "--twice"]]) {
    assertThrows(() => parseArgs(args), TypeError, "--twice: expected together with --kernel");
  }
  assertThrows(
    () => parseArgs(["--compare", "--twice", "--out", "/tmp/x"]),
    TypeError,
    "leave out --compare",
  );
});

Deno.test("parseArgs() takes --run-all-twice only for a kernel run written elsewhere, alone", () => {
  const cli = parseArgs(["--kernel", "--quick", "--run-all-twice", "--out", "/tmp/x"]);
  assertEquals([cli.kernel, cli.runAllTwice, cli.twice, cli.out], [true, true, false, "/tmp/x"]);
  assertEquals(parseArgs(["--kernel", "--out", "/tmp/x"]).runAllTwice, false);
  for (const args of [["--run-all-twice"], ["--kernel", "--run-all-twice"]]) {
    assertThrows(
      () => parseArgs(args),
      TypeError,
      "--run-all-twice: expected together with --kernel and --out DIR",
    );
  }
  for (const other of ["--compare", "--twice"]) {
    assertThrows(
      () => parseArgs(["--kernel", other, "--run-all-twice", "--out", "/tmp/x"]),
      TypeError,
      `leave out ${other}`,
    );
  }
});

Deno.test("deno task notebooks prints outputs and a summary and exits 1 naming the failing cell", async () => {
  const { code, stdout: out, stderr: err } = await runCli(["--quick", SEMANTICS, FAILING]);
  assertEquals(code, 1);
  assertStringIncludes(out, 'Out[8]: "the end"');
  assertMatch(out, /semantics\.ipynb\s+fresh\s+ok\s+10/);
  assertMatch(out, /failing\.ipynb\s+fresh\s+FAILED \(cell 3\)/);
  assertStringIncludes(out, "Headline figures");
  assertStringIncludes(err, `${FAILING}, cell 3 ([2]): RangeError: bad value in cell 3: 1`);
});

Deno.test("parseArgs() takes --jobs as a whole number of notebooks at a time, one per core by default", () => {
  assertEquals(parseArgs(["--jobs", "3"]).jobs, 3);
  assertEquals(parseArgs([]).jobs, Math.max(1, navigator.hardwareConcurrency || 1));
  assertThrows(() => parseArgs(["--jobs", "0"]), RangeError, 'an integer ≥ 1, found "0"');
  assertThrows(() => parseArgs(["--jobs", "1.5"]), RangeError, 'found "1.5"');
});

Deno.test("deno task notebooks --jobs 2 runs side by side but prints each notebook whole, in order", async () => {
  const { code, stdout: out, records } = await runCli(["--quick", "--jobs", "2", MANY, SEMANTICS]);
  assertEquals(code, 0);
  const many = out.indexOf(`━━ ${MANY}`), semantics = out.indexOf(`━━ ${SEMANTICS}`);
  assert(many >= 0 && semantics > many, "the first notebook named is printed first");
  assert(out.indexOf("line 30") < semantics, "the first notebook's outputs are not interleaved");
  assertStringIncludes(out, 'Out[8]: "the end"');
  assertMatch(out, /total\s+2\/2 ok\s+\S+ s\s+wall clock, 2 at a time/);
  // The seconds each took, for the next run's order, in the file NB_SCHEDULE_FILE names.
  assertEquals(Object.keys(records).sort(), [
    "many_outputs.ipynb fresh quick",
    "semantics.ipynb fresh quick",
  ]);
});

/** Writes notebooks that cannot run into a new folder: missing, not JSON, no code cells. */
async function brokenNotebooks(): Promise<
  { dir: string; missing: string; text: string; empty: string }
> {
  const dir = await Deno.makeTempDir({ prefix: "runner-broken-" });
  const text = `${dir}/not_json.ipynb`;
  const empty = `${dir}/no_cells.ipynb`;
  await Deno.writeTextFile(text, "not json\n{");
  await Deno.writeTextFile(
    empty,
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
  );
  return { dir, missing: `${dir}/missing.ipynb`, text, empty };
}

Deno.test("deno task notebooks reports each missing or broken notebook in one line and runs the others", async () => {
  const { dir, missing, text, empty } = await brokenNotebooks();
  try {
    const { code, stdout: out, stderr: err } = await runCli([
      "--quick",
      missing,
      SEMANTICS,
      text,
      empty,
      FAILING,
    ]);
    assertEquals(code, 1);
    // The notebooks that can run, ran, and their outputs and the summary are printed.
    assertStringIncludes(out, 'Out[8]: "the end"');
    assertMatch(out, /semantics\.ipynb\s+fresh\s+ok\s+10/);
    assertMatch(out, /failing\.ipynb\s+fresh\s+FAILED \(cell 3\)/);
    assertMatch(out, /missing\.ipynb\s+fresh\s+FAILED \(not run\)/);
    assertMatch(out, /total\s+1\/5 ok/);
    assertStringIncludes(err, `${FAILING}, cell 3 ([2]): RangeError: bad value in cell 3: 1`);
    // One line per broken notebook, naming it and what is wrong, without a stack trace.
    const lines = err.split("\n");
    const line = (path: string) => lines.filter((l) => l.includes(path));
    assertEquals(line(missing), [`✗ ${missing}: cannot run: no such file`]);
    assertEquals(line(empty), [`✗ ${empty}: cannot run: no code cells`]);
    assertEquals(line(text).length, 1);
    assertMatch(line(text)[0], /^✗ \S+not_json\.ipynb: cannot run: not JSON \(.+\)$/);
    // The failing cell's report points into the notebook; nothing points into the runner.
    assert(!/Uncaught|tools\/notebooks|ext:/.test(err), `a runner stack trace:\n${err}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task notebooks names a bad option in one line, without the usage or a stack", async () => {
  for (const args of [["--fast"], ["--jobs", "x"], ["--set", "epochs=1"]]) {
    const { code, stderr, stdout } = await runCli(args);
    const err = stderr.trimEnd();
    assertEquals(code, 2);
    assertEquals(stdout, "");
    assertEquals(err.split("\n").length, 1, err);
    assertStringIncludes(err, "see --help");
  }
});

Deno.test("parseArgs() takes numbers as plain decimals and an option's one value once", () => {
  for (const bad of ["0x2", "1e0", "2.0", " 2", "+2"]) {
    assertThrows(() => parseArgs(["--jobs", bad]), RangeError, `found "${bad}"`);
  }
  for (const bad of ["0x10", "1e3", "Infinity"]) {
    assertThrows(() => parseArgs(["--timeout", bad]), RangeError, `found "${bad}"`);
  }
  assertEquals(parseArgs(["--timeout", "90.5"]).timeout, 90.5);
  // Above 2³¹ − 1 ms a timer fires at once, and every notebook would fail as timed out.
  assertEquals(MAX_TIMEOUT_SECONDS, 2147483);
  assertEquals(parseArgs(["--timeout", "2147483"]).timeout, 2147483);
  for (const big of ["2147483.5", "99999999999"]) {
    assertThrows(
      () => parseArgs(["--timeout", big]),
      RangeError,
      `--timeout: expected a positive number of seconds up to 2147483, found "${big}"`,
    );
  }
  assertThrows(
    () => parseArgs(["--jobs", "2", "--jobs", "3"]),
    TypeError,
    '--jobs: expected once, found a second value "3"',
  );
  assertThrows(() => parseArgs(["--timeout", "9", "--timeout", "9"]), TypeError, "once");
  assertThrows(
    () => parseArgs(["--kernel", "--out", "/tmp/a", "--out", "/tmp/b"]),
    TypeError,
    "--out: expected once",
  );
  assertThrows(
    () => parseArgs(["--set", "EPOCHS=2", "--set", "EPOCHS=3"]),
    TypeError,
    "--set: expected EPOCHS once, found EPOCHS=2 and EPOCHS=3",
  );
  assertEquals(parseArgs(["--set", "EPOCHS=2", "--set", "SEED=1"]).env, {
    EPOCHS: "2",
    SEED: "1",
  });
});

Deno.test("parseArgs() counts NB_QUICK from the environment as --quick, naming a bad one", async () => {
  // In a child: NB_QUICK set here would reach every test module running beside this one.
  const check = (quick: string, body: string) =>
    runWithEnv(
      `import { parseArgs } from ${JSON.stringify(new URL(CLI, "file:").href)};
       import { assertEquals, assertThrows } from "@std/assert";
       ${body}`,
      { NB_QUICK: quick },
    );
  await check(
    "maybe",
    `assertThrows(() => parseArgs([]), TypeError,
       'NB_QUICK: expected 1/0, true/false, yes/no or on/off (or unset), found "maybe"');`,
  );
  await check(
    "on",
    `assertEquals(parseArgs([]).quick, true);
     assertThrows(() => parseArgs(["--kernel"]), TypeError, "--kernel NB_QUICK=on would overwrite");
     assertThrows(() => parseArgs(["--compare"]), TypeError, "found NB_QUICK=on");`,
  );
  await check("off", `assertEquals(parseArgs([]).quick, false);`);
});

Deno.test("unknownSetNames() catches a --set name no notebook declares", async () => {
  assertEquals(await declaredParams(SEMANTICS), ["SEED", "ROUNDS"]);
  assertEquals(await declaredParams(`${SEMANTICS}.missing`), null);
  const one = new Map([[SEMANTICS, ["SEED", "ROUNDS"]]]);
  assertEquals(unknownSetNames({ ROUNDS: "3" }, one), null);
  // The library's settings pass through as environment variables, as they did before the check.
  for (
    const name of ["MOVIELENS_DIR", "MOVIELENS_CACHE", "TFJS_BACKEND", "NATIVE_KERNELS", "NB_LIVE"]
  ) {
    assertEquals(unknownSetNames({ [name]: "x" }, one), null, name);
  }
  assert(unknownSetNames({ NB_QUICK: "1" }, one)?.startsWith("--set NB_QUICK"), "--quick says it");
  assertEquals(
    unknownSetNames({ ROUDNS: "3" }, one),
    `--set ROUDNS: no parameter of that name in ${SEMANTICS} (known: ROUNDS, SEED)`,
  );
  // Several notebooks: a name one of them declares applies to that one; none is an error.
  const two = new Map([["a.ipynb", ["EPOCHS"]], ["b.ipynb", ["SEED"]], ["c.ipynb", null]]);
  assertEquals(unknownSetNames({ EPOCHS: "1", SEED: "2" }, two), null);
  assertEquals(
    unknownSetNames({ EPOHCS: "1", SEDE: "2" }, two),
    "--set EPOHCS, SEDE: no parameter of those names in any of the 2 notebooks " +
      "(a.ipynb, b.ipynb) (known: EPOCHS, SEED)",
  );
});

Deno.test("deno task notebooks refuses an undeclared --set name or a bad NB_QUICK", async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [
      ["--set", "ROUDNS=3", SEMANTICS],
      {},
      `--set ROUDNS: no parameter of that name in ${SEMANTICS} (known: ROUNDS, SEED)`,
    ],
    [[SEMANTICS], { NB_QUICK: "maybe" }, "NB_QUICK: expected 1/0"],
    [["--jobs", "0x1", SEMANTICS], {}, '--jobs: expected an integer ≥ 1, found "0x1"'],
  ];
  for (const [args, env, message] of cases) {
    const { code, stderr, stdout } = await runCli(args, env);
    const err = stderr.trimEnd();
    assertEquals(code, 2, err);
    assertEquals(stdout, "", "nothing ran");
    assertEquals(err.split("\n").length, 1, err);
    assertStringIncludes(err, message);
  }
});

Deno.test("parseArgs() takes a value joined by '=', none for a switch, and never a flag as a value", () => {
  const cli = parseArgs([
    "--jobs=3",
    "--timeout=90.5",
    "--set=EPOCHS=2",
    "--kernel",
    "--out=/tmp/x",
  ]);
  assertEquals([cli.jobs, cli.timeout, cli.env, cli.out], [3, 90.5, { EPOCHS: "2" }, "/tmp/x"]);
  assertThrows(() => parseArgs(["--quick=1"]), TypeError, '--quick: expected no value, found "1"');
  assertThrows(
    () => parseArgs(["--kernel", "--out", "--quick"]),
    TypeError,
    '--out: expected a value, found "--quick"',
  );
  assertThrows(
    () => parseArgs(["--jobs", ""]),
    RangeError,
    '--jobs: expected an integer ≥ 1, found ""',
  );
});

Deno.test("parseArgs() gives --help and -h precedence over anything else on the line", () => {
  for (const args of [["-h"], ["--help"], ["--fast", "--help"], ["--jobs", "x", "-h"]]) {
    assertEquals(parseArgs(args).help, true, args.join(" "));
  }
  assertEquals(parseArgs(["-q"]).quiet, true);
});

Deno.test("deno task notebooks --help lists every flag parseArgs() takes, -h and -q included", async () => {
  assertUsageMatches(
    USAGE,
    [
      "--kernel",
      "--out",
      "--twice",
      "--run-all-twice",
      "--quick",
      "--set",
      "--verify",
      "--compare",
      "--timeout",
      "--jobs",
      "-q",
      "--quiet",
      "-h",
      "--help",
    ],
    (flag) => parseArgs([flag, "1"]),
  );
  await assertHelp("tools/notebooks/run_notebooks.ts", USAGE);
});

Deno.test("deno task notebooks --compare removes its folder when no notebook ran", async () => {
  await withTempDir(async (dir) => {
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    const notebook = await writeNotebook(dir, ["1 + 1"]);
    // No Python to drive the kernel: the run fails before any notebook is written.
    const { code, stdout, stderr } = await runCli(["--compare", "--quiet", notebook], {
      TMPDIR: tmp,
      NB_PYTHON: `${dir}/no-python`,
    });
    assertEquals(code, 1, stdout + stderr);
    assertStringIncludes(stderr, `cannot start ${dir}/no-python`);
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  });
});

Deno.test("defaultNotebooks() lists the folder's notebooks by name, relative to the working folder", async () => {
  const repo = await defaultNotebooks();
  assert(repo.length >= 6, `found ${repo.length} notebooks in the repository`);
  assertEquals(repo, [...repo].sort());
  assert(repo.every((p) => /^notebooks\/\d\d_[a-z_]+\.ipynb$/.test(p)), repo.join(", "));
  await withTempDir(async (dir) => {
    for (const name of ["b.ipynb", "a.ipynb", "notes.txt", "a.ipynb.bak"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "{}");
    }
    await Deno.mkdir(`${dir}/c.ipynb`); // a folder, however named, is not a notebook
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/sub/d.ipynb`, "{}");
    const folder = new URL(`file://${dir}/`);
    assertEquals(await defaultNotebooks({ folder }), [`${dir}/a.ipynb`, `${dir}/b.ipynb`]);
    assertEquals(await defaultNotebooks({ folder: new URL(`file://${dir}/missing/`) }), []);
  });
});

Deno.test("distinctNotebooks() keeps each file once, where it is first named", async () => {
  await withTempDir(async (dir) => {
    const a = await writeNotebook(dir, ["1"]);
    await Deno.symlink(a, `${dir}/link.ipynb`);
    const other = `${dir}/missing.ipynb`;
    assertEquals(
      await distinctNotebooks([
        a,
        `${dir}/./nb.ipynb`,
        `${dir}/link.ipynb`,
        other,
        other,
        SEMANTICS,
      ]),
      [a, other, SEMANTICS],
    );
  });
});

Deno.test("sharedOutput() names two notebooks that one --out folder would take under one name", async () => {
  const notebooks = ["a/x.ipynb", "b/y.ipynb", "c/x.ipynb"];
  assertEquals(await writtenPaths(notebooks, "/o"), ["/o/x.ipynb", "/o/y.ipynb", "/o/x.ipynb"]);
  assertEquals(
    sharedOutput(notebooks, await writtenPaths(notebooks, "/o"), "--out"),
    "--out: a/x.ipynb and c/x.ipynb would both be written to /o/x.ipynb; " +
      "run notebooks of one name with an --out folder each",
  );
  // In place, each is its own file.
  assertEquals(sharedOutput(notebooks, await writtenPaths(notebooks), "--out"), null);
});

Deno.test("deno task notebooks --kernel refuses two notebooks that --out would write to one file", async () => {
  await withTempDir(async (dir) => {
    const [a, b] = [`${dir}/a`, `${dir}/b`];
    await Promise.all([Deno.mkdir(a), Deno.mkdir(b)]);
    const first = await writeNotebook(a, ["1"]);
    const second = await writeNotebook(b, ["2"]);
    for (const args of [["--kernel", "--out", `${dir}/o`], ["--compare"]]) {
      // No Python to drive a kernel: a run that started would fail, not be refused.
      const run = await runCli([...args, first, second], { NB_PYTHON: `${dir}/no-python` });
      assertEquals(run.code, 2, run.stdout + run.stderr);
      assertEquals(run.stdout, "", "nothing ran");
      const err = run.stderr.trimEnd();
      assertEquals(err.split("\n").length, 1, err);
      assertStringIncludes(
        err,
        `${
          args[0] === "--compare" ? "--compare" : "--out"
        }: ${first} and ${second} would both be written to `,
      );
    }
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["a", "b"],
      "no --out folder made",
    );
  });
});

Deno.test("deno task notebooks runs a notebook named twice once", async () => {
  await withTempDir(async (dir) => {
    const notebook = await writeNotebook(dir, ["console.log('ran')"]);
    const run = await runCli(["--quick", notebook, `${dir}/./nb.ipynb`]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.stdout.split("\n").filter((l) => l === "ran").length, 1, run.stdout);
    assertMatch(run.stdout, /total\s+1\/1 ok/);
  });
});

Deno.test("outputLocationProblem() refuses an --out that is a file or a device", async () => {
  await withTempDir(async (dir) => {
    const notebook = await writeNotebook(dir, ["1"]);
    assertEquals(
      await outputLocationProblem(await writtenPaths([notebook], notebook), notebook),
      `--out: expected a folder, found a file (${notebook})`,
    );
    assertEquals(
      await outputLocationProblem(await writtenPaths([notebook], "/dev/null"), "/dev/null"),
      "--out: expected a folder, found a device, a pipe or a socket (/dev/null)",
    );
    assertEquals(
      await outputLocationProblem(await writtenPaths([notebook], `${dir}/new/o`), `${dir}/new/o`),
      null,
    );
    assertEquals(await outputLocationProblem(await writtenPaths([notebook]), undefined), null);
  });
});

Deno.test({
  name: "deno task notebooks --kernel refuses a folder it cannot write before any cell runs",
  ignore: !canLockFolders,
  fn: () =>
    withLockableDir("notebooks-out-", async (dir) => {
      const locked = `${dir}/locked`;
      await Deno.mkdir(locked);
      const notebook = await writeNotebook(dir, ["1"]);
      const inPlace = await writeNotebook(locked, ["1"]);
      assert(lockFolder(locked), "the folder could be locked a moment ago");
      const cases: [string[], string][] = [
        [
          ["--kernel", "--out", locked, notebook],
          `--out: cannot write ${locked}/nb.ipynb: its folder ${locked} cannot be written (`,
        ],
        [
          ["--kernel", "--out", `${locked}/new`, notebook],
          `--out: cannot write ${locked}/new/nb.ipynb: ${locked}, where its folder ${locked}/new would be made, cannot be written (`,
        ],
        [
          ["--kernel", inPlace],
          `--kernel: cannot write ${inPlace}: its folder ${locked} cannot be written (`,
        ],
        [
          ["--kernel", "--out", notebook, notebook],
          `--out: expected a folder, found a file (${notebook})`,
        ],
      ];
      for (const [args, expected] of cases) {
        // No Python to drive a kernel: a run that started would fail, not be refused.
        const run = await runCli(args, { NB_PYTHON: `${dir}/no-python` });
        assertEquals(run.code, 2, run.stdout + run.stderr);
        assertEquals(run.stdout, "", "nothing ran");
        const err = run.stderr.trimEnd();
        assertEquals(err.split("\n").length, 1, err);
        assert(err.startsWith(expected), err);
        assert(!err.includes("tmpfile"), err);
      }
    }),
});

Deno.test("deno task notebooks refuses a --set value a parameter cell refuses, before anything runs", async () => {
  const { code, stdout, stderr } = await runCli(["--quick", "--set", "ROUNDS=abc", SEMANTICS]);
  assertEquals(code, 2, stderr);
  assertEquals(stdout, "", "nothing ran");
  assertEquals(
    stderr.trimEnd(),
    `${SEMANTICS}: param(): expected a decimal integer for ROUNDS (digits only, such as 3), ` +
      'found "abc" (--set ROUNDS) (see --help)',
  );
  // From the environment, named as such.
  const env = await runCli(["--quick", SEMANTICS], { ROUNDS: "2.5" });
  assertEquals(env.code, 2, env.stderr);
  assertStringIncludes(env.stderr, "(environment variable ROUNDS)");
  // A value the cell takes runs as before.
  const ok = await runCli(["--quick", "--set", "ROUNDS=3", SEMANTICS]);
  assertEquals(ok.code, 0, ok.stderr);
});
