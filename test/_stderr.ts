import { setDisplayTarget } from "../lib/notebook/display.ts";

/**
 * Runs `run` with the display's stderr captured (outside Jupyter, as a pipe unless `terminal`)
 * and returns what was written, the way the training progress tests read their lines.
 */
export async function captureStderr(
  run: () => unknown,
  options: { terminal?: boolean; columns?: number } = {},
): Promise<string> {
  let err = "";
  const restore = setDisplayTarget({
    jupyter: null,
    stderr: (t) => void (err += t),
    stderrIsTerminal: options.terminal ?? false,
    ...(options.columns === undefined ? {} : { columns: options.columns }),
  });
  try {
    await run();
  } finally {
    restore();
  }
  return err;
}
