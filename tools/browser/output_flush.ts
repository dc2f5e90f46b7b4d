/**
 * Prototype of the mitigation for misplaced outputs in Deno's Jupyter kernel (2.9), for
 * `lib/notebook` to adopt; the browser test applies it with `--mitigation` to measure it.
 *
 * The kernel queues every output of the running code (streams, displays, the cell's result)
 * and a separate loop publishes them, tagging each with the request current *when it
 * publishes*. The kernel reports the cell finished right after queueing its result, so Run All's
 * next request can become current first, and the output shows under the next cell.
 *
 * {@linkcode flushOutputs} waits, while the cell is still running, until the kernel has
 * published everything queued so far. Proof that it has: a subscription to the kernel's own
 * IOPub socket (its address is in the connection file named on the kernel's command line), and
 * a marker queued behind the outputs with the public `Deno.jupyter.broadcast` — a second
 * `busy` status, true while the cell runs, which front ends take as such. The queue is first in,
 * first out, so once the marker is seen every earlier output has gone out with this cell's
 * request. Without access to the socket it falls back to a short wait.
 *
 * {@linkcode installOutputFlush} makes every cell end that way, bare last expressions included:
 * it wraps the kernel's result hook (`Deno[Deno.internal].jupyter.broadcastResult`, which the
 * kernel awaits after each cell) so that the hook flushes after sending the result. That hook is
 * internal to Deno; when it is missing, nothing is wrapped and the function says so.
 *
 * Measured with Notebook 6.4 in headless Chromium, the five notebooks at `NB_QUICK=1`,
 * `deno task test:browser --no-open --runs 6 [--mitigation]` twice each: without it 28 of 60
 * Restart & Run Alls put 42 outputs (all last-expression results) under the next cell; with it
 * 0 of 60. A 1 ms pause after each display (what `lib/notebook/display.ts` does today) is not
 * enough: in a headless run of 400 back-to-back cells under load it still left 71 cells with
 * misplaced outputs, a 50 ms pause 2, the flush 0.
 *
 * @module
 */

const ENC = new TextEncoder();
const DEC = new TextDecoder();

/** How a flush ended. */
export type FlushResult = "flushed" | "waited" | "no kernel";

/** The parts of `Deno.jupyter` the flush uses. */
interface JupyterBroadcast {
  broadcast(
    msgType: string,
    content: Record<string, unknown>,
    extra?: { metadata?: Record<string, unknown> },
  ): Promise<void> | void;
}

function kernelJupyter(): JupyterBroadcast | null {
  try {
    const j = (Deno as unknown as { jupyter?: JupyterBroadcast }).jupyter;
    return j && typeof j.broadcast === "function" ? j : null;
  } catch {
    return null; // outside `deno jupyter` reading Deno.jupyter throws
  }
}

// --- ZMTP 3.0, just enough for a SUB socket ------------------------------------------------

/** Encodes one ZMTP frame (`more`: another frame of the same message follows). */
export function zmtpFrame(body: Uint8Array, options: { more?: boolean; command?: boolean } = {}) {
  const flag = (options.more ? 0x01 : 0) | (options.command ? 0x04 : 0);
  if (body.length > 255) {
    const out = new Uint8Array(9 + body.length);
    out[0] = flag | 0x02;
    new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
    out.set(body, 9);
    return out;
  }
  const out = new Uint8Array(2 + body.length);
  out[0] = flag;
  out[1] = body.length;
  out.set(body, 2);
  return out;
}

/** The 64-octet ZMTP 3.0 greeting with the NULL mechanism. */
export function zmtpGreeting(): Uint8Array {
  const buf = new Uint8Array(64);
  buf[0] = 0xff;
  buf[9] = 0x7f;
  buf[10] = 3;
  buf.set(ENC.encode("NULL"), 12);
  return buf;
}

/** The READY command announcing `socketType`. */
export function zmtpReady(socketType: string): Uint8Array {
  const name = ENC.encode("READY");
  const prop = ENC.encode("Socket-Type");
  const value = ENC.encode(socketType);
  const body = new Uint8Array(1 + name.length + 1 + prop.length + 4 + value.length);
  let o = 0;
  body[o++] = name.length;
  body.set(name, o);
  o += name.length;
  body[o++] = prop.length;
  body.set(prop, o);
  o += prop.length;
  new DataView(body.buffer).setUint32(o, value.length);
  o += 4;
  body.set(value, o);
  return zmtpFrame(body, { command: true });
}

/** Reads ZMTP frames from a byte stream; yields whole messages (commands are skipped). */
export class ZmtpReader {
  #buffer = new Uint8Array(0);
  #frames: Uint8Array[] = [];

  /** Adds bytes; returns the messages they complete. */
  push(bytes: Uint8Array): Uint8Array[][] {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    const messages: Uint8Array[][] = [];
    let at = 0;
    while (at < joined.length) {
      const flag = joined[at];
      const long = (flag & 0x02) !== 0;
      const head = long ? 9 : 2;
      if (joined.length - at < head) break;
      const size = long
        ? Number(new DataView(joined.buffer, joined.byteOffset + at + 1, 8).getBigUint64(0))
        : joined[at + 1];
      if (joined.length - at - head < size) break;
      const body = joined.slice(at + head, at + head + size);
      at += head + size;
      if (flag & 0x04) continue; // a command (READY, SUBSCRIBE, PING…)
      this.#frames.push(body);
      if (!(flag & 0x01)) {
        messages.push(this.#frames);
        this.#frames = [];
      }
    }
    this.#buffer = joined.slice(at);
    return messages;
  }
}

/**
 * The flush token of a Jupyter message's frames (`[…, "<IDS|MSG>", signature, header, parent,
 * metadata, content, …]`), or `null` when it carries none.
 */
export function flushToken(frames: Uint8Array[]): string | null {
  const at = frames.findIndex((f) => f.length === 9 && DEC.decode(f) === "<IDS|MSG>");
  const metadata = at >= 0 ? frames[at + 4] : undefined;
  if (!metadata || metadata.length > 300) return null;
  try {
    const token = JSON.parse(DEC.decode(metadata))?.deno_output_flush;
    return typeof token === "string" ? token : null;
  } catch {
    return null;
  }
}

/** The kernel's connection file, from its command line (`--conn <file>`), or `null`. */
export function connectionFileFrom(args: string[]): string | null {
  const at = args.indexOf("--conn");
  return at >= 0 && args[at + 1] ? args[at + 1] : null;
}

function ownCommandLine(): string[] {
  try {
    return Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  } catch {
    try {
      const out = new Deno.Command("ps", { args: ["-o", "args=", "-p", String(Deno.pid)] })
        .outputSync();
      return DEC.decode(out.stdout).trim().split(/\s+/);
    } catch {
      return [];
    }
  }
}

// --- the IOPub watcher -----------------------------------------------------------------------

class IopubWatcher {
  #waiting = new Map<string, () => void>();
  #reader = new ZmtpReader();
  /** Whether a marker has come back once (the kernel has registered the subscription). */
  established = false;
  closed = false;

  constructor(readonly conn: Deno.TcpConn) {
    this.#loop();
  }

  async #loop() {
    const chunk = new Uint8Array(256 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        for (const message of this.#reader.push(chunk.subarray(0, n))) {
          const token = flushToken(message);
          if (token !== null) this.#waiting.get(token)?.();
        }
      }
    } catch {
      // closed
    }
    this.closed = true;
    for (const resolve of this.#waiting.values()) resolve();
  }

  wait(token: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(token, resolve));
  }

  forget(token: string): void {
    this.#waiting.delete(token);
  }
}

let watcher: Promise<IopubWatcher | null> | null = null;

async function connect(): Promise<IopubWatcher | null> {
  const file = connectionFileFrom(ownCommandLine());
  if (file === null) return null;
  const info = JSON.parse(await Deno.readTextFile(file));
  const conn = await Deno.connect({ hostname: info.ip, port: info.iopub_port });
  try {
    const write = async (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    };
    const readExact = async (n: number) => {
      const buf = new Uint8Array(n);
      for (let at = 0; at < n;) {
        const got = await conn.read(buf.subarray(at));
        if (got === null) throw new Error("the kernel closed its IOPub connection");
        at += got;
      }
      return buf;
    };
    await write(zmtpGreeting());
    await readExact(64);
    await write(zmtpReady("SUB"));
    const head = await readExact(2); // the kernel's READY command (short frame)
    await readExact(head[1]);
    await write(zmtpFrame(new Uint8Array([1]))); // SUBSCRIBE to every topic
  } catch (error) {
    conn.close();
    throw error;
  }
  conn.unref(); // the subscription must not keep the kernel's event loop alive
  return new IopubWatcher(conn);
}

/** Options of {@linkcode flushOutputs}. */
export interface FlushOptions {
  /**
   * The longest wait for the kernel to publish, in milliseconds.
   * @default {30000}
   */
  timeoutMs?: number;
  /**
   * The wait when the kernel's IOPub socket cannot be reached, in milliseconds.
   * @default {100}
   */
  fallbackMs?: number;
}

/**
 * Waits until Deno's kernel has published every output the running cell queued before the
 * call, so that none can be tagged with the next cell's request.
 *
 * @param options Time limit and fallback wait.
 * @returns `"flushed"` (seen on IOPub), `"waited"` (no IOPub access, or the time limit) or
 *   `"no kernel"` (not running in `deno jupyter`: nothing to do).
 */
export async function flushOutputs(options: FlushOptions = {}): Promise<FlushResult> {
  const { timeoutMs = 30_000, fallbackMs = 100 } = options;
  const jupyter = kernelJupyter();
  if (jupyter === null) return "no kernel";
  watcher ??= connect().catch(() => null);
  const w = await watcher;
  if (w === null || w.closed) {
    if (w?.closed) watcher = null;
    await new Promise((resolve) => setTimeout(resolve, fallbackMs));
    return "waited";
  }
  // Until the kernel has registered the subscription a marker can pass unseen, so the first
  // flush repeats its marker; the first marker seen proves that all before it is out.
  const deadline = performance.now() + timeoutMs;
  const tokens: string[] = [];
  let seen = false;
  try {
    while (!seen && performance.now() < deadline) {
      const token = crypto.randomUUID();
      tokens.push(token);
      const arrived = w.wait(token).then(() => seen = !w.closed);
      await jupyter.broadcast("status", { execution_state: "busy" }, {
        metadata: { deno_output_flush: token },
      });
      const wait = w.established ? deadline - performance.now() : 250;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        arrived,
        new Promise((resolve) => timer = setTimeout(resolve, Math.max(0, wait))),
      ]);
      clearTimeout(timer);
      if (w.closed) break;
    }
  } finally {
    for (const token of tokens) w.forget(token);
  }
  if (seen) w.established = true;
  return seen ? "flushed" : "waited";
}

const INSTALLED = Symbol.for("movielens.notebook.outputFlush");

/**
 * Makes every cell wait, before the kernel reports it finished, until its outputs are
 * published: wraps the kernel's result hook so that it calls {@linkcode flushOutputs} after
 * sending the cell's result (also when there is none). Idempotent.
 *
 * @returns `"installed"`, `"already installed"`, `"no kernel"` (not in `deno jupyter`) or
 *   `"no hook"` (this Deno has no `jupyter.broadcastResult` internal to wrap).
 */
export function installOutputFlush(): "installed" | "already installed" | "no kernel" | "no hook" {
  if (kernelJupyter() === null) return "no kernel";
  const denoRecord = Deno as unknown as Record<symbol, unknown> & { internal?: symbol };
  const internal = denoRecord.internal === undefined
    ? undefined
    : denoRecord[denoRecord.internal] as
      | { jupyter?: { broadcastResult?: (count: number, result: unknown) => Promise<void> } }
      | undefined;
  const hooks = internal?.jupyter;
  if (!hooks || typeof hooks.broadcastResult !== "function") return "no hook";
  const original = hooks.broadcastResult as typeof hooks.broadcastResult & {
    [INSTALLED]?: true;
  };
  if (original[INSTALLED]) return "already installed";
  const wrapped = async (count: number, result: unknown) => {
    try {
      await original(count, result);
    } finally {
      await flushOutputs();
    }
  };
  Object.defineProperty(wrapped, INSTALLED, { value: true });
  hooks.broadcastResult = wrapped;
  return "installed";
}
