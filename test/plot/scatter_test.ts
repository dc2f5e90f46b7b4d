import { assert, assertEquals, assertThrows } from "@std/assert";
import { embeddingScatter, type TsnePoint, tsneScatter } from "../../lib/plot/scatter.ts";
import { type Frame, placeLabels } from "../../lib/plot/_labels.ts";
import { textWidth } from "../../lib/plot/_dom.ts";
import { createRng } from "../../lib/random.ts";
import { all, axisLabels, texts, titles } from "./_svg.ts";

const movies = [
  { x: 0.8, y: 0.1, title: "Star Wars (1977)" },
  { x: 0.7, y: 0.35, title: "Return of the Jedi (1983)" },
  { x: -0.5, y: -0.2, title: "Fargo (1996)" },
  { x: -0.1, y: 0.6, title: "Willy Wonka and the Chocolate Factory (1971)" },
];

const labelTexts = (fig: ReturnType<typeof embeddingScatter>) =>
  all(fig, 'g[aria-label="text"] text').map((t) => t.textContent);

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

Deno.test("embeddingScatter() leaves out labels that cannot fit and says so", () => {
  // 30 movies on top of each other: only a few labels fit around the pile.
  const crowd = Array.from({ length: 30 }, (_, i) => ({
    x: 1 + i * 1e-4,
    y: 1,
    title: `Movie number ${i} (1990)`,
  })).concat([{ x: -1, y: -1, title: "Far away (1999)" }]);
  const fig = embeddingScatter(crowd);
  const placed = labelTexts(fig).length;
  assert(placed < 31 && placed > 1, `placed ${placed}`);
  assert(
    texts(fig).includes(
      `${31 - placed} labels left out to avoid overlaps (hover a dot for its title)`,
    ),
  );
  assert(labelTexts(fig).includes("Movie number 0 (1990)"), "the first points get labels first");
});

Deno.test("placeLabels() never lets two labels overlap or leave the frame", () => {
  const rng = createRng(3);
  const frame: Frame = { left: 40, right: 620, top: 10, bottom: 500, x: [-3, 3], y: [-3, 3] };
  const points = Array.from({ length: 120 }, () => ({ x: rng.normal(), y: rng.normal() }));
  const texts = points.map((_, i) => `Some movie title ${i}`);
  const { placed, dropped } = placeLabels(frame, points, texts, points.map((_, i) => i), 11, 4);
  assertEquals(placed.length + dropped, 120);
  assert(placed.length > 20);
  const boxes = placed.map((l) => {
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
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const overlap = a.x0 < b.x1 - 1e-6 && b.x0 < a.x1 - 1e-6 && a.y0 < b.y1 - 1e-6 &&
        b.y0 < a.y1 - 1e-6;
      assert(!overlap, `labels ${placed[i].text} and ${placed[j].text} overlap`);
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
  assert(texts(fig).includes("Popularity (number of ratings)"));
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
  assert(labels.some((l) => l.includes("IV") && l.endsWith("(1977)")), labels.join(" | "));
  assert(labels.some((l) => l.includes("V - The Empire") && l.endsWith("(1980)")));
});
