/**
 * What a program leaves behind when it is stopped: the child processes it started and its
 * temporary files and folders. Shared by the programs in `tools/` and `bench/` (the browser
 * test, the notebook runner, the benchmarks): children are started with
 * {@linkcode spawnChild}, each in its own process group so that stopping it also stops what it
 * started; clean-ups are registered with {@linkcode onCleanup} (temporary paths with
 * {@linkcode withTemporary}); and
 * {@linkcode cleanUpOnSignals} makes Ctrl-C (SIGINT) and SIGTERM stop every child, run every
 * clean-up and exit with status 130 or 143 ({@linkcode withCleanUpOnSignals} only while a run
 * is under way, for code that also runs inside another program).
 *
 * @module
 */

/** A started child with its captured output. */
export interface ChildHandle {
  /** Its process id (also its process group id). */
  readonly pid: number;
  /** Whether it has exited. */
  readonly exited: boolean;
  /** Its exit status, once exited. */
  readonly status: Deno.CommandStatus | null;
  /** The last 64 KiB it wrote to stderr ("" when its stderr is this process's). */
  stderrText(): string;
  /**
   * Resolves when it exits. When it is stopped by the clean-up after a signal
   * ({@linkcode cleanUpOnSignals}), it never settles: the program exits with the signal's status
   * instead of going on as if the child had failed.
   */
  readonly done: Promise<Deno.CommandStatus>;
  /** Resolves with all it wrote to stdout (its last 64 KiB) once that has ended; as `done`. */
  readonly output: Promise<string>;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@linkcode spawnChild}. */
export interface SpawnOptions {
  /** Its environment (by default this process's). */
  env?: Record<string, string>;
  /** Its working folder. */
  cwd?: string;
  /** What it is, for messages. */
  name: string;
  /** `"inherit"`: it writes to this process's stderr (default: captured, see `stderrText`). */
  stderr?: "piped" | "inherit";
  /** Called with its stdout as it comes, decoded (it is also kept for `output`). */
  onStdout?: (text: string) => void;
}

const KEEP = 64 * 1024;

/** Set once a signal's clean-up has begun: the process exits when it is done. */
let signalled = false;

/**
 * Starts `command` with piped output in a new process group (session). Until it exits, or a
 * clean-up that stops it is registered ({@linkcode onCleanup}), {@linkcode cleanUp} stops it.
 *
 * @param command The executable.
 * @param args Its arguments.
 * @param options Environment, working folder, a name for messages, where its stderr goes.
 * @returns The handle.
 * @example
 * ```ts ignore
 * import { spawnChild } from "./_cleanup.ts";
 * const child = spawnChild("/usr/bin/python3", ["-c", "print(1)"], { name: "python" });
 * console.log((await child.done).success, await child.output); // true "1\n"
 * ```
 */
export function spawnChild(command: string, args: string[], options: SpawnOptions): ChildHandle {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: options.stderr ?? "piped",
    detached: true,
  }).spawn();
  let out = "";
  let err = "";
  let exited = false;
  let status: Deno.CommandStatus | null = null;
  const pump = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
    } catch {
      // the stream ends with the process
    }
  };
  const pumps = [pump(child.stdout, (s) => {
    out = (out + s).slice(-KEEP);
    options.onStdout?.(s);
  })];
  if (options.stderr !== "inherit") {
    pumps.push(pump(child.stderr, (s) => err = (err + s).slice(-KEEP)));
  }
  const ended = child.status.then((s) => {
    exited = true;
    status = s;
    unowned.delete(handle);
    return s;
  });
  const never = new Promise<never>(() => {});
  const done = ended.then((s) => signalled ? never : s);
  const output = Promise.all(pumps).then(() => signalled ? never : out);
  const signalGroup = (signal: Deno.Signal) => {
    try {
      Deno.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  const handle: ChildHandle = {
    pid: child.pid,
    get exited() {
      return exited;
    },
    get status() {
      return status;
    },
    stderrText: () => err,
    done,
    output,
    async stop(graceMs = 5000) {
      if (!exited) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
        await ended;
        clearTimeout(timer);
      }
      // Anything left in its group (a helper that ignored SIGTERM) goes too.
      signalGroup("SIGKILL");
    },
  };
  unowned.add(handle);
  return handle;
}

type Cleanup = () => Promise<void> | void;

const cleanups: { name: string; run: Cleanup }[] = [];
/**
 * Children running that no registered clean-up stops: one whose start (Chromium's, the notebook
 * server's) was under way when Ctrl-C came, before its owner could register it, and every child
 * a benchmark runs.
 */
const unowned = new Set<ChildHandle>();
let cleaning: Promise<string[]> | null = null;

/**
 * Registers a clean-up; they run last registered first, once.
 *
 * @param name What it cleans (for messages).
 * @param run The clean-up.
 * @param owns The children `run` stops (see {@linkcode cleanUp}).
 * @returns A function that takes the clean-up off the list again (once its owner has done it).
 * @example
 * ```ts
 * import { onCleanup } from "./_cleanup.ts";
 * const path = await Deno.makeTempFile();
 * const forget = onCleanup("a temporary file", () => Deno.remove(path));
 * await Deno.remove(path); // done by its owner: the clean-up is not needed any more
 * forget();
 * ```
 */
export function onCleanup(name: string, run: Cleanup, ...owns: ChildHandle[]): () => void {
  const entry = { name, run };
  cleanups.push(entry);
  for (const child of owns) unowned.delete(child);
  return () => {
    const at = cleanups.indexOf(entry);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

/**
 * Runs every registered clean-up (last first), even when one fails. Before each, the children
 * started by {@linkcode spawnChild} that no clean-up owns (see {@linkcode onCleanup}) are
 * stopped, so that none outlives the program and none still writes in a folder being removed.
 *
 * @returns The failures, as messages.
 */
export function cleanUp(): Promise<string[]> {
  cleaning ??= (async () => {
    const failures: string[] = [];
    const stopUnowned = async () => {
      for (const child of [...unowned]) {
        try {
          await child.stop();
        } catch (error) {
          failures.push(`a child process (${child.pid}): ${(error as Error).message}`);
        }
        unowned.delete(child);
      }
    };
    await stopUnowned();
    while (cleanups.length > 0) {
      const { name, run } = cleanups.pop()!;
      try {
        await run();
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
      await stopUnowned();
    }
    cleaning = null;
    return failures;
  })();
  return cleaning;
}

/**
 * The signals that end a program, each with the exit status it then has (128 + its number);
 * Windows has no SIGTERM to listen to.
 */
const SIGNALS = ([["SIGINT", 130], ["SIGTERM", 143]] as const)
  .filter(([signal]) => signal === "SIGINT" || Deno.build.os !== "windows");

/** The listeners installed, one per signal, while any are. */
let listening: { signal: Deno.Signal; listener: () => void }[] = [];
/** Whether {@linkcode cleanUpOnSignals} installed them for the whole program. */
let programWide = false;
/** How many runs of {@linkcode withCleanUpOnSignals} are under way. */
let scoped = 0;
/** Set once a signal's clean-up has begun: it ends in `Deno.exit`, so it never resolves. */
let exiting: Promise<never> | null = null;

/** Installs the listeners, unless they are: the first `what` and `log` are the ones used. */
function listen(what: string, log: (line: string) => void): void {
  if (listening.length > 0) return;
  listening = SIGNALS.map(([signal, code]) => ({
    signal,
    listener: () => {
      if (signalled) return;
      signalled = true;
      log(`\n${signal}: ${what}`);
      exiting = cleanUp().then((failures) => {
        for (const f of failures) log(`clean-up failed: ${f}`);
        return Deno.exit(code);
      });
    },
  }));
  for (const { signal, listener } of listening) Deno.addSignalListener(signal, listener);
}

/**
 * On SIGINT or SIGTERM: say so, clean up ({@linkcode cleanUp}: stop the children, remove the
 * temporaries), then exit with 130 (143). Installed once, for the rest of the program; for a
 * program's `import.meta.main` block only (code that also runs inside another program, a test
 * say, uses {@linkcode withCleanUpOnSignals}).
 *
 * @param what What the clean-up does, for the message (`"stopping the benchmark's children…"`).
 * @param log Where the message and any failure go.
 */
export function cleanUpOnSignals(what: string, log: (line: string) => void = console.error): void {
  programWide = true;
  listen(what, log);
}

/** Options of {@linkcode withCleanUpOnSignals}. */
export interface SignalCleanUpOptions {
  /**
   * What the clean-up does, for the message on a signal (when no earlier call installed the
   * listeners with a message of its own).
   *
   * @default {"cleaning up…"}
   */
  what?: string;
}

/**
 * Runs `run` with `cleanUp` registered ({@linkcode onCleanup}) and, while it runs, SIGINT and
 * SIGTERM listened to as {@linkcode cleanUpOnSignals} does: either signal runs every clean-up
 * registered (this one, those of the other runs under way, the latest first), then ends the
 * process with status 130 or 143. Once the last run under way has ended, the signals keep
 * their default action again (unless {@linkcode cleanUpOnSignals} was called), so a program
 * that calls it inside another (the tests) leaves Ctrl-C as it was. A run that ends while the
 * signal's clean-up is under way (its child killed by the same Ctrl-C, say) goes no further:
 * the process exits with the signal's status once every clean-up is done.
 *
 * @param cleanUp Stops the run's children and removes its files; the run cleans up after
 *   itself on every other path.
 * @param run The run.
 * @param options What the clean-up does, for the message on a signal.
 * @returns What `run` returns.
 * @example
 * ```ts
 * import { withCleanUpOnSignals } from "./_cleanup.ts";
 * const path = await Deno.makeTempFile();
 * const remove = () => Deno.remove(path).catch(() => {});
 * const size = await withCleanUpOnSignals(remove, async () => {
 *   await Deno.writeTextFile(path, "rows");
 *   return (await Deno.stat(path)).size;
 * }, { what: "removing the file…" });
 * await remove();
 * console.log(size); // 4
 * ```
 */
export async function withCleanUpOnSignals<T>(
  cleanUp: Cleanup,
  run: () => Promise<T>,
  options: SignalCleanUpOptions = {},
): Promise<T> {
  const { what = "cleaning up…" } = options;
  const forget = onCleanup(what, cleanUp);
  scoped++;
  listen(what, console.error);
  try {
    return await run();
  } finally {
    forget();
    scoped--;
    if (exiting !== null) await exiting;
    if (scoped === 0 && !programWide) {
      for (const { signal, listener } of listening) Deno.removeSignalListener(signal, listener);
      listening = [];
    }
  }
}

/**
 * Runs `run` with a new temporary file (or folder) that is removed afterwards, however `run`
 * ends, and also by {@linkcode cleanUp} (so on Ctrl-C or SIGTERM, see
 * {@linkcode cleanUpOnSignals}) while `run` is under way.
 *
 * @param options `folder`: a folder rather than a file; `prefix` and `suffix` of its name (in
 *   the system's temporary folder, `TMPDIR`).
 * @param run What uses it.
 * @returns What `run` returns.
 * @example
 * ```ts
 * import { withTemporary } from "./_cleanup.ts";
 * const kept = await withTemporary({ suffix: ".bin" }, async (path) => {
 *   await Deno.writeFile(path, new Uint8Array(8));
 *   return (await Deno.stat(path)).size;
 * });
 * console.log(kept); // 8 (and the file is gone)
 * ```
 */
export async function withTemporary<T>(
  options: { folder?: boolean; prefix?: string; suffix?: string },
  run: (path: string) => Promise<T>,
): Promise<T> {
  const make = { prefix: options.prefix, suffix: options.suffix };
  const path = options.folder ? await Deno.makeTempDir(make) : await Deno.makeTempFile(make);
  const remove = () => Deno.remove(path, { recursive: true }).catch(() => {});
  const forget = onCleanup(`the temporary ${options.folder ? "folder" : "file"} ${path}`, remove);
  try {
    return await run(path);
  } finally {
    forget();
    await remove();
  }
}
