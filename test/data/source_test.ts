/**
 * Opening a data folder: what checkFolder(), probeDataPath(), openPath() and detectLayout()
 * accept and refuse, on folders made in a temporary directory.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { zipSync } from "fflate";
import {
  checkFolder,
  type DataPathProblem,
  detectLayout,
  openPath,
  openZip,
  probeDataPath,
} from "../../lib/data/_source.ts";

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

Deno.test("openPath() follows symbolic links to the data files and to a folder holding them", async () => {
  const real = await folderWith(["u.data", "u.item"]);
  const dir = await Deno.makeTempDir({ prefix: "source_test_" });
  try {
    for (const f of ["u.data", "u.item"]) await Deno.symlink(join(real, f), join(dir, f));
    // A dangling link is no file.
    await Deno.symlink(join(real, "gone"), join(dir, "u.user"));
    const files = await openPath(dir);
    assertEquals([...files.names].sort(), ["u.data", "u.item"]);
    assertEquals(detectLayout(files), "100k");
    // A link to a folder that holds the data is named as the folder to pass.
    const parent = await Deno.makeTempDir({ prefix: "source_test_" });
    try {
      await Deno.symlink(real, join(parent, "ml-100k"));
      await assertRejects(
        () => openPath(parent),
        Deno.errors.NotFound,
        `; its subfolder ml-100k has them: name it (${join(parent, "ml-100k")})`,
      );
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  } finally {
    await Deno.remove(real, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openPath() and detectLayout() name the layout whose required file is missing", async () => {
  const cases: [string, string][] = [
    [
      "movies.csv",
      "ratings.csv is missing in DIR: an ml-latest-small folder needs ratings.csv and movies.csv",
    ],
    ["u.item", "u.data is missing in DIR: an ml-100k folder needs u.data and u.item"],
  ];
  for (const [present, message] of cases) {
    const dir = await folderWith([present]);
    try {
      await assertRejects(() => openPath(dir), Deno.errors.NotFound, message.replace("DIR", dir));
      // The same words for the folder inside a zip, judged by detectLayout().
      const zip = openZip(zipSync({ data: { [present]: new Uint8Array() } }), "/z.zip");
      assertThrows(
        () => detectLayout(zip),
        Deno.errors.NotFound,
        message.replace("DIR", "/z.zip:data/"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("probeDataPath() finds a folder's layout and files, or the one problem with the path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "source_test_" });
  const expected = "the ml-latest-small layout (ratings.csv and movies.csv) or the ml-100k " +
    "layout (u.data and u.item)";
  try {
    const data = join(dir, "ml-100k");
    await Deno.mkdir(data);
    for (const f of ["u.data", "u.item", "u.user"]) await Deno.writeTextFile(join(data, f), "");
    assertEquals(probeDataPath(data), {
      kind: "dir",
      path: data,
      layout: "100k",
      names: new Set(["u.data", "u.item", "u.user"]),
    });
    await Deno.writeTextFile(join(dir, "data.zip"), "");
    assertEquals(probeDataPath(join(dir, "data.zip")), {
      kind: "zip",
      path: join(dir, "data.zip"),
    });
    await Deno.writeTextFile(join(dir, "notes.txt"), "");
    const cases: [string, DataPathProblem["reason"], string][] = [
      [
        join(dir, "none"),
        "missing",
        `MovieLens data not found at ${join(dir, "none")} (expected a folder or a .zip in the ` +
        "ml-latest-small or ml-100k layout)",
      ],
      [
        join(data, "u.data"),
        "not-zip",
        `expected a folder or a .zip in ${expected}, found the file ${join(data, "u.data")}, ` +
        `which is not a .zip; to read the data set it belongs to, name its folder: --data ${data}`,
      ],
      [
        join(dir, "notes.txt"),
        "not-zip",
        `expected a folder or a .zip in ${expected}, found the file ${join(dir, "notes.txt")}, ` +
        "which is not a .zip",
      ],
      [
        dir,
        "no-files",
        `${dir} holds no MovieLens files (expected ${expected}; found data.zip, notes.txt); its ` +
        `subfolder ml-100k has them: name it (--data ${data})`,
      ],
    ];
    for (const [path, reason, message] of cases) {
      const probe = probeDataPath(path, { flag: "--data" });
      assertEquals(probe.kind === "problem" && probe.problem, { reason, message });
    }
    // Without a flag, the path to pass instead is named alone.
    const plain = probeDataPath(dir);
    assert(plain.kind === "problem" && plain.problem.message.endsWith(`name it (${data})`));
    // Two subfolders: the first is named.
    await Deno.mkdir(join(dir, "other"));
    await Deno.writeTextFile(join(dir, "other", "ratings.csv"), "");
    const two = probeDataPath(dir);
    assert(
      two.kind === "problem" &&
        two.problem.message.endsWith(`its subfolders ml-100k, other have them: name one (${data})`),
    );
    await Deno.writeTextFile(join(data, "ratings.csv"), "");
    const mixed = probeDataPath(data);
    assertEquals(mixed.kind === "problem" && mixed.problem, {
      reason: "mixed",
      message: `${data} mixes both layouts (it has ratings.csv, u.data, u.item); expected ` +
        "ratings.csv + movies.csv or u.data + u.item",
    });
    await assertRejects(() => openPath(data), RangeError, `${data} mixes both layouts`);
    await assertRejects(() => openPath(join(dir, "notes.txt")), TypeError, "which is not a .zip");
    await assertRejects(() => openPath(join(dir, "none")), Deno.errors.NotFound, "not found at");
  } finally {
    await Deno.remove(dir, { recursive: true });
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
