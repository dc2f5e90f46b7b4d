// Folders a test cannot write into, also as root: shared by the tests of the programs' output
// checks (tools/_write.ts, `deno task evaluate`, `deno task notebooks`).

/**
 * Makes `dir` a folder this process cannot write into, or undoes it: by its mode for an
 * ordinary user, by the immutable attribute (`chattr +i`) for root, whom modes do not stop.
 * Returns whether the command did it.
 */
export function lockFolder(dir: string, undo = false): boolean {
  if (Deno.uid() !== 0) {
    Deno.chmodSync(dir, undo ? 0o755 : 0o555);
    return true;
  }
  try {
    const args = [undo ? "-i" : "+i", dir];
    return new Deno.Command("chattr", { args, stderr: "null" }).outputSync().success;
  } catch {
    return false; // no chattr
  }
}

/** Whether a folder can be made unwritable here (Linux; as root, a file system and rights that
 * take the immutable attribute); where not, the tests that need one are reported as ignored. */
export const canLockFolders: boolean = Deno.build.os === "linux" && (() => {
  const probe = Deno.makeTempDirSync({ prefix: "write-probe-" });
  try {
    return lockFolder(probe);
  } finally {
    lockFolder(probe, true);
    Deno.removeSync(probe);
  }
})();

/**
 * Runs `fn` with a new temporary folder that `fn` may lock with {@linkcode lockFolder}, and
 * removes it afterwards (unlocked first; an interrupted test leaves an immutable folder, which
 * `chattr -i` frees).
 */
export async function withLockableDir(
  prefix: string,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    for (const entry of [dir, ...[...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`)]) {
      const info = Deno.lstatSync(entry);
      if (info.isDirectory) lockFolder(entry, true);
    }
    await Deno.remove(dir, { recursive: true });
  }
}
