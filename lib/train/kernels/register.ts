/**
 * Registers every custom kernel and gradient of this folder with tfjs, once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  activationKernels,
  installFastLayerCalls,
  scaleShiftGradient,
  sigmoidGradient,
} from "./activation.ts";
import { fastCopyKernels } from "./copy.ts";
import {
  fastMatMulKernels,
  fastReductionKernels,
  fusedMatMulGradient,
  installFastDense,
} from "./dense.ts";
import { dotBiasGradient, dotBiasKernels } from "./dot_bias.ts";
import { dropoutKernels, installFastDropout } from "./dropout.ts";
import { installSeededNoise } from "./noise.ts";
import { fastExpKernel } from "./exp.ts";
import { installFastSaves } from "./engine.ts";
import { fastGatherGradient, fastGatherKernel, installFastEmbedding } from "./gather.ts";
import { fastCastKernel, identityKernels } from "./identity.ts";
import { lossGradient, lossKernels } from "./loss.ts";
import { addLayerGradient, installFastAdd, mergeKernels } from "./merge.ts";
import { installFastDot, rowDotGradient, rowDotKernels } from "./row_dot.ts";
import { segmentSumKernels } from "./segment_sum.ts";
import { fastSoftplusKernel } from "./softplus.ts";
import { spreadGradients, spreadKernels } from "./spread.ts";

/** The backends the custom kernels are written for. */
export const KERNEL_BACKENDS = ["cpu", "wasm"] as const;

const registered = new Map<string, string[]>();

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers every custom kernel and gradient (see the module doc of `mod.ts` for the
 * families), makes the stock tfjs-layers classes with a fast path use it, and makes the engine
 * save tensors for gradients without cloning them on the CPU and WASM backends. Safe to call
 * more than once: later calls only report.
 *
 * @returns For each backend name, the names of the kernels registered on it.
 * @example
 * ```ts
 * import { registerTrainingKernels } from "./register.ts";
 * import { assert } from "@std/assert";
 * const kernels = registerTrainingKernels();
 * assert(kernels.get("wasm")?.includes("UnsortedSegmentSum"), "missing kernel");
 * ```
 */
export function registerTrainingKernels(): Map<string, string[]> {
  if (registered.size > 0) return registered;
  const configs = [
    ...segmentSumKernels,
    ...dotBiasKernels,
    ...identityKernels,
    ...lossKernels,
    ...dropoutKernels,
    ...rowDotKernels,
    ...mergeKernels,
    ...activationKernels,
    ...spreadKernels,
  ];
  const stock = (name: string, backendName: string) => {
    const config = tf.getKernel(name, backendName);
    if (config === undefined) {
      throw new TypeError(`registerTrainingKernels(): expected a stock ${name} on ${backendName}`);
    }
    return config;
  };
  for (const backendName of KERNEL_BACKENDS) {
    configs.push(fastGatherKernel(stock(tf.GatherV2, backendName)));
  }
  configs.push(...fastMatMulKernels(stock(tf.BatchMatMul, "wasm"), stock(tf._FusedMatMul, "wasm")));
  configs.push(...fastReductionKernels(stock(tf.Sum, "wasm"), stock(tf.Max, "wasm")));
  configs.push(fastSoftplusKernel(stock(tf.Softplus, "wasm")));
  configs.push(fastExpKernel(stock(tf.Exp, "wasm")));
  configs.push(fastCastKernel(stock(tf.Cast, "wasm")));
  configs.push(...fastCopyKernels([tf.Concat, tf.Slice, tf.SplitV].map((k) => stock(k, "wasm"))));
  for (const config of configs) {
    replaceKernel(config);
    const names = registered.get(config.backendName) ?? [];
    names.push(config.kernelName);
    registered.set(config.backendName, names);
  }
  const stockGradient = (name: string) => {
    const config = tf.getGradient(name);
    if (config === undefined) {
      throw new TypeError(`registerTrainingKernels(): expected a stock ${name} gradient`);
    }
    return config;
  };
  tf.registerGradient(fastGatherGradient(stockGradient(tf.GatherV2)));
  for (const config of spreadGradients(stockGradient(tf.Sum), stockGradient(tf.Mean))) {
    tf.registerGradient(config);
  }
  tf.registerGradient(dotBiasGradient);
  tf.registerGradient(lossGradient);
  tf.registerGradient(fusedMatMulGradient);
  tf.registerGradient(rowDotGradient);
  tf.registerGradient(addLayerGradient);
  tf.registerGradient(sigmoidGradient);
  tf.registerGradient(scaleShiftGradient);
  installFastDropout();
  installSeededNoise();
  installFastDense();
  installFastEmbedding();
  installFastDot();
  installFastAdd();
  installFastLayerCalls();
  installFastSaves();
  return registered;
}
