import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { parseUnaryBenchArgs, STEP_VALUES, USAGE } from "../../bench/unary_bench.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";
import { nativeChildEnvironment } from "../_child.ts";
import { mirrorDir } from "../data/_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** The local MovieLens mirror `--train` reads ml-100k from; without one that test is skipped. */
const MIRROR = mirrorDir();

/** Runs the bench with `args`; returns what it printed and its last line's JSON. */
async function runBench(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/unary_bench.ts", ...args],
    cwd: ROOT,
    // The native kernels as the bench finds them, whatever the shell exported.
    env: nativeChildEnvironment(MIRROR === null ? {} : { MOVIELENS_DIR: MIRROR }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert(out.success, new TextDecoder().decode(out.stderr));
  return { stdout, result: JSON.parse(stdout.trim().split("\n").at(-1)!) };
}

Deno.test("parseUnaryBenchArgs() reads the op and every flag, and names a bad one", () => {
  assertEquals(parseUnaryBenchArgs(["exp"]), { op: "exp", every: 256, train: false });
  assertEquals(parseUnaryBenchArgs(["softplus", "--all"]), {
    op: "softplus",
    every: 1,
    train: false,
  });
  assertEquals(
    parseUnaryBenchArgs(["exp", "--every", "4099", "--train"]),
    { op: "exp", every: 4099, train: true },
  );
  assertThrows(() => parseUnaryBenchArgs([]), RangeError, "expected an op first");
  assertThrows(() => parseUnaryBenchArgs(["--all"]), RangeError, 'found "--all"');
  assertThrows(() => parseUnaryBenchArgs(["log"]), RangeError, "(softplus or exp)");
  assertThrows(() => parseUnaryBenchArgs(["exp", "--every", "0"]), RangeError, 'found "0"');
  assertThrows(() => parseUnaryBenchArgs(["exp", "--every"]), TypeError, "found nothing");
  assertThrows(() => parseUnaryBenchArgs(["exp", "--fast"]), TypeError, 'unknown flag "--fast"');
});

Deno.test("parseUnaryBenchArgs() takes --every as plain decimals, once, and not with --all", () => {
  assertEquals(parseUnaryBenchArgs(["exp", "--every=4099"]).every, 4099);
  for (const bad of ["1e3", "0x10", "", "4294967297"]) {
    assertThrows(
      () => parseUnaryBenchArgs(["exp", "--every", bad]),
      RangeError,
      `--every: expected an integer from 1 to 4294967296, found ${JSON.stringify(bad)}`,
    );
  }
  assertThrows(
    () => parseUnaryBenchArgs(["exp", "--every", "3", "--every", "5"]),
    TypeError,
    "--every: expected once",
  );
  assertThrows(
    () => parseUnaryBenchArgs(["exp", "--all", "--every", "5"]),
    TypeError,
    "--all and --every 5: expected one of them",
  );
  assertThrows(
    () => parseUnaryBenchArgs(["exp", "--train=1"]),
    TypeError,
    "--train: expected no value",
  );
});

Deno.test("deno task bench:exp --help lists every flag, and a bad one is one line, exit status 2", async () => {
  assertUsageMatches(
    USAGE,
    ["--every", "--all", "--train", "-h", "--help"],
    (flag) => parseUnaryBenchArgs(["exp", flag, "1"]),
  );
  await assertHelp("bench/unary_bench.ts", USAGE, ["exp"]);
  await assertHelp("bench/unary_bench.ts", USAGE);
  await assertUsageError("bench/unary_bench.ts", ["exp", "--fast"], 'unknown flag "--fast"');
  await assertUsageError(
    "bench/unary_bench.ts",
    ["softplus", "--every", "0"],
    '--every: expected an integer from 1 to 4294967296, found "0"',
  );
  await assertUsageError(
    "bench/unary_bench.ts",
    [],
    "expected an op first (softplus or exp), found nothing",
  );
});

for (const op of ["exp", "softplus"] as const) {
  Deno.test(`the ${op} bench times both kernels, checks the bits and prints its JSON last`, async () => {
    const { stdout, result } = await runBench([op, "--every", "65537"]);
    assertEquals(result.op, op);
    assertEquals(result.values, STEP_VALUES[op]);
    assert(result.wasm_ns_per_value > 0, stdout);
    assertEquals(result.differing, 0, stdout);
    if (!result.kernel.startsWith("native")) return; // no native kernel here: nothing compared
    assert(result.native_ns_per_value > 0, stdout);
    assertEquals(result.checked, 65_536); // ⌈2³² / 65,537⌉
    // Every native function agrees on the patterns sampled (softplus: with this machine's libm).
    assertEquals(result.native_differing, 0, stdout);
    assertEquals(Object.keys(result.alone).length > 0, true);
  });
}

Deno.test({
  name: "--train times the op's model with either kernel, switched in one process",
  // It trains on ml-100k, which tests read from a local copy.
  ignore: MIRROR === null,
  fn: async () => {
    const { stdout, result } = await runBench(["exp", "--every", String(2 ** 31), "--train"]);
    if (!result.kernel.startsWith("native")) {
      assertEquals(result.epoch_ms_wasm, null); // nothing native to switch
      return;
    }
    assert(result.epoch_ms_wasm > 0 && result.epoch_ms_native > 0, stdout);
    // The ratio of the unrounded times, to 3 decimals; the times in the line have 2 decimals, so
    // their own ratio may differ from it in the third (CI once saw 1.329 against 1.33).
    assertAlmostEquals(
      result.epoch_speedup,
      result.epoch_ms_wasm / result.epoch_ms_native,
      0.0005 +
        0.006 * result.epoch_speedup * (1 / result.epoch_ms_wasm + 1 / result.epoch_ms_native),
    );
    assert(/^train {3}softmax epoch [\d.]+ ms with the WebAssembly exp/m.test(stdout), stdout);
  },
});
