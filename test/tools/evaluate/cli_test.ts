import { assertEquals, assertThrows } from "@std/assert";
import { parseEvaluateArgs } from "../../../tools/evaluate/cli.ts";

Deno.test("parseEvaluateArgs() reads every flag, with or without '='", () => {
  const a = parseEvaluateArgs([
    "--data=ml-100k",
    "--split",
    "u1",
    "--models",
    "dot-bias, mlp",
    "--seeds",
    "3",
    "--epochs=2",
    "--json",
    "-",
    "--md",
    "/tmp/x.md",
    "--no-ranking",
  ]);
  assertEquals(a, {
    data: "ml-100k",
    split: "u1",
    models: ["dot-bias", "mlp"],
    seeds: 3,
    epochs: 2,
    json: "-",
    md: "/tmp/x.md",
    ranking: false,
    help: false,
  });
});

Deno.test("parseEvaluateArgs() defaults to the whole table, one seed, recipe epochs", () => {
  assertEquals(parseEvaluateArgs([]), {
    seeds: 1,
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
  assertThrows(() => parseEvaluateArgs(["--models", "svd"]), RangeError, "known kinds: dot");
  assertThrows(() => parseEvaluateArgs(["--split", "u9"]), RangeError, 'unknown split "u9"');
  assertThrows(() => parseEvaluateArgs(["--fast"]), RangeError, 'unknown flag "--fast"');
});
