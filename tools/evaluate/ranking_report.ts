/**
 * The ranking evaluation as Markdown — one table per data set and split (the first seed's
 * rows, then the mean ± standard deviation over the seeds), the published figures beside ours,
 * how every setting was chosen, the target and the method — and its merge into the committed
 * `results/evaluation.md` and `results/evaluation.json`, which leaves the rating part of the
 * JSON exactly as it was and renders the rating report again from it (the ranking section is
 * the last section of the Markdown and the `ranking` key of the JSON).
 *
 * @module
 */

import type {
  RankingEvaluation,
  RankingFigures,
  RankingRow,
  RowSettings,
  TargetOfSeed,
} from "./ranking_evaluation.ts";
import { DEFAULT_SEED } from "../../lib/defaults.ts";
import { EASE_MAX_MOVIES } from "../../lib/eval/mod.ts";
import { type RankingRecipe, rankingRecipes } from "../../lib/models/mod.ts";
import {
  EASE_LADDER,
  EPOCH_TOLERANCE,
  KNN_GRID,
  PUBLISHED_SOURCE,
  VALIDATION_FRACTION,
  VALIDATION_SEED_OFFSET,
} from "./ranking_recipes.ts";
import { plural } from "../../lib/_validate.ts";
import { codeSpan, renderMarkdown } from "./markdown_report.ts";
import { RESULTS } from "./committed_results.ts";
import type { EvaluationResult } from "./run_evaluation.ts";

/** Whether the committed JSON holds a rating run (its report can be rendered again). */
function isRatingResult(
  value: Record<string, unknown>,
): value is Record<string, unknown> & EvaluationResult {
  return Array.isArray(value.rows) && Array.isArray(value.splits) &&
    Array.isArray(value.targets) && Array.isArray(value.seeds) && Array.isArray(value.datasets);
}

/** The heading that starts the ranking section (everything from it on is replaced on merge). */
export const RANKING_HEADING = "## Ranking: the top-10 protocol";

function fixed(v: number, digits: number, spread?: number): string {
  if (!Number.isFinite(v)) return "–";
  return spread === undefined
    ? v.toFixed(digits)
    : `${v.toFixed(digits)} ± ${spread.toFixed(digits)}`;
}

function range(v: number | [number, number]): string {
  return Array.isArray(v) ? `${v[0].toFixed(3)}–${v[1].toFixed(3)}` : v.toFixed(3);
}

function publishedCell(row: RankingRow): string {
  return row.published.map((p) => `${p.model}: ${range(p.precision)} / ${range(p.ndcg)}`)
    .join("; ") || "–";
}

function settingsText(s: RowSettings): string {
  if (s.neighbours !== undefined) return `k = ${s.neighbours}`;
  if (s.lambda !== undefined) {
    return `λ ${fixedShort(s.lambda)}, ${s.movies_modelled!.toLocaleString("en")} movies modelled`;
  }
  if (s.l2 === undefined) return "–";
  const batch = s.batch_users === undefined ? "" : `, ${s.batch_users} users per step`;
  return `${s.factors} factors${batch}, L2 ${fixedShort(s.l2_validation!)} → ${fixedShort(s.l2)}, ${
    plural(s.epochs!, "epoch")
  }`;
}

function fixedShort(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

function tableRows(rows: RankingRow[], withSpread: boolean): string[] {
  const k = "10";
  const lines = [
    `| Model | P@${k} | R@${k} | NDCG@${k} | MAP@${k} | Coverage | Popularity | Train s | Settings (chosen on validation) | Published (P@10 / NDCG@10) |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const row of rows) {
    const s = withSpread ? row.std : undefined;
    // Four decimals for the top-10 metrics, so that a figure just under a target (0.4499)
    // does not print as the target itself.
    const cell = (key: keyof RankingFigures, digits = 4) => fixed(row[key], digits, s?.[key]);
    lines.push(
      `| ${row.model} | ${cell("precision_at_10")} | ${cell("recall_at_10")} | ${
        cell("ndcg_at_10")
      } | ${cell("map_at_10")} | ${cell("coverage", 3)} | ${
        fixed(row.popularity, 0, s?.popularity)
      } | ${row.seconds.toFixed(1)} | ${row.settings.map(settingsText).join("; ")} | ${
        publishedCell(row)
      } |`,
    );
  }
  return lines;
}

function skippedText(row: RankingRow): string {
  const s = row.skipped;
  const evaluated = `${row.users.toLocaleString("en")} ${row.users === 1 ? "user" : "users"}`;
  return `${evaluated} evaluated; skipped: ${s.withoutTraining} ` +
    `with no training rating, ${s.onlyRepeats} whose test movies all repeat training ones; ` +
    `${s.withoutTest} ${s.withoutTest === 1 ? "user has" : "users have"} no test rating`;
}

/**
 * The per-split tables (what the command prints on stdout).
 *
 * @param result A ranking evaluation.
 * @returns Markdown: per data set and split, the first seed's table and the mean ± sd table.
 * @example
 * ```ts
 * import { renderRankingTables } from "./ranking_report.ts";
 * console.log(renderRankingTables({
 *   version: 1, generated: "", command: "", seeds: [42], epochs: null, k: 10, backend: "cpu",
 *   totalSeconds: 0, cpuSeconds: 0, datasets: [], splits: [], rows: [], selection: [], targets: [],
 * })); // (empty: no split ran)
 * ```
 */
export function renderRankingTables(result: RankingEvaluation): string {
  const out: string[] = [];
  for (const split of result.splits) {
    const here = result.rows.filter((r) => r.data === split.data && r.split === split.split);
    const first = here.filter((r) => r.seeds.length === 1);
    const pooled = here.filter((r) => r.seeds.length > 1);
    out.push(`### ${split.data} · ${split.split} · top 10`, "");
    out.push(
      `${split.train.toLocaleString("en")} training / ${
        split.test.toLocaleString("en")
      } test ratings; catalogue ${split.catalogue.toLocaleString("en")} movies; validation ` +
        `carve-out ${split.carve[0].toLocaleString("en")} / ${
          split.carve[1].toLocaleString("en")
        } ratings${
          split.repeated
            ? `; ${plural(split.repeated, "test rating")} ${
              split.repeated === 1 ? "repeats" : "repeat"
            } a training pair`
            : ""
        }. ${first.length ? skippedText(first[0]) : ""}.`,
      "",
    );
    if (first.length) {
      out.push(`Seed ${first[0].seeds[0]}:`, "", ...tableRows(first, false), "");
    }
    if (pooled.length) {
      out.push(
        `Mean ± standard deviation over seeds ${pooled[0].seeds.join(", ")} (each seed its own ` +
          "split, carve-out, choice of settings and initial weights):",
        "",
        ...tableRows(pooled, true),
        "",
      );
    }
  }
  return out.join("\n");
}

function selectionLines(result: RankingEvaluation): string[] {
  if (result.selection.length === 0) return [];
  const lines = [
    "Every candidate's best validation NDCG@10 (for the embeddings: over the scored epochs), " +
    "the chosen value in bold. (The target rule compares each row's validation score at " +
    "its chosen settings: for the embeddings, at the chosen epoch, which can be a little under " +
    "the curve's best.)",
    "",
    "| Data | Seed | Model | Tried | Chosen | Epochs |",
    "| --- | ---: | --- | --- | --- | ---: |",
  ];
  for (const s of result.selection) {
    const tried = s.points.map((p) => {
      const best = Math.max(...p.ndcg_at_10).toFixed(4);
      const text = `${fixedShort(p.value)}: ${best}`;
      return p.value === s.chosen ? `**${text}**` : text;
    }).join(", ");
    lines.push(
      `| ${s.data} | ${s.seed} | ${s.model} | ${s.parameter} ${tried} | ${fixedShort(s.chosen)} | ${
        s.epochs ?? "–"
      } |`,
    );
  }
  lines.push("");
  return lines;
}

function targetLines(result: RankingEvaluation): string[] {
  return result.targets.flatMap((t) => [
    `**Target** (${t.data} ${t.split}, seed ${t.seed}): P@10 ≥ ${t.targets.precision_at_10} and ` +
    `NDCG@10 ≥ ${t.targets.ndcg_at_10}. The row with the best validation NDCG@10 at its ` +
    `chosen settings${
      t.validation_ndcg_at_10 === null ? "" : ` (${t.validation_ndcg_at_10.toFixed(4)})`
    }: ${t.model}, P@10 ${t.precision_at_10.toFixed(4)}, NDCG@10 ${t.ndcg_at_10.toFixed(4)} — ${
      t.met ? "met" : "**not met**"
    }.${
      t.mean
        ? ` Over seeds ${t.mean.seeds.join(", ")}: P@10 ${
          t.mean.precision_at_10.toFixed(4)
        }, NDCG@10 ${t.mean.ndcg_at_10.toFixed(4)}.`
        : ""
    }${t.per_seed ? " " + perSeedText(t.per_seed) : ""}`,
    "",
  ]);
}

function perSeedText(seeds: TargetOfSeed[]): string {
  const met = seeds.filter((s) => s.met).length;
  return "Each seed's own row best on validation (P@10 / NDCG@10): " +
    seeds.map((s) =>
      `seed ${s.seed} ${s.model} ${s.precision_at_10.toFixed(4)} / ${s.ndcg_at_10.toFixed(4)}`
    ).join(", ") + `; both targets met on ${met} of ${seeds.length}.`;
}

/**
 * The users per step of the ranking recipes, grouped by size, for the method text.
 *
 * @param recipes The recipes.
 * @returns "64 users" when they all agree, else e.g. "32 users (softmax) or 64 (BPR and squared
 *   loss)".
 * @example
 * ```ts
 * import { rankingRecipes } from "../../lib/models/mod.ts";
 * import { batchText } from "./ranking_report.ts";
 * const { softmax, bpr } = rankingRecipes;
 * console.log(batchText({ softmax: { ...softmax, batchUsers: 32 }, bpr })); // 32 users (softmax) or 64 (BPR)
 * ```
 */
export function batchText(recipes: Record<string, RankingRecipe> = rankingRecipes): string {
  const short: Record<string, string> = { softmax: "softmax", bpr: "BPR", squared: "squared loss" };
  const groups = new Map<number, string[]>();
  for (const r of Object.values(recipes)) {
    groups.set(r.batchUsers, [...groups.get(r.batchUsers) ?? [], short[r.name] ?? r.name]);
  }
  if (groups.size === 1) return `${[...groups.keys()][0]} users`;
  return [...groups].map(([b, names], i) =>
    `${b}${i === 0 ? " users" : ""} (${names.join(" and ")})`
  ).join(" or ");
}

/**
 * What was tried, and after which test figures, before the committed run (seeds from 42): the
 * record a reader needs to weigh its figures. Fixed text, since it is history, not this run's
 * output; a run on other seeds (`--first-seed`) gets {@linkcode replicationText} instead.
 */
const HISTORY: string[] = [
  "- **While this code was written**, the ml-100k seed-42 rows ran before this run, and two" +
  " changes were tried and dropped.",
  "  - **The first figures.** The softmax row gave P@10 0.3743, NDCG@10 0.4488, just under " +
  "the target.",
  "  - **Two changes, validation only, neither adopted:** averaging the scores of 2 or 3 " +
  "softmax models trained from different seeds (validation NDCG@10 0.2896 for one model, " +
  "0.2892 and 0.2887 for the averages), and 32 factors instead of 64 (0.2875).",
  "  - **Speed.** The losses were also rewritten from a one-pass JavaScript version to " +
  "stock tfjs ops (the validation scores above are the same to four decimals).",
  "  - **A first full run** tried five-value grids of L2 (BPR up to 100 epochs) for three " +
  "losses; it was stopped for time after ml-100k's seed 42 (where it chose 0.1 for the " +
  "softmax, 0.016 for BPR and k = 400) and replaced by the ladder walk, BPR's 80 epochs and" +
  " the weighted squared loss left out of the default rows.",
  "  - **Committed then.** The rows committed with that version (softmax in batches of 64 " +
  "users) were P@10 0.3743, NDCG@10 0.4488 on seed 42 and 0.376 ± 0.003 / 0.449 ± 0.003 " +
  "over seeds 42–44.",
  "- **After those test figures were seen**, five more changes, none tried before, were " +
  "written down with a decision rule before anything ran, and scored on the validation part" +
  " only.",
  "  - **Setting.** Seed 42's carve-out, initial seeds 42, 43 and 44, L2 0.1, validation " +
  "NDCG@10 at the epoch the rule above picks, mean over the seeds; the recipe as it was: " +
  "0.2885, sd 0.0010.",
  "  - **The five changes:** the L2 neighbours of a × 1.2 ladder, 0.0833 and 0.12 (0.2839, " +
  "0.2856); the power of the count weights, 0.4 and 0.6 (0.2862, 0.2888); the learning rate" +
  " decayed linearly to a tenth over the last 20 epochs (0.2885); the best scored epoch, " +
  "scoring every epoch, instead of the first within 0.5 % (judged across seeds, the epoch " +
  "chosen on one seed's curve and read on the others': +0.0006 on average, worse for one " +
  "seed); and batches of 32 users instead of 64 for the softmax (0.2901, sd 0.0003; " +
  "+0.0003, +0.0020 and +0.0025 on the three seeds).",
  "  - **The rule** adopted a change only if its mean gain exceeded the seed-to-seed sd and" +
  " it won on every seed. Only the 32-user batches passed; they were adopted for the " +
  "softmax on both data sets (scored on ml-100k's validation part only).",
  "  - **Their test figures.** The softmax figures here are their first test figures (on " +
  "ml-100k, seed 42: P@10 0.3754, NDCG@10 0.4499; seeds 42–44: 0.376 ± 0.003 / 0.449 ± " +
  "0.002).",
  "  - **Weak evidence.** With seven variants tried, a gain of 1.6 sd is weak evidence, and" +
  " ml-latest-small's validation part, which took no part in the choice, disagrees: there " +
  "the softmax's best validation NDCG@10 fell from 0.2313 with 64-user batches to 0.2262 " +
  "with 32. Nothing was changed after these test figures were seen.",
  "- **Later, with every figure above seen**, three more studies were written down with " +
  "their rules before anything ran, and scored on validation parts only.",
  "  - **(1) EASE joined as a row**, its λ chosen on the ladder above, to be kept whatever " +
  "its test figure; and the row judged against the target became the seed-42 row with the " +
  "best validation NDCG@10, no longer the one with the best test NDCG@10 (picking among " +
  "test figures was itself a choice on the test part; both rules pick the softmax here). On" +
  " ml-100k's carve-out of split 42, EASE's best λ, 400, scored 0.2810 against the " +
  "softmax's 0.2899.",
  "  - **(2) A blend of the two**, each user's scores standardised over their candidates " +
  "and mixed as (1 − α) · softmax + α · EASE with α ∈ {0.25, 0.5, 0.75}, on the carve-outs " +
  "of splits 42, 43 and 44, to be adopted if it won on every split by more than 0.002 on " +
  "average: every blend lost on every split (α 0.25: −0.0032 on average).",
  "  - **(3) A grid** of the softmax's factors {32, 64, 128} × learning rates {2.5e-3, " +
  "5e-3, 1e-2} × L2 {0.0714, 0.1, 0.14} (81 runs on the same three carve-outs, each at the " +
  "epoch the rule above picks), to replace the recipe's 64 factors and 5e-3 only if the " +
  "best cell won on every split by more than the gains' sd: L2 0.1 was best in every cell, " +
  "and the best cell, 128 factors at 2.5e-3, scored 0.2891 against the recipe's 0.2886 " +
  "(+0.0008, +0.0015, −0.0008), so nothing was adopted.",
  "  - **Outcome.** The softmax's rows are therefore those of the recipe as it was before " +
  "these studies; only the EASE row is new.",
  "- **Next, with every figure above seen**, two more things were written down before they " +
  "ran.",
  "  - **(4) A softmax whose normaliser for a watched movie leaves out the user's other " +
  "watched movies** (the protocol ranks a held-out movie against unwatched ones only), with" +
  " its own L2 ladder, to be adopted only if it won on each of five carve-outs (splits " +
  "42–46) by more than the gains' sd: on split 42's carve-out it scored 0.2808 (L2 0.14, " +
  "best at 25 epochs) against the recipe's 0.2899, so the rule failed on the first split " +
  "and the other four did not run.",
  "  - **(5) A replication with nothing changed**, on five splits that no committed run or " +
  "recorded study had used, seeds 45–49 (`deno task evaluate --task ranking --data ml-100k " +
  "--split random80 --first-seed 45 --seeds 5`, committed then as " +
  "`results/ranking_replication.md` and `.json`, which now hold the ten-split run below, " +
  "its seeds 45–49 repeating this one to the last digit).",
  "  - **Its figures.** The softmax was the row best on validation on each of them, at " +
  "NDCG@10 0.449 ± 0.005 and P@10 0.373 ± 0.004 on their test parts, both targets met on 2 " +
  "of the 5. Over the eight splits 42–49 its mean NDCG@10 is 0.4493 and both targets are " +
  "met on 3 (seeds 43, 46, 47): the target sits 0.0007 above the recipe's mean, well inside" +
  " the spread from split to split (sd 0.004).",
  "- **After the replication**, EASE's inverse ran on every core (native code beside tfjs, " +
  "which itself runs one thread), which made the whole watched catalogue affordable for " +
  "EASE.",
  "  - **Written down before this run:** the cap on the movies it models, a compute budget " +
  "of 2,500, became 10,000 (every watched movie of both data sets), its test figures to be " +
  "reported whatever they were.",
  "  - **Measured first** on the carve-out of ml-latest-small's split 42 at λ 200: 0.2324 " +
  "against 0.2290 (a fifth of the relevant validation movies had lain outside the 2,500).",
  "  - **In this run** the carve-outs of splits 43 and 44 gave 0.2181 and 0.2352 against " +
  "0.2183 and 0.2359 with the cap, and ml-latest-small's EASE test NDCG@10 went from 0.370 " +
  "± 0.004 to 0.366 ± 0.009 over seeds 42–44: modelling the long tail bought nothing here.",
  "  - **It stays**, since EASE is defined on the whole catalogue and its row no longer " +
  "depends on a compute budget; ml-100k's rows, where the cap never bound, are unchanged.",
  "- **Then** two more studies, each written down with its rule before it ran and scored on" +
  " validation parts only, each to join as a row only if it beat the softmax on each " +
  "carve-out of splits 42–46 by more than the gains' sd.",
  "  - **(6) The mean score of five softmax models** that differ only in their initial seed" +
  " (at the L2 and epochs the softmax row chose; the first is that row's own model; the " +
  "early look above had averaged 2 or 3 models on one carve-out): validation NDCG@10 gains " +
  "+0.0009, +0.0009, −0.0008, +0.0022 and +0.0014 (mean 0.0009, sd 0.0011), so the spread " +
  "from one random start to another is not what holds the softmax under the target.",
  "  - **(7) A model family not tried before**, a denoising autoencoder with a multinomial " +
  "likelihood (Mult-DAE, Liang et al. 2018), which trains what the protocol asks, the whole" +
  " history from a thinned copy of it: settings fixed in advance (the input normalised with" +
  " dropout 0.5, 200 tanh units, a linear decoder with a bias, a softmax over the " +
  "catalogue, L2 λ on the weights from a ladder starting at 0.01, Adam 1e-3, 64 users per " +
  "step, up to 300 epochs); it scored 0.2838 against 0.2899 on split 42's carve-out and " +
  "0.2793 against 0.2850 on split 43's, so the rule failed and the other splits did not " +
  "run.",
  "  - **Outcome.** Neither was adopted; no row changed. `bench/ranking_studies.ts` reruns " +
  "studies (2), (3), (4), (6) and (7) as they were written down (and (8), below).",
  "- **Then**, written down before it ran: the replication extended to splits 45–54 with " +
  "nothing changed.",
  "  - **The run.** `--first-seed 45 --seeds 10`, `results/ranking_replication.md` and " +
  "`.json`; splits 45–49 gave the first replication's figures again to the last digit. The " +
  "softmax was the row best on validation on every split.",
  "  - **The five new splits (50–54):** its test NDCG@10 was 0.4527, 0.4545, 0.4477, 0.4441" +
  " and 0.4615 (0.452 ± 0.007) and P@10 0.377 ± 0.004, both targets met on 3 of the 5.",
  "  - **Over the thirteen splits 42–54:** NDCG@10 0.4504 ± 0.0051 (standard error 0.0014) " +
  "and P@10 0.3755 ± 0.0041; P@10 ≥ 0.37 on all thirteen, NDCG@10 ≥ 0.45 on 6 (seeds 43, " +
  "46, 47, 50, 51, 54, which meet both), and above the best published figure (0.440) on " +
  "every one. The recipe's mean sits at the target; seed 42's 0.4499 is a typical draw.",
  "- **After that**, one more study, written down with its rule before it ran and scored on" +
  " validation parts only.",
  "  - **(8) A learning-rate cooldown after the chosen epoch** (the decay tried above, to a" +
  " tenth over the last 20 epochs of a run, gained nothing): the chosen softmax continued " +
  "for 10 epochs past the rule's epoch with Adam's rate falling linearly towards zero " +
  "(epoch j at 5e-3 · (11 − j) / 11), to be adopted only if it beat the recipe on each " +
  "carve-out of splits 42–46 by more than the gains' sd.",
  "  - **Gains** −0.0024, −0.0002, −0.0021, +0.0013 and +0.0008 (mean −0.0005, sd 0.0017): " +
  "not adopted.",
  "  - **Against the same 10 epochs at a constant rate** (reported, not judged) the decay " +
  "won on 3 splits of 5 (+0.0011 on average); the epochs past the rule's choice cost more " +
  "than it gave back. No row changed; `bench/ranking_studies.ts cooldown` reruns it.",
];

/** The method's last word for a run on other seeds than the committed run's. */
function replicationText(result: RankingEvaluation): string {
  const seeds = result.seeds.length > 1
    ? `seeds ${result.seeds[0]}–${result.seeds.at(-1)}`
    : `seed ${result.seeds[0]}`;
  return `- **A replication.** These splits (${seeds}) shaped nothing of the recipe: each chose ` +
    "its settings on its own carve-out by the rules above, and the models, recipes, ladders " +
    `and rules are those of the committed run on the splits from seed ${DEFAULT_SEED} ` +
    "(`results/evaluation.md`, whose ranking section says what was tried and adopted after " +
    "which test figures); only the seeds differ. The test parts of the committed splits " +
    `(seeds ${DEFAULT_SEED}–${DEFAULT_SEED + 2}) were seen while the recipe took its shape. ` +
    "Those of other splits shaped nothing: the first replication (seeds 45–49) changed " +
    "nothing, and the studies after it scored only validation parts carved out of training " +
    "parts.";
}

function methodLines(result: RankingEvaluation): string[] {
  const r = rankingRecipes;
  const ladder = (name: keyof typeof r) =>
    `from ${r[name].l2Start} in steps of × ${r[name].l2Step} (at most ${r[name].l2MaxTries})`;
  return [
    "How the ranking rows are made:",
    "",
    "- **Protocol.** Every rating is a positive, whatever its stars; every test movie of a user " +
    "is relevant; the movies a user rated in training are never recommended to them; the list is " +
    "the 10 best-scored movies of the whole catalogue (every movie of the data set, so a movie " +
    "seen only in the test part is a candidate too); precision, recall, NDCG (binary gains, " +
    "ideal over min(relevant, 10)) and MAP at 10 (P@10, R@10, NDCG@10, MAP@10: precision, " +
    "recall, normalised discounted cumulative gain and mean average precision of the top 10) " +
    "are means over the users with a test movie " +
    "and a training rating. Users without a training rating, users whose test movies all " +
    "repeat training ones, and users without a test movie are not averaged over and are " +
    "counted above the tables. Coverage is the share of the catalogue in some top 10; " +
    "popularity the mean number of training ratings of the recommended movies.",
    "- **Models.** Most popular ranks by training ratings. Item-kNN scores a candidate by the " +
    "sum of its cosine similarities (binary user × movie matrix) to the movies the user " +
    "watched, among the candidate's k most similar movies. EASE (Steck 2019) regresses each " +
    "movie's column of the binary training matrix on every other movie's, with an L2 penalty " +
    "λ and no movie predicting itself; the closed form is B = I − P · diag(1 / diag P), P = " +
    "(XᵀX + λI)⁻¹, and a user's score for a movie is the sum of its weights from the movies " +
    "they watched (every movie with a training rating is modelled, up to the " +
    `${EASE_MAX_MOVIES.toLocaleString("en")} most-watched, since the inverse is dense: the ` +
    "whole watched catalogue of both data sets here; movies without a training rating rank " +
    "below them). The embedding rows are one " +
    "model written as tfjs code — user and movie tables N(0, 0.1²), a movie bias, the score " +
    "their dot product plus the bias — trained by the engine's ranking loop on batches of " +
    `${batchText()} with every catalogue movie scored at once: a softmax over the catalogue, BPR ` +
    "against 16 uniformly drawn negatives per positive, or a weighted squared loss (positives " +
    "to 1, every score to 0 with weight 0.3); plus L2 on the factor rows weighted by " +
    "√(count / mean count); Adam with a constant rate (softmax and squared 5e-3, BPR 1e-2).",
    `- **Published figures.** ${PUBLISHED_SOURCE}`,
    `- **Choosing the settings, never on the test part.** ${
      VALIDATION_FRACTION * 100
    } % of each training part, drawn at random (seed + ${VALIDATION_SEED_OFFSET}), is a ` +
    "validation task scored with the same protocol; the other " +
    `${100 - VALIDATION_FRACTION * 100} % trains. Item-kNN tries k ∈ {${KNN_GRID.join(", ")}}. ` +
    `EASE walks a ladder of λ from ${EASE_LADDER.start} in steps of × ${EASE_LADDER.step} (at ` +
    `most ${EASE_LADDER.maxTries}), as the L2 ladders below, and keeps its λ for the final ` +
    "model (its loss is a sum over users, so the same prior keeps the same penalty). " +
    `Each embedding model walks a ladder of L2 strengths — ${ladder("softmax")} for the ` +
    `softmax, ${ladder("bpr")} for BPR (and ${ladder("squared")} for the squared loss when ` +
    "it runs) — trying the start and both neighbours, then stepping on towards the better " +
    "side while the validation score improves. Each try trains up to " +
    `${r.softmax.maxEpochs} epochs (squared: ${r.squared.maxEpochs}), scoring the validation ` +
    `task every ${r.softmax.evalEvery}; the best strength wins, and the epochs are the first ` +
    `scored epoch within ${EPOCH_TOLERANCE * 100} % of its best. The model is then retrained ` +
    "on the whole " +
    "training part for those epochs with the L2 strength scaled by the carve-out's share of " +
    "the training part (× 0.8: the losses are means per positive, so the same prior needs a " +
    "penalty that shrinks as 1/n). Each seed chooses its own settings.",
    "- **What was seen before.** The model family, the count-weighted L2, the learning rates, " +
    "the factors, the negatives and these ladders come from the project's research for this " +
    "protocol, which tuned them on validation tasks of ml-100k and ml-latest-small built the same " +
    "way. That research also saw test figures: its first test run used the L2 strength chosen " +
    "on validation unscaled and fell short of the target; only then was the × 0.8 rule " +
    "examined, with a nested split inside a training part (the best strength moved from 0.13 " +
    "at 51 % of the data to 0.10 at 64 %, as a penalty shrinking with 1/n predicts), and " +
    "applied. The rule is built in here from the start, but it was adopted after a test figure " +
    "was seen, so these test figures are not untouched by the test part.",
    ...(result.seeds[0] === DEFAULT_SEED ? HISTORY : [replicationText(result)]),
    `- ${
      result.seeds.length > 1
        ? `Seeds ${result.seeds.join(", ")}: a seed sets the split, the carve-out, the ` +
          "initial weights, the user shuffles and the negatives."
        : `One seed (${result.seeds[0]}); \`--seeds 3\` adds the mean ± sd over seeds ${
          result.seeds[0]
        }–${result.seeds[0] + 2}.`
    } Backend: tfjs ${result.backend}. Total time ${result.totalSeconds.toFixed(0)} s wall clock, ${
      result.cpuSeconds.toFixed(0)
    } s CPU (${codeSpan(result.command)}).`,
    "",
  ];
}

/**
 * The whole ranking section of `results/evaluation.md`, or (standalone) the Markdown file of a
 * run that writes its own (`--md`).
 *
 * @param result A ranking evaluation.
 * @param options `standalone`: a file of its own (a top-level heading; it points to the rating
 *   tables and the run's JSON instead of the sections around it). Default false. `json`: with
 *   `standalone`, the JSON file the run wrote beside it, as a path from its folder, or null
 *   (the default) when it wrote none, and the file names none.
 * @returns Markdown starting with {@linkcode RANKING_HEADING}.
 * @example
 * ```ts
 * import { RANKING_HEADING, renderRankingSection } from "./ranking_report.ts";
 * const md = renderRankingSection({
 *   version: 1, generated: "2024-01-01T00:00:00Z", command: "deno task evaluate --task ranking",
 *   seeds: [42], epochs: null, k: 10, backend: "cpu", totalSeconds: 1, cpuSeconds: 1,
 *   datasets: [], splits: [], rows: [], selection: [], targets: [],
 * });
 * console.log(md.startsWith(RANKING_HEADING)); // true
 * ```
 */
export function renderRankingSection(
  result: RankingEvaluation,
  options: { standalone?: boolean; json?: string | null } = {},
): string {
  const data = result.datasets.map((d) =>
    `${d.name} (${d.ratings.toLocaleString("en")} ratings, ${d.users.toLocaleString("en")} users, ${
      d.movies.toLocaleString("en")
    } movies)`
  ).join("; ");
  const alone = options.standalone ?? false;
  return [
    alone ? RANKING_HEADING.replace(/^## /, "# ") : RANKING_HEADING,
    "",
    `Generated by ${codeSpan(result.command)} on ${result.generated.slice(0, 10)}${
      result.epochs !== null
        ? ` with every embedding run cut to ${plural(result.epochs, "epoch")}`
        : ""
    }. Data: ${data || "none"}.${
      !alone
        ? ' In `evaluation.json` these rows are under the `ranking` key, each with `task: "ranking"`.'
        : options.json
        ? ` In the run's JSON, ${codeSpan(options.json)}, these rows are under \`rows\`, each ` +
          'with `task: "ranking"`.'
        : ""
    }`,
    "",
    `The rating tables ${
      alone ? "of `results/evaluation.md`" : "above"
    } rank movies by predicted stars, on test ratings of 4 stars or more. Here a ` +
    "model is judged the way recommender libraries publish ml-100k figures: on implicit " +
    "feedback, against every test movie, over the whole catalogue.",
    "",
    "In the tables: P@10, R@10, NDCG@10 and MAP@10 are the precision, recall, normalised " +
    "discounted cumulative gain and mean average precision of each user's top 10 (every test " +
    "movie relevant); coverage is the share of the catalogue in some user's top 10; popularity " +
    "the mean number of training ratings of the recommended movies. The validation carve-out " +
    "is a random 20 % of each training part, set aside to choose the settings (details under " +
    '"How the ranking rows are made").',
    "",
    renderRankingTables(result),
    ...targetLines(result),
    "### How the settings were chosen",
    "",
    ...selectionLines(result),
    ...methodLines(result),
  ].join("\n");
}

/**
 * Puts a ranking evaluation into the committed files' text: the JSON gets (or replaces) its
 * `ranking` key and keeps every other key and byte; the Markdown gets the new section at the
 * end, after the rating report rendered again from the JSON (its "At a glance" names the
 * ranking rows), or, when the JSON holds no rating run, after everything before the ranking
 * heading as it was.
 *
 * @param markdown The current `evaluation.md` (or "").
 * @param json The current `evaluation.json` text (or "").
 * @param result The ranking evaluation.
 * @returns The new texts.
 * @example
 * ```ts
 * import { mergeRanking } from "./ranking_report.ts";
 * const result = {
 *   version: 1 as const, generated: "2024-01-01T00:00:00Z", command: "x", seeds: [42], epochs: null,
 *   k: 10, backend: "cpu", totalSeconds: 1, cpuSeconds: 1, datasets: [], splits: [], rows: [],
 *   selection: [], targets: [],
 * };
 * const merged = mergeRanking("# Evaluation\n\ntext\n", '{\n  "version": 1\n}\n', result);
 * console.log(merged.markdown.startsWith("# Evaluation\n\ntext\n\n## Ranking")); // true
 * console.log(JSON.parse(merged.json).version); // 1
 * ```
 */
export function mergeRanking(
  markdown: string,
  json: string,
  result: RankingEvaluation,
): { markdown: string; json: string } {
  let parsed: Record<string, unknown> = {};
  if (json.trim() !== "") {
    parsed = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new TypeError("mergeRanking(): expected the evaluation JSON to hold an object");
    }
  }
  const at = markdown.indexOf(`\n${RANKING_HEADING}\n`);
  const section = renderRankingSection(result);
  // The rating report's "At a glance" names the ranking task's best rows: when the JSON holds
  // the rating run, its report is rendered again beside the new section, else kept as it was.
  const rating = isRatingResult(parsed)
    ? renderMarkdown(parsed, { json: RESULTS.json.replace(/^results\//, ""), ranking: result })
    : (at >= 0 ? markdown.slice(0, at + 1) : markdown).replace(/\n*$/, "\n");
  const md = rating.trim() === "" ? section : `${rating}\n${section}`;
  parsed.ranking = result;
  return { markdown: md, json: JSON.stringify(parsed, null, 2) + "\n" };
}

/**
 * The ranking section to keep when the rating evaluation rewrites the committed files: the
 * `ranking` key of the current JSON rendered again, or "" when there is none.
 *
 * @param json The current `evaluation.json` text (or "").
 * @returns The section (with a leading blank line) and the object, or "" and null.
 * @example
 * ```ts
 * import { keptRanking } from "./ranking_report.ts";
 * console.log(keptRanking('{"version": 1}').section); // ""
 * ```
 */
export function keptRanking(json: string): { section: string; ranking: RankingEvaluation | null } {
  if (json.trim() === "") return { section: "", ranking: null };
  let parsed: { ranking?: RankingEvaluation };
  try {
    parsed = JSON.parse(json);
  } catch {
    return { section: "", ranking: null };
  }
  if (!parsed || typeof parsed !== "object" || !parsed.ranking) {
    return { section: "", ranking: null };
  }
  return { section: "\n" + renderRankingSection(parsed.ranking), ranking: parsed.ranking };
}
