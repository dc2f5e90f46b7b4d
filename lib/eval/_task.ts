/**
 * The check every consumer of a {@linkcode RankingTask} makes first (private to lib/eval), so
 * that a wrong argument is named rather than failing inside on a missing field.
 *
 * @module
 */

import { describe } from "../_validate.ts";
import type { RankingTask } from "./ranking_protocol.ts";

/** Throws a TypeError naming `who` unless `task` looks like a {@linkcode RankingTask}. */
export function checkTask(task: RankingTask, who: string): void {
  if (
    typeof task !== "object" || task === null || !("train" in task) || !("movies" in task) ||
    !("users" in task) || !("evaluated" in task)
  ) {
    throw new TypeError(`${who}: expected a RankingTask (rankingTask()), found ${describe(task)}`);
  }
}
