// What the tests of the output flush share: a stand-in for the IOPub socket of Deno's Jupyter
// kernel, and a child Deno that lib/notebook takes for the kernel (a `Deno.jupyter` of its own,
// the kernel's result hook, and a connection file on its command line), for the paths that run
// only inside the kernel.

import { assertEquals } from "@std/assert";
import { zmtpFrame, zmtpGreeting, zmtpReady } from "../../lib/notebook/_output_flush.ts";
import { childEnvironment } from "../_child.ts";

const enc = new TextEncoder();

/** The frames of a Jupyter message as Deno's kernel publishes them (no topic frame). */
export function jupyterFrames(type: string, metadata: unknown, content: unknown): Uint8Array[] {
  return ["<IDS|MSG>", "", JSON.stringify({ msg_type: type }), "{}", JSON.stringify(metadata)]
    .concat(JSON.stringify(content))
    .map((s) => enc.encode(s));
}

/** The frames of one message on the wire, `more` set on all but the last. */
export function wire(frames: Uint8Array[]): Uint8Array {
  const parts = frames.map((f, i) => zmtpFrame(f, { more: i < frames.length - 1 }));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A PUB socket's READY command with a property of `padding` octets more: a long frame. */
function paddedReady(padding: number): Uint8Array {
  const ready = zmtpReady("PUB");
  const body = ready.subarray(2); // a short frame: flag, size, body
  const name = enc.encode("X-Padding");
  const extra = new Uint8Array(1 + name.length + 4 + padding);
  extra[0] = name.length;
  extra.set(name, 1);
  new DataView(extra.buffer).setUint32(1 + name.length, padding);
  const joined = new Uint8Array(body.length + extra.length);
  joined.set(body);
  joined.set(extra, body.length);
  return zmtpFrame(joined, { command: true });
}

/** Options of {@linkcode fakeIopub}. */
export interface FakeIopubOptions {
  /**
   * Where to write the connection file.
   * @default {kernel-1.json in a new temporary folder}
   */
  file?: string;
  /**
   * The connection file's content, given the socket's port.
   * @default {(port) => ({ ip: "127.0.0.1", iopub_port: port })}
   */
  connection?: (port: number) => unknown;
  /**
   * `"hang up"`: the socket ends its side of each connection after its greeting;
   * `"long ready"`: its READY command is a long frame (more than 255 octets).
   * @default {"normal"}
   */
  handshake?: "normal" | "hang up" | "long ready";
}

/** A stand-in for the kernel's IOPub PUB socket, made by {@linkcode fakeIopub}. */
export interface FakeIopub {
  /** The connection file that names the socket. */
  file: string;
  /** Settles when the first subscriber has subscribed. */
  subscribed: Promise<void>;
  /** How many connections the socket has accepted. */
  readonly connections: number;
  /** How many of them the subscriber has closed from its end. */
  readonly hangUps: number;
  /**
   * Publishes a message to every subscriber, once the connections accepted so far have
   * subscribed; without a subscriber the message is lost, as a PUB socket's.
   */
  publish(frames: Uint8Array[]): Promise<void>;
  /** Closes the subscribers' connections, as a kernel that shuts down; still accepts new ones. */
  disconnect(): void;
  /** Lets the process end with the socket open: it no longer keeps the event loop alive. */
  unref(): void;
  /** Closes everything and removes the connection file's temporary folder, if it made one. */
  close(): Promise<void>;
}

/** Starts a stand-in for the kernel's IOPub PUB socket and writes its connection file. */
export async function fakeIopub(options: FakeIopubOptions = {}): Promise<FakeIopub> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = options.file === undefined ? await Deno.makeTempDir({ prefix: "flush-test-" }) : null;
  const file = options.file ?? `${dir}/kernel-1.json`;
  const port = (listener.addr as Deno.NetAddr).port;
  const connection = options.connection ?? ((port) => ({ ip: "127.0.0.1", iopub_port: port }));
  await Deno.writeTextFile(file, JSON.stringify(connection(port)));
  const readExact = async (c: Deno.Conn, n: number) => {
    const buf = new Uint8Array(n);
    for (let at = 0; at < n;) {
      const got = await c.read(buf.subarray(at));
      if (got === null) throw new Error("closed");
      at += got;
    }
    return buf;
  };
  const open = new Set<Deno.Conn>();
  const subscribers: Deno.Conn[] = [];
  const handshakes: Promise<void>[] = [];
  const failures: unknown[] = [];
  let connections = 0, hangUps = 0;
  const countHangUp = async (c: Deno.Conn) => {
    try {
      while (await c.read(new Uint8Array(64)) !== null) {
        // a subscriber sends nothing more
      }
      hangUps++;
    } catch {
      // closed from this end
    }
  };
  const handshake = async (c: Deno.Conn) => {
    await c.write(zmtpGreeting());
    await readExact(c, 64);
    if (options.handshake === "hang up") {
      await c.closeWrite();
      countHangUp(c);
      return;
    }
    await c.write(options.handshake === "long ready" ? paddedReady(300) : zmtpReady("PUB"));
    const head = await readExact(c, 2); // the client's READY
    await readExact(c, head[1]);
    const subscribe = await readExact(c, 3);
    assertEquals([...subscribe], [0, 1, 1]);
    subscribers.push(c);
    countHangUp(c);
  };
  let first: () => void;
  const subscribed = new Promise<void>((resolve) => first = resolve);
  const accepting = (async () => {
    try {
      for await (const c of listener) {
        connections++;
        open.add(c);
        handshakes.push(handshake(c).then(() => first(), (error) => void failures.push(error)));
      }
    } catch {
      // the listener closed
    }
  })();
  return {
    file,
    subscribed,
    get connections() {
      return connections;
    },
    get hangUps() {
      return hangUps;
    },
    async publish(frames: Uint8Array[]) {
      await Promise.all(handshakes);
      if (failures.length > 0) throw failures[0];
      for (const c of subscribers) await c.write(wire(frames));
    },
    unref() {
      listener.unref();
      for (const c of open) c.unref();
    },
    disconnect() {
      for (const c of subscribers.splice(0)) {
        c.close();
        open.delete(c);
      }
    },
    async close() {
      for (const c of open) c.close();
      open.clear();
      subscribers.length = 0;
      listener.close();
      await accepting;
      if (dir !== null) await Deno.remove(dir, { recursive: true });
    },
  };
}

const HERE = new URL("./_stand_in_kernel.ts", import.meta.url).href;
const LIB = new URL("../../lib/", import.meta.url).href;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Options of {@linkcode inStandInKernel}. */
export interface StandInOptions {
  /**
   * Whether the child's command line has `--conn <connection file>`, as the kernel's has.
   * @default {true}
   */
  conn?: boolean;
  /**
   * The methods of the child's `Deno.jupyter`: `broadcast` publishes on the fake IOPub socket,
   * `display` records; `["display"]` is what the notebook runner's fresh path provides. `null`
   * leaves Deno's own, which throws when read outside `deno jupyter`.
   * @default {["broadcast", "display"]}
   */
  jupyter?: ("broadcast" | "display")[] | null;
  /** The stand-in IOPub socket's handshake (see {@linkcode FakeIopubOptions}). */
  handshake?: FakeIopubOptions["handshake"];
  /**
   * Variables set in the child; `undefined` removes one. `NB_OUTPUT_FLUSH` and `JPY_SESSION_NAME`
   * are removed unless set here.
   */
  env?: Record<string, string | undefined>;
  /**
   * The child's permission flags.
   * @default {["--allow-all"]}
   */
  permissions?: string[];
  /** The child's working folder. */
  cwd?: string;
}

/**
 * Runs `body`, the body of an async function, in a child Deno that lib/notebook takes for
 * Deno's Jupyter kernel, and returns what it returns (as JSON). In scope for `body`:
 * - `LIB`, the library's URL: import lib/notebook with `await import(LIB + "notebook/…")`, so
 *   that it loads after the stand-ins are in place;
 * - `iopub`, the child's {@linkcode FakeIopub}, and {@linkcode jupyterFrames};
 * - `sent`, every `Deno.jupyter.broadcast()` call as `{ type, content, metadata }`;
 * - `displayed`, every `Deno.jupyter.display()` call as `{ obj, options }`;
 * - `hooks`, the kernel's result hook (`Deno[Deno.internal].jupyter`): its
 *   `broadcastResult(count, result)` broadcasts an `execute_result`;
 * - `missingNameMessage(code)`, the message of the `ReferenceError` that `code` throws when a
 *   cell runs it.
 *
 * @param body The child's code.
 * @param options The stand-ins and the child's environment.
 * @returns What `body` returned.
 * @throws {Error} When the child fails, with its stderr.
 */
export async function inStandInKernel(
  body: string,
  options: StandInOptions = {},
): Promise<unknown> {
  const { conn = true, jupyter = ["broadcast", "display"], permissions = ["--allow-all"] } =
    options;
  const dir = await Deno.makeTempDir({ prefix: "stand-in-kernel-" });
  const script = `
import { fakeIopub, jupyterFrames } from ${JSON.stringify(HERE)};
const LIB = ${JSON.stringify(LIB)};
const iopub = await fakeIopub({
  file: ${JSON.stringify(`${dir}/kernel-1.json`)},
  handshake: ${JSON.stringify(options.handshake ?? "normal")},
});
const sent = [], displayed = [];
const jupyter = {
  async broadcast(type, content, extra) {
    sent.push({ type, content, metadata: extra?.metadata ?? null });
    await iopub.publish(jupyterFrames(type, extra?.metadata ?? {}, content));
  },
  display(obj, options) {
    displayed.push({ obj, options });
    return Promise.resolve();
  },
};
const methods = ${JSON.stringify(jupyter)};
if (methods !== null) Deno.jupyter = Object.fromEntries(methods.map((m) => [m, jupyter[m]]));
const hooks = {
  broadcastResult: (count, result) =>
    jupyter.broadcast("execute_result", { execution_count: count, data: { "text/plain": String(result) } }),
};
Deno[Deno.internal].jupyter = hooks;
// The message of the ReferenceError that cell code throws, once its stack is read (the kernel
// reads it at once): indirect eval runs code with no file behind it, as a cell's.
const missingNameMessage = (code) => {
  try {
    (0, eval)(code);
  } catch (error) {
    void error.stack;
    return error.message;
  }
  return null;
};
let result;
try {
  result = await (async () => {
${body}
  })();
} finally {
  await iopub.close();
}
console.log(JSON.stringify(result ?? null));
`;
  try {
    await Deno.writeTextFile(`${dir}/cell.js`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        CONFIG,
        "--no-prompt",
        ...permissions,
        `${dir}/cell.js`,
        ...(conn ? ["--conn", `${dir}/kernel-1.json`] : []),
      ],
      cwd: options.cwd,
      env: childEnvironment({
        NO_COLOR: "1",
        NB_OUTPUT_FLUSH: undefined,
        JPY_SESSION_NAME: undefined,
        ...options.env,
      }),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(
        `the stand-in kernel failed (exit ${out.code}):\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
