import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { abandoned, exists, replaceFiles } from "../lib/_atomic_write.ts";

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** A rename that refuses its second call, as a full disk or a lost permission would. */
function failingSecondRename(): (from: string, to: string) => Promise<void> {
  let renames = 0;
  return async (from, to) => {
    if (++renames === 2) throw new Deno.errors.PermissionDenied(`rename to ${to} refused`);
    await Deno.rename(from, to);
  };
}

Deno.test("replaceFiles() puts back the very file it replaced when a later rename fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "atomic-write-" });
  try {
    const first = join(dir, "a.md"), second = join(dir, "a.json");
    await Deno.writeTextFile(first, "old md");
    await Deno.link(first, join(dir, "other-name.md"));
    const before = await Deno.stat(first);
    await assertRejects(
      () => replaceFiles([[first, "new md"], [second, "{}"]], failingSecondRename()),
      Deno.errors.PermissionDenied,
    );
    const after = await Deno.stat(first);
    assertEquals(await Deno.readTextFile(first), "old md");
    assertEquals([after.ino, after.nlink], [before.ino, 2], "the same file, not a copy of it");
    assertEquals(names(dir), ["a.md", "other-name.md"], "no temporary file and no kept link");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "replaceFiles() puts back a symbolic link it replaced when a later rename fails",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "atomic-write-" });
    try {
      const first = join(dir, "a.md"), second = join(dir, "a.json");
      await Deno.writeTextFile(join(dir, "target.md"), "linked md");
      await Deno.symlink("target.md", first);
      await assertRejects(
        () => replaceFiles([[first, "new md"], [second, "{}"]], failingSecondRename()),
        Deno.errors.PermissionDenied,
      );
      assertEquals(await Deno.readLink(first), "target.md", "the link is back");
      assertEquals(await Deno.readTextFile(join(dir, "target.md")), "linked md");
      assertEquals(names(dir), ["a.md", "target.md"], "no temporary file and no kept link");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("exists() is false, not an error, below a file or a missing folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "atomic-write-" });
  try {
    await Deno.writeTextFile(join(dir, "a.md"), "");
    assertEquals(await exists(join(dir, "a.md")), true);
    assertEquals(await exists(join(dir, "a.md", "b.md")), false);
    assertEquals(await exists(join(dir, "no", "b.md")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("abandoned() takes a temporary of an unknown maker after an hour, and never one that is gone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "atomic-write-" });
  try {
    const partial = join(dir, ".download.part");
    await Deno.writeTextFile(partial, "");
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    await Deno.utime(partial, ago(30), ago(30));
    assertEquals(await abandoned(partial, undefined), false, "half an hour old");
    await Deno.utime(partial, ago(61), ago(61));
    assertEquals(await abandoned(partial, undefined), true, "61 minutes old");
    await Deno.remove(partial);
    assertEquals(await abandoned(partial, undefined), false, "gone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
