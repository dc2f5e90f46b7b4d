/**
 * Loss curves: a training history's metric per epoch, train and validation, for one run or
 * several runs compared, with optional dotted baseline lines (as the per-movie-mean baseline
 * of seed 004).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { MUTED, textWidth, truncate, WIDTH } from "./_dom.ts";
import { type SwatchItem, swatchLegend } from "./_legend.ts";
import { finiteNumbers, nonEmpty, range } from "./_check.ts";
import { render } from "./_render.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** A training history as the engine (and Keras) returns it. */
export interface LossHistory {
  /** Epoch numbers, one per entry of each series (0-based in Keras style, or 1-based). */
  epoch: ArrayLike<number>;
  /** Metric name (`loss`, `val_loss`, `mae`, `val_mae`, …) → one value per epoch. */
  history: Record<string, ArrayLike<number>>;
}

/** One named run, for comparing several histories in one plot. */
export interface NamedHistory {
  /** The run's name, shown in the legend (e.g. `"dot + bias"`). */
  name: string;
  /** Its training history. */
  history: LossHistory;
}

/** A horizontal reference line. */
export interface Baseline {
  /** The line's y value (in the metric's units). */
  value: number;
  /** Text shown next to the line, e.g. `"per-movie mean"`. */
  label: string;
}

/** Options of {@linkcode lossCurves}. */
export interface LossCurvesOptions extends FigureOptions {
  /**
   * The metric to plot; its validation twin `val_<metric>` is plotted when present.
   * @default {"loss"}
   */
  metric?: string;
  /**
   * Dotted horizontal reference line(s), e.g. a baseline model's error.
   * @default {none}
   */
  baseline?: Baseline | Baseline[];
  /**
   * Fixed y range `[min, max]`; lines outside it are clipped.
   * @default {fitted to the data and baselines}
   */
  ylim?: [number, number];
  /**
   * The y-axis label.
   * @default {the metric name, e.g. "Loss" or "MAE"}
   */
  yLabel?: string;
  /**
   * Plot the `val_<metric>` series when the history has one.
   * @default {true}
   */
  validation?: boolean;
}

const SPLIT_COLORS = { train: "#4269d0", validation: "#ff725c" };
const RUN_COLORS = [
  "#4269d0",
  "#ff725c",
  "#3ca951",
  "#a463f2",
  "#efb118",
  "#6cc5b0",
  "#ff8ab7",
  "#9c6b4e",
  "#97bbf5",
  "#9498a0",
];

interface Row {
  run: string;
  split: "train" | "validation";
  epoch: number;
  value: number;
}

/** A readable axis label for a metric name: `loss` → `Loss`, `mae` → `MAE`. */
function metricLabel(metric: string): string {
  if (/^(r?mse|mae|auc|ndcg|map|mrr)$/i.test(metric)) return metric.toUpperCase();
  return metric.charAt(0).toUpperCase() + metric.slice(1).replaceAll("_", " ");
}

function isHistory(value: unknown): value is LossHistory {
  const h = value as LossHistory | null;
  return h !== null && typeof h === "object" && typeof h.epoch === "object" && h.epoch !== null &&
    typeof h.history === "object" && h.history !== null;
}

function seriesRows(
  run: string,
  label: string,
  h: LossHistory,
  metric: string,
  validation: boolean,
): Row[] {
  const fn = "lossCurves";
  const epochs = finiteNumbers(fn, `${label}.epoch`, h.epoch);
  nonEmpty(fn, `epoch in ${label}`, epochs.length);
  const keys = Object.keys(h.history);
  if (!(metric in h.history)) {
    throw new RangeError(
      `${fn}(): expected a "${metric}" series in ${label}.history, found ${
        keys.length ? keys.join(", ") : "no series"
      }`,
    );
  }
  // Keras counts epochs from 0; the axis counts them from 1, like the progress line.
  const shift = epochs[0] === 0 ? 1 : 0;
  const rows: Row[] = [];
  const splits: [Row["split"], string][] = [["train", metric]];
  if (validation && `val_${metric}` in h.history) splits.push(["validation", `val_${metric}`]);
  for (const [split, key] of splits) {
    const values = finiteNumbers(fn, `${label}.history.${key}`, h.history[key]);
    if (values.length !== epochs.length) {
      throw new RangeError(
        `${fn}(): expected ${label}.history.${key} to have one value per epoch (${epochs.length}), found ${values.length}`,
      );
    }
    values.forEach((value, i) => rows.push({ run, split, epoch: epochs[i] + shift, value }));
  }
  return rows;
}

function epochTicks(min: number, max: number): number[] {
  const span = max - min;
  const step = Math.max(1, Math.ceil((span + 1) / 10));
  const ticks: number[] = [];
  for (let e = min; e <= max; e += step) ticks.push(e);
  return ticks;
}

/**
 * Plots a metric per epoch from a training history: train and validation lines, or one
 * colour per run (train solid, validation dashed) when given several named runs.
 *
 * @param history The engine's history `{ epoch, history: { loss, val_loss, … } }`, or several
 *   `{ name, history }` runs to compare.
 * @param options Metric, baseline line(s), y range, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @example
 * ```ts
 * import { lossCurves } from "./loss.ts";
 * const fig = lossCurves(
 *   { epoch: [0, 1, 2], history: { mae: [0.9, 0.8, 0.75], val_mae: [0.85, 0.8, 0.79] } },
 *   { metric: "mae", baseline: { value: 0.76, label: "per-movie mean" } },
 * );
 * console.log(fig.summary); // [figure: loss curves, 2 series, 6 points]
 * ```
 */
export function lossCurves(
  history: LossHistory | NamedHistory[],
  options: LossCurvesOptions = {},
): PlotFigure {
  const fn = "lossCurves";
  const { metric = "loss", validation = true } = options;
  if (typeof metric !== "string" || metric === "") {
    throw new TypeError(`${fn}(): expected metric as a non-empty string, found ${metric}`);
  }
  const ylim = range(fn, "ylim", options.ylim);
  let runs: NamedHistory[];
  const named = Array.isArray(history);
  if (named) {
    nonEmpty(fn, "run", history.length);
    runs = history;
  } else if (isHistory(history)) {
    runs = [{ name: "", history }];
  } else {
    throw new TypeError(
      `${fn}(): expected a history { epoch, history } or an array of { name, history }, found ${
        history === null ? "null" : typeof history
      }`,
    );
  }
  const seen = new Set<string>();
  const rows: Row[] = [];
  runs.forEach((run, i) => {
    if (named) {
      if (run === null || typeof run !== "object" || typeof run.name !== "string") {
        throw new TypeError(`${fn}(): expected runs[${i}] to be { name: string, history }`);
      }
      if (seen.has(run.name)) {
        throw new RangeError(`${fn}(): expected distinct run names, found "${run.name}" twice`);
      }
      seen.add(run.name);
      if (!isHistory(run.history)) {
        throw new TypeError(`${fn}(): expected runs[${i}].history to be { epoch, history }`);
      }
    }
    rows.push(
      ...seriesRows(run.name, named ? `runs[${i}]` : "history", run.history, metric, validation),
    );
  });
  const baselines = options.baseline === undefined
    ? []
    : Array.isArray(options.baseline)
    ? options.baseline
    : [options.baseline];
  baselines.forEach((b, i) => {
    if (
      b === null || typeof b !== "object" || !Number.isFinite(b.value) ||
      typeof b.label !== "string"
    ) {
      throw new RangeError(
        `${fn}(): expected baseline ${i} as { value: finite number, label: string }, found ${
          JSON.stringify(b)
        }`,
      );
    }
  });

  const multi = runs.length > 1 || named;
  const series = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${row.run}\u0000${row.split}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push(row);
  }
  const colorOf = (row: Row) =>
    multi
      ? RUN_COLORS[runs.findIndex((r) => r.name === row.run) % RUN_COLORS.length]
      : SPLIT_COLORS[row.split];
  const label = (row: Row) =>
    `${multi ? row.run + " · " : ""}${row.split} · epoch ${row.epoch}: ${
      Number(row.value.toPrecision(4))
    }`;

  const marks: Plot.Markish[] = [Plot.gridY({ stroke: "#e5e5e5", strokeOpacity: 1 })];
  const clip = ylim !== undefined;
  for (const b of baselines) {
    marks.push(
      Plot.ruleY([b.value], { stroke: MUTED, strokeWidth: 1.5, strokeDasharray: "2,4", clip }),
    );
  }
  const manyEpochs = Math.max(...[...series.values()].map((s) => s.length)) > 40;
  for (const points of series.values()) {
    const first = points[0];
    const stroke = colorOf(first);
    const dash = multi && first.split === "validation" ? "6,3" : undefined;
    marks.push(
      Plot.line(points, {
        x: "epoch",
        y: "value",
        stroke,
        strokeWidth: 2,
        strokeDasharray: dash,
        clip,
      }),
    );
    marks.push(
      Plot.dot(points, {
        x: "epoch",
        y: "value",
        r: manyEpochs ? 1.5 : 3,
        fill: first.split === "validation" && multi ? "white" : stroke,
        stroke,
        title: label,
        clip,
      }),
    );
  }

  // Baseline labels sit in the right margin, level with their line, clear of the data.
  const shownBaselines = baselines.filter((b) =>
    !ylim || (b.value >= ylim[0] && b.value <= ylim[1])
  );
  const baselineText = (d: Baseline) =>
    `${truncate(d.label, 22)}\n${Number(d.value.toPrecision(3))}`;
  marks.push(Plot.text(shownBaselines, {
    x: () => Math.max(...rows.map((r) => r.epoch)),
    y: "value",
    text: baselineText,
    textAnchor: "start",
    lineAnchor: "middle",
    dx: 14,
    fill: MUTED,
  }));
  const marginRight = shownBaselines.length
    ? Math.min(190, 20 + Math.max(...shownBaselines.map((b) => textWidth(truncate(b.label, 22)))))
    : 24;

  const items: SwatchItem[] = multi
    ? [
      ...runs.map((r, i) => ({
        label: r.name,
        color: RUN_COLORS[i % RUN_COLORS.length],
        shape: "square" as const,
      })),
      { label: "train", color: MUTED, shape: "line" as const },
      ...(rows.some((r) => r.split === "validation")
        ? [{ label: "validation", color: MUTED, shape: "dashed" as const }]
        : []),
    ]
    : [...new Set(rows.map((r) => r.split))].map((split) => ({
      label: split,
      color: SPLIT_COLORS[split],
      shape: "line" as const,
    }));
  if (baselines.length) items.push({ label: "baseline", color: MUTED, shape: "dotted" });

  const epochs = rows.map((r) => r.epoch);
  const lo = Math.min(...epochs), hi = Math.max(...epochs);
  return render(
    fn,
    {
      height: 340,
      legend: swatchLegend(items, (options.width ?? WIDTH) - 20),
      plot: {
        marginLeft: 52,
        marginRight,
        marginTop: 14,
        marginBottom: 40,
        x: {
          label: "Epoch",
          labelAnchor: "center",
          labelArrow: "none",
          ticks: epochTicks(lo, hi),
          tickFormat: "d",
          domain: lo === hi ? [lo - 1, hi + 1] : [lo, hi],
          inset: 8,
        },
        y: {
          label: options.yLabel ?? metricLabel(metric),
          labelAnchor: "center",
          labelArrow: "none",
          domain: ylim,
          nice: ylim === undefined,
          zero: false,
        },
        marks,
      },
    },
    options,
    { kind: "loss curves", series: series.size, points: rows.length },
  );
}
