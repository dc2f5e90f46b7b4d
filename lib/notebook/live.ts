/**
 * One live output line that updates in place (training progress): a Jupyter output with a
 * `display_id` inside the Deno kernel, a `\r`-rewritten stderr line in a terminal, occasional
 * full lines in a log.
 *
 * @module
 */

import {
  type DisplayTarget,
  type JupyterDisplayOptions,
  requireString,
  resolved,
} from "./_target.ts";
import { flushOutputs } from "./flush.ts";
import { checkOptionKeys } from "../_options.ts";

/** How a {@linkcode liveDisplay} line is shown. */
export type LiveMode = "auto" | "jupyter" | "terminal" | "log" | "silent";

/** Options of {@linkcode liveDisplay}. */
export interface LiveDisplayOptions {
  /**
   * `"jupyter"`: one output updated in place; `"terminal"`: one stderr line rewritten with
   * `\r`; `"log"`: a full stderr line now and then (for CI logs); `"silent"`: nothing (tests).
   * `"auto"` picks jupyter inside the kernel, terminal when stderr is a TTY, log otherwise.
   * @default {"auto"}
   */
  mode?: LiveMode;
  /**
   * Minimum time between two shown updates in jupyter and terminal modes; updates in between
   * are held back and the latest one is shown later (the final text is always shown).
   * @default {100}
   */
  minIntervalMs?: number;
  /**
   * Minimum time between two printed lines in log mode.
   * @default {10000}
   */
  logIntervalMs?: number;
  /**
   * Clock in milliseconds (inject a fake one in tests).
   * @default {performance.now}
   */
  now?: () => number;
}

/** A live output line returned by {@linkcode liveDisplay}. */
export interface LiveDisplay {
  /** The latest text given (shown or held back by the rate limit). */
  readonly text: string;
  /** Replaces the line's text (rate-limited). Ignored after {@linkcode LiveDisplay.close}. */
  update(text: string): void;
  /**
   * Shows the final text (the latest update, or `finalText` when given), ends the line and
   * waits until every message is delivered. Closing twice does nothing.
   */
  close(finalText?: string): Promise<void>;
}

let liveCounter = 0;

const LIVE_MODES: readonly LiveMode[] = ["auto", "jupyter", "terminal", "log", "silent"];

/** Every option of {@linkcode liveDisplay} (the type makes the list complete). */
const LIVE_DISPLAY_OPTIONS: Record<keyof LiveDisplayOptions, true> = {
  mode: true,
  minIntervalMs: true,
  logIntervalMs: true,
  now: true,
};

/** The options of {@linkcode liveDisplay}, checked, with their defaults. */
function liveSettings(options: LiveDisplayOptions): Required<LiveDisplayOptions> {
  checkOptionKeys(options, Object.keys(LIVE_DISPLAY_OPTIONS), "liveDisplay()");
  const {
    mode = "auto",
    minIntervalMs = 100,
    logIntervalMs = 10_000,
    now = () => performance.now(),
  } = options;
  if (!LIVE_MODES.includes(mode)) {
    throw new TypeError(
      `liveDisplay(): unknown mode "${mode}" (expected one of ${LIVE_MODES.join(", ")})`,
    );
  }
  for (
    const [name, value] of [["minIntervalMs", minIntervalMs], ["logIntervalMs", logIntervalMs]]
  ) {
    if (typeof value !== "number" || !(value >= 0)) {
      throw new RangeError(`liveDisplay(): expected ${name} >= 0, found ${value}`);
    }
  }
  return { mode, minIntervalMs, logIntervalMs, now };
}

/** The mode a line shows in: `"auto"` resolved for `target`, `"jupyter"` only in the kernel. */
function shownMode(requested: LiveMode, target: Required<DisplayTarget>): LiveMode {
  const mode = requested !== "auto"
    ? requested
    : target.jupyter !== null
    ? "jupyter"
    : target.stderrIsTerminal
    ? "terminal"
    : "log";
  if (mode === "jupyter" && target.jupyter === null) {
    throw new TypeError('liveDisplay(): mode "jupyter" needs the Deno Jupyter kernel');
  }
  return mode;
}

/** `text` on one line that fits a terminal `columns` wide (cut with an ellipsis). */
function fitLine(text: string, columns: number): string {
  const line = text.replace(/\s*\n\s*/g, "  ");
  const max = Math.max(20, columns - 1);
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

/**
 * Opens one output line that updates in place: a Jupyter output with a `display_id`
 * (later texts are `update_display_data` messages), a `\r`-rewritten stderr line in a
 * terminal, occasional full lines in a log, or nothing when silent. The training loop's
 * progress line uses it.
 *
 * @param initialText The text shown at once.
 * @param options Mode, rate limits and clock.
 * @returns The line; call `update(text)` as often as you like and `await close()` at the end.
 * @example
 * ```ts
 * import { liveDisplay } from "./live.ts";
 * import { assertEquals } from "@std/assert";
 * const line = liveDisplay("epoch 1/3", { mode: "silent" });
 * for (let epoch = 2; epoch <= 3; epoch++) line.update(`epoch ${epoch}/3`);
 * await line.close("3 epochs, val_loss 0.81");
 * assertEquals(line.text, "3 epochs, val_loss 0.81");
 * ```
 */
export function liveDisplay(initialText: string, options: LiveDisplayOptions = {}): LiveDisplay {
  requireString("liveDisplay", "the initial text", initialText);
  const { mode: requested, minIntervalMs, logIntervalMs, now } = liveSettings(options);
  const target = resolved();
  const mode = shownMode(requested, target);
  const id = `live-${Date.now().toString(36)}-${++liveCounter}`;
  let latest = initialText;
  let shown = "";
  let lastShownAt = -Infinity;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const show = (text: string, first: boolean) => {
    shown = text;
    lastShownAt = now();
    if (mode === "jupyter") {
      const jupyter = target.jupyter!;
      const opts: JupyterDisplayOptions = first
        ? { raw: true, display_id: id }
        : { raw: true, update: true, display_id: id };
      queue = queue.then(() => jupyter.display({ "text/plain": text }, opts)).catch((e) => {
        failure ??= e;
      });
    } else if (mode === "terminal") {
      target.stderr(`\r\x1b[2K${fitLine(text, target.columns)}`);
    } else if (mode === "log") {
      target.stderr(`${text}\n`);
    }
  };

  show(initialText, true);
  return {
    get text() {
      return latest;
    },
    update(text: string) {
      requireString("LiveDisplay.update", "the new text", text);
      if (closed) return;
      latest = text;
      const interval = mode === "log" ? logIntervalMs : minIntervalMs;
      if (text !== shown && now() - lastShownAt >= interval) show(text, false);
    },
    async close(finalText?: string) {
      if (closed) return await queue;
      if (finalText !== undefined) requireString("LiveDisplay.close", "the final text", finalText);
      closed = true;
      if (finalText !== undefined) latest = finalText;
      if (latest !== shown) show(latest, false);
      if (mode === "terminal") target.stderr("\n");
      await queue;
      if (mode === "jupyter") await flushOutputs();
      if (failure !== null) throw failure;
    },
  };
}
