import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  indexedCodeCells,
  OutputCollector,
  referenceErrors,
  runReference,
  type WsMessage,
} from "../../../tools/browser/kernel_ws.ts";
import { parseArgs, selectNotebooks, serverEnv, USAGE } from "../../../tools/browser/main.ts";
import { assertHelp, assertUsageError, assertUsageMatches, runProgram } from "../_usage.ts";
import { type NotebookServer, serverArgs } from "../../../tools/browser/server.ts";

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

Deno.test("indexedCodeCells() lists code cells with their 0-based notebook index and joined source", () => {
  const nb = {
    cells: [
      { cell_type: "markdown", source: "# title" },
      { cell_type: "code", source: ["const a = 1;\n", "a;"] },
      { cell_type: "code", source: "" },
    ],
  };
  assertEquals(indexedCodeCells(nb), [
    { index: 1, source: "const a = 1;\na;" },
    { index: 2, source: "" },
  ]);
  assertThrows(() => indexedCodeCells({}), TypeError, "expected an nbformat 4 notebook");
});

/**
 * A stand-in for Notebook 6's kernel API: one session, a WebSocket that answers kernel_info,
 * and runs a cell by publishing an error when its code says `throw`, nothing at all (no idle,
 * no reply) when it says `hang`, and otherwise only the idle status and the reply.
 */
function fakeNotebookServer(): {
  server: Pick<NotebookServer, "baseUrl" | "token" | "api">;
  close(): Promise<void>;
} {
  const reply = (socket: WebSocket, parent: string, channel: string, type: string, content = {}) =>
    socket.send(JSON.stringify({
      header: { msg_id: crypto.randomUUID(), msg_type: type },
      parent_header: { msg_id: parent },
      metadata: {},
      content,
      channel,
    }));
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      const id = msg.header.msg_id;
      if (msg.header.msg_type === "kernel_info_request") {
        reply(socket, id, "shell", "kernel_info_reply");
        return;
      }
      if (msg.content.code.includes("hang")) return;
      if (msg.content.code.includes("throw")) {
        reply(socket, id, "iopub", "error", { ename: "Error", evalue: "boom", traceback: [] });
      }
      reply(socket, id, "iopub", "status", { execution_state: "idle" });
      reply(socket, id, "shell", "execute_reply", { status: "ok" });
    };
    return response;
  });
  const server = {
    baseUrl: `http://127.0.0.1:${http.addr.port}/`,
    token: "t",
    api: <T>(method: string) =>
      Promise.resolve((method === "POST" ? { id: "s", kernel: { id: "k" } } : {}) as T),
  };
  return { server, close: () => http.shutdown() };
}

const MARKDOWN_FIRST = {
  cells: [
    { cell_type: "markdown", source: "# Title" },
    { cell_type: "code", source: "1" },
    { cell_type: "markdown", source: "Now it fails." },
    { cell_type: "code", source: "throw new Error('boom')" },
  ],
};

Deno.test("runReference() numbers an error's cell from 1 among all cells, markdown included", async () => {
  const { server, close } = fakeNotebookServer();
  try {
    const run = await runReference(server, "nb.ipynb", indexedCodeCells(MARKDOWN_FIRST), {
      quietMs: 0,
    });
    assertEquals(run.cells.map((c) => c.cell), [1, 3]);
    assertEquals(referenceErrors(run.cells), ["cell 4: Error: boom"]);
  } finally {
    await close();
  }
});

Deno.test("runReference() names a cell that does not finish by its number among all cells", async () => {
  const { server, close } = fakeNotebookServer();
  const nb = { cells: [...MARKDOWN_FIRST.cells, { cell_type: "code", source: "hang" }] };
  try {
    await assertRejects(
      () =>
        runReference(server, "nb.ipynb", indexedCodeCells(nb), { quietMs: 0, cellTimeoutMs: 300 }),
      Error,
      "nb.ipynb: no end of cell 5 within 0 s",
    );
  } finally {
    await close();
  }
});

Deno.test("parseArgs() reads the browser test's flags and rejects unknown ones", () => {
  assertEquals(parseArgs(["--notebooks", "02,05", "--runs", "3", "--no-flush"]), {
    notebooks: ["02", "05"],
    runs: 3,
    open: true,
    run: true,
    export: true,
    noFlush: true,
    full: false,
    selfCheck: true,
    json: null,
    notebookDir: null,
    help: false,
  });
  assertEquals(parseArgs(["--full"]).full, true);
  assertEquals(parseArgs(["--no-run"]).runs, 0);
  assertEquals(parseArgs(["--no-export"]).export, false);
  assertEquals(parseArgs([]).noFlush, false);
  assertThrows(
    () => parseArgs(["--runs", "-1"]),
    RangeError,
    '--runs: expected an integer ≥ 0, found "-1"',
  );
  assertThrows(() => parseArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
  assertThrows(() => parseArgs(["--mitigation"]), TypeError, 'unknown flag "--mitigation"');
  assertThrows(() => parseArgs(["--json"]), TypeError, "--json: expected a value, found nothing");
});

Deno.test("parseArgs() takes --runs as decimal digits and each flag's value once", () => {
  for (const bad of ["0x2", "1e0", "2.0", ""]) {
    assertThrows(
      () => parseArgs(["--runs", bad]),
      RangeError,
      `--runs: expected an integer ≥ 0, found "${bad}"`,
    );
  }
  assertEquals(parseArgs(["--runs", "0"]).runs, 0);
  assertThrows(
    () => parseArgs(["--runs", "2", "--runs", "3"]),
    TypeError,
    '--runs: expected once, found a second value "3"',
  );
  assertThrows(() => parseArgs(["--json", "a", "--json", "b"]), TypeError, "--json: expected once");
});

Deno.test("parseArgs() gives --help and -h precedence, and reads --json - and values joined by '='", () => {
  for (const args of [["-h"], ["--help"], ["--fast", "--help"], ["--runs", "x", "-h"]]) {
    assertEquals(parseArgs(args).help, true, args.join(" "));
  }
  assertEquals(parseArgs([]).help, false);
  const options = parseArgs(["--notebooks=02,05", "--runs=3", "--json", "-", "--no-self-check"]);
  assertEquals(
    [options.notebooks, options.runs, options.json, options.selfCheck],
    [["02", "05"], 3, "-", false],
  );
  assertThrows(
    () => parseArgs(["--full=yes"]),
    TypeError,
    '--full: expected no value, found "yes"',
  );
  assertThrows(
    () => parseArgs(["--json", "--full"]),
    TypeError,
    '--json: expected a value, found "--full"',
  );
  assertThrows(
    () => parseArgs(["--json", ""]),
    RangeError,
    '--json: expected a file path or -, found ""',
  );
  assertThrows(
    () => parseArgs(["--notebooks", ","]),
    RangeError,
    '--notebooks: expected comma-separated name prefixes (02,05), found ","',
  );
  assertThrows(
    () => parseArgs(["--runs", "2", "--no-run"]),
    TypeError,
    "--runs 2 and --no-run: expected one of them",
  );
  assertEquals(parseArgs(["--runs", "0", "--no-run"]).runs, 0);
});

Deno.test("selectNotebooks() checks --notebooks and --notebook-dir before anything starts", async () => {
  const repo = new URL("../../../", import.meta.url).pathname;
  assertEquals(selectNotebooks(parseArgs([]), repo), undefined);
  assertEquals(selectNotebooks(parseArgs(["--notebooks", "02,05"]), repo), [
    "02_embedding_net.ipynb",
    "05_dlrm_mlp.ipynb",
  ]);
  assertThrows(
    () => selectNotebooks(parseArgs(["--notebooks", "99"]), repo),
    RangeError,
    "--notebooks: expected prefixes of notebooks in ",
  );
  const dir = await Deno.makeTempDir({ prefix: "browser-args-" });
  try {
    assertThrows(
      () => selectNotebooks(parseArgs(["--notebook-dir", dir]), repo),
      RangeError,
      `--notebook-dir: expected a folder of notebooks, found none in ${dir}`,
    );
    await Deno.writeTextFile(`${dir}/07_x.ipynb`, "{}");
    assertEquals(selectNotebooks(parseArgs(["--notebook-dir", dir]), repo), ["07_x.ipynb"]);
    assertThrows(
      () => selectNotebooks(parseArgs(["--notebook-dir", `${dir}/missing`]), repo),
      RangeError,
      `--notebook-dir: expected a folder of notebooks, found "${dir}/missing"`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test:browser --help lists every flag parseArgs() takes", async () => {
  assertUsageMatches(
    USAGE,
    [
      "--notebooks",
      "--notebook-dir",
      "--runs",
      "--full",
      "--no-open",
      "--no-run",
      "--no-export",
      "--no-flush",
      "--no-self-check",
      "--json",
      "-h",
      "--help",
    ],
    (flag) => parseArgs([flag, "1"]),
  );
  await assertHelp("tools/browser/main.ts", USAGE);
});

Deno.test("deno task test:browser names a bad command line in one line, exit status 2, before anything starts", async () => {
  const script = "tools/browser/main.ts";
  await assertUsageError(script, ["--runs", "x"], '--runs: expected an integer ≥ 0, found "x"');
  await assertUsageError(script, ["--fast"], 'unknown flag "--fast"');
  // Before, a prefix that matched no notebook was a set-up error with a stack trace.
  const run = await runProgram(script, ["--notebooks", "99"]);
  assertEquals([run.code, run.stdout], [2, ""]);
  assertEquals(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert(run.stderr.startsWith("--notebooks: expected prefixes of notebooks in "), run.stderr);
  // A --json path that cannot be written, before the run rather than after it.
  const json = await runProgram(script, ["--json", "/dev/null/report.json"]);
  assertEquals(
    [json.code, json.stdout, json.stderr],
    [
      2,
      "",
      "--json: cannot write /dev/null/report.json: it is under /dev, not a place for files\n",
    ],
  );
});

Deno.test("serverEnv() runs small notebooks but with --full, and switches the flush off with --no-flush only", () => {
  assertEquals(serverEnv(parseArgs([]), "/data/movielens"), {
    NB_QUICK: "1",
    NO_COLOR: "1",
    MOVIELENS_DIR: "/data/movielens",
  });
  assertEquals(serverEnv(parseArgs(["--no-flush"])).NB_OUTPUT_FLUSH, "0");
  assertEquals(serverEnv(parseArgs(["--full"]), "/data/movielens"), {
    NB_QUICK: "0",
    NO_COLOR: "1",
    MOVIELENS_DIR: "/data/movielens",
  });
  assertEquals(serverEnv(parseArgs([]), "rel/ml").MOVIELENS_DIR, `${Deno.cwd()}/rel/ml`);
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
