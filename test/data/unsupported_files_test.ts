/**
 * Folders and files the loader cannot read as they are: the ml-1m / ml-10m layout (ratings.dat,
 * movies.dat with "::" separators) is named as such, with the layouts that are supported; a
 * folder without MovieLens files names what it holds; UTF-16 text is decoded when it has a
 * byte-order mark and refused without one, and no error message carries a NUL byte.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { strToU8, zipSync } from "fflate";
import { join } from "node:path";
import { loadMovieLens } from "../../lib/data/mod.ts";
import { copyFolder, LATEST_TINY, ML100K_TINY, withTempDir } from "./_helpers.ts";

const SUPPORTED = "expected the ml-latest-small layout (ratings.csv and movies.csv) or the " +
  "ml-100k layout (u.data and u.item)";

/** Files of ml-1m (made up, one row each) in its "::" layout. */
const ML1M_FILES = {
  "ratings.dat": "1::1193::5::978300760\n",
  "movies.dat": "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n",
  "users.dat": "1::F::1::10::48067\n",
};

async function writeFiles(dir: string, files: Record<string, string>): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, name), text);
  }
  return dir;
}

function assertIncludesAll(text: string, parts: string[]): void {
  for (const part of parts) assert(text.includes(part), `"${part}" not in: ${text}`);
}

Deno.test("loadMovieLens() names an ml-1m folder's .dat files and says the layout is not supported", async () => {
  await withTempDir(async (dir) => {
    const path = await writeFiles(join(dir, "ml-1m"), ML1M_FILES);
    const error = await assertRejects(() => loadMovieLens(path), Deno.errors.NotFound);
    assertIncludesAll(error.message, [
      `${path} holds movies.dat, ratings.dat, users.dat: the ml-1m layout ("::"-separated .dat ` +
      "files), which is not supported",
      SUPPORTED,
    ]);
    assert(!error.message.includes("holds no MovieLens files"), error.message);
  });
});

Deno.test("loadMovieLens() calls ratings.dat, movies.dat and tags.dat the ml-10m layout", async () => {
  await withTempDir(async (dir) => {
    const path = await writeFiles(join(dir, "ten"), {
      "ratings.dat": ML1M_FILES["ratings.dat"],
      "movies.dat": ML1M_FILES["movies.dat"],
      "tags.dat": "1::1193::classic::978300760\n",
    });
    const error = await assertRejects(() => loadMovieLens(path), Deno.errors.NotFound);
    assertIncludesAll(error.message, ["the ml-10m layout", "not supported", SUPPORTED]);
  });
});

Deno.test("loadMovieLens() names the ml-1m files of a zip and of a subfolder", async () => {
  await withTempDir(async (dir) => {
    const zip = join(dir, "ml-1m.zip");
    const entries = Object.fromEntries(
      Object.entries(ML1M_FILES).map(([name, text]) => [`ml-1m/${name}`, strToU8(text)]),
    );
    await Deno.writeFile(zip, zipSync(entries));
    const error = await assertRejects(() => loadMovieLens(zip), Deno.errors.NotFound);
    assertIncludesAll(error.message, [
      `${zip} holds ml-1m/movies.dat, ml-1m/ratings.dat, ml-1m/users.dat: the ml-1m layout`,
      SUPPORTED,
    ]);
    const parent = await writeFiles(join(dir, "parent"), { "notes.txt": "x\n" });
    await writeFiles(join(parent, "ml-1m"), ML1M_FILES);
    const nested = await assertRejects(() => loadMovieLens(parent), Deno.errors.NotFound);
    assertIncludesAll(nested.message, [
      `${parent} holds no MovieLens files (${SUPPORTED}; found notes.txt)`,
      "its subfolder ml-1m holds ratings.dat, in the ml-1m / ml-10m layout, which is not " +
      "supported",
    ]);
  });
});

Deno.test("loadMovieLens() names what a folder without MovieLens files holds", async () => {
  await withTempDir(async (dir) => {
    const names = ["a.txt", "b.csv", "c.csv", "d.csv", "e.csv", "f.csv", "g.csv", "h.csv"];
    const path = await writeFiles(
      join(dir, "other"),
      Object.fromEntries(names.map((n) => [n, "x\n"])),
    );
    const error = await assertRejects(() => loadMovieLens(path), Deno.errors.NotFound);
    assertEquals(
      error.message,
      `${path} holds no MovieLens files (${SUPPORTED}; found a.txt, b.csv, c.csv, d.csv, ` +
        "e.csv, f.csv and 2 more)",
    );
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    const none = await assertRejects(() => loadMovieLens(empty), Deno.errors.NotFound);
    assert(none.message.endsWith("; it holds no files)"), none.message);
  });
});

/** `text` encoded as UTF-16, little- or big-endian, with or without a byte-order mark. */
function utf16(text: string, order: "le" | "be", bom: boolean): Uint8Array {
  const units = (bom ? "\ufeff" : "") + text;
  const out = new Uint8Array(units.length * 2);
  for (let i = 0; i < units.length; i++) {
    const c = units.charCodeAt(i);
    out[2 * i + (order === "le" ? 0 : 1)] = c & 0xff;
    out[2 * i + (order === "le" ? 1 : 0)] = c >> 8;
  }
  return out;
}

const RATINGS = await Deno.readTextFile(join(LATEST_TINY, "ratings.csv"));

Deno.test("loadMovieLens() decodes a UTF-16 ratings.csv that starts with a byte-order mark", async () => {
  const reference = await loadMovieLens(LATEST_TINY);
  for (const order of ["le", "be"] as const) {
    await withTempDir(async (dir) => {
      const path = await copyFolder(LATEST_TINY, join(dir, "data"), {
        "ratings.csv": utf16(RATINGS, order, true),
      });
      const ml = await loadMovieLens(path);
      assertEquals(ml.ratings.toRecords(), reference.ratings.toRecords(), order);
    });
  }
});

Deno.test("loadMovieLens() refuses UTF-16 without a byte-order mark, saying so without NUL bytes", async () => {
  for (const [order, name] of [["le", "little"], ["be", "big"]] as const) {
    await withTempDir(async (dir) => {
      const path = await copyFolder(LATEST_TINY, join(dir, "data"), {
        "ratings.csv": utf16(RATINGS, order, false),
      });
      const error = await assertRejects(() => loadMovieLens(path), RangeError);
      assertIncludesAll(error.message, [
        `${join(path, "ratings.csv")}: found NUL bytes in its first line`,
        `the file looks UTF-16 (${name}-endian) encoded without a byte-order mark`,
        "expected UTF-8 text: save it as UTF-8",
      ]);
      assert(!error.message.includes("\0"), JSON.stringify(error.message));
    });
  }
});

Deno.test("loadMovieLens() refuses a u.item with NUL bytes, expecting Latin-1 as released", async () => {
  await withTempDir(async (dir) => {
    const item = await Deno.readFile(join(ML100K_TINY, "u.item"));
    const path = await copyFolder(ML100K_TINY, join(dir, "data"), {
      "u.item": new Uint8Array([0, 0, 0, 0, ...item]),
    });
    const error = await assertRejects(() => loadMovieLens(path), RangeError);
    assertIncludesAll(error.message, [
      "u.item: found NUL bytes in its first line (at byte 1): the file is not text",
      "expected Latin-1 text",
    ]);
  });
});

Deno.test("loadMovieLens() shows a NUL byte after the first line escaped in its error", async () => {
  const [header, first, ...rest] = RATINGS.split("\r\n");
  const text = [header, first, "1,\u00003,4,964981247", ...rest].join("\r\n");
  await withTempDir(async (dir) => {
    const path = await copyFolder(LATEST_TINY, join(dir, "data"), { "ratings.csv": text });
    const error = await assertRejects(() => loadMovieLens(path), RangeError);
    assertIncludesAll(error.message, ["ratings.csv line 3:", '"\\u00003"']);
    assert(!error.message.includes("\0"), JSON.stringify(error.message));
  });
});
