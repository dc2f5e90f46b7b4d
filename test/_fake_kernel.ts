/**
 * Test helper: runs code as if inside the Deno Jupyter kernel, with a fake `Deno.jupyter`
 * that records every display message, and fails the test if anything is printed instead.
 *
 * @module
 */
import { type JupyterDisplayOptions, setDisplayTarget } from "../lib/notebook/display.ts";

/** One display message the fake kernel received. */
export interface SentDisplay {
  /** The MIME bundle (or value) displayed. */
  obj: unknown;
  /** The display options (display_id, update). */
  options: JupyterDisplayOptions | undefined;
}

/**
 * Runs `fn` with a fake kernel as the display target and returns every message it received.
 * @param fn The code to run.
 * @returns The display messages, in order.
 */
export async function inFakeKernel(fn: () => Promise<unknown> | unknown): Promise<SentDisplay[]> {
  const sent: SentDisplay[] = [];
  const restore = setDisplayTarget({
    jupyter: {
      display: (obj, options) => {
        sent.push({ obj, options });
        return Promise.resolve();
      },
    },
    stdout: () => {
      throw new Error("nothing may be printed inside Jupyter");
    },
    stderr: () => {
      throw new Error("nothing may be written to stderr inside Jupyter");
    },
  });
  try {
    await fn();
  } finally {
    restore();
  }
  return sent;
}
