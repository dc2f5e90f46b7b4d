import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type Headline,
  headline,
  type HeadlineOptions,
  param,
  type ParamOptions,
} from "../../lib/notebook/params.ts";
import { fileURLToPath } from "node:url";
import { formatSummary } from "../../tools/notebooks/run_summary.ts";
import { runWithEnv } from "../_child.ts";

const PARAMS = JSON.stringify(new URL("../../lib/notebook/params.ts", import.meta.url).href);

/**
 * Runs `body` in a child process with `env` applied, `params.ts` and the asserts imported: no test
 * here sets a variable in the test process, which other test modules share (see `runWithEnv`).
 */
function inChild(env: Record<string, string | undefined>, body: string): Promise<string> {
  return runWithEnv(
    `import { headline, isQuick, param } from ${PARAMS};
     import { assertEquals, assertThrows } from "@std/assert";
     ${body}`,
    env,
  );
}

Deno.test("param() returns the default when neither its variable nor NB_QUICK is set", async () => {
  await inChild(
    { TEST_EPOCHS: undefined, NB_QUICK: undefined },
    `assertEquals(param("TEST_EPOCHS", 30, { quick: 2 }), 30);`,
  );
});

Deno.test("param() returns the quick value under NB_QUICK=1, and the variable wins over both", async () => {
  await inChild(
    { TEST_EPOCHS: undefined, TEST_LR: undefined, NB_QUICK: "1" },
    `assertEquals(isQuick(), true);
     assertEquals(param("TEST_EPOCHS", 30, { quick: 2 }), 2);
     assertEquals(param("TEST_LR", 0.001), 0.001); // no quick value: the full one`,
  );
  await inChild(
    { TEST_EPOCHS: "7", NB_QUICK: "1" },
    `assertEquals(param("TEST_EPOCHS", 30, { quick: 2 }), 7);`,
  );
  await inChild({ NB_QUICK: "0" }, `assertEquals(isQuick(), false);`);
});

Deno.test("param() parses its variable to the default's type", async () => {
  await inChild(
    { TEST_LR: "1e-4", TEST_PLOT: "no", TEST_NAME: "biased" },
    `assertEquals(param("TEST_LR", 0.001), 1e-4);
     assertEquals(param("TEST_PLOT", true), false);
     assertEquals(param("TEST_NAME", "plain"), "biased");`,
  );
});

Deno.test("param() rejects a malformed variable naming it and the value found", async () => {
  await inChild(
    { TEST_EPOCHS: "ten", TEST_SIZE: "2.5", TEST_PLOT: "maybe", TEST_EMPTY: " " },
    `assertThrows(
       () => param("TEST_EPOCHS", 30),
       RangeError,
       'expected a decimal number for TEST_EPOCHS (such as 3, 0.5 or 1e-4), found "ten" ' +
         "(environment variable TEST_EPOCHS)",
     );
     assertThrows(
       () => param("TEST_SIZE", 64, { integer: true }),
       RangeError,
       'expected a decimal integer for TEST_SIZE (digits only, such as 3), found "2.5"',
     );
     assertThrows(
       () => param("TEST_PLOT", true),
       RangeError,
       'expected true/false (or 1/0, yes/no, on/off) for TEST_PLOT, found "maybe"',
     );
     assertThrows(() => param("TEST_EMPTY", 1), RangeError, 'found " "');`,
  );
});

Deno.test("param() takes numbers in plain decimal notation only, integers as digits only", async () => {
  const numbers = { TEST_HEX: "0x10", TEST_BIN: "0b1", TEST_INF: "Infinity", TEST_SEP: "1_000" };
  await inChild(
    numbers,
    `for (const name of ${JSON.stringify(Object.keys(numbers))}) {
       assertThrows(() => param(name, 1), RangeError, \`expected a decimal number for \${name}\`);
     }`,
  );
  const integers = { TEST_HEX: "0x10", TEST_EXP: "1e1", TEST_POINT: "3.0", TEST_HUGE: "1e400" };
  await inChild(
    integers,
    `for (const [name, raw] of Object.entries(${JSON.stringify(integers)})) {
       assertThrows(
         () => param(name, 1, { integer: true }),
         RangeError,
         \`expected a decimal integer for \${name} (digits only, such as 3), found "\${raw}"\`,
       );
     }`,
  );
  await inChild(
    { TEST_EPOCHS: " 16 ", TEST_LR: "-.5e-3", TEST_N: "+3", TEST_BIG: "99999999999999999999" },
    `assertEquals(param("TEST_EPOCHS", 30, { integer: true }), 16);
     assertEquals(param("TEST_LR", 0.001), -0.5e-3);
     assertEquals(param("TEST_N", 1, { integer: true }), 3);
     assertThrows(() => param("TEST_BIG", 1, { integer: true }), RangeError, "an integer");`,
  );
});

Deno.test("param() keeps a number within its bounds, naming the parameter and where the value came from", async () => {
  await inChild(
    { TEST_SIZE: "0", TEST_SHARE: "1.5", TEST_RATE: "0.5", TEST_LOW: "-2" },
    `assertThrows(
       () => param("TEST_SIZE", 64, { integer: true, min: 1 }),
       RangeError,
       "param(): expected TEST_SIZE at least 1, found 0 (environment variable TEST_SIZE)",
     );
     assertThrows(
       () => param("TEST_SHARE", 0.5, { min: 0, max: 1 }),
       RangeError,
       "expected TEST_SHARE between 0 and 1, found 1.5",
     );
     assertThrows(() => param("TEST_LOW", 1, { max: -3 }), RangeError, "at most -3, found -2");
     // The bounds are inclusive, and hold for the default and the quick value too.
     assertEquals(param("TEST_RATE", 0.1, { min: 0.5, max: 0.5 }), 0.5);
     assertEquals(param("TEST_UNSET_BOUND", 1, { min: 1 }), 1);
     assertThrows(() => param("TEST_UNSET_BOUND", 0, { min: 1 }), RangeError, "found 0");
     // Bounds apply to numbers only, and must be numbers.
     assertThrows(() => param("TEST_NAME", "a", { min: 1 } as never), TypeError, "number parameter");
     assertThrows(() => param("TEST_UNSET_BOUND", 1, { min: NaN }), TypeError, "finite number");`,
  );
  await inChild(
    { NB_QUICK: "1", TEST_UNSET_BOUND: undefined },
    `assertThrows(
       () => param("TEST_UNSET_BOUND", 5, { quick: 0, min: 1 }),
       RangeError,
       "expected TEST_UNSET_BOUND at least 1, found 0",
     );`,
  );
});

Deno.test("param() keeps a number strictly within above and below, naming both", async () => {
  await inChild(
    { TEST_SHARE: "0", TEST_TOP: "1", TEST_RATE: "0.2", TEST_LAMBDA: "-1" },
    `assertThrows(
       () => param("TEST_SHARE", 0.2, { above: 0, below: 1 }),
       RangeError,
       "param(): expected TEST_SHARE above 0 and below 1, found 0 (environment variable TEST_SHARE)",
     );
     assertThrows(
       () => param("TEST_TOP", 0.2, { above: 0, below: 1 }),
       RangeError,
       "expected TEST_TOP above 0 and below 1, found 1",
     );
     assertEquals(param("TEST_RATE", 0.5, { above: 0, below: 1 }), 0.2);
     assertThrows(() => param("TEST_LAMBDA", 400, { above: 0 }), RangeError, "above 0, found -1");
     // Mixed: an inclusive bound on one side, an exclusive one on the other.
     assertThrows(
       () => param("TEST_TOP", 0.5, { min: 0, below: 1 }),
       RangeError,
       "expected TEST_TOP at least 0 and below 1, found 1",
     );
     assertEquals(param("TEST_UNSET_BOUND", 0, { min: 0, below: 1 }), 0);
     assertThrows(
       () => param("TEST_UNSET_BOUND", 1, { min: 0, above: 0 }),
       TypeError,
       "param(): expected min or above for TEST_UNSET_BOUND, not both",
     );
     assertThrows(() => param("TEST_UNSET_BOUND", 1, { below: Infinity }), TypeError, "below: Infinity");
     assertThrows(() => param("TEST_NAME", "a", { above: 1 } as never), TypeError, "number parameter");`,
  );
});

Deno.test("isQuick() accepts only the documented words and names any other NB_QUICK", async () => {
  const runs: Promise<string>[] = [];
  for (const word of ["1", "true", "YES", " on "]) {
    runs.push(inChild({ NB_QUICK: word }, `assertEquals(isQuick(), true);`));
  }
  for (const word of ["0", "false", "No", "off", "", undefined]) {
    runs.push(inChild({ NB_QUICK: word }, `assertEquals(isQuick(), false);`));
  }
  for (const word of ["maybe", "2", "quick"]) {
    const message = "NB_QUICK: expected 1/0, true/false, yes/no or on/off (or unset), " +
      `found "${word}"`;
    runs.push(inChild(
      { NB_QUICK: word, TEST_EPOCHS: undefined },
      `assertThrows(() => isQuick(), RangeError, ${JSON.stringify(message)});
       assertThrows(() => param("TEST_EPOCHS", 30, { quick: 2 }), RangeError, "NB_QUICK");`,
    ));
  }
  const results = await Promise.allSettled(runs);
  const failed = results.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
  assertEquals(failed, []);
});

Deno.test("param() refuses a name the system or the project sets for its own use", () => {
  for (const name of ["USER", "HOME", "PATH", "TZ", "NB_QUICK", "DENO_DIR", "MOVIELENS_DIR"]) {
    assertThrows(() => param(name, 1), TypeError, `param(): ${name} is an environment variable`);
  }
  assertThrows(() => param("USER", 1), TypeError, "such as EXAMPLE_USER");
  assertThrows(() => param("NB_QUICK", true), TypeError, "such as EXAMPLE_NB_QUICK");
  assertThrows(() => param("LD_LIBRARY_PATH", "x"), TypeError, "LD_LIBRARY_PATH is an");
});

Deno.test("param() rejects a name that is not UPPER_CASE and a quick value of another type", () => {
  assertThrows(
    () => param("epochs", 30),
    TypeError,
    'UPPER_CASE name such as "EPOCHS", found "epochs"',
  );
  assertThrows(
    // @ts-expect-error: the quick value must have the default's type
    () => param("TEST_EPOCHS", 30, { quick: "2" }),
    TypeError,
    "quick value of TEST_EPOCHS to be a number like its default, found string",
  );
});

Deno.test("param() refuses an unknown option, naming it and the option it most likely meant", () => {
  for (
    const [options, near] of [
      [{ minimum: 5 }, '"minimum" (did you mean "min"?)'],
      [{ Integer: true }, '"Integer" (did you mean "integer"?)'],
      [{ step: 1 }, '"step" (known: quick, integer, min, max, above, below)'],
    ] as const
  ) {
    assertThrows(
      () => param("TEST_EPOCHS", 3, options as unknown as ParamOptions<number>),
      TypeError,
      `param(): unknown option ${near}`,
    );
  }
});

Deno.test("param() refuses a number parameter whose default or quick value is not finite", async () => {
  await inChild(
    { TEST_N: undefined, NB_QUICK: undefined },
    `assertThrows(() => param("TEST_N", NaN), RangeError,
       "param(): expected a finite number for TEST_N, found NaN (its default)");
     assertThrows(() => param("TEST_N", Infinity, { quick: 2 }), RangeError,
       "param(): expected a finite number for TEST_N, found Infinity (its default)");`,
  );
  await inChild(
    { TEST_N: undefined, NB_QUICK: "1" },
    `assertThrows(() => param("TEST_N", 3, { quick: NaN }), RangeError,
       "param(): expected a finite number for TEST_N, found NaN (its quick value)");
     assertEquals(param("TEST_N", NaN, { quick: 2 }), 2); // the default is not in force`,
  );
  await inChild(
    { TEST_N: "4", NB_QUICK: undefined },
    `assertEquals(param("TEST_N", NaN), 4); // the variable wins`,
  );
});

Deno.test("param() reads a list of numbers from its variable, separated by commas", async () => {
  await inChild(
    { TEST_UNITS: undefined, NB_QUICK: undefined },
    `const fallback = [32, 4];
     const units = param("TEST_UNITS", fallback, { quick: [8], integer: true, min: 1 });
     assertEquals(units, [32, 4]);
     units.push(2); // a new array each time: the default stays as it was
     assertEquals([fallback, param("TEST_UNITS", fallback)], [[32, 4], [32, 4]]);`,
  );
  await inChild(
    { TEST_UNITS: undefined, NB_QUICK: "1" },
    `assertEquals(param("TEST_UNITS", [32, 4], { quick: [8] }), [8]);
     assertEquals(param("TEST_UNITS", [32, 4]), [32, 4]); // no quick value: the full one`,
  );
  await inChild(
    { TEST_UNITS: " 64, 16 ,8 ", TEST_RATES: "0.5,1e-3,-2", NB_QUICK: "1" },
    `const units = param("TEST_UNITS", [32, 4], { quick: [8], integer: true, max: 4096 });
     assertEquals(units, [64, 16, 8]); // the variable wins over the quick value
     assertEquals(param("TEST_RATES", [0.1]), [0.5, 1e-3, -2]);`,
  );
});

Deno.test("param() refuses a malformed list or a value out of bounds, naming the position", async () => {
  const options = "{ integer: true, min: 1, max: 4096 }";
  const cases: [string, string][] = [
    [
      "32,1e9",
      "param(): expected TEST_UNITS to be decimal integers (digits only) separated by commas, " +
      'such as 32,4, found "32,1e9": "1e9" at position 2 (environment variable TEST_UNITS)',
    ],
    ["abc", 'found "abc": "abc" at position 1 (environment variable TEST_UNITS)'],
    ["", 'separated by commas, such as 32,4, found "" (environment variable TEST_UNITS)'],
    [" ", 'such as 32,4, found " " (environment variable TEST_UNITS)'],
    ["32,,4", 'found "32,,4": an empty item at position 2'],
    ["32,4,", 'found "32,4,": an empty item at position 3'],
    ["2.5", 'found "2.5": "2.5" at position 1'],
    [
      "0",
      "param(): expected each value of TEST_UNITS between 1 and 4096, found 0 at position 1 " +
      'of "0" (environment variable TEST_UNITS)',
    ],
    ["32,4097", 'between 1 and 4096, found 4097 at position 2 of "32,4097"'],
    ["99999999999999999999", "expected integers for TEST_UNITS, found 100000000000000000000"],
  ];
  await Promise.all(cases.map(([raw, message]) =>
    inChild(
      { TEST_UNITS: raw },
      `assertThrows(() => param("TEST_UNITS", [32, 4], ${options}), RangeError, ${
        JSON.stringify(message)
      });`,
    )
  ));
  await inChild(
    { TEST_RATES: "0.5,1e999", TEST_SHARES: "0.5,1", NB_QUICK: "1" },
    `assertThrows(() => param("TEST_RATES", [0.1]), RangeError,
       'expected finite numbers for TEST_RATES, found Infinity at position 2 of "0.5,1e999"');
     assertThrows(() => param("TEST_SHARES", [0.5], { above: 0, below: 1 }), RangeError,
       "expected each value of TEST_SHARES above 0 and below 1, found 1 at position 2");
     // The default and the quick value are checked as well, and must be lists of numbers.
     assertThrows(() => param("TEST_UNSET_LIST", [32], { quick: [0], min: 1 }), RangeError,
       "expected each value of TEST_UNSET_LIST at least 1, found 0 at position 1 of [0] (its quick value)");
     assertThrows(() => param("TEST_UNSET_LIST", [32, NaN]), RangeError,
       "found NaN at position 2 of [32, NaN] (its default)");
     assertThrows(() => param("TEST_UNSET_LIST", []), TypeError,
       "expected the default of TEST_UNSET_LIST to be a non-empty list of numbers, found []");
     assertThrows(() => param("TEST_UNSET_LIST", [1], { quick: 2 } as never), TypeError,
       "expected the quick value of TEST_UNSET_LIST to be a non-empty list of numbers, found number");
     assertThrows(() => param("TEST_UNSET_LIST", [1], { min: 2, above: 1 }), TypeError,
       "expected min or above for TEST_UNSET_LIST, not both");`,
  );
});

/** Runs `calls` in a child with NB_HEADLINES set to a new file: what it printed, the file's lines. */
async function captureHeadlines(calls: string): Promise<{ printed: string[]; lines: Headline[] }> {
  const file = await Deno.makeTempFile();
  try {
    const printed = (await inChild({ NB_HEADLINES: file }, calls)).trimEnd().split("\n");
    const text = (await Deno.readTextFile(file)).trim();
    return { printed, lines: text.split("\n").map((l) => JSON.parse(l)) };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("headline() prints the figure beside the tutorial's and appends it to NB_HEADLINES", async () => {
  const { printed, lines } = await captureHeadlines(
    `headline("RMSE (validation)", 0.873149, { tutorial: 0.88, digits: 3 });
     headline("Ratings", 100836);`,
  );
  assertEquals(printed, ["RMSE (validation): 0.873 · tutorial: 0.88", "Ratings: 100,836"]);
  assertEquals(lines, [
    { name: "RMSE (validation)", value: "0.873", compared: "tutorial: 0.88" },
    { name: "Ratings", value: "100,836", compared: "" },
  ]);
});

Deno.test("headline() labels a published figure as such, in the summary too", async () => {
  const { printed, lines } = await captureHeadlines(
    `headline("NDCG@10", [0.4448, 0.4449, 0.4338], { published: "0.440" });
     headline("P@10", 0.373, { tutorial: 0.366, digits: 3 });
     headline("MAP@10", 0.306, { digits: 3 }); // no figure: no label`,
  );
  assertEquals(printed, [
    "NDCG@10: 0.4412 ± 0.0064 (3 seeds) · published: 0.440",
    "P@10: 0.373 · tutorial: 0.366",
    "MAP@10: 0.306",
  ]);
  assertEquals(lines.map((l) => l.compared), ["published: 0.440", "tutorial: 0.366", ""]);
  const summary = formatSummary([{
    notebook: "06.ipynb",
    mode: "kernel",
    ok: true,
    seconds: 1,
    output: "",
    cells: [],
    headlines: lines,
  }]);
  for (const part of ["compared with", "published: 0.440", "tutorial: 0.366"]) {
    assert(summary.includes(part), `expected the summary to include "${part}":\n${summary}`);
  }
  assertThrows(
    () => headline("P@10", 0.37, { tutorial: 0.36, published: 0.366 }),
    TypeError,
    'a tutorial\'s figure or a published one for "P@10", found both',
  );
});

Deno.test("headline() rejects a value that is not a finite number", () => {
  assertThrows(
    () => headline("RMSE", NaN),
    RangeError,
    'expected a finite number for "RMSE", found NaN',
  );
});

Deno.test("headline() rejects a tutorial's or published figure that is NaN or infinite", () => {
  assertThrows(
    () => headline("RMSE", 0.9, { tutorial: NaN }),
    RangeError,
    'headline(): expected tutorial to be a finite number or a text for "RMSE", found NaN',
  );
  assertThrows(
    () => headline("RMSE", 0.9, { published: -Infinity }),
    RangeError,
    'headline(): expected published to be a finite number or a text for "RMSE", found -Infinity',
  );
});

Deno.test("headline() shows several seeds as mean ± sd with the count", async () => {
  const { printed, lines } = await captureHeadlines(
    `headline("Test MSE", [0.8113, 0.8201, 0.8157], { tutorial: 0.8458 });
     headline("One seed", [0.5]);`,
  );
  assertEquals(printed, [
    "Test MSE: 0.8157 ± 0.0044 (3 seeds) · tutorial: 0.8458",
    "One seed: 0.5000",
  ]);
  assertEquals(lines[0].value, "0.8157 ± 0.0044 (3 seeds)");
});

Deno.test("headline() refuses an unknown option, naming it and the option it most likely meant", () => {
  // Each was ignored: the tutorial's figure or the decimals silently went missing.
  for (
    const [options, near] of [
      [{ tutorials: 0.88 }, '"tutorials" (did you mean "tutorial"?)'],
      [{ digit: 3 }, '"digit" (did you mean "digits"?)'],
      [{ paper: 0.44 }, '"paper" (known: tutorial, published, digits)'],
    ] as const
  ) {
    assertThrows(
      () => headline("RMSE", 0.87, options as unknown as HeadlineOptions),
      TypeError,
      `headline(): unknown option ${near}`,
    );
  }
  assertThrows(
    () => headline("RMSE", 0.87, 3 as unknown as HeadlineOptions),
    TypeError,
    "headline(): expected an options object, found number 3",
  );
});

Deno.test("params.ts imports no package, so code without npm packages can import it", async () => {
  const path = new URL("../../lib/notebook/params.ts", import.meta.url);
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(path)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const modules = (JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  }).modules.map((m) => m.specifier);
  assert(modules.includes(path.href), `params.ts not in its own graph: ${modules.join(", ")}`);
  const packages = modules.filter((s) => !s.startsWith("file:"));
  assertEquals(packages, [], "params.ts imports a package");
});

Deno.test("headline() rejects an empty name", () => {
  for (const name of ["", "  "]) {
    assertThrows(
      () => headline(name, 1),
      TypeError,
      `headline(): expected a name saying what was measured, found ${JSON.stringify(name)}`,
    );
  }
});

Deno.test("headline() rejects an empty or non-finite list of seed values", () => {
  assertThrows(() => headline("MSE", []), RangeError, 'at least one value for "MSE"');
  assertThrows(() => headline("MSE", [0.8, NaN]), RangeError, "found NaN at position 1");
});

Deno.test("headline() takes 0 to 20 digits and rejects a fraction of a digit or a negative", async () => {
  const { printed } = await captureHeadlines(`headline("Loss", 0.8157, { digits: 0 });`);
  assertEquals(printed, ["Loss: 1"]);
  for (const digits of [1.5, -1, 21]) {
    assertThrows(
      () => headline("Loss", 0.8, { digits }),
      RangeError,
      `expected digits to be an integer 0–20, found ${digits}`,
    );
  }
});
