import { assert, assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import { histogram, ratingBars } from "../../lib/plot/histogram.ts";
import { all, axisLabels, mark, texts, tickLabels, titles, unwritten } from "./_svg.ts";

/** The count in a bar's hover title, e.g. `0.2 – 0.4: 1,234` → 1234. */
const countOf = (title: string) =>
  Number(title.slice(title.lastIndexOf(":") + 1).replaceAll(",", ""));

Deno.test("histogram() draws exactly `bins` bars whose counts add up to the values", () => {
  const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.9);
  const fig = histogram(values, { bins: 25, xLabel: "Cosine similarity" });
  assertEquals(mark(fig, "rect", "rect").length, 25);
  const hover = titles(fig);
  assertEquals(hover.length, 25);
  assertEquals(hover.map(countOf).reduce((a, b) => a + b, 0), 1000);
  assertEquals(axisLabels(fig), { x: "Cosine similarity", y: "Count" });
  assertEquals(fig.summary, "[figure: histogram, 25 bars]");
});

Deno.test("histogram() puts the maximum in the last bin", () => {
  const fig = histogram([0, 1, 2, 3, 4], { bins: 2 });
  assertEquals(titles(fig), ["0 – 2: 2", "2 – 4: 3"]);
});

Deno.test("histogram() counts the values left outside a given domain in the caption", () => {
  const fig = histogram([-2, 0.1, 0.2, 0.3, 5], { bins: 3, domain: [0, 1] });
  assertEquals(titles(fig).map(countOf).reduce((a, b) => a + b, 0), 3);
  assert(texts(fig).includes("2 values outside [0, 1] not shown"));
});

Deno.test("histogram() handles values that are all equal", () => {
  const fig = histogram(new Float32Array([3, 3, 3]), { bins: 4 });
  assertEquals(titles(fig).map(countOf).reduce((a, b) => a + b, 0), 3);
});

Deno.test("histogram() with a whole binWidth gives whole values the same room in every bar", () => {
  // Notebook 04's release years: 50 equal bins over 1920–1998 are 1.56 years wide and hold one
  // year or two in turn, so 1994 alone (214 movies) stood at half the height of 1995 + 1996
  // (574) beside it. With binWidth 1, a bar per year, centred on it.
  const perYear: Record<number, number> = { 1920: 1, 1993: 126, 1994: 214, 1995: 219, 1996: 355 };
  Object.assign(perYear, { 1997: 286, 1998: 65 });
  const years = Object.entries(perYear).flatMap(([y, n]) => Array(n).fill(Number(y)));
  const fig = histogram(years, { binWidth: 1, xTickFormat: String, xLabel: "Release year" });
  const bars = mark(fig, "rect", "rect");
  assertEquals(bars.length, 1998 - 1920 + 1, "a bar per year, the empty ones included");
  const hover = titles(fig);
  for (const [year, n] of Object.entries(perYear)) assert(hover.includes(`${year}: ${n}`), year);
  const widths = new Set(bars.map((b) => Number(b.getAttribute("width"))));
  assertEquals(widths.size, 1, `bars of one width: ${[...widths]}`);
  assert(
    fig.alt.includes("79 bins from 1920 to 1998, median 1996. Tallest: 1996 (355) and 1997 (286)."),
    fig.alt,
  );
  // Two years a bar: 1920–1921, …, 1996–1997, 1998–1999.
  const two = histogram(years, { binWidth: 2 });
  assertEquals(mark(two, "rect", "rect").length, 40);
  assert(titles(two).includes("1996–1997: 641"), titles(two).join(" | "));
  assert(two.alt.includes("Tallest: 1996–1997 (641) and 1994–1995 (433)."), two.alt);
});

Deno.test("histogram() with a binWidth of fractions starts its bins at a multiple of it", () => {
  const fig = histogram([0.1, 0.3, 0.9, 1.0], { binWidth: 0.25 });
  assertEquals(titles(fig), ["0 – 0.25: 1", "0.25 – 0.5: 1", "0.5 – 0.75: 0", "0.75 – 1: 2"]);
  assertThrows(() => histogram([1, 2], { binWidth: 1, bins: 3 }), TypeError, "found both");
  assertThrows(() => histogram([1, 2], { binWidth: 0 }), RangeError, "positive number, found 0");
});

Deno.test("histogram() rejects empty input, NaN, non-numbers and bad bin counts", () => {
  assertThrows(() => histogram([]), RangeError, "expected at least one value, found none");
  assertThrows(
    () => histogram([0.5, NaN]),
    RangeError,
    "expected finite numbers in values, found NaN at index 1",
  );
  assertThrows(
    () => histogram([1, null] as unknown as number[]),
    TypeError,
    "expected values[1] to be a number, found null",
  );
  assertThrows(() => histogram([1, 2], { bins: 0 }), RangeError, "positive integer, found 0");
  assertThrows(() => histogram([1, 2], { bins: 2.5 }), RangeError, "found 2.5");
  assertThrows(() => histogram("123" as unknown as number[]), TypeError, "found string");
});

Deno.test("ratingBars() shows every half star, counts on the bars and the mean", () => {
  const fig = ratingBars([4, 4, 3.5, 5, 1]);
  const bars = mark(fig, "bar", "rect");
  assertEquals(bars.length, 10, "0.5 … 5 in half stars, empty ones included");
  const ticks = fig.element.querySelectorAll('g[aria-label="x-axis tick label"] text');
  assertEquals(Array.from(ticks).map((t) => t.textContent), [
    "0.5",
    "1",
    "1.5",
    "2",
    "2.5",
    "3",
    "3.5",
    "4",
    "4.5",
    "5",
  ]);
  assertEquals(titles(fig)[7], "4 stars: 2 ratings (40.0%)");
  assert(texts(fig).includes("5 ratings, mean 3.50"));
  assertEquals(axisLabels(fig), { x: "Rating (stars)", y: "Ratings" });
});

Deno.test("ratingBars() shows whole stars for integer ratings (ml-100k)", () => {
  const fig = ratingBars(new Int8Array([1, 2, 2, 5]));
  assertEquals(mark(fig, "bar", "rect").length, 5);
  const counts = fig.element.querySelectorAll('g[aria-label="text"] text');
  assertEquals(Array.from(counts).map((t) => t.textContent), ["1", "2", "0", "0", "1"]);
});

Deno.test("ratingBars() reads the rating column of a DataFrame", () => {
  const df = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4.5, 3, 4.5] });
  const fig = ratingBars(df);
  assert(texts(fig).includes("3 ratings, mean 4.00"));
  assertThrows(
    () => ratingBars(df.drop("rating")),
    RangeError,
    'expected a "rating" column, found userId, movieId',
  );
});

Deno.test("ratingBars() rejects empty input and ratings off the star grid", () => {
  assertThrows(() => ratingBars([]), RangeError, "expected at least one rating");
  assertThrows(
    () => ratingBars([4, 3.5, 3.3]),
    RangeError,
    "expected ratings in steps of 0.5, found 3.3 at index 2",
  );
  assertThrows(
    () => ratingBars([4, Infinity]),
    RangeError,
    "found Infinity at index 1",
  );
});

Deno.test("histogram() formats the x ticks with xTickFormat (years without separators)", () => {
  const years = [1920, 1955, 1970, 1994, 1995, 1998];
  const plain = texts(histogram(years, { bins: 10 }));
  assert(plain.some((t) => /^1,9\d0$/.test(t)), `ticks: ${plain.join(" ")}`);
  const fig = histogram(years, { bins: 10, xTickFormat: String });
  const ticks = texts(fig).filter((t) => /^19\d0$/.test(t));
  assert(ticks.length >= 3, `ticks: ${texts(fig).join(" ")}`);
  assert(!texts(fig).some((t) => /^1,9\d0$/.test(t)));
});

Deno.test("histogram() with a binWidth finds edges despite rounding and leaves a domain's outside out", () => {
  // 0.3 / 0.1 is 2.9999999999999996 in floats: 0.3 still starts the first bin, 0.5 the third.
  assertEquals(titles(histogram([0.3, 0.5, 0.7], { binWidth: 0.1 })), [
    "0.3 – 0.4: 1",
    "0.4 – 0.5: 0",
    "0.5 – 0.6: 1",
    "0.6 – 0.7: 1",
  ]);
  // The bins cover the domain in whole widths (1919.5 to 1999.5), but 1999 and 2003 lie outside
  // the domain asked for, as does 1919: the caption names that domain.
  const years = histogram([1919, 1920, 1925, 1998, 1999, 2003], {
    binWidth: 10,
    domain: [1920, 1998],
  });
  assertEquals(titles(years).at(-1), "1990–1999: 1");
  assert(
    texts(years).includes("3 values outside [1920, 1998] not shown"),
    texts(years).join(" / "),
  );
  // One value in a fractional width: one bar, not a widened range of three.
  assertEquals(titles(histogram([7.25], { binWidth: 0.5 })), ["7 – 7.5: 1"]);
  assertEquals(titles(histogram([-4, -3, 2], { binWidth: 1 })).slice(0, 2), [
    "-4: 1",
    "-3: 1",
  ]);
  assertEquals(titles(histogram([-4, -3, 2], { binWidth: 2 }))[0], "-4 to -3: 2");
});

Deno.test("histogram() refuses an infinite binWidth and one that makes over 10,000 bins", () => {
  assertThrows(
    () => histogram([0, 1], { binWidth: Infinity }),
    RangeError,
    "expected binWidth to be a positive number, found Infinity",
  );
  assertThrows(
    () => histogram([0, 1], { binWidth: 1e-5 }),
    RangeError,
    "expected a binWidth that makes at most 10,000 bins, found 0.00001 over [0, 1] (100,000 bins)",
  );
  assertThrows(() => histogram([0, 1], { bins: 20_000 }), RangeError, "at most 10,000 bins");
});

Deno.test("histogram() writes a count tick of 1,000 as 1k and smaller ones in full", () => {
  const fig = histogram(Array.from({ length: 2000 }, (_, i) => i < 1500 ? 0 : 1), { bins: 2 });
  const ticks = texts(fig);
  assert(ticks.includes("1k"), ticks.join(" "));
  assert(ticks.includes("800"), ticks.join(" "));
  assert(!ticks.includes("1000"), ticks.join(" "));
});

Deno.test("histogram() centres equal values in a domain one unit wide", () => {
  assertEquals(titles(histogram([3, 3, 3], { bins: 4 })), [
    "2.5 – 2.75: 0",
    "2.75 – 3: 0",
    "3 – 3.25: 3",
    "3.25 – 3.5: 0",
  ]);
});

Deno.test("histogram() starts fractional bins of a binWidth at a multiple of it", () => {
  assertEquals(titles(histogram([0.1, 0.5, 1.0], { binWidth: 0.3 })), [
    "0 – 0.3: 1",
    "0.3 – 0.6: 1",
    "0.6 – 0.9: 0",
    "0.9 – 1.2: 1",
  ]);
});

Deno.test("histogram() adds no empty bin for a rounding error past the last edge", () => {
  // 2.1 / 0.3 is 7.000000000000001 in floating point: 7 bins, not 8.
  const hover = titles(histogram([0, 2.1], { binWidth: 0.3 }));
  assertEquals(hover.length, 7);
  assertEquals(hover.at(-1), "1.8 – 2.1: 1");
});

Deno.test("histogram() and ratingBars() draw grid lines and the baseline at the bars' foot", () => {
  const fig = histogram([0, 1, 1, 2], { bins: 2 });
  assertEquals(all(fig, 'g[aria-label="y-grid"]').length, 1);
  const foot = mark(fig, "rect", "rect").map((r) =>
    Number(r.getAttribute("y")) + Number(r.getAttribute("height"))
  );
  const rule = mark(fig, "rule", "line").map((l) => Number(l.getAttribute("y1")));
  assertEquals(rule, [foot[0]]);
  assertEquals(foot[0], foot[1]);
  assertEquals(all(ratingBars([1, 2, 3, 4, 5]), 'g[aria-label="y-grid"]').length, 1);
});

Deno.test("histogram()'s text alternative counts a single value outside the domain", () => {
  const fig = histogram([-2, 0.1, 0.2], { bins: 2, domain: [0, 1] });
  assertEquals(
    fig.alt,
    "Histogram of Value (bar heights: Count): 3 values in 2 bins from 0.00 to 1.00 " +
      "(1 outside, not shown), median 0.10. Tallest: 0.00 to 0.50 (2).",
  );
});

Deno.test("ratingBars() puts a rating below the scale first, in order", () => {
  assertEquals(titles(ratingBars([0, 1, 5])).map((t) => t.split(":")[0]), [
    "0 stars",
    "1 stars",
    "2 stars",
    "3 stars",
    "4 stars",
    "5 stars",
  ]);
});

Deno.test("histogram() counts equal values of any size in one bar", () => {
  // Beside 5e15 the ±0.5 around a single value rounded away: every bar was empty, or missing.
  for (const v of [5e15, 1e20, -3e200, Number.MAX_VALUE]) {
    const fig = histogram([v, v, v]);
    assertEquals(titles(fig).map(countOf).reduce((a, b) => a + b, 0), 3, String(v));
    assertEquals(unwritten(fig), [], String(v));
  }
  const big = histogram([1e20, 1e20]);
  assertEquals(tickLabels(big, "x")[0], "9e+19");
  assert(tickLabels(big, "x").includes("1e+20"), tickLabels(big, "x").join(" | "));
});

Deno.test("histogram() refuses values or a domain no axis can span, naming them", () => {
  assertThrows(
    () => histogram([-1e308, 0, 1e308]),
    RangeError,
    "histogram(): expected values whose range fits on an axis, found -1e+308 to 1e+308: " +
      "their width overflows to Infinity",
  );
  assertThrows(
    () => histogram([0, 1], { domain: [-1e308, 1e308] }),
    RangeError,
    "histogram(): expected domain whose range fits on an axis, found -1e+308 to 1e+308",
  );
  assertThrows(
    () => histogram([1e-320, 2e-320]),
    RangeError,
    "histogram(): expected values at least 1e-300 apart or all equal, found 1e-320 to 2e-320",
  );
  assertThrows(
    () => histogram([1e20, 1e20], { binWidth: 1 }),
    RangeError,
    "histogram(): expected a binWidth that numbers near 1e+20 can step by, found 1",
  );
});

Deno.test("histogram() draws a range up to the largest number, its edges written as numbers", () => {
  const fig = histogram([0, Number.MAX_VALUE]);
  assertEquals(titles(fig).map(countOf).reduce((a, b) => a + b, 0), 2);
  assertEquals(titles(fig).at(-1), "1.738e+308 – 1.798e+308: 1");
  assertEquals(unwritten(fig), []);
});

Deno.test("histogram() writes tiny values with the significant digits of their bins", () => {
  // toFixed() was asked for 303 decimals and threw; the ticks all read 0.00000000000000000000.
  const fig = histogram([1e-300, 2e-300, 1.5e-300], { bins: 4 });
  assertEquals(titles(fig).map(countOf), [1, 0, 1, 1]);
  assert(fig.alt.includes("3 values in 4 bins from 1.00e-300 to 2.00e-300, median 1.50e-300"));
  assertEquals(tickLabels(fig, "x"), [
    "1e-300",
    "1.2e-300",
    "1.4e-300",
    "1.6e-300",
    "1.8e-300",
    "2e-300",
  ]);
});
