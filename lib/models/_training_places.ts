/**
 * Where the layers that act only in training (dropouts, noise, batch normalisation) sit in a
 * model, for {@linkcode compareModels}: each use of such a layer, with its settings and what it
 * acts on, e.g. `"Dropout 0.2 on user_embedding"`.
 *
 * What a layer acts on is traced back through the layers that do not change which values it
 * masks: a flatten, reshape or permute, and a ReLU or linear activation (a dropout's mask and
 * rescaling commute with them). A concatenation splits into its parts, since a dropout of a
 * concatenation is a dropout of each part (04's hybrid writes the one, the library's twin the
 * other). The trace stops at a layer with weights (named through `nameOf`, so that two models
 * are described in one model's names) or at an input; any other layer is named by its class
 * and what it acts on, e.g. `"Dot(input 0, movie_embedding)"`. Nested models (a
 * `tf.sequential` tower used as a layer) are followed inside, once per use.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { TRAINING_ONLY_LAYERS } from "../_tfjs_internals.ts";

interface Symbolic {
  id: number;
  sourceLayer: tf.layers.Layer;
  nodeIndex: number;
  tensorIndex: number;
}

interface GraphNode {
  inputTensors: Symbolic[];
}

interface Graph {
  inputs: Symbolic[];
  outputs: Symbolic[];
}

/** What a nested model's inputs stand for in the graph that uses it. */
type Bindings = Map<number, { tensor: Symbolic; outer: Bindings | null }>;

const SAME_VALUES = new Set(["Flatten", "Reshape", "Permute"]);
const SAME_MASK_ACTIVATIONS = new Set(["relu", "linear"]);

const nodeOf = (t: Symbolic): GraphNode | undefined =>
  (t.sourceLayer as unknown as { inboundNodes?: GraphNode[] }).inboundNodes?.[t.nodeIndex];

const isGraph = (layer: tf.layers.Layer): boolean => {
  const g = layer as unknown as Partial<Graph>;
  return Array.isArray(g.inputs) && Array.isArray(g.outputs) && g.outputs.length > 0;
};

/** Whether a layer passes its input's values on unchanged for a mask (see the module doc). */
function keepsMask(layer: tf.layers.Layer): boolean {
  const name = layer.getClassName();
  if (SAME_VALUES.has(name)) return true;
  if (name !== "Activation") return false;
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === "string" && SAME_MASK_ACTIVATIONS.has(activation);
}

/**
 * Each use of a layer that acts only in training, as `"<class> <settings> on <what>"`, sorted.
 *
 * @param model The model.
 * @param nameOf The name to give a layer with weights (by its first weight), or undefined to
 *   use the layer's own name.
 * @returns The uses, sorted; one per part of a concatenation a layer acts on.
 */
export function trainingOnlyPlaces(
  model: tf.LayersModel,
  nameOf: (weight: tf.LayerVariable) => string | undefined,
): string[] {
  const places: string[] = [];
  const top = model as unknown as Graph;
  const topInputs = new Map(top.inputs.map((t, i) => [t.id, i]));
  let scopes = 0;

  const sources = (t: Symbolic, env: Bindings | null): string[] => {
    const bound = env?.get(t.id);
    if (bound) return sources(bound.tensor, bound.outer);
    const layer = t.sourceLayer, node = nodeOf(t);
    if (!node || node.inputTensors.length === 0) {
      return [topInputs.has(t.id) ? `input ${topInputs.get(t.id)}` : layer.name];
    }
    if (isGraph(layer)) {
      const inner = layer as unknown as Graph;
      return sources(inner.outputs[t.tensorIndex], bind(inner, node, env));
    }
    if (keepsMask(layer)) return sources(node.inputTensors[0], env);
    if (layer.getClassName() === "Concatenate") {
      return node.inputTensors.flatMap((x) => sources(x, env));
    }
    if (layer.weights.length > 0) return [nameOf(layer.weights[0]) ?? layer.name];
    const parts = node.inputTensors.flatMap((x) => sources(x, env)).sort();
    return [`${layer.getClassName()}(${parts.join(", ")})`];
  };

  const bind = (inner: Graph, node: GraphNode, outer: Bindings | null): Bindings =>
    new Map(inner.inputs.map((t, i) => [t.id, { tensor: node.inputTensors[i], outer }]));

  const visit = (t: Symbolic, env: Bindings | null, scope: number, seen: Set<string>) => {
    if (env?.has(t.id)) return;
    const layer = t.sourceLayer, node = nodeOf(t);
    const key = `${scope}:${layer.id}:${t.nodeIndex}`;
    if (!node || seen.has(key)) return;
    seen.add(key);
    for (const x of node.inputTensors) visit(x, env, scope, seen);
    if (isGraph(layer) && node.inputTensors.length > 0) {
      const inner = layer as unknown as Graph;
      const innerEnv = bind(inner, node, env), innerScope = ++scopes;
      for (const out of inner.outputs) visit(out, innerEnv, innerScope, seen);
      return;
    }
    const kind = layer.getClassName();
    if (!Object.hasOwn(TRAINING_ONLY_LAYERS, kind) || node.inputTensors.length === 0) return;
    const config = layer.getConfig() as Record<string, unknown>;
    const settings = TRAINING_ONLY_LAYERS[kind].map((k) => config[k]).join(" ");
    for (const what of sources(node.inputTensors[0], env)) {
      places.push(`${kind} ${settings} on ${what}`);
    }
  };

  const seen = new Set<string>();
  for (const out of top.outputs) visit(out, null, 0, seen);
  return places.sort();
}
