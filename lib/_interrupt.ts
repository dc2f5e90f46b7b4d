/**
 * Kernel › Interrupt (the ■ button) for the library's long loops. Deno 2.9's Jupyter kernel has
 * no interrupt of its own: the front end's SIGINT ends the kernel process, and every variable
 * with it (denoland/deno#24491). Once `lib/notebook` is imported in the kernel, a SIGINT
 * listener is in place instead ({@linkcode installInterruptHandler}): while a training loop or
 * the t-SNE of the library runs ({@linkcode interruptible}), an interrupt makes the loop stop
 * after its current step with an {@linkcode InterruptedError}, and the kernel and its variables
 * stay;
 * while nothing of the library runs, the interrupt only says so on stderr (Deno cannot stop
 * other code from outside; Kernel › Restart stops everything).
 *
 * A loop polls between steps: `if (interruptDue()) await interruptCheck(where)` yields to the
 * event loop at most every 250 ms (so that the signal can be delivered) and throws when an
 * interrupt came. Outside the kernel nothing is installed, and polling costs one comparison.
 *
 * @module
 */

/** The process-wide state (one per process, whichever copy of this module is loaded). */
interface InterruptState {
  installed: boolean;
  /** Interruptible operations running (nested calls count each). */
  running: number;
  /** An interrupt arrived while one ran, not yet acted on. */
  requested: boolean;
  /** When a loop last yielded to the event loop (ms, `performance.now()`). */
  lastYield: number;
}

const KEY = Symbol.for("movielens-embeddings.interrupt");
/** How often a polling loop yields to the event loop, in ms (a yield costs about 2 ms). */
const YIELD_MS = 250;

function state(): InterruptState {
  const g = globalThis as unknown as Record<symbol, InterruptState | undefined>;
  return g[KEY] ??= { installed: false, running: 0, requested: false, lastYield: 0 };
}

/** What stopped a library loop on Kernel › Interrupt. */
export class InterruptedError extends Error {
  /** `"Interrupted"`: stack traces and error reports print it before the message. */
  override name = "Interrupted";
}

/** The message shown when an interrupt finds nothing of the library running. */
export const IDLE_MESSAGE =
  "Interrupt: no training loop or t-SNE of the library is running, so nothing " +
  "was stopped (Deno's kernel cannot stop other code from outside; Kernel › Restart stops " +
  "everything, and loses the variables).";

/**
 * Installs the SIGINT listener that turns an interrupt into an {@linkcode InterruptedError} in
 * the running library loop (once per process; later calls do nothing). Only for the Jupyter
 * kernel: elsewhere Ctrl-C should end the program, so `lib/notebook` calls this only inside the
 * kernel.
 *
 * @param onIdle What to do when an interrupt finds no library loop running.
 * @returns `"installed"`, `"already installed"`, or `"unsupported"` when signals cannot be
 *   listened to here.
 */
export function installInterruptHandler(
  onIdle: () => void = () => console.error(IDLE_MESSAGE),
): "installed" | "already installed" | "unsupported" {
  const s = state();
  if (s.installed) return "already installed";
  try {
    Deno.addSignalListener("SIGINT", () => {
      if (s.running > 0) s.requested = true;
      else onIdle();
    });
  } catch {
    return "unsupported";
  }
  s.installed = true;
  return "installed";
}

/**
 * Runs a long operation as interruptible: an interrupt while it runs is taken up by the next
 * {@linkcode interruptCheck} inside it. An interrupt left over from before does not count.
 *
 * @param run The operation.
 * @returns What it returns.
 * @example
 * ```ts
 * import { interruptCheck, interruptDue, interruptible } from "./_interrupt.ts";
 * import { assertEquals } from "@std/assert";
 * let steps = 0;
 * await interruptible(async () => {
 *   for (let i = 0; i < 3; i++) {
 *     if (interruptDue()) await interruptCheck(() => `at step ${i + 1}`);
 *     steps++;
 *   }
 * });
 * assertEquals(steps, 3); // no handler installed outside the kernel: nothing interrupts
 * ```
 */
export async function interruptible<T>(run: () => Promise<T>): Promise<T> {
  const s = state();
  if (s.running === 0) s.requested = false;
  s.running++;
  try {
    return await run();
  } finally {
    s.running--;
    if (s.running === 0) s.requested = false;
  }
}

/**
 * Polled by a loop between two steps: whether it should `await` {@linkcode interruptCheck}
 * now (an interrupt is pending, or the loop has not yielded for 250 ms). Always `false`
 * outside the kernel.
 *
 * @returns Whether to call `interruptCheck()` now.
 */
export function interruptDue(): boolean {
  const s = state();
  return s.installed && (s.requested || performance.now() - s.lastYield >= YIELD_MS);
}

/**
 * Yields to the event loop (so that a signal is delivered), then throws if an interrupt came.
 * The training loops also make it their yield for a redrawn progress line, so that one yield
 * serves both.
 *
 * @param where Where the loop is, for the error's message (called only when it throws).
 * @throws {InterruptedError} When an interrupt came.
 */
export async function interruptCheck(where: () => string = () => ""): Promise<void> {
  const s = state();
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  s.lastYield = performance.now();
  if (!s.requested) return;
  s.requested = false;
  const at = where();
  throw new InterruptedError(`stopped by Kernel › Interrupt${at ? ` ${at}` : ""}`);
}
