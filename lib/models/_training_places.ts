/**
 * Where the layers that act only in training (dropouts, noise, batch normalisation) sit in a
 * model, for {@linkcode compareModels}: each use of such a layer, with its settings and what it
 * acts on, e.g. `"Dropout 0.2 on user_embedding"` or `"GaussianNoise 0.1 on relu(hidden_1)"`.
 *
 * What a layer acts on is traced back through the layers that do not change what it does: a
 * flatten, reshape or permute (for every kind but batch normalisation, whose statistics are
 * per axis), a linear activation, and a ReLU for the two dropouts that zero values (`Dropout`,
 * `SpatialDropout1D`: their mask and rescaling commute with it). A concatenation splits into
 * its parts, since a dropout of a concatenation is a dropout of each part (04's hybrid writes
 * the one, the library's twin the other). The trace stops at a layer with weights (named
 * through `nameOf`, so that two models are described in one model's names, with its activation
 * when that does not commute: `sigmoid(hidden_1)`, the same as a separate sigmoid layer after
 * it) or at an input; any other layer is named by its class and what it acts on, e.g.
 * `"Dot(input 0, movie_embedding)"`. Nested models (a `tf.sequential` tower used as a layer)
 * are followed inside, once per use.
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
/** The kinds whose effect commutes with a ReLU: they zero values and rescale the others. */
const ZEROING = new Set(["Dropout", "SpatialDropout1D"]);

const nodeOf = (t: Symbolic): GraphNode | undefined =>
  (t.sourceLayer as unknown as { inboundNodes?: GraphNode[] }).inboundNodes?.[t.nodeIndex];

const isGraph = (layer: tf.layers.Layer): boolean => {
  const g = layer as unknown as Partial<Graph>;
  return Array.isArray(g.inputs) && Array.isArray(g.outputs) && g.outputs.length > 0;
};

/** A layer's activation by name ("linear" when it has none). */
function activationOf(layer: tf.layers.Layer): string {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === "string" ? activation : "linear";
}

/** Whether an activation leaves what a layer of `kind` does unchanged (see the module doc). */
const commutes = (activation: string, kind: string) =>
  activation === "linear" || (activation === "relu" && ZEROING.has(kind));

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

  /** What a layer of `kind` given `t` acts on (see the module doc). */
  const sources = (t: Symbolic, env: Bindings | null, kind: string): string[] => {
    const bound = env?.get(t.id);
    if (bound) return sources(bound.tensor, bound.outer, kind);
    const layer = t.sourceLayer, node = nodeOf(t);
    if (!node || node.inputTensors.length === 0) {
      return [topInputs.has(t.id) ? `input ${topInputs.get(t.id)}` : layer.name];
    }
    if (isGraph(layer)) {
      const inner = layer as unknown as Graph;
      return sources(inner.outputs[t.tensorIndex], bind(inner, node, env), kind);
    }
    const className = layer.getClassName(), inputs = node.inputTensors;
    if (SAME_VALUES.has(className) && kind !== "BatchNormalization") {
      return sources(inputs[0], env, kind);
    }
    if (className === "Concatenate") return inputs.flatMap((x) => sources(x, env, kind));
    const activation = activationOf(layer);
    const applied = (what: string) => commutes(activation, kind) ? what : `${activation}(${what})`;
    if (layer.weights.length > 0) return [applied(nameOf(layer.weights[0]) ?? layer.name)];
    if (className === "Activation") return sources(inputs[0], env, kind).map(applied);
    const parts = inputs.flatMap((x) => sources(x, env, kind)).sort();
    return [`${className}(${parts.join(", ")})`];
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
    for (const what of sources(node.inputTensors[0], env, kind)) {
      places.push(`${kind} ${settings} on ${what}`);
    }
  };

  const seen = new Set<string>();
  for (const out of top.outputs) visit(out, null, 0, seen);
  return places.sort();
}
