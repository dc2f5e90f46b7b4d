/**
 * Runs a dot product of two embedding lookups written as stock layers — the matrix
 * factorisation every tutorial writes as `Embedding → (Flatten) → Dot → (Flatten)`, optionally
 * `Add`-ed to a user and a movie bias (embeddings of width 1) and squashed by
 * `Activation("sigmoid") → Rescaling` — as the one fused dot-bias op of `kernels/dot_bias.ts`.
 * Stock layers take about 15 kernels forward and 25 backward for it; the fused op one each, on
 * the very same weight variables (so their L2 penalties, the optimizer and a saved model are
 * untouched). The forward plan keeps the original layer calls beside the fused call and runs
 * them when the backend has no dot-bias kernel.
 *
 * A group is fused only when nothing outside it reads its intermediate tensors, the lookups
 * take two different model inputs (as int32 row ids), and every layer is the plain kind
 * (`Dot` without normalisation over the factor axis, `Add` of exactly the score and the two
 * biases, a `sigmoid` activation followed by a rescaling).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { DOT_BIAS, dotBias } from "./kernels/dot_bias.ts";

/** One layer call of a forward plan (see `_graph.ts`). */
export interface PlanStep {
  layer: tf.layers.Layer;
  inputs: number[];
  outputs: number[];
  callArgs: Record<string, unknown>;
  /** A fused replacement for `group` (the original calls, in order). */
  fused?: { run: (inputs: tf.Tensor[]) => tf.Tensor; group: PlanStep[] };
}

interface Lookup {
  table: tf.layers.Layer;
  /** Index of the model input holding the ids. */
  input: number;
  steps: PlanStep[];
}

const cls = (step: PlanStep | undefined) => step?.layer.getClassName();
const config = (step: PlanStep) => step.layer.getConfig() as Record<string, unknown>;

/**
 * Replaces each fusable dot-with-biases group of `steps` by one fused step.
 *
 * @param steps The plan's steps, in topological order.
 * @param inputIds Symbolic ids of the model's inputs.
 * @param outputIds Symbolic ids of the model's outputs.
 * @returns The steps with every fusable group replaced (the same array when there is none).
 */
export function fuseDotBias(steps: PlanStep[], inputIds: number[], outputIds: number[]) {
  const producer = new Map<number, PlanStep>();
  const readers = new Map<number, number>();
  for (const s of steps) {
    s.outputs.forEach((id) => producer.set(id, s));
    s.inputs.forEach((id) => readers.set(id, (readers.get(id) ?? 0) + 1));
  }
  outputIds.forEach((id) => readers.set(id, (readers.get(id) ?? 0) + 1));
  const only = (id: number) => readers.get(id) === 1 && producer.get(id)?.outputs.length === 1;

  // An embedding row of a model input: Embedding(id), optionally flattened.
  const lookup = (id: number, width?: number, flat?: boolean): Lookup | null => {
    let step = producer.get(id);
    const through: PlanStep[] = [];
    if ((cls(step) === "Flatten") !== (flat ?? cls(step) === "Flatten")) return null;
    if (cls(step) === "Flatten" && only(id)) {
      through.push(step!);
      id = step!.inputs[0];
      step = producer.get(id);
    }
    if (cls(step) !== "Embedding" || !only(id)) return null;
    const c = config(step!);
    if (c.maskZero === true || (width !== undefined && c.outputDim !== width)) return null;
    const input = inputIds.indexOf(step!.inputs[0]);
    return input < 0 ? null : { table: step!.layer, input, steps: [step!, ...through] };
  };

  // A Dot of two lookups: of flattened rows (`flat`, output `[n, 1]`) or of `[n, 1, f]` rows.
  const dotOf = (id: number, flat: boolean) => {
    const step = producer.get(id);
    if (cls(step) !== "Dot" || !only(id) || step!.inputs.length !== 2) return null;
    const { axes, normalize } = config(step!) as { axes: number | number[]; normalize: boolean };
    const last = [-1, flat ? 1 : 2];
    const ax = Array.isArray(axes) ? axes : [axes, axes];
    if (normalize || !ax.every((a) => last.includes(a))) return null;
    const [u, m] = step!.inputs.map((x) => lookup(x, undefined, flat));
    if (!u || !m || u.input === m.input) return null;
    return { u, m, steps: [...u.steps, ...m.steps, step!] };
  };
  // The score `[n, 1]`: a Dot of flattened rows, or a Dot of `[n, 1, f]` rows then Flatten.
  const score = (id: number) => {
    const step = producer.get(id);
    if (cls(step) !== "Flatten") return dotOf(id, true);
    const inner = step!.inputs[0];
    const core = only(id) ? dotOf(inner, false) : null;
    core?.steps.push(step!);
    return core;
  };

  // From the last step back, so that the largest group around a dot product wins.
  const replaced = new Map<PlanStep, PlanStep>();
  const dropped = new Set<PlanStep>();
  for (const top of [...steps].reverse()) {
    if (dropped.has(top)) continue;
    const found = match(top);
    if (!found || found.group.some((s) => dropped.has(s))) continue;
    const group = steps.filter((s) => found.group.includes(s));
    group.forEach((s) => dropped.add(s));
    replaced.set(top, { ...top, inputs: [...inputIds], fused: { run: found.run, group } });
  }
  if (replaced.size === 0) return steps;
  return steps.flatMap((s) => replaced.has(s) ? [replaced.get(s)!] : dropped.has(s) ? [] : [s]);

  function match(top: PlanStep) {
    let id = top.outputs[0];
    const tail: PlanStep[] = [];
    let yRange: [number, number] | null = null;
    if (cls(top) === "Rescaling") {
      const { scale, offset } = config(top) as { scale: number; offset: number };
      const sig = producer.get(top.inputs[0]);
      const activation = sig && (config(sig).activation as string);
      if (cls(sig) !== "Activation" || activation !== "sigmoid" || !only(top.inputs[0])) {
        return null;
      }
      if (!(typeof scale === "number" && scale > 0 && typeof offset === "number")) return null;
      yRange = [offset, offset + scale];
      tail.push(sig!, top);
      id = sig!.inputs[0];
      if (!only(id)) return null;
    }
    // Rows flattened before the dot (`[n, f]`), or a dot of `[n, 1, f]` rows (and biases
    // `[n, 1, 1]`) flattened after it.
    let head = producer.get(id);
    const after: PlanStep[] = [];
    if (cls(head) === "Flatten" && cls(producer.get(head!.inputs[0])) === "Add") {
      after.push(head!);
      id = head!.inputs[0];
      if (!only(id)) return null;
      head = producer.get(id);
    }
    let core: ReturnType<typeof score> = null;
    let biases: Lookup[] = [];
    if (cls(head) === "Add" && head!.inputs.length === 3) {
      const [s, b1, b2] = head!.inputs;
      const flat = after.length === 0;
      core = flat ? score(s) : dotOf(s, false);
      const [ub, mb] = [lookup(b1, 1, flat), lookup(b2, 1, flat)];
      if (!core || !ub || !mb || ub.input !== core.u.input || mb.input !== core.m.input) {
        return null;
      }
      biases = [ub, mb];
      core.steps.push(...ub.steps, ...mb.steps, head!, ...after);
    } else {
      core = score(id);
    }
    if (!core) return null;
    const { u, m } = core;
    const variable = (layer: tf.layers.Layer) =>
      (layer as unknown as { embeddings: { read(): tf.Tensor } }).embeddings.read();
    const [ui, mi] = [u.input, m.input];
    const run = (ins: tf.Tensor[]) =>
      dotBias(
        {
          userFactors: variable(u.table),
          movieFactors: variable(m.table),
          userBias: biases.length ? variable(biases[0].table) : null,
          movieBias: biases.length ? variable(biases[1].table) : null,
        },
        [ins[ui], ins[mi]],
        { yRange },
      );
    return { group: [...core.steps, ...tail], run };
  }
}

/**
 * Whether the fused call of a step can run: the active backend has the dot-bias kernel and the
 * ids are int32 (the stock `Embedding` casts other dtypes itself).
 *
 * @param inputs The model inputs the fused call reads.
 * @returns `true` to run the fused call, `false` to run the group's own layers.
 */
export function canRunFused(inputs: tf.Tensor[]): boolean {
  return tf.getKernel(DOT_BIAS, tf.getBackend()) !== undefined &&
    inputs.every((t) => t.dtype === "int32");
}
