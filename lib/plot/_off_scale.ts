// The note under a loss plot whose fixed y range cuts points off (private to lib/plot): which
// series leave the frame, at which epochs, and how far, in one caption line that fits the
// figure ("Off the scale (above 2): train 2.67 at epoch 1").

import { textWidth } from "./_dom.ts";
import { significant } from "./_extent.ts";

/** One plotted point, as loss.ts holds it. */
export interface ScalePoint {
  run: string;
  split: "train" | "validation";
  epoch: number;
  value: number;
}

/** How the note names things, and the room it has. */
export interface OffScaleStyle {
  /** Several runs: each run's points are named with the run. */
  multi: boolean;
  /** The legend's names of the two series. */
  names: Record<ScalePoint["split"], string>;
  /** The widest the caption may be (px). */
  maxWidth: number;
  /** The caller's own caption, which the note follows. */
  caption?: string;
}

/** A number as the note writes it: 3 significant digits, no trailing zeros. */
const short = (v: number) => significant(v, 3);

/** "epoch 3", "epochs 1–7" for consecutive epochs, else "5 epochs" (`list` ascending). */
export function epochSpan(list: number[]): string {
  if (list.length === 1) return `epoch ${list[0]}`;
  const contiguous = list[list.length - 1] - list[0] + 1 === list.length;
  return contiguous ? `epochs ${list[0]}–${list[list.length - 1]}` : `${list.length} epochs`;
}

/** The points of one side (above or below the range), grouped by run and split. */
type Side = Map<string, Map<ScalePoint["split"], ScalePoint[]>>;

function sideOf(points: ScalePoint[]): Side {
  const side: Side = new Map();
  for (const p of points) {
    if (!side.has(p.run)) side.set(p.run, new Map());
    const splits = side.get(p.run)!;
    if (!splits.has(p.split)) splits.set(p.split, []);
    splits.get(p.split)!.push(p);
  }
  return side;
}

/**
 * One run's points: `train 8.54 and validation 3.39 at epoch 1`, `test and validation at
 * epochs 1–12 (up to 7.62)`, or per series `train at epochs 1–7 (up to 7.45) and …` (with
 * `each` false, one extreme for the run: `train at epochs 1–7 and … (up to 7.45)`).
 */
function detailed(
  splits: Map<ScalePoint["split"], ScalePoint[]>,
  names: OffScaleStyle["names"],
  extreme: (values: number[]) => string,
  each = true,
): string {
  const lists = [...splits.entries()];
  const epochsOf = (ps: ScalePoint[]) => ps.map((p) => p.epoch).sort((a, b) => a - b);
  const same = lists.every(([, ps]) =>
    epochSpan(epochsOf(ps)) === epochSpan(epochsOf(lists[0][1]))
  );
  if (same && lists[0][1].length === 1) {
    const values = lists.map(([split, [p]]) => `${names[split]} ${short(p.value)}`);
    return `${values.join(" and ")} at epoch ${lists[0][1][0].epoch}`;
  }
  if (same) {
    const all = lists.flatMap(([, ps]) => ps.map((p) => p.value));
    return `${lists.map(([split]) => names[split]).join(" and ")} at ${
      epochSpan(epochsOf(lists[0][1]))
    } (${extreme(all)})`;
  }
  if (!each) {
    const all = lists.flatMap(([, ps]) => ps.map((p) => p.value));
    const where = lists.map(([split, ps]) => `${names[split]} at ${epochSpan(epochsOf(ps))}`);
    return `${where.join(" and ")} (${extreme(all)})`;
  }
  return lists.map(([split, ps]) =>
    `${names[split]} at ${epochSpan(epochsOf(ps))} (${extreme(ps.map((p) => p.value))})`
  ).join(" and ");
}

/**
 * The caption of a loss plot with a fixed y range: the caller's caption (if any) followed by
 * what lies outside the range, in the most detailed of four forms that fits `maxWidth` (each
 * series' epochs and extreme; each series' epochs and the run's extreme; each series' number
 * of points and the run's extreme; all points), or the caption alone when every point is inside.
 */
export function offScaleNote(
  points: ScalePoint[],
  ylim: [number, number],
  style: OffScaleStyle,
): string | undefined {
  const sides = [
    { word: "above", bound: ylim[1], points: points.filter((p) => p.value > ylim[1]) },
    { word: "below", bound: ylim[0], points: points.filter((p) => p.value < ylim[0]) },
  ].filter((s) => s.points.length > 0);
  if (!sides.length) return style.caption;
  const forms = [0, 1, 2, 3].map((level) =>
    sides.map((s) => {
      const values = (ps: ScalePoint[]) => ps.map((p) => p.value);
      const pick = (v: number[]) => s.word === "above" ? Math.max(...v) : Math.min(...v);
      const extreme = (v: number[]) =>
        v.length === 1 ? short(v[0]) : `${s.word === "above" ? "up" : "down"} to ${short(pick(v))}`;
      const side = sideOf(s.points);
      const count = (n: number) => `${n} point${n === 1 ? "" : "s"}`;
      let body: string;
      if (level === 3) {
        const runs = style.multi ? ` of ${side.size} run${side.size === 1 ? "" : "s"}` : "";
        body = `${count(s.points.length)}${runs} (${extreme(values(s.points))})`;
      } else {
        body = [...side.entries()].map(([run, splits]) => {
          const ps = [...splits.values()].flat();
          const perSeries = [...splits.entries()].map(([split, list]) =>
            `${list.length} ${style.names[split]}`
          );
          const text = level < 2
            ? detailed(splits, style.names, extreme, level === 0)
            : `${perSeries.join(", ")} point${ps.length === 1 ? "" : "s"} (${extreme(values(ps))})`;
          return style.multi ? `${run}, ${text}` : text;
        }).join("; ");
      }
      return `(${s.word} ${significant(s.bound, 6)}): ${body}`;
    }).join(". Off the scale ")
  ).map((f) => `Off the scale ${f}`);
  const lead = style.caption ? `${style.caption.replace(/[\s.;]+$/, "")}. ` : "";
  const fits = forms.find((f) => textWidth(lead + f) <= style.maxWidth);
  return lead + (fits ?? forms[forms.length - 1]);
}
