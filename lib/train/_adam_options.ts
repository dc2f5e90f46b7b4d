// The names of Adam's options (private to lib/train), shared by adam() and scheduledAdam(),
// which refuse any other name.

import type { AdamOptions } from "./optimizer.ts";

/** Every option of `adam()` and `scheduledAdam()` (the type makes the list complete). */
const ADAM_OPTIONS: Record<keyof AdamOptions, true> = {
  learningRate: true,
  beta1: true,
  beta2: true,
  epsilon: true,
  weightDecay: true,
  decay: true,
  epsilonHat: true,
};

/** The names {@linkcode ADAM_OPTIONS} lists. */
export const ADAM_OPTION_NAMES: readonly string[] = Object.keys(ADAM_OPTIONS);
