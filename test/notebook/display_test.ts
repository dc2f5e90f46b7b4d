import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  display,
  html,
  inJupyter,
  liveDisplay,
  md,
  plainText,
  setDisplayTarget,
  svg,
} from "../../lib/notebook/display.ts";
import { inFakeKernel, type SentDisplay } from "../_fake_kernel.ts";

function assertStringIncludes(actual: string, expected: string): void {
  assert(actual.includes(expected), `expected ${JSON.stringify(actual)} to include ${expected}`);
}

type Sent = SentDisplay;

/** Runs `fn` as in a terminal or log; returns what went to stdout and stderr. */
async function outsideKernel(
  fn: () => Promise<void> | void,
  { terminal = false, columns = 120 } = {},
): Promise<{ out: string[]; err: string }> {
  const out: string[] = [];
  let err = "";
  const restore = setDisplayTarget({
    jupyter: null,
    stdout: (t) => out.push(t),
    stderr: (t) => err += t,
    stderrIsTerminal: terminal,
    columns,
  });
  try {
    await fn();
  } finally {
    restore();
  }
  return { out, err };
}

Deno.test("inJupyter() is false under deno test and true with an injected kernel", async () => {
  assertEquals(inJupyter(), false);
  let inside = false;
  await inFakeKernel(() => {
    inside = inJupyter();
  });
  assert(inside);
  assertEquals(inJupyter(), false, "the restore function puts the default target back");
});

Deno.test("md() sends a markdown bundle in Jupyter and prints the source outside", async () => {
  const sent = await inFakeKernel(() => md("## 1. Load the ratings"));
  assertEquals(sent, [{
    obj: { "text/markdown": "## 1. Load the ratings", "text/plain": "## 1. Load the ratings" },
    options: { raw: true },
  }]);
  const { out } = await outsideKernel(() => md("**RMSE** 0.874"));
  assertEquals(out, ["**RMSE** 0.874"]);
});

Deno.test("html() renders in Jupyter and prints tag-free text outside", async () => {
  const markup = "<p>Train <b>80,668</b> &amp; test <b>20,168</b></p><p>done</p>";
  const sent = await inFakeKernel(() => html(markup));
  assertEquals((sent[0].obj as Record<string, string>)["text/html"], markup);
  const { out } = await outsideKernel(() => html(markup));
  assertEquals(out, ["Train 80,668 & test 20,168\ndone"]);
});

Deno.test("svg() sends image/svg+xml in Jupyter and a size summary outside", async () => {
  const markup =
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><circle r="4"/></svg>';
  const sent = await inFakeKernel(() => svg(markup));
  assertEquals(sent[0].obj, { "image/svg+xml": markup, "text/plain": "[svg 20×10]" });
  const { out } = await outsideKernel(() => svg(markup));
  assertEquals(out, ["[svg 20×10]"]);
});

Deno.test("md(), html() and svg() reject what is not text of their kind", () => {
  assertThrows(() => md(42 as unknown as string), TypeError, "expected markdown text as a string");
  assertThrows(() => html(undefined as unknown as string), TypeError, "found undefined");
  assertThrows(() => svg("<div>not svg</div>"), TypeError, 'found "<div>not svg</div>"');
});

Deno.test("display() prints an array of records as an aligned text table outside Jupyter", async () => {
  const rows = [
    { model: "dot", rmse: 0.91234567 },
    { model: "dot + bias", rmse: 0.87 },
  ];
  const { out } = await outsideKernel(() => display(rows));
  assertEquals(out[0].split("\n"), [
    "model         rmse",
    "----------  ------",
    "dot         0.9123",
    "dot + bias    0.87",
  ]);
});

Deno.test("display() sends an array of records as an HTML table in Jupyter", async () => {
  const sent = await inFakeKernel(() => display([{ title: "Fargo (1996)", votes: 508 }]));
  const bundle = sent[0].obj as Record<string, string>;
  assertStringIncludes(bundle["text/html"], "<th>title</th><th>votes</th>");
  assertStringIncludes(bundle["text/html"], '<td style="text-align:right">508</td>');
  assertStringIncludes(bundle["text/plain"], "Fargo (1996)");
  assertEquals(sent[0].options, { raw: true });
});

Deno.test("display() uses a value's Jupyter.display bundle, and its text/plain outside", async () => {
  const figure = {
    [Symbol.for("Jupyter.display")]: () => ({
      "text/html": "<svg></svg>",
      "text/plain": "[figure: loss curves, 2 series, 30 points]",
    }),
  };
  const sent = await inFakeKernel(() => display(figure, { id: "fig" }));
  assertEquals(sent[0].options, { raw: true, display_id: "fig" });
  assertEquals((sent[0].obj as Record<string, string>)["text/html"], "<svg></svg>");
  const { out } = await outsideKernel(() => display(figure));
  assertEquals(out, ["[figure: loss curves, 2 series, 30 points]"]);
});

Deno.test("display() replaces a named output when asked to update it", async () => {
  const sent = await inFakeKernel(async () => {
    await display("first", { id: "status" });
    await display("second", { id: "status", update: true });
  });
  assertEquals(sent, [
    { obj: { "text/plain": "first" }, options: { raw: true, display_id: "status" } },
    {
      obj: { "text/plain": "second" },
      options: { raw: true, display_id: "status", update: true },
    },
  ]);
  await inFakeKernel(async () => {
    await assertRejects(() => display("x", { update: true }), TypeError, "needs the id");
  });
});

Deno.test("display() leaves other values to the kernel's own formatter", async () => {
  const value = new Map([["a", 1]]);
  const sent = await inFakeKernel(() => display(value));
  assertEquals(sent, [{ obj: value, options: { raw: false } }]);
});

Deno.test("plainText() prints a DataFrame-like value with its own toString()", async () => {
  const df = {
    schema: {},
    head: () => df,
    toRecords: () => [],
    toString: () => "shape: (1, 1)\n┌─────┐\n│ a   │",
  };
  assertEquals(await plainText(df), "shape: (1, 1)\n┌─────┐\n│ a   │");
  assertEquals(await plainText(3.5), "3.5");
});

Deno.test("liveDisplay() shows one Jupyter output and updates it in place", async () => {
  let clock = 0;
  const sent = await inFakeKernel(async () => {
    const line = liveDisplay("epoch 1/3", { now: () => clock });
    clock = 50;
    line.update("epoch 1/3 batch 10"); // held back: less than 100 ms since the last update
    clock = 150;
    line.update("epoch 2/3"); // shown
    line.update("epoch 2/3"); // same text, nothing to send
    clock = 400;
    line.update("epoch 3/3");
    await line.close("done: val_loss 0.81");
  });
  const id = sent[0].options?.display_id;
  assertMatch(String(id), /^live-/);
  assertEquals(sent.map((s) => [(s.obj as Record<string, string>)["text/plain"], s.options]), [
    ["epoch 1/3", { raw: true, display_id: id }],
    ["epoch 2/3", { raw: true, update: true, display_id: id }],
    ["epoch 3/3", { raw: true, update: true, display_id: id }],
    ["done: val_loss 0.81", { raw: true, update: true, display_id: id }],
  ]);
});

Deno.test("liveDisplay() shows the held-back latest text when it closes", async () => {
  let clock = 0;
  const sent = await inFakeKernel(async () => {
    const line = liveDisplay("start", { now: () => clock });
    clock = 10;
    line.update("almost");
    line.update("latest");
    await line.close();
  });
  assertEquals(sent.map((s) => (s.obj as Record<string, string>)["text/plain"]), [
    "start",
    "latest",
  ]);
});

Deno.test("liveDisplay() gives each line its own display id", async () => {
  const sent = await inFakeKernel(async () => {
    await liveDisplay("a").close();
    await liveDisplay("b").close();
  });
  assert(sent[0].options?.display_id !== sent[1].options?.display_id);
});

Deno.test("liveDisplay() rewrites one stderr line with \\r in a terminal", async () => {
  let clock = 0;
  const { out, err } = await outsideKernel(async () => {
    const line = liveDisplay("epoch 1", { now: () => clock });
    clock = 200;
    line.update("epoch 2");
    await line.close();
  }, { terminal: true });
  assertEquals(out, []);
  assertEquals(err, "\r\x1b[2Kepoch 1\r\x1b[2Kepoch 2\n");
});

Deno.test("liveDisplay() cuts terminal lines to the terminal width", async () => {
  const { err } = await outsideKernel(async () => {
    await liveDisplay("x".repeat(100)).close();
  }, { terminal: true, columns: 31 });
  assertEquals(err, `\r\x1b[2K${"x".repeat(29)}…\n`);
});

Deno.test("liveDisplay() writes occasional full lines when stderr is a log", async () => {
  let clock = 0;
  const { err } = await outsideKernel(async () => {
    const line = liveDisplay("epoch 1", { now: () => clock, logIntervalMs: 1000 });
    clock = 500;
    line.update("epoch 2"); // too soon for a log line
    clock = 1200;
    line.update("epoch 3");
    await line.close("finished");
  });
  assertEquals(err, "epoch 1\nepoch 3\nfinished\n");
});

Deno.test("liveDisplay() in silent mode sends nothing but keeps the text", async () => {
  const sent = await inFakeKernel(async () => {
    const line = liveDisplay("a", { mode: "silent" });
    line.update("b");
    assertEquals(line.text, "b");
    await line.close();
  });
  assertEquals(sent, []);
});

Deno.test("liveDisplay() ignores updates after close() and closing twice", async () => {
  const sent = await inFakeKernel(async () => {
    const line = liveDisplay("a", { minIntervalMs: 0 });
    await line.close("b");
    line.update("c");
    await line.close("d");
    assertEquals(line.text, "b");
  });
  assertEquals(sent.length, 2);
});

Deno.test("liveDisplay() rejects bad options and non-text updates", async () => {
  assertThrows(
    () => liveDisplay("x", { mode: "fancy" as "auto" }),
    TypeError,
    'unknown mode "fancy"',
  );
  assertThrows(() => liveDisplay("x", { minIntervalMs: -1 }), RangeError, "minIntervalMs >= 0");
  assertThrows(() => liveDisplay(7 as unknown as string), TypeError, "found number");
  await outsideKernel(() => {
    assertThrows(() => liveDisplay("x", { mode: "jupyter" }), TypeError, "needs the Deno Jupyter");
    const line = liveDisplay("x", { mode: "silent" });
    assertThrows(() => line.update(null as unknown as string), TypeError, "found object");
  });
});

Deno.test("liveDisplay().close() rejects when the kernel failed to show an update", async () => {
  const restore = setDisplayTarget({
    jupyter: { display: () => Promise.reject(new Error("iopub closed")) },
  });
  try {
    const line = liveDisplay("a");
    await assertRejects(() => line.close("b"), Error, "iopub closed");
  } finally {
    restore();
  }
});
