/**
 * Analysis of learned embeddings and biases, by raw MovieLens id with titles: lookups, best and
 * worst movies by a score, cosine similarity and nearest neighbours, PCA, t-SNE, and a port of
 * scikit-learn's QuantileTransformer. Inputs are plain typed arrays ({@linkcode EmbeddingTable},
 * {@linkcode ScoreTable}), so nothing here depends on tfjs.
 *
 * @module
 */

export * from "./types.ts";
export * from "./rows_by_id.ts";
export * from "./rank_by_score.ts";
export * from "./similarity.ts";
export * from "./pca.ts";
export * from "./pca_points.ts";
export * from "./pca_transposed.ts";
export * from "./tsne.ts";
export * from "./quantile.ts";
