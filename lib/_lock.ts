/**
 * An advisory lock between processes, for a read-modify-write of files that several runs share (two
 * `deno task evaluate` runs each rewriting their part of the committed results), or a replacement
 * of several files that must not interleave with another's (two saves of one model folder): writing
 * each file atomically keeps it whole, but only a lock keeps one run from writing over what another
 * wrote after it had read. The lock is the kernel's (`flock`) on a lock file, so it ends with its
 * process however that ends: a lock whose holder was killed is simply taken by the next run. The
 * holder writes its process id into the file, for the message of a run that waits, and removes the
 * file when it is done.
 *
 * @module
 */

/** Options of {@linkcode withLock}. */
export interface LockOptions {
  /**
   * Who holds such a lock and what for, for the message of a run that waits.
   *
   * @default {nothing more than the process id}
   */
  holder?: string;
  /**
   * Called once when another process holds the lock, with its process id (null when the file
   * does not say yet), before this one waits for it.
   *
   * @default {a line on stderr: lockWaitMessage()}
   */
  onWait?: (pid: number | null) => void;
}

/**
 * What a run that finds the lock held says: the lock file, the holder's process id and what to
 * do when it never lets go.
 *
 * @param path The lock file.
 * @param pid The holder's process id, or null when unknown.
 * @param holder Who holds such a lock and what for, when known.
 * @returns One line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { lockWaitMessage } from "./_lock.ts";
 * assertEquals(
 *   lockWaitMessage("results/.evaluation.lock", 4242, "another run"),
 *   "results/.evaluation.lock is held by process 4242 (another run): waiting until it is " +
 *     "released. If that process hangs, stop it (kill 4242) and this one goes on",
 * );
 * ```
 */
export function lockWaitMessage(path: string, pid: number | null, holder?: string): string {
  const who = (pid === null ? "another process" : `process ${pid}`) +
    (holder ? ` (${holder})` : "");
  return `${path} is held by ${who}: waiting until it is released. If that process hangs, ` +
    `stop it${pid === null ? "" : ` (kill ${pid})`} and this one goes on`;
}

/** The process id a holder wrote into the lock file, or null. */
async function holderPid(path: string): Promise<number | null> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return /^\d+\n$/.test(text) ? Number(text) : null;
}

/** Whether `path` still names the open `file` (a holder removes the file when it is done). */
async function isAt(file: Deno.FsFile, path: string): Promise<boolean> {
  const [open, named] = [await file.stat(), await Deno.stat(path).catch(() => null)];
  return named !== null && named.ino === open.ino && named.dev === open.dev;
}

/**
 * Runs `run` while this process holds the lock file `path` (made if missing; its folder must
 * exist), waiting for another process that holds it; the file is removed afterwards, whether
 * `run` succeeds or throws. Two calls in one process wait for each other too (each opens the
 * file anew, and the lock is on the open file).
 *
 * @param path The lock file.
 * @param run The work to do under the lock.
 * @param options Who holds such a lock, and what to do when it is held.
 * @returns What `run` returns.
 * @throws {Error} What `run` throws, or a failure to open the lock file (naming it).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { withLock } from "./_lock.ts";
 * const dir = await Deno.makeTempDir();
 * assertEquals(await withLock(`${dir}/.lock`, () => Promise.resolve(42)), 42);
 * assertEquals([...Deno.readDirSync(dir)], []);
 * await Deno.remove(dir);
 * ```
 */
export async function withLock<T>(
  path: string,
  run: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const onWait = options.onWait ??
    ((pid) => console.error(lockWaitMessage(path, pid, options.holder)));
  let waited = false;
  for (;;) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    try {
      if (!(await file.tryLock(true))) {
        if (!waited) onWait(await holderPid(path));
        waited = true;
        await file.lock(true);
      }
      // Locked a file its holder removed on the way out: that guards nothing, start again.
      if (!(await isAt(file, path))) continue;
      await file.truncate(0);
      await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
      try {
        return await run();
      } finally {
        // Removed before it is unlocked (on close), so a waiter finds it gone and starts again.
        await Deno.remove(path).catch(() => {});
      }
    } finally {
      file.close();
    }
  }
}
