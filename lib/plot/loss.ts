/**
 * Loss curves: a training history's metric per epoch, train and validation, for one run or
 * several runs compared, with optional dotted baseline lines (as the per-movie-mean baseline
 * of seed 004) and a grey line marking one epoch (the one whose weights early stopping kept).
 *
 * Epochs are counted from 1, as Keras prints them and as the engine's `History.epoch` holds
 * them; each point is drawn at the epoch its history gives, so the phases of a run trained in
 * several calls (epochs 1–5, then 6–8) line up with the tables. A run that lies exactly under
 * another, or a series that a later run's mostly covers (within 3 px), is drawn wider beneath
 * it and named in the legend; points that a fixed y range cuts off are listed in a caption
 * line; baseline labels are placed so that they never overlap and wrapped so that they fit
 * the margin.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { checkOptionKeys } from "../_options.ts";
import { literal } from "../_describe.ts";
import { MUTED, textWidth, WIDTH } from "./_dom.ts";
import { DASHES, type SwatchItem, swatchLegend } from "./_legend.ts";
import { baselineLabels } from "./_baseline_labels.ts";
import { checkPlotOptions, finiteNumbers, labelledValue, nonEmpty, range } from "./_check.ts";
import { drawable, extent, MIN_SPAN, significant } from "./_extent.ts";
import { figureSize, render } from "./_render.ts";
import { epochSpan, offScaleNote } from "./_off_scale.ts";
import { spoken } from "./_describe.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** A training history as the engine (and Keras) returns it. */
export interface LossHistory {
  /** Epoch numbers counted from 1, one per entry of each series (`[1, 2, …]`, or `[6, 7, 8]`
   * for a run continued from epoch 5). */
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
export interface LossBaseline {
  /** The line's y value (in the metric's units). */
  value: number;
  /** Text shown next to the line, e.g. `"per-movie mean"`, before its value (blank: the value alone). */
  label: string;
}

/** A vertical line at one epoch, such as the epoch whose weights early stopping kept. */
export interface EpochMark {
  /** The epoch (a whole number within the histories' epochs). */
  epoch: number;
  /** Text at the top of the line, e.g. `"weights kept"`; the epoch is added: "(epoch 9)". */
  label: string;
}

/** Every field of an {@linkcode EpochMark} (the type makes the list complete). */
const EPOCH_MARK_FIELDS: Record<keyof EpochMark, true> = { epoch: true, label: true };

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
  baseline?: LossBaseline | LossBaseline[];
  /**
   * What the dotted lines are, in the legend and the text alternative: e.g. "floor" for a loss
   * no model can go under, or "reference" for a number that is not a baseline model's.
   * @default {"baseline"}
   */
  baselineName?: string;
  /**
   * A thin grey vertical line at one epoch, labelled at its top: where early stopping put the
   * weights back, which a rise of a pixel or two after it cannot show.
   * @default {none}
   */
  epochMark?: EpochMark;
  /**
   * Fixed y range `[min, max]`; lines outside it are clipped, and a caption line (after the
   * caption given, if any) says which points are off the scale and how far.
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
  /**
   * Names of the two series in the legend and the hover titles, for curves that are not a
   * training loss: e.g. `{ train: "test", validation: "validation" }` for a test error per epoch
   * (`metric`) with the validation error (`val_<metric>`) dashed.
   * @default {{ train: "train", validation: "validation" }}
   */
  splitNames?: { train?: string; validation?: string };
}

/** Two series closer than this (px) at most epochs look like one: the earlier is drawn wide. */
const NEAR_PX = 3;

/**
 * Train blue, validation vermillion: 5.0 and 3.9 : 1 against white (WCAG asks 3 : 1 of a line),
 * and far apart (CIEDE2000 at least 50) with or without a colour-vision deficiency.
 */
const SPLIT_COLORS = { train: "#4269d0", validation: "#d55e00" };
/**
 * One colour per run. The first four (blue, and Okabe & Ito's vermillion, bluish green and
 * reddish purple) have at least 3 : 1 against white and stay at least 14 apart (CIEDE2000) in
 * every pair for normal vision and simulated protanopia, deuteranopia and tritanopia
 * (`test/plot/loss_test.ts` checks them); Observable's orange and green, which they replace,
 * were 8 apart for a protanope or deuteranope and the orange 2.7 : 1.
 */
const RUN_COLORS = [
  "#4269d0",
  "#d55e00",
  "#009e73",
  "#cc79a7",
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
  epochs.forEach((e, i) => {
    if (!Number.isInteger(e) || e < 1) {
      throw new RangeError(
        `${fn}(): expected ${label}.epoch counted from 1 (whole numbers 1, 2, …), found ${e} at index ${i}`,
      );
    }
  });
  const keys = Object.keys(h.history);
  if (!(metric in h.history)) {
    throw new RangeError(
      `${fn}(): expected a "${metric}" series in ${label}.history, found ${
        keys.length ? keys.join(", ") : "no series"
      }`,
    );
  }
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
    values.forEach((value, i) => rows.push({ run, split, epoch: epochs[i], value }));
  }
  return rows;
}

/** Round steps between epoch ticks. */
const EPOCH_STEPS = [2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
/** Least gap (px) between two epoch tick labels. */
const TICK_GAP = 16;

/**
 * Epoch ticks for an axis `pixels` wide: every epoch while they fit (12 at most), else 1 and
 * the multiples of a round step (5, 10, …) — for a step of 2, 1, 3, 5, …, where the multiples
 * would put 2 right beside 1 — as many as fit (11 at most), each label `TICK_GAP` px clear.
 */
function epochTicks(last: number, pixels: number): number[] {
  const fit = Math.max(2, Math.floor(pixels / (textWidth(String(last)) + TICK_GAP)) + 1);
  if (last <= Math.min(12, fit)) return Array.from({ length: last }, (_, i) => i + 1);
  const gaps = Math.min(fit, 11) - 1; // room between the first tick and the last
  const step = EPOCH_STEPS.find((s) => last / s <= gaps) ?? Math.ceil(last / gaps);
  const ticks = [1];
  for (let e = step === 2 ? 3 : step; e <= last; e += step) ticks.push(e);
  return ticks;
}

/**
 * A round y domain around [lo, hi] (the ticks Plot picks then start and end on it); throws a
 * RangeError naming `fn` when no axis can span the values (see {@linkcode drawable}).
 */
function niceDomain(fn: string, lo: number, hi: number): [number, number] {
  const what = "values";
  if (lo === hi) {
    // A tenth of the value each side (1 for 0, or one too small for an axis), kept finite.
    const tenth = Math.abs(lo) * 0.1;
    const pad = tenth >= MIN_SPAN ? tenth : 1;
    return [Math.max(lo - pad, -Number.MAX_VALUE), Math.min(hi + pad, Number.MAX_VALUE)];
  }
  drawable(fn, what, [lo, hi]);
  const raw = (hi - lo) / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  // Rounded to the step's digits: 14 × 0.05 is 0.7000000000000001, which would leave Plot's
  // tick at 0.70 outside the domain, undrawn.
  const round = (x: number) => Number(x.toPrecision(12));
  const nice: [number, number] = [
    round(Math.floor(lo / step) * step),
    round(Math.ceil(hi / step) * step),
  ];
  // Rounded out past the largest number (1.7e308 up to 2e308): the values' own range.
  return Number.isFinite(nice[1] - nice[0]) ? nice : [lo, hi];
}

/** Runs hidden under a later run: same split, same value (within half a pixel) at each epoch. */
function coincidences(
  runs: string[],
  rows: Row[],
  tolerance: number,
): Map<string, { under: string; epochs: number[] }> {
  const points = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (!points.has(r.run)) points.set(r.run, new Map());
    points.get(r.run)!.set(`${r.split} ${r.epoch}`, r.value);
  }
  const found = new Map<string, { under: string; epochs: number[] }>();
  runs.forEach((run, i) => {
    const mine = points.get(run)!;
    for (const other of runs.slice(i + 1)) {
      const theirs = points.get(other)!;
      const same = new Set<number>();
      let all = true;
      for (const [key, value] of mine) {
        const v = theirs.get(key);
        if (v !== undefined && Math.abs(v - value) <= tolerance) {
          same.add(Number(key.split(" ")[1]));
        } else if (v !== undefined) all = false;
      }
      // Hidden: every shared point coincides, and at least two epochs are shared.
      if (all && same.size >= 2) {
        found.set(run, { under: other, epochs: [...same].sort((a, b) => a - b) });
        return;
      }
    }
  });
  return found;
}

/** A series drawn wide beneath a later run's series of the same split that runs close to it. */
interface Near {
  /** The later run. */
  over: string;
  /** Shared epochs where the two lie within the tolerance, of all shared epochs. */
  close: number;
  shared: number;
}

/** The key of one series (a run's train or validation curve). */
const seriesKey = (run: string, split: Row["split"]) => `${run}\u0000${split}`;

/**
 * Series that a later run's series of the same split mostly covers: within `tolerance` of it
 * at more than half of their shared epochs (at least two), so that two lines of the usual
 * width would show one colour. Runs already found lying exactly under another are left out.
 */
function nearSeries(
  runs: string[],
  series: Map<string, Row[]>,
  tolerance: number,
  hidden: Map<string, Hidden>,
): Map<string, Near> {
  // Each series' value by epoch.
  const points = new Map(
    [...series].map(([key, rows]) => [key, new Map(rows.map((r) => [r.epoch, r.value]))]),
  );
  const found = new Map<string, Near>();
  runs.forEach((run, i) => {
    if (hidden.has(run)) return;
    for (const split of ["train", "validation"] as const) {
      const mine = points.get(seriesKey(run, split));
      if (!mine) continue;
      for (const over of runs.slice(i + 1)) {
        const theirs = points.get(seriesKey(over, split));
        if (!theirs) continue;
        let shared = 0, close = 0;
        for (const [epoch, value] of mine) {
          const v = theirs.get(epoch);
          if (v === undefined) continue;
          shared++;
          if (Math.abs(v - value) <= tolerance) close++;
        }
        if (shared >= 2 && 2 * close > shared) {
          found.set(seriesKey(run, split), { over, close, shared });
          break;
        }
      }
    }
  });
  return found;
}

/** The legend names of the two series, checked. */
function splitNamesOption(
  fn: string,
  given: LossCurvesOptions["splitNames"],
): Record<Row["split"], string> {
  const names = { train: "train", validation: "validation" };
  if (given === undefined) return names;
  if (given === null || typeof given !== "object") {
    throw new TypeError(
      `${fn}(): expected splitNames as { train?, validation? }, found ${JSON.stringify(given)}`,
    );
  }
  checkOptionKeys(given, Object.keys(names), `${fn}()`, "splitNames.");
  for (const key of ["train", "validation"] as const) {
    const name = given[key];
    if (name === undefined) continue;
    if (typeof name !== "string" || name.trim() === "") {
      throw new TypeError(
        `${fn}(): expected splitNames.${key} to be a non-empty string, found ${
          JSON.stringify(name)
        }`,
      );
    }
    names[key] = name;
  }
  return names;
}

/** The options of {@linkcode lossCurves} beside the figure's (kept complete by the type). */
const LOSS_CURVES_OPTIONS: Record<Exclude<keyof LossCurvesOptions, keyof FigureOptions>, true> = {
  metric: true,
  baseline: true,
  baselineName: true,
  epochMark: true,
  ylim: true,
  yLabel: true,
  validation: true,
  splitNames: true,
};

/**
 * Plots a metric per epoch from a training history: train and validation lines, or one
 * colour per run (train solid, validation dashed) when given several named runs; dotted
 * baselines and a grey line at one epoch (`epochMark`) when asked.
 *
 * @param history The engine's history `{ epoch, history: { loss, val_loss, … } }` with epochs
 *   counted from 1, or several `{ name, history }` runs to compare.
 * @param options Metric, baseline line(s), an epoch mark, y range, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} On a history or option of the wrong type (an `epochMark` without a
 *   non-empty label or a numeric epoch).
 * @throws {RangeError} On a missing metric, values that are not finite, a bad `ylim`, an
 *   `epochMark.epoch` that is not one of the histories' epochs, or values (baselines included)
 *   or a `ylim` that no axis can span: wider apart than the largest number (-1e308 and 1e308)
 *   or, unless all equal, closer together than 1e-300.
 * @example
 * ```ts
 * import { lossCurves } from "./loss.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = lossCurves(
 *   { epoch: [1, 2, 3], history: { mae: [0.9, 0.8, 0.75], val_mae: [0.85, 0.8, 0.79] } },
 *   { metric: "mae", baseline: { value: 0.76, label: "per-movie mean" } },
 * );
 * assertEquals(fig.summary, "[figure: loss curves, 2 series, 6 points]");
 * ```
 */
export function lossCurves(
  history: LossHistory | NamedHistory[],
  options: LossCurvesOptions = {},
): PlotFigure {
  const fn = "lossCurves";
  checkPlotOptions(fn, options, LOSS_CURVES_OPTIONS);
  const { metric = "loss", validation = true } = options;
  if (typeof metric !== "string" || metric === "") {
    throw new TypeError(`${fn}(): expected metric as a non-empty string, found ${metric}`);
  }
  const ylim = range(fn, "ylim", options.ylim);
  const names = splitNamesOption(fn, options.splitNames);
  const { runs, named } = historyRuns(fn, history);
  const rows = runRows(fn, runs, named, metric, validation);
  const baselines = baselineList(fn, options.baseline);
  const baselineName = baselineNameOption(fn, options.baselineName, baselines.length);

  const multi = runs.length > 1 || named;
  const { height } = figureSize(fn, options, 340);
  const values = [...rows.map((r) => r.value), ...baselines.map((b) => b.value)];
  const domain = ylim ? drawable(fn, "ylim", ylim) : niceDomain(fn, ...extent(values));
  const margin = { top: 14, bottom: 40 };
  const plotHeight = height - margin.top - margin.bottom;
  const perPixel = (domain[1] - domain[0]) / plotHeight;
  // Half a pixel: two points closer than that are drawn on top of each other.
  const hidden = multi
    ? coincidences(runs.map((r) => r.name), rows, 0.5 * perPixel)
    : new Map<string, Hidden>();
  const series = seriesOf(rows);
  // Closer than NEAR_PX, two lines 2 px wide with dots of 3 px radius show as one.
  const near = multi
    ? nearSeries(runs.map((r) => r.name), series, NEAR_PX * perPixel, hidden)
    : new Map<string, Near>();

  const clip = ylim !== undefined;
  const marks: Plot.Markish[] = [Plot.gridY({ stroke: "#e5e5e5", strokeOpacity: 1 })];
  for (const b of baselines) {
    marks.push(
      Plot.ruleY([b.value], {
        stroke: MUTED,
        strokeWidth: 1.5,
        strokeDasharray: DASHES.dotted,
        clip,
      }),
    );
  }
  const epochMark = epochMarkOption(fn, options.epochMark, rows);
  // Behind the curves: a thin solid grey line, unlike the dashed validation and dotted baselines.
  if (epochMark) marks.push(Plot.ruleX([epochMark.epoch], { stroke: MUTED, strokeWidth: 1 }));
  marks.push(...curveMarks(series, { runs, multi, hidden, near, names, clip }));

  const lastEpoch = Math.max(...rows.map((r) => r.epoch));
  const labels = baselineLabels(baselines, baselineName, domain, lastEpoch, {
    top: margin.top,
    bottom: height - margin.bottom,
    min: 2,
    max: height - 2,
  });
  marks.push(...labels.marks);
  const items = [...legendItems(runs, rows, { multi, hidden, near, names }), ...labels.legend];
  const note = ylim && offScaleNote(rows, ylim, {
    multi,
    names,
    maxWidth: (options.width ?? WIDTH) - 20,
    caption: options.caption,
  });

  const width = options.width ?? WIDTH;
  const yLabel = options.yLabel ?? metricLabel(metric);
  const description = describeCurves(series, {
    yLabel,
    lastEpoch,
    names,
    baselines,
    baselineName,
    hidden,
    epochMark,
  });
  const marginLeft = 52, inset = 8;
  const axisPixels = width - marginLeft - labels.marginRight - 2 * inset;
  if (epochMark) {
    const x = marginLeft + inset +
      (epochMark.epoch - 1) / (Math.max(2, lastEpoch) - 1) * axisPixels;
    marks.push(epochMarkLabel(epochMark, domain, [x - marginLeft, axisPixels + 2 * inset - x]));
  }
  return render(
    fn,
    {
      height,
      legend: swatchLegend(items, width - 20),
      plot: {
        marginLeft,
        marginRight: labels.marginRight,
        marginTop: margin.top,
        marginBottom: margin.bottom,
        x: {
          label: "Epoch",
          labelAnchor: "center",
          labelArrow: "none",
          ticks: epochTicks(lastEpoch, axisPixels),
          tickFormat: "d",
          domain: [1, Math.max(2, lastEpoch)],
          inset,
        },
        y: {
          label: yLabel,
          labelAnchor: "center",
          labelArrow: "none",
          domain,
          nice: false,
          zero: false,
        },
        marks,
      },
    },
    note ? { ...options, caption: note } : options,
    { kind: "loss curves", series: series.size, points: rows.length, description },
  );
}

/**
 * The curves in words: the axes, then each run's series from its first epoch to its last, with
 * its lowest value when that comes earlier ("validation 0.87 at epoch 1 to 0.75 at epoch 10,
 * lowest 0.74 at epoch 9"), a run lying under another named as such, and the baselines.
 */
function describeCurves(
  series: Map<string, Row[]>,
  about: {
    yLabel: string;
    lastEpoch: number;
    names: Record<Row["split"], string>;
    baselines: LossBaseline[];
    baselineName: string;
    hidden: Map<string, Hidden>;
    epochMark?: EpochMark;
  },
): string {
  const { yLabel, lastEpoch, names, baselines, baselineName, hidden, epochMark } = about;
  const byRun = new Map<string, string[]>();
  for (const rows of series.values()) {
    const { run, split } = rows[0];
    const first = rows[0], last = rows[rows.length - 1];
    const low = rows.reduce((a, b) => (b.value < a.value ? b : a));
    let text = `${names[split]} ${spoken(first.value)} at epoch ${first.epoch}`;
    if (rows.length > 1) {
      text += spoken(last.value) === spoken(first.value)
        ? ` and again at epoch ${last.epoch}`
        : ` to ${spoken(last.value)} at epoch ${last.epoch}`;
    }
    if (low !== last && spoken(low.value) !== spoken(last.value)) {
      text += `, lowest ${spoken(low.value)} at epoch ${low.epoch}`;
    }
    if (!byRun.has(run)) byRun.set(run, []);
    byRun.get(run)!.push(text);
  }
  const runs = [...byRun].map(([run, texts]) => {
    const under = hidden.get(run);
    const same = under
      ? ` (the same as ${under.under} at ${epochSpan(under.epochs)}, drawn under it)`
      : "";
    return run === "" ? texts.join("; ") : `${run}${same}: ${texts.join(", ")}`;
  });
  const lines = baselines.map((b) => `${b.label === "" ? "" : `${b.label} `}${spoken(b.value)}`);
  const told = runs.join("; ");
  const epochs = Array.from({ length: lastEpoch }, (_, i) => i + 1);
  return `Line chart of ${yLabel} per epoch, ${epochSpan(epochs)}. ` +
    // A single run's "train …" starts a sentence; a run's name is written as given.
    `${byRun.has("") ? told.charAt(0).toUpperCase() + told.slice(1) : told}.` +
    (lines.length > 0
      ? ` Dotted line${lines.length > 1 ? "s" : ""} (${baselineName}): ${lines.join("; ")}.`
      : "") +
    (epochMark ? ` Grey vertical line at epoch ${epochMark.epoch}: ${epochMark.label}.` : "");
}

/** The epoch mark, checked: a known field set, a non-empty label, an epoch the curves have. */
function epochMarkOption(
  fn: string,
  mark: LossCurvesOptions["epochMark"],
  rows: Row[],
): EpochMark | undefined {
  if (mark === undefined) return undefined;
  if (mark === null || typeof mark !== "object" || Array.isArray(mark)) {
    throw new TypeError(
      `${fn}(): expected epochMark as { epoch, label }, found ${literal(mark)}`,
    );
  }
  checkOptionKeys(mark, Object.keys(EPOCH_MARK_FIELDS), `${fn}()`, "epochMark.");
  if (typeof mark.epoch !== "number") {
    throw new TypeError(
      `${fn}(): expected epochMark.epoch to be a number, found ${literal(mark.epoch)}`,
    );
  }
  if (typeof mark.label !== "string" || mark.label.trim() === "") {
    throw new TypeError(
      `${fn}(): expected epochMark.label to be a non-empty string, found ${literal(mark.label)}`,
    );
  }
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  if (!epochs.includes(mark.epoch)) {
    throw new RangeError(
      `${fn}(): expected epochMark.epoch to be one of the histories' epochs (${
        epochSpan(epochs)
      }), found ${mark.epoch}`,
    );
  }
  return mark;
}

/**
 * The epoch mark's label at the top of the chart, on the side of its line where it fits: right
 * of it, else left of it, else on the side with more room. `room` is the space (px) left and
 * right of the line inside the plot.
 */
function epochMarkLabel(mark: EpochMark, domain: [number, number], room: [number, number]) {
  const text = `${mark.label} (epoch ${mark.epoch})`;
  const need = textWidth(text) + 4;
  const right = need <= room[1] || (need > room[0] && room[1] >= room[0]);
  return Plot.text([text], {
    x: () => mark.epoch,
    y: () => domain[1],
    text: (d: string) => d,
    textAnchor: right ? "start" : "end",
    dx: right ? 4 : -4,
    dy: 8,
    fill: MUTED,
    // A white halo keeps the label legible where a curve passes under it.
    stroke: "white",
    strokeWidth: 3,
    paintOrder: "stroke",
  });
}

/** A run drawn under a later one with the same values: which one, and at which epochs. */
type Hidden = { under: string; epochs: number[] };

/** The runs to draw: the given runs, or one unnamed run for a single history. */
function historyRuns(
  fn: string,
  history: LossHistory | NamedHistory[],
): { runs: NamedHistory[]; named: boolean } {
  if (Array.isArray(history)) {
    nonEmpty(fn, "run", history.length);
    return { runs: history, named: true };
  }
  if (isHistory(history)) return { runs: [{ name: "", history }], named: false };
  throw new TypeError(
    `${fn}(): expected a history { epoch, history } or an array of { name, history }, found ${
      history === null ? "null" : typeof history
    }`,
  );
}

/** The points of every run's metric, after checking each named run. */
function runRows(
  fn: string,
  runs: NamedHistory[],
  named: boolean,
  metric: string,
  validation: boolean,
): Row[] {
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
  return rows;
}

/** The name of the dotted lines, checked: a non-empty string, given only with a line to name. */
function baselineNameOption(fn: string, given: unknown, lines: number): string {
  if (given === undefined) return "baseline";
  if (typeof given !== "string" || given.trim() === "") {
    throw new TypeError(
      `${fn}(): expected baselineName as a non-empty string, found ${literal(given)}`,
    );
  }
  if (lines === 0) {
    throw new TypeError(
      `${fn}(): baselineName ${literal(given)} names the dotted lines, but no baseline was given`,
    );
  }
  return given;
}

/** The baseline option as a checked list. */
function baselineList(fn: string, baseline: LossCurvesOptions["baseline"]): LossBaseline[] {
  if (baseline === undefined) return [];
  if (!Array.isArray(baseline)) return [labelledValue(fn, "baseline", baseline)];
  return baseline.map((b, i) => labelledValue(fn, `baseline[${i}]`, b));
}

/** The rows grouped by run and split, in order of first appearance. */
function seriesOf(rows: Row[]): Map<string, Row[]> {
  const series = new Map<string, Row[]>();
  for (const row of rows) {
    const key = seriesKey(row.run, row.split);
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push(row);
  }
  return series;
}

/** How the curves are drawn: one colour per run or per split, and the hidden runs. */
interface CurveStyle {
  runs: NamedHistory[];
  multi: boolean;
  hidden: Map<string, Hidden>;
  near: Map<string, Near>;
  names: Record<Row["split"], string>;
  clip: boolean;
}

/** A line and its dots (with hover titles) for every series. */
function curveMarks(series: Map<string, Row[]>, style: CurveStyle): Plot.Markish[] {
  const { runs, multi, hidden, near, names, clip } = style;
  const colorOf = (row: Row) =>
    multi
      ? RUN_COLORS[runs.findIndex((r) => r.name === row.run) % RUN_COLORS.length]
      : SPLIT_COLORS[row.split];
  const label = (row: Row) =>
    `${multi ? row.run + " · " : ""}${names[row.split]} · epoch ${row.epoch}: ${
      significant(row.value, 4)
    }`;
  const marks: Plot.Markish[] = [];
  const manyEpochs = Math.max(...[...series.values()].map((s) => s.length)) > 40;
  for (const points of series.values()) {
    const first = points[0];
    const stroke = colorOf(first);
    const under = hidden.has(first.run) || near.has(seriesKey(first.run, first.split));
    const dash = multi && first.split === "validation" ? DASHES.dashed : undefined;
    marks.push(
      Plot.line(points, {
        x: "epoch",
        y: "value",
        stroke,
        // A run hidden under a later one (or close beneath it) is drawn wide: a coloured edge
        // shows.
        strokeWidth: under ? 6 : 2,
        strokeOpacity: under ? 0.6 : 1,
        strokeDasharray: dash,
        clip,
      }),
    );
    const r = manyEpochs ? 1.5 : 3;
    marks.push(
      Plot.dot(points, {
        x: "epoch",
        y: "value",
        r: under ? r + 2.5 : r,
        fill: first.split === "validation" && multi ? "white" : stroke,
        stroke,
        strokeWidth: under ? 2 : 1.5,
        title: label,
        clip,
      }),
    );
  }
  return marks;
}

/** The splits a run has, train first. */
function splitsOf(rows: Row[], run: string): Row["split"][] {
  const have = new Set(rows.filter((r) => r.run === run).map((r) => r.split));
  return (["train", "validation"] as const).filter((s) => have.has(s));
}

/** The legend: a swatch per run and a line per split, or a line per split for one run. */
function legendItems(
  runs: NamedHistory[],
  rows: Row[],
  style: Omit<CurveStyle, "runs" | "clip">,
): SwatchItem[] {
  const { multi, hidden, near, names } = style;
  if (!multi) {
    return [...new Set(rows.map((r) => r.split))].map((split) => ({
      label: names[split],
      color: SPLIT_COLORS[split],
      shape: "line" as const,
    }));
  }
  return [
    ...runs.map((r, i) => {
      const h = hidden.get(r.name);
      return {
        label: h
          ? `${r.name} (under “${h.under}” at ${epochSpan(h.epochs)}: same values)`
          : nearLabel(r.name, splitsOf(rows, r.name), near, names),
        color: RUN_COLORS[i % RUN_COLORS.length],
        shape: "square" as const,
      };
    }),
    { label: names.train, color: MUTED, shape: "line" as const },
    ...(rows.some((r) => r.split === "validation")
      ? [{ label: names.validation, color: MUTED, shape: "dashed" as const }]
      : []),
  ];
}

/**
 * A run's legend label, saying which of its series are drawn wide because a later run lies
 * close over them: `ours (drawn wide: within 3 px of “the post”)`, naming the split when only
 * one of the run's two is, and the share of epochs when not all of them are close — counted per
 * curve, each epoch being one point of a curve: `at 2 of 3 epochs of each curve`, or, when the
 * two curves differ, `train at 2 of 3 epochs, validation at all 3`.
 */
function nearLabel(
  run: string,
  own: Row["split"][],
  near: Map<string, Near>,
  names: Record<Row["split"], string>,
): string {
  const splits = own.filter((s) => near.has(seriesKey(run, s)));
  if (!splits.length) return run;
  const found = splits.map((s) => near.get(seriesKey(run, s))!);
  const overs = [...new Set(found.map((n) => `“${n.over}”`))];
  const share = (n: Near) => n.close === n.shared ? `all ${n.shared}` : `${n.close} of ${n.shared}`;
  if (found.length === 1) {
    const what = splits.length === own.length ? "" : `${names[splits[0]]} `;
    const [n] = found;
    const where = n.close === n.shared ? "" : ` at ${share(n)} epochs`;
    return `${run} (${what}drawn wide: within ${NEAR_PX} px of ${overs[0]}${where})`;
  }
  // Both curves: their epochs are counted apart, each epoch being one point of each curve.
  const [a, b] = found;
  if (overs.length === 1 && a.close === b.close && a.shared === b.shared) {
    const where = a.close === a.shared ? "" : ` at ${share(a)} epochs of each curve`;
    return `${run} (drawn wide: within ${NEAR_PX} px of ${overs[0]}${where})`;
  }
  const parts = found.map((n, i) =>
    `${names[splits[i]]}${overs.length === 1 ? "" : ` of “${n.over}”`} at ${share(n)}` +
    (i === 0 ? " epochs" : "")
  );
  const of = overs.length === 1 ? ` of ${overs[0]}` : "";
  return `${run} (drawn wide: within ${NEAR_PX} px${of}, ${parts.join(", ")})`;
}
