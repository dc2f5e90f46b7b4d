/**
 * Saving and loading a {@linkcode Recommender} — built by `buildModel` or written as tfjs code
 * and wrapped by `recommender()` — to a folder: a standard tfjs `model.json` (tfjs' own
 * topology JSON, `model.toJSON()`, and weights manifest, plus a `recommender` section with the
 * config, encoders, catalogue, popularity counts, the epochs trained and the size and SHA-256
 * of the weights) and `weights.bin`. `file://` handlers do not exist in Deno, so the artifacts
 * go through `tf.io.withSaveHandler`, and a model is rebuilt with `tf.models.modelFromJSON`.
 * Writes are atomic: everything goes to a temporary sibling folder that is renamed into place,
 * so a failure leaves either the old model or nothing, never half a model. The optimizer
 * state is not saved: a loaded model is compiled afresh from its config — the loss, metrics,
 * optimizer, learning rate and schedule it trained with — and numbers its epochs on.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { basename, dirname, join, resolve } from "node:path";
import { IdEncoder, type IdEncoderJSON } from "../data/encoder.ts";
import { checkUsable, setTrainedEpochs, trainedEpochs } from "./_engine.ts";
import { assertModelKind } from "./build.ts";
import { compileModel, syncConfig } from "./compile.ts";
import { describe } from "../_validate.ts";
import { findTables } from "./_weights.ts";
import "./layers.ts"; // registers the custom layers before any model is deserialised
import "./embedding_dot_bias.ts";
import type { Catalog, Recommender, RecommenderConfig } from "./recommender.ts";

/** File names inside a saved model folder. */
export const MODEL_FILES = { model: "model.json", weights: "weights.bin" } as const;

/**
 * Version of the `recommender` section written by {@linkcode saveRecommender} (2: custom
 * models, the learning-rate schedule and the epochs trained; version 1 still loads).
 */
export const FORMAT_VERSION = 2;

interface RecommenderSection {
  version: number;
  kind: string;
  config: RecommenderConfig;
  /** Epochs the model had trained when it was saved (absent in version 1). */
  epochs?: number;
  users: IdEncoderJSON;
  movies: IdEncoderJSON;
  catalog: [number, string, string, number | null][] | null;
  movieCounts: number[] | null;
  weights: { bytes: number; sha256: string };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

let tempCounter = 0;

/** A sibling path that no other save in this or another process uses. */
function siblingPath(dir: string, tag: string): string {
  return join(dirname(dir), `.${basename(dir)}.${tag}-${Deno.pid}-${Date.now()}-${tempCounter++}`);
}

/**
 * Saves a recommender to a folder (created, or replaced when it already holds a saved model).
 *
 * @param rec The recommender.
 * @param dir Target folder; its parent folders are created as needed.
 * @returns Resolves when the folder is in place.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { loadRecommender, saveRecommender } from "./persist.ts";
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * const dir = await Deno.makeTempDir();
 * await saveRecommender(rec, `${dir}/model`);
 * const back = await loadRecommender(`${dir}/model`);
 * console.log(back.kind, back.users.size); // "dot-bias" 2
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveRecommender(rec: Recommender, dir: string): Promise<void> {
  const where = "saveRecommender()";
  if (!rec || typeof rec !== "object" || !(rec.model instanceof tf.LayersModel)) {
    throw new TypeError(`${where}: expected a Recommender, found ${describe(rec)}`);
  }
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(`${where}: expected a folder path, found ${describe(dir)}`);
  }
  const target = resolve(dir);
  if (await exists(target)) {
    const info = await Deno.stat(target);
    const isModel = info.isDirectory && await exists(join(target, MODEL_FILES.model));
    const isEmpty = info.isDirectory && (await Array.fromAsync(Deno.readDir(target))).length === 0;
    if (!isModel && !isEmpty) {
      throw new TypeError(
        `${where}: ${target} exists and is not a saved model; refusing to replace it`,
      );
    }
  }
  checkUsable(rec.model, where);
  if (rec.model.optimizer != null) syncConfig(rec, where);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await rec.model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
  }));
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts!.weightData!));
  const section: RecommenderSection = {
    version: FORMAT_VERSION,
    kind: rec.kind,
    config: rec.config,
    epochs: trainedEpochs(rec.model),
    users: rec.users.toJSON(),
    movies: rec.movies.toJSON(),
    catalog: rec.catalog
      ? Array.from(rec.catalog, ([id, e]) => [id, e.title, e.genres, e.year ?? null])
      : null,
    movieCounts: rec.movieCounts ? Array.from(rec.movieCounts) : null,
    weights: { bytes: weights.byteLength, sha256: await sha256(weights) },
  };
  const modelJson = {
    format: artifacts!.format,
    generatedBy: artifacts!.generatedBy,
    convertedBy: artifacts!.convertedBy ?? null,
    modelTopology: artifacts!.modelTopology,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts!.weightSpecs }],
    recommender: section,
  };
  await Deno.mkdir(dirname(target), { recursive: true });
  const tmp = siblingPath(target, "tmp");
  await Deno.mkdir(tmp);
  try {
    await Deno.writeFile(join(tmp, MODEL_FILES.weights), weights);
    await Deno.writeTextFile(join(tmp, MODEL_FILES.model), JSON.stringify(modelJson));
    if (await exists(target)) {
      const old = siblingPath(target, "old");
      await Deno.rename(target, old);
      try {
        await Deno.rename(tmp, target);
      } catch (e) {
        await Deno.rename(old, target);
        throw e;
      }
      await Deno.remove(old, { recursive: true });
    } else {
      await Deno.rename(tmp, target);
    }
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

async function readOrExplain(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`loadRecommender(): ${what} ${path} is missing`);
    }
    throw e;
  }
}

function checkSection(s: unknown, file: string): RecommenderSection {
  const r = s as RecommenderSection;
  if (!r || typeof r !== "object") {
    throw new TypeError(
      `loadRecommender(): ${file} has no "recommender" section (not saved by saveRecommender)`,
    );
  }
  if (r.version !== FORMAT_VERSION && r.version !== 1) {
    throw new RangeError(
      `loadRecommender(): ${file} has format version ${r.version}, expected 1 or ${FORMAT_VERSION}`,
    );
  }
  if (r.kind !== "custom") assertModelKind(r.kind);
  if (!r.config || r.config.kind !== r.kind) {
    throw new TypeError(
      `loadRecommender(): ${file}: config kind ${r.config?.kind} does not match kind ${r.kind}`,
    );
  }
  if (!r.weights || !Number.isInteger(r.weights.bytes) || typeof r.weights.sha256 !== "string") {
    throw new TypeError(`loadRecommender(): ${file} lacks the size and checksum of its weights`);
  }
  return r;
}

/**
 * Loads a recommender saved by {@linkcode saveRecommender}, checking that the weights file is
 * complete and unchanged (size and SHA-256) and that the tables match the encoders. A missing
 * file throws `Deno.errors.NotFound`; a corrupt or mismatched one a `RangeError` or `TypeError`
 * naming the file.
 *
 * @param dir The folder.
 * @returns The recommender, compiled from its config (fresh optimizer state).
 * @example
 * ```ts
 * import { loadRecommender } from "./persist.ts";
 * await loadRecommender("/no/such/folder").catch((e) => console.log(e.name)); // "NotFound"
 * ```
 */
export async function loadRecommender(dir: string): Promise<Recommender> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(`loadRecommender(): expected a folder path, found ${describe(dir)}`);
  }
  const modelPath = join(dir, MODEL_FILES.model);
  const weightsPath = join(dir, MODEL_FILES.weights);
  const text = new TextDecoder().decode(await readOrExplain(modelPath, "model file"));
  let json: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    recommender?: unknown;
  };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(
      `loadRecommender(): ${modelPath} is not valid JSON (${(e as Error).message})`,
    );
  }
  const section = checkSection(json.recommender, modelPath);
  const specs = json.weightsManifest?.[0]?.weights;
  if (!json.modelTopology || !Array.isArray(specs)) {
    throw new TypeError(`loadRecommender(): ${modelPath} lacks modelTopology or weightsManifest`);
  }
  const weights = await readOrExplain(weightsPath, "weights file");
  if (weights.byteLength !== section.weights.bytes) {
    throw new RangeError(
      `loadRecommender(): ${weightsPath} has ${weights.byteLength} bytes, expected ${section.weights.bytes} (truncated or corrupt)`,
    );
  }
  if (await sha256(weights) !== section.weights.sha256) {
    throw new RangeError(
      `loadRecommender(): ${weightsPath} does not match the checksum in ${MODEL_FILES.model} (corrupt or from another model)`,
    );
  }
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as never);
    model.loadWeights(tf.io.decodeWeights(weights.slice().buffer, specs));
  } catch (e) {
    throw new TypeError(
      `loadRecommender(): cannot rebuild the model in ${dir}: ${(e as Error).message}`,
    );
  }
  const users = IdEncoder.fromJSON(section.users);
  const movies = IdEncoder.fromJSON(section.movies);
  try {
    checkLoaded(model, section, users, movies, modelPath);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const rec: Recommender = {
    kind: section.kind as Recommender["kind"],
    model,
    users,
    movies,
    config: section.config,
  };
  if (section.catalog) {
    const catalog: Catalog = new Map();
    for (const [id, title, genres, year] of section.catalog) {
      catalog.set(id, year === null ? { title, genres } : { title, genres, year });
    }
    rec.catalog = catalog;
  }
  if (section.movieCounts) rec.movieCounts = Int32Array.from(section.movieCounts);
  setTrainedEpochs(model, section.epochs ?? 0);
  // A model compiled with a loss function of its own cannot be recompiled from its name.
  if (section.config.loss === "") return rec;
  if (section.version === 1) (rec.config as { schedule?: unknown }).schedule ??= null;
  return compileModel(rec);
}

/** Checks a rebuilt model against its saved encoders and config. */
function checkLoaded(
  model: tf.LayersModel,
  section: RecommenderSection,
  users: IdEncoder,
  movies: IdEncoder,
  modelPath: string,
): void {
  const tables = findTables(model);
  const custom = section.kind === "custom";
  for (
    const [table, enc] of [[tables.userFactors, users], [tables.movieFactors, movies]] as const
  ) {
    const rows = table?.shape[0] ?? undefined;
    if (custom ? rows != null && rows < enc.size : rows !== enc.size) {
      throw new RangeError(
        `loadRecommender(): ${modelPath}: the ${enc.name} table has ${rows} rows but the saved ${enc.name} encoder has ${enc.size} ids`,
      );
    }
  }
  const outUnits = model.outputs[0].shape.slice(1).reduce((a: number, d) => a * (d ?? 0), 1);
  if (outUnits !== section.config.outputUnits) {
    throw new RangeError(
      `loadRecommender(): ${modelPath}: the model outputs ${outUnits} units but its config says ${section.config.outputUnits}`,
    );
  }
  if (section.movieCounts && section.movieCounts.length !== movies.size) {
    throw new RangeError(
      `loadRecommender(): ${modelPath}: ${section.movieCounts.length} movie counts for ${movies.size} movies`,
    );
  }
}
