/**
 * Everything this project relies on inside tfjs that is not public API, in one module. The
 * training engine (`lib/train/`) reads backend heaps, replaces methods of tfjs classes and
 * reads private fields of layers; each such reliance is declared here, typed, and checked by
 * {@linkcode checkTfjsInternals}, which `test/tfjs_internals_test.ts` runs: when a tfjs upgrade
 * changes one of them, that test fails and names it, before a kernel silently misbehaves.
 *
 * What is relied on (tfjs {@linkcode TFJS_VERSION_TESTED}):
 * - the WASM backend's heap and data ids (`wasm.asm.memory`, `_malloc`, `_free`,
 *   `_register_tensor`, `_dispose_data`, `dataIdMap.get` and `.has`, `makeOutput`,
 *   `disposeData`) and the CPU backend's data store (`data.get` and `.has`, `makeTensorInfo`,
 *   `firstUse`): the custom kernels read and write tensors in place, and free a kernel's saved
 *   context once its output is gone;
 * - the engine's `saveTensorsForBackwardMode` (replaced: saved tensors become reference-counted
 *   handles), `isTapeOn()` and `state.gradientDepth` / `state.tensorInfo`;
 * - the `call` method of the tfjs-layers classes `Embedding`, `Dense`, `Dropout`, `Dot`, `Add`,
 *   `Activation`, `Rescaling` and `Flatten` (replaced by fast paths that fall back to the
 *   original) and `GaussianNoise`, `GaussianDropout` and `AlphaDropout` (replaced by seeded
 *   noise), and the private fields those paths read (`embeddings`, `kernel`, `bias`,
 *   `activation`, `rate`, `stddev`, `noiseShape`, `seed`, `axes`, `normalize`, `scale`,
 *   `offset`, `dataFormat`);
 * - the weight regularizer fields of layers (`embeddingsRegularizer`, `kernelRegularizer`, …),
 *   which the training loop folds into the fused optimizer;
 * - a compiled model's `lossFunctions`, `metricsNames`, `metricsTensors`, `loss` and
 *   `isTraining`;
 * - a model's reference count `_refCount` (0 once `model.dispose()` has freed it) and the
 *   `val` variable of its weights (`LayerVariable`), whose `isDisposed` tells a freed weight;
 * - the `seed` field and `apply` method of tfjs' random initializers (`RandomUniform`,
 *   `RandomNormal`, `TruncatedNormal`, `VarianceScaling`, `Orthogonal`), through which
 *   `setRandomSeed()` seeds initializers that were given no seed;
 * - `tf.layers.Layer.prototype.addWeight`, through which every layer creates its weights
 *   (wrapped in a notebook, `lib/_reclaim.ts`), and tfjs-layers' flag
 *   `TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES` (the size of its cache of sorted model graphs);
 * - the names and inputs of the stock kernels and gradients the engine wraps or replaces
 *   (`GatherV2`, `BatchMatMul`, `_FusedMatMul`, `Sum`, `Concat`, `Slice`, `SplitV`, `AddN`,
 *   `Sigmoid`, …).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The tfjs version these internals were written and checked against. */
export const TFJS_VERSION_TESTED = "4.22.0";

/** A tensor's data id, as the backends key it. */
export type DataId = object;

// ---------------------------------------------------------------------------------------------
// Backends

/** The record the WASM backend keeps for one data buffer. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  refCount: number;
  shape: number[];
  dtype: tf.DataType;
}

/** The parts of the tfjs WASM backend (`BackendWasm`) used here. */
export interface WasmBackend extends tf.KernelBackend {
  wasm: {
    asm: { memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _register_tensor(id: number, size: number, offset: number): void;
    _dispose_data(id: number): void;
    tfjs: { getThreadsCount(): number };
  };
  dataIdMap: { get(dataId: DataId): WasmTensorData | undefined; has(dataId: DataId): boolean };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The parts of the tfjs CPU backend (`MathBackendCPU`) used here. */
export interface CpuBackend extends tf.KernelBackend {
  data: {
    get(dataId: DataId): { values: tf.TypedArray; refCount: number } | undefined;
    has(dataId: DataId): boolean;
  };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): tf.TensorInfo;
  firstUse: boolean;
}

function internalsError(what: string, missing: string[]): TypeError {
  return new TypeError(
    `${what}: expected the tfjs ${TFJS_VERSION_TESTED} internals, found tfjs ${tf.version_core} ` +
      `without ${missing.join(", ")} (did the pinned tfjs version change?)`,
  );
}

/** What a reliance must be: a function, a number, a boolean, an object or a wasm memory. */
type Kind = "function" | "number" | "boolean" | "object" | "memory";

/** The `typeof` of a value, as a string to compare with a {@linkcode Kind}. */
function kindOf(v: unknown): string {
  return typeof v;
}

/** The paths (`"wasm._malloc"`) of `target` that are not of the expected kind, with `()` for methods. */
function missing(target: unknown, reliances: Record<string, Kind>): string[] {
  const problems: string[] = [];
  for (const [path, kind] of Object.entries(reliances)) {
    let v: unknown = target;
    for (const key of path.split(".")) v = (v as Record<string, unknown> | null)?.[key];
    const ok = kind === "memory"
      ? v instanceof WebAssembly.Memory
      : kind === "object"
      ? typeof v === "object" && v !== null
      : kindOf(v) === kind;
    if (!ok) problems.push(kind === "function" ? `${path}()` : path);
  }
  return problems;
}

const WASM_RELIANCES: Record<string, Kind> = {
  "wasm.asm.memory": "memory",
  "wasm._malloc": "function",
  "wasm._free": "function",
  "wasm._register_tensor": "function",
  "wasm._dispose_data": "function",
  "wasm.tfjs.getThreadsCount": "function",
  "dataIdMap.get": "function",
  "dataIdMap.has": "function",
  makeOutput: "function",
  disposeData: "function",
};

const CPU_RELIANCES: Record<string, Kind> = {
  "data.get": "function",
  "data.has": "function",
  makeTensorInfo: "function",
  firstUse: "boolean",
};

/**
 * Backends that passed {@linkcode checkWasmInternals} or {@linkcode checkCpuInternals} (kernels
 * check on every call, and a full check costs microseconds: 0.7 s of notebook 04 went to it).
 * A backend is one object for the process, and the fields checked are set when it is created.
 */
const passed = { wasm: new WeakSet<object>(), cpu: new WeakSet<object>() };

/** Checks `backend` against `reliances` unless it passed before (kept in `seen`). */
function checkBackendOnce(
  backend: unknown,
  reliances: Record<string, Kind>,
  seen: WeakSet<object>,
  what: string,
): void {
  if (seen.has(backend as object)) return;
  const problems = missing(backend, reliances);
  if (problems.length > 0) throw internalsError(what, problems);
  seen.add(backend as object);
}

/**
 * Throws a `TypeError` naming what is missing unless `backend` looks like the tfjs WASM
 * backend this code was written against.
 *
 * @param backend A tfjs backend.
 */
export function checkWasmInternals(backend: unknown): asserts backend is WasmBackend {
  checkBackendOnce(backend, WASM_RELIANCES, passed.wasm, "custom kernels (tfjs-backend-wasm)");
}

/**
 * Throws a `TypeError` naming what is missing unless `backend` looks like the tfjs CPU
 * backend this code was written against.
 *
 * @param backend A tfjs backend.
 */
export function checkCpuInternals(backend: unknown): asserts backend is CpuBackend {
  checkBackendOnce(backend, CPU_RELIANCES, passed.cpu, "custom kernels (tfjs-backend-cpu)");
}

/** Stops the CPU backend's one-time advice to install tfjs-node (not for Deno). */
export function silenceCpuBackendAdvice(backend: tf.KernelBackend): void {
  checkCpuInternals(backend);
  backend.firstUse = false;
}

// ---------------------------------------------------------------------------------------------
// The engine

interface EngineInternals {
  state: {
    gradientDepth: number;
    tensorInfo: Map<object, { backend: tf.KernelBackend }>;
  };
  backendName: string;
  isTapeOn(): boolean;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
}

const ENGINE_RELIANCES: Record<string, Kind> = {
  isTapeOn: "function",
  makeTensorFromTensorInfo: "function",
  keep: "function",
  saveTensorsForBackwardMode: "function",
  "state.gradientDepth": "number",
  "state.tensorInfo": "object",
};

function engineProblems(): string[] {
  return missing(tf.engine(), ENGINE_RELIANCES).map((p) => `engine.${p}`);
}

/** The tfjs-layers flag that sizes its cache of topologically sorted model graphs. */
export const SORT_CACHE_FLAG = "TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES";

/** What `lib/_reclaim.ts` relies on: the method layers create weights by, the cache's flag. */
function reclaimProblems(): string[] {
  const problems = missing(tf.layers.Layer.prototype, { addWeight: "function" })
    .map((p) => `tf.layers.Layer.prototype.${p}`);
  try {
    if (typeof tf.env().get(SORT_CACHE_FLAG) !== "number") problems.push(`flag ${SORT_CACHE_FLAG}`);
  } catch {
    problems.push(`flag ${SORT_CACHE_FLAG}`); // not registered: tfjs throws
  }
  return problems;
}

/** Whether a gradient tape is recording (inside `tf.grads`/`variableGrads`, outside kernels). */
export function isTapeOn(): boolean {
  return (tf.engine() as unknown as EngineInternals).isTapeOn();
}

/** How a saved-tensor replacement sees the engine. */
export interface SavedTensorContext {
  /** Higher-order gradient depth (a tape inside a tape when > 1). */
  gradientDepth: number;
  /** The active backend's name. */
  backendName: string;
  /** A new tensor handle on the same buffer (its reference count raised), kept across scopes. */
  handle(t: tf.Tensor): tf.Tensor | null;
}

/**
 * Replaces the engine's `saveTensorsForBackwardMode` (how an op keeps the tensors its gradient
 * needs; tfjs clones each one). `make` gets the stock method and returns the replacement.
 *
 * @param make Builds the replacement from the stock method and a context.
 */
export function replaceSaveTensorsForBackward(
  make: (
    stock: (tensors: tf.Tensor[]) => tf.Tensor[],
    context: SavedTensorContext,
  ) => (tensors: tf.Tensor[]) => tf.Tensor[],
): void {
  const engine = tf.engine() as unknown as EngineInternals;
  const problems = engineProblems();
  if (problems.length > 0) throw internalsError("fast saved tensors", problems);
  const proto = Object.getPrototypeOf(engine) as EngineInternals;
  const stock = proto.saveTensorsForBackwardMode;
  proto.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]) {
    return make((ts) => stock.call(this, ts), savedTensorContext(this))(tensors);
  };
}

function savedTensorContext(engine: EngineInternals): SavedTensorContext {
  return {
    gradientDepth: engine.state.gradientDepth,
    backendName: engine.backendName,
    handle(t) {
      const info = engine.state.tensorInfo.get(t.dataId);
      if (info === undefined) return null;
      info.backend.incRef(t.dataId);
      const h = engine.makeTensorFromTensorInfo(
        { dataId: t.dataId, shape: t.shape, dtype: t.dtype },
        info.backend,
      );
      return engine.keep(h);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Layers

/** The `call` method of a tfjs-layers class. */
export type LayerCall = (
  this: tf.layers.Layer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
) => tf.Tensor | tf.Tensor[];

/** The private fields of `Embedding` read by the fast path. */
export interface EmbeddingFields {
  embeddings: tf.LayerVariable;
}

/** The private fields of `Dense` read by the fast path. */
export interface DenseFields {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null;
}

/** The private fields of `Dropout` read by the fast path (`seed` is also set by `fit`). */
export interface DropoutFields {
  rate: number;
  noiseShape?: unknown;
  seed?: number;
}

/**
 * The field of `GaussianNoise` read by the seeded noise path, and the `seed` field this library
 * adds to it (tfjs' noise layers have none; `fit` sets it before every step).
 */
export interface GaussianNoiseFields {
  stddev: number;
  seed?: number;
}

/** The field of `GaussianDropout` read by the seeded noise path, and the added `seed`. */
export interface GaussianDropoutFields {
  rate: number;
  seed?: number;
}

/** The fields of `AlphaDropout` read by the seeded noise path, and the added `seed`. */
export interface AlphaDropoutFields {
  rate: number;
  noiseShape?: (number | null)[] | null;
  seed?: number;
}

/** The fields of `Dot` read by the fast path. */
export interface DotFields {
  axes: number | [number, number];
  normalize: boolean;
}

/** The fields of `Rescaling` read by the fast path. */
export interface RescalingFields {
  scale: number;
  offset: number;
}

/** The field of `Flatten` read by the fast path. */
export interface FlattenFields {
  dataFormat: "channelsFirst" | "channelsLast";
}

/** The layer classes whose `call` the engine replaces, with a way to make a sample instance. */
const PATCHED_LAYERS: Record<string, { sample: () => tf.layers.Layer; fields: string[] }> = {
  Embedding: {
    sample: () =>
      built(
        tf.layers.embedding({
          inputDim: 2,
          outputDim: 2,
          embeddingsRegularizer: "l1l2",
          activityRegularizer: "l1l2",
        }),
        [null, 1],
      ),
    fields: ["embeddings", "embeddingsRegularizer", "activityRegularizer"],
  },
  Dense: {
    sample: () =>
      built(
        tf.layers.dense({ units: 1, kernelRegularizer: "l1l2", biasRegularizer: "l1l2" }),
        [null, 2],
      ),
    fields: ["kernel", "bias", "activation", "kernelRegularizer", "biasRegularizer"],
  },
  Dropout: { sample: () => tf.layers.dropout({ rate: 0.5, seed: 1 }), fields: ["rate", "seed"] },
  GaussianNoise: { sample: () => tf.layers.gaussianNoise({ stddev: 0.5 }), fields: ["stddev"] },
  GaussianDropout: { sample: () => tf.layers.gaussianDropout({ rate: 0.5 }), fields: ["rate"] },
  AlphaDropout: {
    sample: () => tf.layers.alphaDropout({ rate: 0.5, noiseShape: [1, 2] }),
    fields: ["rate", "noiseShape"],
  },
  Dot: { sample: () => tf.layers.dot({ axes: -1 }), fields: ["axes", "normalize"] },
  Add: { sample: () => tf.layers.add(), fields: [] },
  Activation: {
    sample: () => tf.layers.activation({ activation: "sigmoid" }),
    fields: ["activation"],
  },
  Rescaling: {
    sample: () => tf.layers.rescaling({ scale: 2, offset: 1 }),
    fields: ["scale", "offset"],
  },
  Flatten: {
    sample: () => tf.layers.flatten({ dataFormat: "channelsLast" }),
    fields: ["dataFormat"],
  },
};

function built(layer: tf.layers.Layer, shape: (number | null)[]): tf.layers.Layer {
  layer.build(shape);
  return layer;
}

/** The class tfjs serialisation knows by `className`, or undefined. */
function registeredClass(className: string): { prototype: Record<string, unknown> } | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  return entry?.[0] as unknown as { prototype: Record<string, unknown> } | undefined;
}

/** What is missing from a layer class's methods (checked without making an instance). */
function layerMethodProblems(className: string): string[] {
  const cls = registeredClass(className);
  if (cls === undefined) return [`layer class ${className}`];
  if (typeof cls.prototype.call !== "function") return [`${className}.call()`];
  if (typeof cls.prototype.invokeCallHook !== "function") return [`${className}.invokeCallHook()`];
  return [];
}

/** What is missing from a layer class, fields included (makes and builds a sample instance). */
function layerProblems(className: string): string[] {
  const problems = layerMethodProblems(className);
  if (problems.length > 0) return problems;
  const spec = PATCHED_LAYERS[className];
  const sample = spec.sample() as unknown as Record<string, unknown>;
  tf.dispose((sample as unknown as tf.layers.Layer).getWeights());
  return spec.fields.filter((f) => sample[f] === undefined).map((f) => `${className}.${f}`);
}

/**
 * Replaces the `call` method of a tfjs-layers class (by its serialisation name, without making
 * an instance, which would use up a layer name). `make` gets the stock method and returns the
 * replacement, which should fall back to the stock one for inputs it does not handle.
 *
 * @param className `"Embedding"`, `"Dense"`, `"Dropout"`, `"GaussianNoise"`,
 *   `"GaussianDropout"`, `"AlphaDropout"`, `"Dot"`, `"Add"`, `"Activation"`, `"Rescaling"` or
 *   `"Flatten"`.
 * @param make Builds the replacement from the stock method.
 */
export function replaceLayerCall(className: string, make: (stock: LayerCall) => LayerCall): void {
  if (!(className in PATCHED_LAYERS)) {
    throw new RangeError(
      `replaceLayerCall(): expected one of ${
        Object.keys(PATCHED_LAYERS).join(", ")
      }, found ${className}`,
    );
  }
  const problems = layerMethodProblems(className);
  if (problems.length > 0) throw internalsError(`fast ${className} layer`, problems);
  const proto = registeredClass(className)!.prototype as unknown as { call: LayerCall };
  proto.call = make(proto.call);
}

/**
 * The tensor a one-input layer's `call` works on: `inputs` itself, or the first of a list.
 *
 * @param inputs The `inputs` of a {@linkcode LayerCall}.
 * @returns The first tensor.
 */
export function firstInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Runs tfjs' call hook of a layer (what `call` implementations do first). */
export function invokeCallHook(layer: tf.layers.Layer, inputs: unknown, kwargs: unknown): void {
  (layer as unknown as { invokeCallHook(i: unknown, k: unknown): void }).invokeCallHook(
    inputs,
    kwargs,
  );
}

/**
 * The private fields of a layer, typed (see {@linkcode EmbeddingFields} and its siblings).
 *
 * @param layer A layer of the class the field type describes.
 * @returns The same object, typed.
 */
export function fieldsOf<T>(layer: tf.layers.Layer): T & tf.layers.Layer {
  return layer as unknown as T & tf.layers.Layer;
}

/** Weight regularizer fields of tfjs layers, each with the weight it applies to. */
export const REGULARIZER_FIELDS: ReadonlyArray<readonly [regularizer: string, weight: string]> = [
  ["embeddingsRegularizer", "embeddings"],
  ["kernelRegularizer", "kernel"],
  ["biasRegularizer", "bias"],
  ["recurrentRegularizer", "recurrentKernel"],
  ["depthwiseRegularizer", "depthwiseKernel"],
  ["pointwiseRegularizer", "pointwiseKernel"],
  ["gammaRegularizer", "gamma"],
  ["betaRegularizer", "beta"],
];

/**
 * Every layer of `model` in order, those of nested models (a `tf.sequential` tower used as a
 * layer) included, each after the model that holds it.
 *
 * @param model The model.
 * @returns The layers.
 */
export function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  const walk = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      out.push(layer);
      const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(inner)) walk(inner);
    }
  };
  walk(model.layers);
  return out;
}

/**
 * The tfjs layer classes that act only while training (dropouts, noise, batch normalisation),
 * each with the config fields that set what it does.
 */
export const TRAINING_ONLY_LAYERS: Readonly<Record<string, readonly string[]>> = {
  Dropout: ["rate"],
  SpatialDropout1D: ["rate"],
  AlphaDropout: ["rate"],
  GaussianDropout: ["rate"],
  GaussianNoise: ["stddev"],
  BatchNormalization: ["momentum", "epsilon"],
};

// ---------------------------------------------------------------------------------------------
// Compiled models

/** What `model.compile` leaves on a `LayersModel` that the training loop reads. */
export interface CompiledState {
  /** The loss as given to `compile` (a name, a function or a list of them). */
  loss: unknown;
  /** The loss functions, one per output. */
  lossFunctions: Array<(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor>;
  /** `["loss", ...metric names]`, as Keras reports them. */
  metricsNames: string[];
  /** One `[function, output index]` pair per metric. */
  metricsTensors: Array<[(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, number]>;
  /** The optimizer. */
  optimizer: tf.Optimizer | null;
}

/**
 * What `compile` set on `model`, or `null` when it was not compiled (a `tf.Sequential` keeps it
 * on the functional model it wraps).
 *
 * @param model A layers model.
 * @returns The compiled state, or null.
 */
export function compiledState(model: tf.LayersModel): CompiledState | null {
  type Raw = Partial<CompiledState> & { model?: Raw };
  const outer = model as unknown as Raw;
  const m = !Array.isArray(outer.lossFunctions) && outer.model ? outer.model : outer;
  if (!Array.isArray(m.lossFunctions) || m.lossFunctions.length === 0) return null;
  return {
    loss: m.loss,
    lossFunctions: m.lossFunctions,
    metricsNames: m.metricsNames ?? ["loss"],
    metricsTensors: m.metricsTensors ?? [],
    optimizer: model.optimizer ?? null,
  };
}

/** Whether a `fit` (ours or tfjs') is training `model` right now. */
export function isTraining(model: tf.LayersModel): boolean {
  return Boolean((model as unknown as { isTraining?: boolean }).isTraining);
}

/** Marks `model` as being trained (tfjs' own `fit` refuses to start then), or not. */
export function setTraining(model: tf.LayersModel, training: boolean): void {
  (model as unknown as { isTraining: boolean }).isTraining = training;
}

function compiledProblems(): string[] {
  const input = tf.input({ shape: [1] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor,
  });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError", metrics: ["mae"] });
  const state = compiledState(model);
  const problems: string[] = [];
  if (state === null) problems.push("LayersModel.lossFunctions");
  else {
    if (state.loss !== "meanSquaredError") problems.push("LayersModel.loss");
    if (state.metricsNames.join() !== "loss,mae") problems.push("LayersModel.metricsNames");
    if (typeof state.metricsTensors[0]?.[0] !== "function") {
      problems.push("LayersModel.metricsTensors");
    }
  }
  if (typeof (model as unknown as { isTraining?: unknown }).isTraining !== "boolean") {
    problems.push("LayersModel.isTraining");
  }
  model.dispose();
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Disposal

/** The reference count of a tfjs-layers `Container` (a model): 1 when built, 0 once disposed. */
interface ContainerFields {
  _refCount: number | null;
}

/** The tfjs variable behind a tfjs-layers weight (`LayerVariable`). */
interface LayerVariableFields {
  val?: tf.Variable;
}

/**
 * Whether `model.dispose()` has freed `model`: tfjs counts a model's references (1 when built,
 * one more for each model it is a layer of) and frees its layers when the count reaches 0; a
 * model whose count is 0 may not be used again, whatever its layers' state.
 *
 * @param model A tfjs model.
 * @returns True once the model's reference count is 0.
 */
export function isModelDisposed(model: tf.LayersModel): boolean {
  return (model as unknown as ContainerFields)._refCount === 0;
}

/**
 * The first weight of `model` whose tensor was freed, if any: what `model.dispose()` frees, and
 * what disposing another model or a layer that shares the weight frees from under this one.
 *
 * @param model A tfjs model.
 * @returns The weight's name as its layer gave it (`"user_embedding/embeddings"`, without the
 *   suffix tfjs adds to tell apart weights of the same name), or null when every weight holds
 *   its tensor.
 */
export function disposedWeight(model: tf.LayersModel): string | null {
  for (const w of model.weights) {
    if ((w as unknown as LayerVariableFields).val?.isDisposed === true) return w.originalName;
  }
  return null;
}

/**
 * Why a model freed by hand cannot be used, as a message's tail, or null when it can: the model
 * itself disposed ({@linkcode isModelDisposed}), or one of its weights
 * ({@linkcode disposedWeight}).
 *
 * @param model A tfjs model.
 * @param whose Who holds the model, as the message opens (`"this recommender's"`, `"the"`).
 * @returns `<whose> model was disposed …` or `<whose> weight "…" was disposed …`, or null.
 */
export function disposalProblem(model: tf.LayersModel, whose: string): string | null {
  if (isModelDisposed(model)) {
    return `${whose} model was disposed (model.dispose()) and cannot be used any more; ` +
      "build or load it again";
  }
  const weight = disposedWeight(model);
  if (weight === null) return null;
  return `${whose} weight "${weight}" was disposed (with a model or layer that shares it) and ` +
    "is gone; build or load it again";
}

function disposalProblems(): string[] {
  const input = tf.input({ shape: [1] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor,
  });
  const problems: string[] = [];
  const variable = (model.weights[0] as unknown as LayerVariableFields).val;
  if (typeof variable?.isDisposed !== "boolean") problems.push("LayerVariable.val");
  const before = (model as unknown as ContainerFields)._refCount;
  model.dispose();
  if (before !== 1 || !isModelDisposed(model)) problems.push("Container._refCount");
  if (variable !== undefined && disposedWeight(model) === null) {
    problems.push("LayerVariable.val.isDisposed");
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Initializers

/** tfjs' random initializer classes: each reads `this.seed` in `apply` (unseeded: Math.random). */
const RANDOM_INITIALIZERS = [
  "RandomUniform",
  "RandomNormal",
  "TruncatedNormal",
  "VarianceScaling",
  "Orthogonal",
];

let initializerSeeds: (() => number | null) | null = null;

function initializerProblems(): string[] {
  const problems: string[] = [];
  for (const name of RANDOM_INITIALIZERS) {
    const cls = registeredClass(name);
    if (cls === undefined) problems.push(`initializer class ${name}`);
    else if (typeof cls.prototype.apply !== "function") problems.push(`${name}.apply()`);
  }
  const sample = tf.initializers.glorotUniform({}) as unknown as Record<string, unknown>;
  if (!("seed" in sample)) problems.push("VarianceScaling.seed");
  return problems;
}

/**
 * Makes every tfjs random initializer that was created without a seed take one from `draw`
 * when it initialises a weight (tfjs would seed it from `Math.random()`); an initializer with
 * its own seed is left alone, and `draw` returning `null` keeps tfjs' behaviour. The drawn
 * seed is set only while the weight is drawn, so configs and saved models are unchanged.
 * Installed once; later calls replace `draw`.
 *
 * @param draw The next seed (a positive integer), or null.
 */
export function seedUnseededInitializers(draw: () => number | null): void {
  const first = initializerSeeds === null;
  initializerSeeds = draw;
  if (!first) return;
  const problems = initializerProblems();
  if (problems.length > 0) throw internalsError("setRandomSeed()", problems);
  const seen = new Set<unknown>();
  for (const name of RANDOM_INITIALIZERS) {
    const proto = registeredClass(name)!.prototype as unknown as {
      apply(this: { seed?: number }, shape: number[], dtype?: tf.DataType): tf.Tensor;
    };
    if (seen.has(proto.apply)) continue;
    const stock = proto.apply;
    seen.add(stock);
    proto.apply = function (this: { seed?: number }, shape, dtype) {
      const seed = this.seed == null ? initializerSeeds?.() ?? null : null;
      if (seed === null) return stock.call(this, shape, dtype);
      this.seed = seed;
      try {
        return stock.call(this, shape, dtype);
      } finally {
        this.seed = undefined;
      }
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Kernels and gradients

/** Stock kernels the engine wraps (they must exist to be wrapped), by backend. */
export const WRAPPED_KERNELS: Record<"cpu" | "wasm", string[]> = {
  cpu: [tf.GatherV2, tf.AddN],
  wasm: [
    tf.GatherV2,
    tf.BatchMatMul,
    tf._FusedMatMul,
    tf.Sum,
    tf.Max,
    tf.Concat,
    tf.Slice,
    tf.SplitV,
    tf.AddN,
    tf.Cast,
    tf.Softplus,
    tf.Exp,
  ],
};

/** Stock gradients the engine wraps or relies on. */
export const WRAPPED_GRADIENTS = [tf.GatherV2, tf.Sigmoid, tf.AddN, tf.Reshape, tf.Sum, tf.Mean];

function kernelProblems(): string[] {
  const problems: string[] = [];
  for (const [backend, names] of Object.entries(WRAPPED_KERNELS)) {
    for (const name of names) {
      if (tf.getKernel(name, backend) === undefined) problems.push(`kernel ${name} on ${backend}`);
    }
  }
  for (const name of WRAPPED_GRADIENTS) {
    if (tf.getGradient(name) === undefined) problems.push(`gradient of ${name}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The check

/**
 * Checks every reliance listed in the module doc against the loaded tfjs, and returns what
 * is missing or changed (empty when all is as expected). The backends are checked when they
 * are the active one or registered and initialised.
 *
 * @returns One line per problem, naming the class, field or method.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { setupBackend } from "./train/backend.ts";
 * import { checkTfjsInternals } from "./_tfjs_internals.ts";
 * await setupBackend();
 * assertEquals(checkTfjsInternals(), []);
 * ```
 */
export function checkTfjsInternals(): string[] {
  const problems = [
    ...engineProblems(),
    ...compiledProblems(),
    ...disposalProblems(),
    ...reclaimProblems(),
  ];
  for (const name of Object.keys(PATCHED_LAYERS)) problems.push(...layerProblems(name));
  problems.push(...initializerProblems(), ...kernelProblems());
  for (const name of ["cpu", "wasm"] as const) {
    const backend = tf.findBackend(name);
    if (backend == null) continue;
    problems.push(...missing(backend, name === "wasm" ? WASM_RELIANCES : CPU_RELIANCES));
  }
  return problems;
}
