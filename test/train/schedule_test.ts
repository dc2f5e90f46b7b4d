import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { fit } from "../../lib/train/fit.ts";
import { adam } from "../../lib/train/optimizer.ts";
import { checkSchedule, oneCycle, ScheduledAdam, scheduledAdam } from "../../lib/train/schedule.ts";

Deno.test("oneCycle() warms up to the peak, then anneals to max / finalDivFactor", () => {
  const lr = oneCycle(0.01, 101, { warmupFraction: 0.2, divFactor: 10, finalDivFactor: 1e3 });
  assertAlmostEquals(lr(0), 0.001, 1e-12);
  assertAlmostEquals(lr(20), 0.01, 1e-12);
  assertAlmostEquals(lr(100), 1e-5, 1e-12);
  assertAlmostEquals(lr(500), 1e-5, 1e-12);
  for (let t = 1; t <= 20; t++) assert(lr(t) > lr(t - 1), `not rising at step ${t}`);
  for (let t = 21; t <= 100; t++) assert(lr(t) < lr(t - 1), `not falling at step ${t}`);
  // Half-way through the annealing the cosine is at the midpoint.
  assertAlmostEquals(lr(60), (0.01 + 1e-5) / 2, 1e-12);
});

Deno.test("oneCycle() without warm-up starts at the peak", () => {
  const lr = oneCycle(0.5, 3, { warmupFraction: 0 });
  assertEquals(lr(0), 0.5);
  assertAlmostEquals(lr(2), 0.5 / 1e5, 1e-15);
});

Deno.test("oneCycle() rejects bad arguments with what it expected", () => {
  assertThrows(() => oneCycle(0, 10), RangeError, "expected maxLearningRate > 0, found 0");
  assertThrows(() => oneCycle(0.1, 2.5), RangeError, "totalSteps to be an integer >= 1");
  assertThrows(
    () => oneCycle(0.1, 10, { warmupFraction: 1 }),
    RangeError,
    "warmupFraction in [0, 1), found 1",
  );
});

Deno.test("ScheduledAdam uses the schedule's rate at every step, as Adam with that rate would", async () => {
  await setupBackend({ backend: "cpu" });
  const rates = [0.1, 0.05, 0.2, 0.01];
  const a = tf.variable(tf.tensor1d([1, -2]), true, "sched_test_a");
  const b = tf.variable(tf.tensor1d([1, -2]), true, "sched_test_b");
  const scheduled = scheduledAdam((t) => rates[t], { weightDecay: 0.1, decay: "decoupled" });
  const reference = adam({ learningRate: rates[0], weightDecay: 0.1, decay: "decoupled" });
  for (let t = 0; t < rates.length; t++) {
    scheduled.minimize(() => tf.sum(tf.square(a)) as tf.Scalar);
    reference.learningRate = rates[t];
    reference.minimize(() => tf.sum(tf.square(b)) as tf.Scalar);
    assertEquals(scheduled.learningRate, rates[t]);
  }
  const [wa, wb] = [a.dataSync(), b.dataSync()];
  for (let i = 0; i < 2; i++) assertAlmostEquals(wa[i], wb[i], 1e-6);
  assert(scheduled instanceof ScheduledAdam);
  tf.dispose([a, b]);
  scheduled.dispose();
  reference.dispose();
});

Deno.test("ScheduledAdam drives fit(): the history shows the annealed rate", async () => {
  await setupBackend({ backend: "cpu" });
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  const steps = 2 * 2; // 2 epochs of 2 batches
  model.compile({ optimizer: scheduledAdam(oneCycle(0.1, steps)), loss: "meanSquaredError" });
  const x = tf.tensor2d([[0], [1], [2], [3]]), y = tf.tensor2d([[1], [3], [5], [7]]);
  const history = await fit(model, { x, y }, { epochs: 2, batchSize: 2, verbose: 0 });
  assertEquals(history.learningRate.length, 2);
  assert(history.learningRate[1] < 1e-5, `final rate ${history.learningRate[1]}`);
  tf.dispose([x, y]);
  model.dispose();
});

Deno.test("ScheduledAdam names a schedule that returns a bad rate", async () => {
  await setupBackend({ backend: "cpu" });
  const w = tf.variable(tf.tensor1d([1]), true, "sched_test_bad");
  const opt = scheduledAdam((t) => (t === 0 ? 0.1 : NaN));
  opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
  assertThrows(
    () => opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar),
    RangeError,
    "learning rate NaN at step 1",
  );
  w.dispose();
  opt.dispose();
});

Deno.test("oneCycle() over a single step gives the peak rate, not NaN", () => {
  assertEquals(oneCycle(0.01, 1)(0), 0.01);
  // 5 steps with 4 of warm-up: step 4 is the only step after it.
  assertEquals(oneCycle(0.01, 5, { warmupFraction: 0.8 })(4), 0.01);
});

Deno.test("oneCycle() rejects 0 steps", () => {
  assertThrows(
    () => oneCycle(0.1, 0),
    RangeError,
    "oneCycle(): expected totalSteps to be an integer >= 1, found 0",
  );
});

Deno.test("ScheduledAdam names a schedule that returns a negative rate", async () => {
  await setupBackend({ backend: "cpu" });
  const w = tf.variable(tf.tensor1d([1]), true, "sched_test_negative");
  const opt = scheduledAdam((t) => (t === 0 ? 0.1 : -0.1));
  opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
  assertThrows(
    () => opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar),
    RangeError,
    "the schedule gave learning rate -0.1 at step 1; expected a finite number >= 0",
  );
  w.dispose();
  opt.dispose();
});

Deno.test("checkSchedule() rejects no phases and a phase of 0 epochs", () => {
  assertThrows(
    () => checkSchedule({ type: "steps", phases: [] }, "fit()"),
    RangeError,
    "fit(): expected schedule.phases to be a non-empty array",
  );
  assertThrows(
    () => checkSchedule({ type: "steps", phases: [{ learningRate: 0.1, epochs: 0 }] }, "fit()"),
    RangeError,
    "fit(): expected schedule.phases[0].epochs to be an integer >= 1, found 0",
  );
});
