import { assertEquals } from "@std/assert";
import { emptyHistory, type History, recordEpoch, summaryLine } from "../../lib/train/_history.ts";

const PARAMS: History["params"] = {
  epochs: 3,
  batchSize: 10,
  samples: 1000,
  validationSamples: 100,
  stepsPerEpoch: 100,
  initialEpoch: 0,
};

/** A run of `epochs.length` epochs of the given losses, each trained for `train` seconds. */
function run(epochs: [number, number][], train: number[]): History {
  const history = emptyHistory(["loss", "val_loss"], PARAMS, "val_loss");
  epochs.forEach(([loss, val], i) =>
    recordEpoch(history, {
      epoch: i + 1,
      logs: { loss, val_loss: val },
      seconds: train[i] + 0.25,
      trainSeconds: train[i],
      trainCpuSeconds: train[i],
      learningRate: 0.01,
    })
  );
  return history;
}

Deno.test("recordEpoch() appends every series of an epoch", () => {
  const h = run([[0.9, 0.8], [0.7, 0.75]], [0.5, 1.5]);
  assertEquals(h.epoch, [1, 2]);
  assertEquals(h.history, { loss: [0.9, 0.7], val_loss: [0.8, 0.75] });
  assertEquals(h.seconds, [0.75, 1.75]);
  assertEquals(h.trainSeconds, [0.5, 1.5]);
  assertEquals(h.trainCpuSeconds, [0.5, 1.5]);
  assertEquals(h.learningRate, [0.01, 0.01]);
});

Deno.test("summaryLine() gives notes, epochs, speed over the training time, last values, best epoch and an early stop", () => {
  const h = run([[0.9, 0.8], [0.7, 0.75]], [0.5, 1.5]);
  Object.assign(h, { bestEpoch: 2, bestValue: 0.75, stoppedEpoch: 2, restoredBestWeights: true });
  // 2 epochs of 1,000 samples in 2 seconds of training.
  assertEquals(
    summaryLine(h, ["continuing from epoch 30"], 65, false),
    "continuing from epoch 30 · 2 epochs in 1:05 · 1,000 samples/s · loss 0.7000 · " +
      "val_loss 0.7500 · best val_loss 0.7500 at epoch 2 (restored) · stopped early",
  );
});

Deno.test("summaryLine() says '1 epoch', leaves out a best epoch not yet known and a stop at the limit, and says how a failed run ended", () => {
  const h = run([[0.9, 0.8]], [0.25]);
  assertEquals(
    summaryLine(h, [], 1, false),
    "1 epoch in 0:01 · 4,000 samples/s · loss 0.9000 · val_loss 0.8000",
  );
  h.stoppedEpoch = 3; // early stopping fired at the last allowed epoch
  assertEquals(
    summaryLine(h, [], 1, true),
    "1 epoch in 0:01 · 4,000 samples/s · loss 0.9000 · val_loss 0.8000 · failed",
  );
  assertEquals(
    summaryLine(h, [], 1, "interrupted"),
    "1 epoch in 0:01 · 4,000 samples/s · loss 0.9000 · val_loss 0.8000 · interrupted",
  );
});

Deno.test("summaryLine() of a run that ended before its first epoch names no speed and no values", () => {
  assertEquals(summaryLine(run([], []), [], 0, true), "0 epochs in 0:00 · failed");
});
