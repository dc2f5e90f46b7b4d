/**
 * Checking what `fit`, `evaluate` and `predict` are given against the model (one tensor per
 * input, matching sample shapes, targets that fit the output and the loss), reading it into
 * typed-array columns, and splitting off the validation samples.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { describe, found, plural } from "../_validate.ts";
import { type Columns, splitColumns, toColumns } from "./_batches.ts";
import type { Objective } from "./_losses.ts";

/** What the checks need to know about the model. */
export interface ModelShape {
  /** The dtype each input's batches are made in. */
  inputDtypes: Array<"float32" | "int32">;
  /** The output's sample shape (`-1` for an unknown dimension). */
  outputShape: number[];
}

/**
 * Checks an integer option: `name` must be an integer >= `min` (a `TypeError` for a value that
 * is not a number, `"2"` included, a `RangeError` for a number out of range).
 */
export function checkInt(caller: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    const Class = typeof v === "number" ? RangeError : TypeError;
    throw new Class(
      `${caller}(): expected ${name} to be an integer >= ${min}, found ${found(v)}`,
    );
  }
  return v;
}

/** The input dtypes and output shape of `model`. */
export function modelShape(model: tf.LayersModel): ModelShape {
  return {
    inputDtypes: model.inputs.map((t) => (t.dtype === "int32" ? "int32" : "float32")),
    outputShape: model.outputs[0].shape.slice(1).map((d) => d ?? -1),
  };
}

function toList(x: tf.Tensor | tf.Tensor[], caller: string, what: string): tf.Tensor[] {
  const list = Array.isArray(x) ? x : [x];
  list.forEach((t, i) => {
    if (!(t instanceof tf.Tensor)) {
      throw new TypeError(
        `${caller}(): expected ${what}[${i}] to be a tf.Tensor, found ${describe(t)}`,
      );
    }
    if (t.isDisposed) throw new TypeError(`${caller}(): ${what}[${i}] is disposed`);
  });
  return list;
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A symbolic tensor and the graph node that made it, as tfjs keeps them. */
interface SymbolicLike {
  id: number;
  sourceLayer: tf.layers.Layer;
  nodeIndex: number;
}

/** Layers that pass indices on unchanged, only reshaped: a lookup may sit behind them. */
const RESHAPING = new Set(["Reshape", "Flatten", "Permute"]);

/** The table rows an input's values index: the lookup layer and its number of rows. */
interface IndexLimit {
  /** The layer that looks the values up. */
  layer: string;
  /** Its rows: the values must lie in [0, rows). */
  rows: number;
}

const indexLimits = new WeakMap<tf.LayersModel, Map<number, IndexLimit>>();

/**
 * For each model input that is looked up in a table — by an `Embedding` layer (`inputDim`
 * rows) or a fused dot-bias layer (`numUsers` / `numMovies` rows for its two inputs), directly
 * or through layers that only reshape — the smallest such table: its rows bound the input's
 * values, which tfjs' gather reports without naming the input ("GatherV2: the index value
 * 1000000 is not in [0, 609]") or, in the engine's kernels, would read outside the table.
 */
function lookupLimits(model: tf.LayersModel): Map<number, IndexLimit> {
  let limits = indexLimits.get(model);
  if (limits) return limits;
  limits = new Map();
  const inputIds = (model.inputs as unknown as SymbolicLike[]).map((t) => t.id);
  const nodeInputs = (layer: tf.layers.Layer, index: number): SymbolicLike[] =>
    (layer as unknown as { inboundNodes?: { inputTensors: SymbolicLike[] }[] })
      .inboundNodes?.[index]?.inputTensors ?? [];
  /** The model input `t` is, through reshaping layers only, or -1. */
  const sourceInput = (t: SymbolicLike): number => {
    for (let hops = 0; hops < 16; hops++) {
      const at = inputIds.indexOf(t.id);
      if (at >= 0) return at;
      if (!RESHAPING.has(t.sourceLayer.getClassName())) return -1;
      const before = nodeInputs(t.sourceLayer, t.nodeIndex);
      if (before.length !== 1) return -1;
      t = before[0];
    }
    return -1;
  };
  const note = (input: number, layer: tf.layers.Layer, rows: unknown) => {
    if (input < 0 || typeof rows !== "number" || !(rows > 0)) return;
    const known = limits!.get(input);
    if (!known || rows < known.rows) limits!.set(input, { layer: layer.name, rows });
  };
  for (const layer of model.layers) {
    const fields = layer as unknown as Record<string, unknown>;
    const nodes = (fields.inboundNodes as unknown[] | undefined)?.length ?? 0;
    for (let n = 0; n < nodes; n++) {
      const inputs = nodeInputs(layer, n);
      if (layer.getClassName() === "Embedding" && inputs.length === 1) {
        note(sourceInput(inputs[0]), layer, fields.inputDim);
      } else if (typeof fields.numUsers === "number" && inputs.length === 2) {
        note(sourceInput(inputs[0]), layer, fields.numUsers);
        note(sourceInput(inputs[1]), layer, fields.numMovies);
      }
    }
  }
  indexLimits.set(model, limits);
  return limits;
}

/**
 * Checks that every input looked up in a table holds row indices of that table, so that an
 * out-of-range id is reported naming the input, the sample and the range, before any step.
 *
 * @param model The model.
 * @param x Its input columns.
 * @param caller Function name for messages.
 * @param what Name of `x` for messages.
 * @param first The sample of `what` that `x` starts at.
 * @throws {RangeError} Naming the first value outside its table and how many are.
 */
export function checkLookupIndices(
  model: tf.LayersModel,
  x: Columns,
  caller: string,
  what: string,
  first = 0,
): void {
  for (const [input, { layer, rows }] of lookupLimits(model)) {
    const { values, width } = x.columns[input];
    let bad = -1, count = 0;
    for (let i = 0; i < values.length; i++) {
      const row = Math.trunc(values[i]); // a float input is cast to int32 as the lookup does
      if (!(row >= 0 && row < rows)) {
        count++;
        if (bad < 0) bad = i;
      }
    }
    if (bad < 0) continue;
    const sample = first + Math.floor(bad / width);
    throw new RangeError(
      `${caller}(): ${what}[${input}] (model input "${model.inputs[input].name}") holds ` +
        `${values[bad]} at row ${sample}, outside [0, ${rows - 1}]: the rows of the table of ` +
        `layer "${layer}"${
          count > 1 ? ` (${count.toLocaleString("en-US")} of its values are outside)` : ""
        }; ids must be encoded as rows 0 … ${rows - 1} (an IdEncoder does that)`,
    );
  }
}

/**
 * Checks `x` against the model's inputs and returns their columns.
 *
 * @param model The model.
 * @param shape Its input dtypes.
 * @param x One tensor per input.
 * @param caller Function name for messages.
 * @param what Name of `x` for messages.
 * @returns The columns.
 */
export function inputColumns(
  model: tf.LayersModel,
  shape: ModelShape,
  x: tf.Tensor | tf.Tensor[],
  caller: string,
  what: string,
): Columns {
  const xs = toList(x, caller, what);
  if (xs.length !== model.inputs.length) {
    throw new RangeError(
      `${caller}(): the model has ${plural(model.inputs.length, "input")} (${
        model.inputs.map((t) => t.name).join(", ")
      }), found ${plural(xs.length, "tensor")} in ${what}`,
    );
  }
  const n = xs[0].shape[0];
  const shapes = xs.map((t, i) => {
    if (t.rank === 0 || t.shape[0] !== n) {
      throw new RangeError(
        `${caller}(): expected every tensor of ${what} to have ${n} samples on axis 0, found shape [${t.shape}] for ${what}[${i}]`,
      );
    }
    const want = model.inputs[i].shape.slice(1);
    const got = t.shape.slice(1);
    if (!want.every((d) => d !== null)) return got;
    if (product(got) !== product(want as number[])) {
      throw new RangeError(
        `${caller}(): model input "${
          model.inputs[i].name
        }" expects samples of shape [${want}], found [${got}] in ${what}[${i}]`,
      );
    }
    return want as number[];
  });
  const columns = toColumns(xs, shape.inputDtypes, shapes);
  checkLookupIndices(model, columns, caller, what);
  return columns;
}

/**
 * Checks `y` against the model's output (and the loss: class indices for sparse
 * cross-entropy) and returns its column.
 *
 * @param shape The model's output shape.
 * @param objective The compiled loss.
 * @param y Targets.
 * @param n Samples in `x`.
 * @param caller Function name for messages.
 * @param what Name of `y` for messages.
 * @returns The column.
 */
export function targetColumn(
  shape: ModelShape,
  objective: Objective,
  y: tf.Tensor,
  n: number,
  caller: string,
  what: string,
): Columns {
  if (!(y instanceof tf.Tensor)) {
    throw new TypeError(`${caller}(): expected ${what} to be a tf.Tensor, found ${describe(y)}`);
  }
  if (y.isDisposed) throw new TypeError(`${caller}(): ${what} is disposed`);
  if (y.rank === 0 || y.shape[0] !== n) {
    throw new RangeError(
      `${caller}(): expected ${what} to have ${n} samples on axis 0 like x, found shape [${y.shape}]`,
    );
  }
  const per = product(y.shape.slice(1));
  const out = shape.outputShape;
  if (objective.sparseTargets) {
    if (per !== 1) {
      throw new RangeError(
        `${caller}(): sparse categorical cross-entropy expects one class index per sample, found samples of shape [${
          y.shape.slice(1)
        }] in ${what}`,
      );
    }
    return toColumns([y], ["float32"], [[1]]);
  }
  if (!(out.every((d) => d > 0) && per === product(out))) {
    throw new RangeError(
      `${caller}(): the model outputs samples of shape [${out}], found targets of shape [${
        y.shape.slice(1)
      }] in ${what}`,
    );
  }
  return toColumns([y], ["float32"], [out]);
}

/**
 * Checks that every target is finite: a NaN or infinite target would make a loss or a metric
 * NaN (or infinite) without a word.
 *
 * @param y Target columns.
 * @param caller Function name for messages.
 * @param what Name of the targets for messages.
 * @param first The sample of `what` that `y` starts at (for the validation part of a split).
 * @throws {RangeError} Naming the first NaN or infinite target and its sample (row).
 */
export function checkFiniteTargets(y: Columns, caller: string, what: string, first = 0): void {
  const { values, width } = y.columns[0];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${caller}(): expected finite targets in ${what}, found ${values[i]} in sample ${
          first + Math.floor(i / width)
        }`,
      );
    }
  }
}

/** Training and (optional) validation samples, as columns. */
export interface Splits {
  /** Inputs and targets to train on. */
  train: [Columns, Columns];
  /** Inputs and targets to validate on, or null. */
  val: [Columns, Columns] | null;
}

/** Where the validation samples come from. */
export interface ValidationSource {
  /** Separate validation data `[x, y]`, or null. */
  data: [tf.Tensor | tf.Tensor[], tf.Tensor] | null;
  /** The last fraction of the samples, before any shuffling (Keras' `validation_split`). */
  split: number;
}

/**
 * Sets the validation samples apart: separate data, or the last `split` fraction.
 *
 * @param model The model.
 * @param shape Its inputs and output.
 * @param objective The compiled loss.
 * @param source Validation data or fraction.
 * @param x Training input columns.
 * @param y Training target columns.
 * @returns The training and validation columns.
 */
export function splitValidation(
  model: tf.LayersModel,
  shape: ModelShape,
  objective: Objective,
  source: ValidationSource,
  x: Columns,
  y: Columns,
): Splits {
  const { data, split } = source;
  if (typeof split !== "number" || !(split >= 0 && split < 1)) {
    throw new RangeError(`fit(): expected validationSplit in [0, 1), found ${split}`);
  }
  if (data !== null && split > 0) {
    throw new TypeError(
      `fit(): give either validationData or validationSplit, found both (validationSplit ${split})`,
    );
  }
  if (data !== null) {
    const vx = inputColumns(model, shape, data[0], "fit", "validationData.x");
    const vy = targetColumn(shape, objective, data[1], vx.n, "fit", "validationData.y");
    if (vx.n === 0) {
      throw new RangeError("fit(): expected validationData with at least one sample, found 0");
    }
    checkFiniteTargets(vy, "fit", "validationData.y");
    return { train: [x, y], val: [vx, vy] };
  }
  if (split === 0) return { train: [x, y], val: null };
  const at = Math.floor(x.n * (1 - split));
  if (at <= 0 || at >= x.n) {
    throw new RangeError(
      `fit(): validationSplit ${split} of ${x.n} samples leaves ${at} for training and ${
        x.n - at
      } for validation; expected both to be non-empty`,
    );
  }
  const [xt, xv] = splitColumns(x, at);
  const [yt, yv] = splitColumns(y, at);
  checkFiniteTargets(yv, "fit", "the validation part of data.y", at);
  return { train: [xt, yt], val: [xv, yv] };
}
