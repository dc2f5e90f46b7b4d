/**
 * Where display output goes: the Deno Jupyter kernel's `Deno.jupyter` when there is one,
 * stdout and stderr otherwise, or whatever {@linkcode setDisplayTarget} (display.ts) put in
 * their place. Shared by the display helpers, the output flush and the live line.
 *
 * @module
 */

/** A MIME bundle: MIME type → content, e.g. `{ "text/html": "<b>hi</b>" }`. */
export type MimeBundle = Record<string, unknown>;

/** Options of `Deno.jupyter.display`. */
export interface JupyterDisplayOptions {
  /**
   * Send `obj` as a ready MIME bundle instead of formatting it.
   * @default {false}
   */
  raw?: boolean;
  /**
   * Replace the output that has `display_id` instead of adding one.
   * @default {false}
   */
  update?: boolean;
  /**
   * Names the output so that later updates can replace it.
   * @default {undefined (an anonymous output)}
   */
  display_id?: string;
}

/** The part of `Deno.jupyter` that these helpers use (inject a fake one in tests). */
export interface JupyterLike {
  /** Sends a `display_data` (or `update_display_data`) message to the notebook. */
  display(obj: unknown, options?: JupyterDisplayOptions): Promise<void>;
}

/** Where display helpers send their output. Fields left out keep the default. */
export interface DisplayTarget {
  /**
   * The Jupyter display API, or `null` to behave as outside the kernel.
   * @default {Deno.jupyter inside the kernel, null elsewhere}
   */
  jupyter?: JupyterLike | null;
  /**
   * Receives plain-text fallback output (one call per displayed value, no trailing newline).
   * @default {console.log}
   */
  stdout?: (text: string) => void;
  /**
   * Receives live-line output outside Jupyter (raw chunks, including `\r` and `\n`).
   * @default {a synchronous write to Deno.stderr}
   */
  stderr?: (text: string) => void;
  /**
   * Whether stderr is a terminal, where a live line is rewritten in place with `\r`.
   * @default {Deno.stderr.isTerminal()}
   */
  stderrIsTerminal?: boolean;
  /**
   * Terminal width; live lines are cut to fit so that `\r` can rewrite them.
   * @default {Deno.consoleSize().columns, or 120 when unknown}
   */
  columns?: number;
}

let override: DisplayTarget = {};

function kernelJupyter(): JupyterLike | null {
  try {
    // Outside `deno jupyter` merely reading Deno.jupyter throws.
    const j = (Deno as unknown as { jupyter?: JupyterLike }).jupyter;
    return j && typeof j.display === "function" ? j : null;
  } catch {
    return null;
  }
}

/** The current target, defaults filled in. */
export function resolved(): Required<DisplayTarget> {
  const encoder = new TextEncoder();
  return {
    jupyter: override.jupyter !== undefined ? override.jupyter : kernelJupyter(),
    stdout: override.stdout ?? ((text) => console.log(text)),
    stderr: override.stderr ?? ((text) => {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
    }),
    stderrIsTerminal: override.stderrIsTerminal ?? safe(() => Deno.stderr.isTerminal(), false),
    columns: override.columns ?? safe(() => Deno.consoleSize().columns, 120),
  };
}

/** `fn()`, or `fallback` when it throws. */
export function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * Puts `target` in place of the current target.
 *
 * @returns The target it replaced.
 */
export function swapTarget(target: DisplayTarget): DisplayTarget {
  const previous = override;
  override = { ...target };
  return previous;
}

/** `value` itself when it is a string; a `TypeError` naming `fn` and `what` otherwise. */
export function requireString(fn: string, what: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`${fn}(): expected ${what} as a string, found ${typeof value}`);
  }
  return value;
}
