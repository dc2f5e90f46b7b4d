import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { setDisplayTarget } from "../../lib/notebook/display.ts";
import { captureStderr } from "../_stderr.ts";
import {
  formatDuration,
  formatProgress,
  formatValue,
  trainingProgress,
} from "../../lib/train/progress.ts";

Deno.test("formatProgress() shows epoch, batch, figures, speed and ETA on one line", () => {
  const line = formatProgress({
    epoch: 3,
    epochs: 30,
    batch: 412,
    batches: 800,
    logs: { loss: 0.81234, mae: 0.70123 },
    validation: { val_loss: 0.8456 },
    samplesPerSecond: 152300.4,
    etaSeconds: 72,
  });
  assertEquals(
    line,
    "epoch 3/30 · batch 412/800 · loss 0.8123 · mae 0.7012 · val_loss 0.8456 · 152,300 samples/s · ETA 1:12",
  );
  assertEquals(
    formatProgress({
      epoch: 1,
      epochs: 1,
      batch: 0,
      batches: 5,
      logs: {},
      samplesPerSecond: 0,
      etaSeconds: NaN,
    }),
    "epoch 1/1 · batch 0/5 · ETA ?",
  );
});

Deno.test("formatDuration() and formatValue() give short, readable numbers", () => {
  assertEquals([formatDuration(0), formatDuration(59.6), formatDuration(3725)], [
    "0:00",
    "1:00",
    "1:02:05",
  ]);
  assertEquals([formatDuration(NaN), formatDuration(-1)], ["?", "?"]);
  assertEquals(
    [
      formatValue(0.812345),
      formatValue(12.3456),
      formatValue(123.45),
      formatValue(1e-5),
      formatValue(NaN),
    ],
    ["0.8123", "12.346", "123.5", "1.000e-5", "NaN"],
  );
});

interface Sent {
  text: string;
  id?: string;
  update?: boolean;
}

function fakeKernel(): { sent: Sent[]; restore: () => void } {
  const sent: Sent[] = [];
  const restore = setDisplayTarget({
    jupyter: {
      display: (obj, options) => {
        sent.push({
          text: (obj as Record<string, string>)["text/plain"],
          id: options?.display_id,
          update: options?.update,
        });
        return Promise.resolve();
      },
    },
    stdout: () => {
      throw new Error("nothing may be printed inside Jupyter");
    },
    stderr: () => {
      throw new Error("nothing may go to stderr inside Jupyter");
    },
  });
  return { sent, restore };
}

Deno.test("in Jupyter the progress is one output, updated in place and throttled", async () => {
  const { sent, restore } = fakeKernel();
  let clock = 0;
  try {
    const p = trainingProgress({ epochs: 2, batches: 100, samples: 6400 }, {
      now: () => clock,
      minIntervalMs: 250,
    });
    assert(p.active);
    let drawn = 0;
    const ends: boolean[] = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      for (let b = 1; b <= 100; b++) {
        clock += 10; // 10 ms per batch: a redraw every 25 batches at most
        if (p.batch(epoch, b, () => ({ loss: 1 / b }))) drawn++;
      }
      // 240 ms after the last redraw (batch 76): the epoch's end is not drawn either.
      ends.push(p.epochEnd(epoch, { loss: 0.5, val_loss: 0.6 }));
    }
    await p.close("2 epochs in 0:02 · val_loss 0.6000");
    assertEquals(drawn, 8);
    assertEquals(ends, [false, false]);
  } finally {
    restore();
  }
  const id = sent[0].id!;
  assertMatch(id, /\S/);
  assertEquals(sent[0].update, undefined);
  assert(sent.slice(1).every((s) => s.id === id && s.update === true));
  assertEquals(sent[0].text, "epoch 1/2 · batch 1/100 · loss 1.0000 · 6,400 samples/s · ETA 0:02");
  assert(
    sent.some((s) => s.text.startsWith("epoch 2/2 · batch 26/100 · loss 0.0385 · val_loss 0.6000")),
  );
  assertEquals(sent[sent.length - 1].text, "2 epochs in 0:02 · val_loss 0.6000");
});

Deno.test("an epoch's end is drawn once the interval has passed since the last redraw", async () => {
  const { sent, restore } = fakeKernel();
  let clock = 0;
  try {
    const p = trainingProgress({ epochs: 3, batches: 1, samples: 10 }, {
      now: () => clock,
      minIntervalMs: 250,
    });
    const ends = [100, 200, 400].map((t, i) => {
      clock = t; // epochs of 100 ms: the first is drawn, the second 100 ms later is not
      return p.epochEnd(i + 1, { loss: 1 / (i + 1) });
    });
    await p.close("3 epochs");
    assertEquals(ends, [true, false, true]);
  } finally {
    restore();
  }
  assertEquals(sent.map((s) => s.text.split(" · ")[0]), ["epoch 1/3", "epoch 3/3", "3 epochs"]);
});

Deno.test("in a terminal the progress is one stderr line rewritten with \\r", async () => {
  let clock = 0;
  const err = await captureStderr(async () => {
    const p = trainingProgress(
      { epochs: 1, batches: 10, samples: 100, initialEpoch: 4 },
      { now: () => (clock += 100), stderrIsTerminal: true },
    );
    for (let b = 1; b <= 10; b++) p.batch(5, b, () => ({ loss: 2 }));
    p.epochEnd(5, { loss: 2 });
    await p.close("done");
  }, { terminal: true, columns: 200 });
  assert(!err.slice(0, -1).includes("\n"), JSON.stringify(err));
  assert(err.endsWith("done\n"), JSON.stringify(err));
  assert(err.includes("\r\x1b[2Kepoch 5/5 · batch 1/10"), JSON.stringify(err));
});

Deno.test("notes lead the live line and the per-epoch lines", async () => {
  const err = await captureStderr(async () => {
    const p = trainingProgress(
      { epochs: 1, batches: 1, samples: 10, initialEpoch: 30, notes: ["continuing from epoch 30"] },
      { verbose: 2, stderrIsTerminal: false },
    );
    p.epochEnd(31, { loss: 1 });
    await p.close("done");
  });
  assertMatch(err.split("\n")[0], /^continuing from epoch 30 · epoch 31\/31 · loss 1\.0000 · /);
});

Deno.test("verbose 2 writes one line per epoch; verbose 0 and a silent 'auto' write nothing", async () => {
  const err = await captureStderr(async () => {
    const lines = trainingProgress({ epochs: 3, batches: 2, samples: 20 }, {
      verbose: 2,
      stderrIsTerminal: false,
    });
    for (let e = 1; e <= 3; e++) {
      lines.batch(e, 1, () => ({ loss: 1 }));
      lines.epochEnd(e, { loss: 1 / e, val_loss: 2 });
    }
    await lines.close("3 epochs");
  });
  assertEquals(err.trim().split("\n").length, 4);
  assertMatch(
    err.split("\n")[1],
    /^epoch 2\/3 · loss 0\.5000 · val_loss 2\.0000 · \d+:\d\d elapsed$/,
  );
  const quietErr = await captureStderr(async () => {
    for (const verbose of [0, "auto"] as const) {
      const quiet = trainingProgress({ epochs: 1, batches: 1, samples: 1 }, {
        verbose,
        stderrIsTerminal: false,
      });
      assertEquals(quiet.active, false);
      assertEquals(quiet.batch(1, 1, () => ({ loss: 1 })), false);
      quiet.epochEnd(1, { loss: 1 });
      await quiet.close("done");
    }
  });
  assertEquals(quietErr, "");
});

Deno.test("trainingProgress() rejects a bad plan or verbosity", () => {
  assertThrows(
    () => trainingProgress({ epochs: -1, batches: 1, samples: 1 }),
    RangeError,
    "plan.epochs",
  );
  assertThrows(
    () => trainingProgress({ epochs: 1, batches: 1, samples: 1 }, { verbose: 3 as 2 }),
    TypeError,
    'expected verbose 0, 1, 2 or "auto", found 3',
  );
});

Deno.test("a warning stays on every line after it, live or one per epoch", async () => {
  const err = await captureStderr(async () => {
    const lines = trainingProgress({ epochs: 3, batches: 2, samples: 20 }, {
      verbose: 2,
      stderrIsTerminal: false,
    });
    lines.epochEnd(1, { loss: 1e9 });
    lines.warn("⚠ loss exploded in epoch 1");
    lines.epochEnd(2, { loss: 1e10 });
    lines.epochEnd(3, { loss: 1e11 });
    await lines.close("3 epochs");
  });
  const [first, second, third] = err.split("\n");
  assert(!first.includes("⚠"), first);
  assertMatch(
    second,
    /^epoch 2\/3 · loss 1\.000e\+10 · \d+:\d\d elapsed · ⚠ loss exploded in epoch 1$/,
  );
  assertMatch(third, /⚠ loss exploded in epoch 1$/);
});
