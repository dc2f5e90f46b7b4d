import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { parseHTML } from "linkedom";
import {
  biasBars,
  embeddingScatter,
  type FigureElement,
  type FigureInfo,
  histogram,
  lossCurves,
  metricBars,
  type PlotFigure,
  PlotFigure as Figure,
  predictedVsTrue,
  ratingBars,
  saveFigure,
  tsneScatter,
} from "../../lib/plot/mod.ts";
import { textWidth } from "../../lib/plot/_dom.ts";
import { display, plainText, setDisplayTarget } from "../../lib/notebook/display.ts";

const $display = Symbol.for("Jupyter.display");
type Displayable = { [$display]: () => Record<string, string> };

function oneOfEach(): PlotFigure[] {
  const points = [
    { x: 0, y: 1, title: "A (1990)", popularity: 10 },
    { x: 1, y: 0, title: "B (1991)", popularity: 20 },
  ];
  return [
    lossCurves({ epoch: [1, 2], history: { loss: [1, 0.5], val_loss: [1.1, 0.7] } }),
    predictedVsTrue([1, 2, 3], [1.2, 2.1, 2.7]),
    histogram([0.1, 0.2, 0.5]),
    ratingBars([3, 4, 4.5]),
    embeddingScatter(points),
    tsneScatter(points),
    biasBars([{ title: "A (1990)", bias: 0.2 }]),
  ];
}

Deno.test("every plot helper returns one standalone SVG, 640 px wide, in the same font", () => {
  const figures = oneOfEach();
  const fonts = new Set<string | null>();
  for (const fig of figures) {
    assertEquals(fig.element.tagName.toLowerCase(), "svg", fig.info.kind);
    assertEquals(fig.width, 640, fig.info.kind);
    assert(fig.height > 60, `${fig.info.kind} is ${fig.height} px high`);
    assertEquals(fig.element.getAttribute("viewBox"), `0 0 640 ${fig.height}`);
    fonts.add(fig.element.getAttribute("font-family"));
    assertEquals(fig.element.getAttribute("font-size"), "12");
  }
  assertEquals(fonts.size, 1);
});

Deno.test("a figure shows itself in Jupyter as an SVG picture in HTML, with a text summary", () => {
  const fig = histogram([1, 2, 2, 3], { bins: 3, title: "Ratings" });
  const bundle = (fig as unknown as Displayable)[$display]();
  assertEquals(Object.keys(bundle), ["text/html", "text/plain"]);
  assertEquals(bundle["text/plain"], '[figure: histogram "Ratings", 3 bars]');
  const html = bundle["text/html"];
  assert(!html.includes("<svg"), "no inline <svg>: an untrusted notebook would show its text");
  const object = html.match(/^<object type="image\/svg\+xml" data="([^"]+)" width="640"/);
  assert(object, html.slice(0, 80));
  const img = html.match(/<img src="([^"]+)" width="640" height="\d+" alt="([^"]+)"><\/object>$/);
  assert(img, html.slice(-200));
  assertEquals(img[1], object[1]);
  assertEquals(
    img[2],
    "Ratings. Histogram of Value (bar heights: Count): 4 values in 3 bins from 1.00 to 3.00, " +
      "median 2.00. Tallest: 1.67 to 2.33 (2) and 1.00 to 1.67 (1).",
  );
  assert(html.includes(` aria-label="${img[2]}"><img`), "the object is labelled alike");
  const base64 = object[1].replace("data:image/svg+xml;base64,", "");
  const svg = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  assertEquals(svg, fig.toSVG());
  assertMatch(svg, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});

Deno.test("every figure's picture says in words what it plots and its values, not just its kind", () => {
  // The alt text was the one-line summary ("[figure: histogram, 3 bars]") for every figure: a
  // screen reader, or a reader with images off, learnt the kind of chart and nothing of it.
  const expected = [
    /^Line chart of Loss per epoch, epochs 1–2\. Train 1 at epoch 1 to 0\.500 at epoch 2; validation 1\.10 at epoch 1 to 0\.700 at epoch 2\.$/,
    /^Scatter of Predicted rating \(up\) against True rating \(across\), 3 predictions.*RMSE 0\.216, MAE 0\.200.*1: 1\.20 ± 0\.00; 2: 2\.10 ± 0\.00; 3: 2\.70 ± 0\.00\.$/,
    /^Histogram of Value \(bar heights: Count\): 3 values in 30 bins from 0\.100 to 0\.500, median 0\.200\. Tallest: /,
    /^Bar chart of the 3 ratings per star value, mean 3\.83: .*3 stars 1, 3\.5 stars 0, 4 stars 1, 4\.5 stars 1, 5 stars 0\.$/,
    /^Scatter of 2 movies, PC1 across and PC2 up\. Farthest out: left A \(1990\); right B \(1991\); top A \(1990\); bottom B \(1991\)\. 2 titles are written beside their dots\.$/,
    /^Map of 2 movies made by t-SNE, .*coloured by Popularity \(number of ratings\) in five classes.*Ringed and titled: B \(1991\); A \(1990\)\.$/,
    /^Horizontal bar chart of Bias \(stars\) for 1 movie, top to bottom: A \(1990\) \+0\.20\.$/,
  ];
  const figures = oneOfEach();
  figures.forEach((fig, i) => {
    assertMatch(fig.alt, expected[i]);
    const html = (fig as unknown as Displayable)[$display]()["text/html"];
    assert(html.includes(` alt="${fig.alt.replaceAll("&", "&amp;")}"`), fig.info.kind);
  });
});

Deno.test("a histogram's text alternative tells one bin edge from the next", () => {
  // Notebook 04's release years read "from 1,920 to 1,998, median 1,995. Tallest: 1,990 to
  // 2,000 (574) and 2,000 to 1,998 (351)": 3 significant digits of 1994.9, 1996.4 and 1998;
  // then "from 1920.0 to 1998.0": a decimal its bins, 1.56 years wide, do not need.
  const years = [1920, ...Array.from({ length: 574 }, () => 1995), 1998, 1997, 1997];
  const alt = histogram(years, { bins: 50, xLabel: "Release year", yLabel: "Movies" }).alt;
  assertMatch(alt, /from 1920 to 1998, median 1995\. Tallest: 1995 to 1996 \(574\)/);
  const cosines = histogram([0.61, 0.62, 0.66, 0.7], { bins: 4, domain: [0.6, 0.7] }).alt;
  assertMatch(cosines, /from 0\.600 to 0\.700, median 0\.640\. Tallest: 0\.600 to 0\.625 \(2\)/);
});

Deno.test("a figure's text alternative gives runs, baselines, categories and published figures", () => {
  const runs = lossCurves([
    {
      name: "lr 1e-3",
      history: { epoch: [1, 2, 3], history: { loss: [2, 1, 0.9], val_loss: [1.5, 1.1, 1.2] } },
    },
    {
      name: "lr 1e-4",
      history: { epoch: [4, 5], history: { loss: [0.8, 0.7], val_loss: [1.1, 1.05] } },
    },
  ], { title: "Two rates", baseline: { value: 1.25, label: "per-movie mean" } });
  assertEquals(
    runs.alt,
    "Two rates. Line chart of Loss per epoch, epochs 1–5. lr 1e-3: train 2 at epoch 1 to " +
      "0.900 at epoch 3, validation 1.50 at epoch 1 to 1.20 at epoch 3, lowest 1.10 at epoch 2; " +
      "lr 1e-4: train 0.800 at epoch 4 to 0.700 at epoch 5, validation 1.10 at epoch 4 to 1.05 " +
      "at epoch 5. Dotted line (baseline): per-movie mean 1.25.",
  );
  const flat = lossCurves(
    { epoch: [1, 2, 3], history: { loss: [0.5, 0.4, 0.3], val_loss: [0.9, 0.8, 0.9] } },
    { title: "Flat", subtitle: "Validation back where it began" },
  );
  assertMatch(
    flat.alt,
    /^Flat\. Validation back where it began\. Line chart .* validation 0\.900 at epoch 1 and again at epoch 3, lowest 0\.800 at epoch 2\.$/,
  );
  const genres = tsneScatter([
    { x: 0, y: 0, title: "A (1990)", genre: "Drama", popularity: 5 },
    { x: 1, y: 1, title: "B (1991)", genre: "other", popularity: 9 },
    { x: 2, y: 0, title: "C (1992)", genre: "Drama", popularity: 1 },
  ], { color: "genre", labels: 1 });
  assertMatch(genres.alt, /coloured by genre: Drama 2, other 1\. Ringed and titled: B \(1991\)\.$/);
  const bars = metricBars([
    { model: "most popular", value: 0.214, sd: 0.004, published: 0.22 },
    { model: "BPR", value: 0.408, published: [0.4, 0.41] },
  ], { xLabel: "NDCG@10" });
  assertEquals(
    bars.alt,
    "Horizontal bar chart of NDCG@10, top to bottom: most popular 0.214 ± 0.004 (published " +
      "0.220); BPR 0.408 (published 0.400–0.410).",
  );
});

Deno.test("a figure's picture keeps non-ASCII text (UTF-8 in base64)", () => {
  const fig = histogram([1, 2], { title: "Ratings ★ – 1995–2000" });
  const html = (fig as unknown as Displayable)[$display]()["text/html"];
  const base64 = html.match(/data="data:image\/svg\+xml;base64,([^"]+)"/)![1];
  const svg = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  assert(svg.includes("Ratings ★ – 1995–2000"));
});

Deno.test("a figure's markup parses back with the marks intact and rounded coordinates", () => {
  const fig = lossCurves({ epoch: [1, 2, 3], history: { loss: [1 / 3, 2 / 7, 1 / 9] } });
  const { document } = parseHTML(`<!doctype html><html><body>${fig}</body></html>`) as unknown as {
    document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string }> };
  };
  const circles = Array.from(document.querySelectorAll('g[aria-label="dot"] circle'));
  assertEquals(circles.length, 3);
  for (const c of circles) assertMatch(c.getAttribute("cy"), /^-?\d+(\.\d)?$/);
});

Deno.test("display() prints a figure as its one-line summary outside Jupyter", async () => {
  const out: string[] = [];
  const restore = setDisplayTarget({ jupyter: null, stdout: (t) => out.push(t) });
  try {
    await display(
      lossCurves({ epoch: [1, 2, 3], history: { loss: [3, 2, 1], val_loss: [3, 2, 2] } }),
    );
  } finally {
    restore();
  }
  assertEquals(out, ["[figure: loss curves, 2 series, 6 points]"]);
  assertEquals(await plainText(biasBars([{ title: "A", bias: 1 }])), "[figure: bias bars, 1 bar]");
});

Deno.test("saveFigure() writes a standalone .svg file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/hist.svg`;
    await saveFigure(histogram([1, 2, 3]), path);
    const text = await Deno.readTextFile(path);
    assert(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'));
    assert(text.includes('xmlns="http://www.w3.org/2000/svg"'));
    assert(text.trimEnd().endsWith("</svg>"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() names the path when a file stands where its folder should be", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/afile.txt`, "x");
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), `${dir}/afile.txt/x.svg`),
      TypeError,
      `saveFigure(): cannot write ${dir}/afile.txt/x.svg: ${dir}/afile.txt is a file, not a folder`,
    );
    await Deno.mkdir(`${dir}/dir.svg`);
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), `${dir}/dir.svg`),
      TypeError,
      `saveFigure(): cannot write ${dir}/dir.svg: it is a folder`,
    );
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["afile.txt", "dir.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() writes through a temporary file renamed over the old one", async () => {
  const dir = await Deno.makeTempDir();
  const calls: string[] = [];
  const { writeTextFile, rename } = Deno;
  try {
    const path = `${dir}/hist.svg`;
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(path, 0o640);
    // The content never goes to the destination directly: a failed write leaves the old file.
    Deno.writeTextFile = ((p: string | URL, ...rest: unknown[]) => {
      calls.push(`write ${String(p)}`);
      if (String(p) !== path) throw new Deno.errors.PermissionDenied("disk says no");
      return (writeTextFile as (...a: unknown[]) => Promise<void>)(p, ...rest);
    }) as typeof Deno.writeTextFile;
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), path),
      Deno.errors.PermissionDenied,
      `saveFigure(): cannot write ${path}: disk says no`,
    );
    assertEquals(await Deno.readTextFile(path), "old");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["hist.svg"], "no temporary file");
    Deno.writeTextFile = writeTextFile;
    Deno.rename = ((from: string | URL, to: string | URL) => {
      calls.push(`rename ${String(to)}`);
      return rename(from, to);
    }) as typeof Deno.rename;
    await saveFigure(histogram([1, 2, 3]), path);
    assert((await Deno.readTextFile(path)).startsWith("<?xml"));
    assertEquals(calls.at(-1), `rename ${path}`);
    assert(calls[0].startsWith(`write ${dir}/.hist.svg.`), calls[0]);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o640, "the mode is kept");
    }
  } finally {
    Deno.writeTextFile = writeTextFile;
    Deno.rename = rename;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() on a full disk removes the folders it made, and only those", async () => {
  const dir = await Deno.makeTempDir();
  const { writeTextFile } = Deno;
  try {
    await Deno.mkdir(`${dir}/kept`);
    // A write that fails as on a full disk, after the folders were made.
    Deno.writeTextFile = (() => {
      throw new Error("No space left on device (os error 28)");
    }) as typeof Deno.writeTextFile;
    const path = `${dir}/kept/sub/deeper/hist.svg`;
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), path),
      Error,
      `saveFigure(): cannot write ${path}: No space left on device (os error 28)`,
    );
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["kept"]);
    assertEquals([...Deno.readDirSync(`${dir}/kept`)], [], "sub/deeper removed, kept kept");
  } finally {
    Deno.writeTextFile = writeTextFile;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() rejects other paths and values that are not figures", async () => {
  await assertRejects(
    () => saveFigure(histogram([1]), "/tmp/plot.png"),
    RangeError,
    'expected a path ending in .svg, found "/tmp/plot.png"',
  );
  await assertRejects(
    () => saveFigure("<svg/>" as unknown as PlotFigure, "/tmp/x.svg"),
    TypeError,
    "expected a PlotFigure from a plot helper, found string",
  );
});

Deno.test("a non-SVG root is shown as HTML and saved inside a foreignObject", () => {
  const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
    document: { createElement(tag: string): PlotFigure["element"] };
  };
  const root = document.createElement("figure");
  root.setAttribute("width", "300");
  const fig = new Figure(root, { kind: "custom", points: 0 });
  assertEquals(fig.toHTML(), fig.toString());
  const svg = fig.toSVG();
  assert(svg.includes("<foreignObject"));
  assert(svg.includes('width="300"'));
});

/** Width (px) of a tick label in DejaVu Sans at 12 px, the font the figures fall back to. */
function dejaVuWidth(text: string): number {
  const em: Record<string, number> = { ".": 0.318, ",": 0.318, "\u2212": 0.838, "%": 0.95 };
  return [...text].reduce((sum, ch) => sum + (em[ch] ?? 0.636), 0) * 12;
}

/** `x` of an element's `translate(x,y)`. */
const translateX = (node: { getAttribute(name: string): string | null } | null) =>
  Number(node?.getAttribute("transform")?.match(/translate\(([-\d.]+)/)?.[1] ?? 0);

/**
 * Room (px) between the rotated y-axis title's glyphs (its anchor plus about an em) and the
 * left end of the widest y tick label; the left margin (where the y axis stands).
 */
function yAxisRoom(fig: PlotFigure): { room: number; margin: number; widest: string } {
  const title = fig.element.querySelector('g[aria-label="y-axis label"]')!;
  const titleRight = translateX(title) + translateX(title.querySelector("text")) + 12;
  const ticks = fig.element.querySelector('g[aria-label="y-axis tick label"]')!;
  let room = Infinity, margin = 0, widest = "";
  for (const text of Array.from(ticks.querySelectorAll("text"))) {
    const label = text.textContent ?? "";
    margin = translateX(text);
    const left = translateX(ticks) + margin - dejaVuWidth(label);
    if (left - titleRight < room) [room, widest] = [left - titleRight, label];
  }
  return { room, margin, widest };
}

Deno.test("no figure's y tick labels reach into its y-axis title, and margins only grow", () => {
  const wide = [
    // Five-character ticks (0.605 … 0.635), as notebook 03's loss curves.
    lossCurves({
      epoch: [1, 2, 3],
      history: { loss: [0.635, 0.613, 0.607], val_loss: [0.616, 0.61, 0.606] },
    }),
    // Negative ticks with their minus signs (−0.10 … 0.05), as notebook 01's PCA maps.
    embeddingScatter([
      { x: 0, y: -0.11, title: "A (1990)" },
      { x: 1, y: 0.06, title: "B (1991)" },
      { x: 0.5, y: 0.01, title: "C (1992)" },
    ], { yLabel: "PC3 (11.5%)" }),
    // Counts with a thousands separator.
    histogram(Array.from({ length: 30000 }, (_, i) => i % 7), { bins: 7, yLabel: "Ratings" }),
    predictedVsTrue([1, 2, 3, 4, 5], [1.2, 2.1, 2.7, 3.9, 4.2], { domain: [-1.25, 6] }),
  ];
  for (const fig of wide) {
    const { room, widest } = yAxisRoom(fig);
    assert(room >= 2, `${fig.info.kind}: "${widest}" ends ${room.toFixed(1)} px from the title`);
  }
  // Short ticks keep the margins the helpers ask for.
  const short = lossCurves({ epoch: [1, 2, 3], history: { loss: [3, 2, 1] } });
  assertEquals(yAxisRoom(short).margin, 52);
  const counts = histogram([1, 2, 2, 3], { bins: 3 });
  assertEquals(yAxisRoom(counts).margin, 56);
});

Deno.test("a run drawn under another says where the two are the same", () => {
  const history = { epoch: [1, 2, 3], history: { loss: [1, 0.8, 0.7], val_loss: [1.2, 1, 0.9] } };
  const fig = lossCurves([{ name: "shuffled", history }, { name: "sorted", history }]);
  assertMatch(fig.alt, /shuffled \(the same as sorted at epochs 1–3, drawn under it\): train 1 /);
});

/** A figure around markup parsed with linkedom (a root of our own making, not a Plot chart). */
function figureOf(markup: string, info: FigureInfo = { kind: "test", points: 0 }): PlotFigure {
  const { document } = parseHTML(markup) as unknown as { document: { firstChild: FigureElement } };
  return new Figure(document.firstChild, info);
}

Deno.test("new PlotFigure() rejects a value that is not an element, naming its type", () => {
  const info = { kind: "test", points: 0 };
  for (
    const [value, found] of [[null, "object"], ["<svg/>", "string"], [{ tagName: "svg" }, "object"]]
  ) {
    assertThrows(
      () => new Figure(value as unknown as FigureElement, info),
      TypeError,
      `PlotFigure: expected a DOM element, found ${found}`,
    );
  }
});

Deno.test("a figure keeps the description it was made with when the caller's object changes", () => {
  const info: FigureInfo = { kind: "dot", points: 2 };
  const fig = figureOf('<svg width="20" height="10"></svg>', info);
  info.points = 5;
  info.kind = "bars";
  assertEquals(fig.summary, "[figure: dot, 2 points]");
});

Deno.test("a figure's summary counts series and points as given, in the singular for one", () => {
  const summary = (info: FigureInfo) => figureOf("<svg></svg>", info).summary;
  assertEquals(summary({ kind: "dot", series: 0, points: 0 }), "[figure: dot, 0 series, 0 points]");
  assertEquals(summary({ kind: "steps", points: 1, unit: "steps" }), "[figure: steps, 1 step]");
  assertEquals(summary({ kind: "steps", points: 2, unit: "steps" }), "[figure: steps, 2 steps]");
});

Deno.test("a figure's size is 0 where its root has none, and its picture then takes none", () => {
  const fig = figureOf('<svg><circle r="4"/></svg>');
  assertEquals([fig.width, fig.height], [0, 0]);
  const html = fig.toHTML();
  assert(!/ (width|height)=/.test(html.replace(/data:[^"]*/g, "")), html.slice(0, 120));
});

Deno.test("a figure without a description is told by its summary, in its alt text too", () => {
  const fig = figureOf('<svg width="20" height="10"></svg>', {
    kind: "dot",
    title: "T",
    points: 3,
  });
  assertEquals(fig.alt, '[figure: dot "T", 3 points]');
  assert(fig.toHTML().endsWith(' alt="[figure: dot &quot;T&quot;, 3 points]"></object>'));
});

Deno.test("a figure's alt text ends the title with one full stop, or with its own mark", () => {
  const alt = (title: string, subtitle?: string) =>
    figureOf("<svg></svg>", { kind: "dot", title, subtitle, points: 1, description: "D." }).alt;
  assertEquals(alt("Ratings."), "Ratings. D.");
  assertEquals(alt("Does it learn?", "It does!"), "Does it learn? It does! D.");
  assertEquals(alt("Ratings", "by user"), "Ratings. by user. D.");
});

Deno.test("a figure's alt text keeps quotes, ampersands and angle brackets as text", () => {
  const fig = figureOf('<svg width="20" height="10"></svg>', {
    kind: "dot",
    title: 'Ratings of "Alien" & <Aliens>',
    points: 1,
    description: "x < y > z.",
  });
  const html = fig.toHTML();
  const alt = "Ratings of &quot;Alien&quot; &amp; &lt;Aliens&gt;. x &lt; y &gt; z.";
  assert(html.includes(` aria-label="${alt}">`), html.replace(/data:[^"]*/g, ""));
  assert(html.endsWith(` alt="${alt}"></object>`), html.replace(/data:[^"]*/g, ""));
  // The markup read back as HTML gives the alt text unchanged.
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`) as unknown as {
    document: { querySelector(s: string): FigureElement };
  };
  assertEquals(document.querySelector("img").getAttribute("alt"), fig.alt);
});

/** The text a figure's picture holds: its `data:` source decoded from base64 as UTF-8. */
function pictureText(fig: PlotFigure): string {
  const base64 = fig.toHTML().match(/ src="data:image\/svg\+xml;base64,([^"]+)"/)![1];
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

Deno.test("a figure's picture holds its whole SVG file, however long", () => {
  // The base64 is made in 32,768-byte pieces: a file one byte longer than a piece, and one of
  // several pieces.
  const head = '<svg width="20" height="10"><text>';
  const bytes = (fig: PlotFigure) => new TextEncoder().encode(fig.toSVG()).length;
  const one = bytes(figureOf(`${head}x</text></svg>`));
  for (const size of [0x8000 + 1, 3 * 0x8000 + 5]) {
    const fig = figureOf(`${head}${"é".repeat(7)}${"x".repeat(size - one + 1 - 14)}</text></svg>`);
    assertEquals(bytes(fig), size);
    assertEquals(pictureText(fig), fig.toSVG());
  }
});

Deno.test("toSVG() gives one SVG namespace, whether or not the root has it", () => {
  const count = (text: string) => text.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)?.length;
  const plot = histogram([1, 2, 3]);
  assert(plot.toString().includes('xmlns="http://www.w3.org/2000/svg"'), "Plot writes one");
  assertEquals(count(plot.toSVG()), 1);
  const bare = figureOf('<svg width="20" height="10"></svg>');
  assertEquals(
    bare.toSVG(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" />\n',
  );
});

Deno.test("a non-SVG root is saved as XHTML in a foreignObject filling the SVG", () => {
  const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
    document: { createElement(tag: string): PlotFigure["element"] };
  };
  const root = document.createElement("figure");
  root.setAttribute("width", "300");
  root.setAttribute("height", "200");
  assertEquals(
    new Figure(root, { kind: "custom", points: 0 }).toSVG(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">' +
      '<foreignObject width="100%" height="100%"><div xmlns="http://www.w3.org/1999/xhtml">' +
      `${root.outerHTML}</div></foreignObject></svg>\n`,
  );
  // Without a size of its own, it takes the figures' width.
  const bare = new Figure(document.createElement("figure"), { kind: "custom", points: 0 });
  assertMatch(bare.toSVG(), /^<\?xml[^>]*>\n<svg xmlns="[^"]+" width="640" height="\d+">/);
});

Deno.test("saveFigure() names null as null, and a path that is not text as not ending in .svg", async () => {
  await assertRejects(
    () => saveFigure(null as unknown as PlotFigure, "/tmp/x.svg"),
    TypeError,
    "expected a PlotFigure from a plot helper, found null",
  );
  await assertRejects(
    () => saveFigure(histogram([1]), 42 as unknown as string),
    RangeError,
    'expected a path ending in .svg, found "42"',
  );
  await assertRejects(
    () => saveFigure(histogram([1]), "/tmp/plotsvg"),
    RangeError,
    'expected a path ending in .svg, found "/tmp/plotsvg"',
  );
});

Deno.test("saveFigure() takes .svg in any case, and replaces a symbolic link with the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveFigure(histogram([1, 2, 3]), `${dir}/UPPER.SVG`);
    assert((await Deno.readTextFile(`${dir}/UPPER.SVG`)).startsWith("<?xml"));
    await Deno.writeTextFile(`${dir}/target.txt`, "kept");
    await Deno.symlink(`${dir}/target.txt`, `${dir}/link.svg`);
    await saveFigure(histogram([1, 2, 3]), `${dir}/link.svg`);
    assert((await Deno.lstat(`${dir}/link.svg`)).isFile, "the link is now a file");
    assert((await Deno.readTextFile(`${dir}/link.svg`)).startsWith("<?xml"));
    assertEquals(await Deno.readTextFile(`${dir}/target.txt`), "kept", "its target is untouched");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() will not write over a path that is not a regular file", async () => {
  if (Deno.build.os === "windows") return;
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/pipe.svg`;
    const made = await new Deno.Command("mkfifo", { args: [path] }).output().catch(() => null);
    if (!made?.success) return; // no mkfifo here
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), path),
      TypeError,
      `saveFigure(): cannot write ${path}: it is not a regular file`,
    );
    assert(!(await Deno.lstat(path)).isFile, "the pipe is still there");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveFigure() keeps the class of an error making the folder, naming the path", async () => {
  const dir = await Deno.makeTempDir();
  const { mkdir } = Deno;
  try {
    Deno.mkdir = (() => {
      throw new Deno.errors.PermissionDenied("disk says no");
    }) as typeof Deno.mkdir;
    await assertRejects(
      () => saveFigure(histogram([1, 2, 3]), `${dir}/new/hist.svg`),
      Deno.errors.PermissionDenied,
      `saveFigure(): cannot write ${dir}/new/hist.svg: its folder cannot be made (disk says no)`,
    );
  } finally {
    Deno.mkdir = mkdir;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every plot helper rejects a size that is not positive and titles that are not text", () => {
  const helpers: [string, (options: Record<string, unknown>) => unknown][] = [
    ["histogram", (o) => histogram([1, 2, 3], o)],
    ["predictedVsTrue", (o) => predictedVsTrue([1, 2], [1, 2], o)],
    ["lossCurves", (o) => lossCurves({ epoch: [1, 2], history: { loss: [1, 0.5] } }, o)],
  ];
  for (const [fn, draw] of helpers) {
    assertThrows(() => draw({ width: 0 }), RangeError, `${fn}(): expected width to be a positive`);
    assertThrows(
      () => draw({ height: -1 }),
      RangeError,
      `${fn}(): expected height to be a positive`,
    );
    for (const key of ["title", "subtitle", "caption"]) {
      for (const [value, found] of [[1, "number"], [{}, "object"], [true, "boolean"]]) {
        assertThrows(
          () => draw({ [key]: value }),
          TypeError,
          `${fn}(): expected ${key} to be a string, found ${found}`,
        );
      }
    }
  }
});

Deno.test("every legend writes each label after its key, entries apart, above the chart", () => {
  const figures = [
    ...oneOfEach(),
    lossCurves({ epoch: [1, 2], history: { loss: [1, 0.5], val_loss: [1.1, 0.7] } }, {
      baseline: { value: 0.8, label: "mean" },
    }),
    metricBars([{ model: "BPR", value: 0.4, published: 0.41 }, {
      model: "ALS",
      value: 0.3,
      published: [0.28, 0.31],
    }]),
    predictedVsTrue([1, 2, 3], [1, 2, 3], { width: 300 }),
  ];
  let entries = 0;
  for (const fig of figures) {
    const legend = fig.element.querySelector('g[aria-label="legend"]');
    // Swatch legends only: a colour ramp's classes are Plot's (one group of swatches).
    if (!legend || Array.from(legend.children).some((g) => !g.hasAttribute("transform"))) continue;
    const at = (node: FigureElement) =>
      node.getAttribute("transform")!.match(/translate\(([-\d.]+),([-\d.]+)\)/)!.slice(1)
        .map(Number);
    const rows = new Map<number, { x: number; end: number }[]>();
    for (const entry of Array.from(legend.children)) {
      const [x, y] = at(entry);
      const key = entry.children[0], text = entry.querySelector("text")!;
      const tag = key.tagName.toLowerCase();
      const n = (name: string) => Number(key.getAttribute(name));
      const keyEnd = tag === "line"
        ? n("x2")
        : tag === "circle"
        ? n("cx") + n("r")
        : tag === "rect"
        ? n("x") + n("width")
        : Math.max(...key.getAttribute("d")!.match(/[\d.]+(?=,)/g)!.map(Number));
      const label = text.textContent ?? "";
      assert(Number(text.getAttribute("x")) >= keyEnd + 3, `${fig.info.kind}: "${label}"`);
      const end = x + Number(text.getAttribute("x")) + textWidth(label);
      rows.set(y, [...rows.get(y) ?? [], { x, end }]);
      entries++;
    }
    for (const row of rows.values()) {
      row.sort((a, b) => a.x - b.x);
      row.slice(1).forEach((e, i) => assert(e.x >= row[i].end + 8, `${fig.info.kind}: ${e.x}`));
    }
    const [legendLeft, legendTop] = at(legend);
    const right = Math.max(...[...rows.values()].flat().map((e) => legendLeft + e.end));
    assert(right <= fig.width, `${fig.info.kind}: the legend runs to ${right}`);
    const [, chartTop] = at(fig.element.querySelector('g[aria-label="chart"]')!);
    const lastRow = Math.max(...rows.keys());
    assert(legendTop + lastRow + 12 / 2 <= chartTop, `${fig.info.kind}: legend over the chart`);
  }
  assert(entries > 10, `${entries} entries`);
});
