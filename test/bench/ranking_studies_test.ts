import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  adopts,
  COOLDOWN_EPOCHS,
  cooldownRates,
  noHitsLoss,
  parseStudyArgs,
  USAGE,
} from "../../bench/ranking_studies.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";
import { setupBackend } from "../../lib/train/backend.ts";

Deno.test("parseStudyArgs() takes a study and its splits, and names a bad one", () => {
  assertEquals(parseStudyArgs(["blend"]), { study: "blend", splits: [42, 43, 44] });
  assertEquals(parseStudyArgs(["mult-dae"]).splits, [42, 43, 44, 45, 46]);
  assertEquals(parseStudyArgs(["cooldown"]).splits, [42, 43, 44, 45, 46]);
  assertEquals(parseStudyArgs(["grid", "--splits", "42,50"]), { study: "grid", splits: [42, 50] });
  assertThrows(
    () => parseStudyArgs([]),
    RangeError,
    "expected a study first (blend, grid, no-hits",
  );
  assertThrows(() => parseStudyArgs(["toString"]), RangeError, 'found "toString"');
  assertThrows(
    () => parseStudyArgs(["blend", "--split", "42"]),
    TypeError,
    'unknown flag "--split"',
  );
  assertThrows(
    () => parseStudyArgs(["blend", "--splits"]),
    TypeError,
    "--splits: expected a value, found nothing",
  );
  assertThrows(() => parseStudyArgs(["blend", "--splits", "42,"]), RangeError, 'found "42,"');
  assertThrows(() => parseStudyArgs(["blend", "--splits", "4.5"]), RangeError, 'found "4.5"');
});

Deno.test("parseStudyArgs() refuses a split given twice, and a seed the generator would fold", () => {
  assertThrows(
    () => parseStudyArgs(["grid", "--splits", "42,43,42"]),
    RangeError,
    '--splits: expected each split once, found 42 twice in "42,43,42"',
  );
  assertThrows(
    () => parseStudyArgs(["grid", "--splits", "4294967296"]),
    RangeError,
    '--splits: expected seeds from 0 to 4294967295 like 42,43, found "4294967296"',
  );
});

Deno.test("parseStudyArgs() takes --splits joined by '=' and once", () => {
  assertEquals(parseStudyArgs(["grid", "--splits=42,50"]).splits, [42, 50]);
  for (const bad of ["1e2", "0x2a", " 42"]) {
    assertThrows(
      () => parseStudyArgs(["grid", "--splits", bad]),
      RangeError,
      "--splits: expected seeds",
    );
  }
  assertThrows(
    () => parseStudyArgs(["grid", "--splits", "42", "--splits", "43"]),
    TypeError,
    '--splits: expected once, found a second value "43"',
  );
});

Deno.test("bench/ranking_studies.ts --help lists its studies and flags; a bad one is one line, exit status 2", async () => {
  assertUsageMatches(
    USAGE,
    ["--splits", "-h", "--help"],
    (flag) => parseStudyArgs(["blend", flag, "42"]),
  );
  for (const study of ["blend", "grid", "no-hits", "ensemble", "mult-dae", "cooldown"]) {
    assert(USAGE.includes(`\n  ${study} `), study);
  }
  await assertHelp("bench/ranking_studies.ts", USAGE);
  await assertHelp("bench/ranking_studies.ts", USAGE, ["blend"]);
  await assertUsageError(
    "bench/ranking_studies.ts",
    ["blend", "--splits", "x"],
    '--splits: expected seeds from 0 to 4294967295 like 42,43, found "x"',
  );
  await assertUsageError(
    "bench/ranking_studies.ts",
    ["blends"],
    'expected a study first (blend, grid, no-hits, ensemble, mult-dae, cooldown), found "blends"',
  );
});

Deno.test("adopts() wants a gain on every split and a mean gain above the bar", () => {
  assertEquals(adopts([0.0009, 0.0009, -0.0008, 0.0022, 0.0014]), false); // study 6
  assertEquals(adopts([0.002, 0.0021, 0.0019]), true); // mean 0.002, sd 0.0001
  assertEquals(adopts([0.0001, 0.003, 0.0002]), false); // mean 0.0011 under sd 0.0016
  assertEquals(adopts([0.003, 0.0025], 0.002), true);
  assertEquals(adopts([0.003, 0.0015], 0.003), false);
  assertEquals(adopts([]), false);
});

Deno.test("noHitsLoss() leaves the user's other watched movies out of each normaliser", async () => {
  await setupBackend();
  const scores = tf.tensor2d([[2, 1, 0, -1], [0.5, 0, 0, 3]]);
  const positives = tf.tensor2d([[1, 1, 0, 0], [0, 0, 1, 0]]);
  // by hand: each watched movie against itself and the unwatched ones of its row
  const z = (s: number, others: number[]) =>
    Math.log(Math.exp(s) + others.reduce((a, o) => a + Math.exp(o), 0)) - s;
  const expected = (z(2, [0, -1]) + z(1, [0, -1]) + z(0, [0.5, 0, 3])) / 3;
  assertAlmostEquals(noHitsLoss(positives, scores).dataSync()[0], expected, 1e-5);
});

Deno.test("cooldownRates() falls linearly from the base towards zero, one rate per epoch", () => {
  const rates = cooldownRates(5e-3);
  assertEquals(rates.length, COOLDOWN_EPOCHS);
  assertAlmostEquals(rates[0], 5e-3 * 10 / 11, 1e-15);
  assertAlmostEquals(rates[9], 5e-3 / 11, 1e-15);
  for (let j = 1; j < rates.length; j++) assertAlmostEquals(rates[j - 1] - rates[j], 5e-3 / 11);
  assertEquals(cooldownRates(1, 3), [0.75, 0.5, 0.25]);
  assertEquals(cooldownRates(1, 0), []);
});
