/**
 * The evaluation behind `deno task evaluate` (issue 7): the tutorials' models, the baselines
 * and ours, trained on the tutorials' splits and scored side by side with the figures the
 * tutorials and the literature report. Named splits (`makeSplit`), the plan of rows
 * (`DEFAULT_PLAN`, `rowsFor`), the reported figures and targets (`REPORTED`, `TARGETS`), our
 * blended ensemble (`trainOurs`), ranking of any predictor (`rankingOf`), the runner
 * (`runEvaluation`), Markdown rendering (`renderMarkdown`) and the command line (`main`).
 *
 * ```ts ignore
 * import { renderTables, runEvaluation } from "./mod.ts";
 * const result = await runEvaluation({ data: "ml-100k", split: "u1" });
 * console.log(renderTables(result));
 * ```
 *
 * @module
 */

export * from "./blend.ts";
export * from "./splits.ts";
export * from "./reported.ts";
export * from "./plan.ts";
export * from "./ranking.ts";
export * from "./ours.ts";
export * from "./run.ts";
export * from "./table.ts";
export * from "./cli.ts";
