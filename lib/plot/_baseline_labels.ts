/**
 * The labels of `lossCurves()`' baselines (loss.ts): each in the right margin, level with its
 * line, or, where labels would overlap, moved apart around their lines, each as near its own as
 * the others and the figure's edges allow, with a short leader from the line.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { FONT_SIZE, MUTED, textWidth, wrapWords } from "./_dom.ts";
import type { SwatchItem } from "./_legend.ts";
import { significant } from "./_extent.ts";

/** A horizontal reference line and its label. */
interface Baseline {
  value: number;
  label: string;
}

/**
 * Words of `text` in lines of at most `maxWidth` px (a word longer than that is cut); a
 * bracketed group that fits a line stays on one ("(tail validation)", not "(tail" above
 * "validation)").
 */
function wrap(text: string, maxWidth: number, maxLines = 2): string[] {
  const held = text.replace(
    /\([^()]*\)/g,
    (group) => textWidth(group) <= maxWidth ? group.replaceAll(" ", "\u00a0") : group,
  );
  const words = held.split(/[ \t\n]+/).filter((w) => w !== "");
  const lines = wrapWords(words, maxWidth).map((line) => line.replaceAll("\u00a0", " "));
  const fit = (l: string) => {
    while (textWidth(l) > maxWidth && l.length > 2) l = l.slice(0, -2) + "…";
    return l;
  };
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1] + "…";
    return kept.map(fit);
  }
  return lines.map(fit);
}

interface PlacedBaseline {
  value: number;
  lines: string[];
  /** Where the label's middle sits, in data units (may differ from `value` when stacked). */
  at: number;
}

/**
 * Stacks the baseline labels in the right margin, none overlapping another, all inside the
 * figure: labels that would overlap move apart around the middle of their lines (the least
 * squared distance from them), each as near its own line as the others and the edges allow
 * (two labels of lines 14 px apart then each span their own line), while a label with room
 * stays level with its line.
 */
function placeBaselines(
  baselines: Baseline[],
  domain: [number, number],
  frame: { top: number; bottom: number; min: number; max: number },
  maxWidth: number,
): PlacedBaseline[] {
  const lineHeight = FONT_SIZE + 2;
  const toPx = (v: number) =>
    frame.top + (domain[1] - v) / (domain[1] - domain[0]) * (frame.bottom - frame.top);
  const toValue = (px: number) =>
    domain[1] - (px - frame.top) / (frame.bottom - frame.top) * (domain[1] - domain[0]);
  const labels = baselines.map((b) => {
    const lines = [...wrap(b.label, maxWidth), significant(b.value, 3)];
    return { b, lines, height: lines.length * lineHeight, px: toPx(b.value) };
  }).sort((a, b) => a.px - b.px);
  const gap = 4;
  spreadApart(labels, gap);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    l.px = Math.max(l.px, frame.min + l.height / 2);
    if (i > 0) {
      const prev = labels[i - 1];
      l.px = Math.max(l.px, prev.px + (prev.height + l.height) / 2 + gap);
    }
  }
  for (let i = labels.length - 1; i >= 0; i--) {
    const l = labels[i];
    l.px = Math.min(l.px, frame.max - l.height / 2);
    if (i < labels.length - 1) {
      const next = labels[i + 1];
      l.px = Math.min(l.px, next.px - (next.height + l.height) / 2 - gap);
    }
  }
  return labels.map((l) => ({ value: l.b.value, lines: l.lines, at: toValue(l.px) }));
}

/**
 * Moves labels (sorted by `px`, top to bottom) at least `gap` apart with the least sum of
 * squared moves: each run of labels that would overlap is packed around the mean of its
 * labels' places, as in pool-adjacent-violators (isotonic) regression.
 */
function spreadApart(labels: { px: number; height: number }[], gap: number): void {
  // Each label's place less the room the labels above it need: packed labels have equal keys.
  const offsets: number[] = [];
  labels.forEach((l, i) =>
    offsets.push(i === 0 ? 0 : offsets[i - 1] + (labels[i - 1].height + l.height) / 2 + gap)
  );
  const blocks: { sum: number; count: number }[] = [];
  labels.forEach((l, i) => {
    blocks.push({ sum: l.px - offsets[i], count: 1 });
    while (blocks.length > 1) {
      const [a, b] = blocks.slice(-2);
      if (a.sum / a.count <= b.sum / b.count) break;
      blocks.splice(-2, 2, { sum: a.sum + b.sum, count: a.count + b.count });
    }
  });
  let i = 0;
  for (const block of blocks) {
    for (let j = 0; j < block.count; j++, i++) labels[i].px = block.sum / block.count + offsets[i];
  }
}

/**
 * The baselines' labels: in the right margin, level with their line or stacked clear of each
 * other, with a short leader when moved; the right margin they need; their legend entry.
 */
export function baselineLabels(
  baselines: Baseline[],
  name: string,
  domain: [number, number],
  lastEpoch: number,
  band: Parameters<typeof placeBaselines>[2],
): { marks: Plot.Markish[]; marginRight: number; legend: SwatchItem[] } {
  const shown = baselines.filter((b) => b.value >= domain[0] && b.value <= domain[1]);
  const placed = placeBaselines(shown, domain, band, 150);
  const marginRight = placed.length
    ? 28 + Math.ceil(Math.max(...placed.flatMap((d) => d.lines.map((l) => textWidth(l)))))
    : 24;
  const off = baselines.length - shown.length;
  const legend: SwatchItem[] = baselines.length
    ? [{
      label: off ? `${name} (${off} off the scale)` : name,
      color: MUTED,
      shape: "dotted",
    }]
    : [];
  return { marks: baselineLabelMarks(placed, lastEpoch), marginRight, legend };
}

/** The baselines' labels at their places, with a leader to a label moved off its line. */
function baselineLabelMarks(placed: PlacedBaseline[], lastEpoch: number): Plot.Markish[] {
  return [
    Plot.text(placed, {
      x: () => lastEpoch,
      y: "at",
      text: (d: PlacedBaseline) => d.lines.join("\n"),
      textAnchor: "start",
      lineAnchor: "middle",
      dx: 16,
      fill: MUTED,
      clip: false,
    }),
    Plot.link(placed.filter((d) => Math.abs(d.at - d.value) > 1e-12), {
      x1: () => lastEpoch,
      x2: () => lastEpoch,
      y1: "value",
      y2: "at",
      dx: 12,
      stroke: MUTED,
      strokeWidth: 0.8,
      clip: false,
    }),
  ];
}
