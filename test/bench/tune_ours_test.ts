import { assertEquals, assertThrows } from "@std/assert";
import { CANDIDATES, MEMBER_GRID, parseTuneArgs, USAGE } from "../../bench/tune_ours.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "../tools/_usage.ts";

const NAMES = "current, first, first-without-mlp, four, with-mlp, keras-l2-alone, adamw-alone";

Deno.test("parseTuneArgs() takes candidate names, or --members and rows of the member grid", () => {
  assertEquals(parseTuneArgs([]), { candidates: Object.keys(CANDIDATES), members: null });
  assertEquals(parseTuneArgs(["current", "four"]), {
    candidates: ["current", "four"],
    members: null,
  });
  assertEquals(parseTuneArgs(["--members"]), { candidates: [], members: [] });
  assertEquals(parseTuneArgs(["--members", "0", "17"]), { candidates: [], members: [0, 17] });
  assertThrows(
    () => parseTuneArgs(["curent"]),
    RangeError,
    `expected candidates from ${NAMES}, found "curent"`,
  );
  assertThrows(() => parseTuneArgs(["toString"]), RangeError, 'found "toString"');
  assertThrows(
    () => parseTuneArgs(["--members", String(MEMBER_GRID.length)]),
    RangeError,
    `--members: expected an integer from 0 to ${MEMBER_GRID.length - 1}, found "18"`,
  );
  assertThrows(() => parseTuneArgs(["--members", "1.5"]), RangeError, 'found "1.5"');
  assertThrows(
    () => parseTuneArgs(["current", "--members"]),
    TypeError,
    "--members: expected first, instead of candidates",
  );
  assertThrows(() => parseTuneArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
});

Deno.test("bench/tune_ours.ts --help lists its candidates; a bad one is one line, exit status 2, before any work", async () => {
  assertUsageMatches(USAGE, ["--members", "-h", "--help"], (flag) => parseTuneArgs([flag]));
  for (const name of Object.keys(CANDIDATES)) assertEquals(USAGE.includes(name), true, name);
  await assertHelp("bench/tune_ours.ts", USAGE);
  await assertUsageError(
    "bench/tune_ours.ts",
    ["current", "nope"],
    `expected candidates from ${NAMES}, found "nope"`,
  );
});
