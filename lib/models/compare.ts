/**
 * {@linkcode compareModels}: checks that two models are the same model — a model written in a
 * notebook and its `buildModel` twin, or the stock and the fused dot-bias model — by copying
 * the first one's weights into the second and comparing parameter counts and predictions, then
 * what predictions cannot show: how each weight starts and trains, and how each model is compiled.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import pl from "nodejs-polars";
import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, createRng } from "../random.ts";
import {
  checkBoolean,
  checkNonNegativeNumber,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  toIds,
} from "../_validate.ts";
import { findTables } from "./_weights.ts";
import { collectPenalties, compiledRate, type PenaltyTerm } from "./_engine.ts";
import { compiledState } from "../_tfjs_internals.ts";
import { settingsOf } from "./_optimizer_settings.ts";
import { trainingOnlyPlaces } from "./_training_places.ts";
import { weightInitializers } from "./_weight_initializers.ts";
import { shapeText } from "./_shape.ts";
import { checkModelAlive } from "./_usable.ts";
import type { Recommender } from "./recommender.ts";

const WHERE = "compareModels()";

/** Options of {@linkcode compareModels}. */
export interface CompareOptions {
  /**
   * The pairs to predict, as row indices `[users, movies]` (the models' inputs), else
   * `pairs` random ones.
   * @default {undefined}
   */
  ids?: [ArrayLike<number>, ArrayLike<number>];
  /**
   * How many random pairs to predict when `ids` is not given.
   * @default {1000}
   */
  pairs?: number;
  /**
   * Seed of the random pairs.
   * @default {42}
   */
  seed?: number;
  /**
   * Largest allowed absolute difference between the two models' outputs (float32 rounding
   * differs between a fused op and stock layers; the same layers give exactly the same).
   * @default {1e-4}
   */
  tolerance?: number;
  /**
   * Whether to compare each matched weight's initializer (class and settings, where both
   * layers' configs declare one). `false` for a caller that gives the second model the first
   * one's starting weights and trains it from them, so that its own initializers never act.
   * @default {true}
   */
  initializers?: boolean;
  /**
   * Whether to compare how the models train: compile state, loss, optimizer and learning rate,
   * penalties, constraints, frozen weights and the layers that act only in training. `false`
   * only for a second model that is never trained in the first one's place (a copy kept for
   * another program), so that the check is of the network alone.
   * @default {true}
   */
  training?: boolean;
}

/**
 * What a failed comparison means where a notebook checks its model against the library's twin,
 * the last sentence of every such message.
 */
const TWIN_ADVICE = "In a notebook this means that the library's twin, which later cells may " +
  "train in this model's place, follows its options rather than the edited code: change the " +
  "twin's options in the check cell to match the edit, or undo the edit.";

/** The error of a comparison that failed: what differs, then what it means for a notebook. */
function differ(text: string): RangeError {
  return new RangeError(`${WHERE}: ${text}. ${TWIN_ADVICE}`);
}

interface Weight {
  layer: string;
  /** The name of the layer that holds it. */
  layerName: string;
  variable: tf.LayerVariable;
  /** Whether training updates it (its layer's and its own flag). */
  trainable: boolean;
}

function modelOf(x: unknown, which: string): tf.LayersModel {
  if (x instanceof tf.LayersModel) {
    checkModelAlive(x, WHERE, `model ${which}`);
    return x;
  }
  const model = (x as Recommender | null)?.model;
  if (model instanceof tf.LayersModel) {
    checkModelAlive(model, WHERE, `recommender ${which}`);
    return model;
  }
  throw new TypeError(
    `${WHERE}: expected ${which} to be a tfjs LayersModel or a recommender, found ${describe(x)}`,
  );
}

/** Every weight in layer order, named `layer` or `layer/weight` when a layer has several. */
function weightsOf(model: tf.LayersModel): Weight[] {
  return model.layers.flatMap((l) =>
    l.weights.map((variable) => ({
      layer: l.weights.length === 1
        ? l.name
        : `${l.name}/${variable.originalName.split("/").pop()}`,
      layerName: l.name,
      variable,
      trainable: l.trainable && variable.trainable,
    }))
  );
}

const sameShape = (x: Weight, y: Weight) =>
  x.variable.shape.length === y.variable.shape.length &&
  x.variable.shape.every((d, i) => d === y.variable.shape[i]);
const bracketed = (w: Weight) => `[${w.variable.shape.join(", ")}]`;
const count = (w: Weight) => w.variable.shape.reduce((p: number, d) => p * (d ?? 1), 1);

/** Pairs each weight of `a` with the first unused weight of `b` of the same shape. */
function matchWeights(a: Weight[], b: Weight[]): [Weight, Weight][] {
  const free = [...b];
  const pairs = a.map((wa): [Weight, Weight] => {
    const i = free.findIndex((wb) => sameShape(wa, wb));
    if (i < 0) {
      const left = free.map((w) => `${w.layer} ${bracketed(w)}`).join(", ") || "none";
      throw differ(
        `layer ${wa.layer} of the first model has a ${bracketed(wa)} weight and the second ` +
          `model has none of that shape (its unmatched weights: ${left})`,
      );
    }
    return [wa, free.splice(i, 1)[0]];
  });
  if (free.length > 0) {
    throw differ(
      `layer ${free[0].layer} of the second model (${bracketed(free[0])}) has no counterpart ` +
        "in the first model: the parameter counts differ",
    );
  }
  return pairs;
}

/**
 * How a weight trains besides its value — its penalty, constraint and trainable flag — e.g.
 * `"L2 0.001"` or `"frozen"`; `""` for a plain trainable weight.
 */
function howTrained(w: Weight, penalties: Map<string, PenaltyTerm>): string {
  const parts: string[] = [];
  if (!w.trainable) parts.push("frozen");
  const term = penalties.get((w.variable.read() as tf.Variable).name);
  if (term?.l2) parts.push(`L2 ${term.l2}`);
  if (term?.l1) parts.push(`L1 ${term.l1}`);
  if (term?.custom) parts.push(`regularizer ${withSettings(term.custom)}`);
  const constraint = (w.variable as unknown as { constraint?: tf.serialization.Serializable })
    .constraint;
  if (constraint != null) parts.push(`constraint ${withSettings(constraint)}`);
  return parts.join(", ");
}

/** A regulariser or constraint with its settings: `MaxNorm {"maxValue":5,"axis":0}`, `NonNeg`. */
function withSettings(x: tf.serialization.Serializable): string {
  const config = x.getConfig();
  return Object.keys(config).length === 0
    ? x.getClassName()
    : `${x.getClassName()} ${JSON.stringify(config)}`;
}

/**
 * The compiled loss of a model when it is a name, lower-cased without underscores (Keras'
 * `mean_squared_error` is tfjs' `meanSquaredError`), else null.
 */
function lossNameOf(model: tf.LayersModel): string | null {
  const name = compiledLossText(model);
  return typeof name === "string" ? name.toLowerCase().replaceAll("_", "") : null;
}

/**
 * Throws when the two models, though they predict the same, would train differently: a weight
 * penalised, constrained or frozen in one and not (or otherwise) in the other, other layers
 * that act only in training (dropout, noise, batch normalisation: their kinds, settings, count
 * and what each acts on, see `_training_places.ts`), other compiled losses or optimizers.
 * Without this a notebook's model edited by a reader still passed for its library twin.
 */
function checkSameTraining(ma: tf.LayersModel, mb: tf.LayersModel, pairs: [Weight, Weight][]) {
  const byName = (m: tf.LayersModel) =>
    new Map(collectPenalties(m, WHERE).terms.map((t) => [t.variable.name, t]));
  const [pa, pb] = [byName(ma), byName(mb)];
  for (const [wa, wb] of pairs) {
    const [ha, hb] = [howTrained(wa, pa), howTrained(wb, pb)];
    if (ha !== hb) {
      throw differ(
        `the models predict alike but train differently: layer ${wa.layer} of the ` +
          `first model is ${ha || "plain (no penalty, constraint or freezing)"}, its ` +
          `counterpart ${wb.layer} in the second ${
            hb || "plain (no penalty, constraint or freezing)"
          }`,
      );
    }
  }
  // Each weight by the first model's layer that made it: inside a nested tower too, where the
  // layer that holds the weight in the model is the tower.
  const names = new Map<tf.LayerVariable, string>();
  for (const [wa, wb] of pairs) {
    const name = wa.variable.originalName.split("/").slice(0, -1).join("/") || wa.layerName;
    names.set(wa.variable, name).set(wb.variable, name);
  }
  const nameOf = (w: tf.LayerVariable) => names.get(w);
  const [la, lb] = [trainingOnlyPlaces(ma, nameOf), trainingOnlyPlaces(mb, nameOf)];
  if (la.join("; ") !== lb.join("; ")) {
    throw differ(
      "the models predict alike but train differently: the layers that act only in " +
        `training are [${la.join("; ")}] in the first model and [${lb.join("; ")}] in the ` +
        "second (kinds, settings and what each acts on, in the first model's layer names)",
    );
  }
  const [fa, fb] = [lossNameOf(ma), lossNameOf(mb)];
  if (fa !== null && fb !== null && fa !== fb) {
    throw differ(
      "the models predict alike but train differently: compiled with the loss " +
        `${JSON.stringify(compiledLossText(ma))} and ${JSON.stringify(compiledLossText(mb))}`,
    );
  }
  const [ra, rb] = [updateRule(ma), updateRule(mb)];
  if (ra !== null && rb !== null) {
    const fields = Object.keys({ ...ra, ...rb }).filter((k) => ra[k] !== rb[k]);
    const text = (r: UpdateRule, keys: string[]) => keys.map((k) => `${k} ${r[k]}`).join(", ");
    const whole = (r: UpdateRule) => {
      const keys = Object.keys(r).slice(1);
      return keys.length > 0 ? `${r.rule} (${text(r, keys)})` : String(r.rule);
    };
    if (ra.rule !== rb.rule) {
      throw differ(
        "the models predict alike but train differently: compiled with the " +
          `optimizers ${whole(ra)} and ${whole(rb)}`,
      );
    }
    if (fields.length > 0) {
      throw differ(
        "the models predict alike but train differently: their compiled optimizers " +
          `differ in ${text(ra, fields)} (first model) and ${text(rb, fields)} (second)`,
      );
    }
  }
  const [oa, ob] = [compiledState(ma)?.optimizer, compiledState(mb)?.optimizer];
  // tfjs' instanceof check reads a property of what it is given: test for null first.
  if (oa != null && ob != null && oa instanceof tf.Optimizer && ob instanceof tf.Optimizer) {
    const [lra, lrb] = [compiledRate(oa), compiledRate(ob)];
    if (Number.isFinite(lra) && Number.isFinite(lrb) && lra !== lrb) {
      throw differ(
        "the models predict alike but train differently: compiled with the learning rates " +
          `${lra} (first model) and ${lrb} (second)`,
      );
    }
  }
}

/**
 * Throws when one model is compiled and the other is not: their losses, optimizers and learning
 * rates could not be compared, and the uncompiled one would be compiled later out of sight.
 */
function checkCompiledAlike(ma: tf.LayersModel, mb: tf.LayersModel): void {
  const [ca, cb] = [compiledState(ma) !== null, compiledState(mb) !== null];
  if (ca === cb) return;
  const [yes, no] = ca ? ["first", "second"] : ["second", "first"];
  throw new RangeError(
    `${WHERE}: the ${yes} model is compiled and the ${no} is not, so their losses, optimizers ` +
      `and learning rates cannot be compared: compile the ${no} model first (as the code that ` +
      "trains it does), then compare",
  );
}

/**
 * Throws when a matched pair of weights start from different initializers (each layer's config
 * declares one): the weights copied into the second model hide that they would start apart.
 */
function checkSameStart(ma: tf.LayersModel, mb: tf.LayersModel, pairs: [Weight, Weight][]) {
  const [ia, ib] = [weightInitializers(ma), weightInitializers(mb)];
  for (const [wa, wb] of pairs) {
    // A frozen weight holds values set for it (the hybrid's metadata table), not drawn ones.
    if (!wa.trainable || !wb.trainable) continue;
    const [xa, xb] = [ia.get(wa.variable), ib.get(wb.variable)];
    if (xa !== undefined && xb !== undefined && xa !== xb) {
      throw differ(
        `the models predict alike once the weights are copied but start differently: layer ` +
          `${wa.layer} of the first model draws its initial weights from ${xa}, its ` +
          `counterpart ${wb.layer} in the second from ${xb} (a caller that copies the first ` +
          "model's starting weights into the second passes { initializers: false })",
      );
    }
  }
}

/** A compiled optimizer's update rule, field by field. */
type UpdateRule = Record<string, unknown>;

/**
 * The update rule of a model's compiled optimizer, or `null` when the model is not compiled:
 * its settings as a config records them (`settingsOf`: a `tf.train.adam` is the engine's Adam
 * with `epsilonHat: false`, what the training loop runs in its place; another stock optimizer is
 * its class and config), the decay mode only where there is a weight decay. The learning rate is
 * compared apart (`checkSameTraining`), as each model was compiled with it: the training loop
 * changes it (a schedule steps, a notebook lowers it by hand, as the tutorials do), so the rate
 * of the moment would fail a twin check run again after training.
 */
function updateRule(model: tf.LayersModel): UpdateRule | null {
  const optimizer = compiledState(model)?.optimizer;
  // tfjs' instanceof check reads a property of what it is given: test for null first.
  if (optimizer == null || !(optimizer instanceof tf.Optimizer)) return null;
  const { stock, ...adam } = settingsOf(optimizer).settings;
  if (stock) {
    const { learningRate: _rate, ...config } = stock.config;
    return { rule: stock.className, ...config };
  }
  return { rule: "Adam", ...adam, decay: adam.weightDecay > 0 ? adam.decay : "none" };
}

/** The compiled loss as given to `compile`: a name or a function (the first of a list). */
function compiledLossText(model: tf.LayersModel): unknown {
  const loss = compiledState(model)?.loss;
  return Array.isArray(loss) ? loss[0] : loss;
}

/** The row indices to predict: given, or random within the first model's tables. */
function pairsToPredict(a: unknown, model: tf.LayersModel, o: CompareOptions) {
  if (o.ids !== undefined) {
    if (!Array.isArray(o.ids) || o.ids.length !== 2) {
      throw new TypeError(`${WHERE}: expected ids [users, movies], found ${describe(o.ids)}`);
    }
    const users = toIds(o.ids[0], "ids[0]", WHERE), movies = toIds(o.ids[1], "ids[1]", WHERE);
    if (users.length !== movies.length || users.length === 0) {
      throw new RangeError(
        `${WHERE}: expected as many movies as users (at least one), found ${users.length} and ${movies.length}`,
      );
    }
    return { users, movies };
  }
  const tables = findTables(model);
  const rec = a as Partial<Recommender>;
  const userRows = rec.users?.size ?? tables.userFactors?.shape[0];
  const movieRows = rec.movies?.size ?? tables.movieFactors?.shape[0];
  if (userRows == null || movieRows == null) {
    throw new TypeError(`${WHERE}: the first model has no user and movie tables; pass options.ids`);
  }
  const n = checkPositiveInt(o.pairs ?? 1000, "pairs", WHERE);
  const rng = createRng(checkSeed(o.seed ?? DEFAULT_SEED, WHERE));
  const draw = (size: number) => Int32Array.from({ length: n }, () => rng.int(size));
  return { users: draw(userRows), movies: draw(movieRows) };
}

/** The largest |a − b| over both models' outputs for the pairs, and where it is. */
function largestDifference(
  a: tf.LayersModel,
  b: tf.LayersModel,
  ids: { users: Int32Array; movies: Int32Array },
) {
  const n = ids.users.length;
  const x = [tf.tensor2d(ids.users, [n, 1], "int32"), tf.tensor2d(ids.movies, [n, 1], "int32")];
  let ya: tf.Tensor | undefined, yb: tf.Tensor | undefined;
  try {
    // Inside the try: a model that refuses the inputs must not leave them behind.
    ya = a.predict(x) as tf.Tensor;
    yb = b.predict(x) as tf.Tensor;
    if (!tf.util.arraysEqual(ya.shape, yb.shape)) {
      throw differ(`the models' outputs differ in shape: [${ya.shape}] and [${yb.shape}]`);
    }
    const va = ya.dataSync(), vb = yb.dataSync(), width = va.length / n;
    let max = 0, at = 0;
    for (let i = 0; i < va.length; i++) {
      const d = Math.abs(va[i] - vb[i]);
      if (!(d <= max)) [max, at] = [d, i];
    }
    return { max, row: Math.floor(at / width), a: va[at], b: vb[at] };
  } finally {
    tf.dispose([...x, ya, yb]); // undefined when a predict threw: skipped
  }
}

/** Every option of {@linkcode compareModels} (the type makes the list complete). */
const COMPARE_OPTIONS: Record<keyof CompareOptions, true> = {
  ids: true,
  pairs: true,
  seed: true,
  tolerance: true,
  initializers: true,
  training: true,
};

/**
 * Checks that two models are the same model: copies `a`'s weights into `b` (each weight of `a`,
 * in layer order, into the first unused weight of `b` with the same shape), then predicts the
 * same (user, movie) pairs with both, and checks that they train alike. Throws a `RangeError`
 * naming the first layer whose weights have no counterpart (the parameter counts differ), the
 * pair whose predictions differ by more than `tolerance`, or what would make them train
 * differently though they predict alike: a weight's penalty (L1, L2 or another regulariser),
 * constraint or freezing, the layers that act only in training (dropouts, noise, batch
 * normalisation: kinds, rates, how many and where; a dropout of a concatenation counts as one
 * on each part), the compiled losses when both are named, or the compiled optimizers' update
 * rules when both are compiled (a `tf.train.adam` counts as the engine's Adam with
 * `epsilonHat: false`, which the training loop runs in its place; a recipe's Adam without
 * weight decay places ε as Keras does unless it is given `optimizer: { epsilonHat: false }`),
 * and the learning rates each was compiled with (a rate the training loop set later, such as
 * `train(rec, ratings, { learningRate: 1e-4 })` or a schedule's step, does not count); one
 * model compiled and the other not is refused too. Last, each matched trainable weight's
 * initializer (class and settings without the seed, where both layers' configs declare one):
 * the copied weights hide that the two would start apart (tfjs' dense layers default to
 * `glorotNormal`, Keras' and `buildModel`'s to `glorotUniform`). Every message of a difference ends with a
 * sentence on what it means in a notebook and what to do. Use it in a notebook to check a model written as tfjs code against
 * its `buildModel` twin: `compareModels(model, buildModel("dot-bias", recipe))`; a caller that
 * trains the twin from the model's copied starting weights passes `{ initializers: false }`.
 *
 * @param a The reference model (a tfjs LayersModel or a recommender); its weights are read.
 * @param b The model to check; its weights are overwritten with `a`'s.
 * @param options The pairs to predict, the tolerance, and which comparisons to skip.
 * @returns One row per weight — layer and params in `a`, the same in `b`, shape — then a
 *   `total` row with both models' parameter counts and the largest prediction difference.
 * @throws {TypeError} When `a` or `b` is neither a tfjs LayersModel nor a recommender.
 * @throws {RangeError} When they differ as said above, when one is compiled and the other not,
 *   or when either was freed by `disposeRecommender()` or disposed by hand (naming which).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { IdEncoder } from "../data/encoder.ts";
 * import { adam } from "../train/optimizer.ts";
 * import { buildModel } from "./build.ts";
 * import { compareModels } from "./compare.ts";
 * const users = IdEncoder.fit([1, 2, 3]), movies = IdEncoder.fit([10, 20]);
 * const user = tf.input({ shape: [1], dtype: "int32" });
 * const movie = tf.input({ shape: [1], dtype: "int32" });
 * const u = tf.layers.embedding({ inputDim: 3, outputDim: 4 }).apply(user) as tf.SymbolicTensor;
 * const m = tf.layers.embedding({ inputDim: 2, outputDim: 4 }).apply(movie) as tf.SymbolicTensor;
 * const flat = (t: tf.SymbolicTensor) => tf.layers.flatten().apply(t) as tf.SymbolicTensor;
 * const dot = tf.layers.dot({ axes: 1 }).apply([flat(u), flat(m)]) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: [user, movie], outputs: dot });
 * model.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: "meanSquaredError" });
 * const table = compareModels(model, buildModel("dot", { users, movies, factors: 4 }));
 * assertEquals(table.getColumn("params (a)").toArray(), [12, 8, 20]);
 * assertEquals(table.getColumn("max |Δ prediction|").toArray().at(-1), 0);
 * ```
 */
export function compareModels(
  a: tf.LayersModel | Recommender,
  b: tf.LayersModel | Recommender,
  options: CompareOptions = {},
): pl.DataFrame {
  checkOptionKeys(options, Object.keys(COMPARE_OPTIONS), WHERE);
  const ma = modelOf(a, "a"), mb = modelOf(b, "b");
  const tolerance = checkNonNegativeNumber(options.tolerance ?? 1e-4, "tolerance", WHERE);
  const initializers = checkBoolean(options.initializers ?? true, "initializers", WHERE);
  const training = checkBoolean(options.training ?? true, "training", WHERE);
  if (training) checkCompiledAlike(ma, mb);
  const ids = pairsToPredict(a, ma, options);
  const pairs = matchWeights(weightsOf(ma), weightsOf(mb));
  for (const [wa, wb] of pairs) wb.variable.write(wa.variable.read());
  const diff = largestDifference(ma, mb, ids);
  if (!(diff.max <= tolerance)) {
    throw differ(
      `with the same weights the predictions differ by ${diff.max} (more than ` +
        `${tolerance}) for user row ${ids.users[diff.row]}, movie row ${
          ids.movies[diff.row]
        }: ${diff.a} and ${diff.b}`,
    );
  }
  if (training) checkSameTraining(ma, mb, pairs);
  if (initializers) checkSameStart(ma, mb, pairs);
  const column = <T>(rows: T[], total: T) => [...rows, total];
  return pl.DataFrame({
    "layer (a)": column(pairs.map(([wa]) => wa.layer), "total"),
    "params (a)": column(pairs.map(([wa]) => count(wa)), ma.countParams()),
    "layer (b)": column(pairs.map(([, wb]) => wb.layer), "total"),
    "params (b)": column(pairs.map(([, wb]) => count(wb)), mb.countParams()),
    "shape": column(pairs.map(([wa]) => shapeText(wa.variable.shape)), ""),
    "max |Δ prediction|": column(pairs.map(() => null as number | null), diff.max),
  });
}
