/**
 * Fast dropout. tfjs draws a dropout mask in JavaScript with seedrandom's alea, one call per
 * element (`randomUniform`), then runs add, floor, div and mul kernels: for the seed-002 deep
 * model at batch 500 (two masks of 64k and 32k elements) that is most of a training step.
 * Here one kernel writes the mask (0 or `1 / (1 − rate)`) from sfc32 — the generator of
 * `lib/random.ts`, four streams seeded through `createRng` — in WebAssembly SIMD on the WASM
 * backend and in JavaScript on the CPU backend (the same masks on both), and one multiply
 * applies it.
 *
 * {@linkcode installFastDropout} (run by `setupBackend()`) makes tfjs-layers' `Dropout` layer
 * use it: same inverted-dropout semantics, training flag and per-layer `seed`; a layer without
 * a seed draws one per call from a generator seeded with `DEFAULT_SEED`, so runs repeat
 * (stock tfjs uses `Math.random` there). Layers with a `noiseShape`, and `SpatialDropout1D`
 * (a `Dropout` subclass that drops whole channels), keep the stock code.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type DropoutFields,
  fieldsOf,
  firstInput,
  invokeCallHook,
  replaceLayerCall,
} from "../../_tfjs_internals.ts";
import { DEFAULT_SEED } from "../../defaults.ts";
import { createRng } from "../../random.ts";
import { checkCpuInternals, kernelConfig, offsetOf, scratch, wasmContext } from "./_wasm.ts";

/** The name of the mask kernel. */
export const DROPOUT_MASK = "DropoutMask";

interface MaskArgs {
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** Mask parameters: the sfc32 state, the keep threshold on 32-bit draws and the scale. */
function maskPlan(attrs?: tf.NamedAttrMap) {
  const rate = attrs?.rate as number;
  const shape = attrs?.shape as number[];
  const rng = createRng(attrs?.seed as number);
  // Four generators, one per SIMD lane: state[0..3] = a of lanes 0..3, then b, c, d.
  const state = Uint32Array.from({ length: 16 }, () => rng.uint32());
  const keep = 1 - rate;
  const threshold = Math.min(Math.floor(keep * 4294967296), 4294967295);
  return { shape, n: shape.reduce((a, b) => a * b, 1), state, threshold, scale: 1 / keep };
}

function maskCpu({ backend, attrs }: MaskArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const p = maskPlan(attrs);
  const out = new Float32Array(p.n);
  const s = p.state;
  const scale = Math.fround(p.scale);
  for (let i = 0; i < p.n; i++) {
    // sfc32 in lane i % 4, step for step as in kernels.wat (and lib/random.ts).
    const l = i & 3;
    const a = s[l], b = s[4 + l], c = s[8 + l], d = s[12 + l];
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[12 + l] = d + 1;
    s[l] = b ^ (b >>> 9);
    s[4 + l] = c + (c << 3);
    s[8 + l] = ((c << 21) | (c >>> 11)) + t;
    out[i] = t < p.threshold ? scale : 0;
  }
  return backend.makeTensorInfo(p.shape, "float32", out);
}

function maskWasm({ backend, attrs }: MaskArgs): tf.TensorInfo {
  const ctx = wasmContext(backend);
  const p = maskPlan(attrs);
  const out = ctx.backend.makeOutput(p.shape, "float32");
  const state = scratch(ctx, 64);
  new Uint32Array(ctx.memory.buffer, state, 16).set(p.state);
  ctx.kernels.dropout_mask(offsetOf(ctx.backend, out.dataId), p.n, p.threshold | 0, p.scale, state);
  return out;
}

/**
 * Kernel configs of the dropout mask (CPU and WASM), for `tf.registerKernel` (done by
 * `setupBackend()`).
 *
 * @example
 * ```ts
 * import { dropoutKernels } from "./dropout.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(dropoutKernels.length, 2, "expected two backends");
 * ```
 */
export const dropoutKernels: tf.KernelConfig[] = [
  kernelConfig(DROPOUT_MASK, "cpu", maskCpu),
  kernelConfig(DROPOUT_MASK, "wasm", maskWasm),
];

/** Options of {@linkcode dropout}. */
export interface DropoutOptions {
  /**
   * Seed of the mask (any integer); the same seed gives the same mask.
   * @default a draw from a generator seeded with DEFAULT_SEED
   */
  seed?: number;
}

const unseeded = createRng(DEFAULT_SEED);

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the others by
 * `1 / (1 − rate)`. Differentiable in `x` (the mask is a constant).
 *
 * @param x Input.
 * @param rate Drop probability in [0, 1).
 * @param options Seed.
 * @returns `x` times the mask.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { dropout } from "./dropout.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const y = dropout(tf.ones([1000]), 0.25, { seed: 1 }).dataSync();
 * const kept = y.filter((v) => v !== 0);
 * assertEquals(kept.length, 752); // about 750 of 1,000 kept, the same for seed 1 every time
 * assertAlmostEquals(kept[0], 4 / 3, 1e-6); // kept values scaled by 1 / (1 - 0.25)
 * ```
 */
export function dropout(x: tf.Tensor, rate: number, options: DropoutOptions = {}): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) {
    throw new RangeError(`dropout(): expected a rate in [0, 1), found ${rate}`);
  }
  if (rate === 0) return x.clone();
  const seed = options.seed ?? unseeded.uint32();
  if (tf.getKernel(DROPOUT_MASK, tf.getBackend()) === undefined) {
    return tf.dropout(x, rate, undefined, seed);
  }
  return tf.tidy(() => {
    const mask = tf.engine().runKernel(DROPOUT_MASK, {}, {
      shape: x.shape,
      rate,
      seed,
    }) as tf.Tensor;
    return tf.mul(x.dtype === "float32" ? x : tf.cast(x, "float32"), mask);
  });
}

let installed = false;

/**
 * Makes tfjs-layers' `Dropout` layer draw its masks with {@linkcode dropout} (idempotent).
 * Layers with a `noiseShape`, and subclasses such as `SpatialDropout1D`, keep tfjs'
 * implementation.
 *
 * @returns Whether the layer was patched by this call (false when already done).
 * @example
 * ```ts
 * import { installFastDropout } from "./dropout.ts";
 * import { assertEquals } from "@std/assert";
 * installFastDropout();
 * assertEquals(installFastDropout(), false, "the second call should do nothing");
 * ```
 */
export function installFastDropout(): boolean {
  if (installed) return false;
  replaceLayerCall("Dropout", (stock) =>
    function (inputs, kwargs) {
      const layer = fieldsOf<DropoutFields>(this);
      // A subclass (SpatialDropout1D) draws one mask value per channel through its own
      // getNoiseShape(), which this elementwise mask would ignore.
      if (layer.noiseShape != null || this.getClassName() !== "Dropout") {
        return stock.call(this, inputs, kwargs);
      }
      return tf.tidy(() => {
        invokeCallHook(this, inputs, kwargs);
        const input = firstInput(inputs);
        if (!(0 < layer.rate && layer.rate < 1) || !kwargs?.training) return input;
        return dropout(input, layer.rate, { seed: layer.seed ?? undefined });
      });
    });
  installed = true;
  return true;
}
