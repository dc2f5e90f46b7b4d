import { assert, assertEquals, assertThrows } from "@std/assert";
import { codeCells, OutputCollector, type WsMessage } from "../../../tools/browser/kernel_ws.ts";
import { parseArgs } from "../../../tools/browser/main.ts";
import {
  connectionFileFrom,
  flushToken,
  zmtpFrame,
  ZmtpReader,
} from "../../../tools/browser/output_flush.ts";
import { serverArgs } from "../../../tools/browser/server.ts";
import { applyMitigation, MITIGATION_LINE } from "../../../tools/browser/workspace.ts";

const message = (
  type: string,
  parent: string,
  content: Record<string, unknown>,
): WsMessage => ({
  header: { msg_id: crypto.randomUUID(), msg_type: type },
  parent_header: { msg_id: parent },
  metadata: {},
  content,
  channel: "iopub",
});

Deno.test("OutputCollector routes outputs by request, merges streams and applies display updates", () => {
  const collector = new OutputCollector();
  collector.track("a");
  collector.track("b");
  collector.add(message("stream", "a", { name: "stdout", text: "one\n" }));
  collector.add(message("stream", "a", { name: "stdout", text: "two\n" }));
  collector.add(message("display_data", "a", {
    data: { "text/plain": "epoch 1" },
    metadata: {},
    transient: { display_id: "live" },
  }));
  collector.add(message("update_display_data", "a", {
    data: { "text/plain": "3 epochs" },
    metadata: {},
    transient: { display_id: "live" },
  }));
  collector.add(message("execute_result", "b", {
    data: { "text/plain": "42" },
    metadata: {},
    execution_count: 2,
  }));
  assert(!collector.add(message("status", "b", { execution_state: "idle" })));
  assert(collector.add(message("stream", "unknown", { name: "stdout", text: "stray\n" })));
  assertEquals(collector.outputs("a"), [
    { output_type: "stream", name: "stdout", text: "one\ntwo\n" },
    { output_type: "display_data", data: { "text/plain": "3 epochs" }, metadata: {} },
  ]);
  assertEquals(collector.outputs("b"), [
    {
      output_type: "execute_result",
      data: { "text/plain": "42" },
      metadata: {},
      execution_count: 2,
    },
  ]);
  assertEquals(collector.strays.length, 1);
});

Deno.test("OutputCollector clears a cell's outputs on clear_output, at the next output with wait", () => {
  const collector = new OutputCollector();
  collector.track("a");
  collector.add(message("stream", "a", { name: "stdout", text: "old\n" }));
  collector.add(message("clear_output", "a", { wait: true }));
  assertEquals(collector.outputs("a").length, 1);
  collector.add(message("stream", "a", { name: "stdout", text: "new\n" }));
  assertEquals(collector.outputs("a"), [{ output_type: "stream", name: "stdout", text: "new\n" }]);
  collector.add(message("clear_output", "a", { wait: false }));
  assertEquals(collector.outputs("a"), []);
});

Deno.test("codeCells() lists code cells with their notebook index and joined source", () => {
  const nb = {
    cells: [
      { cell_type: "markdown", source: "# title" },
      { cell_type: "code", source: ["const a = 1;\n", "a;"] },
      { cell_type: "code", source: "" },
    ],
  };
  assertEquals(codeCells(nb), [{ cell: 1, source: "const a = 1;\na;" }, { cell: 2, source: "" }]);
  assertThrows(() => codeCells({}), TypeError, "expected an nbformat 4 notebook");
});

Deno.test("ZmtpReader reassembles messages split anywhere and skips commands", () => {
  const enc = new TextEncoder();
  const long = enc.encode("x".repeat(300));
  const bytes = new Uint8Array([
    ...zmtpFrame(enc.encode("READY"), { command: true }),
    ...zmtpFrame(enc.encode("<IDS|MSG>"), { more: true }),
    ...zmtpFrame(long),
    ...zmtpFrame(enc.encode("second")),
  ]);
  const reader = new ZmtpReader();
  const messages = [];
  for (let at = 0; at < bytes.length; at += 7) {
    messages.push(...reader.push(bytes.subarray(at, Math.min(bytes.length, at + 7))));
  }
  assertEquals(messages.map((m) => m.map((f) => f.length)), [[9, 300], [6]]);
});

Deno.test("flushToken() reads the marker from a Jupyter message's metadata frame", () => {
  const enc = new TextEncoder();
  const frames = (metadata: string) =>
    ["<IDS|MSG>", "sig", "{}", "{}", metadata, '{"execution_state":"busy"}'].map((s) =>
      enc.encode(s)
    );
  assertEquals(flushToken(frames('{"deno_output_flush":"t-1"}')), "t-1");
  assertEquals(flushToken(frames("{}")), null);
  assertEquals(flushToken(frames("not json")), null);
  assertEquals(flushToken([enc.encode("no delimiter")]), null);
});

Deno.test("connectionFileFrom() finds the file after --conn on the kernel's command line", () => {
  assertEquals(
    connectionFileFrom(["/usr/bin/deno", "jupyter", "--kernel", "--conn", "/run/k-1.json", ""]),
    "/run/k-1.json",
  );
  assertEquals(connectionFileFrom(["deno", "run", "x.ts"]), null);
});

Deno.test("applyMitigation() prepends the install line to the first code cell only", () => {
  const nb = applyMitigation({
    cells: [
      { cell_type: "markdown", source: "# t" },
      { cell_type: "code", source: ["const A = 1;\n", "A;"] },
      { cell_type: "code", source: "B;" },
    ],
  });
  assertEquals(nb.cells[1].source, MITIGATION_LINE + "const A = 1;\nA;");
  assertEquals(nb.cells[2].source, "B;");
  assertThrows(
    () => applyMitigation({ cells: [] }),
    TypeError,
    "expected a notebook with a code cell",
  );
});

Deno.test("parseArgs() reads the browser test's flags and rejects unknown ones", () => {
  assertEquals(parseArgs(["--notebooks", "02,05", "--runs", "3", "--mitigation"]), {
    notebooks: ["02", "05"],
    runs: 3,
    open: true,
    run: true,
    mitigation: true,
    selfCheck: true,
    json: null,
    notebookDir: null,
  });
  assertEquals(parseArgs(["--no-run"]).runs, 0);
  assertThrows(
    () => parseArgs(["--runs", "-1"]),
    TypeError,
    'expected --runs as an integer >= 0, found "-1"',
  );
  assertThrows(() => parseArgs(["--fast"]), TypeError, 'unknown argument "--fast"');
  assertThrows(() => parseArgs(["--json"]), TypeError, "--json needs a value");
});

Deno.test("serverArgs() keeps the server on 127.0.0.1, with a token, no browser and its own notary", () => {
  const args = serverArgs({ root: "/tmp/r", port: 8123, token: "t0k", notaryDir: "/tmp/n" });
  for (
    const flag of [
      "--no-browser",
      "--ip=127.0.0.1",
      "--port=8123",
      "--port-retries=0",
      "--notebook-dir=/tmp/r",
      "--NotebookApp.token=t0k",
      "--NotebookNotary.data_dir=/tmp/n",
      "--NotebookNotary.db_file=:memory:",
    ]
  ) assert(args.includes(flag), flag);
});
