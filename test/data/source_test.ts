/**
 * Opening a data folder: what checkFolder(), openFolder() and detectLayout() accept and refuse,
 * on folders made in a temporary directory.
 */
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { zipSync } from "fflate";
import { checkFolder, detectLayout, openFolder, openZip } from "../../lib/data/_source.ts";

async function folderWith(files: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "source_test_" });
  for (const f of files) await Deno.writeTextFile(join(dir, f), "");
  return dir;
}

Deno.test("checkFolder() passes on an error other than a missing path as it is", async () => {
  // A name stat() cannot even take: not a folder that "does not exist".
  await assertRejects(() => checkFolder("ml\0data", "MOVIELENS_DIR"), TypeError, "NUL byte");
  await assertRejects(
    () => checkFolder("/nonexistent/ml", "MOVIELENS_DIR"),
    Deno.errors.NotFound,
    "MOVIELENS_DIR names /nonexistent/ml, which does not exist",
  );
});

Deno.test("openFolder() follows symbolic links to the data files and to a folder holding them", async () => {
  const real = await folderWith(["u.data", "u.item"]);
  const dir = await Deno.makeTempDir({ prefix: "source_test_" });
  try {
    for (const f of ["u.data", "u.item"]) await Deno.symlink(join(real, f), join(dir, f));
    const files = await openFolder(dir);
    assertEquals([...files.names].sort(), ["u.data", "u.item"]);
    assertEquals(detectLayout(files), "100k");
    // A link to a folder that holds the data is named as the folder to pass.
    const parent = await Deno.makeTempDir({ prefix: "source_test_" });
    try {
      await Deno.symlink(real, join(parent, "ml-100k"));
      await assertRejects(
        () => openFolder(parent),
        Deno.errors.NotFound,
        "; its subfolder ml-100k does: pass one",
      );
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  } finally {
    await Deno.remove(real, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectLayout() names the layout whose required file is missing", async () => {
  const cases: [string, string][] = [
    [
      "movies.csv",
      "ratings.csv is missing in DIR: a ml-latest-small folder needs ratings.csv and movies.csv",
    ],
    ["u.item", "u.data is missing in DIR: a ml-100k folder needs u.data and u.item"],
  ];
  for (const [present, message] of cases) {
    const dir = await folderWith([present]);
    try {
      const files = await openFolder(dir);
      assertThrows(() => detectLayout(files), Deno.errors.NotFound, message.replace("DIR", dir));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("openZip() lists the data folder's files and not the folder's own entry", async () => {
  const text = (s: string) => new TextEncoder().encode(s);
  // As the official archives are made: an entry for the folder, then its files.
  const bytes = zipSync({ "ml-100k": { "u.data": text("1\t2\t3\t4\n"), "u.item": text("") } });
  const files = openZip(bytes, "/tmp/ml-100k.zip");
  assertEquals([...files.names].sort(), ["u.data", "u.item"]);
  assertEquals(new TextDecoder().decode(await files.read("u.data")), "1\t2\t3\t4\n");
  assertEquals(files.label("u.data"), "/tmp/ml-100k.zip:ml-100k/u.data");
});
