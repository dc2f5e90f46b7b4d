/**
 * Replacing a file so that a reader never sees half of it: the text goes to a temporary file in
 * the same folder, which then takes the file's place in one rename. Shared by `saveFigure()`
 * and the programs' `writeFileAtomic()` (tools/_write.ts).
 *
 * @module
 */

import { basename, dirname } from "node:path";

/**
 * Writes `text` to the absolute path `full` through a temporary file renamed over it; the new
 * file keeps the mode of the one it replaces (0644 when there was none). On failure the
 * temporary file is removed and the error passed on; the old file, if any, is untouched.
 *
 * @param full An absolute path whose folder exists.
 * @param text The content.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { replaceFile } from "./_atomic_write.ts";
 * const path = `${await Deno.makeTempDir()}/out.txt`;
 * await replaceFile(path, "one\n");
 * await replaceFile(path, "two\n");
 * assertEquals(await Deno.readTextFile(path), "two\n");
 * ```
 */
export async function replaceFile(full: string, text: string): Promise<void> {
  const tmp = await Deno.makeTempFile({ dir: dirname(full), prefix: `.${basename(full)}.` });
  try {
    await Deno.writeTextFile(tmp, text);
    if (Deno.build.os !== "windows") {
      // A temporary file is private (0600); give it the mode of the file it replaces.
      const old = await Deno.stat(full).catch(() => null);
      await Deno.chmod(tmp, old?.mode != null ? old.mode & 0o777 : 0o644);
    }
    await Deno.rename(tmp, full);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
