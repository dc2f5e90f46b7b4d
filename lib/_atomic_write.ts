/**
 * Replacing a file so that a reader never sees half of it: the text goes to a temporary file in
 * the same folder, which then takes the file's place in one rename; finding, before that, the
 * folder a new file would go in; and whether a file is there. Shared by `saveFigure()`, the
 * programs' output checks and `writeFileAtomic()` (tools/_write.ts), the data loader and the
 * native kernels' build.
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
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/out.txt`;
 * await replaceFile(path, "one\n");
 * await replaceFile(path, "two\n");
 * assertEquals(await Deno.readTextFile(path), "two\n");
 * await Deno.remove(dir, { recursive: true });
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

/**
 * The nearest folder above `full` that exists (where a file there, or the folders missing on
 * the way to it, can be made).
 *
 * @param full An absolute path.
 * @returns The folder.
 * @throws {TypeError} When a file stands where one of the folders should be, naming it.
 * @example
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { nearestFolder } from "./_atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * assertEquals(await nearestFolder(`${dir}/a/b/out.txt`), dir);
 * await Deno.writeTextFile(`${dir}/a`, "");
 * await assertRejects(() => nearestFolder(`${dir}/a/b/out.txt`), TypeError, "a file, not a folder");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function nearestFolder(full: string): Promise<string> {
  for (let folder = dirname(full);; folder = dirname(folder)) {
    const info = await Deno.stat(folder).catch(() => null);
    if (info && !info.isDirectory) throw new TypeError(`${folder} is a file, not a folder`);
    if (info || folder === dirname(folder)) return folder;
  }
}

/**
 * Whether `path` exists (following links); false too when a parent is a file.
 *
 * @param path A path or `file:` URL.
 * @returns Whether something is there.
 * @throws {Error} For any other failure to look (a permission, say), passed on.
 */
export async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}
