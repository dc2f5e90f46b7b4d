import { assertEquals, assertThrows } from "@std/assert";
import { counted } from "../../lib/notebook/mod.ts";

Deno.test("counted() writes the noun in the singular for 1 and in the plural otherwise", () => {
  assertEquals(counted(1, "epoch"), "1 epoch");
  assertEquals(counted(0, "epoch"), "0 epochs");
  assertEquals(counted(5, "epoch"), "5 epochs");
  assertEquals(counted(1, "seed"), "1 seed");
  assertEquals(counted(3, "seed"), "3 seeds");
});

Deno.test("counted() groups thousands and keeps a fraction as it is", () => {
  assertEquals(counted(2000, "movie"), "2,000 movies");
  assertEquals(counted(1_682, "movie"), "1,682 movies");
  assertEquals(counted(1.5, "epoch"), "1.5 epochs");
});

Deno.test("counted() takes the plural of a noun that does not add an s", () => {
  const biases = { plural: "highest biases" };
  assertEquals(counted(1, "highest bias", biases), "1 highest bias");
  assertEquals(counted(40, "highest bias", biases), "40 highest biases");
});

Deno.test("counted() rejects a count that is no finite number and an empty noun", () => {
  assertThrows(
    () => counted(NaN, "seed"),
    RangeError,
    "counted(): expected the count to be a finite number, found NaN",
  );
  assertThrows(
    () => counted("3" as unknown as number, "seed"),
    TypeError,
    "counted(): expected the count to be a finite number, found string 3",
  );
  assertThrows(() => counted(3, ""), TypeError, 'counted(): expected a noun, found ""');
});

Deno.test("counted() rejects a noun of blanks and a noun that is not text, naming it", () => {
  assertThrows(() => counted(3, "  "), TypeError, 'counted(): expected a noun, found "  "');
  assertThrows(
    () => counted(3, 5 as unknown as string),
    TypeError,
    "counted(): expected a noun, found number 5",
  );
});
