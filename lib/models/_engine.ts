/**
 * Private: the one import point of the training engine (`lib/train/`) for the models library.
 *
 * @module
 */

export { fit, type History, predictOutputs } from "../train/fit.ts";
export type {
  EarlyStoppingOptions,
  FitOptions,
  KeepBestWeightsOptions,
} from "../train/fit_options.ts";
export { checkMonitorOptions } from "../train/_monitor.ts";
export { collectPenalties, type PenaltyTerm } from "../train/_penalties.ts";
export { scheduleFrom } from "../train/schedule.ts";
export { setTrainedEpochs, trainedEpochs } from "../train/fit.ts";
export { checkVerbosity, type Verbosity } from "../train/progress.ts";
export { releaseKernelContexts } from "../train/kernels/dot_bias.ts";
export {
  checkUsable,
  DIVERGED_ADVICE,
  DivergedModelError,
  largestWeight,
} from "../train/health.ts";
