import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  cosineSimilarity,
  type EmbeddingTable,
  histogramCounts,
  mostSimilar,
  similarities,
} from "../../lib/analysis/mod.ts";

// Movie 1 points along x, 2 is close to it, 3 along y, 4 opposite to 1, 5 is the zero vector.
const table: EmbeddingTable = {
  ids: Int32Array.of(1, 2, 3, 4, 5),
  vectors: Float32Array.of(2, 0, 3, 1, 0, 1, -1, 0, 0, 0),
  dim: 2,
  titles: ["one", "two", "three", "four", "zero"],
};

Deno.test("cosineSimilarity() is the dot product over the norms plus 1e-7", () => {
  assertAlmostEquals(cosineSimilarity([1, 0], [1, 1]), 1 / (Math.SQRT2 + 1e-7), 1e-15);
  assertAlmostEquals(cosineSimilarity([1, 2, 3], [-1, -2, -3]), -14 / (14 + 1e-7), 1e-15);
  assertEquals(cosineSimilarity([0, 0], [1, 1]), 0);
});

Deno.test("cosineSimilarity() rejects vectors of different lengths, empty vectors and NaN", () => {
  assertThrows(() => cosineSimilarity([1, 2], [1, 2, 3]), RangeError, "same length, found 2 and 3");
  assertThrows(() => cosineSimilarity([], []), RangeError, "non-empty");
  assertThrows(() => cosineSimilarity([1, NaN], [1, 1]), RangeError, "found NaN at position 1");
});

Deno.test("similarities() scores every movie against one, itself included", () => {
  const s = similarities(table, 1);
  assertEquals(s.ids, table.ids);
  assertEquals(s.titles, table.titles);
  const expected = [1, 3 / Math.sqrt(10), 0, -1, 0];
  expected.forEach((e, i) => assertAlmostEquals(s.values[i], e, 1e-6));
});

Deno.test("mostSimilar() returns the nearest movies by cosine, most similar first", () => {
  const rows = mostSimilar(table, 1, { k: 3 });
  assertEquals(rows.map((r) => r.movieId), [2, 3, 5]); // 3 and 5 tie at 0: increasing id
  assertEquals(rows[0].title, "two");
  assertAlmostEquals(rows[0].similarity, 3 / Math.sqrt(10), 1e-6);
});

Deno.test("mostSimilar() puts the movie itself first with includeSelf", () => {
  const rows = mostSimilar(table, 3, { k: 2, includeSelf: true });
  assertEquals(rows.map((r) => r.movieId), [3, 2]);
  assertAlmostEquals(rows[0].similarity, 1, 1e-6);
});

Deno.test("mostSimilar() rejects an unknown movie id, naming it, and k <= 0", () => {
  assertThrows(() => mostSimilar(table, 1683), RangeError, "unknown id 1683");
  assertThrows(() => similarities(table, 0), RangeError, "unknown id 0");
  assertThrows(
    () => mostSimilar(table, 1, { k: 0 }),
    RangeError,
    "k to be a positive integer, found 0",
  );
  assertThrows(() => mostSimilar(table, 1, { k: -3 }), RangeError, "found -3");
});

Deno.test("mostSimilar() and similarities() say so when an id is text, not a number", () => {
  assertThrows(
    () => mostSimilar(table, "1" as unknown as number),
    TypeError,
    "mostSimilar(): expected a numeric id, found string 1 (the table has id 1: pass it as a number)",
  );
  assertThrows(
    () => similarities(table, "99" as unknown as number),
    TypeError,
    "similarities(): expected a numeric id, found string 99",
  );
  assertThrows(
    () => mostSimilar(table, null as unknown as number),
    TypeError,
    "mostSimilar(): expected a numeric id, found null",
  );
});

Deno.test("histogramCounts() puts a value on an inner edge in numpy's bin, to the last bit", () => {
  // numpy 1.x (Debian python3-numpy): np.histogram([i / bins for i in range(bins + 1)], bins,
  // range=(0, 1))[0]; np.linspace's edges (i · step + lo) differ from lo + (hi − lo) · i / bins
  // in the last bit for 15/22, 3/10 and others.
  const expected: Record<number, number[]> = {
    22: [1, 1, 1, 1, 2, 0, 1, 1, 1, 2, 0, 1, 1, 1, 2, 0, 1, 1, 1, 2, 0, 2],
    10: [1, 1, 2, 0, 1, 2, 1, 0, 1, 2],
    7: [1, 1, 1, 1, 1, 1, 2],
  };
  for (const [bins, counts] of Object.entries(expected)) {
    const b = Number(bins);
    const values = Array.from({ length: b + 1 }, (_, i) => i / b);
    const h = histogramCounts(values, { bins: b, range: [0, 1] });
    assertEquals([...h.counts], counts, `${bins} bins`);
  }
  // The edges themselves: np.linspace(0, 1, 23)[15] is 0.6818181818181819, not 15 / 22.
  assertEquals(histogramCounts([0, 1], { bins: 22 }).edges[15], 0.6818181818181819);
});

Deno.test("histogramCounts() bins like numpy: half-open bins, the maximum in the last bin", () => {
  // np.histogram([0, 0.2, 0.5, 1], bins=2) → counts [2, 2], edges [0, 0.5, 1]
  const h = histogramCounts([0, 0.2, 0.5, 1], { bins: 2 });
  assertEquals(h.counts, Int32Array.of(2, 2));
  assertEquals(h.edges, Float64Array.of(0, 0.5, 1));
  // np.histogram([0.1, 0.3, 0.3, 0.9], bins=4, range=(0, 1)) → [1, 2, 0, 1]
  assertEquals(
    histogramCounts([0.1, 0.3, 0.3, 0.9], { bins: 4, range: [0, 1] }).counts,
    Int32Array.of(1, 2, 0, 1),
  );
  // Values outside an explicit range are left out.
  assertEquals(histogramCounts([-5, 0.5, 5], { bins: 1, range: [0, 1] }).counts, Int32Array.of(1));
});

Deno.test("histogramCounts() widens a zero-width range by 0.5 on each side, as numpy", () => {
  const h = histogramCounts([2, 2, 2], { bins: 2 });
  assertEquals(h.edges, Float64Array.of(1.5, 2, 2.5));
  assertEquals(h.counts, Int32Array.of(0, 3));
});

Deno.test("histogramCounts() counts every similarity of a table exactly once", () => {
  const h = histogramCounts(similarities(table, 2).values, { bins: 30 });
  assertEquals(h.counts.reduce((a, b) => a + b, 0), 5);
  assertEquals(h.edges.length, 31);
});

Deno.test("histogramCounts() rejects empty input, NaN, bins <= 0 and an empty range", () => {
  assertThrows(() => histogramCounts([]), RangeError, "at least one value");
  assertThrows(() => histogramCounts([1, NaN]), RangeError, "found NaN");
  assertThrows(
    () => histogramCounts([1], { bins: 0 }),
    RangeError,
    "bins to be a positive integer",
  );
  assertThrows(() => histogramCounts([1], { range: [1, 1] }), RangeError, "lo < hi");
});

Deno.test("mostSimilar() breaks ties by increasing id whatever the row order", () => {
  // Rows hold ids 9, 7, 3, 5: 7 and 3 are the same vector, 5 is orthogonal to 9.
  const shuffled: EmbeddingTable = {
    ids: Int32Array.of(9, 7, 3, 5),
    vectors: Float32Array.of(1, 0, 1, 1, 1, 1, 0, 1),
    dim: 2,
  };
  assertEquals(mostSimilar(shuffled, 9, { k: 3 }).map((r) => r.movieId), [3, 7, 5]);
});

Deno.test("cosineSimilarity() rejects NaN or Infinity in its second vector too", () => {
  assertThrows(
    () => cosineSimilarity([1, 1], [1, NaN]),
    RangeError,
    "expected finite numbers in b, found NaN at position 1",
  );
  assertThrows(
    () => cosineSimilarity([1, 1], [Infinity, 1]),
    RangeError,
    "expected finite numbers in b, found Infinity at position 0",
  );
});

Deno.test("histogramCounts() ends its last edge exactly at the maximum, as numpy", () => {
  // Reference: numpy (Debian python3-numpy), np.histogram([0.2, 0.9, 0.5], bins=2) gives
  // counts [2, 1] and edges [0.2, 0.55, 0.9]; 0.2 + (0.7 · 2) / 2 alone would be 0.8999….
  const h = histogramCounts([0.2, 0.9, 0.5], { bins: 2 });
  assertEquals([...h.edges], [0.2, 0.55, 0.9]);
  assertEquals([...h.counts], [2, 1]);
});

Deno.test("histogramCounts() puts a value equal to an inner edge in the bin that edge opens", () => {
  // (0.34 − 0.1) / 0.6 · 5 rounds to 1.999…, but 0.33999999999999997 is edges[2] itself.
  // Reference: numpy, np.histogram([0.1, 0.33999999999999997, 0.7], bins=5) → [1, 0, 1, 0, 1],
  // with edges[2] == 0.33999999999999997.
  const h = histogramCounts([0.1, 0.33999999999999997, 0.7], { bins: 5 });
  assertEquals(h.edges[2], 0.33999999999999997);
  assertEquals([...h.counts], [1, 0, 1, 0, 1]);
});

Deno.test("histogramCounts() rejects a range that is not finite", () => {
  assertThrows(
    () => histogramCounts([1, 2], { range: [0, Infinity] }),
    RangeError,
    "expected finite numbers in range, found Infinity at position 1",
  );
});

Deno.test("cosineSimilarity() of vectors too large to square is still their cosine, not NaN", () => {
  // 1e200² overflows: the answer was Infinity / Infinity = NaN.
  assertAlmostEquals(cosineSimilarity([1e200, 1e200], [1e200, 1e200]), 1, 1e-12);
  assertAlmostEquals(cosineSimilarity([1e200, 0], [3, 4]), 0.6, 1e-12);
  assertAlmostEquals(cosineSimilarity([-1e300, 1e300], [1e300, 1e300]), 0, 1e-12);
  assertAlmostEquals(cosineSimilarity([1e200, 0], [0, 1e-200]), 0, 1e-12);
});

Deno.test("histogramCounts() refuses a range whose width overflows or that is no pair", () => {
  // Edges were NaN and Infinity: [NaN, Infinity, 1e308].
  assertThrows(
    () => histogramCounts([1e308, -1e308], { bins: 2 }),
    RangeError,
    "histogramCounts(): the range -1e+308 to 1e+308 is too wide to split",
  );
  assertThrows(
    () => histogramCounts([0], { range: [-1e308, 1e308] }),
    RangeError,
    "too wide to split",
  );
  // "number 5 is not iterable"
  assertThrows(
    () => histogramCounts([1], { range: 5 as never }),
    TypeError,
    "histogramCounts(): expected range as [lo, hi], found number 5",
  );
  assertEquals(histogramCounts([1e307, -1e307], { bins: 2 }).counts, Int32Array.of(1, 1));
});

Deno.test("mostSimilar() refuses an includeSelf that is not a boolean", () => {
  // "no" is truthy: the query came back as its own first neighbour.
  assertThrows(
    () => mostSimilar(table, 1, { includeSelf: "no" as never }),
    TypeError,
    "mostSimilar(): expected includeSelf to be true or false, found string no",
  );
});

Deno.test("histogramCounts() counts equal values of any size and values 1e-320 apart", () => {
  // Beside 5e15 numpy's ±0.5 rounded away and every value fell outside the bins; below a
  // range of 1e-307, bins / (hi - lo) overflowed and 0 · Infinity put values in no bin.
  for (const v of [5e15, 1e20, -1e300, Number.MAX_VALUE]) {
    const h = histogramCounts([v, v, v], { bins: 4 });
    assertEquals(Array.from(h.counts).reduce((a, b) => a + b, 0), 3, String(v));
  }
  assertEquals(
    histogramCounts([1e20, 1e20], { bins: 2 }).edges,
    Float64Array.of(9e19, 1e20, 1.1e20),
  );
  assertEquals(
    histogramCounts([1e-320, 1.5e-320, 2e-320], { bins: 4 }).counts,
    Int32Array.of(1, 0, 1, 1),
  );
  assertEquals(histogramCounts([3, 3], { bins: 2 }).edges, Float64Array.of(2.5, 3, 3.5));
});
