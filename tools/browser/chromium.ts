/**
 * Starts headless Chromium with a fresh profile and opens pages in it over the DevTools
 * protocol ({@linkcode CdpClient}), listening on 127.0.0.1 only.
 *
 * @module
 */

import { CdpClient, CdpError } from "./cdp.ts";
import { type ChildHandle, spawnChild } from "./process.ts";

/** Options of {@linkcode launchChromium}. */
export interface ChromiumOptions {
  /**
   * The browser's executable.
   * @default {"/usr/bin/chromium", or CHROMIUM from the environment}
   */
  executable?: string;
  /**
   * A new, empty folder for the profile (the caller removes it); it also holds the browser's
   * temporary files (its `tmp/`).
   */
  userDataDir: string;
  /**
   * Window size, `width,height`.
   * @default {"1280,1024"}
   */
  windowSize?: string;
  /**
   * How long to wait for the DevTools endpoint, in milliseconds.
   * @default {30000}
   */
  startTimeoutMs?: number;
}

/** A running browser and its DevTools connection. */
export interface Chromium {
  /** The browser-level DevTools connection. */
  cdp: CdpClient;
  /** The browser process. */
  child: ChildHandle;
  /** Opens a new page (tab) and attaches to it. */
  newPage(): Promise<Page>;
  /** Closes the connection and stops the browser (SIGTERM, then SIGKILL). */
  close(): Promise<void>;
}

/** The command-line flags for a headless, quiet Chromium that keeps to this machine. */
export function chromiumArgs(userDataDir: string, windowSize = "1280,1024"): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    `--window-size=${windowSize}`,
    `--user-data-dir=${userDataDir}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "about:blank",
  ];
}

/** Finds the browser's DevTools URL in what it printed on stderr, or `null`. */
export function devtoolsUrl(stderr: string): string | null {
  const match = stderr.match(/DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/devtools\/\S+)/);
  return match ? match[1] : null;
}

/**
 * Starts Chromium and connects to it.
 *
 * @param options Executable, profile folder, window size, time limit.
 * @returns The browser.
 * @throws {Error} When the browser exits or prints no DevTools URL in time.
 */
export async function launchChromium(options: ChromiumOptions): Promise<Chromium> {
  const {
    executable = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium",
    userDataDir,
    windowSize = "1280,1024",
    startTimeoutMs = 30_000,
  } = options;
  // Chromium's own temporary folder (org.chromium.Chromium.*, which it leaves behind even
  // when it exits cleanly) goes in the profile, so that removing the profile removes it.
  const tmp = `${userDataDir}/tmp`;
  await Deno.mkdir(tmp, { recursive: true });
  const child = spawnChild(executable, chromiumArgs(userDataDir, windowSize), {
    name: "chromium",
    env: { TMPDIR: tmp },
  });
  let url: string | null = null;
  const deadline = performance.now() + startTimeoutMs;
  while (url === null) {
    url = devtoolsUrl(child.stderrText());
    if (url) break;
    if (child.exited) {
      throw new Error(
        `chromium exited (${child.status}) before it listened:\n${child.stderrText().slice(-2000)}`,
      );
    }
    if (performance.now() > deadline) {
      await child.stop();
      throw new Error(`chromium printed no DevTools URL within ${startTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let cdp: CdpClient;
  try {
    cdp = await CdpClient.connect(url);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    cdp,
    child,
    async newPage() {
      const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", {
        url: "about:blank",
      });
      const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
        targetId,
        flatten: true,
      });
      const page = new Page(cdp, sessionId, targetId);
      await page.send("Page.enable");
      await page.send("Runtime.enable");
      return page;
    },
    async close() {
      try {
        if (!cdp.closed) await cdp.send("Browser.close").catch(() => {});
      } finally {
        cdp.close();
        await child.stop();
      }
    },
  };
}

/** One tab, attached in flat mode. */
export class Page {
  /** Console messages and uncaught exceptions of the page, for failure reports. */
  readonly console: string[] = [];

  /**
   * @param cdp The browser connection.
   * @param sessionId The tab's session.
   * @param targetId The tab's target.
   */
  constructor(readonly cdp: CdpClient, readonly sessionId: string, readonly targetId: string) {
    cdp.on("Runtime.consoleAPICalled", (params) => {
      const args = (params.args as { value?: unknown; description?: string }[] ?? [])
        .map((a) => a.value ?? a.description ?? "").join(" ");
      this.console.push(`console.${params.type}: ${String(args).slice(0, 300)}`);
      if (this.console.length > 500) this.console.shift();
    }, sessionId);
    cdp.on("Runtime.exceptionThrown", (params) => {
      const details = params.exceptionDetails as {
        text?: string;
        exception?: { description?: string };
      };
      this.console.push(`exception: ${details.exception?.description ?? details.text}`);
    }, sessionId);
  }

  /** Sends a command to this tab. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}) {
    return this.cdp.send<T>(method, params, this.sessionId);
  }

  /**
   * Loads `url` and waits for its load event.
   *
   * @param url The address: on 127.0.0.1, or a local file.
   * @param timeoutMs Time limit.
   */
  async goto(url: string, timeoutMs = 120_000): Promise<void> {
    const parsed = new URL(url);
    if (parsed.hostname !== "127.0.0.1" && !(parsed.protocol === "file:" && !parsed.host)) {
      throw new TypeError(
        `Page.goto(): expected a 127.0.0.1 address or a local file, found ${url}`,
      );
    }
    const loaded = this.cdp.waitFor("Page.loadEventFired", {
      sessionId: this.sessionId,
      timeoutMs,
    });
    const { errorText } = await this.send<{ errorText?: string }>("Page.navigate", { url });
    if (errorText) throw new CdpError(`Page.navigate ${url}: ${errorText}`);
    await loaded;
  }

  /**
   * Evaluates an expression in the page (promises are awaited) and returns its value as JSON.
   *
   * @param expression JavaScript source.
   * @returns The value.
   * @throws {CdpError} When the expression throws.
   */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const reply = await this.send<{
      result: { value?: unknown };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (reply.exceptionDetails) {
      const d = reply.exceptionDetails;
      throw new CdpError(`page script failed: ${d.exception?.description ?? d.text}`);
    }
    return reply.result.value as T;
  }

  /**
   * Evaluates `expression` until it returns a truthy value.
   *
   * @param expression JavaScript source.
   * @param options Time limit and poll interval, and what is awaited (for the error).
   * @returns The truthy value.
   * @throws {Error} After the time limit.
   */
  async waitUntil<T>(
    expression: string,
    options: { timeoutMs: number; intervalMs?: number; what: string },
  ): Promise<T> {
    const { timeoutMs, intervalMs = 250, what } = options;
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (performance.now() > deadline) {
        throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
