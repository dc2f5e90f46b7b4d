// Every analysis function with an options object refuses a misspelt option name.

import pl from "nodejs-polars";
import {
  type EmbeddingTable,
  histogramCounts,
  mostRated,
  mostSimilar,
  pca,
  pcaPoints,
  QuantileTransformer,
  rankByScore,
  sortAlong,
  transposedPca,
  tsne,
  tsneSync,
} from "../../lib/analysis/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const table: EmbeddingTable = {
  ids: Int32Array.of(1, 2, 3, 4),
  vectors: Float32Array.of(0, 0, 1, 0.5, 2, 1.5, 3, 2),
  dim: 2,
};
const result = pca(table, { components: 2 });
const scores = { ids: Int32Array.of(1, 2, 3), values: Float32Array.of(0.5, -1, 2) };
const ratings = pl.DataFrame({ userId: [1, 2, 2], movieId: [1, 1, 2], rating: [4, 3, 5] });

testMisspeltOptions([
  {
    fn: "rankByScore()",
    key: "ordre",
    meant: "order",
    call: () => rankByScore(scores, { ordre: "asc" } as never),
  },
  {
    fn: "sortAlong()",
    key: "amongst",
    meant: "among",
    call: () => sortAlong(result, 0, { amongst: [1, 2] } as never),
  },
  {
    fn: "pca()",
    key: "component",
    meant: "components",
    call: () => pca(table, { component: 1 } as never),
  },
  {
    fn: "transposedPca()",
    key: "component",
    meant: "components",
    call: () => transposedPca(table, { component: 1 } as never),
  },
  {
    fn: "pcaPoints()",
    key: "X",
    meant: "x",
    call: () => pcaPoints(result, [1, 2], { X: 1 } as never),
  },
  {
    fn: "mostRated()",
    key: "N",
    meant: "n",
    call: () => mostRated(ratings, { N: 1 } as never),
  },
  {
    fn: "mostSimilar()",
    key: "includeself",
    meant: "includeSelf",
    call: () => mostSimilar(table, 1, { includeself: true } as never),
  },
  {
    fn: "histogramCounts()",
    key: "bin",
    meant: "bins",
    call: () => histogramCounts([1, 2, 3], { bin: 2 } as never),
  },
  {
    fn: "tsne()",
    key: "perplexcity",
    meant: "perplexity",
    call: () => tsne(table, { perplexcity: 1 } as never),
  },
  {
    fn: "tsneSync()",
    key: "iteration",
    meant: "iterations",
    call: () => tsneSync(table, { iteration: 10 } as never),
  },
  {
    fn: "QuantileTransformer",
    key: "nquantiles",
    meant: "nQuantiles",
    call: () => new QuantileTransformer({ nquantiles: 5 } as never),
  },
]);
