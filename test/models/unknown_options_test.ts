// Every model function with an options object refuses a misspelt option name (a mistyped
// `excludes` would otherwise recommend movies the user already rated, without a word).

import pl from "nodejs-polars";
import { IdEncoder } from "../../lib/data/encoder.ts";
import {
  buildModel,
  compareModels,
  compileModel,
  embeddingDotBias,
  movieBiases,
  movieEmbeddings,
  predictRatings,
  rankingScorer,
  ratingRange,
  recommend,
  recommender,
  topKForUsers,
  userBiases,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const users = IdEncoder.fit([1, 2]);
const movies = IdEncoder.fit([5, 6, 7]);
const rec = buildModel("dot-bias", { users, movies, factors: 2 });
const ratings = pl.DataFrame({ userId: [1, 2], movieId: [5, 6], rating: [4, 3] });

testMisspeltOptions([
  {
    fn: "topKForUsers()",
    key: "excludes",
    meant: "exclude",
    call: () => topKForUsers(rec, [1], { excludes: ratings } as never),
  },
  {
    fn: "recommend()",
    key: "minRating",
    meant: "minRatings",
    call: () => recommend(rec, 1, { ratings, minRating: 2 } as never),
  },
  {
    fn: "predictRatings()",
    key: "batchsize",
    meant: "batchSize",
    call: () => predictRatings(rec, ratings, { batchsize: 1 } as never),
  },
  {
    fn: "movieEmbeddings()",
    key: "id",
    meant: "ids",
    call: () => movieEmbeddings(rec, { id: [5] } as never),
  },
  {
    fn: "userEmbeddings()",
    key: "id",
    meant: "ids",
    call: () => userEmbeddings(rec, { id: [1] } as never),
  },
  {
    fn: "movieBiases()",
    key: "Ids",
    meant: "ids",
    call: () => movieBiases(rec, { Ids: [5] } as never),
  },
  {
    fn: "userBiases()",
    key: "Ids",
    meant: "ids",
    call: () => userBiases(rec, { Ids: [1] } as never),
  },
  {
    fn: "compareModels()",
    key: "tolerence",
    meant: "tolerance",
    call: () => compareModels(rec, rec, { tolerence: 1 } as never),
  },
  {
    fn: "compileModel()",
    key: "learningrate",
    meant: "learningRate",
    call: () => compileModel(rec, { learningrate: 0.1 } as never),
  },
  {
    fn: "compileModel()",
    key: "optimizer.weightdecay",
    meant: "optimizer.weightDecay",
    call: () => compileModel(rec, { optimizer: { weightdecay: 0.1 } } as never),
  },
  {
    fn: "rankingScorer()",
    key: "batchPair",
    meant: "batchPairs",
    call: () => rankingScorer(rec, { batchPair: 8 } as never),
  },
  {
    fn: "recommender()",
    key: "catalogue",
    meant: "catalog",
    call: () => recommender(rec.model, { users, movies, catalogue: ratings } as never),
  },
  {
    fn: "recommender()",
    key: "target.maximum",
    meant: "target.max",
    call: () =>
      recommender(rec.model, {
        users,
        movies,
        target: { type: "minmax", min: 0.5, maximum: 5 },
      } as never),
  },
  {
    fn: "ratingRange()",
    key: "hihg",
    meant: "high",
    call: () => ratingRange({ low: 0, hihg: 5 } as never),
  },
  {
    fn: "embeddingDotBias()",
    key: "numMovie",
    meant: "numMovies",
    call: () => embeddingDotBias({ numUsers: 2, numMovie: 3, factors: 2 } as never),
  },
  {
    fn: "buildModel()",
    key: "schedule.warmupFracton",
    meant: "schedule.warmupFraction",
    call: () =>
      buildModel("dot", {
        users,
        movies,
        schedule: { type: "oneCycle", maxLearningRate: 0.01, warmupFracton: 0.3 } as never,
      }),
  },
  {
    fn: "buildModel()",
    key: "schedule.phases[0].epoch",
    meant: "schedule.phases[0].epochs",
    call: () =>
      buildModel("dot", {
        users,
        movies,
        schedule: { type: "steps", phases: [{ learningRate: 0.01, epoch: 2 }] } as never,
      }),
  },
]);
