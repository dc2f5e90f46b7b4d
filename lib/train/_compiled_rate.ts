/**
 * Private: the learning rate each optimizer was compiled with. The training loop sets the rate
 * its caller asks for (`train(rec, ratings, { learningRate: 1e-4 })`, a schedule's steps) on the
 * compiled optimizer, and swaps a compiled `tf.train.adam` for the engine's Adam; the rate it
 * found first is kept here, so a twin check run again after training (`compareModels()`)
 * compares the rates the two models were compiled with, not the rate of the moment.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { type FusedAdam, fusedAdamFor } from "./optimizer.ts";

const compiledRates = new WeakMap<object, number>();

/**
 * An optimizer's learning rate now: its `learningRate` field, else its config's; NaN when it has
 * none.
 *
 * @param optimizer A tfjs optimizer.
 * @returns The rate.
 */
export function currentRate(optimizer: tf.Optimizer): number {
  const own = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  if (typeof own === "number") return own;
  const config = optimizer.getConfig() as { learningRate?: unknown };
  return typeof config.learningRate === "number" ? config.learningRate : NaN;
}

/**
 * The learning rate `optimizer` was compiled with: the one it had when the training loop first
 * changed it (or the optimizer it replaced had), else its rate now.
 *
 * @param optimizer A tfjs optimizer.
 * @returns The rate; NaN when the optimizer has none.
 */
export function compiledRate(optimizer: tf.Optimizer): number {
  return compiledRates.get(optimizer) ?? currentRate(optimizer);
}

/**
 * Records `rate` as the rate `optimizer` was compiled with, unless one is recorded already. Call
 * it before the first change of the rate, with `compiledRate()` of the optimizer it replaces.
 *
 * @param optimizer The optimizer that will train.
 * @param rate The rate it (or the optimizer it replaces) was compiled with.
 */
function keepCompiledRate(optimizer: tf.Optimizer, rate: number): void {
  if (!compiledRates.has(optimizer) && Number.isFinite(rate)) compiledRates.set(optimizer, rate);
}

/**
 * Puts the engine's Adam in place of a compiled `tf.train.adam` (disposing the stock one) and
 * keeps the rate the model was compiled with for `compiledRate()`: what both training loops do
 * before they first set a rate.
 *
 * @param model The model whose optimizer trains.
 * @returns The engine's Adam now in place, or null when the optimizer is not an Adam.
 */
export async function useFusedAdam(model: { optimizer: tf.Optimizer }): Promise<FusedAdam | null> {
  const compiled = model.optimizer;
  const startRate = compiledRate(compiled); // read before the swap
  const fused = await fusedAdamFor(compiled);
  if (fused !== null && fused !== compiled) {
    model.optimizer = fused;
    compiled.dispose();
  }
  keepCompiledRate(model.optimizer, startRate);
  return fused;
}
