import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { CdpClient, CdpError, type SocketLike } from "../../../tools/browser/cdp.ts";
import { chromiumArgs, devtoolsUrl, launchChromium } from "../../../tools/browser/chromium.ts";
import { dirname } from "node:path";

/** A socket that records what is sent and lets the test play the browser. */
class FakeSocket implements SocketLike {
  sent: Record<string, unknown>[] = [];
  closedByClient = false;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closedByClient = true;
  }
  reply(message: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

Deno.test("CdpClient.send() resolves with the result of the reply that has its id", async () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket);
  const first = cdp.send("Browser.getVersion");
  const second = cdp.send("Runtime.evaluate", { expression: "1 + 1" }, "session-1");
  assertEquals(socket.sent, [
    { id: 1, method: "Browser.getVersion", params: {} },
    { id: 2, method: "Runtime.evaluate", params: { expression: "1 + 1" }, sessionId: "session-1" },
  ]);
  socket.reply({ id: 2, result: { result: { value: 2 } } });
  socket.reply({ id: 1, result: { product: "Chrome/156" } });
  assertEquals(await first, { product: "Chrome/156" });
  assertEquals(await second, { result: { value: 2 } });
  cdp.close();
});

Deno.test("CdpClient.send() rejects with a CdpError naming the method on an error reply", async () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket);
  const pending = cdp.send("Page.navigate", { url: "http://127.0.0.1:1/" });
  socket.reply({ id: 1, error: { code: -32000, message: "Cannot navigate to invalid URL" } });
  const error = await assertRejects(() => pending, CdpError, "Page.navigate: Cannot navigate");
  assertEquals(error.code, -32000);
  cdp.close();
});

Deno.test("CdpClient.send() rejects when no reply comes in time, and ignores the late reply", async () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket, { timeoutMs: 10 });
  await assertRejects(
    () => cdp.send("Page.enable"),
    CdpError,
    "Page.enable: no reply within 10 ms",
  );
  socket.reply({ id: 1, result: {} }); // must not throw
  assertEquals(cdp.malformed, []);
  cdp.close();
});

Deno.test("CdpClient fails pending commands and waits when the connection closes", async () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket);
  const command = cdp.send("Runtime.evaluate");
  const event = cdp.waitFor("Page.loadEventFired");
  socket.onclose?.({});
  await assertRejects(() => command, CdpError, "the DevTools connection closed");
  await assertRejects(() => event, CdpError, "the DevTools connection closed");
  await assertRejects(() => cdp.send("Page.enable"), CdpError, "closed");
  assert(cdp.closed);
});

Deno.test("CdpClient dispatches events by method and by session", async () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket);
  const all: unknown[] = [];
  const ofA: unknown[] = [];
  const off = cdp.on("Runtime.consoleAPICalled", (params) => all.push(params.type));
  cdp.on("Runtime.consoleAPICalled", (params) => ofA.push(params.type), "A");
  const loaded = cdp.waitFor("Page.loadEventFired", {
    sessionId: "B",
    predicate: (p) => p.timestamp === 2,
  });
  socket.reply({ method: "Runtime.consoleAPICalled", params: { type: "log" }, sessionId: "A" });
  socket.reply({ method: "Runtime.consoleAPICalled", params: { type: "error" }, sessionId: "B" });
  socket.reply({ method: "Page.loadEventFired", params: { timestamp: 1 }, sessionId: "B" });
  socket.reply({ method: "Page.loadEventFired", params: { timestamp: 2 }, sessionId: "A" });
  socket.reply({ method: "Page.loadEventFired", params: { timestamp: 2 }, sessionId: "B" });
  assertEquals(await loaded, { timestamp: 2 });
  off();
  socket.reply({ method: "Runtime.consoleAPICalled", params: { type: "info" }, sessionId: "A" });
  assertEquals(all, ["log", "error"]);
  assertEquals(ofA, ["log", "info"]);
  cdp.close();
});

Deno.test("CdpClient keeps frames that are not protocol messages aside", () => {
  const socket = new FakeSocket();
  const cdp = new CdpClient(socket);
  socket.onmessage?.({ data: "not json" });
  socket.onmessage?.({ data: '{"neither": "reply nor event"}' });
  socket.onmessage?.({ data: new Uint8Array([1]) });
  assertEquals(cdp.malformed.length, 3);
  cdp.close();
  assert(socket.closedByClient);
});

Deno.test("CdpClient.waitFor() rejects after its time limit", async () => {
  const cdp = new CdpClient(new FakeSocket());
  await assertRejects(
    () => cdp.waitFor("Page.loadEventFired", { timeoutMs: 5 }),
    CdpError,
    "no Page.loadEventFired event within 5 ms",
  );
  cdp.close();
});

Deno.test("CdpClient rejects a non-positive time limit and URLs off this machine", async () => {
  assertThrows(
    () => new CdpClient(new FakeSocket(), { timeoutMs: 0 }),
    RangeError,
    "timeoutMs > 0",
  );
  await assertRejects(
    () => CdpClient.connect("ws://example.com:9222/devtools/browser/x"),
    TypeError,
    "expected a ws://127.0.0.1 URL",
  );
});

Deno.test("devtoolsUrl() finds the browser's 127.0.0.1 endpoint in its stderr", () => {
  const stderr = "[0101/000000.1:ERROR:x.cc] noise\n" +
    "DevTools listening on ws://127.0.0.1:43017/devtools/browser/8e1c-42\nmore";
  assertEquals(devtoolsUrl(stderr), "ws://127.0.0.1:43017/devtools/browser/8e1c-42");
  assertEquals(devtoolsUrl("DevTools listening on ws://0.0.0.0:1/devtools/browser/x"), null);
});

Deno.test("chromiumArgs() starts a headless browser on a fresh profile, DevTools on 127.0.0.1", () => {
  const args = chromiumArgs("/tmp/profile-x");
  for (
    const flag of [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--user-data-dir=/tmp/profile-x",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
    ]
  ) assert(args.includes(flag), flag);
});

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

Deno.test({
  name: "launchChromium() keeps the browser's temporary files in its profile, removed with it",
  ignore: !(await Deno.stat(CHROMIUM).then((s) => s.isFile, () => false)),
  async fn() {
    const profile = await Deno.makeTempDir({ prefix: "chromium-test-" });
    let socketDir: string | null = null;
    try {
      const browser = await launchChromium({ executable: CHROMIUM, userDataDir: profile });
      try {
        // The profile's SingletonSocket links to the socket in Chromium's own temporary folder.
        socketDir = dirname(await Deno.readLink(`${profile}/SingletonSocket`));
        assert(socketDir.startsWith(`${profile}/`), `${socketDir} is outside ${profile}`);
      } finally {
        await browser.close();
      }
    } finally {
      await Deno.remove(profile, { recursive: true });
      if (socketDir && !socketDir.startsWith(`${profile}/`)) {
        await Deno.remove(socketDir, { recursive: true }).catch(() => {});
      }
    }
  },
});
