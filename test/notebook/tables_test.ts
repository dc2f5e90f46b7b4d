import pl from "nodejs-polars";
import { assertEquals, assertThrows } from "@std/assert";
import { roundFloats } from "../../lib/notebook/tables.ts";

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
