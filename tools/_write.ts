/**
 * Writing files so that a reader never sees half of one: shared by the programs in `tools/`.
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Writes a text file in one step: into a temporary file beside it, then renamed over it, so
 * that the file is never half-written and a failure leaves the previous one in place.
 *
 * @param path The file, as a path or a `file:` URL (its folder is made if missing).
 * @param text The content.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeFileAtomic } from "./_write.ts";
 * const path = `${await Deno.makeTempDir()}/out.json`;
 * await writeFileAtomic(path, "{}\n");
 * assertEquals(await Deno.readTextFile(path), "{}\n");
 * ```
 */
export async function writeFileAtomic(path: string | URL, text: string): Promise<void> {
  const full = resolve(path instanceof URL ? fileURLToPath(path) : path);
  await Deno.mkdir(dirname(full), { recursive: true });
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
