/**
 * Replacing a file so that a reader never sees half of it: the text goes to a temporary file in
 * the same folder, which then takes the file's place in one rename (several files together:
 * all written before any is renamed); finding, before that, the folder a new file would go in;
 * making the folders missing on the way, and removing them again when the write fails;
 * whether a file is there; and whether a temporary that another process left will never be
 * finished. Shared by `saveFigure()`, the programs' output checks and `writeFileAtomic()`
 * (tools/_write.ts), the data loader and the native kernels' build.
 *
 * @module
 */

import { basename, dirname } from "node:path";

/**
 * Writes `text` to the absolute path `full` through a temporary file renamed over it; the new
 * file keeps the mode of the one it replaces (0644 when there was none). On failure the
 * temporary file is removed and the error passed on, naming the file (see
 * {@linkcode replaceFiles}); the old file, if any, is untouched.
 *
 * @param full An absolute path whose folder exists.
 * @param text The content.
 * @param label Who writes it, to begin an error's message with (`"saveFigure()"`).
 * @throws {Error} Of the class of the operating system's error (`Deno.errors.PermissionDenied`,
 *   …), its message `<label>: cannot write <full>: <the system's reason>`.
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
export async function replaceFile(full: string, text: string, label?: string): Promise<void> {
  await replaceFiles([[full, text, label]]);
}

/** Options for {@linkcode namedError}. */
export interface NamedErrorOptions {
  /** Who reads or writes it (`"saveRecommender()"`, `"--md"`), put first; none by default. */
  label?: string;
  /**
   * What was being done.
   * @default "write"
   */
  verb?: "read" | "write";
  /**
   * The reason given, from the error's own message.
   * @default the message as it is
   */
  why?: (message: string) => string;
}

/**
 * `e` as an error of the same class whose message names the file or folder being read or
 * written (and, first, the `label` of whoever does it): `--md: cannot write /r/e.md: No space
 * left on device`. The system's error stays its `cause`.
 *
 * @param e The error.
 * @param full The path being read or written (or what it is and its path: `model file /m/x`).
 * @param options Who does it, whether it reads or writes, how the reason is worded.
 * @returns The error to throw.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { namedError } from "./_atomic_write.ts";
 * const e = namedError(new Deno.errors.PermissionDenied("denied"), "/r/e.md", { label: "--md" });
 * assertEquals([e instanceof Deno.errors.PermissionDenied, e.message], [
 *   true,
 *   "--md: cannot write /r/e.md: denied",
 * ]);
 * const r = namedError(new Deno.errors.PermissionDenied("denied"), "model file /m/model.json", {
 *   label: "loadRecommender()",
 *   verb: "read",
 * });
 * assertEquals(r.message, "loadRecommender(): cannot read model file /m/model.json: denied");
 * ```
 */
export function namedError(e: unknown, full: string, options: NamedErrorOptions = {}): Error {
  const { label, verb = "write", why = (message: string) => message } = options;
  const cause = e instanceof Error ? e : new Error(String(e));
  const Class = cause.constructor as ErrorConstructor;
  return new Class(`${label ? `${label}: ` : ""}cannot ${verb} ${full}: ${why(cause.message)}`, {
    cause,
  });
}

/**
 * Writes `text` to a new temporary file beside `full` with the mode of the file it will replace
 * (0644 when there is none); removes it again when that fails.
 */
async function writeTemporary(full: string, text: string): Promise<string> {
  const tmp = await Deno.makeTempFile({ dir: dirname(full), prefix: `.${basename(full)}.` });
  try {
    await Deno.writeTextFile(tmp, text);
    if (Deno.build.os !== "windows") {
      // A temporary file is private (0600); give it the mode of the file it replaces.
      const old = await Deno.stat(full).catch(() => null);
      await Deno.chmod(tmp, old?.mode != null ? old.mode & 0o777 : 0o644);
    }
    return tmp;
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * A second name (a hard link, or a copy where links are not allowed) for what stands at `full`
 * now, so that it can be put back after it was replaced; null when nothing is there.
 */
async function keepOld(full: string): Promise<string | null> {
  const old = await Deno.lstat(full).catch(() => null);
  if (old === null || !(old.isFile || old.isSymlink)) return null;
  const kept = `${dirname(full)}/.${basename(full)}.${crypto.randomUUID()}.old`;
  try {
    await Deno.link(full, kept);
  } catch {
    await Deno.copyFile(full, kept);
  }
  return kept;
}

/**
 * Replaces several files as one step, as far as a file system allows: every text is written to
 * a temporary file beside its target first, and only when all are written are they renamed
 * over their targets. A failure while writing removes the temporary files and leaves every
 * target as it was; a rename that fails (rare: the temporaries are already in place) puts back
 * the files renamed before it, from links to them kept until the end. Either way no temporary
 * file is left, and the error is passed on naming the file it came from.
 *
 * @param files An absolute path whose folder exists, its content and, optionally, a label to
 *   begin the message of an error writing it with (the option that named it: `"--md"`).
 * @param rename How a temporary file takes its target's place (for tests of a failing rename).
 * @throws {Error} Of the class of the operating system's error (`Deno.errors.PermissionDenied`,
 *   …), its message `<label>: cannot write <file>: <the system's reason>`.
 * @example
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { replaceFiles } from "./_atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await replaceFiles([[`${dir}/a.md`, "one\n"], [`${dir}/a.json`, "1\n"]]);
 * // The second folder is missing: neither file changes.
 * await assertRejects(() => replaceFiles([[`${dir}/a.md`, "two\n"], [`${dir}/no/a.json`, "2\n"]]));
 * assertEquals(await Deno.readTextFile(`${dir}/a.md`), "one\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function replaceFiles(
  files: readonly (readonly [full: string, text: string, label?: string])[],
  rename: (from: string, to: string) => Promise<void> = Deno.rename,
): Promise<void> {
  const temporaries: string[] = [];
  const kept: (string | null)[] = [];
  let renamed = 0;
  /** The file being written, kept or renamed when something fails. */
  let current = 0;
  try {
    for (const [full, text] of files) {
      current = temporaries.length;
      temporaries.push(await writeTemporary(full, text));
    }
    // One file's rename is one step by itself; several need the old ones to undo the first.
    if (files.length > 1) {
      for (const [full] of files) {
        current = kept.length;
        kept.push(await keepOld(full));
      }
    }
    for (; renamed < files.length; renamed++) {
      current = renamed;
      await rename(temporaries[renamed], files[renamed][0]);
    }
  } catch (e) {
    for (let i = renamed - 1; i >= 0; i--) {
      const back = kept[i];
      kept[i] = null;
      if (back === null) await Deno.remove(files[i][0]).catch(() => {});
      else await Deno.rename(back, files[i][0]).catch(() => {});
    }
    throw namedError(e, files[current][0], { label: files[current][2] });
  } finally {
    // The renamed ones are gone already; the others, and the kept links, go now.
    for (const name of [...temporaries, ...kept]) {
      if (name !== null) await Deno.remove(name).catch(() => {});
    }
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
 * Makes the absolute path `folder` a folder, with the folders missing above it, one at a time
 * from the outermost, and returns those it made (outermost first): {@linkcode removeFolders}
 * takes them away again when what was to go in them cannot be written. A folder that another
 * writer makes meanwhile is not counted as made. When one cannot be made, those made before it
 * are removed and the error passed on.
 *
 * @param folder An absolute path.
 * @returns The folders made, outermost first (none when `folder` exists).
 * @throws {TypeError} When a file stands where one of the folders should be, naming it.
 * @throws {Error} The operating system's error making a folder (`PermissionDenied`, …).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { makeFolders, removeFolders } from "./_atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * assertEquals(await makeFolders(`${dir}/a/b`), [`${dir}/a`, `${dir}/a/b`]);
 * assertEquals(await makeFolders(`${dir}/a/b`), []);
 * await removeFolders([`${dir}/a`, `${dir}/a/b`]);
 * assertEquals([...Deno.readDirSync(dir)], []);
 * await Deno.remove(dir);
 * ```
 */
export async function makeFolders(folder: string): Promise<string[]> {
  const missing: string[] = [];
  for (let f = folder; f !== dirname(f); f = dirname(f)) {
    const info = await Deno.stat(f).catch(() => null);
    if (info && !info.isDirectory) throw new TypeError(`${f} is a file, not a folder`);
    if (info) break;
    missing.unshift(f);
  }
  const made: string[] = [];
  try {
    for (const f of missing) {
      try {
        await Deno.mkdir(f);
        made.push(f);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
  } catch (e) {
    await removeFolders(made);
    throw e;
  }
  return made;
}

/**
 * Removes the folders {@linkcode makeFolders} made, innermost first, each only while it is
 * empty: one that something else was put in stays, and so do those above it. Never throws.
 *
 * @param made The folders, outermost first, as `makeFolders()` returns them.
 */
export async function removeFolders(made: readonly string[]): Promise<void> {
  for (const folder of [...made].reverse()) {
    try {
      await Deno.remove(folder);
    } catch {
      return;
    }
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

/**
 * A temporary this old is abandoned when nothing tells whether its maker still runs (a build or
 * a download takes minutes).
 */
const ABANDONED_MS = 60 * 60 * 1000;

/**
 * Whether a temporary file or folder that process `pid` made will never be finished, so that a
 * sweep may remove it (the data loader's partial downloads, the native kernels' builds): never
 * when `pid` is this process's, since another of its tasks may be writing it; where Linux'
 * `/proc` tells whether `pid` runs, exactly when it no longer does, however old the temporary (a
 * download may be slow, a laptop may sleep through one: a running process's temporary is never
 * taken from under it); otherwise (its maker unknown, or no `/proc`) when it is older than an
 * hour. The price: the temporary of a process that died stays while another process runs under
 * its reused id, and goes with the first sweep after that one ends.
 *
 * @param path The temporary.
 * @param pid The process that made it, when its name tells.
 * @returns Whether to remove it; false when it is gone or cannot be looked at.
 * @throws {Error} When `/proc` cannot be looked at (a permission, say), as {@linkcode exists}.
 */
export async function abandoned(path: string | URL, pid: number | undefined): Promise<boolean> {
  if (pid === Deno.pid) return false;
  const info = await Deno.stat(path).catch(() => null);
  if (info === null) return false;
  if (pid !== undefined && await exists("/proc/self")) return !(await exists(`/proc/${pid}`));
  return info.mtime != null && Date.now() - info.mtime.getTime() > ABANDONED_MS;
}
