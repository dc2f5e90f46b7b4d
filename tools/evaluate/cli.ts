/**
 * `deno task evaluate`: trains the tutorials' models, the baselines and ours on the
 * tutorials' splits and prints one table per data set and split (stdout), with progress on
 * stderr. Without `--data` and `--split` it regenerates the committed
 * `results/evaluation.md` and `results/evaluation.json`.
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
 * ranking of any predictor (`top_k_ranking.ts`), the runner (`run_evaluation.ts`) and the
 * Markdown report (`markdown_report.ts`).
 *
 * Every file it will write (`--json`, `--md`, the committed results) is checked before the
 * run starts, without creating anything, and written in one step at the end (a temporary file
 * renamed over it; missing folders are made then), so a bad path costs no run, a failed run
 * leaves no empty folder and a file is never half-written. A symbolic link at an output path
 * is replaced by the regular file (its target is left as it was); devices, pipes and paths
 * under `/dev`, `/proc` or `/sys` are refused (`--json -` prints to stdout). A bad option, an
 * option given twice, an empty path or `--json` and `--md` naming the same file is one line on
 * stderr and status 1, as is any error.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import { outputProblem, writeFileAtomic } from "../_write.ts";
import { nearestFolder } from "../../lib/_atomic_write.ts";
import { DEFAULT_SEED } from "../../lib/defaults.ts";
import { assertModelKind, type ModelKind } from "../../lib/models/mod.ts";
import { type EvaluationResult, runEvaluation } from "./run_evaluation.ts";
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
  /** `--help`. */
  help: boolean;
}

/** The help text. */
export const USAGE = `deno task evaluate [flags]

Trains the tutorials' models, the baselines and ours on the tutorials' splits; prints one
table per data set and split on stdout and progress on stderr. Without --data and --split it
runs the whole committed table and writes results/evaluation.md and results/evaluation.json.

  --task NAME        rating (default: the tables above) or ranking (the top-10
                     protocol on implicit feedback: ${RANKING_MODELS.join(", ")};
                     without --data and --split: ml-100k and ml-latest-small random80,
                     written into the committed files' ranking section)
  --data NAME|PATH   ml-latest-small, ml-100k, or a folder/zip in either layout
                     (ml-100k is read from $MOVIELENS_DIR, the cache, or downloaded)
  --split NAME       ${SPLIT_NAMES.join(", ")}
  --models LIST      comma-separated model kinds (default: all); baselines always run,
                     "ours" (an ensemble of dot-bias models) runs when dot-bias is listed;
                     with --task ranking: ranking rows
  --seeds N          mean ± std over N seeds (42, 43, …); default 1
  --first-seed N     start the seeds at N instead of 42 (a replication on fresh
                     splits; such a run never writes the committed files)
  --epochs N         train every model N epochs (quick runs; ranking: at most N, one L2)
  --json PATH        write the JSON there ("-": print it as the last stdout line)
  --md PATH          write the Markdown there (a file: the tables already go to stdout)
                     Each output is written once the run has succeeded, in one step (a
                     temporary file renamed over it; a symbolic link there is replaced by
                     the file); missing folders are made then. Devices, pipes and anything
                     under /dev are refused, as are --json and --md naming the same file
  --no-ranking       skip precision/recall/NDCG (faster)
  --help             this text
`;

/**
 * A flag's whole-number value in plain decimal digits (not `1e0`, `0x1` or `2.0`), at least
 * `min` (1: a positive integer; 0: a seed).
 */
function integerFlag(flag: string, value: string | undefined, min: 0 | 1): number {
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const expected = min === 1 ? "a positive integer" : "an integer ≥ 0";
    throw new RangeError(`${flag}: expected ${expected}, found ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Parses the command line of `deno task evaluate`.
 *
 * @param args The arguments (`Deno.args`).
 * @returns The parsed flags.
 * @throws {RangeError} On an unknown flag, a missing value, a bad number, split or kind.
 * @example
 * ```ts
 * import { parseEvaluateArgs } from "./cli.ts";
 * const a = parseEvaluateArgs(["--split", "u1", "--models", "dot,dot-bias", "--seeds", "3"]);
 * console.log(a.split, a.models, a.seeds); // u1 ["dot", "dot-bias"] 3
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
    help: false,
  };
  let models: string[] | undefined;
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    let flag = args[i];
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const next = () => {
      const v = value ?? args[++i];
      if (v === undefined) throw new RangeError(`${flag}: expected a value, found none`);
      if (given.has(flag)) {
        throw new RangeError(`${flag}: expected once, found a second value ${JSON.stringify(v)}`);
      }
      given.add(flag);
      return v;
    };
    /** An output path: not empty; "-" (stdout) only where `dash` allows it. */
    const path = (dash: boolean) => {
      const v = next();
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
        out.data = next();
        break;
      case "--split":
        try {
          out.split = assertSplitName(next());
        } catch (e) {
          throw new RangeError(`--split: ${(e as Error).message}`);
        }
        break;
      case "--task": {
        const task = next();
        if (task !== "rating" && task !== "ranking") {
          throw new RangeError(`--task: expected rating or ranking, found ${JSON.stringify(task)}`);
        }
        out.task = task;
        break;
      }
      case "--models": {
        models = next().split(",").map((s) => s.trim()).filter(Boolean);
        if (models.length === 0) throw new RangeError("--models: expected at least one kind");
        break;
      }
      case "--seeds":
        out.seeds = integerFlag(flag, next(), 1);
        break;
      case "--first-seed":
        out.firstSeed = integerFlag(flag, next(), 0);
        break;
      case "--epochs":
        out.epochs = integerFlag(flag, next(), 1);
        break;
      case "--json":
        out.json = path(true);
        break;
      case "--md":
        out.md = path(false);
        break;
      case "--no-ranking":
        if (value !== undefined) throw new RangeError(`--no-ranking: takes no value`);
        out.ranking = false;
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      default:
        throw new RangeError(`unknown flag ${JSON.stringify(args[i])}; see --help`);
    }
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
  return out;
}

/** Where the committed table lives, relative to the repository root. */
export const RESULTS = { md: "results/evaluation.md", json: "results/evaluation.json" } as const;

/**
 * Checks, before the evaluation runs, that an output file can be written, without creating
 * anything: the path is not a folder, a device, a pipe or a link to one (nothing under `/dev`,
 * `/proc` or `/sys` is written through), no folder above it is a file, and a file can be
 * created in its nearest existing folder (a probe file, removed again). Missing folders are
 * made only when the file is written, after the run; a symbolic link is replaced by the
 * regular file (the file it pointed to is left as it was), as `writeFileAtomic` does.
 *
 * @param path The file to write.
 * @param flag The option that names it (`"--json"`), for the message.
 * @throws {Error} Naming the option, the path and why (of the class of the underlying error).
 * @example
 * ```ts
 * import { checkWritable } from "./cli.ts";
 * const path = await Deno.makeTempFile();
 * await checkWritable(path, "--json"); // fine
 * await Deno.remove(path);
 * ```
 */
export async function checkWritable(path: string, flag: string): Promise<void> {
  const full = resolve(path);
  const fail = (why: string, cause?: unknown): never => {
    const Class = cause instanceof Error ? cause.constructor as ErrorConstructor : TypeError;
    throw new Class(`${flag}: cannot write ${full}: ${why}`, { cause });
  };
  const problem = await outputProblem(full);
  if (problem) fail(problem);
  const folder = await nearestFolder(full).catch((e) => fail((e as Error).message));
  try {
    const probe = await Deno.makeTempFile({ dir: folder, prefix: `.${basename(full)}.` });
    await Deno.remove(probe);
  } catch (e) {
    fail(`its folder ${folder} cannot be written (${(e as Error).message})`, e);
  }
}

/**
 * Whether a command regenerates the committed files (its task's part of them): only the whole
 * table — every data set, split and model — at full length, on the seeds from 42. A run with
 * `--data`, `--split`, `--models`, `--epochs` or `--first-seed` writes only what it is told to.
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
  return parsed.data === undefined && parsed.split === undefined && parsed.epochs === null &&
    parsed.models === undefined && parsed.rankingModels === undefined &&
    parsed.firstSeed === DEFAULT_SEED;
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
    command: ["deno task evaluate", ...args].join(" "),
  });
  const markdown = renderMarkdown(result);
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
  if (committed) {
    // The ranking section (its own command) is kept as it was.
    const kept = keptRanking(await Deno.readTextFile(RESULTS.json).catch(() => ""));
    await writeFileAtomic(RESULTS.md, markdown + kept.section);
    await writeFileAtomic(
      RESULTS.json,
      kept.ranking ? JSON.stringify({ ...result, ranking: kept.ranking }, null, 2) + "\n" : json,
    );
    console.error(`Wrote ${RESULTS.md} and ${RESULTS.json}`);
  }
  if (parsed.md) await writeFileAtomic(parsed.md, markdown);
  if (parsed.json && parsed.json !== "-") await writeFileAtomic(parsed.json, json);
  if (parsed.json === "-") console.log(JSON.stringify(result));
  return result;
}

/**
 * Checks every file the run will write before it starts, so that a bad path does not cost the
 * whole run; returns whether the committed results are among them.
 */
async function checkOutputs(parsed: EvaluateArgs): Promise<boolean> {
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
    command: ["deno task evaluate", ...args].join(" "),
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
  if (committed) {
    const merged = mergeRanking(
      await Deno.readTextFile(RESULTS.md).catch(() => ""),
      await Deno.readTextFile(RESULTS.json).catch(() => ""),
      result,
    );
    await writeFileAtomic(RESULTS.md, merged.markdown);
    await writeFileAtomic(RESULTS.json, merged.json);
    console.error(`Wrote the ranking section of ${RESULTS.md} and ${RESULTS.json}`);
  }
  if (parsed.md) {
    await writeFileAtomic(parsed.md, renderRankingSection(result, { standalone: true }));
  }
  const json = JSON.stringify(result, null, 2) + "\n";
  if (parsed.json && parsed.json !== "-") await writeFileAtomic(parsed.json, json);
  if (parsed.json === "-") console.log(JSON.stringify(result));
  return result;
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(e instanceof Error ? `error: ${e.message}` : e);
    Deno.exit(1);
  }
}
