import { assertEquals, assertThrows } from "@std/assert";
import {
  FlagReader,
  integerValue,
  positiveValue,
  reportUsageError,
  USAGE_STATUS,
  wantsHelp,
} from "../../tools/_cli.ts";
import { usageFlags } from "./_usage.ts";

/** Reads every argument: flags in `withValue` take a value, other flags none. */
function readAll(args: string[], withValue: string[] = []): [string, string | null][] {
  const read = new FlagReader(args);
  const seen: [string, string | null][] = [];
  for (let arg = read.next(); arg !== null; arg = read.next()) {
    seen.push([arg, withValue.includes(arg) ? read.value() : null]);
  }
  return seen;
}

Deno.test("FlagReader takes a value after its flag or joined to it by '='", () => {
  assertEquals(
    readAll(["--epochs", "3", "--json=-", "--quick", "a=b.ipynb"], ["--epochs", "--json"]),
    [
      ["--epochs", "3"],
      ["--json", "-"],
      ["--quick", null],
      ["a=b.ipynb", null],
    ],
  );
  // A value may hold "=" and be empty; "-" and "-1" are values, not flags.
  assertEquals(readAll(["--set=A=1", "--md="], ["--set", "--md"]), [["--set", "A=1"], [
    "--md",
    "",
  ]]);
  assertEquals(readAll(["--n", "-1"], ["--n"]), [["--n", "-1"]]);
});

Deno.test("FlagReader names a missing value, a second value and a value given to a switch", () => {
  assertThrows(
    () => readAll(["--out"], ["--out"]),
    TypeError,
    "--out: expected a value, found nothing",
  );
  assertThrows(
    () => readAll(["--json", "--md", "x.md"], ["--json", "--md"]),
    TypeError,
    '--json: expected a value, found "--md"',
  );
  assertThrows(
    () => readAll(["--seed", "1", "--seed=2"], ["--seed"]),
    TypeError,
    '--seed: expected once, found a second value "2"',
  );
  assertThrows(
    () => readAll(["--no-torch=false"]),
    TypeError,
    '--no-torch: expected no value, found "false"',
  );
  assertThrows(
    () => readAll(["--quick", "--all=1"]),
    TypeError,
    '--all: expected no value, found "1"',
  );
  const read = new FlagReader(["--set", "A=1", "--set", "B=2"]);
  const values: string[] = [];
  while (read.next() !== null) values.push(read.value({ repeatable: true }));
  assertEquals(values, ["A=1", "B=2"]);
});

Deno.test("FlagReader.unknown() names the argument as given", () => {
  const read = new FlagReader(["--fast=1"]);
  read.next();
  assertThrows(() => read.unknown(), TypeError, 'unknown flag "--fast=1"');
  const positional = new FlagReader(["x"]);
  positional.next();
  assertThrows(() => positional.unknown("argument"), TypeError, 'unknown argument "x"');
});

Deno.test("integerValue() takes decimal digits only, in range, quoting what it found", () => {
  assertEquals(integerValue("--runs", "0", 0), 0);
  assertEquals(integerValue("--every", "4294967296", 1, 2 ** 32), 2 ** 32);
  for (const bad of ["x", "", " 2", "+2", "-1", "1.5", "2.0", "1e1", "0x10", "Infinity"]) {
    assertThrows(
      () => integerValue("--epochs", bad, 1),
      RangeError,
      `--epochs: expected an integer ≥ 1, found ${JSON.stringify(bad)}`,
    );
  }
  assertThrows(() => integerValue("--seeds", "0", 1), RangeError, 'found "0"');
  assertThrows(() => integerValue("--n", undefined, 1), RangeError, "found nothing");
  assertThrows(
    () => integerValue("--every", "4294967297", 1, 2 ** 32),
    RangeError,
    '--every: expected an integer from 1 to 4294967296, found "4294967297"',
  );
});

Deno.test("positiveValue() takes a plain decimal above 0", () => {
  assertEquals(positiveValue("--timeout", "90.5", "seconds"), 90.5);
  for (const bad of ["0", "0.0", "-1", "1e3", "0x10", ".5", "Infinity", ""]) {
    assertThrows(
      () => positiveValue("--timeout", bad, "seconds"),
      RangeError,
      `--timeout: expected a positive number of seconds, found ${JSON.stringify(bad)}`,
    );
  }
});

Deno.test("wantsHelp() finds --help or -h anywhere, and nothing else", () => {
  assertEquals(wantsHelp(["--help"]), true);
  assertEquals(wantsHelp(["exp", "--every", "x", "-h"]), true);
  assertEquals(wantsHelp(["--helpful", "-hh", "help"]), false);
});

Deno.test("usageFlags() reads the flags a usage text lists", () => {
  const usage = "Usage: x [flags]\n\nFlags:\n  --out DIR    where\n               --not-this\n" +
    "  -q, --quiet  quiet\n  --set NAME=VAL  set\n  CANDIDATE …  not a flag\n  -h, --help   help";
  assertEquals(usageFlags(usage), ["--out", "-q", "--quiet", "--set", "-h", "--help"]);
});

Deno.test("an empty value is no 0, '90.' no number, and a one-letter flag takes '='", () => {
  assertThrows(() => integerValue("--first-seed", "", 0), RangeError, 'found ""');
  assertEquals([positiveValue("--t", "90", "s"), positiveValue("--t", "0.5", "s")], [90, 0.5]);
  assertThrows(() => positiveValue("--t", "90.", "s"), RangeError, 'found "90."');
  const read = new FlagReader(["--n=3"]);
  assertEquals([read.next(), read.integer(1), read.next()], ["--n", 3, null]);
});

Deno.test("reportUsageError() prints a message of several lines as one, pointing to --help", () => {
  const printed: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => printed.push(...args);
  try {
    assertEquals(reportUsageError(new TypeError("--set X:\nno such\n  parameter")), USAGE_STATUS);
  } finally {
    console.error = error;
  }
  assertEquals(printed, ["--set X: no such parameter (see --help)"]);
});
