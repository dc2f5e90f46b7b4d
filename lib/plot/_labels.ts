// Greedy placement of text labels next to scatter dots (private to lib/plot): each label tries
// ten spots around its dot and takes the first that stays inside the chart and overlaps
// neither another label nor a dot (with `avoidDots` false: nor a labelled dot). Labels that
// fit nowhere are dropped (the dot keeps its hover title).

import { textWidth } from "./_dom.ts";

/** The chart's pixel frame and data domains; the mapping matches a linear Plot scale. */
export interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: [number, number];
  y: [number, number];
}

/** A placed label, in data coordinates, with its text anchor. */
export interface PlacedLabel {
  index: number;
  x: number;
  y: number;
  text: string;
  anchor: "start" | "middle" | "end";
  /** Set when the label sits away from its dot: a leader line runs from the dot to here. */
  leader?: { x: number; y: number };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Pixel position of a data point. */
export function toPixel(frame: Frame, x: number, y: number): [number, number] {
  const px = frame.left + (x - frame.x[0]) / (frame.x[1] - frame.x[0]) * (frame.right - frame.left);
  const py = frame.bottom -
    (y - frame.y[0]) / (frame.y[1] - frame.y[0]) * (frame.bottom - frame.top);
  return [px, py];
}

function toData(frame: Frame, px: number, py: number): [number, number] {
  const x = frame.x[0] + (px - frame.left) / (frame.right - frame.left) * (frame.x[1] - frame.x[0]);
  const y = frame.y[0] +
    (frame.bottom - py) / (frame.bottom - frame.top) * (frame.y[1] - frame.y[0]);
  return [x, y];
}

/**
 * Places labels for the points listed in `order` (most important first).
 * `points` are all dots (they are obstacles); `texts[i]` is the label of point `i`.
 */
export function placeLabels(
  frame: Frame,
  points: { x: number; y: number }[],
  texts: string[],
  order: number[],
  fontSize: number,
  dotRadius: number,
  avoidDots = true,
): { placed: PlacedLabel[]; dropped: number } {
  const pixels = points.map((p) => toPixel(frame, p.x, p.y));
  const r = dotRadius + 1;
  const dots: Box[] = pixels.map(([px, py]) => ({
    x0: px - r,
    y0: py - r,
    x1: px + r,
    y1: py + r,
  }));
  const boxes: Box[] = [];
  const wanted = new Set(order);
  const placed: PlacedLabel[] = [];
  const h = fontSize + 2;
  const gap = dotRadius + 3;
  let dropped = 0;
  for (const i of order) {
    const text = texts[i];
    const w = textWidth(text, fontSize);
    const [px, py] = pixels[i];
    // [anchor x, baseline-centre y, text-anchor] candidates, nearest and most readable first.
    const above = py - gap - h / 2, below = py + gap + h / 2;
    const spots: [number, number, PlacedLabel["anchor"]][] = [
      [px + gap, py, "start"],
      [px - gap, py, "end"],
      [px, above, "middle"],
      [px, below, "middle"],
      [px + gap - 2, above + 3, "start"],
      [px + gap - 2, below - 3, "start"],
      [px - gap + 2, above + 3, "end"],
      [px - gap + 2, below - 3, "end"],
    ];
    const near = spots.length;
    // Farther rings, 12 directions each; a leader line will join label and dot.
    for (const d of [gap + 16, gap + 32]) {
      for (let k = 0; k < 12; k++) {
        const a = (k * Math.PI) / 6;
        const cos = Math.cos(a), sin = Math.sin(a);
        const anchor = cos > 0.35 ? "start" : cos < -0.35 ? "end" : "middle";
        const lift = anchor === "middle" ? Math.sign(sin) * h / 2 : 0;
        spots.push([px + d * cos, py - d * sin - lift, anchor]);
      }
    }
    let done = false;
    for (const [s, [ax, ay, anchor]] of spots.entries()) {
      const x0 = anchor === "start" ? ax : anchor === "end" ? ax - w : ax - w / 2;
      const box = { x0, y0: ay - h / 2, x1: x0 + w, y1: ay + h / 2 };
      if (
        box.x0 < frame.left || box.x1 > frame.right || box.y0 < frame.top ||
        box.y1 > frame.bottom
      ) continue;
      if (boxes.some((b) => overlaps(b, box))) continue;
      if (dots.some((d, j) => (avoidDots || wanted.has(j)) && j !== i && overlaps(d, box))) {
        continue;
      }
      let leader: PlacedLabel["leader"];
      if (s >= near) {
        const ex = anchor === "start" ? box.x0 - 1 : anchor === "end" ? box.x1 + 1 : ax;
        const ey = anchor === "middle" ? (ay < py ? box.y1 : box.y0) : ay;
        const [lx, ly] = toData(frame, ex, ey);
        leader = { x: lx, y: ly };
      }
      boxes.push(box);
      const [x, y] = toData(frame, ax, ay);
      placed.push({ index: i, x, y, text, anchor, leader });
      done = true;
      break;
    }
    if (!done) dropped++;
  }
  return { placed, dropped };
}
