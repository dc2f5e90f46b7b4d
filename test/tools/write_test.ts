import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "node:path";
import { checkWritable, writeFilesAtomic } from "../../tools/_write.ts";
import { canLockFolders, lockFolder, withLockableDir } from "./_locked.ts";

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("writeFilesAtomic() writes every file, with the modes of the ones they replace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "write-files-" });
  try {
    await Deno.writeTextFile(join(dir, "r.md"), "old md");
    await Deno.chmod(join(dir, "r.md"), 0o640);
    await writeFilesAtomic([[join(dir, "r.md"), "new md"], [join(dir, "j", "r.json"), "{}"]]);
    assertEquals(await Deno.readTextFile(join(dir, "r.md")), "new md");
    assertEquals(await Deno.readTextFile(join(dir, "j", "r.json")), "{}");
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(join(dir, "r.md"))).mode! & 0o777, 0o640);
      assertEquals((await Deno.stat(join(dir, "j", "r.json"))).mode! & 0o777, 0o644);
    }
    assertEquals(names(dir), ["j", "r.md"], "no temporary file and no kept copy");
    assertEquals(names(join(dir, "j")), ["r.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFilesAtomic() writes none when the second file cannot be written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "write-files-" });
  try {
    await Deno.writeTextFile(join(dir, "r.md"), "old md");
    // A folder stands where the second file should go: its rename fails, after the first's.
    await Deno.mkdir(join(dir, "r.json", "inside"), { recursive: true });
    await assertRejects(
      () => writeFilesAtomic([[join(dir, "r.md"), "new md"], [join(dir, "r.json"), "{}"]]),
      TypeError,
      `cannot write ${join(dir, "r.json")}: it is a folder, not a file`,
    );
    // A name too long for a folder: the second's folder cannot be made.
    const long = join(dir, "x".repeat(300), "r.json");
    await assertRejects(
      () => writeFilesAtomic([[join(dir, "r.md"), "new md"], [long, "{}"]]),
      Error,
      "too long",
    );
    assertEquals(await Deno.readTextFile(join(dir, "r.md")), "old md");
    assertEquals(names(dir), ["r.json", "r.md"], "no temporary file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFilesAtomic() puts the first file back when the second's rename fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "write-files-" });
  try {
    await Deno.writeTextFile(join(dir, "r.md"), "old md");
    await Deno.writeTextFile(join(dir, "r.json"), "old json");
    let renames = 0;
    const failSecond = async (from: string, to: string) => {
      if (++renames === 2) throw new Deno.errors.PermissionDenied(`rename to ${to} refused`);
      await Deno.rename(from, to);
    };
    const files: [string, string][] = [[join(dir, "r.md"), "new md"], [join(dir, "r.json"), "{}"]];
    await assertRejects(
      () => writeFilesAtomic(files, failSecond),
      Deno.errors.PermissionDenied,
      `rename to ${join(dir, "r.json")} refused`,
    );
    assertEquals(renames, 2);
    assertEquals(await Deno.readTextFile(join(dir, "r.md")), "old md", "the first is put back");
    assertEquals(await Deno.readTextFile(join(dir, "r.json")), "old json");
    assertEquals(names(dir), ["r.json", "r.md"], "no temporary file and no kept copy");
    // A first file that was not there before is removed again.
    await Deno.remove(join(dir, "r.md"));
    renames = 0;
    await assertRejects(() => writeFilesAtomic(files, failSecond), Deno.errors.PermissionDenied);
    assertEquals(names(dir), ["r.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFilesAtomic() on a full disk names the option and file, and removes its folders", async () => {
  const dir = await Deno.makeTempDir({ prefix: "write-files-" });
  const { writeTextFile } = Deno;
  try {
    const json = join(dir, "new", "deeper", "e.json"), md = join(dir, "e.md");
    // The Markdown's temporary file cannot be written, as on a full disk; the JSON's could.
    Deno.writeTextFile = ((path: string | URL, ...rest: unknown[]) => {
      if (String(path).startsWith(join(dir, ".e.md."))) {
        throw new Error(`No space left on device (os error 28): writefile '${path}'`);
      }
      return (writeTextFile as (...a: unknown[]) => Promise<void>)(path, ...rest);
    }) as typeof Deno.writeTextFile;
    await assertRejects(
      () => writeFilesAtomic([[json, "{}", "--json"], [md, "# E", "--md"]]),
      Error,
      `--md: cannot write ${md}: No space left on device (os error 28): writefile '${dir}/.e.md.`,
    );
    assertEquals(names(dir), [], "no file, no temporary file, no folder made for the JSON");
  } finally {
    Deno.writeTextFile = writeTextFile;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFilesAtomic() refuses a path named twice and writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "write-files-" });
  try {
    const path = join(dir, "r.md");
    await assertRejects(
      () => writeFilesAtomic([[path, "a"], [`${dir}/./r.md`, "b"]]),
      TypeError,
      `cannot write ${path} twice in one step`,
    );
    assertEquals(names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "checkWritable() names a folder it cannot write into before anything is run",
  ignore: !canLockFolders,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "write-files-" });
    const path = join(dir, "out.json");
    try {
      await checkWritable(path, "--json"); // writable: no error, and no probe left behind
      assertEquals(names(dir), []);
      // An interrupted run between these two lines leaves an immutable folder (chattr -i frees it).
      assert(lockFolder(dir), "the folder could be locked a moment ago");
      const error = await assertRejects(
        () => checkWritable(path, "--json"),
        Deno.errors.PermissionDenied,
        `--json: cannot write ${path}: its folder ${dir} cannot be written (`,
      );
      // The system's reason, without the name of the call Deno appends ("…: tmpfile").
      assertMatch(error.message, /cannot be written \([^():]+ \(os error \d+\)\)$/);
    } finally {
      lockFolder(dir, true);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "checkWritable() names the folder it cannot make a missing folder in",
  ignore: !canLockFolders,
  fn: () =>
    withLockableDir("write-files-", async (dir) => {
      const path = join(dir, "new", "deeper", "out.json");
      assert(lockFolder(dir), "the folder could be locked a moment ago");
      const error = await assertRejects(() => checkWritable(path, "--json"), Error);
      assertMatch(
        error.message,
        new RegExp(
          `^--json: cannot write ${path}: ${dir}, where its folder ${
            join(dir, "new", "deeper")
          } would be made, cannot be written \\([^():]+ \\(os error \\d+\\)\\)$`,
        ),
      );
    }),
});
