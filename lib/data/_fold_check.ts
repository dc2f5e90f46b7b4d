/**
 * The check that a predefined split of ml-100k (u1.base / u1.test … ub.test) holds the ratings
 * of the folder's own u.data: the published folds are exact parts of u.data, so a fold row
 * that u.data lacks (same userId, movieId, rating and timestamp) means the fold files come from
 * other data, and a model would be trained and tested on ratings the data set does not have.
 * Such rows are an error, and so is a (userId, movieId) pair in both parts of a fold (its test
 * rating would be trained on); u.data rows in neither part of a fold are a warning.
 *
 * @module
 */

import { plural } from "../_validate.ts";
import type { CsvRatingColumns } from "./_csv.ts";

/** The rows of one ratings file as read (before the duplicate policy), and its label. */
export interface RatingRows {
  /** The file, for messages. */
  file: string;
  /** Its rows: ids, ratings, timestamps and lines. */
  rows: CsvRatingColumns;
}

/**
 * u.data's rows indexed by (userId, movieId): an open-addressing hash table of typed arrays
 * (faster than a `Map` of pair keys, and exact for any 32-bit ids) whose slots hold the first
 * row of a pair, the other rows of that pair chained through `next`.
 */
export interface RatingIndex {
  /** The indexed file and its rows. */
  data: RatingRows;
  /** Table size − 1 (the size is a power of two, at least twice the rows). */
  mask: number;
  /** The first row of the pair in each slot, or -1 for an empty slot. */
  table: Int32Array;
  /** The next row with the same pair, or -1. */
  next: Int32Array;
}

function pairHash(user: number, movie: number): number {
  let h = Math.imul(user, 0x9e3779b1) ^ movie;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** The slot of a pair: where its first row is, or the empty slot where it would go. */
function slotOf(index: RatingIndex, user: number, movie: number): number {
  const { users, movies } = index.data.rows;
  let slot = pairHash(user, movie) & index.mask;
  for (;;) {
    const row = index.table[slot];
    if (row < 0 || (users[row] === user && movies[row] === movie)) return slot;
    slot = (slot + 1) & index.mask;
  }
}

/** Indexes u.data's rows by pair (once per data set). */
export function indexRatings(data: RatingRows): RatingIndex {
  const { users, movies } = data.rows;
  const n = users.length;
  let size = 16;
  while (size < 2 * n) size *= 2;
  const index = {
    data,
    mask: size - 1,
    table: new Int32Array(size).fill(-1),
    next: new Int32Array(n).fill(-1),
  };
  // Walking backwards leaves each chain in file order.
  for (let i = n - 1; i >= 0; i--) {
    const slot = slotOf(index, users[i], movies[i]);
    index.next[i] = index.table[slot];
    index.table[slot] = i;
  }
  return index;
}

/**
 * Marks, for each row of `part`, an identical row of the index as covered (one not yet covered
 * when there is one) with the part's bit.
 * @returns The indices (in `part`) of the rows the index lacks.
 */
function matchRows(
  index: RatingIndex,
  part: CsvRatingColumns,
  covered: Uint8Array,
  bit: number,
): number[] {
  const { ratings, times } = index.data.rows;
  const missing: number[] = [];
  for (let i = 0; i < part.users.length; i++) {
    let found = -1;
    let row = index.table[slotOf(index, part.users[i], part.movies[i])];
    for (; row >= 0; row = index.next[row]) {
      if (ratings[row] !== part.ratings[i] || times[row] !== part.times[i]) continue;
      if (found < 0) found = row;
      if (!covered[row]) {
        found = row;
        break;
      }
    }
    if (found < 0) missing.push(i);
    else covered[found] |= bit;
  }
  return missing;
}

/** `u1.base` of `/data/ml-100k/u1.base` or `/data/x.zip:ml-100k/u1.base`. */
function baseName(label: string): string {
  return label.slice(
    Math.max(label.lastIndexOf("/"), label.lastIndexOf("\\"), label.lastIndexOf(":")) + 1,
  );
}

function describeRow(rows: CsvRatingColumns, i: number): string {
  return `userId ${rows.users[i]}, movieId ${rows.movies[i]}, rating ${rows.ratings[i]}, ` +
    `timestamp ${rows.times[i]}`;
}

/**
 * Refuses a (userId, movieId) pair rated in both the training and the test part of a fold (its
 * test rating would be trained on), from the u.data rows each part matched (bit 1: training
 * part, bit 2: test part), so that no second index is built.
 * @throws {RangeError} Naming both files, how many pairs are in both, and the first (in the
 *   test file's order) with its line in each file.
 */
function checkDisjoint(
  index: RatingIndex,
  covered: Uint8Array,
  name: string,
  [base, test]: readonly RatingRows[],
): void {
  const { users, movies, lines } = test.rows;
  const counted = new Uint8Array(covered.length);
  let pairs = 0, first = -1;
  for (let i = 0; i < users.length; i++) {
    const head = index.table[slotOf(index, users[i], movies[i])];
    if (counted[head]) continue;
    let row = head;
    while (row >= 0 && !(covered[row] & 1)) row = index.next[row];
    if (row < 0) continue;
    counted[head] = 1;
    if (pairs++ === 0) first = i;
  }
  if (pairs === 0) return;
  const [user, movie] = [users[first], movies[first]];
  let inBase = 0;
  while (base.rows.users[inBase] !== user || base.rows.movies[inBase] !== movie) inBase++;
  const [train, tested] = [baseName(base.file), baseName(test.file)];
  throw new RangeError(
    `${test.file} line ${lines[first]}: userId ${user}, movieId ${movie} is also rated in ` +
      `${base.file} (line ${base.rows.lines[inBase]}); ` +
      `${plural(pairs, "(userId, movieId) pair")} of split ${name} ${pairs === 1 ? "is" : "are"} ` +
      `in both ${train} and ${tested}, so a model would be tested on ratings it was trained ` +
      "on. Expected each pair in one part only, as in the published folds: remove " +
      `${pairs === 1 ? "it" : "each"} from one of the two files (the release's mku.sh makes ` +
      "folds that way from u.data), or use another split",
  );
}

/**
 * Checks that every row of a fold's two parts is a row of u.data and that no (userId,
 * movieId) pair is in both parts, and reports u.data rows in neither part through `warn`.
 * @param name The split, e.g. `"u1"`.
 * @param parts The training part, then the test part.
 * @throws {RangeError} Naming the first part file, line and row that u.data lacks, and how
 *   many such rows each part has; or naming the first pair rated in both parts, its line in
 *   each file, and how many such pairs there are.
 */
export function checkFoldRows(
  index: RatingIndex,
  name: string,
  parts: readonly RatingRows[],
  warn: (message: string) => void,
): void {
  const { data } = index;
  const covered = new Uint8Array(data.rows.users.length);
  const missing = parts.map((part, p) => matchRows(index, part.rows, covered, 1 << p));
  const total = missing.reduce((sum, rows) => sum + rows.length, 0);
  const dataName = baseName(data.file);
  if (total > 0) {
    const at = missing.findIndex((rows) => rows.length > 0);
    const { file, rows } = parts[at];
    const first = missing[at][0];
    const counts = parts.map((part, i) =>
      `${missing[i].length.toLocaleString("en")} in ${baseName(part.file)}`
    );
    throw new RangeError(
      `${file} line ${rows.lines[first]}: the rating ${describeRow(rows, first)} is not in ` +
        `${data.file} (no row there has the same userId, movieId, rating and timestamp); ` +
        `${plural(total, "row")} of split ${name} ${total === 1 ? "is" : "are"} not in ` +
        `${dataName} (${counts.join(", ")}). Expected a predefined split to hold only ratings ` +
        `of ${dataName}, as the published folds do: are the files from the same release? ` +
        `Regenerate the split's files from this ${dataName} (the release's mku.sh does so), ` +
        "or use another split",
    );
  }
  checkDisjoint(index, covered, name, parts);
  let left = 0, firstLeft = -1;
  for (let i = 0; i < covered.length; i++) {
    if (covered[i]) continue;
    left++;
    if (firstLeft < 0) firstLeft = i;
  }
  if (left === 0) return;
  warn(
    `warning: ${data.file}: ${left.toLocaleString("en")} of its ` +
      `${plural(covered.length, "rating")} ${left === 1 ? "is" : "are"} in neither ` +
      `${parts.map((p) => baseName(p.file)).join(" nor ")} (first: line ` +
      `${data.rows.lines[firstLeft]}, ${describeRow(data.rows, firstLeft)}), so split ${name} ` +
      `leaves ${left === 1 ? "it" : "them"} out of both training and test (the published ` +
      `folds hold every rating of ${dataName})`,
  );
}
