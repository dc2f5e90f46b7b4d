// Every notebook in notebooks/ runs end to end with quick parameters (NB_QUICK=1) on the
// fresh-machine path, so a broken notebook fails `deno task test`; its committed outputs are
// complete (executed in order, no error, an output wherever the quick run shows a value); and it
// runs with its sizes, seed and shares changed, as a teacher changes them, since no later cell
// may hold only at the default values.

import { assert, assertEquals } from "@std/assert";
import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { declaredParams } from "../../../tools/notebooks/run_notebooks.ts";
import { formatFailure } from "../../../tools/notebooks/run_summary.ts";
import type { NotebookRun } from "../../../tools/notebooks/run_types.ts";
import { verifyNotebook } from "../../../tools/notebooks/verify_notebook.ts";
import { isolated } from "./_helpers.ts";

const DIR = new URL("../../../notebooks/", import.meta.url).pathname;

function notebooks(): string[] {
  try {
    return [...Deno.readDirSync(DIR)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Knobs changed for the second quick run of each notebook (every notebook has an entry). */
const CHANGED: Record<string, Record<string, string>> = {
  "01_matrix_factorization.ipynb": { SEED: "7", FACTORS: "32", TRAIN_PROBABILITY: "0.7" },
  "02_embedding_net.ipynb": {
    SEED: "7",
    FACTORS: "32",
    Y_MAX: "5",
    SMALL_INIT_STD: "0.05",
    TOP_K: "20",
  },
  "03_keras_collaborative_filtering.ipynb": {
    SEED: "7",
    N_FACTORS: "32",
    LEARNING_RATE: "0.002",
    L2: "1e-5",
    TEST_FRACTION: "0.2",
  },
  "04_explicit_feedback_lab.ipynb": { SEED: "7", EMBEDDING_SIZE: "50", VALIDATION_SPLIT: "0.2" },
  "05_dlrm_mlp.ipynb": {
    SEED: "7",
    EMBEDDING_SIZE: "16",
    HIDDEN_UNITS: "64,16,8",
    EXAMPLE_USER: "1",
  },
  "06_from_ratings_to_rankings.ipynb": { SEED: "7", K: "5", FACTORS: "16" },
};

/**
 * What the changed run must print where a notebook once held only at its defaults: 05's
 * comparison user differs from EXAMPLE_USER and the README's column is user 557's alone; 06's
 * overlap table measures against the tuning seed's training part, whatever SEED is.
 */
const CHANGED_OUTPUT: Record<string, { has: string[]; lacks: string[] }> = {
  "05_dlrm_mlp.ipynb": {
    has: ["Seed 7, user 1: ", "largest value, user 1", "largest value, user 2", "tied at the top"],
    lacks: ["in the README's list"],
  },
  "06_from_ratings_to_rankings.ipynb": {
    has: ["share of seed 42's training ratings in its test part"],
    lacks: ["seed 7's training"],
  },
};

Deno.test("every notebook has knobs to change, each one it declares", async () => {
  assertEquals(Object.keys(CHANGED).sort(), notebooks());
  for (const [name, knobs] of Object.entries(CHANGED)) {
    const declared = await declaredParams(`${DIR}${name}`) ?? [];
    for (const knob of Object.keys(knobs)) {
      assert(declared.includes(knob), `${name} declares no ${knob} (it has ${declared})`);
    }
  }
});

/**
 * A quick run of notebook `name` with `knobs` set and none of the other parameters it declares
 * or an NB_* knob (should the developer have exported one).
 */
async function quickRunWith(name: string, knobs: Record<string, string>): Promise<NotebookRun> {
  const params = await declaredParams(`${DIR}${name}`) ?? [];
  return await runNotebook(`${DIR}${name}`, {
    quick: true,
    timeout: 600,
    env: isolated(knobs, params),
  });
}

/**
 * Printed lines where a count of 1 meets its noun in the plural ("V2 held-out MSE after 1
 * epochs"), as a quick run, whose epochs and seeds are often 1, prints them; a sum ("1 + 1
 * epochs") is no such count.
 */
function onePlural(output: string): string[] {
  const nouns = "epochs|seeds|runs|ratings|movies|tags|factors|highest biases";
  const one = new RegExp(`(?<![\\d.,]|\\+ )\\b1 (?:${nouns})\\b`);
  return output.split("\n").filter((line) => one.test(line));
}

for (const name of notebooks()) {
  let run: Promise<NotebookRun> | undefined;
  const quickRun = () => run ??= quickRunWith(name, {});

  Deno.test(`${name} runs end to end with quick parameters`, async () => {
    const result = await quickRun();
    assert(result.ok, `${formatFailure(result)}\n--- output ---\n${result.output.slice(-4000)}`);
  });

  Deno.test(`${name} writes "1 epoch", "1 seed", … where a quick parameter is 1`, async () => {
    const result = await quickRun();
    assertEquals(onePlural(result.output), []);
  });

  Deno.test(`${name} has complete committed outputs`, async () => {
    const result = await quickRun();
    assertEquals(await verifyNotebook(`${DIR}${name}`, result.ok ? { run: result } : {}), []);
  });

  Deno.test({
    name: `${name} runs with its sizes, seed and shares changed`,
    ignore: CHANGED[name] === undefined, // the test above names the missing entry
    fn: async () => {
      const knobs = CHANGED[name];
      const result = await quickRunWith(name, knobs);
      const set = Object.entries(knobs).map(([k, v]) => `${k}=${v}`).join(" ");
      assert(result.ok, `with ${set}: ${formatFailure(result)}\n${result.output.slice(-4000)}`);
      const { has, lacks } = CHANGED_OUTPUT[name] ?? { has: [], lacks: [] };
      for (const text of has) assert(result.output.includes(text), `with ${set}: no "${text}"`);
      for (const text of lacks) assert(!result.output.includes(text), `with ${set}: "${text}"`);
    },
  });
}

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
    196,
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
  [
    "05_dlrm_mlp.ipynb",
    { HIDDEN_UNITS: "32,1e9" },
    23,
    'HIDDEN_UNITS: expected integers from 1 to 4096 such as 32,4, found "32,1e9"',
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

Deno.test("05_dlrm_mlp.ipynb with one seed and one tag writes them in the singular", async () => {
  // Its quick run has two seeds: one seed and one tag are met only here (about 8 s).
  const name = "05_dlrm_mlp.ipynb", knobs = { SEEDS: "1", TOP_TAGS: "1" };
  const result = await quickRunWith(name, knobs);
  assert(result.ok, formatFailure(result));
  assertEquals(onePlural(result.output), []);
  assert(result.output.includes("embedding MLP, 1 seed "), "the tail split's table");
  assert(/movies tagged "[^"]+"/.test(result.output), "the features table");
});

Deno.test("05_dlrm_mlp.ipynb with one factor per embedding prints no NaN", async () => {
  // Too few pairs scored 4.25 or more to fill the overestimate table: its cells stay empty.
  const name = "05_dlrm_mlp.ipynb", knobs = { EMBEDDING_SIZE: "1" };
  const result = await quickRunWith(name, knobs);
  assert(result.ok, formatFailure(result));
  const nan = result.output.split("\n").filter((line) => /\bNaN\b/.test(line));
  assertEquals(nan, []);
});

/** The text of the outputs of cell `cell` (its number from 1, markdown counted) in `run`. */
function shown(run: NotebookRun, cell: number): string {
  return run.cells.find((c) => c.cell === cell)?.outputs.map((o) => o.text).join("\n") ?? "";
}

Deno.test("01_matrix_factorization.ipynb with 5 movies shows 2 at each end, none twice", async () => {
  // 10 a side of 5 movies drew each film twice under a title promising 10 and 10 (about 45 s).
  const result = await quickRunWith("01_matrix_factorization.ipynb", { TOP_MOVIES: "5" });
  assert(result.ok, formatFailure(result));
  const bars = '"Model B: the 2 lowest and 2 highest movie biases", 4 bars';
  assert(shown(result, 73).includes(bars), shown(result, 73));
  for (const cell of [69, 71]) { // the lowest and the highest biases, as tables
    assertEquals(shown(result, cell).match(/^\s+\d+\s+\d+\s/gm)?.length, 2, shown(result, cell));
  }
  for (const cell of [79, 81, 83, 91, 93, 95, 129]) { // both ends of each PCA component
    const ids = [...shown(result, cell).matchAll(/^\s*(?:lowest|highest)\s+(\d+)/gm)].map((m) =>
      m[1]
    );
    assertEquals([ids.length, new Set(ids).size], [4, 4], shown(result, cell));
  }
});

Deno.test("04_explicit_feedback_lab.ipynb lists Star Trek VI's neighbours above its own count", async () => {
  // A floor of 150 training ratings (Star Trek VI has 133) stopped at cell 119 (about 25 s).
  const result = await quickRunWith("04_explicit_feedback_lab.ipynb", { MIN_RATINGS: "150" });
  assert(result.ok, formatFailure(result));
  const rows = [...shown(result, 121).matchAll(/^\s*(\d+)\s.*\s(\d+)\s*$/gm)];
  assertEquals(rows.map((m) => m[1])[0], "227", shown(result, 121));
  assertEquals(rows.length, 10, shown(result, 121));
  for (const m of rows.slice(1)) assert(Number(m[2]) >= 150, shown(result, 121));
});
