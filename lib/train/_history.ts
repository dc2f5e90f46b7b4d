/**
 * The record of a training run (`History`, as Keras returns it, plus timings and the best
 * epoch), how it grows epoch by epoch, and the one-line summary shown when a run ends.
 *
 * @module
 */

import type { TrainingWarning } from "./_explosion.ts";
import { formatDuration, formatValue } from "./progress.ts";

export type { TrainingWarning } from "./_explosion.ts";

/** What `fit` returns: Keras' `History` plus timings and the best epoch. */
export interface History {
  /** Absolute epoch of every entry, counted from 1 as Keras prints them (`initialEpoch + 1`, …). */
  epoch: number[];
  /** Per-epoch figures: `loss`, metrics, `val_loss`, `val_<metric>`. */
  history: Record<string, number[]>;
  /** Wall-clock seconds of every epoch, validation included. */
  seconds: number[];
  /** Seconds of every epoch's training steps alone (what samples/s is measured on). */
  trainSeconds: number[];
  /**
   * CPU seconds this process spent on every epoch's training steps (all its threads): unlike
   * wall time, hardly affected by other programs competing for the CPU.
   */
  trainCpuSeconds: number[];
  /** Learning rate at the end of every epoch. */
  learningRate: number[];
  /** Key that decided the best epoch (`keepBestWeights` first, then `earlyStopping`), or null. */
  monitor: string | null;
  /** Absolute epoch (from 1) with the best monitored value, or `null` without a monitor. */
  bestEpoch: number | null;
  /** The best monitored value, or `null`. */
  bestValue: number | null;
  /**
   * Absolute epoch (from 1) at which early stopping fired, or `null`; as in Keras, also set when
   * it fires at the last allowed epoch.
   */
  stoppedEpoch: number | null;
  /** Whether the model now holds the best epoch's weights (restored at the end). */
  restoredBestWeights: boolean;
  /**
   * What went wrong without stopping the run, e.g. a loss that exploded by orders of magnitude
   * without becoming NaN (also shown in the progress line); empty for a healthy run.
   */
  warnings: TrainingWarning[];
  /** Sizes of the run. */
  params: {
    epochs: number;
    batchSize: number;
    samples: number;
    validationSamples: number;
    stepsPerEpoch: number;
    /** Epochs the model had run before this call (the first epoch here is this + 1). */
    initialEpoch: number;
  };
}

/** One finished epoch, as the loop measured it. */
export interface EpochRecord {
  /** Absolute 1-based epoch. */
  epoch: number;
  /** Its logs (`loss`, metrics, `val_…`). */
  logs: Record<string, number>;
  /** Wall seconds including validation. */
  seconds: number;
  /** Wall seconds of the training steps. */
  trainSeconds: number;
  /** CPU seconds of the training steps. */
  trainCpuSeconds: number;
  /** Learning rate at the end of the epoch. */
  learningRate: number;
}

/**
 * An empty history for a run reporting `keys`.
 *
 * @param keys Keys of the epoch logs.
 * @param params Sizes of the run.
 * @param monitor The key that decides the best epoch, or null.
 * @returns The history.
 */
export function emptyHistory(
  keys: string[],
  params: History["params"],
  monitor: string | null,
): History {
  return {
    epoch: [],
    history: Object.fromEntries(keys.map((k) => [k, [] as number[]])),
    seconds: [],
    trainSeconds: [],
    trainCpuSeconds: [],
    learningRate: [],
    monitor,
    bestEpoch: null,
    bestValue: null,
    stoppedEpoch: null,
    restoredBestWeights: false,
    warnings: [],
    params,
  };
}

/** Appends one epoch to `history`. */
export function recordEpoch(history: History, record: EpochRecord): void {
  history.epoch.push(record.epoch);
  for (const k of Object.keys(history.history)) history.history[k].push(record.logs[k]);
  history.seconds.push(record.seconds);
  history.trainSeconds.push(record.trainSeconds);
  history.trainCpuSeconds.push(record.trainCpuSeconds);
  history.learningRate.push(record.learningRate);
}

/**
 * The line shown when a run ends: notes first (`continuing from epoch 30`), then epochs and
 * time, speed, the last value of every key, the best epoch, and how it ended.
 *
 * @param history The run's history.
 * @param notes Notes on the run.
 * @param seconds Wall seconds of the whole call.
 * @param failed Whether an error ended it (`"interrupted"`: Kernel › Interrupt did).
 * @returns The line.
 */
export function summaryLine(
  history: History,
  notes: string[],
  seconds: number,
  failed: boolean | "interrupted",
): string {
  const ran = history.epoch.length;
  const parts = [...notes, `${ran} epoch${ran === 1 ? "" : "s"} in ${formatDuration(seconds)}`];
  const trainTime = history.trainSeconds.reduce((a, b) => a + b, 0);
  if (trainTime > 0) {
    const rate = Math.round((ran * history.params.samples) / trainTime);
    parts.push(`${rate.toLocaleString("en-US")} samples/s`);
  }
  for (const [k, series] of Object.entries(history.history)) {
    if (series.length > 0) parts.push(`${k} ${formatValue(series[series.length - 1])}`);
  }
  if (history.bestEpoch !== null && history.monitor) {
    parts.push(
      `best ${history.monitor} ${formatValue(history.bestValue!)} at epoch ${history.bestEpoch}${
        history.restoredBestWeights ? " (restored)" : ""
      }`,
    );
  }
  if (stoppedEarly(history)) parts.push("stopped early");
  for (const w of history.warnings) parts.push(warningTag(w));
  if (failed) parts.push(failed === "interrupted" ? failed : "failed");
  return parts.join(" · ");
}

/**
 * Whether early stopping ended the run before its epoch limit. Early stopping may also fire at
 * the last allowed epoch (Keras records that epoch too); the run then ended at its limit, and the
 * summary line does not call it stopped early.
 */
function stoppedEarly(history: History): boolean {
  const limit = history.params.initialEpoch + history.params.epochs;
  return history.stoppedEpoch !== null && history.stoppedEpoch < limit;
}

/** The short form of a warning for the progress and summary lines. */
export function warningTag(warning: TrainingWarning): string {
  return `⚠ loss exploded in epoch ${warning.epoch}`;
}
