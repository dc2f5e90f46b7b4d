import { assert, assertEquals, assertMatch } from "@std/assert";
import { runWithEnv } from "./_child.ts";
import { IDLE_MESSAGE, interruptDue } from "../lib/_interrupt.ts";

const LIB = new URL("../lib/", import.meta.url).href;

// A SIGINT listener and signals sent to the process: run in a child, never in the test process
// (its Ctrl-C must stay Deno's).
Deno.test("an interrupt stops fit() and fitRanking() after their current step, and training goes on afterwards", async () => {
  const out = await runWithEnv(
    `
import * as tf from "@tensorflow/tfjs";
import { IDLE_MESSAGE, installInterruptHandler, interruptible } from "${LIB}_interrupt.ts";
import { adam, bprLoss, fit, fitRanking, setupBackend } from "${LIB}train/mod.ts";
import { interactionMatrix } from "${LIB}eval/mod.ts";
await setupBackend({ backend: "cpu" });
const idle = [];
const report = (o) => console.log(JSON.stringify(o));
report({ install: installInterruptHandler(() => idle.push(1)), again: installInterruptHandler() });
const interruptSoon = () => setTimeout(() => Deno.kill(Deno.pid, "SIGINT"), 300);
const caught = async (run) => {
  try { await run(); return null; } catch (e) { return { name: e.name, message: e.message }; }
};
// fit(), with no progress line (verbose 0): the loop yields on its own to take the signal.
const x = tf.randomNormal([2000, 8], 0, 1, "float32", 1), y = tf.randomNormal([2000], 0, 1, "float32", 2);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [8] })] });
model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
interruptSoon();
const t0 = performance.now();
report({ fit: await caught(() => fit(model, { x, y }, { epochs: 300, batchSize: 1, verbose: 0 })),
  seconds: (performance.now() - t0) / 1000 });
const after = await fit(model, { x, y }, { epochs: 1, batchSize: 500, verbose: 0 });
report({ after: after.history.loss.map(Number.isFinite) });
// fitRanking(), the same.
const u = [], m = [];
for (let i = 0; i < 400; i++) { u.push(i % 40); m.push((i * 7) % 50); }
const positives = interactionMatrix(u, m, 40, 50);
const tables = {
  userFactors: tf.variable(tf.randomNormal([40, 4], 0, 0.1, "float32", 3)),
  movieFactors: tf.variable(tf.randomNormal([50, 4], 0, 0.1, "float32", 4)),
};
interruptSoon();
const options = { loss: bprLoss, optimizer: adam({ learningRate: 0.01 }), batchUsers: 1, negatives: 2, verbose: 0 };
report({ ranking: await caught(() => fitRanking(tables, positives, { ...options, epochs: 3000 })) });
report({ rankingAfter: (await fitRanking(tables, positives, { ...options, epochs: 1 })).epoch.length });
// An interrupt while nothing runs: the idle callback, and no error later.
Deno.kill(Deno.pid, "SIGINT");
await new Promise((r) => setTimeout(r, 300));
const late = await caught(() => interruptible(() => fit(model, { x, y }, { epochs: 2, batchSize: 500, verbose: 0 })));
report({ idle: idle.length, late, message: IDLE_MESSAGE });
Deno.exit(0); // the signal listener would keep the process alive
`,
    {},
  );
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(lines[0], { install: "installed", again: "already installed" });
  const { fit, seconds } = lines[1];
  assertEquals(fit?.name, "Interrupted", "fit() ran its 300 epochs to the end");
  assertMatch(
    fit.message,
    /^stopped by Kernel › Interrupt in epoch \d+, batch \d+\/2000: the model keeps/,
  );
  assert(seconds < 5, `stopped after ${seconds} s`);
  assertEquals(lines[2], { after: [true] });
  assertEquals(lines[3].ranking?.name, "Interrupted", "fitRanking() ran its 3000 epochs");
  assertMatch(lines[3].ranking.message, /in epoch \d+, batch \d+\/40:/);
  assertEquals(lines[4], { rankingAfter: 1 });
  assertEquals([lines[5].idle, lines[5].late], [1, null]);
  assertMatch(lines[5].message, /nothing was stopped/);
});

Deno.test("an interrupt during synchronous work is taken by the training loop that follows", async () => {
  const out = await runWithEnv(
    `
import * as tf from "@tensorflow/tfjs";
import { installInterruptHandler } from "${LIB}_interrupt.ts";
import { fit, setupBackend } from "${LIB}train/mod.ts";
await setupBackend({ backend: "cpu" });
const idle = [];
installInterruptHandler(() => idle.push(1));
const x = tf.randomNormal([500, 4], 0, 1, "float32", 1), y = tf.randomNormal([500], 0, 1, "float32", 2);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
// Another process sends the signal while this one is busy, as Jupyter does.
new Deno.Command("sh", { args: ["-c", \`sleep 0.3; kill -INT \${Deno.pid}\`] }).spawn();
const t0 = performance.now();
while (performance.now() - t0 < 1500) { /* scoring, item-kNN, EASE: no await */ }
let error = null;
try { await fit(model, { x, y }, { epochs: 200, batchSize: 1, verbose: 0 }); }
catch (e) { error = e.name; }
console.log(JSON.stringify({ error, idle: idle.length }));
Deno.exit(0);
`,
    {},
  );
  assertEquals(JSON.parse(out.trim()), { error: "Interrupted", idle: 0 });
});

Deno.test("an interrupt stops tsne() after its current iteration, and a map can be drawn afterwards", async () => {
  const out = await runWithEnv(
    `
import { installInterruptHandler } from "${LIB}_interrupt.ts";
import { tsne } from "${LIB}analysis/mod.ts";
import { createRng } from "${LIB}random.ts";
installInterruptHandler();
const rng = createRng(1), n = 600, dim = 16;
const vectors = Float32Array.from({ length: n * dim }, (_, t) => rng.normal() + (t % dim === (t / dim | 0) % 4 ? 8 : 0));
const table = { ids: Int32Array.from({ length: n }, (_, i) => i + 1), vectors, dim };
new Deno.Command("sh", { args: ["-c", \`sleep 0.5; kill -INT \${Deno.pid}\`] }).spawn();
let error = null;
try { await tsne(table, { iterations: 20_000 }); } // about 14 s uninterrupted
catch (e) { error = { name: e.name, message: e.message }; }
const after = await tsne(table, { iterations: 50 });
console.log(JSON.stringify({ error, after: after.coordinates.every(Number.isFinite) }));
Deno.exit(0);
`,
    {},
  );
  const { error, after } = JSON.parse(out.trim());
  assertEquals(error?.name, "Interrupted", "tsne() ran its 20,000 iterations to the end");
  assertMatch(error.message, /^stopped by Kernel › Interrupt at iteration \d+ of 20000$/);
  assertEquals(after, true);
});

Deno.test("interruptDue() is false outside the kernel, however long since a yield", () => {
  // No handler is installed in the test process (the tests above install theirs in children).
  assertEquals(interruptDue(), false);
  assertMatch(IDLE_MESSAGE, /^Interrupt: /, "the idle message says what it answers");
});

Deno.test("interruptDue() is true as soon as an interrupt is pending, and one interrupt throws once", async () => {
  const out = await runWithEnv(
    `
import { installInterruptHandler, interruptCheck, interruptDue, interruptible } from "${LIB}_interrupt.ts";
installInterruptHandler();
const seen = await interruptible(async () => {
  await new Promise((r) => setTimeout(r, 300)); // the first periodic yield is due
  await interruptCheck(); // a yield just now: the next periodic one is 250 ms away
  const before = interruptDue();
  Deno.kill(Deno.pid, "SIGINT");
  const t0 = performance.now();
  while (!interruptDue() && performance.now() - t0 < 200) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0, after = interruptDue();
  const names = [];
  for (let i = 0; i < 2; i++) {
    try { await interruptCheck(() => "at step 1"); names.push(null); }
    catch (e) { names.push(e.name); }
  }
  return { before, after, ms, names };
});
console.log(JSON.stringify(seen));
Deno.exit(0);
`,
    {},
  );
  const { before, after, ms, names } = JSON.parse(out.trim());
  assertEquals([before, after], [false, true], `after ${ms} ms`);
  assert(ms < 200, `due after ${ms} ms`);
  assertEquals(names, ["Interrupted", null], "one interrupt stops once");
});

Deno.test("installInterruptHandler() says 'unsupported', and installs nothing, where signals cannot be listened to", async () => {
  const out = await runWithEnv(
    `
Object.defineProperty(Deno, "addSignalListener", {
  value: () => { throw new TypeError("signals are not supported here"); },
});
const { installInterruptHandler, interruptDue } = await import("${LIB}_interrupt.ts");
console.log(JSON.stringify([installInterruptHandler(), installInterruptHandler(), interruptDue()]));
`,
    {},
  );
  assertEquals(JSON.parse(out.trim()), ["unsupported", "unsupported", false]);
});
