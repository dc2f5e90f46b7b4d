// Values a notebook's parameter cell or a later cell must refuse, naming the parameter, and a
// few runs with one parameter at an edge (one seed, one factor). Apart from notebooks_test.ts,
// so that `deno test --parallel` runs the two modules' notebooks side by side.

import { assert, assertEquals } from "@std/assert";
import { formatFailure } from "../../../tools/notebooks/run_summary.ts";
import { runCli } from "./_helpers.ts";
import { DIR, onePlural, quickRunWith } from "./_notebook_runs.ts";

/**
 * Values a parameter cell accepts no more, or that the data cannot serve, with what the teacher
 * must see: the parameter's name and what was expected, at the first cell that meets it (its
 * number in the notebook from 1, markdown counted), never an error from deep inside a library.
 */
const REFUSED: [string, Record<string, string>, number, string][] = [
  // Seeds: the notebook's own and those it derives (SEED + 2 in 01 and 02) stay at most 2³² − 1.
  ["01_matrix_factorization.ipynb", { SEED: "-1" }, 2, "expected SEED between 0 and 4294967293"],
  // A PCA of three components needs four samples: the factors (tutorial's) or the movies.
  ["01_matrix_factorization.ipynb", { FACTORS: "3" }, 2, "expected FACTORS between 4 and 4096"],
  ["01_matrix_factorization.ipynb", { TOP_MOVIES: "3" }, 2, "expected TOP_MOVIES at least 4"],
  ["02_embedding_net.ipynb", { LEARNING_RATE: "0" }, 2, "expected LEARNING_RATE above 0, found 0"],
  ["02_embedding_net.ipynb", { SMALL_INIT_STD: "0" }, 2, "expected SMALL_INIT_STD above 0"],
  // The small initialisation is set against the post's N(0, 1): the same name twice in a plot.
  ["02_embedding_net.ipynb", { SMALL_INIT_STD: "1" }, 2, "SMALL_INIT_STD above 0 and below 1"],
  // Below 5 the top rating is out of reach, and near 0 every prediction is "saturated".
  ["02_embedding_net.ipynb", { Y_MAX: "1" }, 2, "expected Y_MAX at least 5, found 1"],
  ["02_embedding_net.ipynb", { SEED: "4294967294" }, 2, "expected SEED between 0 and 4294967293"],
  [
    "03_keras_collaborative_filtering.ipynb",
    { LEARNING_RATE: "0" },
    2,
    "expected LEARNING_RATE above 0, found 0",
  ],
  [
    "03_keras_collaborative_filtering.ipynb",
    { N_SEEDS: "5", SEED: "4294967292" },
    2,
    "expected SEED between 0 and 4294967291, found 4294967292",
  ],
  [
    "03_keras_collaborative_filtering.ipynb",
    { TEST_FRACTION: "0" },
    2,
    "expected TEST_FRACTION above 0 and below 1, found 0",
  ],
  [
    "03_keras_collaborative_filtering.ipynb",
    { TRAIN_SHARE: "0.000001" },
    15,
    "TRAIN_SHARE: expected a share that keeps one of the",
  ],
  [
    "04_explicit_feedback_lab.ipynb",
    { SEEDS: "3", SEED: "4294967294" },
    2,
    "expected SEED between 0 and 4294967293, found 4294967294",
  ],
  ["04_explicit_feedback_lab.ipynb", { SPLIT_SEED: "-1" }, 2, "expected SPLIT_SEED between 0"],
  // A rating floor no movie reaches, then one above every movie user 5 has not rated.
  [
    "04_explicit_feedback_lab.ipynb",
    { MIN_RATINGS: "500" },
    119,
    "MIN_RATINGS: expected at most 478",
  ],
  [
    "04_explicit_feedback_lab.ipynb",
    { MIN_RATINGS: "450" },
    198,
    "MIN_RATINGS: expected at most 408 (the training ratings of the most rated movie user 5",
  ],
  ["05_dlrm_mlp.ipynb", { VALIDATION_SPLIT: "1" }, 2, "expected VALIDATION_SPLIT above 0"],
  // Sizes tfjs cannot allocate ("Array buffer allocation failed", naming nothing) stop first.
  [
    "05_dlrm_mlp.ipynb",
    { EMBEDDING_SIZE: "100000000" },
    2,
    "expected EMBEDDING_SIZE between 1 and 4096, found 100000000",
  ],
  // The list of hidden layers, checked in the parameter cell like every other parameter.
  [
    "05_dlrm_mlp.ipynb",
    { HIDDEN_UNITS: "32,1e9" },
    2,
    "HIDDEN_UNITS to be decimal integers (digits only) separated by commas, such as 32,4, " +
    'found "32,1e9": "1e9" at position 2',
  ],
  ["05_dlrm_mlp.ipynb", { HIDDEN_UNITS: "" }, 2, 'separated by commas, such as 32,4, found ""'],
  [
    "05_dlrm_mlp.ipynb",
    { HIDDEN_UNITS: "32,0" },
    2,
    'expected each value of HIDDEN_UNITS between 1 and 4096, found 0 at position 2 of "32,0"',
  ],
  // Every seed used, SEED to SEED + SEEDS − 1, must be a seed the library takes (≤ 2³² − 1).
  [
    "05_dlrm_mlp.ipynb",
    { SEED: "4294967295", SEEDS: "3" },
    2,
    "expected SEED between 0 and 4294967293, found 4294967295",
  ],
  [
    "05_dlrm_mlp.ipynb",
    { MIN_RATINGS: "1000" },
    103,
    "MIN_RATINGS: expected at most 329 for user 557",
  ],
  ["06_from_ratings_to_rankings.ipynb", { EASE_LAMBDA: "0" }, 2, "expected EASE_LAMBDA above 0"],
  [
    "06_from_ratings_to_rankings.ipynb",
    { SEED: "4294967295", SEEDS: "3" },
    2,
    "expected SEED between 0 and 4294967293, found 4294967295",
  ],
  [
    "06_from_ratings_to_rankings.ipynb",
    { NEGATIVES: "100000000" },
    2,
    "expected NEGATIVES between 1 and 1000, found 100000000",
  ],
  [
    "06_from_ratings_to_rankings.ipynb",
    { EXAMPLE_USER: "9999" },
    5,
    "EXAMPLE_USER: expected an ml-100k user id (1–943), found 9999",
  ],
];

for (const [name, knobs, cell, message] of REFUSED) {
  const set = Object.entries(knobs).map(([k, v]) => `${k}=${v}`).join(" ");
  Deno.test(`${name} with ${set} stops at cell ${cell} naming the parameter`, async () => {
    const result = await quickRunWith(name, knobs);
    assertEquals(result.ok, false, `with ${set} the notebook ran to the end`);
    const failure = result.failure!;
    assertEquals([failure.cell, failure.name], [cell, "RangeError"], formatFailure(result));
    assert(failure.message.includes(message), formatFailure(result));
  });
}

Deno.test("deno task notebooks --set refuses a bad HIDDEN_UNITS for 05 before any cell runs", async () => {
  // The parameter cell alone runs first (a second or two), so the teacher waits for no other cell.
  const cases = [
    ["32,1e9", '"1e9" at position 2'],
    ["abc", '"abc" at position 1'],
    ["", 'such as 32,4, found ""'],
    ["0", 'between 1 and 4096, found 0 at position 1 of "0"'],
  ];
  const notebook = `${DIR}05_dlrm_mlp.ipynb`;
  await Promise.all(cases.map(async ([value, found]) => {
    const run = await runCli(["--quick", "--set", `HIDDEN_UNITS=${value}`, notebook]);
    assertEquals(run.code, 2, run.stdout + run.stderr);
    assertEquals(run.stdout, "", `HIDDEN_UNITS=${value}: nothing ran`);
    const err = run.stderr.trimEnd();
    assertEquals(err.split("\n").length, 1, err);
    assert(err.startsWith(`${notebook}: param(): expected `), err);
    assert(err.includes(`${found} (--set HIDDEN_UNITS)`), err);
  }));
});

Deno.test("05_dlrm_mlp.ipynb with one seed and one tag writes them in the singular", async () => {
  // Its quick run has two seeds: one seed and one tag are met only here (about 8 s).
  const name = "05_dlrm_mlp.ipynb", knobs = { SEEDS: "1", TOP_TAGS: "1" };
  const result = await quickRunWith(name, knobs);
  assert(result.ok, formatFailure(result));
  assertEquals(onePlural(result.output), []);
  assert(result.output.includes("embedding MLP, 1 seed "), "the tail split's table");
  assert(/movies tagged "[^"]+"/.test(result.output), "the features table");
});

Deno.test("05_dlrm_mlp.ipynb with one factor per embedding prints no NaN, and takes all tags for more", async () => {
  // Too few pairs scored 4.25 or more to fill the overestimate table: its cells stay empty.
  // TOP_TAGS above the fit part's distinct tags (1,101 at seed 42) takes them all and says so;
  // its movie × tag table, one string lookup per cell, took 9 to 20 s of a quick run at 10000.
  const name = "05_dlrm_mlp.ipynb", knobs = { EMBEDDING_SIZE: "1", TOP_TAGS: "5000" };
  const result = await quickRunWith(name, knobs);
  assert(result.ok, formatFailure(result));
  const nan = result.output.split("\n").filter((line) => /\bNaN\b/.test(line));
  assertEquals(nan, []);
  assert(result.output.includes("TOP_TAGS=5000, but the fit part has 1,101 tags: all are used"));
  assert(result.output.includes("movies with one of the 1,101 tags"), "the features table");
});
