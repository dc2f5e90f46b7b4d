/**
 * Seeded training noise for tfjs-layers' `GaussianNoise`, `GaussianDropout` and `AlphaDropout`.
 * tfjs draws their noise with `randomNormal` / `randomUniform` and no seed (alea seeded from
 * `Math.random`), and the layers take no seed option, so a model with one of them trained
 * differently on every run whatever the seed. {@linkcode installSeededNoise} (run by
 * `setupBackend()`) makes their `call` draw the noise from sfc32 (`createRng` of
 * `lib/random.ts`) with a `seed` field on the layer, which `fit` sets from its own seed before
 * every step as it does for `Dropout`; a layer without one draws a seed per call from a
 * generator seeded with `DEFAULT_SEED`, so runs outside `fit` repeat too.
 *
 * Everything else is tfjs' `call()` (tfjs-layers 4.22, `layers/noise.js`), op for op:
 * `GaussianNoise` adds N(0, stddev) noise; `GaussianDropout` multiplies by N(1, sqrt(rate /
 * (1 − rate))) noise when 0 < rate < 1; `AlphaDropout` keeps each element (or each element of
 * its `noiseShape`, broadcast) with probability 1 − rate and applies the affine correction
 * a·x + b meant to keep a mean of 0 and a variance of 1. tfjs sets the dropped elements to
 * +alpha·scale where Keras sets −alpha·scale (SELU's saturation value), so its output keeps the
 * variance but not the mean (0.618 for N(0, 1) input at rate 0.2, measured on stock tfjs): this
 * is kept as tfjs has it, so that a model trains as tfjs' own `fit` would train it. Outside
 * training (predict, evaluate) each layer is the identity, as in tfjs, which draws nothing then.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type AlphaDropoutFields,
  fieldsOf,
  firstInput,
  type GaussianDropoutFields,
  type GaussianNoiseFields,
  invokeCallHook,
  type LayerCall,
  replaceLayerCall,
} from "../../_tfjs_internals.ts";
import { DEFAULT_SEED } from "../../defaults.ts";
import { createRng, type Rng } from "../../random.ts";

/** SELU's constants, as tfjs' `AlphaDropout` writes them. */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const unseeded = createRng(DEFAULT_SEED);

/** The generator of one call: the layer's seed, else a draw from the unseeded stream. */
function callRng(seed: number | undefined): Rng {
  return createRng(seed ?? unseeded.uint32());
}

/** `n` draws of N(mean, stddev) as float32, in the generator's order. */
function normals(rng: Rng, n: number, mean: number, stddev: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + stddev * rng.normal();
  return out;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Whether a noise shape is one `randomUniform` can draw (positive integers, no `null`). */
const drawable = (shape: unknown): shape is number[] =>
  Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);

/**
 * The training branch of tfjs' `GaussianNoise.call`: `x` plus N(0, stddev) noise.
 *
 * @param x Input.
 * @param stddev Standard deviation of the noise.
 * @param seed Seed of the noise; the same seed gives the same noise.
 * @returns `x + noise` (float32).
 */
function addGaussianNoise(x: tf.Tensor, stddev: number, seed: number | undefined): tf.Tensor {
  const noise = tf.tensor(normals(callRng(seed), x.size, 0, stddev), x.shape, "float32");
  return tf.add(noise, x);
}

/**
 * The training branch of tfjs' `GaussianDropout.call`: `x` times N(1, sqrt(rate / (1 − rate)))
 * noise.
 *
 * @param x Input.
 * @param rate Drop rate in (0, 1).
 * @param seed Seed of the noise.
 * @returns `x * noise` (float32).
 */
function gaussianDropout(x: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor {
  const stddev = Math.sqrt(rate / (1 - rate));
  return tf.mul(x, tf.tensor(normals(callRng(seed), x.size, 1, stddev), x.shape, "float32"));
}

/**
 * The training branch of tfjs' `AlphaDropout.call`, with the keep mask drawn from sfc32: a
 * uniform draw in [0, 1) at or above `rate` keeps the element, as tfjs' `greaterEqual` does.
 *
 * @param x Input.
 * @param rate Drop rate in (0, 1).
 * @param noiseShape Shape of the mask (broadcast against `x`).
 * @param seed Seed of the mask.
 * @returns The dropped, affinely corrected input.
 */
function alphaDropout(
  x: tf.Tensor,
  rate: number,
  noiseShape: number[],
  seed: number | undefined,
): tf.Tensor {
  const rng = callRng(seed);
  const kept = new Float32Array(sizeOf(noiseShape));
  for (let i = 0; i < kept.length; i++) kept[i] = rng.next() >= rate ? 1 : 0;
  const keptIdx = tf.tensor(kept, noiseShape, "float32");
  const alphaP = -SELU_ALPHA * SELU_SCALE;
  const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
  const b = -a * alphaP * rate;
  const dropped = tf.add(tf.mul(x, keptIdx), tf.mul(tf.add(keptIdx, -1), alphaP));
  return tf.add(tf.mul(dropped, a), b);
}

let installed = false;

/**
 * Makes tfjs-layers' `GaussianNoise`, `GaussianDropout` and `AlphaDropout` draw their training
 * noise from sfc32 under the layer's `seed` field (idempotent). Calls outside training, rates
 * outside (0, 1) and an `AlphaDropout` `noiseShape` with unknown (`null`) sizes keep tfjs' code,
 * which draws nothing in the first two cases.
 *
 * @returns Whether the layers were patched by this call (false when already done).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { installSeededNoise } from "./noise.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" }); // installs it
 * assertEquals(installSeededNoise(), false, "the second call should do nothing");
 * const layer = tf.layers.gaussianNoise({ stddev: 1 });
 * const draw = (seed: number) => {
 *   Object.assign(layer, { seed }); // what fit() does before every step
 *   return Array.from((layer.apply(tf.zeros([4]), { training: true }) as tf.Tensor).dataSync());
 * };
 * assertEquals(draw(3), draw(3), "the same seed should give the same noise");
 * ```
 */
export function installSeededNoise(): boolean {
  if (installed) return false;
  replaceLayerCall("GaussianNoise", (stock): LayerCall =>
    function (inputs, kwargs) {
      if (!kwargs?.training) return stock.call(this, inputs, kwargs);
      const layer = fieldsOf<GaussianNoiseFields>(this);
      return tf.tidy(() => {
        invokeCallHook(this, inputs, kwargs);
        return addGaussianNoise(firstInput(inputs), layer.stddev, layer.seed);
      });
    });
  replaceLayerCall("GaussianDropout", (stock): LayerCall =>
    function (inputs, kwargs) {
      const layer = fieldsOf<GaussianDropoutFields>(this);
      if (!kwargs?.training || !(layer.rate > 0 && layer.rate < 1)) {
        return stock.call(this, inputs, kwargs);
      }
      return tf.tidy(() => {
        invokeCallHook(this, inputs, kwargs);
        return gaussianDropout(firstInput(inputs), layer.rate, layer.seed);
      });
    });
  replaceLayerCall("AlphaDropout", (stock): LayerCall =>
    function (inputs, kwargs) {
      const layer = fieldsOf<AlphaDropoutFields>(this);
      const noiseShape = layer.noiseShape || firstInput(inputs).shape;
      if (!kwargs?.training || !(layer.rate > 0 && layer.rate < 1) || !drawable(noiseShape)) {
        return stock.call(this, inputs, kwargs);
      }
      // tfjs' AlphaDropout.call runs no call hook; neither does this.
      return tf.tidy(() => alphaDropout(firstInput(inputs), layer.rate, noiseShape, layer.seed));
    });
  installed = true;
  return true;
}
