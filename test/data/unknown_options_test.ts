// Every data function with an options object refuses a misspelt option name (a mistyped
// `testfraction` would otherwise give the default split without a word).

import { IdEncoder } from "../../lib/data/encoder.ts";
import {
  dropDuplicateRatings,
  fitEncoders,
  maskSplit,
  perUserSplit,
  randomSplit,
  ratingHistogram,
  ratingsFrame,
  tailSplit,
  temporalSplit,
  topCrosstab,
} from "../../lib/data/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const ratings = ratingsFrame({
  userId: [1, 1, 2, 2, 3, 3],
  movieId: [10, 20, 10, 30, 20, 30],
  rating: [4, 3, 5, 2, 1, 4],
  timestamp: [1, 2, 3, 4, 5, 6],
});

testMisspeltOptions([
  {
    fn: "randomSplit()",
    key: "testfraction",
    meant: "testFraction",
    call: () => randomSplit(ratings, { testfraction: 0.5 } as never),
  },
  {
    fn: "maskSplit()",
    key: "trainProb",
    meant: "trainProbability",
    call: () => maskSplit(ratings, { trainProb: 0.5 } as never),
  },
  {
    fn: "tailSplit()",
    key: "fracton",
    meant: "fraction",
    call: () => tailSplit(ratings, { fracton: 0.5 } as never),
  },
  {
    fn: "perUserSplit()",
    key: "testcount",
    meant: "testCount",
    call: () => perUserSplit(ratings, { testcount: 1 } as never),
  },
  {
    fn: "temporalSplit()",
    key: "minTrains",
    meant: "minTrain",
    call: () => temporalSplit(ratings, { by: "user", minTrains: 1 } as never),
  },
  {
    fn: "dropDuplicateRatings()",
    key: "polcy",
    meant: "policy",
    call: () => dropDuplicateRatings(ratings, { polcy: "error" } as never),
  },
  {
    fn: "fitEncoders()",
    key: "ordre",
    meant: "order",
    call: () => fitEncoders(ratings, { ordre: "appearance" } as never),
  },
  {
    fn: "IdEncoder.fit()",
    key: "nmae",
    meant: "name",
    call: () => IdEncoder.fit([3, 1], { nmae: "movie" } as never),
  },
  {
    fn: "ratingHistogram()",
    key: "scales",
    meant: "scale",
    call: () => ratingHistogram(ratings, { scales: { min: 1, max: 5, step: 1 } } as never),
  },
  {
    fn: "ratingHistogram()",
    key: "scale.stp",
    meant: "scale.step",
    call: () => ratingHistogram(ratings, { scale: { min: 1, max: 5, stp: 1 } } as never),
  },
  {
    fn: "topCrosstab()",
    key: "N",
    meant: "n",
    call: () => topCrosstab(ratings, { N: 2 } as never),
  },
]);
