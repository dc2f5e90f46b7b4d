import pl from "nodejs-polars";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { roundFloats, table } from "../../lib/notebook/tables.ts";

Deno.test("roundFloats() rounds float columns and leaves the other columns alone", () => {
  const df = pl.DataFrame({
    model: ["global mean", "mlp"],
    mae: [0.8329182908157657, 0.7274058259197065],
    n: [15126, 15126],
    best: [false, true],
  });
  const out = roundFloats(df, { digits: 3 });
  assertEquals(out.columns, ["model", "mae", "n", "best"]);
  assertEquals(out.getColumn("mae").toArray(), [0.833, 0.727]);
  assertEquals(out.getColumn("model").toArray(), ["global mean", "mlp"]);
  assertEquals(out.getColumn("n").toArray(), [15126, 15126]);
  assertEquals(out.getColumn("n").dtype.equals(df.getColumn("n").dtype), true);
  assertEquals(out.getColumn("best").toArray(), [false, true]);
});

Deno.test("roundFloats() keeps 4 decimals by default, rounds Float32 too, and keeps nulls", () => {
  const df = pl.DataFrame([
    pl.Series("x", [0.123456, null, 2.5], pl.Float64),
    pl.Series("y", [1.987654, 0.5, 3], pl.Float32),
  ]);
  const out = roundFloats(df);
  assertEquals(out.getColumn("x").toArray() as (number | null)[], [0.1235, null, 2.5]);
  const y = out.getColumn("y").toArray() as number[];
  assertEquals(y.map((v) => Math.round(v * 1e4) / 1e4), [1.9877, 0.5, 3]);
});

Deno.test("roundFloats() does not change the table it is given", () => {
  const df = pl.DataFrame({ mae: [0.123456] });
  roundFloats(df, { digits: 1 });
  assertEquals(df.getColumn("mae").toArray(), [0.123456]);
});

Deno.test("roundFloats() rejects a non-DataFrame and a bad number of digits", () => {
  assertThrows(
    () => roundFloats([1.5] as unknown as pl.DataFrame),
    TypeError,
    "expected a Polars DataFrame, found object",
  );
  const df = pl.DataFrame({ mae: [0.5] });
  assertThrows(() => roundFloats(df, { digits: 2.5 }), RangeError, "found 2.5");
  assertThrows(() => roundFloats(df, { digits: -1 }), RangeError, "integer 0–15");
});

Deno.test("table() rounds numbers for reading: 4 digits, 3 for shares, integers grouped", () => {
  const t = table([
    { model: "global mean", mae: 0.8329182908157657, "share of ratings": 0.0016500000000000002 },
    { model: "mlp", mae: 2.6329223709106446, "share of ratings": 0.9999999861567035 },
    { model: "big", mae: 12345.678, "share of ratings": 1 / 3 },
  ]);
  assertEquals(String(t).split("\n").slice(2), [
    "global mean  0.8329           0.00165",
    "mlp           2.633              1.00",
    "big          12,346             0.333",
  ]);
});

Deno.test("table() keeps ids, years, epochs and timestamps as they are and shows null cells empty", () => {
  const t = table({
    movieId: [1234, 5678],
    year: [1995, null],
    epoch: [1, 2],
    timestamp: [964982703, 881250949],
    ratings: [15126, 7],
  });
  assertEquals(String(t).split("\n").slice(2), [
    "   1234  1995      1  964982703   15,126",
    "   5678            2  881250949        7",
  ]);
  const html = (t as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]()["text/html"];
  assert(!html.includes("null"), html);
  assert(html.includes('<td style="text-align:right"></td>'), html);
});

Deno.test("table() takes per-column formats and digits", () => {
  const t = table({ mse: [0.70861234], lr: [0.0015], n: [2.6], note: [4.56] }, {
    digits: 3,
    columns: { lr: (v) => (v as number).toExponential(1), n: "integer", note: 2 },
  });
  assertEquals(String(t).split("\n")[2], "0.709  1.5e-3  3   4.6");
  assertThrows(
    () => table([1], { digits: 0 }),
    RangeError,
    "expected digits to be an integer 1–17",
  );
  assertThrows(
    () => table([1], { columns: { x: "fancy" as "id" } }),
    RangeError,
    'expected columns["x"] to be 1–17 digits, "integer", "id", "share" or a function',
  );
});

Deno.test("table() writes a column's numbers to one number of decimals within its digits", () => {
  const t = table([
    { model: "pop", "P@10": 0.19, ndcg: 0.8138, lr: 0.001, count: 12, coverage: 0.05, seed: 42 },
    { model: "knn", "P@10": 0.1212, ndcg: 1.087, lr: 0.01, count: 1204, coverage: 1, seed: 7 },
    { model: "tiny", "P@10": 0, ndcg: 12345.6, lr: 1.5e-6, count: 3, coverage: 0.25, seed: 1 },
  ]);
  assertEquals(String(t).split("\n").slice(2), [
    // 0.19 gains its zeros (4 digits, as rounded); 1.087 gains none (a fifth digit would claim
    // more than the rounding kept); exact integers (0, 1), exponents, ids and grouped thousands
    // stay as they are.
    "pop    0.1900  0.8138   0.001     12      0.05    42",
    "knn    0.1212   1.087   0.010  1,204         1     7",
    "tiny        0  12,346  1.5e-6      3      0.25     1",
  ]);
  const html = (t as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]()["text/html"];
  assert(html.includes(">0.1900</td>") && html.includes(">0.010</td>"), html);
});

Deno.test("table() keeps the zeros a value rounded to: 0.40897 is 0.4090 beside 0.41 and 0.406", () => {
  const t = table([{ ndcg: 0.40897 }, { ndcg: 0.41002 }, { ndcg: 0.40604 }, { ndcg: 1.0001 }]);
  assertEquals(String(t).split("\n").slice(2), ["0.4090", "0.4100", "0.4060", " 1.000"]);
  // Values given exactly keep the column's decimals only: 0.5 and 0.25 are not 0.5000.
  assertEquals(String(table([{ x: 0.5 }, { x: 0.25 }])).split("\n").slice(2), ["0.50", "0.25"]);
});

Deno.test("table() writes a float column's whole numbers with its decimals, a record's not", () => {
  const ratings = pl.DataFrame({ user: [68, 182], rating: [2.5, 3], count: [3, 4] });
  assertEquals(String(table(ratings)).split("\n").slice(2), [
    "  68     2.5      3",
    " 182     3.0      4",
  ]);
  // A float column of whole numbers only, and integer columns, stay as they are.
  const whole = pl.DataFrame({ rating: [4, 5], n: [610, 9724] });
  assertEquals(whole.getColumn("rating").dtype.equals(pl.Float64), true);
  assertEquals(String(table(whole)).split("\n").slice(2), ["     4    610", "     5  9,724"]);
  // Records carry no type: 610 beside 0.25 may be a count beside a share, and stays 610.
  assertEquals(String(table([{ v: 610 }, { v: 0.25 }])).split("\n").slice(2), [" 610", "0.25"]);
  assertEquals(String(table(pl.Series("r", [2.5, 3]))).split("\n").slice(2), ["2.5", "3.0"]);
  // 0 stays 0 (exactly zero), and a Float32 column's 0.1 is exact at its precision: 0.10, not
  // 0.1000 (0.1 in 32 bits is 0.10000000149011612).
  assertEquals(String(table(pl.DataFrame({ u: [0, 2.171] }))).split("\n").slice(2), [
    "    0",
    "2.171",
  ]);
  const f32 = pl.DataFrame({ x: pl.Series("x", [0.1, 0.25], pl.Float32) });
  assertEquals(String(table(f32)).split("\n").slice(2), ["0.10", "0.25"]);
});

Deno.test("table() shows a typed array, a Map, a Series, nested values and a single number", () => {
  assertEquals(
    String(table(new Float32Array([0, 1 / 9]))),
    "index   value\n-----  ------\n    0       0\n    1  0.1111",
  );
  assertEquals(
    String(table(new Map([["a", { n: 1, mae: 0.5 }]]))),
    "key  n  mae\n---  -  ---\na    1  0.5",
  );
  assertEquals(
    String(table(pl.Series("bias", [0.123456, -1.5]))),
    "  bias\n------\n0.1235\n-1.500",
  );
  assertEquals(
    String(table([{ ids: [1, 2, 3], fit: { a: 1 / 3 } }])),
    "ids        fit\n---------  -----------\n[1, 2, 3]  {a: 0.3333}",
  );
  assertEquals(String(table(0.70861234)), "0.7086");
  assertEquals(String(table(20168)), "20,168");
  assertEquals(String(table("wasm")), "wasm");
});

Deno.test("table() cuts long tables and says how many rows are left out", () => {
  const t = table(Array.from({ length: 120 }, (_, i) => ({ i })), { maxRows: 10 });
  const lines = String(t).split("\n");
  assertEquals(lines.at(-1), "… 110 more rows");
  assertEquals(lines.length, 2 + 10 + 1);
});

Deno.test("table()'s text shows a table of up to 40 rows whole, and a longer one cut at 20", () => {
  const rows = (n: number) => pl.DataFrame({ i: Array.from({ length: n }, (_, i) => i) });
  const text = (n: number, maxRows?: number) => String(table(rows(n), { maxRows })).split("\n");
  assertEquals(text(21).length, 2 + 21, "21 rows, as the HTML shows them");
  assertEquals(text(40).length, 2 + 40);
  assertEquals(text(41).at(-1), "… 21 more rows");
  assertEquals(text(41).length, 2 + 20 + 1);
  assertEquals(text(21, 20).at(-1), "… 1 more row", "maxRows still caps the text");
  const html = table(rows(21), { maxRows: 20 }) as { html: string };
  assert(html.html.endsWith("<p>… 1 more row</p>"), html.html);
});

Deno.test("table() rejects values with no table form", () => {
  class Model {}
  assertThrows(
    () => table(new Model()),
    TypeError,
    "expected a DataFrame, Series, array, Map or plain object, found Model",
  );
  assertThrows(() => table(() => 1), TypeError, "found a function");
});

Deno.test("table() takes 1 and 17 digits for a column and rejects 0 and 18", () => {
  assertEquals(String(table([{ x: 0.123456 }], { columns: { x: 1 } })).split("\n").at(-1), "0.1");
  table([{ x: 0.5 }], { columns: { x: 17 } });
  for (const bad of [0, 18]) {
    assertThrows(
      () => table([{ x: 0.5 }], { columns: { x: bad } }),
      RangeError,
      `expected columns["x"] to be 1–17 digits`,
    );
  }
});

Deno.test("table() shows every row of an array of rows, of mixed values and of an object of records", () => {
  const text = (value: unknown) => String(table(value));
  assertEquals(text([[1, 2], [3, 4]]), "0  1\n-  -\n1  2\n3  4");
  assertEquals(text([{ a: 1 }, 5]), "index  value\n-----  ------\n    0  {a: 1}\n    1  5");
  assertEquals(text({ a: { x: 1 }, b: { x: 2 } }), "   x\n-  -\na  1\nb  2");
  assertEquals(text({ a: { x: 1 } }), "   x\n-  -\na  1");
});

Deno.test("table() shows a column-oriented object's rows and no empty rows after them", () => {
  const shown = table({ m: ["a", "b"], v: [1, 2] }) as { html: string };
  assertEquals(String(shown), "m  v\n-  -\na  1\nb  2");
  assertEquals(shown.html.match(/<tr>/g)?.length, 3);
});

Deno.test("table() gives an empty object no columns and one empty row", () => {
  const shown = table({}) as { html: string };
  assertEquals(shown.html, "<table><thead><tr></tr></thead><tbody><tr></tr></tbody></table>");
});

Deno.test("table() gives an empty Map its key and value columns, and empty rows no columns", () => {
  assertEquals(String(table(new Map())), "key  value\n---  -----");
  assertEquals(String(table([[], []])), "\n\n\n");
});

Deno.test("roundFloats() takes up to 15 digits", () => {
  const df = pl.DataFrame({ x: [0.1234567890123456] });
  assertEquals(roundFloats(df, { digits: 15 }).row(0), [0.123456789012346]);
});
