/**
 * Child processes the browser test starts (the notebook server, Chromium), each in its own
 * process group so that stopping it also stops what it started, and one list of clean-ups run
 * on success, failure and Ctrl-C alike.
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
  /** The last 64 KiB it wrote to stdout. */
  stdoutText(): string;
  /** The last 64 KiB it wrote to stderr. */
  stderrText(): string;
  /** Resolves when it exits. */
  readonly done: Promise<Deno.CommandStatus>;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP = 64 * 1024;

/**
 * Starts `command` with piped output in a new process group (session).
 *
 * @param command The executable.
 * @param args Its arguments.
 * @param options Environment, working folder, and a name for messages.
 * @returns The handle.
 */
export function spawnChild(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; name: string },
): ChildHandle {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
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
  pump(child.stdout, (s) => out = (out + s).slice(-KEEP));
  pump(child.stderr, (s) => err = (err + s).slice(-KEEP));
  const done = child.status.then((s) => {
    exited = true;
    status = s;
    unowned.delete(handle);
    return s;
  });
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
    stdoutText: () => out,
    stderrText: () => err,
    done,
    async stop(graceMs = 5000) {
      if (!exited) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
        await done;
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
 * server's) was under way when Ctrl-C came, before its owner could register it.
 */
const unowned = new Set<ChildHandle>();
let signalsInstalled = false;
let cleaning: Promise<string[]> | null = null;

/**
 * Registers a clean-up; they run last registered first, once.
 *
 * @param name What it cleans (for messages).
 * @param run The clean-up.
 * @param owns The children `run` stops (see {@linkcode cleanUp}).
 */
export function onCleanup(name: string, run: Cleanup, ...owns: ChildHandle[]): void {
  cleanups.push({ name, run });
  for (const child of owns) unowned.delete(child);
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

/** On SIGINT or SIGTERM: clean up, then exit with 130 (143). Installed once. */
export function cleanUpOnSignals(log: (line: string) => void = console.error): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    Deno.addSignalListener(signal, () => {
      log(`\n${signal}: stopping the browser and the notebook server…`);
      cleanUp().then((failures) => {
        for (const f of failures) log(`clean-up failed: ${f}`);
        Deno.exit(code);
      });
    });
  }
}
