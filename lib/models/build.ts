/**
 * One factory for every model kind: {@linkcode buildModel} checks the options (`_checks.ts`),
 * picks the kind's builder and compiles the model in the one place models are compiled. Each
 * builder is a few lines of stock tfjs layers, the way a Keras tutorial writes the model:
 *
 * - `dot`, `dot-bias`, `bce` — `builders/dot_product.ts` (or the fused `EmbeddingDotBias`
 *   layer with `fused: true`);
 * - `mlp`, `dlrm`, `classifier`, `hybrid` — `builders/embedding_mlp.ts`, one "embeddings →
 *   concatenate → dense stack" builder with different options (the hybrid adds movie
 *   metadata to the concatenation, the classifier ends in a softmax over the rating values).
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { describe } from "../_validate.ts";
import { checkBackend } from "./_engine.ts";
import { resolveOptions } from "./_checks.ts";
import type { TableSizes } from "./builders/_parts.ts";
import { bceModel, dotBiasModel, dotModel, fusedDotModel } from "./builders/dot_product.ts";
import { embeddingMlp, hybridModel } from "./builders/embedding_mlp.ts";
import { compileModel } from "./compile.ts";
import type { ModelOptions } from "./options.ts";
import { type BuiltConfig, MODEL_KINDS, type ModelKind, type Recommender } from "./recommender.ts";

export type { ModelOptions } from "./options.ts";

/** Each kind's builder: a resolved config and table sizes → the tfjs model. */
const BUILDERS: Record<ModelKind, (config: BuiltConfig, size: TableSizes) => tf.LayersModel> = {
  "dot": dotModel,
  "dot-bias": dotBiasModel,
  "bce": bceModel,
  "mlp": embeddingMlp,
  "dlrm": embeddingMlp,
  "classifier": embeddingMlp,
  "hybrid": hybridModel,
};

/**
 * Throws a `TypeError` listing the known kinds unless `kind` is one of them.
 *
 * @param kind A candidate model kind.
 * @returns The kind, typed.
 * @example
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { assertModelKind } from "./build.ts";
 * assertEquals(assertModelKind("dot-bias"), "dot-bias");
 * assertThrows(() => assertModelKind("svd"), TypeError, "known kinds: dot, dot-bias");
 * ```
 */
export function assertModelKind(kind: unknown): ModelKind {
  if (typeof kind !== "string" || !(MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(
      `unknown model kind ${JSON.stringify(kind)} (known kinds: ${MODEL_KINDS.join(", ")})`,
    );
  }
  return kind as ModelKind;
}

/**
 * Builds a model of the given kind with its encoders and config, compiled (see
 * {@linkcode compileModel}). Every initializer is seeded from `options.seed`, so the same
 * options give the same initial weights; dropout masks are drawn by the training engine from
 * the seed given to `train()`.
 *
 * @param kind One of {@linkcode MODEL_KINDS}; anything else throws a `TypeError` listing them.
 * @param options Encoders or training ratings, sizes, regularisation, loss, optimizer, seed
 *   (spread a recipe here: `{ ...recipes.embeddingNet.net, ratings }`).
 * @returns The recommender (model, encoders, config, catalogue).
 * @throws {TypeError} On an unknown option (naming it and the option it most likely meant, in
 *   `options` or in `options.optimizer`), an unknown loss, metric or activation (listing the
 *   known ones), or an option of the wrong type.
 * @throws {RangeError} On an option value out of range (each named: `factors` not a positive
 *   integer, a `seed` that is not an integer from 0 to `MAX_SEED`, `optimizer.epsilon` not a
 *   finite number > 0, …), or training ratings with an unusable row.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assertEquals } from "@std/assert";
 * import { buildModel } from "./build.ts";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4, 3, 5] });
 * const rec = buildModel("dot-bias", { ratings, factors: 4, yRange: [0, 5.5] });
 * assertEquals([rec.users.size, rec.movies.size, rec.model.countParams()], [2, 2, 20]);
 * ```
 */
export function buildModel(kind: ModelKind, options: ModelOptions = {}): Recommender<BuiltConfig> {
  const k = assertModelKind(kind);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`buildModel(): expected an options object, found ${describe(options)}`);
  }
  const { config, users, movies, catalog, movieCounts, metadataValues } = resolveOptions(
    k,
    options,
  );
  checkBackend("buildModel()");
  const size = { users: users.size, movies: movies.size, metadata: metadataValues };
  const model = (config.fused ? fusedDotModel : BUILDERS[k])(config, size);
  const rec: Recommender<BuiltConfig> = { kind: k, model, users, movies, config };
  if (catalog) rec.catalog = catalog;
  if (movieCounts) rec.movieCounts = movieCounts;
  compileModel(rec);
  return rec;
}
