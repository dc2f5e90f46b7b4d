/**
 * Writing files so that a reader never sees half of one: shared by the programs in `tools/`.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  makeFolders,
  namedError,
  nearestFolder,
  removeFolders,
  replaceFiles,
} from "../lib/_atomic_write.ts";
import { withCleanUpOnSignals } from "./_cleanup.ts";

/** Folders of devices and kernel files: never written through, whatever the path says. */
const SYSTEM_FOLDERS = ["/dev", "/proc", "/sys"];

function fullPath(path: string | URL): string {
  return resolve(path instanceof URL ? fileURLToPath(path) : path);
}

/** `full` with its nearest existing folder's links resolved (itself when none exists). */
async function realFolderPath(full: string): Promise<string> {
  for (let folder = dirname(full), rest = basename(full);; folder = dirname(folder)) {
    const real = await Deno.realPath(folder).catch(() => null);
    if (real !== null) return join(real, rest);
    if (folder === dirname(folder)) return full;
    rest = join(basename(folder), rest);
  }
}

/**
 * Why a path cannot take a regular file written by {@linkcode writeFileAtomic}, or null when
 * it can (as far as its type goes; permissions are found out by writing): it is a folder, a
 * device, a pipe or a socket, a link to a folder or to one of those, or it lies under `/dev`,
 * `/proc` or `/sys` (also through a linked folder). A missing file, a regular file and a
 * link to a regular file (or a dangling one) are fine: the link is replaced by the file.
 *
 * @param path The file, as a path or a `file:` URL.
 * @returns The reason in a few words, or null.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { outputProblem } from "./_write.ts";
 * assertEquals(await outputProblem("/dev/stdout"), "it is under /dev, not a place for files");
 * const dir = await Deno.makeTempDir();
 * assertEquals(await outputProblem(`${dir}/new.json`), null);
 * await Deno.remove(dir);
 * ```
 */
export async function outputProblem(path: string | URL): Promise<string | null> {
  const full = fullPath(path);
  if (Deno.build.os !== "windows") {
    for (const candidate of [full, await realFolderPath(full)]) {
      const system = SYSTEM_FOLDERS.find((d) => candidate === d || candidate.startsWith(`${d}/`));
      if (system) return `it is under ${system}, not a place for files`;
    }
  }
  const info = await Deno.lstat(full).catch(() => null);
  if (info === null || info.isFile) return null;
  if (info.isDirectory) return "it is a folder, not a file";
  if (!info.isSymlink) return "it is a device, a pipe or a socket, not a regular file";
  const target = await Deno.stat(full).catch(() => null);
  if (target === null || target.isFile) return null;
  return target.isDirectory
    ? "it is a link to a folder, not a file"
    : "it is a link to a device, a pipe or a socket, not a regular file";
}

/**
 * Writes a text file in one step: into a temporary file beside it, then renamed over it, so
 * that the file is never half-written and a failure leaves the previous one in place. A
 * symbolic link at `path` is replaced by the file (the link's target is left as it was);
 * a path {@linkcode outputProblem} refuses (a folder, a device, anything under `/dev`) is a
 * `TypeError` naming it, and nothing is written.
 *
 * @param path The file, as a path or a `file:` URL (its folder is made if missing).
 * @param text The content.
 * @throws {TypeError} When the path cannot take a regular file, naming it and why.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeFileAtomic } from "./_write.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/out.json`;
 * await writeFileAtomic(path, "{}\n");
 * assertEquals(await Deno.readTextFile(path), "{}\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string | URL, text: string): Promise<void> {
  await writeFilesAtomic([[path, text]]);
}

/**
 * Writes several text files as one step (a report and its JSON twin): each is checked as
 * {@linkcode writeFileAtomic} checks it and its folder made, then every text goes to a
 * temporary file beside its file and only when all are written are they renamed into place
 * (`replaceFiles()` in lib/_atomic_write.ts). A failure on the way leaves every file as it was,
 * no temporary file and none of the folders it made behind, so the files never disagree.
 * So does Ctrl-C (SIGINT) or SIGTERM while they are written: the signal stops the write before
 * its next rename, the files renamed already are put back, the temporary files and new folders
 * go, and the process exits with status 130 or 143 (`withCleanUpOnSignals()`, tools/_cleanup.ts;
 * outside a write the signals keep their default action). A signal after the last rename finds
 * every file written.
 *
 * @param files A path (or `file:` URL), its content and, optionally, the option that named it
 *   (`"--md"`), which begins the message of an error writing it; the paths all different.
 * @param rename How a temporary file takes its file's place (for tests of a failing rename).
 * @throws {TypeError} When a path cannot take a regular file or is named twice; nothing is
 *   written.
 * @throws {Error} When the system refuses a write (a full disk): its error's class, with a
 *   message naming the option, the file and the system's reason (`--md: cannot write
 *   /r/e.md: No space left on device (os error 28): …`).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeFilesAtomic } from "./_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFilesAtomic([[`${dir}/r.md`, "# R\n"], [`${dir}/json/r.json`, "{}\n"]]);
 * assertEquals(await Deno.readTextFile(`${dir}/json/r.json`), "{}\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFilesAtomic(
  files: readonly (readonly [path: string | URL, text: string, label?: string])[],
  rename: (from: string, to: string) => Promise<void> = Deno.rename,
): Promise<void> {
  const full = files.map(([path, text, label]) => [fullPath(path), text, label] as const);
  for (const [path, , label] of full) {
    const by = label ? `${label}: ` : "";
    const problem = await outputProblem(path);
    if (problem) throw new TypeError(`${by}cannot write ${path}: ${problem}`);
    if (full.filter(([p]) => p === path).length > 1) {
      throw new TypeError(`${by}cannot write ${path} twice in one step`);
    }
  }
  // A signal stops the write at its next rename (the temporaries are all written by then), so
  // that replaceFiles() undoes it as it undoes a failure; the signal's clean-up waits for that.
  let stopped = false;
  const renameUnlessStopped = async (from: string, to: string) => {
    if (stopped) throw new Deno.errors.Interrupted("the write was stopped (Ctrl-C or SIGTERM)");
    await rename(from, to);
  };
  const write = async () => {
    const made: string[] = [];
    try {
      for (const [path, , label] of full) {
        made.push(
          ...await makeFolders(dirname(path)).catch((e) => {
            throw namedError(e, path, { label });
          }),
        );
      }
      await replaceFiles(full, renameUnlessStopped);
    } catch (e) {
      await removeFolders(made); // a full disk leaves no empty folders behind
      throw e;
    }
  };
  let writing: Promise<void> | null = null;
  await withCleanUpOnSignals(
    async () => {
      stopped = true;
      await writing?.catch(() => {});
    },
    () => writing = write(),
    { what: "undoing the write under way and removing its temporary files…" },
  );
}

/**
 * Checks, before a program runs, that an output file can be written, without creating
 * anything: the path is not a folder, a device, a pipe or a link to one (nothing under `/dev`,
 * `/proc` or `/sys` is written through), no folder above it is a file, and a file can be
 * created in its nearest existing folder (a probe file, removed again). Missing folders are
 * made only when the file is written, after the run; a symbolic link is replaced by the
 * regular file (the file it pointed to is left as it was), as `writeFileAtomic` does.
 *
 * @param path The file to write.
 * @param flag The option that names it (`"--json"`), for the message.
 * @throws {Error} Naming the option, the path and why (of the class of the underlying error).
 * @example
 * ```ts
 * import { checkWritable } from "./_write.ts";
 * const path = await Deno.makeTempFile();
 * await checkWritable(path, "--json"); // fine
 * await Deno.remove(path);
 * ```
 */
export async function checkWritable(path: string, flag: string): Promise<void> {
  const full = resolve(path);
  const fail = (why: string, cause?: unknown): never => {
    const Class = cause instanceof Error ? cause.constructor as ErrorConstructor : TypeError;
    throw new Class(`${flag}: cannot write ${full}: ${why}`, { cause });
  };
  const problem = await outputProblem(full);
  if (problem) fail(problem);
  const folder = await nearestFolder(full).catch((e) => fail((e as Error).message));
  try {
    const probe = await Deno.makeTempFile({ dir: folder, prefix: `.${basename(full)}.` });
    await Deno.remove(probe);
  } catch (e) {
    const where = folder === dirname(full)
      ? `its folder ${folder}`
      : `${folder}, where its folder ${dirname(full)} would be made,`;
    fail(`${where} cannot be written (${systemReason(e)})`, e);
  }
}

/**
 * The reason an operating system's error gives, without the name of the call that failed that
 * Deno appends to it (`Permission denied (os error 13): tmpfile` reads `Permission denied (os
 * error 13)`): a user asked for a file, not for a temporary one or a `mkdir`. Any other error's
 * message is returned as it is.
 *
 * @param e The error.
 * @returns The reason.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { systemReason } from "./_write.ts";
 * const e = new Deno.errors.PermissionDenied("Permission denied (os error 13): mkdir '/r/new'");
 * assertEquals(systemReason(e), "Permission denied (os error 13)");
 * assertEquals(systemReason(new Error("disk says no")), "disk says no");
 * ```
 */
export function systemReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.match(/^(.*?\(os error \d+\)): [a-z_]+(?: '.*')?$/s)?.[1] ?? message;
}
