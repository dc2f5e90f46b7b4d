import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  connectionFileFrom,
  type FlushHost,
  OutputFlusher,
  ownCommandLine,
  readIopubMessage,
  wrapResultHook,
  zmtpFrame,
  zmtpGreeting,
  ZmtpReader,
  zmtpReady,
} from "../../lib/notebook/_output_flush.ts";
import { flushOutputs, installOutputFlush } from "../../lib/notebook/flush.ts";

const enc = new TextEncoder();

/** The frames of a Jupyter message as Deno's kernel publishes them (no topic frame). */
function jupyterFrames(type: string, metadata: unknown, content: unknown): Uint8Array[] {
  return ["<IDS|MSG>", "", JSON.stringify({ msg_type: type }), "{}", JSON.stringify(metadata)]
    .concat(JSON.stringify(content))
    .map((s) => enc.encode(s));
}

function wire(frames: Uint8Array[]): Uint8Array {
  const parts = frames.map((f, i) => zmtpFrame(f, { more: i < frames.length - 1 }));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("ZmtpReader reassembles messages split anywhere and skips commands", () => {
  const long = enc.encode("x".repeat(300));
  const bytes = new Uint8Array([
    ...zmtpFrame(enc.encode("READY"), { command: true }),
    ...zmtpFrame(enc.encode("<IDS|MSG>"), { more: true }),
    ...zmtpFrame(long),
    ...zmtpFrame(enc.encode("second")),
  ]);
  for (const step of [1, 2, 7, 9, bytes.length]) {
    const reader = new ZmtpReader();
    const messages = [];
    for (let at = 0; at < bytes.length; at += step) {
      messages.push(...reader.push(bytes.subarray(at, Math.min(bytes.length, at + step))));
    }
    assertEquals(messages.map((m) => m.map((f) => f?.length)), [[9, 300], [6]], `step ${step}`);
  }
});

Deno.test("ZmtpReader hands a frame over its limit back as null without keeping it", () => {
  const reader = new ZmtpReader(100);
  const messages = reader.push(
    wire([enc.encode("small"), enc.encode("y".repeat(5000)), enc.encode("tail")]),
  );
  assertEquals(messages.length, 1);
  assertEquals(messages[0][0], enc.encode("small"));
  assertEquals(messages[0][1], null);
  assertEquals(messages[0][2], enc.encode("tail"));
});

Deno.test("ZmtpReader keeps a frame of 64 KiB by default and skips a larger one", () => {
  const messages = new ZmtpReader().push(
    wire([new Uint8Array(64 * 1024), new Uint8Array(64 * 1024 + 1)]),
  );
  assertEquals(messages.map((m) => m.map((f) => f?.length ?? null)), [[64 * 1024, null]]);
});

Deno.test("zmtpFrame() writes the long form with a 64-bit size above 255 octets", () => {
  assertEquals([...zmtpFrame(new Uint8Array(255)).subarray(0, 2)], [0, 255], "255: short");
  assertEquals([...zmtpFrame(enc.encode("ab"), { more: true })], [1, 2, 97, 98]);
  const long = zmtpFrame(new Uint8Array(256));
  assertEquals([...long.subarray(0, 9)], [2, 0, 0, 0, 0, 0, 0, 1, 0]);
  assertEquals(long.length, 9 + 256);
});

Deno.test("zmtpGreeting() and zmtpReady() speak ZMTP 3.0 with the NULL mechanism", () => {
  const greeting = zmtpGreeting();
  assertEquals([greeting.length, greeting[0], greeting[9], greeting[10], greeting[32]], [
    64,
    0xff,
    0x7f,
    3,
    0,
  ]);
  assertEquals(new TextDecoder().decode(greeting.subarray(12, 16)), "NULL");
  const ready = zmtpReady("SUB");
  assertEquals(ready[0], 0x04); // a command
  assertEquals(
    new TextDecoder().decode(ready.subarray(2)),
    "\x05READY\x0bSocket-Type\0\0\0\x03SUB",
  );
});

Deno.test("readIopubMessage() reads the type, a flush token and an execute_input's code", () => {
  assertEquals(
    readIopubMessage(jupyterFrames("status", { deno_output_flush: "t-1" }, {})),
    { type: "status", token: "t-1", code: null },
  );
  assertEquals(
    readIopubMessage(jupyterFrames("execute_input", {}, { code: "const a = 1;" })),
    { type: "execute_input", token: null, code: "const a = 1;" },
  );
  const notJson = jupyterFrames("status", {}, {});
  notJson[4] = enc.encode("not json");
  assertEquals(readIopubMessage(notJson)?.token, null);
  assertEquals(
    readIopubMessage(jupyterFrames("stream", {}, { code: "x", text: "hi" }))?.code,
    null,
    "only an execute_input carries a cell's code",
  );
  assertEquals(readIopubMessage([enc.encode("no delimiter")]), null);
  assertEquals(readIopubMessage([null]), null);
});

Deno.test("connectionFileFrom() finds the file after --conn on the kernel's command line", () => {
  assertEquals(
    connectionFileFrom(["/usr/bin/deno", "jupyter", "--kernel", "--conn", "/run/k-1.json", ""]),
    "/run/k-1.json",
  );
  assertEquals(connectionFileFrom(["deno", "run", "x.ts"]), null);
  assertEquals(connectionFileFrom(["deno", "jupyter", "--conn"]), null);
});

Deno.test("ownCommandLine() reads this process's arguments one by one", () => {
  const args = ownCommandLine();
  assert(args.includes("test"), `found ${JSON.stringify(args)}`);
});

/** A stand-in for the kernel's IOPub PUB socket and its connection file. */
async function fakeIopub() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "flush-test-" });
  const file = `${dir}/kernel-1.json`;
  const port = (listener.addr as Deno.NetAddr).port;
  await Deno.writeTextFile(file, JSON.stringify({ ip: "127.0.0.1", iopub_port: port }));
  let conn: Deno.Conn | null = null;
  const readExact = async (c: Deno.Conn, n: number) => {
    const buf = new Uint8Array(n);
    for (let at = 0; at < n;) {
      const got = await c.read(buf.subarray(at));
      if (got === null) throw new Error("closed");
      at += got;
    }
    return buf;
  };
  const subscribed = (async () => {
    const c = await listener.accept();
    await c.write(zmtpGreeting());
    await readExact(c, 64);
    await c.write(zmtpReady("PUB"));
    const head = await readExact(c, 2); // the client's READY
    await readExact(c, head[1]);
    const subscribe = await readExact(c, 3);
    assertEquals([...subscribe], [0, 1, 1]);
    conn = c;
  })();
  return {
    file,
    subscribed,
    async publish(frames: Uint8Array[]) {
      await subscribed;
      await conn!.write(wire(frames));
    },
    async close() {
      conn?.close();
      listener.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("OutputFlusher waits for its marker on the kernel's IOPub socket", async () => {
  const iopub = await fakeIopub();
  const sent: { type: string; content: unknown; metadata: Record<string, unknown> }[] = [];
  const host: FlushHost = {
    connectionFile: () => iopub.file,
    async broadcast(type, content, { metadata }) {
      sent.push({ type, content, metadata });
      await iopub.publish(jupyterFrames(type, metadata, content));
    },
  };
  const flusher = new OutputFlusher(host);
  try {
    assertEquals(await flusher.flush(5000, 100), "flushed");
    assertEquals(await flusher.flush(5000, 100), "flushed");
    assertEquals(sent.length, 2);
    assertEquals(sent[0].type, "status");
    assertEquals(sent[0].content, { execution_state: "busy" });
    assert(typeof sent[0].metadata.deno_output_flush === "string");
    await iopub.publish(jupyterFrames("execute_input", {}, { code: "model.fit()" }));
    assertEquals(await flusher.flush(5000, 100), "flushed");
    assertEquals(flusher.executedCode(), ["model.fit()"]);
  } finally {
    await flusher.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher repeats its first marker until the subscription is registered", async () => {
  const iopub = await fakeIopub();
  let markers = 0;
  const flusher = new OutputFlusher({
    connectionFile: () => iopub.file,
    async broadcast(type, content, { metadata }) {
      // The kernel publishes to a subscriber only once it has registered it: the first marker
      // goes out before that and is lost.
      if (++markers > 1) await iopub.publish(jupyterFrames(type, metadata, content));
    },
  });
  try {
    assertEquals(await flusher.flush(5000, 100), "flushed");
    assertEquals(markers, 2);
  } finally {
    await flusher.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher only waits when IOPub cannot be reached", async () => {
  const unreachable = new OutputFlusher({ connectionFile: () => null, broadcast() {} });
  const t0 = performance.now();
  assertEquals(await unreachable.flush(5000, 30), "waited");
  assert(performance.now() - t0 >= 25);
});

Deno.test("OutputFlusher gives up on a subscription whose first marker never comes back", async () => {
  const iopub = await fakeIopub();
  const silent = new OutputFlusher({ connectionFile: () => iopub.file, broadcast() {} });
  try {
    // The first flush gives up after about 2 s (not the 30 s limit); the second only waits its
    // 30 ms fallback (not another 2 s). The upper bounds leave room for a busy machine.
    let t0 = performance.now();
    assertEquals(await silent.flush(30_000, 30), "waited");
    let elapsed = performance.now() - t0;
    assert(elapsed >= 1900 && elapsed < 10_000, `the first flush waited ${elapsed} ms`);
    t0 = performance.now();
    assertEquals(await silent.flush(30_000, 30), "waited");
    elapsed = performance.now() - t0;
    assert(elapsed < 1500, `the second flush waited ${elapsed} ms`);
  } finally {
    await silent.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher waits up to its time limit once the subscription works", async () => {
  const iopub = await fakeIopub();
  let publish = true;
  const flusher = new OutputFlusher({
    connectionFile: () => iopub.file,
    async broadcast(type, content, { metadata }) {
      if (publish) await iopub.publish(jupyterFrames(type, metadata, content));
    },
  });
  try {
    assertEquals(await flusher.flush(5000, 30), "flushed");
    publish = false; // a kernel whose queue is stuck behind a large output
    const t0 = performance.now();
    assertEquals(await flusher.flush(600, 30), "waited");
    const elapsed = performance.now() - t0;
    // Its own 600 ms, not the earlier flush's 5 s limit (the upper bound allows a busy machine).
    assert(elapsed >= 550 && elapsed < 4000, `waited ${elapsed} ms`);
    publish = true;
    assertEquals(await flusher.flush(5000, 30), "flushed");
  } finally {
    await flusher.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher stops waiting at once when the kernel closes its IOPub connection", async () => {
  const iopub = await fakeIopub();
  let closeInstead = false, closed = false;
  const flusher = new OutputFlusher({
    connectionFile: () => iopub.file,
    async broadcast(type, content, { metadata }) {
      if (!closeInstead) return await iopub.publish(jupyterFrames(type, metadata, content));
      closed = true;
      await iopub.close(); // a kernel shutting down: the marker will never come
    },
  });
  try {
    assertEquals(await flusher.flush(5000, 30), "flushed");
    closeInstead = true;
    const t0 = performance.now();
    assertEquals(await flusher.flush(10_000, 30), "waited");
    const elapsed = performance.now() - t0;
    // Not the 10 s limit (the bound leaves room for a busy machine).
    assert(elapsed < 3000, `waited ${elapsed} ms`);
  } finally {
    await flusher.close();
    if (!closed) await iopub.close();
  }
});

Deno.test("wrapResultHook() flushes after each result, also when sending it fails, once", async () => {
  const calls: string[] = [];
  const hooks = {
    broadcastResult: (count: number, result: unknown) => {
      calls.push(`result ${count} ${result}`);
      return count === 2 ? Promise.reject(new Error("format failed")) : Promise.resolve();
    },
  };
  const flush = () => {
    calls.push("flush");
    return Promise.resolve();
  };
  assertEquals(wrapResultHook(hooks, flush), "installed");
  assertEquals(wrapResultHook(hooks, flush), "already installed");
  await hooks.broadcastResult(1, 42);
  await assertRejects(() => hooks.broadcastResult(2, "x"), Error, "format failed");
  await hooks.broadcastResult(3, undefined);
  assertEquals(calls, [
    "result 1 42",
    "flush",
    "result 2 x",
    "flush",
    "result 3 undefined",
    "flush",
  ]);
  assertEquals(wrapResultHook({}, flush), "no hook");
  assertEquals(wrapResultHook(undefined, flush), "no hook");
});

Deno.test("flushOutputs() and installOutputFlush() do nothing outside the kernel", async () => {
  assertEquals(await flushOutputs(), "no kernel");
  // Nor does it wait: any wait would last the 5 s fallback or longer, so a bound of 1 s catches
  // one and leaves room for a busy machine (where a single preemption can exceed 50 ms).
  const t0 = performance.now();
  assertEquals(await flushOutputs({ timeoutMs: 30_000, fallbackMs: 5_000 }), "no kernel");
  assertEquals(installOutputFlush(), "no kernel");
  const elapsed = performance.now() - t0;
  assert(elapsed < 1000, `took ${elapsed} ms`);
  await assertRejects(() => flushOutputs({ timeoutMs: -1 }), RangeError, "timeoutMs >= 0");
});

Deno.test("flushOutputs() checks both times, taking 0 and refusing NaN, text or a negative", async () => {
  assertEquals(await flushOutputs({ timeoutMs: 0, fallbackMs: 0 }), "no kernel");
  await assertRejects(
    () => flushOutputs({ fallbackMs: -1 }),
    RangeError,
    "flushOutputs(): expected fallbackMs >= 0, found -1",
  );
  await assertRejects(() => flushOutputs({ timeoutMs: NaN }), RangeError, "found NaN");
  const text = "5" as unknown as number;
  await assertRejects(() => flushOutputs({ timeoutMs: text }), RangeError, "found 5");
});

Deno.test("wrapResultHook() makes the kernel wait for the flush before the cell is reported finished", async () => {
  let flushed = false;
  const hooks = { broadcastResult: (_count: number, _result: unknown) => Promise.resolve() };
  wrapResultHook(hooks, async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    flushed = true;
  });
  await hooks.broadcastResult(1, 42);
  assertEquals(flushed, true);
});
