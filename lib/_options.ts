/**
 * The check of an options object's names ({@linkcode checkOptionKeys}), free of any package so
 * that the lightest modules (a notebook's parameters) can use it.
 *
 * @module
 */

import { describe } from "./_describe.ts";

/** Edit distance of two names (insertions, deletions, substitutions, adjacent swaps). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name a mistyped one most likely meant: the same but for case, within two edits
 * (one for a name of four letters or fewer), or sharing a start of at least three letters and
 * most of the shorter name (`min` for `minimum`, `verbose` for `verbosity`); undefined when none
 * is that close.
 */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined, bestScore = Infinity;
  const a = name.toLowerCase();
  for (const k of known) {
    const b = k.toLowerCase();
    const distance = editDistance(a, b);
    const shorter = Math.min(a.length, b.length);
    let common = 0;
    while (common < shorter && a[common] === b[common]) common++;
    const close = distance <= (shorter <= 4 ? 1 : 2) ||
      (common >= 3 && common >= 0.75 * shorter);
    if (close && distance < bestScore) [best, bestScore] = [k, distance];
  }
  return best;
}

/**
 * Checks that `options` is an options object whose every key is a known option, so that a
 * mistyped name (`epoch` for `epochs`) is refused rather than silently ignored.
 *
 * @param options The value to check.
 * @param known The option names the function takes.
 * @param who The calling function, e.g. `"train()"`.
 * @param prefix What the names are written after in the message, for options nested in an
 *   option (`"optimizer."`).
 * @returns The options, typed as a record.
 * @throws {TypeError} When `options` is not an object, or naming the first unknown key and the
 *   known option it most likely meant (or, when none is close, every known option).
 * @example
 * ```ts
 * import { checkOptionKeys } from "./_options.ts";
 * import { assertThrows } from "@std/assert";
 * checkOptionKeys({ epochs: 2 }, ["epochs", "batchSize"], "train()"); // fine
 * assertThrows(
 *   () => checkOptionKeys({ epoch: 2 }, ["epochs", "batchSize"], "train()"),
 *   TypeError,
 *   'train(): unknown option "epoch" (did you mean "epochs"?)',
 * );
 * ```
 */
export function checkOptionKeys(
  options: unknown,
  known: readonly string[],
  who: string,
  prefix = "",
): Record<string, unknown> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const what = prefix === "" ? "an options object" : `${prefix.slice(0, -1)} to be an object`;
    throw new TypeError(`${who}: expected ${what}, found ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw new TypeError(
      `${who}: unknown option "${prefix}${key}" ` +
        (near !== undefined
          ? `(did you mean "${prefix}${near}"?)`
          : `(known: ${known.map((k) => prefix + k).join(", ")})`),
    );
  }
  return options as Record<string, unknown>;
}
