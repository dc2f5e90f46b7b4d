/**
 * Private: the one import point of the training engine (`lib/train/`) for the models library.
 * Every module of lib/models takes what it needs from lib/train through this file, so that it
 * lists what the models depend on in the engine (lib/train imports nothing of lib/models).
 * Code examples in the docs import lib/train's public modules instead, as a user does.
 *
 * @module
 */

// The training loop, its options and the epoch count a trained model carries.
export {
  fit,
  type History,
  predictOutputs,
  setTrainedEpochs,
  trainedEpochs,
} from "../train/fit.ts";
export type {
  EarlyStoppingOptions,
  FitOptions,
  KeepBestWeightsOptions,
} from "../train/fit_options.ts";
export { checkMonitorOptions } from "../train/_monitor.ts";
export { collectPenalties, type PenaltyTerm } from "../train/_penalties.ts";
export { checkSchedule, scheduleFrom, type ScheduleSpec } from "../train/schedule.ts";
export { checkVerbosity, type Verbosity } from "../train/progress.ts";
export { checkBackend } from "../train/_backend_state.ts";

// Optimizers and the fused dot-product kernel.
export { adam, FusedAdam, fusedAdamFor } from "../train/optimizer.ts";
export { compiledRate, useFusedAdam } from "../train/_compiled_rate.ts";
export { dotBias, releaseKernelContexts } from "../train/kernels/dot_bias.ts";

// A trained model's health.
export {
  checkUsable,
  DIVERGED_ADVICE,
  DivergedModelError,
  largestWeight,
} from "../train/health.ts";

// The ranking loop and its losses.
export {
  catalogueScores,
  fitRanking,
  type RankingLoss,
  rankingNumbers,
  type RankingPenalty,
  type RankingTables,
} from "../train/ranking.ts";
export { bprLoss, softmaxLoss, weightedSquaredLoss } from "../train/ranking_losses.ts";
export { RANKING_LOOP_OPTIONS } from "../train/_ranking_options.ts";
