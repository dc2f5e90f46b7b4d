// Greedy placement of text labels next to scatter dots (private to lib/plot). Each label, most
// important first, tries eight spots by its dot: two level with it ("beside": directly left or
// right of it, centred on its height), then six over or under it ("over": centred above or
// below it, or off to one side with a corner at it); then spots on two rings farther out, joined
// to the dot by a leader line. It takes the best spot that breaks no rule:
//
// - the label stays inside the chart and overlaps no other label or leader line;
// - every other dot is an obstacle (with `obstacles: "labelled"`, every other labelled dot):
//   the label keeps `CLEAR` px off its edge, and a leader line passes no closer than
//   `LEADER_CLEAR` px to its edge and crosses no label and no other leader;
// - a label with no leader line must read as its own dot's at a glance. A reader takes a label
//   for the dot that its near end, its near corner or the middle of its near edge points at,
//   and hesitates whenever another dot is about as near some other part of it: under the span
//   of a label set above its dot, say (between the two, or just past the dot), or level with
//   such a label by one of its ends. So every other dot must be at least `BESIDE_RATIO` (2)
//   times as far from the label's box as its own dot is, for a label beside its dot, and
//   `OVER_RATIO` (3) times, for a label over or under it (read less surely), and `NEAREST` px
//   farther in any case. With the usual 4 px dots, a label sits 7 px from its dot (6.4 px, by
//   its corner): no other dot comes within 14 px of a label beside its dot, nor within 21 px
//   (19.2 px) of a label over one. Where no spot by the dot meets this, a leader line tells it;
// - a label at the end of a leader must have its own dot nearest, by `NEAREST` px, or else
//   every other dot at least twice as far off as a label beside a dot sits.
//
// (A dot within `SAME` px of the labelled one is drawn on it: a label there points at the right
// place, so it is no other dot.) Spots where the label's own dot is its nearest come first;
// among equals, the first in the order above wins: beside, over, then the nearer ring. A label
// that fits nowhere is dropped rather than placed ambiguously (its dot keeps its hover title,
// and the caller names it in the caption). Same input, same output.
//
// Optionally, each dot whose label was dropped then gets a number key, placed by the same rules
// (the same ratios) with its much smaller box and closer leader rings, clear of the labels,
// leaders and keys already placed; the caller lists the numbers with their titles in the
// caption. Unlabelled dots that touch get a number each where the rules let the numbers tell
// them apart (for a pair of dots 8 px apart side by side, one left of the left dot and one
// right of the right dot; for dots less than 7 px apart, where a number beside one is not
// twice as far from the other, each at the end of a leader leaving the pair away from the
// other dot), else one key that holds the number of each ("13,14").

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
  /**
   * The other points a number key stands for: unlabelled dots touching or on its own that
   * numbers of their own could not tell apart.
   */
  also?: number[];
}

/** What {@linkcode placeLabels} places and how. */
export interface PlaceOptions {
  /** `texts[i]` is the label of point `i`. */
  texts: string[];
  /** The points to label, most important first. */
  order: number[];
  /** Label font size (px). */
  fontSize: number;
  /** Radius (px) of a dot, as drawn (or of the ring drawn around a labelled dot). */
  dotRadius: number;
  /**
   * Which dots labels keep clear of: `"all"`, or only the `"labelled"` ones (a dense map where
   * the labelled dots are ringed, so that the ring, not the distance, tells which dot it is).
   */
  obstacles: "all" | "labelled";
  /**
   * Give each point whose label found no room a number key instead, where one fits (see
   * {@linkcode placeLabels}).
   * @default {false}
   */
  keys?: boolean;
}

/** A pixel position. */
export type Point = [number, number];
/** A line segment, in pixels. */
export type Segment = [Point, Point];

/** A label box or a dot, in pixels. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Least gap (px) between a label and the edge of a dot that is not its own. */
export const CLEAR = 3;
/** Least gap (px) between a leader line and the edge of a dot that is not its own. */
export const LEADER_CLEAR = 4;
/** Dots closer than this (px) to a labelled dot count as drawn on it, not as other dots. */
export const SAME = 1.5;
/**
 * How much nearer (px) a label is to its own dot than to any other, at least (a label with no
 * leader line: by {@linkcode BESIDE_RATIO} or {@linkcode OVER_RATIO} too).
 */
export const NEAREST = 4;

/**
 * How many times as far from a label level with its dot (beside it, no leader line) as that
 * dot every other dot is, at least: no other dot sits by the label's near end, over or under
 * its text or past its far end even half as near as its own dot sits by the near end.
 */
export const BESIDE_RATIO = 2;
/**
 * How many times as far from a label above or below its dot (centred over it, or off to one
 * side with a corner at it; no leader line) as that dot every other dot is, at least: no other
 * dot lies under (over) the label's span between the label and its dot or just past the dot,
 * nor level with the label by one of its ends, where it would read as the label's dot. (A label
 * over its dot is read less surely than one beside it, hence the larger ratio.)
 */
export const OVER_RATIO = 3;

/**
 * Whether a label whose box is `own` px from its dot, and `nearest` px from the nearest other,
 * reads as its dot's without a leader line: `NEAREST` px nearer, and by the ratio of its spot.
 */
function readAsOwn(kind: "beside" | "over", own: number, nearest: number): boolean {
  const ratio = kind === "beside" ? BESIDE_RATIO : OVER_RATIO;
  return own + NEAREST <= nearest && ratio * own <= nearest;
}

const overlaps = (a: Box, b: Box, pad = 0) =>
  a.x0 < b.x1 + pad && b.x0 < a.x1 + pad && a.y0 < b.y1 + pad && b.y0 < a.y1 + pad;

/** Distance (px) from a point to a box (0 inside). */
export function boxDistance(box: Box, [px, py]: Point): number {
  const dx = Math.max(box.x0 - px, 0, px - box.x1);
  const dy = Math.max(box.y0 - py, 0, py - box.y1);
  return Math.hypot(dx, dy);
}

/** Distance (px) from a point to the segment a–b. */
export function segmentDistance([a, b]: Segment, [px, py]: Point): number {
  const [ax, ay] = a, [bx, by] = b;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Whether the segment a–b passes through the box (Liang–Barsky clipping). */
function segmentHitsBox([a, b]: Segment, box: Box): boolean {
  const [ax, ay] = a;
  const dx = b[0] - ax, dy = b[1] - ay;
  let t0 = 0, t1 = 1;
  for (
    const [p, q] of [
      [-dx, ax - box.x0],
      [dx, box.x1 - ax],
      [-dy, ay - box.y0],
      [dy, box.y1 - ay],
    ]
  ) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** Whether segments a–b and c–d cross. */
function segmentsCross([a, b]: Segment, [c, d]: Segment): boolean {
  const side = (p: Point, q: Point, r: Point) =>
    Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;
}

/** Pixel position of a data point. */
export function toPixel(frame: Frame, x: number, y: number): Point {
  const px = frame.left + (x - frame.x[0]) / (frame.x[1] - frame.x[0]) * (frame.right - frame.left);
  const py = frame.bottom -
    (y - frame.y[0]) / (frame.y[1] - frame.y[0]) * (frame.bottom - frame.top);
  return [px, py];
}

function toData(frame: Frame, px: number, py: number): Point {
  const x = frame.x[0] + (px - frame.left) / (frame.right - frame.left) * (frame.x[1] - frame.x[0]);
  const y = frame.y[0] +
    (frame.bottom - py) / (frame.bottom - frame.top) * (frame.y[1] - frame.y[0]);
  return [x, y];
}

/** The pixel box of a label whose text is anchored at (ax, ay), ay being its middle. */
export function labelBox(
  ax: number,
  ay: number,
  anchor: PlacedLabel["anchor"],
  text: string,
  fontSize: number,
): Box {
  const w = textWidth(text, fontSize), h = fontSize + 2;
  const x0 = anchor === "start" ? ax : anchor === "end" ? ax - w : ax - w / 2;
  return { x0, y0: ay - h / 2, x1: x0 + w, y1: ay + h / 2 };
}

/** The leader line from a dot to the near edge of its label's box, anchored at `at`. */
function leaderTo(box: Box, anchor: PlacedLabel["anchor"], at: Point, dot: Point): Segment {
  const ex = anchor === "start" ? box.x0 - 1 : anchor === "end" ? box.x1 + 1 : at[0];
  const ey = anchor === "middle" ? (at[1] < dot[1] ? box.y1 : box.y0) : at[1];
  return [dot, [ex, ey]];
}

/**
 * Where a spot lies from its dot: `"beside"` it (left or right, centred on its height),
 * `"over"` it (above or below, centred over it or off to one side with a corner at it), or on a
 * ring farther out, at the end of a `"leader"` line.
 */
type SpotKind = "beside" | "over" | "leader";

/** Spots around a dot at (px, py): [anchor x, middle y, text anchor, where it lies]. */
function spotsAround(
  px: number,
  py: number,
  gap: number,
  h: number,
  rings: number[],
): [number, number, PlacedLabel["anchor"], SpotKind][] {
  const above = py - gap - h / 2, below = py + gap + h / 2;
  const spots: [number, number, PlacedLabel["anchor"], SpotKind][] = [
    [px + gap, py, "start", "beside"],
    [px - gap, py, "end", "beside"],
    [px, above, "middle", "over"],
    [px, below, "middle", "over"],
    [px + gap - 2, above + 3, "start", "over"],
    [px + gap - 2, below - 3, "start", "over"],
    [px - gap + 2, above + 3, "end", "over"],
    [px - gap + 2, below - 3, "end", "over"],
  ];
  // Farther rings, 12 directions each; a leader line will join label and dot.
  for (const d of rings.map((ring) => gap + ring)) {
    for (let k = 0; k < 12; k++) {
      const a = (k * Math.PI) / 6;
      const cos = Math.cos(a), sin = Math.sin(a);
      const anchor = cos > 0.35 ? "start" : cos < -0.35 ? "end" : "middle";
      const lift = anchor === "middle" ? Math.sign(sin) * h / 2 : 0;
      spots.push([px + d * cos, py - d * sin - lift, anchor, "leader"]);
    }
  }
  return spots;
}

/** Where labels and keys are already drawn, and the dots they keep clear of, in pixels. */
interface Taken {
  pixels: Point[];
  /** The dots that are obstacles. */
  others: number[];
  boxes: Box[];
  leaders: Segment[];
}

/**
 * The best spot for `text` by the dot `i` (see the rules at the top of this file), recorded in
 * `taken`; `null` if there is none. `rings` are the distances (px, beyond the gap beside a dot)
 * of the spots joined to the dot by a leader line.
 */
function placeOne(
  frame: Frame,
  taken: Taken,
  i: number,
  text: string,
  fontSize: number,
  dotRadius: number,
  rings: number[],
  mates: number[] = [],
  partners: number[] = [],
): PlacedLabel | null {
  const { pixels, others, boxes, leaders } = taken;
  const h = fontSize + 2;
  const gap = dotRadius + 3;
  const [px, py] = pixels[i];
  let best: { tier: number; label: PlacedLabel; box: Box; line?: Segment } | null = null;
  // The other dots, but for those drawn on this one (a label there points at the right place).
  // (Nor the mates of a shared key.)
  const rivals = others.filter((j) =>
    Math.hypot(pixels[j][0] - px, pixels[j][1] - py) >= SAME && !mates.includes(j)
  );
  for (const [ax, ay, anchor, kind] of spotsAround(px, py, gap, h, rings)) {
    const hasLeader = kind === "leader";
    const box = labelBox(ax, ay, anchor, text, fontSize);
    if (
      box.x0 < frame.left || box.x1 > frame.right || box.y0 < frame.top ||
      box.y1 > frame.bottom
    ) continue;
    if (boxes.some((b) => overlaps(b, box, 1))) continue;
    if (leaders.some((line) => segmentHitsBox(line, box))) continue;
    const own = boxDistance(box, [px, py]);
    if (own < dotRadius + 1) continue;
    // A shared key covers none of the dots it stands for.
    if (mates.some((j) => boxDistance(box, pixels[j]) < dotRadius + 1)) continue;
    // The nearest other dot (an obstacle): its distance from the label.
    let nearest = Infinity;
    for (const j of rivals) {
      nearest = Math.min(nearest, boxDistance(box, pixels[j]));
    }
    if (nearest < dotRadius + CLEAR) continue;
    const line = hasLeader ? leaderTo(box, anchor, [ax, ay], [px, py]) : undefined;
    // A dot's own key beside a partner touching it: a leader leaving the pair straight away
    // from the partner (within 45°) starts in the dot and tells it from the partner; it passes
    // the partner only where it starts. Beside the dot, the usual rules tell them apart.
    const away = line !== undefined && partners.every((j) => {
      const [ox, oy] = [px - pixels[j][0], py - pixels[j][1]];
      const [lx, ly] = [line[1][0] - px, line[1][1] - py];
      return ox * lx + oy * ly >= Math.SQRT1_2 * Math.hypot(ox, oy) * Math.hypot(lx, ly);
    });
    if (line !== undefined && partners.length > 0 && !away) continue;
    if (
      line !== undefined && (
        rivals.some((j) =>
          !partners.includes(j) && segmentDistance(line, pixels[j]) < dotRadius + LEADER_CLEAR
        ) ||
        boxes.some((other) => segmentHitsBox(line, other)) ||
        leaders.some((other) => segmentsCross(line, other))
      )
    ) continue;
    // Tier 0: its own dot is the nearest, by NEAREST px, and beside or over its dot by the
    // ratio that lets a reader tell it at a glance. Tier 1 (leader lines only): another dot is
    // nearer, but twice as far off as a label beside its dot sits.
    const tier = hasLeader
      ? (own + NEAREST <= nearest ? 0 : nearest >= 2 * gap ? 1 : 2)
      : (readAsOwn(kind, own, nearest) ? 0 : 2);
    if (tier === 2) continue;
    if (best !== null && best.tier <= tier) continue;
    const [x, y] = toData(frame, ax, ay);
    const leader = line && toData(frame, line[1][0], line[1][1]);
    best = {
      tier,
      box,
      line,
      label: { index: i, x, y, text, anchor, leader: leader && { x: leader[0], y: leader[1] } },
    };
    if (tier === 0) break;
  }
  if (best === null) return null;
  boxes.push(best.box);
  if (best.line) leaders.push(best.line);
  return best.label;
}

/**
 * The text of a key standing for `count` dots numbered from `first`: "7", or "13,14" for two
 * dots drawn on one another (each keeps its own number in the caption).
 */
const numbers = (first: number, count: number) =>
  Array.from({ length: count }, (_, k) => first + k).join(",");

/** Leader rings of a title label: 16 and 32 px beyond the gap beside its dot. */
const LABEL_RINGS = [16, 32];
/**
 * Leader rings of a number key, whose box is small: nearer in (a dot among others may have no
 * spot beside it clear by the ratios), and as far as a label's.
 */
const KEY_RINGS = [8, 16, 24, 32];

/**
 * Places labels for the points listed in `options.order` (most important first), keeping each
 * one unambiguous (see the rules at the top of this file). With `options.keys`, each point whose
 * label found no room then gets a number key by the same rules (its smaller box fits where the
 * title does not): 1, 2, 3, … in reading order of the dots (top to bottom, then left to right;
 * a touching dot with a key of its own right after its neighbour's), counting only the keys that
 * found room. Unlabelled dots less than a dot's width apart get a key each where each can have
 * one by the rules (beside its dot, or at the end of a leader leaving the pair straight away
 * from the other dot), else share one key that gives each its own number ("13,14"; `also` lists
 * the others); if that finds no room either, those of their own keys that did are kept.
 *
 * @returns The placed labels, the points whose label found no room (in `order`'s order), and
 * the number keys placed (in number order; `text` is the number, or the numbers of a shared
 * key: its dot's, then those of `also`).
 */
export function placeLabels(
  frame: Frame,
  points: { x: number; y: number }[],
  options: PlaceOptions,
): { placed: PlacedLabel[]; dropped: number[]; keys: PlacedLabel[] } {
  const { texts, order, fontSize, dotRadius, obstacles } = options;
  const pixels = points.map((p) => toPixel(frame, p.x, p.y));
  const wanted = new Set(order);
  const others = pixels.map((_, j) => j).filter((j) => obstacles === "all" || wanted.has(j));
  const taken: Taken = { pixels, others, boxes: [], leaders: [] };
  const placed: PlacedLabel[] = [];
  const dropped: number[] = [];
  for (const i of order) {
    const label = placeOne(frame, taken, i, texts[i], fontSize, dotRadius, LABEL_RINGS);
    if (label === null) dropped.push(i);
    else placed.push(label);
  }
  const keys: PlacedLabel[] = [];
  if (options.keys) {
    const reading = [...dropped].sort((a, b) =>
      pixels[a][1] - pixels[b][1] || pixels[a][0] - pixels[b][0] || a - b
    );
    // Unlabelled dots that touch or lie on one another share a key: a number beside them could
    // not tell them apart.
    const groups: number[][] = [];
    const grouped = new Set<number>();
    for (const i of reading) {
      if (grouped.has(i)) continue;
      const group = reading.filter((j) =>
        !grouped.has(j) &&
        Math.hypot(pixels[j][0] - pixels[i][0], pixels[j][1] - pixels[i][1]) < 2 * dotRadius
      );
      group.forEach((j) => grouped.add(j));
      groups.push(group);
    }
    // Each key is tried with the number it would get if every key before it found room; the
    // keys that did are then numbered 1, 2, 3, … A number only loses digits in the renumbering,
    // and its box shrinks towards its anchor, so the spot stays clear.
    let tried = 0;
    const keyFor = (i: number, mates: number[] = [], partners: number[] = []) => {
      const first = tried + 1;
      tried += 1 + mates.length;
      return placeOne(
        frame,
        taken,
        i,
        numbers(first, mates.length + 1),
        fontSize,
        dotRadius,
        KEY_RINGS,
        mates,
        partners,
      );
    };
    for (const [i, ...mates] of groups) {
      // Touching dots first try a number each (the rules keep each nearest its own dot); dots
      // drawn on one another cannot have that.
      const apart = [i, ...mates].every((a, m, all) =>
        all.slice(m + 1).every((b) =>
          Math.hypot(pixels[a][0] - pixels[b][0], pixels[a][1] - pixels[b][1]) >= SAME
        )
      );
      const [boxes, leaders] = [taken.boxes.length, taken.leaders.length];
      const group = [i, ...mates];
      const own = mates.length > 0 && apart
        ? group.map((j) => keyFor(j, [], group.filter((k) => k !== j)))
        : [];
      if (own.length > 0 && own.every((key) => key !== null)) {
        keys.push(...own as PlacedLabel[]);
        continue;
      }
      // Else one key for them all, in place of the numbers of their own that found room.
      const ownBoxes = taken.boxes.splice(boxes), ownLeaders = taken.leaders.splice(leaders);
      const shared = keyFor(i, mates);
      if (shared !== null) keys.push(mates.length > 0 ? { ...shared, also: mates } : shared);
      else {
        taken.boxes.push(...ownBoxes);
        taken.leaders.push(...ownLeaders);
        keys.push(...own.filter((key) => key !== null));
      }
    }
    let next = 1;
    for (const key of keys) {
      key.text = numbers(next, 1 + (key.also?.length ?? 0));
      next += 1 + (key.also?.length ?? 0);
    }
  }
  return { placed, dropped, keys };
}
