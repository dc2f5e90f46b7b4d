import { assert, assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { parseBenchArgs, USAGE } from "../../bench/train_bench.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";
import { mirrorDir } from "../data/_helpers.ts";
import { torchAvailable } from "../../bench/_machine.ts";
import { childEnvironment, killAll, processesUnder, until } from "../_child.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** The local MovieLens mirror the bench reads ml-100k from; without one its runs are skipped. */
const MIRROR = mirrorDir();

/** Runs the bench with `args` on the local mirror. */
async function runBench(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/train_bench.ts", ...args],
    cwd: ROOT,
    env: { MOVIELENS_DIR: MIRROR! },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert(out.success, `bench failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines = stdout.trim().split("\n");
  return { stdout, lines, result: JSON.parse(lines[lines.length - 1]) };
}

Deno.test("parseBenchArgs() reads every flag and defaults to seed 003's recipe", () => {
  assertEquals(parseBenchArgs([]), {
    epochs: 30,
    batch: 100,
    model: "dot-bias",
    stock: false,
    fuse: true,
    seed: 42,
    backend: null,
    torch: true,
    table: true,
    torchReference: false,
  });
  const a = parseBenchArgs([
    "--epochs",
    "3",
    "--batch=500",
    "--model",
    "dlrm",
    "--no-torch",
    "--no-table",
  ]);
  assertEquals([a.epochs, a.batch, a.model, a.torch, a.table], [3, 500, "dlrm", false, false]);
  assertEquals(parseBenchArgs(["--backend", "cpu"]).backend, "cpu");
  assertEquals(parseBenchArgs(["--stock", "--model", "mlp"]).stock, true);
  assertEquals(parseBenchArgs(["--stock", "--no-fuse"]).fuse, false);
});

Deno.test("parseBenchArgs() rejects unknown flags, models and bad numbers", () => {
  assertThrows(() => parseBenchArgs(["--epoch", "3"]), TypeError, 'unknown flag "--epoch"');
  assertThrows(
    () => parseBenchArgs(["--model", "svd"]),
    RangeError,
    "dot, dot-bias, mlp, dlrm, softmax, bpr",
  );
  assertThrows(
    () => parseBenchArgs(["--batch", "0"]),
    RangeError,
    '--batch: expected an integer ≥ 1, found "0"',
  );
  assertThrows(() => parseBenchArgs(["--epochs"]), TypeError, "--epochs: expected a value");
  assertThrows(
    () => parseBenchArgs(["--model", "mlp", "--torch-reference"]),
    TypeError,
    "--torch-reference: expected with --model dot-bias, found --model mlp",
  );
});

Deno.test("parseBenchArgs() refuses flags that would change nothing, and a reference it cannot find", () => {
  assertThrows(() => parseBenchArgs(["--no-fuse"]), TypeError, "--no-fuse: expected with --stock");
  assertThrows(
    () => parseBenchArgs(["--model", "bpr", "--no-table"]),
    TypeError,
    "--no-table: expected with --model dot, dot-bias, mlp or dlrm, found --model bpr (the " +
      "ranking bench prints no table of milliseconds per step)",
  );
  assertThrows(
    () => parseBenchArgs(["--torch-reference", "--no-torch"]),
    TypeError,
    "--torch-reference: expected without --no-torch",
  );
  const reference = new URL("../../../shared/bench/torch_embeddingnet.py", import.meta.url);
  let present = true;
  try {
    Deno.statSync(reference);
  } catch {
    present = false;
  }
  if (present) assertEquals(parseBenchArgs(["--torch-reference"]).torchReference, true);
  else {
    assertThrows(
      () => parseBenchArgs(["--torch-reference"]),
      RangeError,
      `--torch-reference: expected the shared reference script at ${reference.pathname}, found none`,
    );
  }
});

Deno.test({
  name: "the bench prints one JSON line last, with the torch script's keys",
  ignore: MIRROR === null,
}, async () => {
  const { stdout, lines, result } = await runBench(["--epochs", "1", "--no-torch"]);
  for (
    const key of [
      "framework",
      "backend",
      "epochs",
      "batch",
      "samples_per_s",
      "s_per_epoch",
      "best_val_mse",
    ]
  ) {
    assert(key in result, `missing key ${key} in ${lines[lines.length - 1]}`);
  }
  assertEquals([result.framework, result.model, result.epochs, result.batch], [
    "tfjs",
    "dot-bias",
    1,
    100,
  ]);
  assertGreater(result.samples_per_s, 0);
  assertGreater(result.s_per_epoch, 0);
  assertGreater(result.cpu_samples_per_s, 0);
  // One epoch of seed 003's recipe from N(0, 1) embeddings: far from trained, but finite.
  assert(
    Number.isFinite(result.best_val_mse) && result.best_val_mse > 0.5,
    String(result.best_val_mse),
  );
  assertEquals(Object.keys(result.step_ms), ["64", "100", "500"]);
  assertLess(result.peak_rss_mb, 600);
  assert(!("ratio" in result));
  assert(lines.some((l) => /^epoch 1 loss \d/.test(l)), stdout);
});

Deno.test("the bench ends on a bad flag with one line, no stack trace", async () => {
  await assertUsageError(
    "bench/train_bench.ts",
    ["--model", "svd"],
    '--model: expected one of dot, dot-bias, mlp, dlrm, softmax, bpr, found "svd"',
  );
  await assertUsageError(
    "bench/train_bench.ts",
    ["--epochs", "-1"],
    '--epochs: expected an integer ≥ 1, found "-1"',
  );
});

Deno.test("parseBenchArgs() takes numbers as plain decimals, each value once, no value for a switch", () => {
  for (const bad of ["1e1", "0x10", "3.0", " 3", ""]) {
    assertThrows(
      () => parseBenchArgs(["--epochs", bad]),
      RangeError,
      `--epochs: expected an integer ≥ 1, found ${JSON.stringify(bad)}`,
    );
  }
  assertThrows(
    () => parseBenchArgs(["--seed="]),
    RangeError,
    '--seed: expected an integer from 0 to 4294967295, found ""',
  );
  // The generator reduces a seed to 32 bits: 2³² would repeat seed 0's run.
  assertThrows(
    () => parseBenchArgs(["--seed", "4294967296"]),
    RangeError,
    '--seed: expected an integer from 0 to 4294967295, found "4294967296"',
  );
  assertEquals(parseBenchArgs(["--seed", "4294967295"]).seed, 4294967295);
  assertThrows(
    () => parseBenchArgs(["--seed", "1", "--seed", "2"]),
    TypeError,
    '--seed: expected once, found a second value "2"',
  );
  assertThrows(
    () => parseBenchArgs(["--no-torch=false"]),
    TypeError,
    '--no-torch: expected no value, found "false"',
  );
  assertThrows(
    () => parseBenchArgs(["--model", "--stock"]),
    TypeError,
    '--model: expected a value, found "--stock"',
  );
});

Deno.test("deno task bench --help lists every flag parseBenchArgs() takes", async () => {
  assertUsageMatches(
    USAGE,
    [
      "--model",
      "--epochs",
      "--batch",
      "--seed",
      "--stock",
      "--no-fuse",
      "--backend",
      "--no-torch",
      "--no-table",
      "--torch-reference",
      "-h",
      "--help",
    ],
    (flag) => parseBenchArgs([flag, "1"]),
  );
  await assertHelp("bench/train_bench.ts", USAGE);
});

Deno.test({
  name: "--stock trains notebook 02's model written from stock layers and says so in the JSON",
  ignore: MIRROR === null,
}, async () => {
  const { lines, result } = await runBench([
    "--stock",
    "--epochs",
    "1",
    "--no-torch",
    "--no-table",
  ]);
  assert(lines[0].includes("dot-bias (stock layers)"), lines[0]);
  assertEquals([result.model, result.stock, result.fuse, result.epochs], [
    "dot-bias",
    true,
    true,
    1,
  ]);
  assertLess(result.best_val_mse, 9);
});

Deno.test("parseBenchArgs() gives the ranking models 64 users per step and their recipe's epochs", () => {
  const bpr = parseBenchArgs(["--model", "bpr"]);
  assertEquals([bpr.model, bpr.batch, bpr.epochs], ["bpr", 64, 0]);
  const softmax = parseBenchArgs(["--model", "softmax", "--batch", "32", "--epochs", "3"]);
  assertEquals([softmax.batch, softmax.epochs], [32, 3]);
  assertThrows(
    () => parseBenchArgs(["--model", "bpr", "--stock"]),
    TypeError,
    "--stock: expected with --model dot, dot-bias, mlp or dlrm, found --model bpr",
  );
});

Deno.test({
  name: "--model bpr prints the same kind of JSON line, with the ranking metrics",
  ignore: MIRROR === null,
}, async () => {
  const { lines, result } = await runBench(["--model", "bpr", "--epochs", "2", "--no-torch"]);
  assertEquals([result.framework, result.model, result.epochs, result.batch], [
    "tfjs",
    "bpr",
    2,
    64,
  ]);
  for (const key of ["samples_per_s", "s_per_epoch", "cpu_samples_per_s", "peak_rss_mb"]) {
    assertGreater(result[key], 0, key);
  }
  // Two epochs of BPR already rank far better than chance (about 0.006 on ml-100k).
  assertGreater(result.precision_at_10, 0.05);
  assert(result.ndcg_at_10 > 0 && result.ndcg_at_10 < 1, String(result.ndcg_at_10));
  assert(lines.some((l) => /^epoch 2 loss \d/.test(l)), lines.join("\n"));
});

/** Whether the torch twin can run here (Debian's python3-torch); the signal test needs it. */
const TORCH = await torchAvailable();
if (!TORCH) {
  console.log("bench_test: /usr/bin/python3 cannot import torch; the signal test is skipped");
}

for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test({
    name:
      `deno task bench stopped by ${signal} during the torch run exits ${status}, leaving no data file or torch`,
    ignore: MIRROR === null || !TORCH || Deno.build.os !== "linux",
    async fn() {
      const tmp = await Deno.makeTempDir({ prefix: "bench-signal-" });
      try {
        // One epoch, no table: the torch twin starts after a few seconds, on a data file that
        // the bench writes in TMPDIR (here a folder of this test's own).
        const bench = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "bench/train_bench.ts",
            "--epochs",
            "1",
            "--no-table",
            "--model",
            "dot",
          ],
          cwd: ROOT,
          env: childEnvironment({ MOVIELENS_DIR: MIRROR!, TMPDIR: tmp, NO_COLOR: "1" }),
          clearEnv: true,
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const stderr = new Response(bench.stderr).text();
        let ended: Deno.CommandStatus | null = null;
        bench.status.then((s) => ended = s);
        try {
          // The torch child names the data file (in tmp) on its command line.
          await until(
            () => ended !== null || processesUnder(tmp).length > 0,
            "the torch run to start",
            120_000,
          );
          assertEquals(ended, null, "the bench ended before its torch run started");
          assertEquals([...Deno.readDirSync(tmp)].length, 1, "the data file");
          bench.kill(signal);
          const code = (await bench.status).code;
          assertEquals([...Deno.readDirSync(tmp)], [], "the data file is left");
          assertEquals(processesUnder(tmp), [], "torch is left running");
          assertEquals(code, status, await stderr);
          assert((await stderr).includes(`${signal}: stopping the torch run`), await stderr);
        } finally {
          killAll(processesUnder(tmp));
          if (ended === null) bench.kill("SIGKILL");
          await bench.status;
        }
      } finally {
        await Deno.remove(tmp, { recursive: true });
      }
    },
  });
}
