import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  display,
  html,
  inJupyter,
  md,
  plainText,
  restoreDisplay,
  setDisplayTarget,
  setupDisplay,
  svg,
} from "../../lib/notebook/display.ts";
import { liveDisplay } from "../../lib/notebook/live.ts";
import pl from "nodejs-polars";
import { inFakeKernel } from "../_fake_kernel.ts";

function assertStringIncludes(actual: string, expected: string): void {
  assert(actual.includes(expected), `expected ${JSON.stringify(actual)} to include ${expected}`);
}

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
    "dot + bias  0.8700", // the column's decimals, within its 4 digits
  ]);
});

Deno.test("display() sends an array of records as an HTML table in Jupyter", async () => {
  const sent = await inFakeKernel(() => display([{ title: "Fargo (1996)", votes: 508 }]));
  const bundle = sent[0].obj as Record<string, string>;
  assertStringIncludes(
    bundle["text/html"],
    '<th>title</th><th style="text-align:right">votes</th>',
  );
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

Deno.test("display() shows a Map, a typed array and a plain object as tables, never a dump", async () => {
  const sent = await inFakeKernel(async () => {
    await display(new Map([["Fargo (1996)", 508]]));
    await display(new Float32Array([0, 1 / 9, 0.25]));
    await display({ mse: 0.7086123456, mae: 0.6612345678, n: 20168 });
  });
  assertEquals(sent.map((m) => m.options), [{ raw: true }, { raw: true }, { raw: true }]);
  const text = sent.map((m) => (m.obj as Record<string, string>)["text/plain"]);
  assertEquals(text[0], "key           value\n------------  -----\nFargo (1996)    508");
  assertEquals(text[1].split("\n").slice(2), ["    0       0", "    1  0.1111", "    2  0.2500"]);
  assertEquals(text[2].split("\n")[2], "0.7086  0.6612  20,168");
  for (const m of sent) {
    const html = (m.obj as Record<string, string>)["text/html"];
    assertStringIncludes(html, "<table>");
    const dump = /Float32Array|\[object Object\]/.test(html + text.join(""));
    assert(!dump && !(html + text.join("")).includes("\u001b["), html);
  }
});

Deno.test("display() shows a class instance as colourless text and a number as itself", async () => {
  class Point {
    constructor(readonly x: number, readonly y: number) {}
  }
  const sent = await inFakeKernel(async () => {
    await display(new Point(1, 2));
    await display(0.70861234567);
  });
  assertEquals(sent[0].obj, { "text/plain": "Point { x: 1, y: 2 }" });
  assertEquals(sent[1].obj, { "text/plain": "0.7086" });
});

Deno.test("plainText() prints a DataFrame as a readable table and a number rounded", async () => {
  const df = pl.DataFrame({ model: ["mlp", "mean"], mae: [0.7274058259197065, null] });
  assertEquals(await plainText(df), "model     mae\n-----  ------\nmlp    0.7274\nmean");
  assertEquals(await plainText(3.5), "3.5");
  assertEquals(await plainText(1234567), "1,234,567");
});

Deno.test("setupDisplay() makes Deno's kernel show DataFrames, Series and objects as tables", () => {
  const show = Symbol.for("Jupyter.display");
  type Shown = Record<symbol, () => Record<string, string>>;
  setupDisplay({ columns: { n: "integer" } });
  try {
    const df = pl.DataFrame({
      model: ["global mean", "mlp"],
      mae: [0.8329182908157657, 0.7274058259197065],
      "share of rows": [0.0016500000000000002, 0.5],
      n: [15126.4, null],
      movieId: [1234, 99],
    });
    for (const frame of [df, df.sort("mae"), pl.concat([df, df])]) {
      const bundle = (frame as unknown as Shown)[show]();
      assertEquals(Object.keys(bundle), ["text/html", "text/plain"], "no raw data resource");
      assert(!bundle["text/html"].includes("null"), bundle["text/html"]);
      assert(!/\d{7}/.test(bundle["text/html"]), bundle["text/html"]);
    }
    const text = (df as unknown as Shown)[show]()["text/plain"].split("\n");
    assertEquals(text[2], "global mean  0.8329        0.00165  15,126     1234");
    assertEquals(text[3], "mlp          0.7274          0.500               99");
    const series = (df.getColumn("mae") as unknown as Shown)[show]()["text/plain"];
    assertEquals(series, "   mae\n------\n0.8329\n0.7274");
    const object = ({ a: 1 / 3 } as unknown as Shown)[show]()["text/plain"];
    assertEquals(object, "     a\n------\n0.3333");
    assertEquals(Deno.noColor, true, "bare strings and numbers lose their colour codes");
  } finally {
    restoreDisplay();
  }
  assertEquals(show in {}, false);
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

Deno.test("plainText() sums up a value shown only as an svg by its size", async () => {
  const picture = {
    [Symbol.for("Jupyter.display")]: () => ({
      "image/svg+xml": '<svg width="640" height="400"></svg>',
    }),
  };
  assertEquals(await plainText(picture), "[svg 640×400]");
});

Deno.test("restoreDisplay() brings back the default table digits that setupDisplay() changed", async () => {
  setupDisplay({ digits: 2 });
  try {
    assertEquals(await plainText({ a: 1 / 3 }), "   a\n----\n0.33");
  } finally {
    restoreDisplay();
  }
  assertEquals(await plainText({ a: 1 / 3 }), "     a\n------\n0.3333");
});

Deno.test("setupDisplay({ maxRows }) sets the rows a table shows; restoreDisplay() brings back 50", async () => {
  const frame = pl.DataFrame({ n: Array.from({ length: 60 }, (_, i) => i) });
  const rows = async () => (await plainText(frame)).split("\n").filter((l) => /^ *\d+$/.test(l));
  setupDisplay({ maxRows: 3 });
  try {
    assertEquals(await rows(), ["0", "1", "2"]);
    assert((await plainText(frame)).includes("57 more rows"), await plainText(frame));
  } finally {
    restoreDisplay();
  }
  assertEquals((await rows()).length, 20); // the text form of a table longer than 40
  assert((await plainText(frame)).includes("40 more rows"));
  assertThrows(() => setupDisplay({ maxRows: 0 }), RangeError, "setupDisplay(): expected maxRows");
});

Deno.test("liveDisplay().close() rejects a final text that is not text", async () => {
  const line = liveDisplay("x", { mode: "silent" });
  await assertRejects(
    () => line.close(42 as unknown as string),
    TypeError,
    "LiveDisplay.close",
  );
  await line.close();
});
