/**
 * Saving and loading a {@linkcode Recommender} — built by `buildModel` or written as tfjs code
 * and wrapped by `recommender()` — to a folder: a standard tfjs `model.json` (tfjs' own
 * topology JSON, `model.toJSON()`, and weights manifest, plus a `recommender` section with the
 * config, encoders, catalogue, popularity counts, the epochs trained and the size and SHA-256
 * of the weights, and a `sha256` of the rest of the file) and `weights.bin`. `file://`
 * handlers do not exist in Deno, so the artifacts go through `tf.io.withSaveHandler`, and a
 * model is rebuilt with `tf.models.modelFromJSON`.
 *
 * Both files are checked when loading: a weights file or a `model.json` changed after saving
 * (an output range, an encoder's ids, a target's classes edited by hand) is refused with a
 * message naming the file; reformatting `model.json` (indentation) changes nothing. Every field
 * of the `recommender` section is checked too, for each format version (versions 1 and 2 carry
 * no checksum of `model.json`): a config, catalogue or counts that `buildModel()` or
 * `recommender()` could not have written, or a config that does not match the weights' shapes,
 * is refused naming the file, the field and what was found.
 *
 * Writes never leave half a model: everything goes to a temporary sibling folder (`.<name>.tmp-…`)
 * that is renamed into place; a model already there is first moved aside (`.<name>.old-…`) and
 * removed once the new one is in place. A process that dies in between leaves the previous model
 * either at its path or, for the instant between the two renames, in the `.old-` folder, which
 * {@linkcode loadRecommender} then reads; the next save to the same path removes what an
 * interrupted one left. Two saves to one path at the same time (two processes, or two calls in one)
 * take turns, through a lock file beside the folder (`.<name>.lock`, removed after; see
 * `lib/_lock.ts`). The optimizer state is not saved: a loaded model is compiled afresh from its
 * config — the loss, metrics, optimizer, learning rate and schedule it trained with — and numbers
 * its epochs on.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { basename, dirname, join, resolve } from "node:path";
import { IdEncoder, type IdEncoderJSON } from "../data/encoder.ts";
import { checkUsable, setTrainedEpochs, trainedEpochs } from "./_engine.ts";
import { checkRecommender } from "./_usable.ts";
import { assertModelKind } from "./build.ts";
import { compileModel, syncConfig } from "./compile.ts";
import { describe } from "../_validate.ts";
import { checkSeed, storedSeed } from "../random.ts";
import { makeFolders, namedError, nearestFolder, removeFolders } from "../_atomic_write.ts";
import { withLock } from "../_lock.ts";
import { findTables } from "./_weights.ts";
import { DOT_KINDS } from "./_checks.ts";
import "./layers.ts"; // registers the custom layers before any model is deserialised
import "./embedding_dot_bias.ts";
import type {
  BuiltConfig,
  Catalog,
  Recommender,
  RecommenderConfig,
  RecommenderKind,
} from "./recommender.ts";
import {
  checkSavedCatalog,
  checkSavedConfig,
  checkSavedCounts,
  checkSavedEpochs,
} from "./_saved.ts";

/** File names inside a saved model folder. */
export const MODEL_FILES = { model: "model.json", weights: "weights.bin" } as const;

/**
 * Version of the `recommender` section written by {@linkcode saveRecommender} (3: `model.json`
 * carries the SHA-256 of its own content; 2: custom models, the learning-rate schedule and the
 * epochs trained). Versions 1 and 2 still load, without the check of `model.json`.
 */
export const FORMAT_VERSION = 3;

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

/** Whether something is at `path` (a link itself counts); false too when a parent is a file. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

let tempCounter = 0;

/** A sibling path that no other save in this or another process uses. */
function siblingPath(dir: string, tag: "tmp" | "old"): string {
  const path = join(
    dirname(dir),
    `.${basename(dir)}.${tag}-${Deno.pid}-${Date.now()}-${tempCounter++}`,
  );
  inFlight.add(path);
  return path;
}

/** Sibling folders of saves still running in this process (never cleaned as leftovers). */
const inFlight = new Set<string>();

/**
 * The folders an interrupted save of `dir` left beside it (`.<name>.tmp-…`, `.<name>.old-…`),
 * oldest first, leaving out those of saves still running in this process.
 */
async function leftovers(dir: string): Promise<{ path: string; tag: "tmp" | "old" }[]> {
  const name = basename(dir).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.${name}\\.(tmp|old)-\\d+-(\\d+)-\\d+$`);
  const found: { path: string; tag: "tmp" | "old"; time: number }[] = [];
  try {
    for await (const entry of Deno.readDir(dirname(dir))) {
      const match = pattern.exec(entry.name);
      const path = join(dirname(dir), entry.name);
      if (match && entry.isDirectory && !inFlight.has(path)) {
        found.push({ path, tag: match[1] as "tmp" | "old", time: Number(match[2]) });
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return [];
    throw e;
  }
  return found.sort((a, b) => a.time - b.time).map(({ path, tag }) => ({ path, tag }));
}

/** SHA-256 of a `model.json` object's content without its own `sha256` field. */
async function modelJsonSha256(json: Record<string, unknown>): Promise<string> {
  const { sha256: _, ...rest } = json;
  return await sha256(new TextEncoder().encode(JSON.stringify(rest)));
}

/**
 * Saves a recommender to a folder (created, or replaced when it already holds a saved model).
 * A save that fails (a full disk, a folder it may not write in) leaves the model that was
 * there, no temporary folder, and none of the parent folders it made. Two saves of one folder
 * at once take turns: the second waits for the first (saying so on stderr when the first is
 * another process's).
 *
 * @param rec The recommender.
 * @param dir Target folder; its parent folders are created as needed.
 * @returns Resolves when the folder is in place.
 * @throws {TypeError} When `rec` is not a recommender, `dir` is not a path, a file stands
 *   where `dir` or a folder above it should be, or `dir` holds something other than a saved
 *   model; naming the path.
 * @throws {RangeError} For a recommender freed by `disposeRecommender()` (or whose model was
 *   disposed by hand), saying so.
 * @throws {Error} When the operating system refuses a write: its error's class
 *   (`Deno.errors.PermissionDenied`, …), with a message naming `saveRecommender()`, the folder
 *   and the system's reason.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { loadRecommender, saveRecommender } from "./persist.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * const dir = await Deno.makeTempDir();
 * await saveRecommender(rec, `${dir}/model`);
 * const back = await loadRecommender(`${dir}/model`);
 * assertEquals(back.kind, "dot-bias");
 * assertEquals(back.users.size, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveRecommender(rec: Recommender, dir: string): Promise<void> {
  const where = "saveRecommender()";
  checkRecommender(rec, where);
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(`${where}: expected a folder path, found ${describe(dir)}`);
  }
  const target = await replaceableTarget(dir, where);
  const { weights, modelJson } = await savedFiles(rec, where);
  try {
    await replaceFolder(target, weights, modelJson);
  } catch (e) {
    throw namedError(e, target, { label: where });
  }
}

/** The absolute folder to save in, after checking it is absent, empty or a saved model. */
async function replaceableTarget(dir: string, where: string): Promise<string> {
  const target = resolve(dir);
  await nearestFolder(target).catch((e) => {
    throw namedError(e, target, { label: where }); // a file where a folder above should be
  });
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
  return target;
}

/** The weights file and `model.json` of a usable recommender (its config in step). */
async function savedFiles(
  rec: Recommender,
  where: string,
): Promise<{ weights: Uint8Array; modelJson: Record<string, unknown> }> {
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
  const modelJson: Record<string, unknown> = {
    format: artifacts!.format,
    generatedBy: artifacts!.generatedBy,
    convertedBy: artifacts!.convertedBy ?? null,
    modelTopology: artifacts!.modelTopology,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts!.weightSpecs }],
    recommender: section,
  };
  modelJson.sha256 = await modelJsonSha256(modelJson);
  return { weights, modelJson };
}

/**
 * Writes the files to a sibling folder and moves it in place of `target`; then removes the
 * model it replaced and whatever interrupted saves left.
 */
async function replaceFolder(
  target: string,
  weights: Uint8Array,
  modelJson: Record<string, unknown>,
): Promise<void> {
  const made = await makeFolders(dirname(target));
  // Two saves of one folder at once (two processes, or two calls) take turns: interleaved, one
  // moved aside the model the other had just put in place and failed on the rename back.
  const lock = join(dirname(target), `.${basename(target)}.lock`);
  try {
    await withLock(lock, () => swapIn(target, weights, modelJson), {
      onWait: (pid) => { // a save of this process's goes first without a word
        if (pid === null || pid === Deno.pid) return;
        console.error(
          `saveRecommender(): process ${pid} is saving a model to ${target}: waiting until ` +
            `it is done (if it hangs, stop it: kill ${pid})`,
        );
      },
    });
  } catch (e) {
    await removeFolders(made); // a full disk leaves no empty folders behind
    throw e;
  }
}

/** {@linkcode replaceFolder}'s work, under the folder's lock. */
async function swapIn(
  target: string,
  weights: Uint8Array,
  modelJson: Record<string, unknown>,
): Promise<void> {
  const stale = await leftovers(target);
  const tmp = siblingPath(target, "tmp");
  let old: string | null = null;
  try {
    await Deno.mkdir(tmp);
    await Deno.writeFile(join(tmp, MODEL_FILES.weights), weights);
    await Deno.writeTextFile(join(tmp, MODEL_FILES.model), JSON.stringify(modelJson));
    if (await exists(target)) {
      old = siblingPath(target, "old");
      await Deno.rename(target, old);
      try {
        await Deno.rename(tmp, target);
      } catch (e) {
        await Deno.rename(old, target);
        old = null;
        throw e;
      }
    } else {
      await Deno.rename(tmp, target);
    }
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  } finally {
    inFlight.delete(tmp);
  }
  // The new model is in place: the one it replaced, and whatever interrupted saves left, go.
  try {
    for (const path of [...(old ? [old] : []), ...stale.map((l) => l.path)]) {
      await Deno.remove(path, { recursive: true }).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
  } finally {
    if (old) inFlight.delete(old);
  }
}

async function readOrExplain(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`loadRecommender(): ${what} ${path} is missing`);
    }
    throw namedError(e, `${what} ${path}`, { label: "loadRecommender()", verb: "read" });
  }
}

function checkSection(s: unknown, file: string): RecommenderSection {
  const r = s as RecommenderSection;
  const who = `loadRecommender(): ${file}`;
  if (!r || typeof r !== "object") {
    throw new TypeError(
      `loadRecommender(): ${file} has no "recommender" section (not saved by saveRecommender)`,
    );
  }
  if (![1, 2, FORMAT_VERSION].includes(r.version)) {
    throw new RangeError(
      `loadRecommender(): ${file} has format version ${r.version}, expected 1 to ${FORMAT_VERSION}`,
    );
  }
  if (r.kind !== "custom" || r.version === 1) {
    try {
      assertModelKind(r.kind);
    } catch (e) {
      throw new TypeError(`${who}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (!r.config || r.config.kind !== r.kind) {
    throw new TypeError(
      `loadRecommender(): ${file}: config kind ${r.config?.kind} does not match kind ${r.kind}`,
    );
  }
  if (!r.weights || !Number.isInteger(r.weights.bytes) || typeof r.weights.sha256 !== "string") {
    throw new TypeError(`loadRecommender(): ${file} lacks the size and checksum of its weights`);
  }
  // The seed training starts from by default. A file saved before seeds were checked may hold
  // any integer: it is read as the 32-bit seed whose stream that integer gave.
  r.config.seed = checkSeed(
    storedSeed(r.config.seed),
    `loadRecommender(): ${file}`,
    "the config's seed",
  );
  checkSavedConfig(r.config, r.kind as RecommenderKind, r.version, who);
  checkSavedEpochs(r.epochs, r.version, who);
  checkSavedCatalog(r.catalog, who);
  checkSavedCounts(r.movieCounts, who);
  return r;
}

/** A saved encoder (`users` or `movies`), its errors naming the file and the field. */
function savedEncoder(json: IdEncoderJSON, field: "users" | "movies", file: string): IdEncoder {
  try {
    return IdEncoder.fromJSON(json);
  } catch (e) {
    const Class = e instanceof RangeError ? RangeError : TypeError;
    throw new Class(`loadRecommender(): ${file}: ${field}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * An error met while rebuilding the model from a checked file, as one naming the file; the
 * error stays its `cause`. A `RangeError` stays one; anything else (tfjs' own errors among
 * them) becomes a `TypeError`. Errors that already name the file pass as they are.
 */
function rebuildError(e: unknown, file: string): unknown {
  if (!(e instanceof Error) || e.message.startsWith("loadRecommender(): ")) return e;
  const Class = e instanceof RangeError ? RangeError : TypeError;
  return new Class(`loadRecommender(): cannot rebuild the model in ${file}: ${e.message}`, {
    cause: e,
  });
}

/**
 * Loads a recommender saved by {@linkcode saveRecommender}, checking that the weights file is
 * complete and unchanged (size and SHA-256) and that the tables match the encoders. A missing
 * file throws `Deno.errors.NotFound`; a corrupt or mismatched one a `RangeError` or `TypeError`
 * naming the file.
 *
 * @param dir The folder.
 * @returns The recommender, compiled from its config (fresh optimizer state).
 * @throws {Deno.errors.NotFound} When `model.json` or `weights.bin` is missing, naming it.
 * @throws {TypeError} When `dir` is not a path or is a file, or a file is not a saved model's
 *   (not JSON, no `recommender` section, a model that cannot be rebuilt), naming it.
 * @throws {RangeError} When a file was changed after saving (checksum, size, format version,
 *   tables that do not match the encoders, a config that does not match the weights' shapes, a
 *   field out of range such as a target range with min >= max or a non-finite number), naming
 *   it and the field. An error met while rebuilding the model names the file and keeps the
 *   error as its `cause`.
 * @throws {Error} When the operating system refuses a read: its error's class
 *   (`Deno.errors.PermissionDenied`, …), with a message naming `loadRecommender()`, the file
 *   and the system's reason.
 * @example
 * ```ts
 * import { loadRecommender } from "./persist.ts";
 * import { assertRejects } from "@std/assert";
 * await assertRejects(() => loadRecommender("/no/such/folder"), Deno.errors.NotFound, "missing");
 * ```
 */
export async function loadRecommender(dir: string): Promise<Recommender> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(`loadRecommender(): expected a folder path, found ${describe(dir)}`);
  }
  const info = await Deno.stat(dir).catch(() => null);
  if (info !== null && !info.isDirectory) {
    throw new TypeError(
      `loadRecommender(): cannot read ${resolve(dir)}: it is a file, not a saved model's folder`,
    );
  }
  if (!(await exists(dir))) {
    // A save interrupted between moving the previous model aside and moving the new one in.
    const aside = (await leftovers(resolve(dir))).filter((l) => l.tag === "old").pop();
    if (aside && await exists(join(aside.path, MODEL_FILES.model))) dir = aside.path;
  }
  const modelPath = join(dir, MODEL_FILES.model);
  const weightsPath = join(dir, MODEL_FILES.weights);
  const json = await readModelJson(modelPath);
  const section = checkSection(json.recommender, modelPath);
  const specs = json.weightsManifest?.[0]?.weights;
  if (!json.modelTopology || !Array.isArray(specs)) {
    throw new TypeError(`loadRecommender(): ${modelPath} lacks modelTopology or weightsManifest`);
  }
  const weights = await readWeights(weightsPath, section);
  const users = savedEncoder(section.users, "users", modelPath);
  const movies = savedEncoder(section.movies, "movies", modelPath);
  let model: tf.LayersModel | undefined;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as never);
    const values = tf.io.decodeWeights(weights.slice().buffer, specs);
    try {
      model.loadWeights(values);
    } finally {
      tf.dispose(Object.values(values)); // the weights hold their own references
    }
    checkLoaded(model, section, users, movies, modelPath);
    checkUsable(model, `loadRecommender(): ${weightsPath}`);
    return finishLoaded(model, section, users, movies);
  } catch (e) {
    if (model) disposeModel(model);
    throw rebuildError(e, modelPath);
  }
}

/** A `model.json` file, parsed, its checksum verified (format 3 on). */
async function readModelJson(modelPath: string): Promise<SavedModelJson> {
  const text = new TextDecoder().decode(await readOrExplain(modelPath, "model file"));
  let json: SavedModelJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(
      `loadRecommender(): ${modelPath} is not valid JSON (${(e as Error).message})`,
    );
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TypeError(`loadRecommender(): ${modelPath} holds ${describe(json)}, not a model`);
  }
  if (json.sha256 !== undefined || (json.recommender as RecommenderSection)?.version >= 3) {
    if (typeof json.sha256 !== "string") {
      throw new TypeError(
        `loadRecommender(): ${modelPath} lacks the checksum of its content (field "sha256")`,
      );
    }
    if (await modelJsonSha256(json) !== json.sha256) {
      throw new RangeError(
        `loadRecommender(): ${modelPath} was changed after it was saved (its content does not ` +
          `match the checksum it carries): edited by hand or damaged. Save the model again ` +
          `from code, or put back the file as it was saved`,
      );
    }
  }
  return json;
}

/** The contents of a `model.json` as {@linkcode loadRecommender} reads them. */
type SavedModelJson = {
  modelTopology?: object;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  recommender?: unknown;
  sha256?: unknown;
};

/** The weights file, checked against the size and checksum recorded in `model.json`. */
async function readWeights(weightsPath: string, section: RecommenderSection): Promise<Uint8Array> {
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
  return weights;
}

/** Frees a model made while loading (weights, and the optimizer compiling gave it). */
function disposeModel(model: tf.LayersModel): void {
  const optimizer = model.optimizer;
  model.dispose();
  optimizer?.dispose();
}

/** The recommender around a checked model: encoders, catalogue, counts, compiled. */
function finishLoaded(
  model: tf.LayersModel,
  section: RecommenderSection,
  users: IdEncoder,
  movies: IdEncoder,
): Recommender {
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
  if (!custom) checkLayout(model, section.config as BuiltConfig, tables, modelPath);
  if (section.movieCounts && section.movieCounts.length !== movies.size) {
    throw new RangeError(
      `loadRecommender(): ${modelPath}: ${section.movieCounts.length} movie counts for ${movies.size} movies`,
    );
  }
}

/**
 * Checks a built model's config against the shapes of its weights: the width of the factor
 * tables, the dense layers' sizes (`hidden`, then the output), the metadata table's width.
 */
function checkLayout(
  model: tf.LayersModel,
  config: BuiltConfig,
  tables: ReturnType<typeof findTables>,
  modelPath: string,
): void {
  const who = `loadRecommender(): ${modelPath}`;
  for (const table of [tables.userFactors, tables.movieFactors]) {
    const width = table?.shape[1];
    if (width !== config.factors) {
      throw new RangeError(
        `${who}: config.factors is ${config.factors} but the weights' ${
          table ? `table ${table.originalName} has ${width} columns` : "factor table is missing"
        }`,
      );
    }
  }
  const units = model.layers.filter((l) => l.getClassName() === "Dense")
    .map((l) => (l.getConfig() as { units: number }).units);
  const expected = DOT_KINDS.has(config.kind) ? [] : [...config.hidden, config.outputUnits];
  if (JSON.stringify(units) !== JSON.stringify(expected)) {
    throw new RangeError(
      `${who}: config.hidden ${JSON.stringify(config.hidden)} and outputUnits ` +
        `${config.outputUnits} do not match the model's dense layers of ${
          JSON.stringify(units)
        } units`,
    );
  }
  const metadata = model.layers.find((l) => l.name === "movie_metadata")?.weights[0];
  if (config.metadata && metadata && metadata.shape[1] !== config.metadata.columns.length) {
    throw new RangeError(
      `${who}: config.metadata has ${config.metadata.columns.length} columns but the ` +
        `model's metadata table has ${metadata.shape[1]}`,
    );
  }
}
