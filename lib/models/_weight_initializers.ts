/**
 * Private: which initializer drew each weight's starting values, as text that two models can be
 * compared by: the initializer's class and settings without its seed, e.g.
 * `RandomNormal {"mean":0,"stddev":0.01}` (read from the layer's config, so a stock layer, a
 * built one and the fused dot-bias layer read alike).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { allLayers } from "../_tfjs_internals.ts";

/** A weight's initializer key in its layer's config, where it is not `<weight name>Initializer`. */
const KEY_OF_WEIGHT: Record<string, string> = { recurrent_kernel: "recurrentInitializer" };

/** The fused dot-bias layer's weights: its factor tables and its bias tables. */
const FUSED_KEYS: Record<string, string> = {
  user_factors: "embeddingsInitializer",
  movie_factors: "embeddingsInitializer",
  user_bias: "biasInitializer",
  movie_bias: "biasInitializer",
};

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** An initializer made from a tfjs name and its settings, or null for an unknown name. */
function made(name: string, params: Record<string, unknown>): tf.serialization.Serializable | null {
  const factory = (tf.initializers as unknown as Record<string, unknown>)[name];
  return typeof factory === "function"
    ? (factory as (a: unknown) => tf.serialization.Serializable)(params)
    : null;
}

/**
 * An initializer as its class and settings without the seed, from any of the forms a layer's
 * config holds it in: tfjs' `{ className, config }`, a library spec (`"heNormal"`,
 * `{ name: "randomNormal", stddev: 0.01 }`) or an initializer object; null for anything else.
 */
function initializerText(value: unknown): string | null {
  let className: string, config: Record<string, unknown>;
  const v = value as Record<string, unknown> | string | null | undefined;
  if (typeof v === "string") {
    const init = made(v, {});
    if (init === null) return null;
    [className, config] = [init.getClassName(), init.getConfig()];
  } else if (typeof v !== "object" || v === null) {
    return null;
  } else if (typeof v.className === "string" && typeof v.config === "object" && v.config) {
    [className, config] = [v.className, v.config as Record<string, unknown>];
  } else if (typeof v.getClassName === "function") {
    const init = v as unknown as tf.serialization.Serializable;
    [className, config] = [init.getClassName(), init.getConfig()];
  } else if (typeof v.name === "string") {
    const { name, ...params } = v;
    const init = made(name as string, params);
    if (init === null) return null;
    [className, config] = [init.getClassName(), init.getConfig()];
  } else {
    return null;
  }
  const settings = Object.keys(config).filter((k) => k !== "seed" && config[k] != null).sort();
  if (settings.length === 0) return className;
  return `${className} ${JSON.stringify(Object.fromEntries(settings.map((k) => [k, config[k]])))}`;
}

/**
 * The initializer of each weight of a model, inside nested models too, as text (see the
 * module); a weight whose layer declares none in its config is left out.
 *
 * @param model The model.
 * @returns Text by weight.
 */
export function weightInitializers(model: tf.LayersModel): Map<tf.LayerVariable, string> {
  const out = new Map<tf.LayerVariable, string>();
  for (const layer of allLayers(model)) {
    if (Array.isArray((layer as unknown as { layers?: unknown }).layers)) continue; // a tower
    const fused = layer.getClassName() === "EmbeddingDotBias";
    let config: Record<string, unknown>;
    try {
      config = layer.getConfig() as Record<string, unknown>;
    } catch {
      continue; // a custom layer without a config
    }
    for (const w of layer.weights) {
      const name = w.originalName.split("/").pop()!;
      const key = fused ? FUSED_KEYS[name] : KEY_OF_WEIGHT[name] ?? `${camel(name)}Initializer`;
      const text = key === undefined ? null : initializerText(config[key]);
      if (text !== null) out.set(w, text);
    }
  }
  return out;
}
