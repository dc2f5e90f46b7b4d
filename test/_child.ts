// Child processes for tests: `deno task test` runs test modules and doc examples side by side in
// one process, so whatever a test needs set in the environment it sets in a child of its own.

/**
 * This process's environment with `changes` applied (`undefined` removes a variable): the whole
 * environment of a child started with `clearEnv: true`. This process's own is left as it is.
 *
 * @param changes Variables to set or, with `undefined`, to leave out.
 * @param base The environment to start from.
 * @returns The child's environment.
 */
export function childEnvironment(
  changes: Record<string, string | undefined> = {},
  base: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const env = { ...base };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Runs `code`, the body of a TypeScript module, in a child `deno eval` (with the project's
 * config, so `@std/assert` resolves) and returns what it printed to stdout.
 *
 * For tests of behaviour read from the environment (`NB_QUICK`, `NB_HEADLINES`, the data
 * folders): `deno task test` runs test modules side by side in one process, which has one
 * environment, so a test that set a variable in-process changed what every module running beside
 * it read at that moment (CI failed once that way: one doc example set `NB_QUICK=maybe` while
 * another read it). A child has an environment of its own.
 *
 * @param code Module body; import project files by absolute URL.
 * @param env Variables to set in the child; `undefined` removes one.
 * @param options `clearEnv`: start the child from `env` alone rather than this process's
 *   environment with `env` applied.
 * @returns The child's stdout.
 * @throws {Error} When the child fails, with its stderr (a failed assertion's message).
 */
export async function runWithEnv(
  code: string,
  env: Record<string, string | undefined>,
  options: { clearEnv?: boolean } = {},
): Promise<string> {
  // NO_COLOR: a failed assertion's message as plain text.
  const base = childEnvironment({ NO_COLOR: "1", ...env }, options.clearEnv ? {} : undefined);
  const config = new URL("../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", "--config", config, code],
    env: base,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `the child process failed (exit ${out.code}):\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** The native kernels' switches (README), which a developer may have exported. */
export const NATIVE_SWITCHES = ["NATIVE_KERNELS", "NATIVE_KERNELS_THREADS"] as const;

/**
 * {@linkcode childEnvironment} without {@linkcode NATIVE_SWITCHES}, then `extra`: for a child that
 * should load the native library and choose its threads itself, whatever the shell exported.
 *
 * @param extra Variables to set.
 * @returns The child's environment.
 */
export function nativeChildEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return childEnvironment({
    ...Object.fromEntries(NATIVE_SWITCHES.map((name) => [name, undefined])),
    ...extra,
  });
}

/**
 * The processes (other than this one) whose working folder is `dir` or lies in it, or whose
 * command line names it: what a test's children, and theirs, left running there. Linux only
 * (reads `/proc`); elsewhere none.
 *
 * @param dir An absolute folder.
 * @returns Their process ids.
 */
export function processesUnder(dir: string): number[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const { name } of entries) {
    if (!/^\d+$/.test(name) || Number(name) === Deno.pid) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${name}/cwd`);
      const cmdline = Deno.readTextFileSync(`/proc/${name}/cmdline`);
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) {
        found.push(Number(name));
      }
    } catch {
      // gone, or a zombie
    }
  }
  return found;
}

/** Sends SIGKILL to each process, ignoring those already gone (a test's clean-up). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/**
 * Waits until `condition()` holds, polling every 50 ms.
 *
 * @param condition What to wait for.
 * @param what What it is, for the error.
 * @param timeoutMs How long to wait.
 * @throws {Error} When it does not hold in time.
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
