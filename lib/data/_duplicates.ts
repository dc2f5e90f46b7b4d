/**
 * The duplicate-pair scan behind {@linkcode dropDuplicateRatings} and the loaders.
 *
 * @module
 */

/** Where duplicate pairs are, as row indices. */
export interface DuplicateScan {
  /** Rows to drop under the "last" policy (1 = drop), or null when there are none. */
  drop: Uint8Array | null;
  /** Number of rows to drop. */
  count: number;
  /** The first repeated pair: [earlier row, later row]. */
  first: [number, number] | null;
}

/**
 * Finds repeated (user, movie) pairs; under "last" the row with the highest timestamp wins.
 */
export function scanDuplicates(
  users: Int32Array,
  movies: Int32Array,
  times: ArrayLike<number>,
): DuplicateScan {
  // A number key user · 2³² + movie is exact while |user| < 2²¹ (|key| < 2⁵³); beyond, users
  // -2³¹ with movies 1 and 2 would share a key, so the key is then a string.
  let maxUser = 0;
  for (let i = 0; i < users.length; i++) {
    if (Math.abs(users[i]) > maxUser) maxUser = Math.abs(users[i]);
  }
  const numeric = maxUser < 2 ** 21;
  const keeper = new Map<number | string, number>();
  let drop: Uint8Array | null = null;
  let count = 0;
  let first: [number, number] | null = null;
  for (let i = 0; i < users.length; i++) {
    const key = numeric ? users[i] * 4294967296 + movies[i] : `${users[i]},${movies[i]}`;
    const prev = keeper.get(key);
    if (prev === undefined) {
      keeper.set(key, i);
      continue;
    }
    drop ??= new Uint8Array(users.length);
    count++;
    first ??= [prev, i];
    if (times[i] >= times[prev]) {
      drop[prev] = 1;
      keeper.set(key, i);
    } else drop[i] = 1;
  }
  return { drop, count, first };
}

/** The error thrown under the "error" policy. */
export function duplicateError(
  label: string,
  user: number,
  movie: number,
  where: string,
  count: number,
): RangeError {
  return new RangeError(
    `${label}: expected one rating per (userId, movieId) pair, found userId ${user} rating ` +
      `movieId ${movie} more than once (${where}); ${count} repeated row${
        count === 1 ? "" : "s"
      } in all. Use { duplicates: "last" } to keep the latest rating of each pair`,
  );
}
