/**
 * The named train/test splits of the evaluation (`--split`), each built from the data layer's
 * seeded splitters, with a sentence saying what it is and how many test ratings are cold
 * (their user or movie never appears in the training part).
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import {
  maskSplit,
  type MovieLens,
  perUserSplit,
  predefinedSplit,
  randomSplit,
  tailSplit,
  temporalSplit,
} from "../../lib/data/mod.ts";
import { COLUMNS, DEFAULT_SEED } from "../../lib/defaults.ts";

/** Every split name `--split` accepts, in the order the help lists them. */
export const SPLIT_NAMES = [
  "random80",
  "random85",
  "random90",
  "mask80",
  "tail15",
  "u1",
  "u2",
  "u3",
  "u4",
  "u5",
  "per-user",
  "temporal",
] as const;

/** One of {@linkcode SPLIT_NAMES}. */
export type SplitName = typeof SPLIT_NAMES[number];

/** A split with its name, a description and its cold-start counts. */
export interface NamedSplit {
  /** The split's name. */
  name: SplitName;
  /** What the split is, in one sentence. */
  description: string;
  /** Training ratings. */
  train: DataFrame;
  /** Test ratings. */
  test: DataFrame;
  /** Test ratings whose user has no training rating. */
  coldUsers: number;
  /** Test ratings whose movie has no training rating. */
  coldMovies: number;
}

/** Options of {@linkcode makeSplit}. */
export interface MakeSplitOptions {
  /**
   * Seed of the random splits (ignored by tail15, u1–u5 and temporal, which are fixed).
   * @default {42}
   */
  seed?: number;
}

/**
 * Checks a split name, throwing a `RangeError` that lists the known names.
 *
 * @param name A candidate split name.
 * @returns The name, typed.
 * @example
 * ```ts
 * import { assertSplitName } from "./named_splits.ts";
 * console.log(assertSplitName("tail15")); // "tail15"
 * ```
 */
export function assertSplitName(name: unknown): SplitName {
  if (typeof name !== "string" || !(SPLIT_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(
      `unknown split ${JSON.stringify(name)} (known splits: ${SPLIT_NAMES.join(", ")})`,
    );
  }
  return name as SplitName;
}

function coldCounts(train: DataFrame, test: DataFrame): { users: number; movies: number } {
  const users = new Set(train.getColumn(COLUMNS.user).toArray() as number[]);
  const movies = new Set(train.getColumn(COLUMNS.movie).toArray() as number[]);
  const tu = test.getColumn(COLUMNS.user).toArray() as number[];
  const tm = test.getColumn(COLUMNS.movie).toArray() as number[];
  let coldUsers = 0, coldMovies = 0;
  for (let i = 0; i < tu.length; i++) {
    if (!users.has(tu[i])) coldUsers++;
    if (!movies.has(tm[i])) coldMovies++;
  }
  return { users: coldUsers, movies: coldMovies };
}

/** tail15 in a word, before what the data make of it ({@linkcode tailDescription}). */
const TAIL15 = "Keras' `validation_split=0.15` on the file as stored";

/**
 * tail15's description, as far as the data bear it out: that the file is sorted by user id only
 * when it is, and that the test is a cold-start one only when most test ratings (nine in ten)
 * are of users absent from training — as on ml-latest-small, whose ratings.csv is sorted so
 * (ml-100k's u.data is not, and a small folder's last rows may be of users seen before).
 */
function tailDescription(ml: MovieLens, coldUsers: number, tests: number): string {
  const users = ml.ratings.getColumn(COLUMNS.user).toArray() as number[];
  const sorted = users.every((u, i) => i === 0 || users[i - 1] <= u);
  const file = ml.layout === "100k" ? "u.data" : "ratings.csv";
  const head = `${TAIL15}${
    sorted ? ` (${file} is sorted by user id)` : ""
  }: the last 15 % of the rows`;
  return sorted && tests > 0 && coldUsers >= 0.9 * tests
    ? `${head}, so the test users are almost all absent from training — a cold-start test`
    : head;
}

const DESCRIPTIONS: Record<SplitName, string> = {
  random80: "A seeded random 80/20 split of the ratings (exact sizes, as scikit-learn's " +
    "`train_test_split(test_size=0.2)`)",
  random85: "A seeded random 85/15 split: tutorial 004's 15 % validation part, shuffled",
  random90: "A seeded random 90/10 split (tutorial 001's `train_test_split(test_size=0.1)`)",
  mask80: "Tutorial 000's split: one uniform draw per rating, training where it is below 0.8 " +
    "(about 80/20)",
  tail15: TAIL15,
  u1: "The published ml-100k fold u1.base / u1.test",
  u2: "The published ml-100k fold u2.base / u2.test",
  u3: "The published ml-100k fold u3.base / u3.test",
  u4: "The published ml-100k fold u4.base / u4.test",
  u5: "The published ml-100k fold u5.base / u5.test",
  "per-user": "A seeded per-user 80/20 holdout (every user keeps at least one training rating)",
  temporal: "A global time cut: the latest 20 % of the ratings are the test part",
};

/**
 * Builds a named split of a data set.
 *
 * @param ml The data set.
 * @param name One of {@linkcode SPLIT_NAMES}.
 * @param options The seed of the random splits.
 * @returns The split, described, with its cold-start counts.
 * @throws {RangeError} For an unknown name, or u1–u5 on a data set without those files.
 * @example
 * ```ts
 * import { loadMovieLens } from "../../lib/data/mod.ts";
 * import { makeSplit } from "./named_splits.ts";
 * const ml = await loadMovieLens();
 * const s = await makeSplit(ml, "random90");
 * console.log(s.train.height, s.test.height); // 90752 10084
 * ```
 */
export async function makeSplit(
  ml: MovieLens,
  name: SplitName,
  options: MakeSplitOptions = {},
): Promise<NamedSplit> {
  const split = assertSplitName(name);
  const seed = options.seed ?? DEFAULT_SEED;
  const ratings = ml.ratings;
  let parts;
  switch (split) {
    case "random80":
      parts = randomSplit(ratings, { testFraction: 0.2, seed });
      break;
    case "random85":
      parts = randomSplit(ratings, { testFraction: 0.15, seed });
      break;
    case "random90":
      parts = randomSplit(ratings, { testFraction: 0.1, seed });
      break;
    case "mask80":
      parts = maskSplit(ratings, { trainProbability: 0.8, seed });
      break;
    case "tail15":
      parts = tailSplit(ratings, { fraction: 0.15 });
      break;
    case "per-user":
      parts = perUserSplit(ratings, { testFraction: 0.2, seed });
      break;
    case "temporal":
      parts = temporalSplit(ratings, { testFraction: 0.2 });
      break;
    default: {
      if (!ml.predefinedSplits?.names.includes(split)) {
        throw new RangeError(
          `split ${split} needs ml-100k's ${split}.base and ${split}.test, which ${ml.name} (${ml.source}) does not have`,
        );
      }
      parts = await predefinedSplit(ml, split);
    }
  }
  const cold = coldCounts(parts.train, parts.test);
  return {
    name: split,
    description: split === "tail15"
      ? tailDescription(ml, cold.users, parts.test.height)
      : DESCRIPTIONS[split],
    train: parts.train,
    test: parts.test,
    coldUsers: cold.users,
    coldMovies: cold.movies,
  };
}
