/**
 * `deno task evaluate`: trains the tutorials' models, the baselines and ours on the
 * tutorials' splits and prints one table per data set and split (stdout), with progress on
 * stderr. Without `--data`, `--split`, `--models`, `--epochs`, `--first-seed` (other than 42)
 * and `--no-ranking` it regenerates the committed `results/evaluation.md` and
 * `results/evaluation.json`; a run with any of them writes only the files `--json` and `--md`
 * name, and says so at its end when that is none.
 *
 * ```sh
 * deno task evaluate                                   # the whole committed table
 * deno task evaluate --data ml-100k --split u1         # one split
 * deno task evaluate --data path/to/ml-latest-small    # any folder in either layout
 * deno task evaluate --models dot-bias,mlp --seeds 3   # some kinds, mean ± std over 3 seeds
 * deno task evaluate --split random90 --epochs 1 --json -   # quick; JSON as the last line
 * deno task evaluate --task ranking --seeds 3          # the top-10 protocol (committed section)
 * deno task evaluate --task ranking --data ml-100k --models popular,item-knn
 * deno task evaluate --task ranking --data ml-100k --first-seed 45 --seeds 5   # fresh splits
 * ```
 *
 * `--task ranking` runs the top-10 protocol on implicit feedback instead
 * (`ranking_evaluation.ts`, `ranking_recipes.ts`, `ranking_report.ts`): the most-popular
 * baseline, item-kNN, EASE and three embedding models trained for ranking. Its full run replaces the
 * ranking section of the committed files and leaves the rating part byte for byte as it was;
 * the full rating run likewise keeps the ranking section.
 *
 * The program's parts, beside this file: the named splits (`named_splits.ts`), the rows each
 * split runs (`row_plan.ts`), the figures the tutorials and the literature report
 * (`reported_figures.ts`), the blended ensemble "ours" (`ours_ensemble.ts`, `blend.ts`), top-k
 * ranking of any predictor (`top_k_ranking.ts`), the runner (`run_evaluation.ts`), the
 * Markdown report (`markdown_report.ts`) and the committed files' update (`committed_results.ts`).
 *
 * Every file it will write (`--json`, `--md`, the committed results) is checked before the
 * run starts, without creating anything, and all are written together at the end: each to a
 * temporary file beside it, and only when every one is written are they renamed into place
 * (missing folders are made then), so a bad path costs no run, a failed run leaves no empty
 * folder, a file is never half-written, and a failure writing one leaves them all as they were
 * (the Markdown report never from another run than its JSON). The committed pair is read, merged
 * and written under a lock (`results/.evaluation.lock`, `committed_results.ts`), so two runs that
 * end at once (the rating and the ranking task side by side) each keep the other's part; a run
 * that finds the lock held names the process holding it and waits. A symbolic link at an output
 * path is replaced by the regular file (its target is left as it was); devices, pipes and paths
 * under `/dev`, `/proc` or `/sys` are refused (`--json -` prints to stdout). A bad flag, a
 * flag given twice, an empty path, `--json` and `--md` naming the same file, an output that
 * cannot be written (found before the run), a `--data` path that cannot be loaded as far as its
 * files tell (a file that is not a .zip, a folder without either layout's files) or a split the
 * data set does not have (u1 … u5 of ml-latest-small, or of a folder without them) is one line on
 * stderr and exit status 2 (the programs' status for a bad command line, `tools/_cli.ts`); any
 * other error is one line and status 1, naming the data set, split, seed and row it came from
 * when a row failed. Ctrl-C or SIGTERM while the files are written removes the temporary files
 * (`tools/_write.ts`) and exits with status 130 or 143.
 *
 * @module
 */

import { dirname, relative, resolve } from "node:path";
import { FlagReader, reportUsageError, USAGE_STATUS, wantsHelp } from "../_cli.ts";
import { checkWritable } from "../_write.ts";
import { DEFAULT_SEED } from "../../lib/defaults.ts";
import { PREDEFINED_SPLIT_NAMES } from "../../lib/data/mod.ts";
import { MAX_SEED } from "../../lib/random.ts";
import { RESULTS, type ResultsUpdate, writeResults } from "./committed_results.ts";
import { assertModelKind, MODEL_KINDS, type ModelKind } from "../../lib/models/mod.ts";
import { type EvaluationResult, runEvaluation } from "./run_evaluation.ts";
import { dataPathProblem, type EvaluationDuplicates } from "./_loading.ts";
import { assertSplitName, SPLIT_NAMES, type SplitName } from "./named_splits.ts";
import { renderMarkdown, renderTables } from "./markdown_report.ts";
import { type RankingEvaluation, runRankingEvaluation } from "./ranking_evaluation.ts";
import { RANKING_MODELS, type RankingModelName } from "./ranking_recipes.ts";
import {
  keptRanking,
  mergeRanking,
  renderRankingSection,
  renderRankingTables,
} from "./ranking_report.ts";

/** The parsed command line. */
export interface EvaluateArgs {
  /** `--task`: the rating tables (default) or the top-10 ranking protocol. */
  task: "rating" | "ranking";
  /** `--data`: a data set name or path. */
  data?: string;
  /** `--split`. */
  split?: SplitName;
  /** `--models`: model kinds (rating task). */
  models?: ModelKind[];
  /** `--models` with `--task ranking`: ranking rows. */
  rankingModels?: RankingModelName[];
  /** `--seeds N`. */
  seeds: number;
  /** `--first-seed N`: the seeds are N, N + 1, … */
  firstSeed: number;
  /** `--epochs N`. */
  epochs: number | null;
  /** `--json PATH` (`-` for stdout), or null for the default. */
  json: string | null;
  /** `--md PATH`, or null for the default. */
  md: string | null;
  /** `--no-ranking`. */
  ranking: boolean;
  /** `--duplicates`: what the loader does with repeated (userId, movieId) pairs. */
  duplicates: EvaluationDuplicates;
  /** `--help` or `-h`. */
  help: boolean;
}

/**
 * The most seeds one run takes: each one trains every model again (minutes apiece), and every
 * seed's rows are kept until the run ends.
 */
export const MAX_SEEDS = 1000;

/**
 * Seeds of a run that writes the committed files when `--seeds` is not given (42, 43, 44: the
 * committed tables' mean ± sd), so the plain command reproduces them; any other run takes one.
 */
export const COMMITTED_SEEDS = 3;

/**
 * The most epochs `--epochs` takes: 125 times the longest recipe's 80 (the ranking recipes' at
 * most; the rating recipes train 5 to 40), far beyond any run worth its time, and a bound on a
 * typo's cost (a run of 99999999999999 epochs never ends).
 */
export const MAX_EPOCHS = 10_000;

/**
 * An output the run could not write, found before it starts (`--json` in a read-only folder,
 * `--md /dev/null`, …): a bad command line, which exits with status 2 as the others do.
 */
export class RefusedOutputError extends Error {
  override name = "RefusedOutputError";
}

/**
 * The flags that make a run write only the files `--json` and `--md` name, leaving the
 * committed results as they are: a run with any of them is not the whole committed table.
 * `--first-seed` counts when it is not 42.
 */
export const PARTIAL_RUN_FLAGS = [
  "--data",
  "--split",
  "--models",
  "--epochs",
  "--first-seed",
  "--no-ranking",
] as const;

/** The help text. */
export const USAGE = `Usage: deno task evaluate [flags]

Trains the tutorials' models, the baselines and ours on the tutorials' splits; prints one
table per data set and split on stdout and progress on stderr. Without --data, --split,
--models, --epochs, --first-seed (other than ${DEFAULT_SEED}) and --no-ranking it runs the whole
committed table and writes results/evaluation.md and results/evaluation.json (--seeds may be
given); a run with any of those flags writes only the files --json and --md name (by default
none, which it says at its end).

Flags:
  --task NAME        rating (default: the tables above) or ranking (the top-10
                     protocol on implicit feedback: ${RANKING_MODELS.join(", ")};
                     without --data and --split: ml-100k and ml-latest-small random80;
                     the whole run, as above, writes the committed files' ranking section)
  --data NAME|PATH   ml-latest-small, ml-100k, or a folder/zip in either layout
                     (ratings.csv + movies.csv, or u.data + u.item: a folder without
                     them is refused before the run; ml-100k is read from
                     $MOVIELENS_DIR, the cache, or downloaded);
                     default: both, or ml-latest-small when --split is given
  --split NAME       ${SPLIT_NAMES.join(", ")}
                     (default: the data set's splits in the committed table; ranking:
                     random80); u1 … u5 are ml-100k's published folds, for --data ml-100k
                     or a folder in its layout
  --models LIST      comma-separated model kinds, each once (default: all):
                     ${MODEL_KINDS.join(", ")}; baselines always run,
                     "ours" (an ensemble of dot-bias models) runs when dot-bias is listed;
                     with --task ranking: ranking rows
  --seeds N          run N seeds (42, 43, …), N from 1 to ${MAX_SEEDS}; the tables show
                     the first seed, then the mean ± sd over the N; default:
                     ${COMMITTED_SEEDS} for the whole table (as committed), else 1
  --first-seed N     start the seeds at N instead of 42 (a replication on fresh
                     splits; such a run never writes the committed files); the seeds
                     run from 0 to ${MAX_SEED} (2³² − 1: the generator reduces a seed
                     to 32 bits, so 2³² would repeat seed 0's run)
  --epochs N         train every model N epochs, N from 1 to ${MAX_EPOCHS} (quick runs;
                     ranking: at most N, one L2); default: each recipe's own (at most 80)
  --json PATH        write the JSON there ("-": print it as the last stdout line);
                     default: none (the whole table writes results/evaluation.json)
  --md PATH          write the Markdown there (a file: the tables already go to stdout)
                     The outputs are written once the run has succeeded, together (each
                     to a temporary file beside it, all renamed into place once all are
                     written, so a failure leaves every one as it was; a symbolic link
                     there is replaced by the file); missing folders are made then.
                     Devices, pipes and anything under /dev are refused, as are --json
                     and --md naming the same file and a folder that cannot be written:
                     checked before the run, a bad command line (status 2)
  --no-ranking       skip precision/recall/NDCG (faster; rating task only; such a
                     run never writes the committed files)
  --duplicates WHAT  a (userId, movieId) pair rated more than once in --data's files:
                     last (default: keep its latest rating, with a warning) or error
                     (refuse the data); every row is never kept, as a pair rated twice
                     could land in both the training and the test part
  -h, --help         show this text

A value follows its flag or is joined to it by "=" (--seeds=3). Numbers are plain decimals;
each flag is given once. A bad command line is one line on stderr and exit status 2, and
nothing runs; a failed run exits with status 1 (a failed row named by its data set, split,
seed and model); Ctrl-C or SIGTERM while the files are written leaves them as they were, with
no temporary file, and exits with status 130 or 143.`;

/**
 * A `--data` value: a data set's name, or a path that exists (checked here, so that a typo is
 * a usage error naming the flag before anything loads; whether its files can be loaded, once
 * the split is known, is `dataPathProblem()`'s to say, and what they hold the loader's).
 */
function dataValue(value: string): string {
  if (value === "ml-latest-small" || value === "ml-100k") return value;
  const refused = (why: string) =>
    new RangeError(
      "--data: expected ml-latest-small, ml-100k, or a folder or .zip in either layout, found " +
        JSON.stringify(value) + why,
    );
  if (value === "") throw refused("");
  try {
    Deno.statSync(value);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw refused(`, which does not exist (${resolve(value)})`);
  }
  return value;
}

/** A `--models` list: names separated by commas, none empty, none twice. */
function modelList(value: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.every((n) => n === "")) throw new RangeError("--models: expected at least one kind");
  const empty = names.indexOf("");
  if (empty >= 0) {
    throw new RangeError(
      `--models: expected a kind at position ${empty + 1} of ${JSON.stringify(value)}, found ` +
        (empty === 0
          ? "nothing before the first comma"
          : empty === names.length - 1
          ? "nothing after the last comma"
          : "nothing between two commas"),
    );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) {
    throw new RangeError(
      `--models: expected each kind once, found ${JSON.stringify(twice)} twice in ` +
        JSON.stringify(value),
    );
  }
  return names;
}

/**
 * Parses the command line of `deno task evaluate`.
 *
 * @param args The arguments (`Deno.args`).
 * @returns The parsed flags.
 * @throws {TypeError} On an unknown flag, a missing value or a flag given twice.
 * @throws {RangeError} On a bad number (a seed outside 0 to `MAX_SEED`, more than
 *   {@linkcode MAX_SEEDS} seeds, seeds that would run past `MAX_SEED`, or more than
 *   {@linkcode MAX_EPOCHS} epochs), split (u1 … u5 of ml-latest-small, or of a folder without
 *   that fold's files), task, kind (an empty or repeated one in `--models`) or path (one that does
 *   not exist, or `--data` naming a file that is not a .zip or a folder without either layout's
 *   files: see `dataPathProblem()`).
 * @example
 * ```ts
 * import { parseEvaluateArgs } from "./cli.ts";
 * import { assertEquals } from "@std/assert";
 * const a = parseEvaluateArgs(["--data", "ml-100k", "--split", "u1", "--models", "dot,dot-bias"]);
 * assertEquals([a.split, a.models], ["u1", ["dot", "dot-bias"]]);
 * ```
 */
export function parseEvaluateArgs(args: string[]): EvaluateArgs {
  const out: EvaluateArgs = {
    task: "rating",
    seeds: 1,
    firstSeed: DEFAULT_SEED,
    epochs: null,
    json: null,
    md: null,
    ranking: true,
    duplicates: "last",
    help: false,
  };
  if (wantsHelp(args)) return { ...out, help: true };
  let models: string[] | undefined;
  let seedsGiven = false;
  const read = new FlagReader(args);
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    /** An output path: not empty; "-" (stdout) only where `dash` allows it. */
    const path = (dash: boolean) => {
      const v = read.value();
      if (v.trim() === "") throw new RangeError(`${flag}: expected a file path, found ""`);
      if (v === "-" && !dash) {
        throw new RangeError(
          `${flag}: expected a file path, found "-" (the tables already go to stdout; ` +
            `only --json takes "-", for the JSON as the last stdout line)`,
        );
      }
      return v;
    };
    switch (flag) {
      case "--data":
        out.data = dataValue(read.value());
        break;
      case "--split":
        try {
          out.split = assertSplitName(read.value());
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          throw new RangeError(`--split: ${e.message}`);
        }
        break;
      case "--task": {
        const task = read.value();
        if (task !== "rating" && task !== "ranking") {
          throw new RangeError(`--task: expected rating or ranking, found ${JSON.stringify(task)}`);
        }
        out.task = task;
        break;
      }
      case "--models":
        models = modelList(read.value());
        break;
      case "--seeds":
        out.seeds = read.integer(1, MAX_SEEDS);
        seedsGiven = true;
        break;
      case "--first-seed":
        out.firstSeed = read.integer(0, MAX_SEED);
        break;
      case "--epochs":
        out.epochs = read.integer(1, MAX_EPOCHS);
        break;
      case "--json":
        out.json = path(true);
        break;
      case "--md":
        out.md = path(false);
        break;
      case "--no-ranking":
        out.ranking = false;
        break;
      case "--duplicates": {
        const what = read.value();
        if (what !== "last" && what !== "error") {
          throw new RangeError(
            `--duplicates: expected last or error, found ${JSON.stringify(what)}` +
              (what === "keep"
                ? " (every row is not kept: a pair rated twice could land in both the " +
                  "training and the test part)"
                : ""),
          );
        }
        out.duplicates = what;
        break;
      }
      default:
        read.unknown();
    }
  }
  const last = out.firstSeed + out.seeds - 1;
  if (last > MAX_SEED) {
    throw new RangeError(
      `--seeds: expected at most ${MAX_SEED - out.firstSeed + 1} from --first-seed ` +
        `${out.firstSeed} (the seeds run to ${MAX_SEED}, the last seed of a stream of its own), ` +
        `found ${out.seeds} (up to seed ${last})`,
    );
  }
  const fold = (PREDEFINED_SPLIT_NAMES as readonly string[]).includes(out.split ?? "");
  if (fold && (out.data === undefined || out.data === "ml-latest-small")) {
    // Known from the command line: the data set by that name never has them. A folder or zip
    // given by --data may be in ml-100k's layout; the loader says when it lacks the fold.
    throw new RangeError(
      `--split ${out.split}: expected ml-100k's published fold (${out.split}.base and ` +
        `${out.split}.test) to split, found ${
          out.data === undefined
            ? "no --data (ml-latest-small by default with --split)"
            : "--data ml-latest-small"
        }, which has none; add --data ml-100k (or a folder in its layout)`,
    );
  }
  if (out.data !== undefined && out.data !== "ml-latest-small" && out.data !== "ml-100k") {
    const problem = dataPathProblem(out.data, out.split);
    if (problem !== null) throw new RangeError(problem);
  }
  if (out.json && out.md && out.json !== "-" && resolve(out.json) === resolve(out.md)) {
    throw new RangeError(
      `--json and --md: expected two different files, found ${resolve(out.json)} for both`,
    );
  }
  if (out.task === "ranking") {
    if (!out.ranking) throw new RangeError("--no-ranking: not an option of --task ranking");
    if (models) {
      out.rankingModels = models.map((m) => {
        if (!(RANKING_MODELS as readonly string[]).includes(m)) {
          throw new RangeError(
            `--models: unknown ranking model ${JSON.stringify(m)} (known: ${
              RANKING_MODELS.join(", ")
            })`,
          );
        }
        return m as RankingModelName;
      });
    }
  } else if (models) {
    out.models = models.map((k) => {
      try {
        return assertModelKind(k);
      } catch (e) {
        throw new RangeError(`--models: ${(e as Error).message}`);
      }
    });
  }
  // Within MAX_SEED: a run that writes the committed files starts at seed 42.
  if (!seedsGiven && writesCommittedFiles(out)) out.seeds = COMMITTED_SEEDS;
  return out;
}

/**
 * The flags of a command line that keep it from writing the committed files
 * ({@linkcode PARTIAL_RUN_FLAGS} that it gives), in the order of that list.
 *
 * @param parsed The parsed command line.
 * @returns The flags, none for the whole committed table.
 * @example
 * ```ts
 * import { parseEvaluateArgs, partialRunFlags } from "./cli.ts";
 * console.log(partialRunFlags(parseEvaluateArgs(["--epochs", "1", "--models", "dot"])));
 * // ["--models", "--epochs"]
 * ```
 */
export function partialRunFlags(parsed: EvaluateArgs): string[] {
  const given: Record<(typeof PARTIAL_RUN_FLAGS)[number], boolean> = {
    "--data": parsed.data !== undefined,
    "--split": parsed.split !== undefined,
    "--models": parsed.models !== undefined || parsed.rankingModels !== undefined,
    "--epochs": parsed.epochs !== null,
    "--first-seed": parsed.firstSeed !== DEFAULT_SEED,
    "--no-ranking": !parsed.ranking,
  };
  return PARTIAL_RUN_FLAGS.filter((flag) => given[flag]);
}

/**
 * Whether a command regenerates the committed files (its task's part of them): only the whole
 * table — every data set, split, model and metric — at full length, on the seeds from 42. A run
 * with `--data`, `--split`, `--models`, `--epochs`, `--first-seed` or `--no-ranking` (whose
 * rows would lack P@10, R@10 and NDCG@10) writes only what it is told to
 * ({@linkcode partialRunFlags}).
 *
 * @param parsed The parsed command line.
 * @returns True when the run writes `results/evaluation.{md,json}`.
 * @example
 * ```ts
 * import { parseEvaluateArgs, writesCommittedFiles } from "./cli.ts";
 * console.log(writesCommittedFiles(parseEvaluateArgs(["--task", "ranking", "--seeds", "3"]))); // true
 * console.log(writesCommittedFiles(parseEvaluateArgs(["--first-seed", "45"]))); // false
 * ```
 */
export function writesCommittedFiles(parsed: EvaluateArgs): boolean {
  return partialRunFlags(parsed).length === 0;
}

/**
 * The line a run that wrote no file ends with (on stderr), or null when it wrote one or
 * printed its JSON (`--json -`): which of its flags kept it from writing the committed results,
 * and how to keep its results.
 *
 * @param parsed The parsed command line.
 * @returns The line, or null.
 * @example
 * ```ts
 * import { nothingWrittenLine, parseEvaluateArgs } from "./cli.ts";
 * console.log(nothingWrittenLine(parseEvaluateArgs(["--models", "dot"]))?.slice(0, 37));
 * // "Wrote no file: a run with --models le"
 * console.log(nothingWrittenLine(parseEvaluateArgs(["--models", "dot", "--md", "r.md"]))); // null
 * ```
 */
export function nothingWrittenLine(parsed: EvaluateArgs): string | null {
  const flags = partialRunFlags(parsed);
  if (flags.length === 0 || parsed.md !== null || parsed.json !== null) return null;
  const named = flags.length === 1
    ? flags[0]
    : `${flags.slice(0, -1).join(", ")} and ${flags.at(-1)}`;
  return `Wrote no file: a run with ${named} leaves ${RESULTS.md} and ${RESULTS.json} as ` +
    "they are; to keep its results, add --json PATH (the numbers) or --md PATH (the report)";
}

/**
 * The command line as the results record it, each argument as a POSIX shell reads it back:
 * one with a space, a quote or another character the shell treats specially is put in single
 * quotes (`--data '/my data/ml-100k'`).
 *
 * @param args The arguments.
 * @returns `deno task evaluate` and the arguments.
 * @example
 * ```ts
 * import { commandLine } from "./cli.ts";
 * console.log(commandLine(["--data", "/my data/it's", "--seeds=3"]));
 * // deno task evaluate --data '/my data/it'\''s' --seeds=3
 * ```
 */
export function commandLine(args: readonly string[]): string {
  const word = (a: string) =>
    /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
  return ["deno task evaluate", ...args.map(word)].join(" ");
}

/**
 * Runs the command: parse, evaluate, print, write.
 *
 * @param args The arguments.
 * @returns The result, or null after `--help`.
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * console.log(await main(["--help"])); // null (after printing the usage)
 * ```
 */
export async function main(
  args: string[],
): Promise<EvaluationResult | RankingEvaluation | null> {
  const parsed = parseEvaluateArgs(args);
  if (parsed.help) {
    console.log(USAGE);
    return null;
  }
  if (parsed.task === "ranking") return await mainRanking(parsed, args);
  const committed = await checkOutputs(parsed);
  const result = await runEvaluation({
    data: parsed.data,
    split: parsed.split,
    models: parsed.models,
    seeds: parsed.seeds,
    firstSeed: parsed.firstSeed,
    epochs: parsed.epochs,
    ranking: parsed.ranking,
    command: commandLine(args),
    duplicates: parsed.duplicates,
    onWarning: warnOnCommandLine,
  });
  // Each report names the JSON written beside it, if any.
  const twin = (md: string, json: string | null) =>
    json === null ? null : relative(dirname(resolve(md)), resolve(json));
  const ownJson = parsed.json !== null && parsed.json !== "-"
    ? parsed.json
    : committed
    ? RESULTS.json
    : null;
  const markdown = parsed.md ? renderMarkdown(result, { json: twin(parsed.md, ownJson) }) : "";
  console.log(renderTables(result));
  for (const t of result.targets) {
    console.log(
      `Target ${t.data} ${t.split} ${t.metric.toUpperCase()} ≤ ${t.max}: best ${
        t.best.toFixed(4)
      } (${t.bestRecipe}) — ${t.met ? "met" : "NOT met"}`,
    );
  }
  console.log(
    `Total time: ${result.totalSeconds.toFixed(1)} s (CPU ${result.cpuSeconds.toFixed(1)} s)`,
  );
  const json = JSON.stringify(result, null, 2) + "\n";
  // The ranking section (its own command) is kept as it was.
  const update: ResultsUpdate = (current) => {
    const kept = keptRanking(current.json);
    const ranking = kept.ranking;
    return {
      md: renderMarkdown(result, { json: twin(RESULTS.md, RESULTS.json), ranking }) +
        kept.section,
      json: kept.ranking
        ? JSON.stringify({ ...result, ranking: kept.ranking }, null, 2) + "\n"
        : json,
    };
  };
  await writeReports(committed ? update : null, parsed, markdown, json);
  if (committed) console.error(`Wrote ${RESULTS.md} and ${RESULTS.json}`);
  const nothing = nothingWrittenLine(parsed);
  if (nothing !== null) console.error(nothing);
  if (parsed.json === "-") console.log(JSON.stringify(result));
  return result;
}

/**
 * Writes the run's files (the committed pair as `update` makes it of the current one, then
 * `--md` and `--json`) in one step with `writeResults()`: a failure writing any leaves them all
 * as they were, so a report and its JSON never come from different runs, and the committed pair
 * is read and written under a lock, so a run beside this one loses nothing.
 */
async function writeReports(
  update: ResultsUpdate | null,
  parsed: EvaluateArgs,
  markdown: string,
  json: string,
): Promise<void> {
  const files: [string, string, string][] = [];
  if (parsed.md) files.push([parsed.md, markdown, "--md"]);
  if (parsed.json && parsed.json !== "-") files.push([parsed.json, json, "--json"]);
  await writeResults(update, files);
}

/**
 * Checks every file the run will write before it starts, so that a bad path does not cost the
 * whole run; returns whether the committed results are among them.
 *
 * @throws {RefusedOutputError} Naming the flag, the file and why it cannot be written.
 */
async function checkOutputs(parsed: EvaluateArgs): Promise<boolean> {
  try {
    return await checkEachOutput(parsed);
  } catch (e) {
    throw new RefusedOutputError((e as Error).message, { cause: e });
  }
}

async function checkEachOutput(parsed: EvaluateArgs): Promise<boolean> {
  const committed = writesCommittedFiles(parsed);
  if (committed) {
    await checkWritable(RESULTS.md, "results");
    await checkWritable(RESULTS.json, "results");
  }
  const outputs: [string, string | null][] = [["--md", parsed.md], ["--json", parsed.json]];
  for (const [flag, path] of outputs) {
    if (path === null || path === "-") continue;
    if (committed && Object.values(RESULTS).some((r) => resolve(r) === resolve(path))) {
      throw new RangeError(
        `${flag}: expected a file other than the committed results this run writes, ` +
          `found ${resolve(path)}`,
      );
    }
    await checkWritable(path, flag);
  }
  return committed;
}

/** `--task ranking`: run the protocol, print its tables, write what was asked for. */
async function mainRanking(parsed: EvaluateArgs, args: string[]): Promise<RankingEvaluation> {
  const committed = await checkOutputs(parsed);
  const result = await runRankingEvaluation({
    data: parsed.data,
    split: parsed.split,
    seeds: parsed.seeds,
    firstSeed: parsed.firstSeed,
    epochs: parsed.epochs,
    models: parsed.rankingModels,
    command: commandLine(args),
    duplicates: parsed.duplicates,
    onWarning: warnOnCommandLine,
  });
  console.log(renderRankingTables(result));
  for (const t of result.targets) {
    console.log(
      `Target ${t.data} ${t.split} P@10 ≥ ${t.targets.precision_at_10} and NDCG@10 ≥ ${t.targets.ndcg_at_10}: ${t.model} (best on validation) ${
        t.precision_at_10.toFixed(4)
      } / ${t.ndcg_at_10.toFixed(4)} — ${t.met ? "met" : "NOT met"}`,
    );
  }
  console.log(
    `Total time: ${result.totalSeconds.toFixed(1)} s (CPU ${result.cpuSeconds.toFixed(1)} s)`,
  );
  const update: ResultsUpdate = (current) => {
    const merged = mergeRanking(current.md, current.json, result);
    return { md: merged.markdown, json: merged.json };
  };
  const markdown = parsed.md
    ? renderRankingSection(result, {
      standalone: true,
      json: parsed.json !== null && parsed.json !== "-"
        ? relative(dirname(resolve(parsed.md)), resolve(parsed.json))
        : null,
    })
    : "";
  const json = JSON.stringify(result, null, 2) + "\n";
  await writeReports(committed ? update : null, parsed, markdown, json);
  if (committed) console.error(`Wrote the ranking section of ${RESULTS.md} and ${RESULTS.json}`);
  const nothing = nothingWrittenLine(parsed);
  if (nothing !== null) console.error(nothing);
  if (parsed.json === "-") console.log(JSON.stringify(result));
  return result;
}

/** Options of {@linkcode commandLineMessage}. */
export interface CommandLineMessageOptions {
  /**
   * Reads an environment variable (`MOVIELENS_DIR`, to say what it is set to).
   *
   * @default {Deno.env.get}
   */
  env?: (name: string) => string | undefined;
}

/**
 * A loader's message (a failed run's error, or a warning) as a user of this command reads it:
 * advice given as an option of `loadMovieLens()` becomes what this command line can do. Pass
 * `{ verify: false }` after a checksum mismatch (no flag here) becomes: name the files by their
 * path with `--data`, which reads them as they are (their differences from the release are
 * reported, and no published figure is shown beside their rows). The advice on repeated
 * (userId, movieId) pairs becomes `--duplicates error` (after the warning that the latest rating
 * of each was kept) or running without it (after the refusal). Where to put ml-100k when it
 * was found nowhere says what `MOVIELENS_DIR` is set to (a folder that has neither ml-100k/ nor
 * ml-100k.zip, or nothing) instead of the library's `{ dir }`, and that `--data PATH` reads the
 * folder or zip wherever it is; `{ cacheDir }` (no flag here: `MOVIELENS_CACHE` sets it) is
 * left out. Any other message is kept.
 *
 * @param message The error's message.
 * @param options Where the environment is read from.
 * @returns The message for the command line.
 * @example
 * ```ts
 * import { commandLineMessage } from "./cli.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   commandLineMessage("checksum mismatch for /m/ml-100k/u1.test: …; replace it with the " +
 *     "official release, or pass { verify: false }"),
 *   "checksum mismatch for /m/ml-100k/u1.test: …; replace it with the official release, or " +
 *     "name its folder (or zip) with --data PATH, which reads the files as they are (their " +
 *     "differences from the release are reported, and no published figure is shown beside " +
 *     "their rows)",
 * );
 * ```
 */
export function commandLineMessage(
  message: string,
  options: CommandLineMessageOptions = {},
): string {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const mirror = env("MOVIELENS_DIR");
  const mirrorState = mirror
    ? `now ${resolve(mirror)}, which has neither ml-100k/ nor ml-100k.zip`
    : "which is not set";
  return message.replace(
    /MOVIELENS_DIR \(or pass \{ dir \}\), or /g,
    `MOVIELENS_DIR (${mirrorState}), name the zip or the folder with --data PATH, or `,
  ).replace(/, or pass \{ cacheDir \}/g, "").replace(
    /, or pass \{ verify: false \}/g,
    ", or name its folder (or zip) with --data PATH, which reads the files as they are (their " +
      "differences from the release are reported, and no published figure is shown beside " +
      "their rows)",
  ).replace(
    /Pass \{ duplicates: "keep" \} to keep every row, or \{ duplicates: "error" \} to refuse them/g,
    "Add --duplicates error to refuse such data (every row is never kept: a pair rated twice " +
      "could land in both the training and the test part)",
  ).replace(
    /Use \{ duplicates: "last" \} to keep the latest rating of each pair/g,
    "Leave out --duplicates error to keep the latest rating of each pair (with a warning)",
  );
}

/** A loader's warning on stderr, its advice put in this command line's terms. */
function warnOnCommandLine(message: string): void {
  console.warn(commandLineMessage(message));
}

if (import.meta.main) {
  try {
    parseEvaluateArgs(Deno.args); // a bad command line: one line and status 2, before anything
  } catch (e) {
    Deno.exit(reportUsageError(e));
  }
  try {
    await main(Deno.args);
  } catch (e) {
    if (e instanceof RefusedOutputError) {
      console.error(e.message); // as a bad command line: nothing ran
      Deno.exit(USAGE_STATUS);
    }
    console.error(e instanceof Error ? `error: ${commandLineMessage(e.message)}` : e);
    Deno.exit(1);
  }
}
