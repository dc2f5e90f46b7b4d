/**
 * The zip reader's refusals and edge cases, on archives made in memory with fflate.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { zipSync } from "fflate";
import { checkEntryName, readZipDirectory, readZipEntry } from "../../lib/data/_zip.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("checkEntryName() refuses absolute paths, drive letters and '..' segments", () => {
  for (const name of ["/etc/passwd", "\\etc\\passwd", "C:/x.csv", "c:x.csv", "ml/../../x.csv"]) {
    assertThrows(() => checkEntryName(name, "a.zip"), RangeError, "zip-slip refused", name);
  }
  for (const name of ["ml-100k/u.data", "ratings.csv", "ml/./x.csv", "a..b/c.csv"]) {
    checkEntryName(name, "a.zip");
  }
});

Deno.test("readZipDirectory() reads an empty archive and names bytes that are not a zip", () => {
  assertEquals(readZipDirectory(zipSync({}), "empty.zip"), []);
  assertThrows(
    () => readZipDirectory(text("x".repeat(100)), "notes.zip"),
    RangeError,
    "corrupt zip notes.zip: no end-of-central-directory record in its 100 bytes",
  );
});

Deno.test("readZipEntry() refuses an entry flagged as encrypted", () => {
  const bytes = zipSync({ "a.csv": text("1,2\n") }, { level: 0 });
  const [entry] = readZipDirectory(bytes, "a.zip");
  assertEquals(new TextDecoder().decode(readZipEntry(bytes, entry, "a.zip")), "1,2\n");
  // Set bit 0 of the general-purpose flags in the central directory entry.
  const cd = bytes.length - 22 - (46 + "a.csv".length);
  bytes[cd + 8] |= 1;
  const [flagged] = readZipDirectory(bytes, "a.zip");
  assertEquals(flagged.flags & 1, 1);
  assertThrows(() => readZipEntry(bytes, flagged, "a.zip"), RangeError, "is encrypted");
});

Deno.test("readZipDirectory() refuses a file named twice, numbering both entries, but not a folder", () => {
  const one = zipSync({ "ml/a.csv": text("1\n"), "ml/b.csv": text("2\n") }, { level: 0 });
  // Rename the second entry in the central directory: "ml/b.csv" becomes "ml/a.csv".
  const named = new TextDecoder("latin1").decode(one);
  const at = named.lastIndexOf("ml/b.csv");
  one[at + 3] = "a".charCodeAt(0);
  assertThrows(
    () => readZipDirectory(one, "twice.zip"),
    RangeError,
    'twice.zip holds two entries named "ml/a.csv" (entries 1 and 2 of 2)',
  );
  // A folder listed twice is harmless: nothing is read from it.
  const folders = zipSync({ ml: {}, mm: {} });
  folders[new TextDecoder("latin1").decode(folders).lastIndexOf("mm/") + 1] = "l".charCodeAt(0);
  assertEquals(readZipDirectory(folders, "f.zip").map((e) => e.name), ["ml/", "ml/"]);
});
