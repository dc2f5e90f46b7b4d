/**
 * Training progress as one live line: `epoch 3/30 · batch 412/800 · loss 0.8123 · val_loss
 * 0.8456 · 152,300 samples/s · ETA 0:12`. Inside the Deno Jupyter kernel the line is one
 * output updated in place (`update_display_data`); in a terminal it is one stderr line
 * rewritten with `\r`; in tests, pipes and CI logs it is silent unless asked for.
 *
 * The line itself is drawn by {@linkcode liveDisplay} from `lib/notebook`; this module decides
 * what it says and how often it changes, and costs one clock read per training step.
 *
 * @module
 */

import { found } from "../_describe.ts";
import { inJupyter } from "../notebook/display.ts";
import { checkOptionKeys } from "../_options.ts";
import { type LiveDisplay, liveDisplay, type LiveMode } from "../notebook/live.ts";

/**
 * How much `fit` reports:
 * - `0`: nothing;
 * - `1`: the live line, wherever the code runs (in a non-terminal, non-Jupyter process it
 *   becomes a full stderr line every 10 s);
 * - `2`: one stderr line per epoch, like Keras' `verbose=2`;
 * - `"auto"`: the live line inside Jupyter or when stderr is a terminal, nothing otherwise
 *   (so tests, pipes and benchmarks stay quiet).
 */
export type Verbosity = 0 | 1 | 2 | "auto";

/**
 * Checks a {@linkcode Verbosity}, naming the function it was given to.
 *
 * @param value The value to check.
 * @param who The function whose option it is, e.g. `"train()"`.
 * @returns The value, typed.
 * @throws {TypeError} When it is not 0, 1, 2 or `"auto"`.
 * @example
 * ```ts
 * import { checkVerbosity } from "./progress.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(checkVerbosity(2, "train()"), 2);
 * assertThrows(
 *   () => checkVerbosity("loud", "train()"),
 *   TypeError,
 *   'train(): expected verbose 0, 1, 2 or "auto", found string loud',
 * );
 * ```
 */
export function checkVerbosity(value: unknown, who: string): Verbosity {
  if (!([0, 1, 2, "auto"] as unknown[]).includes(value)) {
    throw new TypeError(`${who}: expected verbose 0, 1, 2 or "auto", found ${found(value)}`);
  }
  return value as Verbosity;
}

/** What the progress line shows at one moment. */
export interface ProgressSnapshot {
  /** Current epoch, absolute, counted from 1. */
  epoch: number;
  /** Epochs in this call. */
  epochs: number;
  /** Batches finished in the current epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Running figures of the current epoch (`loss`, `mae`, …). */
  logs: Record<string, number>;
  /** Figures of the last finished epoch's validation (`val_loss`, …), if any. */
  validation?: Record<string, number>;
  /** Training samples per second so far in this call. */
  samplesPerSecond: number;
  /** Estimated seconds left in this call, or `NaN` when unknown. */
  etaSeconds: number;
}

/**
 * Formats a duration as `m:ss` (or `h:mm:ss` from one hour on).
 *
 * @param seconds A non-negative number of seconds; `NaN` or infinity gives `"?"`.
 * @returns The duration, rounded to whole seconds.
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(formatDuration(75), "1:15");
 * assertEquals(formatDuration(3725), "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (v: number) => String(v).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

/**
 * Formats a loss or metric value with four significant decimals (`0.8123`, `12.35`, `NaN`).
 *
 * @param value The number.
 * @returns Its short text form.
 * @example
 * ```ts
 * import { formatValue } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(formatValue(0.812345), "0.8123");
 * ```
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(3);
  return value.toFixed(a >= 100 ? 1 : a >= 10 ? 3 : 4);
}

function formatLogs(logs: Record<string, number> | undefined): string[] {
  if (!logs) return [];
  return Object.entries(logs).map(([k, v]) => `${k} ${formatValue(v)}`);
}

const thousands = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * The text of the live progress line.
 *
 * @param s What to show.
 * @returns One line, e.g. `epoch 3/30 · batch 412/800 · loss 0.8123 · val_loss 0.8456 ·
 *   152,300 samples/s · ETA 0:12`.
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 * const line = formatProgress({
 *   epoch: 3, epochs: 30, batch: 412, batches: 800, logs: { loss: 0.81234 },
 *   validation: { val_loss: 0.8456 }, samplesPerSecond: 152300, etaSeconds: 12,
 * });
 * assertEquals(
 *   line,
 *   "epoch 3/30 · batch 412/800 · loss 0.8123 · val_loss 0.8456 · 152,300 samples/s · ETA 0:12",
 * );
 * // epoch 3/30 · batch 412/800 · loss 0.8123 · val_loss 0.8456 · 152,300 samples/s · ETA 0:12
 * ```
 */
export function formatProgress(s: ProgressSnapshot): string {
  const parts = [`epoch ${s.epoch}/${s.epochs}`, `batch ${s.batch}/${s.batches}`];
  parts.push(...formatLogs(s.logs), ...formatLogs(s.validation));
  if (Number.isFinite(s.samplesPerSecond) && s.samplesPerSecond > 0) {
    parts.push(`${thousands.format(s.samplesPerSecond)} samples/s`);
  }
  parts.push(`ETA ${formatDuration(s.etaSeconds)}`);
  return parts.join(" · ");
}

/** Options of {@linkcode trainingProgress}. */
export interface ProgressOptions {
  /**
   * How much to report (see {@linkcode Verbosity}).
   * @default {"auto"}
   */
  verbose?: Verbosity;
  /**
   * Minimum milliseconds between two redraws of the live line.
   * @default {250}
   */
  minIntervalMs?: number;
  /**
   * Clock in milliseconds (inject a fake one in tests).
   * @default {performance.now}
   */
  now?: () => number;
  /**
   * Whether stderr is a terminal (decides what `"auto"` does outside Jupyter).
   * @default {Deno.stderr.isTerminal()}
   */
  stderrIsTerminal?: boolean;
}

/** The size of a training run, as the progress line needs it. */
export interface ProgressPlan {
  /** Epochs in this call. */
  epochs: number;
  /** Batches per epoch. */
  batches: number;
  /** Training samples per epoch. */
  samples: number;
  /**
   * Epochs run by earlier calls: the line then counts epochs from there (`epoch 9/13`).
   * @default {0}
   */
  initialEpoch?: number;
  /**
   * Notes shown once, before the figures of the line (`continuing from epoch 8`).
   * @default {[]}
   */
  notes?: string[];
}

/** A progress reporter for one `fit` call, made by {@linkcode trainingProgress}. */
export interface TrainingProgress {
  /** Whether anything is shown at all (`false` for verbose 0 and silent `"auto"`). */
  readonly active: boolean;
  /**
   * Reports a finished batch (`epoch` absolute and `batch` counted from 1). Cheap:
   * it reads the clock and redraws at most every `minIntervalMs`; `logs` is called only when
   * a redraw is due.
   *
   * @returns Whether the line was redrawn (then yield to the event loop so that a Jupyter
   *   update can leave).
   */
  batch(epoch: number, batch: number, logs: () => Record<string, number>): boolean;
  /**
   * Reports a finished epoch (absolute, counted from 1) with its full logs. The live line is
   * redrawn at most every `minIntervalMs`, as for batches (an epoch of 40 ms would otherwise
   * send 25 updates a second, and each caller's yield to the event loop costs 2 ms or more); with
   * verbose 2 every epoch prints its line.
   *
   * @returns Whether anything was drawn (then yield to the event loop, as after a batch).
   */
  epochEnd(epoch: number, logs: Record<string, number>): boolean;
  /**
   * Adds a short warning (`⚠ loss exploded in epoch 2`) that every later line shows after its
   * figures.
   */
  warn(text: string): void;
  /** Shows the final summary line and waits until every message is delivered. */
  close(summary: string): Promise<void>;
}

function stderrTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function resolveMode(verbose: Verbosity, terminal: boolean): LiveMode {
  if (verbose === 0) return "silent";
  if (verbose === 2) return "log";
  if (inJupyter()) return "jupyter";
  if (verbose === 1) return terminal ? "terminal" : "log";
  return terminal ? "terminal" : "silent";
}

/** Every option of {@linkcode trainingProgress} (the type makes the list complete). */
const PROGRESS_OPTIONS: Record<keyof ProgressOptions, true> = {
  verbose: true,
  minIntervalMs: true,
  now: true,
  stderrIsTerminal: true,
};

/** The options of {@linkcode trainingProgress}, checked, with their defaults. */
function progressSettings(options: ProgressOptions): Required<ProgressOptions> {
  checkOptionKeys(options, Object.keys(PROGRESS_OPTIONS), "trainingProgress()");
  const {
    verbose = "auto",
    minIntervalMs = 250,
    now = () => performance.now(),
    stderrIsTerminal = stderrTerminal(),
  } = options;
  checkVerbosity(verbose, "trainingProgress()");
  return { verbose, minIntervalMs, now, stderrIsTerminal };
}

/** The plan's first epoch (0 unless resuming), after checking every count of the plan. */
function checkedInitialEpoch(plan: ProgressPlan): number {
  const initialEpoch = plan.initialEpoch ?? 0;
  for (const key of ["epochs", "batches", "samples", "initialEpoch"] as const) {
    const value = key === "initialEpoch" ? initialEpoch : plan[key];
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(
        `trainingProgress(): expected plan.${key} to be an integer >= 0, found ${value}`,
      );
    }
  }
  return initialEpoch;
}

/** The line printed after an epoch with `verbose: 2`, as Keras prints it. */
function epochLine(
  lead: string[],
  epoch: number,
  epochs: number,
  logs: Record<string, number>,
  elapsed: number,
  warnings: string[],
): string {
  const parts = [...lead, `epoch ${epoch}/${epochs}`, ...formatLogs(logs)];
  parts.push(`${formatDuration(elapsed)} elapsed`, ...warnings);
  return parts.join(" · ");
}

/**
 * Starts the progress reporter of one training run. `fit` calls it; use it directly only
 * for a hand-written loop.
 *
 * @param plan Epochs, batches per epoch and samples per epoch.
 * @param options Verbosity, redraw interval and clock.
 * @returns The reporter; call `batch` after every step, `epochEnd` after every epoch and
 *   `await close(summary)` at the end.
 * @example
 * ```ts
 * import { trainingProgress } from "./progress.ts";
 * import { assertEquals } from "@std/assert";
 * const progress = trainingProgress({ epochs: 2, batches: 3, samples: 300 }, { verbose: 0 });
 * const drawn: boolean[] = [];
 * for (let epoch = 1; epoch <= 2; epoch++) {
 *   for (let b = 1; b <= 3; b++) drawn.push(progress.batch(epoch, b, () => ({ loss: 1 / b })));
 *   progress.epochEnd(epoch, { loss: 0.5 });
 * }
 * await progress.close("2 epochs");
 * assertEquals([progress.active, drawn.includes(true)], [false, false]); // verbose 0 shows nothing
 * ```
 */
export function trainingProgress(
  plan: ProgressPlan,
  options: ProgressOptions = {},
): TrainingProgress {
  const { verbose, minIntervalMs, now, stderrIsTerminal } = progressSettings(options);
  const initialEpoch = checkedInitialEpoch(plan);
  const notes = plan.notes ?? [];
  const prefix = notes.map((n) => `${n} · `).join("");
  const mode = resolveMode(verbose, stderrIsTerminal);
  const perEpoch = verbose === 2;
  const start = now();
  let line: LiveDisplay | null = null;
  let lastDraw = -Infinity;
  let validation: Record<string, number> | undefined;
  const warnings: string[] = [];
  const open = (text: string) => {
    if (line === null) {
      line = liveDisplay(text, {
        mode,
        minIntervalMs: 0,
        logIntervalMs: perEpoch ? 0 : 10_000,
        now,
      });
    } else line.update(text);
  };
  /** Whether a redraw is due (at most one every `minIntervalMs`); if so, from now. */
  const due = () => {
    const t = now();
    if (t - lastDraw < minIntervalMs) return false;
    lastDraw = t;
    return true;
  };
  const snapshot = (epoch: number, batch: number, logs: Record<string, number>) => {
    const elapsed = (now() - start) / 1000;
    const done = (epoch - 1 - initialEpoch) * plan.samples +
      Math.min(plan.samples, (batch / Math.max(1, plan.batches)) * plan.samples);
    const rate = elapsed > 0 ? done / elapsed : 0;
    const left = plan.epochs * plan.samples - done;
    return prefix + formatProgress({
      epoch,
      epochs: initialEpoch + plan.epochs,
      batch,
      batches: plan.batches,
      logs,
      validation,
      samplesPerSecond: rate,
      etaSeconds: rate > 0 ? left / rate : NaN,
    }) + warnings.map((w) => ` · ${w}`).join("");
  };
  return {
    active: mode !== "silent",
    batch(epoch, batch, logs) {
      if (mode === "silent" || perEpoch || !due()) return false;
      open(snapshot(epoch, batch, logs()));
      return true;
    },
    epochEnd(epoch, logs) {
      const train: Record<string, number> = {};
      const val: Record<string, number> = {};
      for (const [k, v] of Object.entries(logs)) (k.startsWith("val_") ? val : train)[k] = v;
      validation = Object.keys(val).length > 0 ? val : undefined;
      if (mode === "silent") return false;
      if (perEpoch) {
        // The notes lead the first line only.
        const lead = line === null ? notes : [];
        const elapsed = (now() - start) / 1000;
        open(epochLine(lead, epoch, initialEpoch + plan.epochs, logs, elapsed, warnings));
        return true;
      }
      if (!due()) return false;
      open(snapshot(epoch, plan.batches, train));
      return true;
    },
    warn(text) {
      warnings.push(text);
    },
    async close(summary) {
      if (mode === "silent") return;
      if (line === null) open(summary);
      await line!.close(summary);
    },
  };
}
