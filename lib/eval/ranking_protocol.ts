/**
 * The top-k protocol that recommender libraries publish ml-100k figures on: every rating is
 * implicit feedback (the user watched the movie, whatever the stars), every test movie of a
 * user is relevant, the movies a user rated in training are never recommended to them, the
 * list holds the k best-scored movies of the whole catalogue, and the metrics are averaged
 * over the users who have a test movie.
 *
 * {@linkcode rankingTask} turns a train/test split into that task (binary user × movie
 * matrices, the catalogue, the users evaluated and those skipped); {@linkcode topKMovies}
 * turns any {@linkcode CatalogueScorer} into lists; {@linkcode evaluateRanking} scores them
 * with `rankingMetrics` (precision, recall, NDCG and MAP at k, coverage) and adds the mean
 * popularity of what is recommended.
 *
 * Edge cases, each defined here and tested:
 * - **The catalogue** is every movie of the movie encoder: by default every movie of the
 *   training or the test part, so a test movie nobody rated in training is still a candidate
 *   (and still relevant) — a model must rank it, even if it cannot have learnt it.
 * - **A user with no training rating** has nothing to personalise from: skipped, and counted
 *   in `skipped.withoutTraining`.
 * - **A user with an empty test part** has nothing to find: not evaluated, counted in
 *   `skipped.withoutTest` (users of the training part only).
 * - **A test movie the user also rated in training** (a repeated pair, which MovieLens does not
 *   have) cannot be recommended to them, so it is not relevant; a user left with no relevant
 *   movie is skipped and counted in `skipped.onlyRepeats`.
 * - **k larger than the candidates** (the catalogue minus the user's training movies): the list
 *   holds every candidate, so it is shorter than k; precision still divides by k (the list had
 *   room for k), recall, NDCG and MAP use the relevant movies as usual. A k larger than the
 *   whole catalogue is allowed for the same reason.
 * - No user evaluated at all is an error (a `RangeError` saying why), so no table ever shows a
 *   NaN; a scorer returning NaN is an error naming the user and movie.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS, DEFAULT_K } from "../defaults.ts";
import { IdEncoder } from "../data/encoder.ts";
import type { InteractionMatrix } from "../data/types.ts";
import { topKIndices } from "../top_k.ts";
import {
  checkOptionKeys,
  checkPositiveInt,
  type DataFrame,
  describe,
  encodeIds,
  isNumbers,
  plural,
  ratingColumns,
} from "../_validate.ts";
import { rankingMetrics } from "./ranking_metrics.ts";
import { checkTask } from "./_task.ts";

export type { InteractionMatrix }; // built here (interactionMatrix()), defined with the data

/** Users the protocol does not average over, by reason. */
export interface SkippedUsers {
  /** Users with test movies but no training rating (nothing to personalise from). */
  withoutTraining: number;
  /** Users with training ratings but no test movie (nothing to find). */
  withoutTest: number;
  /** Users whose every test movie is also one of their training movies. */
  onlyRepeats: number;
}

/** A train/test split as a top-k task; build it with {@linkcode rankingTask}. */
export interface RankingTask {
  /** userId ↔ user row. */
  users: IdEncoder;
  /** movieId ↔ movie column; its ids are the catalogue. */
  movies: IdEncoder;
  /** Training movies of every user (the positives, and the movies never recommended). */
  train: InteractionMatrix;
  /** Relevant movies of every user: their test movies minus their training movies. */
  test: InteractionMatrix;
  /** User rows evaluated (a training movie and a relevant test movie), ascending. */
  evaluated: Int32Array;
  /** Users not evaluated, by reason. */
  skipped: SkippedUsers;
  /** Training ratings of every catalogue movie (popularity). */
  movieCounts: Int32Array;
  /** Test ratings whose movie the same user also rated in training (not relevant). */
  repeatedTestRatings: number;
}

/** Options of {@linkcode rankingTask}. */
export interface RankingTaskOptions {
  /**
   * The user encoder (every user of both parts must be known to it).
   * @default {fitted on the users of train and test}
   */
  users?: IdEncoder;
  /**
   * The movie encoder, whose ids are the catalogue (every movie of both parts must be in it).
   * @default {fitted on the movies of train and test}
   */
  movies?: IdEncoder;
}

/**
 * Scores of whole catalogue rows: for `userRows.length` user rows, a row-major array of
 * `userRows.length × catalogue` scores (higher is better), columns in movie-encoder order.
 */
export type CatalogueScorer = (userRows: Int32Array) => ArrayLike<number>;

/**
 * A binary user × movie matrix from parallel row and column arrays (pairs repeated count once).
 *
 * @param userRows User row of each pair.
 * @param movieCols Movie column of each pair.
 * @param rows Number of user rows.
 * @param cols Number of movie columns.
 * @returns The matrix, each row's movies ascending.
 * @example
 * ```ts
 * import { interactionMatrix } from "./ranking_protocol.ts";
 * import { assertEquals } from "@std/assert";
 * const m = interactionMatrix([1, 0, 1, 1], [2, 0, 0, 2], 2, 3);
 * assertEquals(m.indptr, Int32Array.of(0, 1, 3));
 * assertEquals(m.indices, Int32Array.of(0, 0, 2));
 * ```
 */
export function interactionMatrix(
  userRows: ArrayLike<number>,
  movieCols: ArrayLike<number>,
  rows: number,
  cols: number,
): InteractionMatrix {
  const who = "interactionMatrix()";
  checkPositiveInt(rows, "rows", who);
  checkPositiveInt(cols, "cols", who);
  if (!isNumbers(userRows) || !isNumbers(movieCols)) {
    throw new TypeError(
      `${who}: expected user rows and movie columns as arrays of numbers, found ` +
        `${describe(userRows)} and ${describe(movieCols)}`,
    );
  }
  if (userRows.length !== movieCols.length) {
    throw new RangeError(
      `${who}: expected as many movie columns as user rows, found ${movieCols.length} and ${userRows.length}`,
    );
  }
  const count = new Int32Array(rows + 1);
  for (let i = 0; i < userRows.length; i++) {
    const u = userRows[i], m = movieCols[i];
    if (!(Number.isInteger(u) && u >= 0 && u < rows)) {
      throw new RangeError(`${who}: expected user rows in 0..${rows - 1}, found ${u} at ${i}`);
    }
    if (!(Number.isInteger(m) && m >= 0 && m < cols)) {
      throw new RangeError(`${who}: expected movie columns in 0..${cols - 1}, found ${m} at ${i}`);
    }
    count[u + 1]++;
  }
  for (let u = 0; u < rows; u++) count[u + 1] += count[u];
  const fill = count.slice(0, rows);
  const raw = new Int32Array(userRows.length);
  for (let i = 0; i < userRows.length; i++) raw[fill[userRows[i]]++] = movieCols[i];
  const indptr = new Int32Array(rows + 1);
  const out: number[] = [];
  for (let u = 0; u < rows; u++) {
    const row = raw.subarray(count[u], count[u + 1]).sort();
    for (let j = 0; j < row.length; j++) if (j === 0 || row[j] !== row[j - 1]) out.push(row[j]);
    indptr[u + 1] = out.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(out) };
}

function encoderOption(
  encoder: IdEncoder | undefined,
  name: string,
  fitOn: () => number[],
): IdEncoder {
  if (encoder === undefined) return IdEncoder.fit(fitOn(), { name: name.slice(0, -1) });
  if (!(encoder instanceof IdEncoder)) {
    throw new TypeError(
      `rankingTask(): expected options.${name} to be an IdEncoder, found ${describe(encoder)}`,
    );
  }
  return encoder;
}

/** Every option of {@linkcode rankingTask} (the type makes the list complete). */
const RANKING_TASK_OPTIONS: Record<keyof RankingTaskOptions, true> = { users: true, movies: true };

/**
 * Turns a train/test split of ratings into the top-k task: every rating is a positive (the
 * stars are ignored), the catalogue is the movie encoder's ids, and the users evaluated are
 * those with a training movie and a relevant test movie (see the module doc for the cases).
 *
 * @param train Training ratings (userId, movieId; a rating column is not needed).
 * @param test Test ratings.
 * @param options The encoders (by default fitted on both parts).
 * @returns The task.
 * @throws {TypeError} When a part is not a ratings DataFrame.
 * @throws {RangeError} When a part is empty, an id is unknown to a given encoder, or no user
 *   can be evaluated.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { rankingTask } from "./ranking_protocol.ts";
 * import { assertEquals } from "@std/assert";
 * const train = ratingsFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [5, 1, 3] });
 * const test = ratingsFrame({ userId: [1, 3], movieId: [30, 20], rating: [2, 4] });
 * const task = rankingTask(train, test);
 * assertEquals(task.evaluated.length, 1);
 * assertEquals(task.skipped, { withoutTraining: 1, withoutTest: 1, onlyRepeats: 0 });
 * ```
 */
export function rankingTask(
  train: DataFrame,
  test: DataFrame,
  options: RankingTaskOptions = {},
): RankingTask {
  const who = "rankingTask()";
  checkOptionKeys(options, Object.keys(RANKING_TASK_OPTIONS), who);
  const tr = ratingColumns(train, `${who} (train)`, false);
  const te = ratingColumns(test, `${who} (test)`, false);
  const users = encoderOption(options.users, "users", () => [...tr.userIds, ...te.userIds]);
  const movies = encoderOption(options.movies, "movies", () => [...tr.movieIds, ...te.movieIds]);
  const trainM = interactionMatrix(
    encodeIds(users, tr.userIds, "user", who, "train"),
    encodeIds(movies, tr.movieIds, "movie", who, "train"),
    users.size,
    movies.size,
  );
  const tu = encodeIds(users, te.userIds, "user", who, "test");
  const tm = encodeIds(movies, te.movieIds, "movie", who, "test");
  // Relevant pairs: test pairs whose movie is not among the user's training movies.
  const keepU: number[] = [], keepM: number[] = [];
  let repeated = 0;
  for (let i = 0; i < tu.length; i++) {
    if (rowHas(trainM, tu[i], tm[i])) repeated++;
    else {
      keepU.push(tu[i]);
      keepM.push(tm[i]);
    }
  }
  const testM = interactionMatrix(keepU, keepM, users.size, movies.size);
  const testUsers = new Uint8Array(users.size);
  for (const u of tu) testUsers[u] = 1;
  const skipped: SkippedUsers = { withoutTraining: 0, withoutTest: 0, onlyRepeats: 0 };
  const evaluated: number[] = [];
  for (let u = 0; u < users.size; u++) {
    const nTrain = trainM.indptr[u + 1] - trainM.indptr[u];
    const nRel = testM.indptr[u + 1] - testM.indptr[u];
    if (!testUsers[u]) {
      if (nTrain > 0) skipped.withoutTest++;
    } else if (nTrain === 0) skipped.withoutTraining++;
    else if (nRel === 0) skipped.onlyRepeats++;
    else evaluated.push(u);
  }
  if (evaluated.length === 0) {
    throw new RangeError(
      `${who}: no user has both a training rating and a test movie outside their training ` +
        `movies (${plural(skipped.withoutTraining, "test user")} without training ratings, ` +
        `${skipped.onlyRepeats} whose test movies all repeat training ones)`,
    );
  }
  const movieCounts = new Int32Array(movies.size);
  for (const m of trainM.indices) movieCounts[m]++;
  return {
    users,
    movies,
    train: trainM,
    test: testM,
    evaluated: Int32Array.from(evaluated),
    skipped,
    movieCounts,
    repeatedTestRatings: repeated,
  };
}

/** Whether row `u` of `m` holds column `c` (binary search in the sorted row). */
function rowHas(m: InteractionMatrix, u: number, c: number): boolean {
  let lo = m.indptr[u], hi = m.indptr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, v = m.indices[mid];
    if (v === c) return true;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Options of {@linkcode topKMovies} and {@linkcode evaluateRanking}. */
export interface RankingListOptions {
  /**
   * List length. It may exceed the candidates or even the catalogue: a list then holds every
   * candidate and is shorter than k (precision still divides by k).
   * @default {10} (DEFAULT_K)
   */
  k?: number;
  /**
   * User rows scored per call of the scorer (changes only speed and memory).
   * @default {256}
   */
  batchUsers?: number;
}

/** Options of {@linkcode topKMovies}. */
export interface TopKMoviesOptions extends RankingListOptions {
  /**
   * The users to list for (raw ids).
   * @default {the evaluated users of the task}
   */
  userIds?: ArrayLike<number>;
}

/** Every option of {@linkcode topKMovies} (the type makes the list complete). */
const TOP_K_MOVIES_OPTIONS: Record<keyof TopKMoviesOptions, true> = {
  k: true,
  batchUsers: true,
  userIds: true,
};

/**
 * Each user's top-k movies under a scorer: the highest-scored catalogue movies the user did
 * not rate in training, best first (ties: lower movie column first). A list is shorter than k
 * when fewer candidates remain.
 *
 * @param task The task (catalogue and training movies).
 * @param scorer Scores of whole catalogue rows.
 * @param options k, batch size, and the users.
 * @returns userId → movieIds, best first.
 * @throws {RangeError} When k or batchUsers is not a positive integer, or the scorer returns the
 *   wrong number of scores or a NaN.
 * @throws {TypeError} When `task` is not a RankingTask or `scorer` not a function.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { rankingTask, topKMovies } from "./ranking_protocol.ts";
 * import { assertEquals } from "@std/assert";
 * const train = ratingsFrame({ userId: [1, 2], movieId: [10, 20], rating: [5, 4] });
 * const test = ratingsFrame({ userId: [1], movieId: [30], rating: [4] });
 * const task = rankingTask(train, test);
 * const n = task.movies.size, ids = task.movies.ids; // the catalogue: 10, 20, 30
 * const byId = (rows: Int32Array) => Float32Array.from({ length: rows.length * n }, (_, i) => ids[i % n]);
 * assertEquals(topKMovies(task, byId, { k: 5 }).get(1), Int32Array.of(30, 20)); // 10 was rated
 * ```
 */
export function topKMovies(
  task: RankingTask,
  scorer: CatalogueScorer,
  options: TopKMoviesOptions = {},
): Map<number, Int32Array> {
  const who = "topKMovies()";
  checkOptionKeys(options, Object.keys(TOP_K_MOVIES_OPTIONS), who);
  checkTask(task, who);
  const { k = DEFAULT_K, batchUsers = 256 } = options;
  checkPositiveInt(k, "k", who);
  checkPositiveInt(batchUsers, "batchUsers", who);
  checkScorer(scorer, who);
  const rows = options.userIds === undefined
    ? task.evaluated
    : encodeIds(task.users, options.userIds, "user", who, "userIds", false);
  const n = task.movies.size, { indptr, indices } = task.train;
  const movieIds = task.movies.ids, userIds = task.users.ids;
  const seen = new Uint8Array(n);
  const out = new Map<number, Int32Array>();
  for (let start = 0; start < rows.length; start += batchUsers) {
    const batch = rows.subarray(start, Math.min(rows.length, start + batchUsers));
    const scores = scorer(batch);
    if (!scores || scores.length !== batch.length * n) {
      throw new RangeError(
        `${who}: expected the scorer to return ${batch.length} × ${n} scores, found ${
          scores?.length ?? describe(scores)
        }`,
      );
    }
    const view = ArrayBuffer.isView(scores) ? scores as Float32Array : Float64Array.from(scores);
    for (let b = 0; b < batch.length; b++) {
      const u = batch[b], row = view.subarray(b * n, (b + 1) * n);
      const bad = row.findIndex((s) => Number.isNaN(s));
      if (bad >= 0) {
        throw new RangeError(
          `${who}: the scorer returned NaN for user ${userIds[u]} and movie ${movieIds[bad]}`,
        );
      }
      for (let p = indptr[u]; p < indptr[u + 1]; p++) seen[indices[p]] = 1;
      const top = topKIndices(row, k, (j) => seen[j] === 1);
      for (let p = indptr[u]; p < indptr[u + 1]; p++) seen[indices[p]] = 0;
      out.set(userIds[u], Int32Array.from(top, (j) => movieIds[j]));
    }
  }
  return out;
}

/**
 * Checks that `scorer` is a scorer function; a model that holds one (`ease(task)`,
 * `itemKnn(task)`: an object with a `scorer` field) is told to pass that field.
 */
function checkScorer(scorer: unknown, who: string): asserts scorer is CatalogueScorer {
  if (typeof scorer === "function") return;
  const field = (scorer as { scorer?: unknown } | null)?.scorer;
  throw new TypeError(
    `${who}: expected a scorer function ((userRows) => scores), found ${describe(scorer)}` +
      (typeof field === "function"
        ? " with a scorer field (as ease() and itemKnn() return): pass that field, e.g. " +
          "ease(task).scorer"
        : ""),
  );
}

/** What {@linkcode evaluateRanking} measures; every metric is a mean over the evaluated users. */
export interface RankingReport {
  /** List length. */
  k: number;
  /** Mean of hits / k, k even for a list shorter than k (so at most candidates / k). */
  precision: number;
  /** Mean of hits / relevant movies. */
  recall: number;
  /** Mean of DCG / ideal DCG (binary gains, ideal over min(relevant, k) hits). */
  ndcg: number;
  /** Mean of the average precision at k, divided by min(relevant, k). */
  map: number;
  /** Distinct movies in all the lists / catalogue size. */
  coverage: number;
  /** Mean training ratings of the recommended movies, over every list slot. */
  popularity: number;
  /** Users evaluated. */
  users: number;
  /** Users not evaluated, by reason. */
  skipped: SkippedUsers;
  /** Catalogue size. */
  catalogue: number;
}

/** Every option of {@linkcode evaluateRanking} (the type makes the list complete). */
const RANKING_LIST_OPTIONS: Record<keyof RankingListOptions, true> = { k: true, batchUsers: true };

/**
 * Scores a scorer's top-k lists on the task's test part (the protocol in the module doc).
 *
 * A k larger than a user's candidates (the catalogue minus their training movies), or than
 * the whole catalogue, is allowed and gives no NaN: the list holds every candidate, precision
 * still divides by k — so it stays below 1 even for a perfect ranking — while recall, NDCG and
 * MAP use the relevant movies as usual (NDCG's ideal and MAP's divisor over min(relevant, k)).
 *
 * @param task The task.
 * @param scorer Scores of whole catalogue rows.
 * @param options k and batch size.
 * @returns Precision, recall, NDCG, MAP at k, coverage, popularity, and the user counts.
 * @throws {RangeError} When k is not a positive integer, or as {@linkcode topKMovies} does.
 * @throws {TypeError} When `task` is not a RankingTask or `scorer` not a function.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { evaluateRanking, rankingTask } from "./ranking_protocol.ts";
 * import { assertEquals } from "@std/assert";
 * const train = ratingsFrame({ userId: [1, 2, 2], movieId: [10, 10, 20], rating: [5, 4, 1] });
 * const test = ratingsFrame({ userId: [1], movieId: [20], rating: [2] });
 * const task = rankingTask(train, test);
 * const n = task.movies.size;
 * const byCount = (rows: Int32Array) =>
 *   Float32Array.from({ length: rows.length * n }, (_, i) => task.movieCounts[i % n]);
 * assertEquals(evaluateRanking(task, byCount, { k: 1 }).precision, 1); // movie 20 is user 1's test movie
 * ```
 */
export function evaluateRanking(
  task: RankingTask,
  scorer: CatalogueScorer,
  options: RankingListOptions = {},
): RankingReport {
  const who = "evaluateRanking()";
  checkOptionKeys(options, Object.keys(RANKING_LIST_OPTIONS), who);
  checkTask(task, who);
  const k = checkPositiveInt(options.k ?? DEFAULT_K, "k", who); // not topKMovies()'s error
  checkScorer(scorer, who); // likewise
  const lists = topKMovies(task, scorer, { ...options, k });
  const movieIds = task.movies.ids, userIds = task.users.ids;
  const relU: number[] = [], relM: number[] = [];
  for (const u of task.evaluated) {
    for (let p = task.test.indptr[u]; p < task.test.indptr[u + 1]; p++) {
      relU.push(userIds[u]);
      relM.push(movieIds[task.test.indices[p]]);
    }
  }
  const relevant = pl.DataFrame({
    [COLUMNS.user]: relU,
    [COLUMNS.movie]: relM,
    [COLUMNS.rating]: relM.map(() => 1),
  });
  const m = rankingMetrics(lists, relevant, { k, threshold: 1, catalogSize: task.movies.size });
  const column = new Map<number, number>();
  movieIds.forEach((id, j) => column.set(id, j));
  let slots = 0, popularity = 0;
  for (const list of lists.values()) {
    for (const id of list) popularity += task.movieCounts[column.get(id)!];
    slots += list.length;
  }
  return {
    k,
    precision: m.precision,
    recall: m.recall,
    ndcg: m.ndcg,
    map: m.map,
    coverage: m.coverage,
    popularity: slots > 0 ? popularity / slots : 0,
    users: m.users,
    skipped: { ...task.skipped },
    catalogue: task.movies.size,
  };
}
