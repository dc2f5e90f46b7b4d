/**
 * The dot-product-with-biases recommender as one tfjs layer:
 * `y = dot(U[user], M[movie]) + ub[user] + mb[movie] (+ offset)`, optionally squashed into a
 * rating range with `sigmoid(·)·(hi − lo) + lo` (fastai's `sigmoid_range`).
 *
 * It computes the same numbers as two `Embedding` pairs, `Dot`, `Add` and a scaling layer,
 * but runs as one registered op with its own gradient (see `lib/train/kernels/dot_bias.ts`),
 * as Keras has fused layers: one kernel forward, one backward, instead of about forty. The
 * weights keep Keras' shapes and names (`user_factors`, `movie_factors`, `user_bias`,
 * `movie_bias`), so they can be read and set like a stock model's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, createRng, storedSeed } from "../random.ts";
import { dotBias } from "./_engine.ts";
import { type Initializer, makeInitializer, makeL2, normaliseInitializer } from "./_init.ts";
import type { InitializerSpec } from "./recommender.ts";
import {
  checkFiniteNumber,
  checkNonNegativeNumber,
  checkOptionKeys,
  checkPositiveInt,
} from "../_validate.ts";

const WHERE = "embeddingDotBias()";

/** Options of {@linkcode embeddingDotBias}. */
export interface EmbeddingDotBiasOptions {
  /** Rows of the user tables (user indices are 0 … numUsers − 1). */
  numUsers: number;
  /** Rows of the movie tables. */
  numMovies: number;
  /** Length of each factor vector. */
  factors: number;
  /**
   * Whether to add the user and movie biases.
   * @default true
   */
  bias?: boolean;
  /**
   * Output range `[lo, hi]` for `sigmoid(z)·(hi − lo) + lo`; `null` for the raw score.
   * @default null
   */
  yRange?: readonly [number, number] | null;
  /**
   * A constant added to the raw score (e.g. the global mean rating).
   * @default 0
   */
  offset?: number;
  /**
   * Initializer of the factor tables: a tfjs or Keras name (`"heNormal"`, `"he_normal"`),
   * `{ name, ...params }`, or a tfjs initializer object (used as is, with its own seed).
   * @default { name: "randomUniform", minval: -0.05, maxval: 0.05 } (Keras' Embedding default)
   */
  embeddingsInitializer?: InitializerSpec | Initializer;
  /**
   * Initializer of the bias tables, in the same forms.
   * @default "zeros"
   */
  biasInitializer?: InitializerSpec | Initializer;
  /**
   * Keras `l2(λ)` on each factor table: `loss += λ·Σw²` (whole table, every step).
   * @default 0
   */
  embeddingsL2?: number;
  /**
   * Keras `l2(λ)` on each bias table.
   * @default 0
   */
  biasL2?: number;
  /**
   * Seed of the random initializers (each table gets its own seed drawn from it).
   * @default DEFAULT_SEED (42)
   */
  seed?: number;
  /**
   * Layer name.
   * @default tfjs' automatic name
   */
  name?: string;
  /**
   * Whether the weights are trained.
   * @default true
   */
  trainable?: boolean;
}

/**
 * Every option of {@linkcode embeddingDotBias} (the type makes the list complete). The layer's
 * constructor is not checked: tfjs rebuilds a saved layer from its whole configuration.
 */
const EMBEDDING_DOT_BIAS_OPTIONS: Record<keyof EmbeddingDotBiasOptions, true> = {
  numUsers: true,
  numMovies: true,
  factors: true,
  bias: true,
  yRange: true,
  offset: true,
  embeddingsInitializer: true,
  biasInitializer: true,
  embeddingsL2: true,
  biasL2: true,
  seed: true,
  name: true,
  trainable: true,
};

const DEFAULT_EMBEDDINGS: InitializerSpec = { name: "randomUniform", minval: -0.05, maxval: 0.05 };

function isInitializerObject(x: unknown): x is Initializer {
  return typeof x === "object" && x !== null && typeof (x as Initializer).apply === "function";
}

/** A JSON spec for an initializer (tfjs objects are described by class name and config). */
function specOf(init: InitializerSpec | Initializer): InitializerSpec {
  if (!isInitializerObject(init)) return init;
  const className = init.getClassName();
  const name = className.charAt(0).toLowerCase() + className.slice(1);
  const config = init.getConfig() as Record<string, number | string>;
  const params: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(config)) if (v !== null && v !== undefined) params[k] = v;
  return { ...params, name };
}

/**
 * The fused dot-product-with-biases layer. Inputs: `[users, movies]`, each `[n, 1]` (or `[n]`)
 * row indices (int32; floats are cast). Output: `[n, 1]` float32 predictions. Create it with
 * {@linkcode embeddingDotBias}.
 */
export class EmbeddingDotBias extends tf.layers.Layer {
  /** The name tfjs serialisation knows this class by. */
  static className = "EmbeddingDotBias";

  /** Rows of the user tables. */
  readonly numUsers: number;
  /** Rows of the movie tables. */
  readonly numMovies: number;
  /** Length of each factor vector. */
  readonly factors: number;
  /** Whether the biases are added. */
  readonly bias: boolean;
  /** The output range, or null. */
  readonly yRange: readonly [number, number] | null;
  /** Constant added to the raw score. */
  readonly offset: number;
  /** Keras l2 λ of the factor tables. */
  readonly embeddingsL2: number;
  /** Keras l2 λ of the bias tables. */
  readonly biasL2: number;
  /** Seed of the initializers. */
  readonly seed: number;
  #embeddingsInit: InitializerSpec | Initializer;
  #biasInit: InitializerSpec | Initializer;
  #userFactors?: tf.LayerVariable;
  #movieFactors?: tf.LayerVariable;
  #userBias?: tf.LayerVariable;
  #movieBias?: tf.LayerVariable;

  /**
   * Checks the options; the tables are created when the layer is first applied.
   *
   * @param options Table sizes and the optional parts; see {@linkcode EmbeddingDotBiasOptions}.
   */
  constructor(options: EmbeddingDotBiasOptions) {
    super({ name: options.name, trainable: options.trainable ?? true });
    this.numUsers = checkPositiveInt(options.numUsers, "numUsers", WHERE);
    this.numMovies = checkPositiveInt(options.numMovies, "numMovies", WHERE);
    this.factors = checkPositiveInt(options.factors, "factors", WHERE);
    this.bias = options.bias ?? true;
    const yRange = options.yRange ?? null;
    if (yRange !== null && !(yRange.length === 2 && yRange[0] < yRange[1])) {
      throw new RangeError(
        `embeddingDotBias(): expected yRange [lo, hi] with lo < hi, found ${
          JSON.stringify(yRange)
        }`,
      );
    }
    this.yRange = yRange === null ? null : [yRange[0], yRange[1]];
    this.offset = checkFiniteNumber(options.offset ?? 0, "offset", WHERE);
    this.embeddingsL2 = checkNonNegativeNumber(options.embeddingsL2 ?? 0, "embeddingsL2", WHERE);
    this.biasL2 = checkNonNegativeNumber(options.biasL2 ?? 0, "biasL2", WHERE);
    this.seed = checkSeed(options.seed ?? DEFAULT_SEED, WHERE);
    const init = (spec: InitializerSpec | Initializer, name: string) =>
      isInitializerObject(spec) ? spec : normaliseInitializer(spec, `embeddingDotBias(): ${name}`);
    this.#embeddingsInit = init(
      options.embeddingsInitializer ?? DEFAULT_EMBEDDINGS,
      "embeddingsInitializer",
    );
    this.#biasInit = init(options.biasInitializer ?? "zeros", "biasInitializer");
  }

  /** Creates the four tables (two when `bias` is false), each with a seed drawn in order. */
  override build(_inputShape: tf.Shape | tf.Shape[]): void {
    const rng = createRng(this.seed);
    const table = (
      name: string,
      rows: number,
      cols: number,
      init: InitializerSpec | Initializer,
      l2: number,
    ) => {
      const seed = rng.uint32();
      const initializer = isInitializerObject(init) ? init : makeInitializer(init, seed);
      return this.addWeight(name, [rows, cols], "float32", initializer, makeL2(l2), true);
    };
    this.#userFactors = table(
      "user_factors",
      this.numUsers,
      this.factors,
      this.#embeddingsInit,
      this.embeddingsL2,
    );
    this.#movieFactors = table(
      "movie_factors",
      this.numMovies,
      this.factors,
      this.#embeddingsInit,
      this.embeddingsL2,
    );
    if (this.bias) {
      this.#userBias = table("user_bias", this.numUsers, 1, this.#biasInit, this.biasL2);
      this.#movieBias = table("movie_bias", this.numMovies, 1, this.#biasInit, this.biasL2);
    }
    this.built = true;
  }

  /** `[batch, 1]`. */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const first = Array.isArray(inputShape[0]) ? inputShape[0] as tf.Shape : inputShape as tf.Shape;
    return [first[0], 1];
  }

  /** The forward pass through the fused op. */
  // deno-lint-ignore no-explicit-any
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: any): tf.Tensor {
    this.invokeCallHook(inputs, kwargs);
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new TypeError(
        `EmbeddingDotBias: expected inputs [users, movies], found ${
          Array.isArray(inputs) ? `${inputs.length} tensors` : "one tensor"
        }`,
      );
    }
    const run = (users: tf.Tensor, movies: tf.Tensor) =>
      dotBias(
        {
          userFactors: this.#userFactors!.read(),
          movieFactors: this.#movieFactors!.read(),
          userBias: this.#userBias?.read() ?? null,
          movieBias: this.#movieBias?.read() ?? null,
        },
        [users, movies],
        { yRange: this.yRange, offset: this.offset },
      );
    const [users, movies] = inputs;
    // int32 ids: one kernel, no intermediates, so no tidy scope (each costs a container walk).
    if (users.dtype === "int32" && movies.dtype === "int32") return run(users, movies);
    return tf.tidy(() => run(tf.cast(users, "int32"), tf.cast(movies, "int32")));
  }

  /**
   * The Keras L2 penalties of this layer, for a fused optimizer (`FusedAdam.setPenalties`).
   *
   * @returns Variable name → λ, for each table with λ > 0 (empty before the layer is built).
   */
  penalties(): Map<string, number> {
    const map = new Map<string, number>();
    const add = (v: tf.LayerVariable | undefined, lambda: number) => {
      if (v !== undefined && lambda > 0 && v.trainable) {
        map.set((v.read() as tf.Variable).name, lambda);
      }
    };
    add(this.#userFactors, this.embeddingsL2);
    add(this.#movieFactors, this.embeddingsL2);
    add(this.#userBias, this.biasL2);
    add(this.#movieBias, this.biasL2);
    return map;
  }

  /**
   * Rebuilds a layer from {@linkcode EmbeddingDotBias.getConfig}'s output. A model saved before
   * seeds were checked may hold any integer seed; the layer gets the 32-bit seed whose stream
   * that integer gave (`storedSeed()`), so it loads as it was saved.
   *
   * @param cls The class (tfjs serialisation passes it).
   * @param config The saved options.
   * @returns The layer.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ ...config, seed: storedSeed(config.seed) });
  }

  /** The options, for `model.toJSON()` / `tf.models.modelFromJSON`. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numUsers: this.numUsers,
      numMovies: this.numMovies,
      factors: this.factors,
      bias: this.bias,
      yRange: this.yRange === null ? null : [...this.yRange],
      offset: this.offset,
      embeddingsInitializer: specOf(this.#embeddingsInit) as tf.serialization.ConfigDictValue,
      biasInitializer: specOf(this.#biasInit) as tf.serialization.ConfigDictValue,
      embeddingsL2: this.embeddingsL2,
      biasL2: this.biasL2,
      seed: this.seed,
    };
  }
}

tf.serialization.registerClass(EmbeddingDotBias);

/**
 * Creates an {@linkcode EmbeddingDotBias} layer.
 *
 * @param options Table sizes, factors, and the optional bias, range, offset, initializers,
 *   L2 penalties and seed.
 * @returns The layer; apply it to `[users, movies]` inputs.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../train/backend.ts";
 * import { embeddingDotBias } from "./embedding_dot_bias.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const users = tf.input({ shape: [1], dtype: "int32" });
 * const movies = tf.input({ shape: [1], dtype: "int32" });
 * const layer = embeddingDotBias({ numUsers: 3, numMovies: 4, factors: 2, yRange: [0, 5.5] });
 * const model = tf.model({ inputs: [users, movies], outputs: layer.apply([users, movies]) as tf.SymbolicTensor });
 * const y = model.predict([tf.tensor2d([[0], [2]], [2, 1], "int32"), tf.tensor2d([[1], [3]], [2, 1], "int32")]) as tf.Tensor;
 * // Small initial weights: every prediction starts near the middle of the range.
 * assertAlmostEquals(y.dataSync()[0], 2.75, 0.01, "unexpected prediction");
 * ```
 */
export function embeddingDotBias(options: EmbeddingDotBiasOptions): EmbeddingDotBias {
  checkOptionKeys(options, Object.keys(EMBEDDING_DOT_BIAS_OPTIONS), WHERE);
  return new EmbeddingDotBias(options);
}
