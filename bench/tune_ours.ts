/**
 * How the settings of "ours" (`tools/evaluate/ours_ensemble.ts`) were chosen, as a script anyone can
 * rerun: every candidate set of members is trained exactly as the evaluation trains ours
 * (members on 90 % of the data it is given, blends fitted on the other 10 %, members retrained
 * on all of it), but on the TRAINING part of each tuning split only — 10 % of that training
 * part is carved out at random (seed 1000) as a tuning-validation part, and the candidates are
 * compared on it. The test parts are never read.
 *
 * ```sh
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/tune_ours.ts            # every candidate
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/tune_ours.ts current    # one candidate
 * MOVIELENS_DIR=../shared/movielens deno run -A bench/tune_ours.ts --members 3 5   # single members
 * deno run -A bench/tune_ours.ts --help   # the candidates; a bad argument: exit status 2
 * ```
 *
 * Output: one line per candidate and tuning split with the tuning-validation MSE and MAE of
 * each member alone and of both blends, then a JSON line per candidate with the means.
 *
 * @module
 */

import { fitEncoders, loadMovieLens, randomSplit } from "../lib/data/mod.ts";
import { COLUMNS } from "../lib/defaults.ts";
import { ratingMetrics } from "../lib/eval/mod.ts";
import { disposeRecommender } from "../lib/models/mod.ts";
import { makeSplit, type SplitName } from "../tools/evaluate/named_splits.ts";
import {
  OURS_MEMBERS,
  OURS_MLP_MEMBER,
  type OursMember,
  predictOurs,
  trainMember,
  trainOurs,
} from "../tools/evaluate/ours_ensemble.ts";
import { predictRatings } from "../lib/models/mod.ts";
import { setupBackend } from "../lib/train/backend.ts";
import pl from "nodejs-polars";
import { integerValue, readCommandLine } from "../tools/_cli.ts";

/** The tuning splits: the training parts of the splits with targets (not u1, kept unseen). */
export const TUNING_SPLITS: readonly { data: string; split: SplitName }[] = [
  { data: "ml-100k", split: "random80" },
  { data: "ml-latest-small", split: "random85" },
  { data: "ml-latest-small", split: "random90" },
];

const base = (over: Partial<OursMember>): OursMember => ({ ...OURS_MEMBERS[0], ...over });

/**
 * Candidate member sets, by name, in the order they were tried. Tuning-validation results
 * (MSE of the MSE blend; MAE of the MAE blend before rounding was added), ml-100k random80 /
 * ml-latest-small random85 / random90:
 * - `first` (Keras-L2, AdamW, MLP, Keras-L2 MAE): 0.7808 / 0.6954 / 0.6829; MAE 0.6902 /
 *   0.6357 / 0.6280;
 * - `first-without-mlp`: 0.7798 / 0.6958 / 0.6830; MAE 0.6893 / 0.6360 / 0.6281 (the MLP
 *   does not help);
 * - `four` (AdamW MAE instead of the MLP): 0.7796 / 0.6950 / 0.6819; MAE 0.6874 / 0.6342 /
 *   0.6262;
 * - `current` (four + two AdamW members with another seed): 0.7776 / 0.6933 / 0.6813; MAE
 *   0.6867 / 0.6336 / 0.6251. Rounding the MAE blend to the rating scale then lowered its
 *   MAE on all three, to 0.6431 / 0.6233 / 0.6123;
 * - `current` with the bias baseline as a seventh input and feature-weighted stacking (weights
 *   linear in log user and movie counts): 0.7736 / 0.6907 / 0.6754; MAE (rounded) 0.6409 /
 *   0.6216 / 0.6101 — the settings ours uses.
 */
export const CANDIDATES: Record<string, readonly OursMember[]> = {
  current: OURS_MEMBERS,
  first: [OURS_MEMBERS[0], OURS_MEMBERS[1], OURS_MLP_MEMBER, OURS_MEMBERS[2]],
  "first-without-mlp": [OURS_MEMBERS[0], OURS_MEMBERS[1], OURS_MEMBERS[2]],
  four: OURS_MEMBERS.slice(0, 4),
  "with-mlp": [...OURS_MEMBERS, OURS_MLP_MEMBER],
  "keras-l2-alone": [OURS_MEMBERS[0]],
  "adamw-alone": [OURS_MEMBERS[1]],
};

/** Single members compared alone (`--members`): variants of the AdamW dot-bias member. */
export const MEMBER_GRID: readonly OursMember[] = [5, 10].flatMap((epochs) =>
  [20, 50, 100].flatMap((factors) =>
    [0.08, 0.15, 0.3].map((weightDecay) =>
      base({
        name: `AdamW ${weightDecay}, ${factors} factors, ${epochs} epochs`,
        factors,
        l2: 0,
        weightDecay,
        epochs,
        biasFromBaseline: false,
      })
    )
  )
);

/** The help text of `bench/tune_ours.ts`. */
export const USAGE = `Usage: deno run -A bench/tune_ours.ts [CANDIDATE …]
       deno run -A bench/tune_ours.ts --members [I …]

Trains candidate member sets of "ours" as the evaluation trains it, on the training parts of
the tuning splits only, and prints each one's tuning-validation MSE and MAE, then a JSON line
per candidate with the means.

Arguments:
  CANDIDATE …     the candidate member sets to compare (default: all of them):
                  ${Object.keys(CANDIDATES).join(", ")}
  --members I …   instead, single members alone: these rows of the member grid
                  (0 to ${MEMBER_GRID.length - 1}; default: every row)
  -h, --help      show this text

A bad command line is one line on stderr and exit status 2; nothing runs.`;

/**
 * Reads the command line: candidate names (default: all), or `--members` and member-grid rows.
 *
 * @param args The arguments.
 * @returns The candidates to compare, and the member rows to train alone (null: none; empty:
 *   every row).
 * @throws {TypeError} On a flag other than a leading `--members`.
 * @throws {RangeError} On an unknown candidate or a member row out of the grid.
 * @example
 * ```ts
 * import { parseTuneArgs } from "./tune_ours.ts";
 * console.log(parseTuneArgs(["--members", "3", "5"])); // { candidates: [], members: [3, 5] }
 * console.log(parseTuneArgs(["current"])); // { candidates: ["current"], members: null }
 * ```
 */
export function parseTuneArgs(args: string[]): { candidates: string[]; members: number[] | null } {
  if (args[0] === "--members") {
    const members = args.slice(1).map((a) =>
      integerValue("--members", a, 0, MEMBER_GRID.length - 1)
    );
    return { candidates: [], members };
  }
  const known = Object.keys(CANDIDATES);
  for (const name of args) {
    if (!known.includes(name)) {
      throw name === "--members"
        ? new TypeError("--members: expected first, instead of candidates, found after them")
        : name.startsWith("-")
        ? new TypeError(`unknown flag ${JSON.stringify(name)}`)
        : new RangeError(
          `expected candidates from ${known.join(", ")}, found ${JSON.stringify(name)}`,
        );
    }
  }
  return { candidates: args.length ? [...args] : known, members: null };
}

if (import.meta.main) {
  const parsed = readCommandLine(Deno.args, USAGE, parseTuneArgs);
  await setupBackend();
  const single = parsed.members !== null;
  const names = parsed.candidates;
  const parts: { label: string; train: pl.DataFrame; val: pl.DataFrame; all: pl.DataFrame }[] = [];
  for (const { data, split } of TUNING_SPLITS) {
    const ml = await loadMovieLens(data);
    const s = await makeSplit(ml, split, { seed: 42 });
    const carved = randomSplit(s.train, { testFraction: 0.1, seed: 1000 });
    const all = pl.concat([
      s.train.select(COLUMNS.user, COLUMNS.movie),
      s.test.select(COLUMNS.user, COLUMNS.movie),
    ]);
    parts.push({ label: `${data} ${split}`, train: carved.train, val: carved.test, all });
  }
  if (single) {
    const only = parsed.members!;
    for (const [i, member] of MEMBER_GRID.entries()) {
      if (only.length && !only.includes(i)) continue;
      const scores: string[] = [];
      for (const part of parts.slice(0, 2)) {
        const m = await trainMember(member, part.train, fitEncoders(part.all));
        const truth = part.val.getColumn(COLUMNS.rating).toArray() as number[];
        const r = ratingMetrics(truth, predictRatings(m.rec, part.val));
        scores.push(
          `${part.label} ${r.mse.toFixed(4)}/${r.mae.toFixed(4)} (${m.seconds.toFixed(1)} s)`,
        );
        disposeRecommender(m.rec);
      }
      console.log(`[${i}] ${member.name}: ${scores.join(" · ")}`);
    }
  }
  for (const name of names) {
    const members = CANDIDATES[name];
    const sums = { mse: 0, mae: 0, maeBlend: 0, seconds: 0 };
    for (const part of parts) {
      const ours = await trainOurs(part.train, fitEncoders(part.all), { members });
      const truth = part.val.getColumn(COLUMNS.rating).toArray() as number[];
      const alone = ours.members.map((m) => {
        const r = ratingMetrics(truth, predictRatings(m.rec, part.val));
        return `${r.mse.toFixed(4)}/${r.mae.toFixed(4)}`;
      });
      const sq = ratingMetrics(truth, predictOurs(ours, "squared", part.val));
      const ab = ratingMetrics(truth, predictOurs(ours, "absolute", part.val));
      console.log(
        `${name} · ${part.label}: members MSE/MAE ${alone.join(" ")} · blend MSE ${
          sq.mse.toFixed(4)
        } MAE ${sq.mae.toFixed(4)} · MAE blend ${ab.mae.toFixed(4)} · ${ours.seconds.toFixed(1)} s`,
      );
      sums.mse += sq.mse / parts.length;
      sums.mae += sq.mae / parts.length;
      sums.maeBlend += ab.mae / parts.length;
      sums.seconds += ours.seconds;
      ours.members.forEach((m) => disposeRecommender(m.rec));
    }
    console.log(JSON.stringify({ candidate: name, ...sums }));
  }
}
