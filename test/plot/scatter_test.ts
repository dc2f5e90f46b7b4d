import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  embeddingScatter,
  type ScatterPoint,
  type TsnePoint,
  tsneScatter,
} from "../../lib/plot/scatter.ts";
import {
  type Frame,
  labelBox,
  type PlacedLabel,
  placeLabels,
  toPixel,
} from "../../lib/plot/_labels.ts";
import { keyLayout, shortLabels, textWidth } from "../../lib/plot/_dom.ts";
import type { PlotFigure } from "../../lib/plot/figure.ts";
import { createRng } from "../../lib/random.ts";
import { all, axisLabels, mark, texts, tickLabels, titles, unwritten } from "./_svg.ts";
import { deltaE2000, lab, type Vision } from "./_color.ts";

const movies = [
  { x: 0.8, y: 0.1, title: "Star Wars (1977)" },
  { x: 0.7, y: 0.35, title: "Return of the Jedi (1983)" },
  { x: -0.5, y: -0.2, title: "Fargo (1996)" },
  { x: -0.1, y: 0.6, title: "Willy Wonka and the Chocolate Factory (1971)" },
];

/** The title labels (not the number keys) of a scatter. */
const LABELS = 'g[aria-label="text"]:not(.number-key) text';
const labelTexts = (fig: ReturnType<typeof embeddingScatter>) =>
  all(fig, LABELS).map((t) => t.textContent);

Deno.test("embeddingScatter() draws a dot per movie with its title on hover and as a label", () => {
  const fig = embeddingScatter(movies, { xLabel: "PC1", yLabel: "PC3" });
  assertEquals(fig.element.querySelectorAll('g[aria-label="dot"] circle').length, 4);
  assertEquals(titles(fig), movies.map((m) => m.title));
  assertEquals(axisLabels(fig), { x: "PC1", y: "PC3" });
  const labels = labelTexts(fig);
  assertEquals(labels.length, 4);
  assert(labels.includes("Fargo (1996)"));
  assert(labels.includes("Willy Wonka and the… (1971)"), "long labels are cut, year kept");
  assertEquals(fig.summary, "[figure: embedding scatter, 4 points]");
});

Deno.test("embeddingScatter() can leave the labels out", () => {
  const fig = embeddingScatter(movies, { labels: false });
  assertEquals(labelTexts(fig), []);
  assertEquals(titles(fig).length, 4, "hover titles stay");
});

/** The caption of a figure (the italic text under the chart, whole even when it wraps), or "". */
const captionOf = (fig: PlotFigure) =>
  (Array.from(fig.element.children)
    .filter((c) => c.tagName.toLowerCase() === "text" && c.getAttribute("font-style") === "italic")
    .at(-1)?.textContent ?? "").replaceAll("\u00a0", " ");

/**
 * The key under a map (`g[aria-label="key"]`): its heading, then each number with what it
 * stands for, as drawn (the number's and the entry's `<text>`).
 */
function keyOf(fig: PlotFigure) {
  const key = fig.element.querySelector('g[aria-label="key"]');
  if (key === null) return { heading: null, entries: [] };
  const numbers = Array.from(key.querySelectorAll("text.key-number"));
  const titles = Array.from(key.querySelectorAll("text.key-entry"));
  assertEquals(numbers.length, titles.length, "a title for each number of the key");
  return {
    heading: key.querySelector("text")!.textContent,
    entries: numbers.map((number, k) => ({ number, title: titles[k] })),
  };
}

/**
 * What a scatter says about its dots: the titles of the numbered dots (`keys[n - 1]` for number
 * n, from the key under the map), the dots its caption names as not labelled, and how many more
 * it counts.
 */
function captionKeys(fig: PlotFigure) {
  const caption = captionOf(fig);
  const keys = keyOf(fig).entries.map(({ number, title }, k) => {
    assertEquals(Number(number.textContent), k + 1, "keys are numbered 1, 2, 3, …");
    return title.textContent!;
  });
  const [, named, more] = caption.match(/Not labelled \(no room\): (.*?)(?: and (\d+) more)?\. /) ??
    [];
  return { caption, keys, named: named?.split("; ") ?? [], more: Number(more ?? 0) };
}

/** The numbers a drawn key holds: "7", or "13,14" for dots drawn on one another. */
const keyNumbers = (text: string) => text.split(",").map(Number);

/**
 * Checks that every point of an embedding scatter is labelled, numbered (once, the numbers in
 * reading order of the dots) or named in the caption, and returns how many were each.
 */
function accountFor(fig: PlotFigure, points: ScatterPoint[]) {
  const titles = points.map((p) => p.title);
  const short = shortLabels(titles, 32), inKey = short;
  const labels = labelTexts(fig) as string[];
  const { caption, keys, named, more } = captionKeys(fig);
  const drawnNumbers = all(fig, "g.number-key text").flatMap((t) => keyNumbers(t.textContent!));
  assertEquals(
    drawnNumbers.sort((a, b) => a - b),
    keys.map((_, k) => k + 1),
    "each number of the key is drawn once",
  );
  const seen = [
    ...labels.map((l) => short.indexOf(l)),
    ...keys.map((k) => inKey.indexOf(k)),
    ...named.map((n) => short.indexOf(n)),
  ];
  assert(!seen.includes(-1), `every name is a point's label: ${caption}`);
  assertEquals(new Set(seen).size, seen.length, `a point is named once: ${caption}`);
  assertEquals(seen.length + more, points.length, `every point accounted for: ${caption}`);
  // Reading order: top to bottom, then left to right.
  const { dots } = drawn(fig);
  const at = (name: string) => dots.find((d) => inKey[titles.indexOf(d.title)] === name)!;
  // (A touching dot with a number of its own, or in the same key, comes right after its
  // neighbour.)
  const firsts = keys.map(at);
  let head = firsts[0];
  for (let k = 1; k < firsts.length; k++) {
    const a = firsts[k - 1], b = firsts[k];
    if (Math.hypot(a.x - b.x, a.y - b.y) < 8) continue;
    assert(
      head.y < b.y || (head.y === b.y && head.x <= b.x),
      `key ${k + 1} comes after key ${k} in reading order`,
    );
    head = b;
  }
  return { labels: labels.length, keys: keys.length, named: named.length, more, caption };
}

Deno.test("embeddingScatter() numbers the dots whose label cannot fit, and lists the numbers", () => {
  // 30 movies in a grid of dots 11 px apart: only a few labels fit, but numbers do.
  const crowd = Array.from({ length: 30 }, (_, i) => ({
    x: 1 + (i % 6) * 0.05,
    y: 1 + Math.floor(i / 6) * 0.05,
    title: `Movie number ${i} (1990)`,
  })).concat([{ x: -1, y: -1, title: "Far away (1999)" }]);
  const fig = embeddingScatter(crowd);
  const placed = labelTexts(fig);
  assert(placed.length < 31 && placed.length > 1, `placed ${placed.length}`);
  assert(placed.includes("Movie number 0 (1990)"), "the first points get labels first");
  const counts = accountFor(fig, crowd);
  assert(counts.keys >= 3, counts.caption);
  assertEquals(keyOf(fig).heading, "Numbered dots:");
  assertMatch(captionKeys(fig).keys[0], /^Movie number \d+ \(1990\)$/);
  assertMatch(counts.caption, /Hover .* trusted/);
});

Deno.test("embeddingScatter() names the points that get neither a label nor a number", () => {
  // A pile of dots 5 px apart: a number beside one of them is as near another.
  const pile = Array.from({ length: 12 }, (_, i) => ({
    x: (i % 4) * 0.01,
    y: Math.floor(i / 4) * 0.01,
    title: `Pile movie ${i} (1995)`,
  })).concat([{ x: 1, y: 1, title: "Fargo (1996)" }]);
  const fig = embeddingScatter(pile);
  const counts = accountFor(fig, pile);
  assert(counts.named > 0, counts.caption);
  assertMatch(counts.caption, /Not labelled \(no room\): Pile movie \d+ \(1995\)/);
  assertMatch(
    counts.caption,
    /\. Hover shows every title where the notebook is trusted or exported\.$/,
  );
});

/** A label as drawn: its box (px), text, own dot and leader line, in chart coordinates. */
interface DrawnLabel {
  text: string;
  box: { x0: number; x1: number; y0: number; y1: number };
  leader?: [number, number, number, number];
}

/** Reads the dots (centre, title) and labels of an embedding scatter from its SVG. */
function drawn(fig: PlotFigure) {
  const dots = all(fig, 'g[aria-label="dot"] circle').map((c) => ({
    x: Number(c.getAttribute("cx")),
    y: Number(c.getAttribute("cy")),
    title: c.querySelector("title")!.textContent!,
  }));
  const leaders = all(fig, 'g[aria-label="link"] path').map((p) =>
    p.getAttribute("d")!.match(/-?[\d.]+/g)!.map(Number) as [number, number, number, number]
  );
  const box = (t: ReturnType<typeof all>[number]) => {
    const [x, y] = t.getAttribute("transform")!.match(/-?[\d.]+/g)!.map(Number);
    const anchor = (t as unknown as { parentNode: { getAttribute(n: string): string | null } })
      .parentNode.getAttribute("text-anchor") ?? "middle";
    const text = t.textContent!;
    const w = textWidth(text, 11);
    const x0 = anchor === "start" ? x : anchor === "end" ? x - w : x - w / 2;
    return { text, box: { x0, x1: x0 + w, y0: y - 6.5, y1: y + 6.5 } };
  };
  const labels: DrawnLabel[] = all(fig, LABELS).map(box);
  const keys: DrawnLabel[] = all(fig, "g.number-key text").map(box);
  return { dots, leaders, labels, keys };
}

const boxDistance = (b: DrawnLabel["box"], x: number, y: number) =>
  Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));

function segmentDistance([ax, ay, bx, by]: number[], x: number, y: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/**
 * Whether a label or key with no leader line reads as its own dot's: every other dot at least
 * twice as far from its box as its own dot (a label level with its dot, `beside`), or three
 * times (a label over or under its dot), and 4 px farther in any case (`slack` for rounding).
 */
function readsAsOwn(beside: boolean, mine: number, nearest: number, slack = 0.3): boolean {
  return mine + 4 - slack <= nearest && (beside ? 2 : 3) * mine - slack <= nearest;
}

/** Whether a label's box is level with the dot at height `y` (centred on it, beside it). */
const level = (box: DrawnLabel["box"], y: number) => Math.abs((box.y0 + box.y1) / 2 - y) < 0.3;

const crowded = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/scatter_crowded.json", import.meta.url)),
) as Record<string, ScatterPoint[]>;

for (const [name, points] of Object.entries(crowded)) {
  Deno.test(`embeddingScatter() puts labels nearest their own dot, off others (${name})`, () => {
    // The dots of the audited maps (x and y in pixels), where labels sat next to other dots.
    const fig = embeddingScatter(points);
    const { dots, leaders, labels } = drawn(fig);
    const short = shortLabels(points.map((p) => p.title), 32);
    const r = 4, slack = 0.3; // Dot radius; the SVG rounds positions to 0.1 px.
    // (Over half: where no spot by its dot reads clearly as its own, a title gets a number.)
    assert(labels.length >= points.length * 0.5, `${labels.length} labels`);
    const counts = accountFor(fig, points);
    assertEquals(counts.more, 0, `every point numbered or named: ${counts.caption}`);
    for (const label of labels) {
      const own = dots.find((d) =>
        short[points.findIndex((p) => p.title === d.title)] === label.text
      )!;
      const leader = leaders.find((l) => Math.hypot(l[0] - own.x, l[1] - own.y) < 0.5);
      const mine = boxDistance(label.box, own.x, own.y);
      const others = dots.filter((d) => Math.hypot(d.x - own.x, d.y - own.y) >= 1.5);
      const nearest = Math.min(...others.map((d) => boxDistance(label.box, d.x, d.y)));
      const what = `"${label.text}": own dot ${mine.toFixed(1)} px, another ${
        nearest.toFixed(1)
      } px`;
      assert(nearest >= r + 3 - slack, `${what}: on or next to another dot`);
      if (leader === undefined) {
        // The audited maps had labels whose end or middle was as near another dot as their
        // own ("Pulp Fiction (1994)" over two dots): 2 (beside) or 3 (over) times as far now.
        const beside = level(label.box, own.y);
        assert(readsAsOwn(beside, mine, nearest), `${what}: another is too near (${beside})`);
      } else {
        const pass = Math.min(...others.map((d) => segmentDistance(leader, d.x, d.y)));
        assert(
          pass >= r + 4 - slack,
          `${what}: its leader passes ${pass.toFixed(1)} px from a dot`,
        );
        assert(mine + 4 - slack <= nearest || nearest >= 14 - slack, `${what} (leader)`);
      }
    }
  });
}

Deno.test("embeddingScatter() gives touching dots a number each where numbers tell them apart", () => {
  // Notebook 01's map: two dots 7.9 px apart shared "2", written beside one of them only.
  const fig = embeddingScatter(crowded.nb01_cell84);
  accountFor(fig, crowded.nb01_cell84);
  const { keys } = captionKeys(fig);
  const [suspects, gump] = ["Usual Suspects, The (1995)", "Forrest Gump (1994)"]
    .map((title) => keys.indexOf(title));
  assert(suspects >= 0 && gump === suspects + 1, `consecutive numbers: ${keys.join("; ")}`);
  const drawnKeys = all(fig, "g.number-key text").map((t) => t.textContent);
  assert(drawnKeys.includes(String(suspects + 1)), `a number of its own: ${drawnKeys}`);
  assert(drawnKeys.includes(String(gump + 1)), `a number of its own: ${drawnKeys}`);
});

Deno.test("embeddingScatter() keys a crowded map in columns, numbers set apart from titles", () => {
  // Notebook 02's and 01's crowded maps. Their keys ran on as italic lines, "1 Sling Blade
  // (1996); … 4 12 Angry Men (1957); …", where a number ran into a title starting with digits
  // ("4 12 Angry Men" read as 412) and a number was found only by reading every line. Now: a
  // bold number, right-aligned, before each whole title, numbers down columns, in few lines
  // (up to 18 numbers, where no spot by a dot reads clearly as its own).
  for (
    const [name, most] of [["nb02_cell64", 8], ["nb02_cell110", 6], ["nb01_cell84", 5]] as const
  ) {
    const fig = embeddingScatter(crowded[name]);
    assertEquals(accountFor(fig, crowded[name]).named, 0);
    assert(!captionOf(fig).includes("Hover"), `${name}: every dot is told in the figure`);
    const key = fig.element.querySelector('g[aria-label="key"]')!;
    assertEquals(key.getAttribute("font-size"), "11", "the key at the labels' size");
    const { heading, entries } = keyOf(fig);
    assertEquals(heading, "Numbered dots:");
    const at = (t: ReturnType<typeof all>[number]) =>
      [Number(t.getAttribute("x")), Number(t.getAttribute("y"))] as const;
    const lines = new Set(entries.map(({ number }) => at(number)[1]));
    const headingLine = Number(key.querySelector("text")!.getAttribute("y"));
    assert(lines.size + (lines.has(headingLine) ? 0 : 1) <= most, `${name}: ${lines.size} rows`);
    const [, top] = key.getAttribute("transform")!.match(/,([\d.]+)\)/)!.map(Number);
    const height = Number(fig.element.getAttribute("height"));
    for (const [k, { number, title }] of entries.entries()) {
      assertEquals(number.getAttribute("font-weight"), "700", "numbers in bold");
      assertEquals(number.getAttribute("text-anchor"), "end", "numbers right-aligned");
      const [nx, ny] = at(number), [tx, ty] = at(title);
      assertEquals(ty, ny, "a number on its title's line");
      assert(tx > nx, `${name}: the title after its number`);
      // A whole title, as on the map ("… (1962)"), never broken across lines.
      assertMatch(title.textContent!, /\S.*\(\d{4}\)$/, `${name}: entry ${k + 1}`);
      assert(tx + textWidth(title.textContent!, 11) <= 620, `${name}: entry ${k + 1} in the frame`);
      assert(top + ny <= height, `${name}: entry ${k + 1} inside the figure`);
      // Numbers run down a column, then on to the next, whose numbers clear this column.
      const next = entries[k + 1];
      if (next === undefined) continue;
      const [mx, my] = at(next.number);
      if (mx === nx) assert(my > ny, `${name}: ${k + 2} under ${k + 1}`);
      else {
        assert(mx > tx, `${name}: ${k + 2} starts the next column`);
        for (const { number: n, title: t } of entries.slice(0, k + 1)) {
          if (at(n)[0] !== nx) continue;
          const right = at(t)[0] + textWidth(t.textContent!, 11);
          assert(
            right < mx - textWidth(String(entries.length), 11) * 1.1,
            `${name}: columns apart`,
          );
        }
      }
    }
  }
});

Deno.test("embeddingScatter() numbers each of two dots drawn on one another", () => {
  // Notebook 02's map: two dots 3 px apart, which no label or number beside one could tell
  // apart, shared the number 13, keyed "To Kill a Mockingbird (1962) / Casablanca (1942)":
  // one number by two dots. Each now has its own, in one key by the pair ("13,14").
  const fig = embeddingScatter(crowded.nb02_cell64);
  accountFor(fig, crowded.nb02_cell64);
  const { keys } = captionKeys(fig);
  const [mockingbird, casablanca] = ["To Kill a Mockingbird (1962)", "Casablanca (1942)"]
    .map((title) => keys.indexOf(title) + 1);
  assert(mockingbird > 0 && casablanca === mockingbird + 1, keys.join("; "));
  const shared = all(fig, "g.number-key text").map((t) => t.textContent);
  assertEquals(shared.filter((t) => t!.includes(",")), [`${mockingbird},${casablanca}`]);
  // The key is drawn inside the picture: its text alternative lists it too, number by number.
  assert(
    fig.alt.includes(`${mockingbird} To Kill a Mockingbird (1962); ${casablanca} Casablanca`),
    fig.alt,
  );
  keys.forEach((title, k) => assert(fig.alt.includes(`${k + 1} ${title}`), `${k + 1} ${title}`));
});

for (const [name, points] of Object.entries(crowded)) {
  Deno.test(`embeddingScatter() numbers the dots left unlabelled, off others (${name})`, () => {
    const fig = embeddingScatter(points);
    const { dots, leaders, labels, keys } = drawn(fig);
    const short = shortLabels(points.map((p) => p.title), 32);
    const r = 4, slack = 0.3;
    const counts = accountFor(fig, points);
    assert(counts.keys >= 5, `numbers where labels found no room: ${counts.caption}`);
    const named = captionKeys(fig).keys;
    const inKey = short;
    const dotOf = (text: string) =>
      dots.find((d) => inKey[points.findIndex((p) => p.title === d.title)] === text)!;
    const boxes = [...labels, ...keys].map((l) => l.box);
    for (const key of keys) {
      const [first, ...mates] = keyNumbers(key.text).map((n) => dotOf(named[n - 1]));
      const leader = leaders.find((l) => Math.hypot(l[0] - first.x, l[1] - first.y) < 0.5);
      const mine = boxDistance(key.box, first.x, first.y);
      const others = dots.filter((d) =>
        Math.hypot(d.x - first.x, d.y - first.y) >= 1.5 && !mates.includes(d)
      );
      const nearest = Math.min(...others.map((d) => boxDistance(key.box, d.x, d.y)));
      const what = `key ${key.text}: own dot ${mine.toFixed(1)} px, another ${
        nearest.toFixed(1)
      } px`;
      assert(nearest >= r + 3 - slack, `${what}: on or next to another dot`);
      for (const dot of [first, ...mates]) {
        assert(boxDistance(key.box, dot.x, dot.y) >= r + 1 - slack, `${what}: covers its dot`);
      }
      if (leader === undefined) {
        const beside = level(key.box, first.y);
        assert(readsAsOwn(beside, mine, nearest), `${what}: another is too near (${beside})`);
      } else assert(mine + 4 - slack <= nearest || nearest >= 14 - slack, `${what} (leader)`);
      for (const other of boxes) {
        if (other === key.box) continue;
        const overlap = key.box.x0 < other.x1 && other.x0 < key.box.x1 &&
          key.box.y0 < other.y1 && other.y0 < key.box.y1;
        assert(!overlap, `${what}: overlaps a label or key`);
      }
    }
  });
}

Deno.test("placeLabels() keeps labels and number keys apart, inside the frame, off other dots", () => {
  const rng = createRng(3);
  const frame: Frame = { left: 40, right: 620, top: 10, bottom: 500, x: [-3, 3], y: [-3, 3] };
  const points = Array.from({ length: 120 }, () => ({ x: rng.normal(), y: rng.normal() }));
  const texts = points.map((_, i) => `Some movie title ${i}`);
  const order = points.map((_, i) => i);
  const options = {
    texts,
    order,
    fontSize: 11,
    dotRadius: 4,
    obstacles: "all" as const,
    keys: true,
  };
  const { placed, dropped, keys } = placeLabels(frame, points, options);
  assertEquals(placed.length + dropped.length, 120);
  assertEquals(
    [...placed.map((l) => l.index), ...dropped].sort((a, b) => a - b),
    order,
    "each point is placed or dropped, once",
  );
  assertEquals(placeLabels(frame, points, options), { placed, dropped, keys }, "deterministic");
  assert(placed.length > 20);
  // Number keys: 1, 2, 3, … for dots whose label was dropped, in reading order.
  assert(keys.length > 5, `${keys.length} keys`);
  // (A key of dots drawn on one another holds the number of each: "7,8".)
  assertEquals(
    keys.flatMap((k) => keyNumbers(k.text)),
    keys.flatMap((k) => [k.index, ...k.also ?? []]).map((_, n) => n + 1),
  );
  const keyed = keys.flatMap((k) => [k.index, ...k.also ?? []]);
  assert(keyed.every((i) => dropped.includes(i)), "keys only for dots without a label");
  assertEquals(new Set(keyed).size, keyed.length, "one key per dot");
  // Top to bottom; a touching dot with a number of its own comes right after its neighbour.
  const px = (i: number) => [points[i].x * 580 / 6, -points[i].y * 490 / 6];
  const touch = (i: number, j: number) => Math.hypot(px(i)[0] - px(j)[0], px(i)[1] - px(j)[1]) < 8;
  let head = -Infinity; // the y of the last key that follows no touching neighbour
  // (So may a dot touching one left without a key: it is numbered where its group is.)
  keys.forEach((key, k) => {
    if (k > 0 && touch(keys[k - 1].index, key.index)) return;
    if (dropped.some((j) => j !== key.index && touch(j, key.index))) return;
    assert(-points[key.index].y >= head, `keys numbered top to bottom (key ${k + 1})`);
    head = -points[key.index].y;
  });
  const { placed: noKeys } = placeLabels(frame, points, { ...options, keys: false });
  assertEquals(noKeys, placed, "keys change no label");
  const mates = [...placed, ...keys].map((l) => new Set([l.index, ...l.also ?? []]));
  const boxes = [...placed, ...keys].map((l) => {
    const px = frame.left + (l.x - frame.x[0]) / 6 * (frame.right - frame.left);
    const py = frame.bottom - (l.y - frame.y[0]) / 6 * (frame.bottom - frame.top);
    const w = textWidth(l.text, 11);
    const x0 = l.anchor === "start" ? px : l.anchor === "end" ? px - w : px - w / 2;
    return { x0, x1: x0 + w, y0: py - 6.5, y1: py + 6.5 };
  });
  for (const b of boxes) {
    assert(b.x0 >= frame.left - 1e-6 && b.x1 <= frame.right + 1e-6);
    assert(b.y0 >= frame.top - 1e-6 && b.y1 <= frame.bottom + 1e-6);
  }
  const dots = points.map((p) => [
    frame.left + (p.x - frame.x[0]) / 6 * (frame.right - frame.left),
    frame.bottom - (p.y - frame.y[0]) / 6 * (frame.bottom - frame.top),
  ]);
  boxes.forEach((b, k) => {
    dots.forEach(([x, y], j) => {
      const d = Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));
      if (!mates[k].has(j)) assert(d >= 7 - 1e-6, `label or key ${k} is by dot ${j}`);
    });
  });
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const overlap = a.x0 < b.x1 - 1e-6 && b.x0 < a.x1 - 1e-6 && a.y0 < b.y1 - 1e-6 &&
        b.y0 < a.y1 - 1e-6;
      assert(!overlap, `labels or keys ${i} and ${j} overlap`);
    }
  }
});

/** Where the keys of `placeLabels()` sit, for dots a given number of px apart (titles too long). */
function keysOfPair(apart: number) {
  const frame: Frame = { left: 0, right: 200, top: 0, bottom: 200, x: [-1, 1], y: [-1, 1] };
  const points = [{ x: 0, y: 0 }, { x: apart / 100, y: 0 }, { x: 0.5, y: 0.5 }];
  const texts = points.map((_, i) => `A title far too long to fit in the frame ${i}`.repeat(3));
  const options = { texts, order: [0, 1, 2], fontSize: 11, dotRadius: 4, keys: true };
  const { keys } = placeLabels(frame, points, { ...options, obstacles: "all" });
  const pixel = (p: { x: number; y: number }) => [100 + p.x * 100, 100 - p.y * 100];
  /** Distance (px) from key `k`'s box to dot `i`. */
  const distance = (k: number, i: number) => {
    const [ax, ay] = pixel(keys[k]);
    const box = labelBox(ax, ay, keys[k].anchor, keys[k].text, 11);
    const [x, y] = pixel(points[i]);
    return Math.hypot(Math.max(box.x0 - x, 0, x - box.x1), Math.max(box.y0 - y, 0, y - box.y1));
  };
  return { keys, distance };
}

Deno.test("placeLabels() numbers each of two touching dots where numbers tell them apart", () => {
  // Notebook 01's map: two dots 7.9 px apart shared the number 2, beside only one of them.
  const { keys, distance } = keysOfPair(7.5);
  assertEquals(keys.map((k) => [k.text, k.index, k.also]), [
    ["1", 2, undefined],
    ["2", 0, undefined],
    ["3", 1, undefined],
  ]);
  for (const [k, own, other] of [[1, 0, 1], [2, 1, 0]]) {
    assert(
      distance(k, own) + 4 <= distance(k, other),
      `key ${k + 1}: ${distance(k, own).toFixed(1)} px from its dot, ` +
        `${distance(k, other).toFixed(1)} from the other`,
    );
  }
});

Deno.test("placeLabels() numbers two dots 3 px apart at the ends of leaders leaving the pair", () => {
  // No number beside one of them is nearer it than the other by 4 px: a leader from each dot,
  // straight away from the other, tells them apart (they shared one number).
  const { keys } = keysOfPair(3);
  assertEquals(keys.map((k) => [k.text, k.index, k.also]), [
    ["1", 2, undefined],
    ["2", 0, undefined],
    ["3", 1, undefined],
  ]);
  const pixel = (p: { x: number; y: number }) => [100 + p.x * 100, 100 - p.y * 100];
  const pairs: [PlacedLabel, number[], number[]][] = [
    [keys[1], [100, 100], [103, 100]],
    [keys[2], [103, 100], [100, 100]],
  ];
  for (const [key, dot, other] of pairs) {
    assert(key.leader !== undefined, `key ${key.text} is at the end of a leader`);
    const [lx, ly] = pixel(key.leader);
    const [ox, oy] = [dot[0] - other[0], dot[1] - other[1]];
    const cos = ((lx - dot[0]) * ox + (ly - dot[1]) * oy) /
      (Math.hypot(lx - dot[0], ly - dot[1]) * Math.hypot(ox, oy));
    assert(cos >= Math.SQRT1_2 - 1e-9, `key ${key.text}'s leader leaves its dot at ${cos}`);
  }
});

Deno.test("placeLabels() gives dots drawn on one another one key with a number each", () => {
  // Titles too long for the frame: every label is dropped, and two dots 1 px apart, which no
  // number could tell apart, share a key that holds the number of each.
  const frame: Frame = { left: 0, right: 200, top: 0, bottom: 200, x: [-1, 1], y: [-1, 1] };
  const points = [{ x: 0, y: 0 }, { x: 0.01, y: 0 }, { x: 0.5, y: 0.5 }];
  const texts = points.map((_, i) => `A title far too long to fit in the frame ${i}`.repeat(3));
  const options = { texts, order: [0, 1, 2], fontSize: 11, dotRadius: 4, keys: true };
  const { placed, keys } = placeLabels(frame, points, { ...options, obstacles: "all" });
  assertEquals(placed, []);
  assertEquals(keys.map((k) => [k.text, k.index, k.also]), [
    ["1", 2, undefined],
    ["2,3", 0, [1]],
  ]);
  const pixel = (p: { x: number; y: number }) => [100 + p.x * 100, 100 - p.y * 100];
  for (const key of keys) {
    const [ax, ay] = pixel(key);
    const box = labelBox(ax, ay, key.anchor, key.text, 11);
    for (const i of [key.index, ...key.also ?? []]) {
      const [x, y] = pixel(points[i]);
      const d = Math.hypot(
        Math.max(box.x0 - x, 0, x - box.x1),
        Math.max(box.y0 - y, 0, y - box.y1),
      );
      assert(d >= 5 - 1e-6, `key ${key.text} covers dot ${i} (${d.toFixed(1)} px)`);
    }
  }
});

Deno.test("embeddingScatter() rejects empty input and bad points, naming the index", () => {
  assertThrows(() => embeddingScatter([]), RangeError, "expected at least one point, found none");
  assertThrows(
    () => embeddingScatter([{ x: 1, y: NaN, title: "A" }]),
    RangeError,
    "expected a finite y in points[0], found NaN",
  );
  assertThrows(
    () => embeddingScatter([movies[0], { x: 1, y: 2 } as never]),
    TypeError,
    "expected points[1].title to be a string, found undefined",
  );
  assertThrows(() => embeddingScatter({} as never), TypeError, "expected points as an array");
});

function tsnePoints(n: number): TsnePoint[] {
  const rng = createRng(11);
  return Array.from({ length: n }, (_, i) => ({
    x: rng.normal() * 10,
    y: rng.normal() * 10,
    title: `Movie ${i} (19${50 + (i % 50)})`,
    popularity: 1 + ((i * 37) % 500),
    genre: ["Drama", "Comedy", "Action"][i % 3],
  }));
}

Deno.test("tsneScatter() gives every dot a hover title with its popularity", () => {
  const points = tsnePoints(200);
  const fig = tsneScatter(points, { labels: 0 });
  const dots = fig.element.querySelectorAll('g[aria-label="dot"] circle');
  assertEquals(dots.length, 200);
  const hover = titles(fig);
  assertEquals(hover.length, 200);
  assert(hover.includes("Movie 1 (1951)\npopularity: 38"));
  assertEquals(fig.summary, "[figure: t-SNE scatter, 200 points]");
});

Deno.test("tsneScatter() colours by popularity in 5 quantile classes with an SVG legend", () => {
  const fig = tsneScatter(tsnePoints(200), { labels: 0 });
  assertEquals(fig.element.tagName.toLowerCase(), "svg", "one standalone SVG, no HTML figure");
  const swatches = all(fig, 'g[aria-label="legend"] rect');
  assertEquals(swatches.length, 5);
  const fills = new Set(
    Array.from(fig.element.querySelectorAll('g[aria-label="dot"] circle')).map((c) =>
      c.getAttribute("fill")
    ),
  );
  assertEquals(fills.size, 5);
  // The legend shows only the four class boundaries: its title says they cut the movies in fifths.
  assert(texts(fig).includes("Popularity (number of ratings), in fifths"));
});

Deno.test("tsneScatter() labels the most popular movies and rings their dots", () => {
  const points = tsnePoints(300);
  const fig = tsneScatter(points, { labels: 3 });
  const top = [...points].sort((a, b) => b.popularity! - a.popularity!).slice(0, 3);
  const labels = all(fig, 'g[aria-label="text"] text').map((t) => t.textContent);
  assertEquals(labels.length, 3);
  for (const p of top) assert(labels.includes(p.title), `${p.title} is labelled`);
  const groups = fig.element.querySelectorAll('g[aria-label="dot"]');
  assertEquals(groups[1].querySelectorAll("circle").length, 3, "one ring per label");
});

Deno.test("tsneScatter() colours by a category with swatches, or not at all", () => {
  const byGenre = tsneScatter(tsnePoints(60), { color: "genre", labels: 0 });
  const legend = all(byGenre, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend, ["Drama", "Comedy", "Action"]);
  assert(titles(byGenre).includes("Movie 0 (1950)\ngenre: Drama"));
  const plain = tsneScatter(tsnePoints(60), { color: null, labels: 0 });
  assertEquals(titles(plain)[0], "Movie 0 (1950)");
  assertEquals(all(plain, 'g[aria-label="legend"]').length, 0);
});

Deno.test("tsneScatter() rejects missing colour fields, NaN and too many categories", () => {
  const points = tsnePoints(20);
  assertThrows(
    () => tsneScatter(points, { color: "year" }),
    RangeError,
    "expected points[0].year to be a number or a string (to colour by), found no such field",
  );
  points[5].popularity = NaN;
  assertThrows(
    () => tsneScatter(points),
    RangeError,
    "expected a finite popularity in points[5], found NaN",
  );
  const many = tsnePoints(20).map((p, i) => ({ ...p, genre: `g${i}` }));
  assertThrows(
    () => tsneScatter(many, { color: "genre" }),
    RangeError,
    'expected at most 10 categories in "genre", found 20',
  );
  assertThrows(() => tsneScatter([]), RangeError, "expected at least one point");
});

Deno.test("embeddingScatter() shortens similar titles to labels that tell them apart", () => {
  const fig = embeddingScatter([
    { x: 0, y: 0, title: "Lord of the Rings: The Fellowship of the Ring, The (2001)" },
    { x: 1, y: 1, title: "Lord of the Rings: The Two Towers, The (2002)" },
    { x: 2, y: 0, title: "Lord of the Rings: The Return of the King, The (2003)" },
  ], { maxLabelLength: 28 });
  const labels = all(fig, 'g[aria-label="text"] text').map((t) => t.textContent ?? "");
  assertEquals(labels.length, 3);
  assertEquals(new Set(labels).size, 3);
  for (const label of labels) {
    assert(label.length <= 28, label);
    assert(!label.endsWith("The…"), `"${label}" names none of the three films`);
  }
  assert(labels.includes("Lord…Two Towers, The (2002)"), labels.join(" | "));
  assert(labels.some((l) => l.includes("Fellowship") && l.endsWith("(2001)")));
  assert(labels.some((l) => l.includes("Return") && l.endsWith("(2003)")));
  // Hover keeps the whole title.
  assert(titles(fig).includes("Lord of the Rings: The Two Towers, The (2002)"));
});

Deno.test("tsneScatter() labels keep the distinguishing words of similar titles", () => {
  const fig = tsneScatter([
    { x: 0, y: 0, title: "Star Wars: Episode IV - A New Hope (1977)", popularity: 300 },
    { x: 5, y: 5, title: "Star Wars: Episode V - The Empire Strikes Back (1980)", popularity: 250 },
    { x: 9, y: 0, title: "Fargo (1996)", popularity: 10 },
  ], { labels: 2 });
  const labels = all(fig, 'g[aria-label="text"] text').map((t) => t.textContent ?? "");
  assertEquals(labels.length, 2);
  assert(labels.some((l) => l.includes("A New Hope") && l.endsWith("(1977)")), labels.join(" | "));
  assert(labels.some((l) => l.includes("Episode V…") && l.endsWith("(1980)")), labels.join("|"));
});

Deno.test("shortLabels() leaves no punctuation dangling at an ellipsis", () => {
  const starWars = [
    "Star Wars: Episode IV - A New Hope (1977)",
    "Star Wars: Episode V - The Empire Strikes Back (1980)",
    "Star Wars: Episode VI - Return of the Jedi (1983)",
  ];
  assertEquals(shortLabels(starWars, 32), [
    "Star Wars: Episode IV… (1977)",
    "…The Empire Strikes Back (1980)",
    "Star Wars: Episode VI… (1983)",
  ]);
  assertEquals(shortLabels(starWars, 28), [
    "Star Wars…A New Hope (1977)",
    "Star Wars…The Empire… (1980)",
    "…Return of the Jedi (1983)",
  ]);
  const others = [
    "Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)",
    "Wallace & Gromit: The Best of Aardman Animation (1996)",
    "Terminator 2: Judgment Day (1991)",
    "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)",
    "Godfather: Part II, The (1974)",
    "Godfather: Part III, The (1990)",
    "Star Trek: The Wrath of Khan (1982)",
    "Star Trek: The Motion Picture (1979)",
  ];
  assertEquals(shortLabels(others, 28).slice(0, 2), [
    "Shanghai Triad… (1995)",
    "Wallace & Gromit… (1996)",
  ]);
  for (const max of [16, 20, 24, 28, 32]) {
    const labels = shortLabels([...starWars, ...others], max);
    for (const label of labels) {
      const dangling = /[\s,:;\-–—(&/]…|…[,:;.\-–—)&/]|…\s(?!\(\d{4}\))/;
      assert(!dangling.test(label), `"${label}" (${max})`);
      assert(!/\([^)]*…/.test(label), `"${label}" leaves a bracket open (max ${max})`);
    }
    assertEquals(new Set(labels).size, labels.length, `distinct at max ${max}`);
  }
});

/** Titles written on a t-SNE map. */
const mapLabels = (fig: PlotFigure) => all(fig, LABELS).map((t) => t.textContent ?? "").sort();

Deno.test("tsneScatter() labels the same reference points however the map is coloured", () => {
  const points = tsnePoints(300);
  const byPopularity = mapLabels(tsneScatter(points, { labels: 5 }));
  const top = [...points].sort((a, b) => b.popularity! - a.popularity!).slice(0, 5);
  assertEquals(byPopularity, top.map((p) => p.title).sort());
  assertEquals(mapLabels(tsneScatter(points, { labels: 5, color: "genre" })), byPopularity);
  assertEquals(mapLabels(tsneScatter(points, { labels: 5, color: null })), byPopularity);
  const first = mapLabels(tsneScatter(points, { labels: 5, color: "genre", labelBy: null }));
  assertEquals(first, points.slice(0, 5).map((p) => p.title).sort());
  const byX = mapLabels(tsneScatter(points, { labels: 5, color: "genre", labelBy: "x" }));
  assertEquals(byX, [...points].sort((a, b) => b.x - a.x).slice(0, 5).map((p) => p.title).sort());
  assertThrows(
    () => tsneScatter(points, { labelBy: "genre" }),
    TypeError,
    'expected points[0].genre to be a number, found "Drama"',
  );
});

Deno.test("tsneScatter() names the points whose label found no room", () => {
  // The 12 most popular movies in a tight grid (9 px apart): most labels cannot be placed.
  // (8 px apart, none can: no spot by a dot is clear enough, and a leader would pass too near
  // a neighbour.)
  const points = tsnePoints(200).map((p, i) =>
    i < 12 ? { ...p, x: (i % 4) * 0.9, y: Math.floor(i / 4) * 0.9, popularity: 1000 - i } : p
  );
  const fig = tsneScatter(points, { labels: 12 });
  const placed = mapLabels(fig);
  assert(placed.length > 0 && placed.length < 12, placed.join(" | "));
  const { caption, keys, named, more } = captionKeys(fig);
  assertMatch(caption, /^t-SNE axes have no units: only nearby positions are meaningful\. /);
  const unlabelled = points.slice(0, 12).map((p) => p.title).filter((t) => !placed.includes(t));
  const keyed = keys;
  assert(keyed.length > 0, `numbers where labels found no room: ${caption}`);
  assertEquals(
    [...keyed, ...named].sort(),
    unlabelled.filter((t) => keyed.includes(t) || named.includes(t)).sort(),
  );
  assertEquals(keyed.length + named.length + more, unlabelled.length, caption);
  assertEquals(
    all(fig, "g.number-key text").flatMap((t) => keyNumbers(t.textContent!)).length,
    keys.length,
    "numbers only by the ringed dots",
  );
  assertMatch(caption, /Hover .* trusted/);
  assertEquals(
    captionOf(tsneScatter(points, { labels: 1 })),
    "t-SNE axes have no units: only nearby positions are meaningful",
  );
});

/** `n` points per genre, in order of first appearance: `genres[0]` first. */
function genreMap(sizes: Record<string, number>): TsnePoint[] {
  const rng = createRng(5);
  return Object.entries(sizes).flatMap(([genre, n]) =>
    Array.from({ length: n }, (_, i) => ({
      x: rng.normal(),
      y: rng.normal(),
      title: `${genre} movie ${i} (1990)`,
      popularity: 1 + i,
      genre,
    }))
  );
}

/** Notebook 04's genres and their sizes in MovieLens 100k (first genre listed wins). */
const NB04_GENRES = {
  "Children's": 122,
  Horror: 92,
  "Sci-Fi": 82,
  Action: 185,
  Romance: 215,
  Comedy: 321,
  Drama: 483,
  other: 182,
};

/** Each legend entry's label and dot colour. */
const legendOf = (fig: PlotFigure) =>
  all(fig, 'g[aria-label="legend"] > g').map((g) => [
    g.querySelector("text")!.textContent,
    g.querySelector("circle")!.getAttribute("fill"),
  ]);

Deno.test("tsneScatter() genre colours stay apart for colour-blind readers, other in grey", () => {
  const fig = tsneScatter(genreMap(NB04_GENRES), { color: "genre", labels: 0 });
  const legend = legendOf(fig);
  assertEquals(legend.length, 8);
  assertEquals(Object.fromEntries(legend).other, "#bbbbbb");
  // Every dot is drawn in its genre's legend colour.
  const colour = new Map(legend as [string, string][]);
  for (const dot of all(fig, 'g[aria-label="dot"] circle')) {
    const genre = dot.querySelector("title")!.textContent!.split("genre: ")[1];
    assertEquals(dot.getAttribute("fill"), colour.get(genre));
  }
  // As drawn (opacity 0.8 on white), every pair differs by 9 or more (CIEDE2000), for normal
  // vision and the three dichromacies; the old palette had Drama and Comedy 1.5 apart for
  // deuteranopes.
  const visions: Vision[] = ["normal", "protanopia", "deuteranopia", "tritanopia"];
  for (const vision of visions) {
    for (const [i, [a, ca]] of legend.entries()) {
      for (const [b, cb] of legend.slice(i + 1)) {
        const d = deltaE2000(lab(ca!, vision, 0.8), lab(cb!, vision, 0.8));
        assert(d >= 9, `${a} and ${b}: ${d.toFixed(1)} apart in ${vision}`);
      }
    }
  }
  // The largest genres get the first (most distinct) colours, whatever the legend order.
  assertEquals(colour.get("Drama"), "#0072b2");
  assertEquals(colour.get("Comedy"), "#e69f00");
});

Deno.test("tsneScatter() lists categories in the order given, else by size with other last", () => {
  const points = genreMap(NB04_GENRES);
  const byDefault = legendOf(tsneScatter(points, { color: "genre", labels: 0 })).map(([l]) => l);
  assertEquals(byDefault, [
    "Drama",
    "Comedy",
    "Romance",
    "Action",
    "Children's",
    "Horror",
    "Sci-Fi",
    "other",
  ]);
  const order = ["Children's", "Horror", "Sci-Fi", "Action", "Romance", "Comedy", "Drama", "other"];
  const given = tsneScatter(points, { color: "genre", labels: 0, categories: order });
  assertEquals(legendOf(given).map(([l]) => l), order);
  assertThrows(
    () => tsneScatter(points, { color: "genre", categories: order.slice(1) }),
    RangeError,
    `expected categories to list every value of "genre", found no "Children's"`,
  );
});

Deno.test("a caption longer than the figure is wide wraps onto lines", () => {
  const caption = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
  const fig = embeddingScatter(movies, { caption, width: 400 });
  const text = all(fig, "text").at(-1)!;
  assertEquals(text.textContent, caption);
  const lines = Array.from(text.children).map((t) => t.textContent!.trim());
  assert(lines.length >= 3, `${lines.length} lines`);
  for (const line of lines) assert(textWidth(line) <= 380, line);
  const short = embeddingScatter(movies, { caption: "Short", width: 400 });
  assertEquals(all(short, "text").at(-1)!.children.length, 0, "one line, no tspans");
  assert(
    Number(fig.element.getAttribute("height")) >=
      Number(short.element.getAttribute("height")) + 2 * 16,
    "the figure grows by the lines",
  );
});

Deno.test("embeddingScatter() draws the axes through the origin only inside the chart", () => {
  const rules = (fig: PlotFigure) => all(fig, 'g[aria-label="rule"] line').length;
  assertEquals(rules(embeddingScatter(movies)), 2);
  // All positive (as notebook 01's PC1 and PC3): a rule at 0 would cross the caption.
  const positive = movies.map((m) => ({ ...m, x: m.x + 2, y: m.y + 1 }));
  assertEquals(rules(embeddingScatter(positive, { caption: "A caption" })), 0);
  const above = movies.map((m) => ({ ...m, y: m.y + 1 }));
  assertEquals(rules(embeddingScatter(above)), 1);
});

/** WCAG's contrast ratio of two linear-light luminances. */
const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** Relative luminance of sRGB channels in [0, 1]. */
const luminance = (rgb: number[]) => {
  const [r, g, b] = rgb.map((c) => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

Deno.test("tsneScatter() outlines its dots so that even yellow ones stand out on white", () => {
  const maps = [
    tsneScatter(genreMap(NB04_GENRES), { color: "genre", labels: 0 }),
    tsneScatter(tsnePoints(200), { labels: 0 }), // viridis, whose lightest class is yellow
  ];
  for (const fig of maps) {
    const dots = fig.element.querySelector('g[aria-label="dot"]')!;
    const fillOpacity = Number(dots.getAttribute("fill-opacity"));
    const stroke = dots.getAttribute("stroke");
    const strokeOpacity = Number(dots.getAttribute("stroke-opacity"));
    assertEquals(stroke, "#000");
    assert(Number(dots.getAttribute("stroke-width")) > 0);
    const fills = new Set(
      all(fig, 'g[aria-label="dot"] circle').map((c) => c.getAttribute("fill")),
    );
    let palest = Infinity;
    for (const fill of fills) {
      assertMatch(fill!, /^#[0-9a-f]{6}$/);
      // The dot on white, then the black outline over it.
      const onWhite = [1, 3, 5].map((i) => parseInt(fill!.slice(i, i + 2), 16) / 255)
        .map((c) => fillOpacity * c + 1 - fillOpacity);
      const edge = onWhite.map((c) => c * (1 - strokeOpacity));
      palest = Math.min(palest, contrast(luminance(onWhite), 1));
      const ratio = contrast(luminance(edge), 1);
      assert(ratio >= 3, `${fill}'s edge is ${ratio.toFixed(2)} : 1 against white`);
    }
    assert(palest < 1.5, "the maps have a fill too pale to see on its own");
  }
  // The legend's keys carry the same outline as the dots they stand for.
  for (const key of all(maps[0], 'g[aria-label="legend"] circle')) {
    assertEquals(key.getAttribute("stroke"), "#000");
    assertEquals(key.getAttribute("stroke-opacity"), "0.4");
  }
});

Deno.test("tsneScatter() keys notebook 04's eight genres in one legend row", () => {
  // Each entry kept room for a 22 px line key beside its dot, and 18 px after: two rows.
  const fig = tsneScatter(genreMap(NB04_GENRES), { color: "genre", labels: 0 });
  const rows = new Set(
    all(fig, 'g[aria-label="legend"] > g').map((g) => g.getAttribute("transform")!.split(",")[1]),
  );
  assertEquals(rows.size, 1);
  // The widest legend entry still ends inside the figure.
  const last = all(fig, 'g[aria-label="legend"] > g').at(-1)!;
  const x = Number(last.getAttribute("transform")!.match(/translate\(([-\d.]+)/)![1]);
  assert(10 + x + 18 + textWidth(last.querySelector("text")!.textContent!) <= 630);
});

Deno.test("keyLayout() puts the heading on its own line when one column does not fit beside it", () => {
  // One column of 33-character titles is about 200 px wide; beside the 89 px heading it would
  // run past 280 px, on a line of its own it fits.
  const title = "Thirty-three characters, exactly.";
  const layout = keyLayout(
    { heading: "Numbered dots:", entries: Array(4).fill(title), size: 11 },
    280,
  );
  assertEquals([layout.headingLine, layout.rows], [true, 4]);
  assert(layout.numberRight[0] + 4 + textWidth(title, 11) <= 280);
  // With room for both, the heading stays beside the first row.
  assertEquals(
    keyLayout({ heading: "Numbered dots:", entries: Array(4).fill(title), size: 11 }, 400)
      .headingLine,
    false,
  );
});

Deno.test("embeddingScatter() names as many unlabelled points as two caption lines hold", () => {
  // 40 dots in a pile: at 560 px wide two lines hold six names, at 640 seven.
  const pile = Array.from({ length: 40 }, (_, i) => ({
    x: (i % 8) * 0.002,
    y: Math.floor(i / 8) * 0.002,
    title: `Pile movie ${i} (1995)`,
  })).concat([{ x: 1, y: 1, title: "Fargo (1996)" }]);
  // (The caption keeps each name's spaces unbroken.)
  const named = (width: number) =>
    texts(embeddingScatter(pile, { width })).find((t) => t.startsWith("Not labelled"))!
      .replace(/\s/g, " ").match(/: (.*) and (\d+) more\./)!.slice(1);
  assertEquals(named(560), [
    Array.from({ length: 6 }, (_, i) => `Pile movie ${i} (1995)`).join("; "),
    "34",
  ]);
  assertEquals(named(640)[1], "33");
});

Deno.test("embeddingScatter() draws points that all lie in one place at the centre of the chart", () => {
  const same = [{ x: 2, y: 3, title: "A (1990)" }, { x: 2, y: 3, title: "B (1991)" }];
  const fig = embeddingScatter(same, { labels: false });
  // The chart spans x 48–620 and y 16–518 of the 640 × 560 figure.
  for (const dot of all(fig, 'g[aria-label="dot"] circle')) {
    assertEquals([dot.getAttribute("cx"), dot.getAttribute("cy")], ["334", "267"]);
  }
});

Deno.test("placeLabels() ends the leader of a label above or below its dot at the label's near edge", () => {
  // A frame too narrow for a label beside the dot, and the frame's edge or another dot
  // (7 px off the label's end, hence nearer than its own dot) next to each spot just above or
  // below it: the label goes on the ring beyond, centred over (or under) the dot.
  const fontSize = 10, dotRadius = 3, px = 100, py = 100;
  const w = textWidth("Label", fontSize);
  for (const [side, s] of [["above", -1], ["below", 1]] as const) {
    const [top, bottom] = s < 0 ? [py - 40, py + 10] : [py - 10, py + 40];
    const frame: Frame = {
      left: px - w / 2 - 1,
      right: px + w / 2 + 1,
      top,
      bottom,
      x: [px - w / 2 - 1, px + w / 2 + 1],
      y: [bottom, top], // data units are pixels
    };
    const points = [{ x: px, y: py }, { x: px + w / 2 + 7, y: py + s * 12 }];
    const { placed } = placeLabels(frame, points, {
      texts: ["Label", "x"],
      order: [0],
      fontSize,
      dotRadius,
      obstacles: "all",
    });
    assertEquals(placed.length, 1, side);
    const [label] = placed;
    assertEquals(label.anchor, "middle", side);
    assert(s * (label.y - py) > 2 * dotRadius, `${side}: on the ring, ${label.y}`);
    const box = labelBox(label.x, label.y, "middle", "Label", fontSize);
    assertEquals(label.leader, { x: px, y: s < 0 ? box.y1 : box.y0 }, side);
  }
});

/**
 * The one label of `placeLabels()` for dot 0 at (100, 100) among `others`, in a frame whose
 * data units are pixels (y down), and its box; `null` if it was dropped.
 */
function labelAmong(others: [number, number][], text: string, frame: Omit<Frame, "x" | "y">) {
  const full: Frame = { ...frame, x: [frame.left, frame.right], y: [frame.bottom, frame.top] };
  const points = [[100, 100], ...others].map(([x, y]) => ({ x, y }));
  const { placed } = placeLabels(full, points, {
    texts: points.map((_, i) => (i === 0 ? text : `${i}`)),
    order: [0],
    fontSize: 11,
    dotRadius: 4,
    obstacles: "all",
  });
  const label = placed.find((l) => l.index === 0);
  if (label === undefined) return null;
  const [ax, ay] = toPixel(full, label.x, label.y);
  return { label, box: labelBox(ax, ay, label.anchor, label.text, 11) };
}

Deno.test("placeLabels() sets no label over a dot when another dot lies under its span", () => {
  // Notebook 01's map: "Pulp Fiction (1994)" centred over its dot, another dot under the
  // label's span 12 px from it (the own dot 7 px): it read as that dot's. The frame leaves no
  // room beside the dot, nor under it; the label now goes to the end of a leader line.
  const text = "Pulp Fiction (1994)", w = textWidth(text, 11);
  const frame = { left: 100 - w / 2 - 1, right: 100 + w / 2 + 1, top: 0, bottom: 106.6 };
  const placed = labelAmong([[112, 105]], text, frame);
  assert(placed !== null, "placed");
  const { label, box } = placed;
  assert(label.leader !== undefined, `over its dot, another under it: ${box.x0}–${box.x1}`);
});

Deno.test("placeLabels() sets no label by its dot's corner when another dot is level with its end", () => {
  // Notebook 01's map: "Fight Club (1999)" up and left of its dot, its end 6 px from that dot
  // and 16 px from another, level with it: it read as the other's (a label left of a dot).
  // The frame's left edge and bottom leave only that spot by the dot.
  const text = "Fight Club (1999)", w = textWidth(text, 11);
  const frame = { left: 94 - w, right: 400, top: 0, bottom: 107 };
  const placed = labelAmong([[110.7, 85.7]], text, frame);
  assert(placed !== null, "placed");
  const { label, box } = placed;
  assert(
    label.leader !== undefined,
    `no leader line: ${label.anchor} at ${box.x0.toFixed(1)}–${box.x1.toFixed(1)}, ` +
      `${box.y0.toFixed(1)}–${box.y1.toFixed(1)}`,
  );
});

Deno.test("placeLabels() sets a label beside its dot only where no other dot is half as near", () => {
  // Another dot 12 px past the end of a label right of its dot (7 px from it): the label goes
  // left of the dot instead, where the nearest other dot is far.
  const text = "Fargo (1996)", w = textWidth(text, 11);
  const frame = { left: 0, right: 400, top: 0, bottom: 200 };
  const placed = labelAmong([[107 + w + 12, 100]], text, frame);
  assert(placed !== null, "placed");
  assertEquals([placed.label.anchor, placed.label.leader], ["end", undefined]);
  assertEquals(placed.box.x1, 93);
});

Deno.test("placeLabels() keeps every other dot 2 or 3 times as far from a label with no leader", () => {
  // Random crowded maps: each label or key with no leader line is level with its dot and every
  // other dot at least twice as far from it as its own, or over or under its dot and three
  // times as far.
  const frame: Frame = { left: 0, right: 320, top: 0, bottom: 240, x: [0, 1], y: [0, 1] };
  const rng = createRng(9);
  let checked = 0, over = 0;
  for (let map = 0; map < 50; map++) {
    const points = Array.from({ length: 30 }, () => ({ x: rng.next(), y: rng.next() }));
    const { placed, keys } = placeLabels(frame, points, {
      texts: points.map((_, i) => `Movie ${i} (19${50 + i})`),
      order: points.map((_, i) => i),
      fontSize: 11,
      dotRadius: 4,
      obstacles: "all",
      keys: true,
    });
    const pixels = points.map((p) => toPixel(frame, p.x, p.y));
    for (const l of [...placed, ...keys]) {
      if (l.leader !== undefined) continue;
      const [ax, ay] = toPixel(frame, l.x, l.y);
      const box = labelBox(ax, ay, l.anchor, l.text, 11);
      const [px, py] = pixels[l.index];
      const distance = ([x, y]: number[]) =>
        Math.hypot(Math.max(box.x0 - x, 0, x - box.x1), Math.max(box.y0 - y, 0, y - box.y1));
      const mates = [l.index, ...l.also ?? []];
      const nearest = Math.min(
        ...pixels.filter((p, j) => !mates.includes(j) && Math.hypot(p[0] - px, p[1] - py) >= 1.5)
          .map(distance),
      );
      const beside = Math.abs(ay - py) < 1e-6;
      if (!beside) over++;
      assert(
        readsAsOwn(beside, distance([px, py]), nearest, 1e-9),
        `map ${map}, "${l.text}": ${distance([px, py]).toFixed(1)} px from its dot, ` +
          `${nearest.toFixed(1)} from another (${beside ? "beside" : "over"} it)`,
      );
      checked++;
    }
  }
  assert(checked > 500 && over > 50, `${checked} labels and keys, ${over} over their dots`);
});

Deno.test("placeLabels() draws no leader across another, in a hundred crowded random maps", () => {
  // Two segments cross where each one's ends lie strictly on either side of the other.
  const turn = (p: number[], q: number[], r: number[]) =>
    Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const cross = ([a, b]: number[][], [c, d]: number[][]) =>
    turn(a, b, c) * turn(a, b, d) < 0 && turn(c, d, a) * turn(c, d, b) < 0;
  const frame: Frame = { left: 0, right: 240, top: 0, bottom: 160, x: [0, 1], y: [0, 1] };
  const rng = createRng(5);
  let leaders = 0;
  for (let map = 0; map < 100; map++) {
    const points = Array.from({ length: 24 }, () => ({ x: rng.next(), y: rng.next() }));
    const texts = points.map((_, i) => `${"Movie".slice(0, 1 + (i % 5))} ${i}`);
    const { placed, keys } = placeLabels(frame, points, {
      texts,
      order: points.map((_, i) => i),
      fontSize: 11,
      dotRadius: 3,
      obstacles: "all",
      keys: true,
    });
    const lines = [...placed, ...keys].filter((l) => l.leader).map((l) => [
      toPixel(frame, points[l.index].x, points[l.index].y),
      toPixel(frame, l.leader!.x, l.leader!.y),
    ]);
    leaders += lines.length;
    lines.forEach((a, i) =>
      lines.slice(i + 1).forEach((b) => assert(!cross(a, b), `map ${map}: ${a} crosses ${b}`))
    );
  }
  assert(leaders > 200, `${leaders} leaders`);
});

Deno.test("embeddingScatter() and tsneScatter() draw points on one spot at any size", () => {
  // Beside 1e16 the ±1 around a single value rounded away and the label placement read a
  // zero-width frame ("undefined is not iterable").
  for (const v of [1e16, -1e20, Number.MAX_VALUE]) {
    const points = [{ x: v, y: v, title: "A (1995)" }, { x: v, y: v, title: "B (1996)" }];
    const fig = embeddingScatter(points);
    assertEquals(fig.summary, "[figure: embedding scatter, 2 points]");
    assertEquals(unwritten(fig), [], String(v));
    const map = tsneScatter(points.map((p) => ({ ...p, popularity: 1 })));
    assertEquals(unwritten(map), [], String(v));
  }
  assert(tickLabels(embeddingScatter([{ x: 1e20, y: 1, title: "A" }]), "x").includes("1e+20"));
});

Deno.test("embeddingScatter() draws coordinates up to the largest number", () => {
  const fig = embeddingScatter([
    { x: 0, y: -1e300, title: "A (1995)" },
    { x: Number.MAX_VALUE, y: 1e300, title: "B (1996)" },
  ]);
  assertEquals(mark(fig, "dot", "circle").length, 2);
  assertEquals(unwritten(fig), []);
  assertEquals(tickLabels(fig, "y").at(-1), "1e+300");
});

Deno.test("embeddingScatter() and tsneScatter() refuse coordinates no axis can span", () => {
  const far = [{ x: 1e308, y: 0, title: "A" }, { x: -1e308, y: 1, title: "B" }];
  assertThrows(
    () => embeddingScatter(far),
    RangeError,
    "embeddingScatter(): expected x values whose range fits on an axis, found -1e+308 to " +
      "1e+308: their width overflows to Infinity",
  );
  assertThrows(
    () => tsneScatter(far.map((p) => ({ ...p, popularity: 1 }))),
    RangeError,
    "tsneScatter(): expected x values whose range fits on an axis",
  );
  assertThrows(
    () => embeddingScatter([{ x: 0, y: 1e-320, title: "A" }, { x: 0, y: 2e-320, title: "B" }]),
    RangeError,
    "embeddingScatter(): expected y values at least 1e-300 apart or all equal, found 1e-320 to " +
      "2e-320",
  );
});

Deno.test("embeddingScatter()'s text alternative tells labels beside their dots from those at a leader's end", () => {
  let ledInAll = 0;
  for (const [name, points] of Object.entries(crowded)) {
    const fig = embeddingScatter(points);
    const { dots, leaders, labels } = drawn(fig);
    const short = shortLabels(points.map((p) => p.title), 32);
    // A label is led when a leader starts at its own dot.
    const led = labels.filter((label) => {
      const own = dots.find((d) =>
        short[points.findIndex((p) => p.title === d.title)] === label.text
      )!;
      return leaders.some((l) => Math.hypot(l[0] - own.x, l[1] - own.y) < 0.5);
    }).length;
    const told = fig.info.description!;
    const near = labels.length - led;
    assert(
      told.includes(`${near} ${near === 1 ? "title is" : "titles are"} written beside`),
      `${name}: ${near} beside, ${led} led; ${told}`,
    );
    if (led > 0) {
      assert(told.includes(`, ${led} at the end of a line from`), `${name}: ${led} led; ${told}`);
    } else {
      assert(!told.includes("at the end of a line"), `${name}: ${told}`);
    }
    ledInAll += led;
  }
  assert(ledInAll > 0, "the audited maps have labels at a leader's end");
});
