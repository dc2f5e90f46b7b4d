/**
 * Whether `setupBackend()` has run in this process, kept apart from `backend.ts` (which
 * registers tfjs' WASM backend as it loads): code that only asks must not change which backend
 * tfjs starts by importing it.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

let configured = false;

/** Notes that `setupBackend()` has set up a backend. */
export function markConfigured(): void {
  configured = true;
}

/** Rows from which training on tfjs' own CPU backend is worth a warning (a real data set). */
export const UNCONFIGURED_WARNING_ROWS = 10_000;

let warned = false;

/**
 * A training run's check of the backend: refuses to start when tfjs' WASM backend is
 * registered (by importing `lib/train/mod.ts`) but not started, which tfjs reports only as
 * "backend 'wasm' has not yet been initialized" from deep inside the first op; and warns once
 * per process when `setupBackend()` never ran and a real data set (from
 * {@linkcode UNCONFIGURED_WARNING_ROWS} rows) is about to train on tfjs' own CPU backend, without
 * the engine's kernels: thousands of times slower for embeddings (88 samples/s against
 * 377,000 measured on ml-latest-small's MLP).
 *
 * @param where The calling function, for the messages (`"buildModel()"`, `"fit()"`).
 * @param rows The rows about to train (0 for a model being built).
 * @throws {Error} When the WASM backend is registered but not started.
 */
export function checkBackend(where: string, rows = 0): void {
  try {
    tf.backend(); // starts the best registered backend, unless its start is asynchronous
  } catch (e) {
    if (!/has not yet been initialized/.test(String(e))) throw e;
    throw new Error(
      `${where}: tfjs' backend is not started: \`await setupBackend()\` (lib/train/mod.ts) ` +
        "once before building or training a model",
    );
  }
  const name = tf.getBackend();
  if (configured || warned || name !== "cpu" || rows < UNCONFIGURED_WARNING_ROWS) return;
  warned = true;
  console.warn(
    `warning: ${where}: training ${rows.toLocaleString("en-US")} rows on tfjs' own "cpu" ` +
      "backend without the engine's kernels, thousands of times slower for embeddings: " +
      "`await setupBackend()` (lib/train/mod.ts) once before building models",
  );
}
