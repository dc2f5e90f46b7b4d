import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  connectionFileFrom,
  connectionFileFromLine,
  type FlushHost,
  IopubWatcher,
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
import {
  type FakeIopub,
  fakeIopub,
  type FakeIopubOptions,
  jupyterFrames,
  wire,
} from "./_stand_in_kernel.ts";
import { until } from "../_child.ts";

/** Whether `ps` runs here: the library's fallback for reading its own command line uses it. */
const HAS_PS = await new Deno.Command("ps", { args: ["-o", "pid=", "-p", String(Deno.pid)] })
  .output().then((o) => o.success, () => false);

const enc = new TextEncoder();
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

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

Deno.test("readIopubMessage() reads a flush token from metadata of up to 300 octets only", () => {
  const withPadding = (octets: number) => {
    const metadata = { deno_output_flush: "t-1", padding: "" };
    metadata.padding = "x".repeat(octets - JSON.stringify(metadata).length);
    assertEquals(JSON.stringify(metadata).length, octets);
    return readIopubMessage(jupyterFrames("status", metadata, {}))?.token;
  };
  assertEquals(withPadding(300), "t-1");
  assertEquals(withPadding(301), null, "larger metadata belongs to no marker and is not parsed");
});

Deno.test("connectionFileFrom() finds the file after --conn on the kernel's command line", () => {
  assertEquals(
    connectionFileFrom(["/usr/bin/deno", "jupyter", "--kernel", "--conn", "/run/k-1.json", ""]),
    "/run/k-1.json",
  );
  assertEquals(connectionFileFrom(["deno", "run", "x.ts"]), null);
  assertEquals(connectionFileFrom(["deno", "jupyter", "--conn"]), null);
  assertEquals(connectionFileFrom(["deno", "jupyter", "--conn", ""]), null, "an empty argument");
  assertEquals(connectionFileFrom(["--conn", "/run/k-1.json"]), "/run/k-1.json", "the first");
});

/** `connectionFileFromLine()` on `line` with these files, and the candidates it asked about. */
function fromPsLine(line: string, files: string[]): { file: string | null; asked: string[] } {
  const asked: string[] = [];
  const file = connectionFileFromLine(line, (path) => {
    asked.push(path);
    return files.includes(path);
  });
  return { file, asked };
}

Deno.test("connectionFileFromLine() finds a connection file whose path holds spaces in ps's line", () => {
  const deno = "/Users/me/.deno/bin/deno jupyter --kernel --conn";
  // ps joins the arguments with spaces: splitting its line on them gave "/Users/me/My".
  const one = "/Users/me/My kernels/kernel-1.json";
  assertEquals(fromPsLine(`${deno} ${one}\n`, [one]), { file: one, asked: [one] });
  const two = "/Users/me/Library/Jupyter/my runtime dir/kernel 2.json";
  assertEquals(fromPsLine(`${deno} ${two}\n`, [two]).file, two);
  // More arguments after the path: shorter candidates are asked until one is a file.
  assertEquals(fromPsLine(`${deno} ${one} --unstable --quiet\n`, [one]), {
    file: one,
    asked: [`${one} --unstable --quiet`, `${one} --unstable`, one],
  });
  // The longest file wins over a shorter one that also exists.
  assertEquals(fromPsLine(`${deno} ${one}`, ["/Users/me/My", one]).file, one);
  // A candidate that is no file is passed over: the shorter one that is a file is taken.
  assertEquals(fromPsLine(`${deno} /run/a b.json`, ["/run/a"]).file, "/run/a");
  assertEquals(fromPsLine(`${deno} ${one}`, []), {
    file: null,
    asked: [one, "/Users/me/My"],
  });
});

Deno.test("connectionFileFromLine() is null without a --conn followed by a path", () => {
  const files = ["/run/k-1.json"];
  assertEquals(fromPsLine("/usr/bin/deno run x.ts /run/k-1.json\n", files), {
    file: null,
    asked: [],
  });
  assertEquals(fromPsLine("deno jupyter --connection /run/k-1.json", files).file, null);
  assertEquals(fromPsLine("deno jupyter --kernel --conn\n", files).file, null);
  assertEquals(fromPsLine("", files).file, null);
  assertEquals(fromPsLine("--conn /run/k-1.json", files).file, "/run/k-1.json", "at the start");
  // A "--conn " that ends another argument is not the flag: the flag after it is.
  assertEquals(
    fromPsLine("deno run /opt/x--conn y/k.ts --conn /run/k-1.json", files).file,
    "/run/k-1.json",
  );
});

Deno.test("ownCommandLine() reads this process's arguments one by one", () => {
  const own = ownCommandLine();
  assert(own !== null && "args" in own, `found ${JSON.stringify(own)}`);
  assert(own.args.includes("test"), `found ${JSON.stringify(own)}`);
});

/** `what` (`ownCommandLine()`, …) in a child `deno run <script> ...args` with `permissions`. */
async function childCommandLine(
  args: string[],
  permissions: string[],
  what = "ownCommandLine",
): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "command-line-" });
  try {
    const lib = new URL("../../lib/notebook/_output_flush.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/main.js`,
      `import { ${what} } from ${JSON.stringify(lib)};\n` +
        `console.log(JSON.stringify(${what}()));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...permissions, `${dir}/main.js`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ownConnectionFile() takes the argument after --conn from /proc's arguments", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kernel runtime " });
  try {
    const file = `${dir}/kernel 1.json`;
    await Deno.writeTextFile(file, "{}");
    assertEquals(
      await childCommandLine(["--conn", file, "--more"], ["--allow-all"], "ownConnectionFile"),
      file,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ownConnectionFile() is null when neither /proc nor ps can be read", async () => {
  assertEquals(await childCommandLine(["--conn", "/run/k-1.json"], [], "ownConnectionFile"), null);
});

Deno.test("ownCommandLine() keeps an argument with a space whole", async () => {
  const own = await childCommandLine(["--conn", "/run/my kernels/k-1.json"], ["--allow-all"]);
  assertEquals((own as { args: string[] }).args.slice(-3), [
    "--conn",
    "/run/my kernels/k-1.json",
    "",
  ]);
});

Deno.test({
  name: "ownCommandLine() asks ps when /proc cannot be read, and is null when neither works",
  // The fallback reads the command line from ps (Debian: procps), where the machine has it.
  ignore: !HAS_PS,
  fn: async () => {
    // Reading /proc/self/cmdline needs every permission.
    const own = await childCommandLine(["--conn", "/run/k-1.json"], ["--allow-run=ps"]);
    const line = (own as { line: string }).line;
    assert(line.startsWith(`${Deno.execPath()} run `), `found ${JSON.stringify(own)}`);
    assert(line.endsWith(" --conn /run/k-1.json\n"), `found ${JSON.stringify(own)}`);
    assertEquals(await childCommandLine(["--conn", "/run/k-1.json"], []), null);
  },
});

Deno.test({
  name: "ownConnectionFile() finds a path with spaces on ps's line, as on macOS",
  ignore: !HAS_PS,
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kernel runtime " }));
    try {
      await Deno.mkdir(`${dir}/my kernels`);
      const file = `${dir}/my kernels/kernel 1.json`;
      await Deno.writeTextFile(file, "{}");
      // Without every permission /proc/self/cmdline cannot be read: ps gives the line.
      const permissions = ["--allow-run=ps", `--allow-read=${dir}`];
      assertEquals(
        await childCommandLine(["--conn", file], permissions, "ownConnectionFile"),
        file,
      );
      assertEquals(
        await childCommandLine(["--conn", file, "--more"], permissions, "ownConnectionFile"),
        file,
      );
      assertEquals(
        await childCommandLine(["--conn", `${dir}/gone.json`], permissions, "ownConnectionFile"),
        null,
      );
      // A folder is no connection file: `${dir}/my` is a shorter candidate of the gone file.
      await Deno.mkdir(`${dir}/my`);
      const gone = `${dir}/my kernels/gone.json`;
      assertEquals(
        await childCommandLine(["--conn", gone], permissions, "ownConnectionFile"),
        null,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A host that publishes every marker on `iopub` and counts them. */
function publishingHost(iopub: FakeIopub): FlushHost & { markers: number } {
  return {
    markers: 0,
    connectionFile: () => iopub.file,
    async broadcast(type, content, { metadata }) {
      this.markers++;
      await iopub.publish(jupyterFrames(type, metadata, content));
    },
  };
}

/**
 * Runs `body` with a stand-in IOPub socket and a flusher that publishes its markers there, then
 * closes both, whatever `body` did.
 */
async function withPublishingFlusher(
  options: FakeIopubOptions,
  body: (flusher: OutputFlusher, iopub: FakeIopub) => Promise<void>,
): Promise<void> {
  const iopub = await fakeIopub(options);
  const flusher = new OutputFlusher(publishingHost(iopub));
  try {
    await body(flusher, iopub);
  } finally {
    await flusher.close();
    await iopub.close();
  }
}

/**
 * Runs `fn` with `setTimeout` and `clearTimeout` watched; returns the delay of each timer set,
 * and how many of them are still pending (neither fired nor cleared) when `fn` ends.
 */
async function watchTimers(
  fn: () => Promise<unknown>,
): Promise<{ delays: number[]; pending: number }> {
  const delays: number[] = [];
  const pending = new Set<unknown>();
  const [set, clear] = [globalThis.setTimeout, globalThis.clearTimeout];
  globalThis.setTimeout = ((handler: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    const id = set(() => {
      pending.delete(id);
      handler();
    }, ms);
    pending.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = (id?: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(id);
    clear(id);
  };
  try {
    await fn();
  } finally {
    [globalThis.setTimeout, globalThis.clearTimeout] = [set, clear];
  }
  return { delays, pending: pending.size };
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
    await iopub.publish([enc.encode("not a Jupyter message")]);
    await iopub.publish(jupyterFrames("execute_input", {}, { code: "model.fit()" }));
    assertEquals(await flusher.flush(5000, 100), "flushed");
    assertEquals(flusher.executedCode(), ["model.fit()"]);
    assertEquals(iopub.connections, 1, "one subscription for every flush");
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
    const timers = await watchTimers(async () => {
      assertEquals(await flusher.flush(5000, 100), "flushed");
    });
    assertEquals(markers, 2);
    assertEquals(timers.delays, [250, 250], "each marker waited for 250 ms");
    assertEquals(timers.pending, 0, "no timer left running");
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
  let markers = 0;
  const silent = new OutputFlusher({
    connectionFile: () => iopub.file,
    broadcast: () => {
      markers++;
    },
  });
  try {
    // The first flush gives up after about 2 s (not the 30 s limit); the second only waits its
    // 30 ms fallback (not another 2 s). The upper bounds leave room for a busy machine.
    let t0 = performance.now();
    const first = silent.flush(30_000, 30);
    await iopub.subscribed;
    await iopub.publish(jupyterFrames("execute_input", {}, { code: "const a = 1;" }));
    assertEquals(await first, "waited");
    let elapsed = performance.now() - t0;
    assert(elapsed >= 1900 && elapsed < 10_000, `the first flush waited ${elapsed} ms`);
    assertEquals(silent.executedCode(), [], "nothing of the subscription it gave up");
    await until(() => iopub.hangUps === 1, "it closes the subscription it gave up");
    markers = 0;
    t0 = performance.now();
    assertEquals(await silent.flush(30_000, 30), "waited");
    elapsed = performance.now() - t0;
    assert(elapsed < 1500, `the second flush waited ${elapsed} ms`);
    assertEquals(await silent.flush(30_000, 30), "waited");
    assertEquals(markers, 0, "the later flushes send no marker");
    assertEquals(iopub.connections, 1, "nor do they subscribe again");
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

Deno.test("OutputFlusher only waits when the connection file lacks the IOPub address", async () => {
  for (
    const connection of [
      (port: number) => ({ iopub_port: port }),
      (port: number) => ({ ip: "127.0.0.1", iopub_port: String(port) }),
      (port: number) => ({ ip: "127.0.0.1", iopub_port: port + 0.5 }),
    ]
  ) {
    await withPublishingFlusher({ connection }, async (flusher, iopub) => {
      assertEquals(await flusher.flush(5000, 0), "waited");
      assertEquals(iopub.connections, 0, JSON.stringify(connection(1234)));
    });
  }
});

Deno.test("OutputFlusher only waits when the connection file is missing", async () => {
  const flusher = new OutputFlusher({
    connectionFile: () => "/nonexistent/kernel-1.json",
    broadcast() {},
  });
  assertEquals(await flusher.flush(5000, 0), "waited");
});

Deno.test("OutputFlusher only waits, and closes its end, when the kernel hangs up in the handshake", async () => {
  const iopub = await fakeIopub({ handshake: "hang up" });
  const host = publishingHost(iopub);
  const flusher = new OutputFlusher(host);
  try {
    assertEquals(await flusher.flush(5000, 0), "waited");
    assertEquals([iopub.connections, host.markers], [1, 0]);
    await until(() => iopub.hangUps === 1, "the flusher closes its end of the connection");
  } finally {
    await flusher.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher subscribes to a kernel whose READY command is a long frame", async () => {
  await withPublishingFlusher({ handshake: "long ready" }, async (flusher) => {
    assertEquals(await flusher.flush(5000, 0), "flushed");
  });
});

Deno.test("OutputFlusher keeps the code of the last 200 cells run", async () => {
  await withPublishingFlusher({}, async (flusher, iopub) => {
    assertEquals(await flusher.flush(5000, 0), "flushed");
    for (let i = 1; i <= 201; i++) {
      await iopub.publish(jupyterFrames("execute_input", {}, { code: `cell ${i}` }));
    }
    assertEquals(await flusher.flush(5000, 0), "flushed");
    const codes = flusher.executedCode();
    assertEquals([codes.length, codes[0], codes.at(-1)], [200, "cell 2", "cell 201"]);
  });
});

Deno.test("OutputFlusher.close() forgets the cells run and the next flush subscribes again", async () => {
  await withPublishingFlusher({}, async (flusher, iopub) => {
    assertEquals(await flusher.flush(5000, 0), "flushed");
    await iopub.publish(jupyterFrames("execute_input", {}, { code: "const a = 1;" }));
    assertEquals(await flusher.flush(5000, 0), "flushed");
    assertEquals(flusher.executedCode(), ["const a = 1;"]);
    await flusher.close();
    assertEquals(flusher.executedCode(), []);
    await until(() => iopub.hangUps === 1, "close() closes the connection");
    assertEquals(await flusher.flush(5000, 0), "flushed");
    assertEquals(iopub.connections, 2);
  });
});

Deno.test("OutputFlusher's subscription does not keep a process running", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flush-test-" });
  const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  await Deno.writeTextFile(
    `${dir}/main.js`,
    `import { OutputFlusher } from ${url("../../lib/notebook/_output_flush.ts")};
import { fakeIopub, jupyterFrames } from ${url("./_stand_in_kernel.ts")};
const iopub = await fakeIopub({ file: ${JSON.stringify(`${dir}/kernel-1.json`)} });
const flusher = new OutputFlusher({
  connectionFile: () => iopub.file,
  broadcast: (type, content, { metadata }) => iopub.publish(jupyterFrames(type, metadata, content)),
});
console.log(await flusher.flush(5000, 0));
iopub.unref(); // the kernel's socket stays open, and so does the flusher's subscription
`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG, `${dir}/main.js`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let ended = false;
  const output = child.output().finally(() => ended = true);
  try {
    await until(() => ended, "the child ends with its subscription open");
    const out = await output;
    assertEquals(new TextDecoder().decode(out.stdout), "flushed\n");
  } finally {
    if (!ended) child.kill("SIGKILL");
    await output.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("IopubWatcher.close() can be called again", async () => {
  const iopub = await fakeIopub();
  const watcher = await IopubWatcher.connect(iopub.file);
  try {
    watcher.close();
    watcher.close();
  } finally {
    await iopub.close();
  }
});

Deno.test("OutputFlusher subscribes again after the kernel closed its IOPub connection", async () => {
  await withPublishingFlusher({}, async (flusher, iopub) => {
    assertEquals(await flusher.flush(5000, 0), "flushed");
    iopub.disconnect();
    // A flush or two only wait, until the flusher has noticed; then it subscribes again.
    const results = [];
    for (let i = 0; i < 5 && results.at(-1) !== "flushed"; i++) {
      results.push(await flusher.flush(2000, 0));
    }
    assertEquals(results.at(-1), "flushed", `results ${results}`);
    assertEquals(iopub.connections, 2);
  });
});

Deno.test("OutputFlusher sends no marker under a time limit of 0, on a new subscription too", async () => {
  const iopub = await fakeIopub();
  const host = publishingHost(iopub);
  const flusher = new OutputFlusher(host);
  try {
    assertEquals(await flusher.flush(0, 0), "waited");
    assertEquals(host.markers, 0);
  } finally {
    await flusher.close();
    await iopub.close();
  }
});

Deno.test("OutputFlusher sends one marker and waits for it once the subscription works", async () => {
  const iopub = await fakeIopub();
  let markers = 0, slow = false;
  const flusher = new OutputFlusher({
    connectionFile: () => iopub.file,
    broadcast(type, content, { metadata }) {
      markers++;
      // A kernel that takes well over the first flush's 250 ms to publish.
      const publish = () => iopub.publish(jupyterFrames(type, metadata, content));
      if (!slow) return publish();
      setTimeout(publish, 1000);
    },
  });
  try {
    assertEquals(await flusher.flush(5000, 0), "flushed");
    slow = true;
    markers = 0;
    const timers = await watchTimers(async () => {
      assertEquals(await flusher.flush(5000, 0), "flushed");
    });
    assertEquals(markers, 1);
    assertEquals(timers.pending, 0, "no timer left running");
  } finally {
    await flusher.close();
    await iopub.close();
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
