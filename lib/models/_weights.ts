/**
 * Private: a model's user and movie tables (factors and biases), found from its graph: the
 * embedding layers fed by each id input (the first input holds the users, the second the
 * movies), or the fused dot-bias layer's tables. Layer names play no part, so a model written
 * as tfjs code with any names is read the same way as a built one. Only the model's own layers
 * count: an embedding applied to an input but feeding nothing the model computes (a bias left
 * over when a reader takes it out of the sum) is not in `model.layers` and is no table.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** A table's role in a recommender. */
export type TableRole = "userFactors" | "movieFactors" | "userBias" | "movieBias";

/** The user factor table (kept as a list for the callers that name tables by role). */
export const USER_TABLE: TableRole[] = ["userFactors"];
/** The movie factor table. */
export const MOVIE_TABLE: TableRole[] = ["movieFactors"];
/** The user bias table. */
export const USER_BIAS: TableRole[] = ["userBias"];
/** The movie bias table. */
export const MOVIE_BIAS: TableRole[] = ["movieBias"];

/** What each role is, for messages. */
export const TABLE_DESCRIPTIONS: Record<TableRole, string> = {
  userFactors: "user factor table (the widest embedding fed by the user input)",
  movieFactors: "movie factor table (the widest embedding fed by the movie input)",
  userBias: "user bias table (an embedding of width 1 fed by the user input)",
  movieBias: "movie bias table (an embedding of width 1 fed by the movie input)",
};

/** The tables found, by role. */
export type Tables = Partial<Record<TableRole, tf.LayerVariable>>;

interface GraphLayer {
  name: string;
  getClassName(): string;
  weights: tf.LayerVariable[];
  trainable: boolean;
  outboundNodes: Array<{ outboundLayer: GraphLayer; inputTensors: unknown[] }>;
  getConfig(): Record<string, unknown>;
}

/** Layers that pass ids through unchanged in value, on the way from an input to a table. */
const PASS_THROUGH = new Set(["Flatten", "Reshape", "InputLayer"]);

/**
 * Layers that combine factor vectors: a width-1 embedding feeding one of them is a factor table
 * of one factor (`FACTORS=1`), not a bias, which is added to the output.
 */
const COMBINES_FACTORS = new Set(["Dot", "Multiply", "Concatenate", "Dense"]);

/** The layers of one model: a graph walk stays inside them. */
type Own = ReadonlySet<unknown>;

/** The model's layers fed by `input` (through shape-only layers), in graph order. */
function consumers(input: tf.SymbolicTensor, own: Own): GraphLayer[] {
  return consumersOf(input.sourceLayer as unknown as GraphLayer, own);
}

/**
 * The model's layers fed by `from` (through shape-only layers), in graph order. A layer's
 * outbound nodes also list every other use of it, in this model or not (a layer applied but left
 * out of the output, another model built on the same inputs): only the model's own count.
 */
function consumersOf(from: GraphLayer, own: Own): GraphLayer[] {
  const out: GraphLayer[] = [];
  const seen = new Set<GraphLayer>();
  const visit = (layer: GraphLayer) => {
    for (const node of layer.outboundNodes ?? []) {
      const next = node.outboundLayer;
      if (seen.has(next) || !own.has(next)) continue;
      seen.add(next);
      if (PASS_THROUGH.has(next.getClassName())) visit(next);
      else out.push(next);
    }
  };
  visit(from);
  return out;
}

/** The factor and bias tables among the embedding layers fed by one input. */
function embeddingTables(
  layers: GraphLayer[],
  own: Own,
): { factors?: tf.LayerVariable; bias?: tf.LayerVariable } {
  const embeddings = layers
    .filter((l) => l.getClassName() === "Embedding" && l.trainable && l.weights.length === 1);
  const width = (l: GraphLayer) => l.weights[0].shape[1] ?? 0;
  // A width-1 table is a bias unless it feeds a layer that combines factors (a dot product of
  // one factor): shape alone cannot tell a one-factor table from a bias.
  const combinesFactors = (l: GraphLayer) =>
    consumersOf(l, own).some((next) => COMBINES_FACTORS.has(next.getClassName()));
  let factors: GraphLayer | undefined;
  for (const l of embeddings) {
    const candidate = width(l) > 1 || (width(l) === 1 && combinesFactors(l));
    if (candidate && (factors === undefined || width(l) > width(factors))) factors = l;
  }
  const bias = embeddings.find((l) => width(l) === 1 && l !== factors);
  return { factors: factors?.weights[0], bias: bias?.weights[0] };
}

/** The tables of a fused dot-bias layer, by the names it gives its weights. */
function fusedTables(layer: GraphLayer): Tables {
  const byName = (name: string) =>
    layer.weights.find((w) => w.originalName.split("/").pop() === name);
  const tables: Tables = {};
  const found: [TableRole, string][] = [
    ["userFactors", "user_factors"],
    ["movieFactors", "movie_factors"],
    ["userBias", "user_bias"],
    ["movieBias", "movie_bias"],
  ];
  for (const [role, name] of found) {
    const w = byName(name);
    if (w) tables[role] = w;
  }
  return tables;
}

/**
 * The user and movie tables of a two-input recommender model, by role.
 *
 * @param model A model whose inputs are `[users, movies]`.
 * @returns The tables found (a role is absent when the model has no such table).
 */
export function findTables(model: tf.LayersModel): Tables {
  if (model.inputs.length !== 2) return {};
  const own: Own = new Set(model.layers);
  const [users, movies] = model.inputs.map((input) => consumers(input, own));
  const fused = users.find((l) => l.getClassName() === "EmbeddingDotBias" && movies.includes(l));
  if (fused) return fusedTables(fused);
  const u = embeddingTables(users, own), m = embeddingTables(movies, own);
  const tables: Tables = {};
  if (u.factors) tables.userFactors = u.factors;
  if (m.factors) tables.movieFactors = m.factors;
  if (u.bias) tables.userBias = u.bias;
  if (m.bias) tables.movieBias = m.bias;
  return tables;
}

/**
 * The first table of `roles` that the model has.
 *
 * @param model The model.
 * @param roles Roles to look for, in order.
 * @returns The table, or undefined.
 */
export function findTable(model: tf.LayersModel, roles: TableRole[]): tf.LayerVariable | undefined {
  const tables = findTables(model);
  for (const role of roles) if (tables[role]) return tables[role];
  return undefined;
}
