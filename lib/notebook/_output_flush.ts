// The mechanism behind `flushOutputs()` and `installOutputFlush()` (display.ts), private to
// lib/notebook: a small ZMTP 3.0 SUB client for the Deno kernel's own IOPub socket, and the
// flush that waits on it.
//
// Why: Deno's kernel (2.9) queues every output of a cell (streams, displays, the cell's result)
// and a separate loop publishes the queue, stamping each message with the request current *when
// it publishes*; the kernel reports the cell finished (execute_reply, idle) right after queueing
// its result. In Run All the next request can become current first, and a late output shows
// under the next cell. A flush queues a marker behind the cell's outputs (a second `busy` status,
// true while the cell runs, carrying a token in its metadata) and waits until the marker comes
// back on IOPub: the queue is first in, first out, so everything before it has gone out with this
// cell's request.
//
// The watcher reads every message the kernel publishes while it is subscribed, but keeps only
// what it needs: flush tokens, and the code of each `execute_input` (the cells run since it
// subscribed; the hint for a missing name uses them to tell which notebook is open). Frames over
// 64 KiB (figures, tables) are skipped without being copied.

const ENC = new TextEncoder();
const DEC = new TextDecoder();

/** One ZMTP message: its frames in order; `null` for a frame too large to keep. */
export type ZmtpMessage = (Uint8Array | null)[];

/** Encodes one ZMTP frame (`more`: another frame of the same message follows). */
export function zmtpFrame(
  body: Uint8Array,
  options: { more?: boolean; command?: boolean } = {},
): Uint8Array {
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

/** The 64-octet ZMTP 3.0 greeting with the NULL mechanism, as a client (as-server 0). */
export function zmtpGreeting(): Uint8Array {
  const buf = new Uint8Array(64);
  buf[0] = 0xff;
  buf[9] = 0x7f;
  buf[10] = 3;
  buf.set(ENC.encode("NULL"), 12);
  return buf;
}

/** The READY command announcing `socketType` (`"SUB"`, `"PUB"`, …). */
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

/**
 * Reads ZMTP frames from a byte stream pushed in pieces of any size, and returns whole messages
 * (commands such as READY or PING are skipped). A frame larger than `maxFrameBytes` is consumed
 * without being copied and comes back as `null`.
 */
export class ZmtpReader {
  readonly #max: number;
  #head = new Uint8Array(9);
  #headLength = 0;
  #body: Uint8Array | null = null;
  #bodyAt = 0;
  #skip = 0;
  #flag = 0;
  #inFrame = false;
  #frames: ZmtpMessage = [];

  /** @param maxFrameBytes Frames larger than this are skipped (returned as `null`). */
  constructor(maxFrameBytes = 64 * 1024) {
    this.#max = maxFrameBytes;
  }

  /** Adds bytes; returns the messages they complete. */
  push(bytes: Uint8Array): ZmtpMessage[] {
    const messages: ZmtpMessage[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (!this.#inFrame) {
        // Collect the flag octet and the size: 1 + 1 (short) or 1 + 8 (long) octets.
        this.#head[this.#headLength++] = bytes[at++];
        const long = (this.#head[0] & 0x02) !== 0;
        const need = long ? 9 : 2;
        if (this.#headLength < need) continue;
        const size = long ? Number(new DataView(this.#head.buffer).getBigUint64(1)) : this.#head[1];
        this.#flag = this.#head[0];
        this.#headLength = 0;
        this.#inFrame = true;
        const command = (this.#flag & 0x04) !== 0;
        if (command || size > this.#max) {
          this.#body = null;
          this.#skip = size;
        } else {
          this.#body = new Uint8Array(size);
          this.#bodyAt = 0;
          this.#skip = 0;
        }
      }
      if (this.#body !== null) {
        const take = Math.min(this.#body.length - this.#bodyAt, bytes.length - at);
        this.#body.set(bytes.subarray(at, at + take), this.#bodyAt);
        this.#bodyAt += take;
        at += take;
        if (this.#bodyAt < this.#body.length) continue;
      } else {
        const take = Math.min(this.#skip, bytes.length - at);
        this.#skip -= take;
        at += take;
        if (this.#skip > 0) continue;
      }
      this.#inFrame = false;
      if (this.#flag & 0x04) continue; // a command (READY, SUBSCRIBE, PING…)
      this.#frames.push(this.#body);
      if (!(this.#flag & 0x01)) {
        messages.push(this.#frames);
        this.#frames = [];
      }
    }
    return messages;
  }
}

/** The parts of a Jupyter message the watcher reads. */
export interface IopubMessage {
  /** `header.msg_type`, e.g. `"status"`, `"execute_input"`. */
  type: string;
  /** `metadata.deno_output_flush` when the message is a flush marker, else `null`. */
  token: string | null;
  /** The code of an `execute_input` message, else `null`. */
  code: string | null;
}

function frameJson(frame: Uint8Array | null | undefined): Record<string, unknown> | null {
  if (!frame) return null;
  try {
    const value = JSON.parse(DEC.decode(frame));
    return value !== null && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}

/**
 * Reads a Jupyter message's frames (`[…, "<IDS|MSG>", signature, header, parent, metadata,
 * content, …]`): its type, flush token and `execute_input` code. `null` when the frames are not a
 * Jupyter message.
 */
export function readIopubMessage(frames: ZmtpMessage): IopubMessage | null {
  const at = frames.findIndex((f) => f !== null && f.length === 9 && DEC.decode(f) === "<IDS|MSG>");
  if (at < 0) return null;
  const header = frameJson(frames[at + 2]);
  const type = typeof header?.msg_type === "string" ? header.msg_type : "";
  const metadata = frames[at + 4];
  const flush = metadata && metadata.length <= 300 ? frameJson(metadata)?.deno_output_flush : null;
  let code: string | null = null;
  if (type === "execute_input") {
    const content = frameJson(frames[at + 5]);
    code = typeof content?.code === "string" ? content.code : null;
  }
  return { type, token: typeof flush === "string" ? flush : null, code };
}

/** The kernel's connection file, from its command line (`--conn <file>`), or `null`. */
export function connectionFileFrom(args: string[]): string | null {
  const at = args.indexOf("--conn");
  return at >= 0 && args[at + 1] ? args[at + 1] : null;
}

/**
 * The kernel's connection file, from its command line as `ps -o args=` prints it (macOS, which
 * has no /proc): the arguments joined by spaces, so a space inside the file's path reads like the
 * space between two arguments. Each candidate after `--conn` that ends at a space or at the end
 * of the line is asked of `isFile`, the longest first; the first that is a file is the answer
 * (`/Users/me/My kernels/k-1.json`, not `/Users/me/My`), and `null` when none is one or there is
 * no `--conn`.
 */
export function connectionFileFromLine(
  line: string,
  isFile: (path: string) => boolean,
): string | null {
  const text = line.replace(/[\r\n]+$/, "");
  const flag = /(?:^| )--conn /.exec(text);
  if (flag === null) return null;
  const rest = text.slice(flag.index + flag[0].length);
  for (let end = rest.length; end > 0; end = rest.lastIndexOf(" ", end - 1)) {
    const candidate = rest.slice(0, end);
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/**
 * This process's command line as {@linkcode ownCommandLine} reads it: `args`, the arguments one
 * by one from /proc/self/cmdline (Linux), or `line`, what `ps -o args=` prints (macOS: the
 * arguments joined by spaces), as it is.
 */
export type CommandLine = { args: string[] } | { line: string };

/**
 * This process's command line: its arguments from /proc/self/cmdline, else the line `ps` prints
 * for it, else `null` when neither can be read.
 */
export function ownCommandLine(): CommandLine | null {
  try {
    return { args: Deno.readTextFileSync("/proc/self/cmdline").split("\0") };
  } catch {
    try {
      const out = new Deno.Command("ps", { args: ["-o", "args=", "-p", String(Deno.pid)] })
        .outputSync();
      return out.success ? { line: DEC.decode(out.stdout) } : null;
    } catch {
      return null;
    }
  }
}

/** Whether `path` names a file (not a folder); false when that cannot be told. */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * This kernel's connection file, from its own command line (`--conn <file>`), or `null`: the
 * argument after `--conn` when /proc gives the arguments one by one, else the longest candidate
 * of the `ps` line that is a file ({@linkcode connectionFileFromLine}).
 */
export function ownConnectionFile(): string | null {
  const own = ownCommandLine();
  if (own === null) return null;
  return "args" in own ? connectionFileFrom(own.args) : connectionFileFromLine(own.line, isFile);
}

/** The IOPub address in a connection file. */
async function iopubAddress(file: string): Promise<{ hostname: string; port: number }> {
  const info = JSON.parse(await Deno.readTextFile(file));
  if (typeof info?.ip !== "string" || !Number.isInteger(info?.iopub_port)) {
    throw new TypeError(
      `expected ip and iopub_port in the kernel's connection file ${file}, found ${
        JSON.stringify(info).slice(0, 100)
      }`,
    );
  }
  return { hostname: info.ip, port: info.iopub_port };
}

/** How long a first flush repeats its marker before it gives up on the subscription. */
const FIRST_MARKER_MS = 2000;
/** How often a first flush repeats its marker. */
const REPEAT_MS = 250;

/** How many `execute_input` codes the watcher keeps. */
const KEPT_CODES = 200;

/** A subscription to the kernel's IOPub socket. */
export class IopubWatcher {
  readonly #waiting = new Map<string, () => void>();
  readonly #reader = new ZmtpReader();
  readonly #codes: string[] = [];
  /** Whether a marker has come back once (the kernel has registered the subscription). */
  established = false;
  /** Whether the connection has ended. */
  closed = false;

  private constructor(readonly conn: Deno.Conn) {
    this.#loop();
  }

  /**
   * Connects to the IOPub socket named in a connection file and subscribes to everything.
   * The connection does not keep the event loop alive.
   */
  static async connect(connectionFile: string): Promise<IopubWatcher> {
    const conn = await Deno.connect(await iopubAddress(connectionFile));
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
      // The kernel's READY command: a flag octet, the size (1 or 8 octets), the body.
      const flag = (await readExact(1))[0];
      const size = flag & 0x02
        ? Number(new DataView((await readExact(8)).buffer).getBigUint64(0))
        : (await readExact(1))[0];
      await readExact(size);
      await write(zmtpFrame(new Uint8Array([1]))); // SUBSCRIBE to every topic
    } catch (error) {
      conn.close();
      throw error;
    }
    conn.unref();
    return new IopubWatcher(conn);
  }

  async #loop(): Promise<void> {
    const chunk = new Uint8Array(256 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        for (const frames of this.#reader.push(chunk.subarray(0, n))) {
          const message = readIopubMessage(frames);
          if (message?.token) this.#waiting.get(message.token)?.();
          if (message?.code !== null && message?.code !== undefined) {
            this.#codes.push(message.code);
            if (this.#codes.length > KEPT_CODES) this.#codes.shift();
          }
        }
      }
    } catch {
      // closed
    }
    this.closed = true;
    for (const resolve of this.#waiting.values()) resolve();
  }

  /** Resolves when the marker `token` has been published (or the connection ends). */
  wait(token: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(token, resolve));
  }

  /** Stops waiting for `token`. */
  forget(token: string): void {
    this.#waiting.delete(token);
  }

  /** The code of the cells executed since the subscription, oldest first. */
  executedCode(): readonly string[] {
    return this.#codes;
  }

  /** Ends the subscription. */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** What a flush needs from the kernel; the real one is `Deno.jupyter` and the process. */
export interface FlushHost {
  /** `Deno.jupyter.broadcast`: queues an IOPub message behind the cell's outputs. */
  broadcast(
    msgType: string,
    content: Record<string, unknown>,
    extra: { metadata: Record<string, unknown> },
  ): Promise<void> | void;
  /** The kernel's connection file, or `null` when unknown. */
  connectionFile(): string | null;
}

/** How a flush ended: seen on IOPub, or only waited (no IOPub access, or the time limit). */
export type FlushOutcome = "flushed" | "waited";

/** Flushes one kernel's output queue; one per process in the kernel, fakes in tests. */
export class OutputFlusher {
  #watcher: Promise<IopubWatcher | null> | null = null;
  /** The watcher once a flush has connected it. */
  #connected: IopubWatcher | null = null;

  /** @param host The kernel's broadcast and connection file. */
  constructor(readonly host: FlushHost) {}

  /** The watcher, connecting on first use; `null` when IOPub cannot be reached. */
  watcher(): Promise<IopubWatcher | null> {
    this.#watcher ??= (async () => {
      const file = this.host.connectionFile();
      return file === null ? null : await IopubWatcher.connect(file);
    })().catch(() => null);
    return this.#watcher;
  }

  /** Ends the subscription, if any (the next flush connects again). */
  async close(): Promise<void> {
    const w = await this.#watcher;
    this.#watcher = null;
    this.#connected = null;
    w?.close();
  }

  /** The code of the cells executed since the watcher subscribed (empty when it has not). */
  executedCode(): readonly string[] {
    return this.#connected?.executedCode() ?? [];
  }

  /**
   * Waits until every output queued before the call has been published.
   *
   * @param timeoutMs The longest wait for the marker.
   * @param fallbackMs The wait when IOPub cannot be reached.
   */
  async flush(timeoutMs: number, fallbackMs: number): Promise<FlushOutcome> {
    const w = await this.watcher();
    this.#connected = w;
    if (w === null || w.closed) {
      if (w?.closed) this.#watcher = null; // reconnect next time
      await new Promise((resolve) => setTimeout(resolve, fallbackMs));
      return "waited";
    }
    // Until the kernel has registered the subscription a marker can pass unseen, so the first
    // flush repeats its marker; the first marker seen proves that all before it is out. If none
    // comes back within a couple of seconds the subscription does not work (a kernel that
    // publishes differently): this kernel's flushes then only wait `fallbackMs`.
    const limit = w.established ? timeoutMs : Math.min(timeoutMs, FIRST_MARKER_MS);
    const deadline = performance.now() + limit;
    const tokens: string[] = [];
    let seen = false;
    try {
      while (!seen && performance.now() < deadline) {
        const token = crypto.randomUUID();
        tokens.push(token);
        const arrived = w.wait(token).then(() => seen = !w.closed);
        await this.host.broadcast("status", { execution_state: "busy" }, {
          metadata: { deno_output_flush: token },
        });
        const wait = w.established ? deadline - performance.now() : REPEAT_MS;
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
    else if (!w.established) {
      w.close();
      this.#watcher = Promise.resolve(null);
      this.#connected = null;
    }
    return seen ? "flushed" : "waited";
  }
}

const WRAPPED = Symbol.for("movielens.notebook.outputFlush");

/** The kernel's internal hooks object (`Deno[Deno.internal].jupyter`), as far as it is used. */
export interface ResultHooks {
  broadcastResult?: (executionCount: number, result: unknown) => Promise<void>;
}

/**
 * Wraps the kernel's result hook so that every cell, after its result is queued (or when it has
 * none), waits for `flush()` before the kernel reports it finished. Idempotent.
 *
 * @param hooks `Deno[Deno.internal].jupyter`, or a fake.
 * @param flush What to wait for after each cell.
 * @returns `"installed"`, `"already installed"`, or `"no hook"` when there is nothing to wrap.
 */
export function wrapResultHook(
  hooks: ResultHooks | undefined | null,
  flush: () => Promise<unknown>,
): "installed" | "already installed" | "no hook" {
  if (!hooks || typeof hooks.broadcastResult !== "function") return "no hook";
  const original = hooks.broadcastResult as NonNullable<ResultHooks["broadcastResult"]> & {
    [WRAPPED]?: true;
  };
  if (original[WRAPPED]) return "already installed";
  const wrapped = async (count: number, result: unknown) => {
    try {
      await original(count, result);
    } finally {
      await flush();
    }
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  hooks.broadcastResult = wrapped;
  return "installed";
}

/** `Deno[Deno.internal].jupyter` in the kernel, else `undefined`. */
export function kernelResultHooks(): ResultHooks | undefined {
  const denoRecord = Deno as unknown as Record<symbol, unknown> & { internal?: symbol };
  if (denoRecord.internal === undefined) return undefined;
  const internal = denoRecord[denoRecord.internal] as { jupyter?: ResultHooks } | undefined;
  return internal?.jupyter;
}
