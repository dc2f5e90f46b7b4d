import { assert, assertEquals, assertThrows } from "@std/assert";
import { parseTsneBenchArgs, PERPLEXITY, USAGE } from "../../bench/tsne_bench.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";

Deno.test("parseTsneBenchArgs() reads every flag, plain decimals once each, and names a bad one", () => {
  assertEquals(parseTsneBenchArgs([]), {
    n: 1682,
    dim: 64,
    clusters: 10,
    iterations: 1000,
    method: "barnes-hut",
    seed: 42,
    sklearn: false,
  });
  assertEquals(
    parseTsneBenchArgs([
      "--n=300",
      "--dim",
      "8",
      "--clusters",
      "3",
      "--iterations",
      "250",
      "--method",
      "exact",
      "--seed",
      "0",
      "--sklearn",
    ]),
    { n: 300, dim: 8, clusters: 3, iterations: 250, method: "exact", seed: 0, sklearn: true },
  );
  assertThrows(
    () => parseTsneBenchArgs(["--n", "1e3"]),
    RangeError,
    '--n: expected an integer ≥ 31, found "1e3"',
  );
  assertThrows(
    () => parseTsneBenchArgs(["--n", "50", "--n", "60"]),
    TypeError,
    "--n: expected once",
  );
  assertThrows(
    () => parseTsneBenchArgs(["--method", "fast"]),
    RangeError,
    '--method: expected barnes-hut or exact, found "fast"',
  );
  assertThrows(
    () => parseTsneBenchArgs(["--sklearn=no"]),
    TypeError,
    "--sklearn: expected no value",
  );
  assertThrows(
    () => parseTsneBenchArgs(["--sklearn", "--iterations", "249"]),
    RangeError,
    "--iterations: scikit-learn's TSNE takes at least 250, found 249 with --sklearn",
  );
  assertEquals(parseTsneBenchArgs(["--iterations", "249"]).iterations, 249);
});

Deno.test("parseTsneBenchArgs() wants more rows than the perplexity, as its help says", async () => {
  assertEquals(PERPLEXITY, 30);
  assertEquals(parseTsneBenchArgs(["--n", "31"]).n, 31);
  for (const n of ["0", "1", "3", "30"]) {
    assertThrows(
      () => parseTsneBenchArgs(["--n", n, "--iterations", "5"]),
      RangeError,
      `--n: expected an integer ≥ 31, found "${n}"`,
    );
  }
  assert(USAGE.includes("--n N                       rows, more than the perplexity, 30"), USAGE);
  await assertUsageError(
    "bench/tsne_bench.ts",
    ["--n", "3", "--iterations", "5"],
    '--n: expected an integer ≥ 31, found "3"',
  );
  assertThrows(
    () => parseTsneBenchArgs(["--seed", "4294967296"]),
    RangeError,
    '--seed: expected an integer from 0 to 4294967295, found "4294967296"',
  );
});

Deno.test("bench/tsne_bench.ts --help lists every flag, and a bad one is one line, exit status 2", async () => {
  assertUsageMatches(
    USAGE,
    [
      "--n",
      "--dim",
      "--clusters",
      "--iterations",
      "--method",
      "--seed",
      "--sklearn",
      "-h",
      "--help",
    ],
    (flag) => parseTsneBenchArgs([flag, flag === "--method" ? "exact" : "1"]),
  );
  await assertHelp("bench/tsne_bench.ts", USAGE);
  await assertUsageError(
    "bench/tsne_bench.ts",
    ["--n", "x"],
    '--n: expected an integer ≥ 31, found "x"',
  );
  await assertUsageError("bench/tsne_bench.ts", ["--fast"], 'unknown flag "--fast"');
});
