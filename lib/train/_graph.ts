/**
 * A lean forward pass for tfjs layers models. `model.apply(x, { training })` re-checks every
 * layer's input spec, opens a name scope and builds a feed dictionary on every call; for the
 * small recommender graphs trained here that bookkeeping costs as much as the maths. This
 * module walks the model's graph once, then calls each layer's `call` directly.
 *
 * Models it does not handle (masks, activity regularisers, several outputs per node) fall back
 * to `model.apply`, so the result is always the one Keras semantics give.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { canRunFused, fuseDotBias, type PlanStep } from "./_fuse.ts";

interface SymbolicLike {
  id: number;
  name: string;
  sourceLayer: tf.layers.Layer;
  nodeIndex: number;
  inputs: SymbolicLike[];
}

interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
  callArgs?: Record<string, unknown>;
}

type Step = PlanStep;

/** A compiled forward pass: run it with {@linkcode runForward}. */
export interface ForwardPlan {
  /** Steps in topological order, or `null` to use `model.apply`. */
  steps: Step[] | null;
  /** Symbolic ids of the model's inputs, in order. */
  inputIds: number[];
  /** Symbolic ids of the model's outputs, in order. */
  outputIds: number[];
}

function layerIsPlain(layer: tf.layers.Layer): boolean {
  const l = layer as unknown as Record<string, unknown>;
  if (l.activityRegularizer != null) return false;
  if (l.maskZero === true) return false;
  return true;
}

/**
 * Walks `model`'s graph from its outputs back to its inputs and records the layer calls; a dot
 * product of two embedding lookups (with biases and a sigmoid range, when present) becomes one
 * call of the fused dot-bias op (see `_fuse.ts`) unless `fuse` is false.
 *
 * @param model A built functional or sequential model.
 * @param options `fuse: false` keeps every layer call as it is.
 * @returns The plan (falls back to `model.apply` for graphs outside the lean path).
 */
export function planForward(model: tf.LayersModel, options: { fuse?: boolean } = {}): ForwardPlan {
  const inputs = (model.inputs ?? []) as unknown as SymbolicLike[];
  const outputs = (model.outputs ?? []) as unknown as SymbolicLike[];
  if (inputs.length === 0 || outputs.length === 0) {
    return { steps: null, inputIds: [], outputIds: [] };
  }
  const inputIds = inputs.map((t) => t.id);
  const outputIds = outputs.map((t) => t.id);
  const fallback: ForwardPlan = { steps: null, inputIds, outputIds };
  const known = new Set(inputIds);
  const steps: Step[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (t: SymbolicLike): boolean => {
    if (known.has(t.id)) return true;
    const layer = t.sourceLayer;
    const node = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes?.[t.nodeIndex];
    if (!node || node.inputTensors.length === 0) return false; // an input we were not given
    const key = `${layer.id}:${t.nodeIndex}`;
    if (done.has(key)) return true;
    if (visiting.has(key)) return false;
    visiting.add(key);
    if (!layerIsPlain(layer)) return false;
    for (const input of node.inputTensors) if (!visit(input)) return false;
    steps.push({
      layer,
      inputs: node.inputTensors.map((x) => x.id),
      outputs: node.outputTensors.map((x) => x.id),
      callArgs: { ...(node.callArgs ?? {}) },
    });
    for (const out of node.outputTensors) known.add(out.id);
    done.add(key);
    return true;
  };
  for (const out of outputs) if (!visit(out)) return fallback;
  const fused = options.fuse === false ? steps : fuseDotBias(steps, inputIds, outputIds);
  return { steps: fused, inputIds, outputIds };
}

/**
 * Runs the forward pass. Call inside `tf.tidy` (or a gradient scope): intermediate tensors
 * are left to the caller's scope.
 *
 * @param model The model the plan was made from.
 * @param plan Its plan.
 * @param inputs One tensor per model input, already in the input's dtype.
 * @param training Whether dropout and similar layers run in training mode.
 * @returns One tensor per model output.
 */
export function runForward(
  model: tf.LayersModel,
  plan: ForwardPlan,
  inputs: tf.Tensor[],
  training: boolean,
): tf.Tensor[] {
  if (plan.steps === null) {
    const out = model.apply(inputs.length === 1 ? inputs[0] : inputs, { training });
    return Array.isArray(out) ? out as tf.Tensor[] : [out as tf.Tensor];
  }
  const values = new Map<number, tf.Tensor>();
  for (let i = 0; i < plan.inputIds.length; i++) values.set(plan.inputIds[i], inputs[i]);
  const run = (step: Step) => {
    const args = step.inputs.map((id) => values.get(id)!);
    if (step.fused && canRunFused(args)) {
      values.set(step.outputs[0], step.fused.run(args));
      return;
    }
    if (step.fused) { // no fused kernel here: the layers' own calls
      step.fused.group.forEach(run);
      return;
    }
    const out = step.layer.call(args, { ...step.callArgs, training });
    const list = Array.isArray(out) ? out : [out];
    for (let i = 0; i < step.outputs.length; i++) values.set(step.outputs[i], list[i]);
  };
  plan.steps.forEach(run);
  return plan.outputIds.map((id) => {
    const t = values.get(id)!;
    return inputs.includes(t) ? t.clone() : t;
  });
}

/**
 * Layer classes the engine runs fast: each has a fast kernel path (see `kernels/`) or is one
 * cheap kernel as tfjs runs it.
 */
export const FAST_LAYERS: ReadonlySet<string> = new Set([
  "InputLayer",
  "Embedding",
  "Dense",
  "Dropout",
  "Flatten",
  "Reshape",
  "Concatenate",
  "Dot",
  "Add",
  "Activation",
  "Rescaling",
  "EmbeddingDotBias",
  "RatingRange",
]);

/**
 * The layers of `model` that train on stock tfjs code, which works but is slower: classes
 * outside {@linkcode FAST_LAYERS}, embeddings of float ids, and a whole model that the lean
 * forward pass cannot run.
 *
 * @param model The model.
 * @param plan Its forward plan.
 * @returns One description per slow layer, e.g. `"my_layer (MyLayer)"`.
 */
export function slowLayers(model: tf.LayersModel, plan: ForwardPlan): string[] {
  if (plan.steps === null) return [`${model.name} (masks or activity regularizers)`];
  const out: string[] = [];
  for (const { layer } of plan.steps) {
    const cls = layer.getClassName();
    if (!FAST_LAYERS.has(cls)) out.push(`${layer.name} (${cls})`);
    else if (cls === "Embedding") {
      const node = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[0];
      const dtype = (node?.inputTensors[0] as unknown as { dtype?: string })?.dtype;
      if (dtype !== "int32") out.push(`${layer.name} (Embedding of ${dtype} ids)`);
    }
  }
  return [...new Set(out)];
}
