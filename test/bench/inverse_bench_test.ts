import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { gramLike, MAX_ORDER, parseInverseBenchArgs, USAGE } from "../../bench/inverse_bench.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";
import { PYTHON } from "../../bench/_machine.ts";
import { nativeChildEnvironment } from "../_child.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("parseInverseBenchArgs() reads every flag and names a bad one", () => {
  assertEquals(parseInverseBenchArgs([]), { n: 4000, seed: 42, numpy: false, js: true });
  assertEquals(
    parseInverseBenchArgs(["--n", "700", "--seed", "0", "--numpy", "--no-js"]),
    { n: 700, seed: 0, numpy: true, js: false },
  );
  assertThrows(
    () => parseInverseBenchArgs(["--n", "0"]),
    RangeError,
    '--n: expected an integer from 1 to 16384, found "0"',
  );
  assertThrows(() => parseInverseBenchArgs(["--n", "1.5"]), RangeError, 'found "1.5"');
  assertThrows(() => parseInverseBenchArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
});

Deno.test("parseInverseBenchArgs() bounds the order by memory and the seed by the generator", () => {
  assertEquals(MAX_ORDER, 16384);
  assertEquals(parseInverseBenchArgs(["--n", "16384"]).n, 16384);
  for (const big of ["16385", "99999999"]) {
    assertThrows(
      () => parseInverseBenchArgs(["--n", big, "--no-js"]),
      RangeError,
      `--n: expected an integer from 1 to 16384, found "${big}"`,
    );
  }
  assertThrows(
    () => parseInverseBenchArgs(["--seed", "4294967296"]),
    RangeError,
    '--seed: expected an integer from 0 to 4294967295, found "4294967296"',
  );
});

Deno.test("parseInverseBenchArgs() takes plain decimals, each value once, and names a missing one", () => {
  assertEquals(parseInverseBenchArgs(["--n=500", "--seed=7"]).n, 500);
  for (const bad of ["1e3", "0x10", "", " 5"]) {
    assertThrows(
      () => parseInverseBenchArgs(["--seed", bad]),
      RangeError,
      `--seed: expected an integer from 0 to 4294967295, found ${JSON.stringify(bad)}`,
    );
  }
  assertThrows(
    () => parseInverseBenchArgs(["--n"]),
    TypeError,
    "--n: expected a value, found nothing",
  );
  assertThrows(
    () => parseInverseBenchArgs(["--n", "5", "--n", "6"]),
    TypeError,
    "--n: expected once",
  );
  assertThrows(() => parseInverseBenchArgs(["--numpy=1"]), TypeError, "--numpy: expected no value");
});

Deno.test("deno task bench:inverse --help lists every flag, and a bad one is one line, exit status 2", async () => {
  assertUsageMatches(
    USAGE,
    ["--n", "--seed", "--numpy", "--no-js", "-h", "--help"],
    (flag) => parseInverseBenchArgs([flag, "1"]),
  );
  await assertHelp("bench/inverse_bench.ts", USAGE);
  await assertUsageError(
    "bench/inverse_bench.ts",
    ["--n", "x"],
    '--n: expected an integer from 1 to 16384, found "x"',
  );
  await assertUsageError("bench/inverse_bench.ts", ["--fast"], 'unknown flag "--fast"');
});

Deno.test("gramLike() is symmetric, diagonally dominant and the same for the same seed", () => {
  const n = 50, a = gramLike(n, 7);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < n; j++) {
      assertEquals(a[i * n + j], a[j * n + i]);
      if (j !== i) off += Math.abs(a[i * n + j]);
    }
    assert(a[i * n + i] > off, `row ${i} is not dominated by its diagonal`);
  }
  assertEquals(gramLike(n, 7), a);
  assert(gramLike(n, 8).some((v, i) => v !== a[i]));
});

async function numpyAvailable(): Promise<boolean> {
  const out = await new Deno.Command(PYTHON, { args: ["-c", "import numpy"], stderr: "null" })
    .output().catch(() => null);
  return out?.success ?? false;
}

Deno.test("the inverse bench times every path on one matrix and prints its JSON last", async () => {
  const numpy = await numpyAvailable();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/inverse_bench.ts", "--n", "600", ...(numpy ? ["--numpy"] : [])],
    cwd: ROOT,
    env: nativeChildEnvironment(), // the library loads and picks its threads itself
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout),
    stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    // Without a C compiler the native kernels cannot load, and the bench says so in one line.
    assertEquals(out.code, 1);
    assert(/^error: inverse_bench: the native kernels did not load/.test(stderr.trim()), stderr);
    return;
  }
  const lines = stdout.trim().split("\n");
  const result = JSON.parse(lines.at(-1)!);
  assertEquals(result.n, 600);
  for (const key of ["js_seconds", "native_1_seconds", "native_seconds", "thread_speedup"]) {
    assert(result[key] > 0, `${key}: ${result[key]}`);
  }
  assertEquals(result.bits_equal, true, "one thread, every core and JavaScript agree to the bit");
  assertLess(result.residual, 1e-12);
  assertEquals(result.native_threads, Math.min(navigator.hardwareConcurrency, 8, 2));
  if (numpy) assertLess(result.numpy_max_difference, 1e-12);
  assert(lines[0].startsWith("invertSpd, n = 600"), lines[0]);
});
