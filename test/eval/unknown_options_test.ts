// Every evaluation function with an options object refuses a misspelt option name (a mistyped
// `K` or `treshold` would otherwise score at k = 10 or threshold 4 without a word).

import pl from "nodejs-polars";
import { ratingsFrame } from "../../lib/data/mod.ts";
import {
  biasBaseline,
  ease,
  evaluateRanking,
  itemKnn,
  metricsTable,
  popularityScorer,
  predictionsTable,
  rankingMetrics,
  rankingTask,
  topKMovies,
  unseenRows,
} from "../../lib/eval/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const train = ratingsFrame({
  userId: [1, 1, 2, 2, 3],
  movieId: [10, 20, 10, 30, 20],
  rating: [4, 3, 5, 2, 4],
});
const test = ratingsFrame({ userId: [1, 2, 3], movieId: [30, 20, 10], rating: [5, 4, 3] });
const task = rankingTask(train, test);
const scorer = popularityScorer(task);
const lists = new Map([[1, [30, 20]], [2, [20]]]);
const relevant = pl.DataFrame({ userId: [1, 2], movieId: [30, 20], rating: [5, 4] });

testMisspeltOptions([
  {
    fn: "rankingMetrics()",
    key: "K",
    meant: "k",
    call: () => rankingMetrics(lists, relevant, { K: 1 } as never),
  },
  {
    fn: "rankingMetrics()",
    key: "treshold",
    meant: "threshold",
    call: () => rankingMetrics(lists, relevant, { treshold: 3 } as never),
  },
  {
    fn: "biasBaseline()",
    key: "regUsers",
    meant: "regUser",
    call: () => biasBaseline(train, { regUsers: 1 } as never),
  },
  {
    fn: "unseenRows()",
    key: "colum",
    meant: "column",
    call: () => unseenRows(train, test, { colum: "userId" } as never),
  },
  {
    fn: "metricsTable()",
    key: "sorted",
    meant: "sort",
    call: () => metricsTable(test, { mean: [4, 4, 4] }, { sorted: true } as never),
  },
  {
    fn: "predictionsTable()",
    key: "movie",
    meant: "movies",
    call: () => predictionsTable(test, [4, 4, 4], { movie: train } as never),
  },
  {
    fn: "rankingTask()",
    key: "user",
    meant: "users",
    call: () => rankingTask(train, test, { user: task.users } as never),
  },
  {
    fn: "topKMovies()",
    key: "userids",
    meant: "userIds",
    call: () => topKMovies(task, scorer, { userids: [1] } as never),
  },
  {
    fn: "evaluateRanking()",
    key: "batchusers",
    meant: "batchUsers",
    call: () => evaluateRanking(task, scorer, { batchusers: 1 } as never),
  },
  {
    fn: "itemKnn()",
    key: "neighbors",
    meant: "neighbours",
    call: () => itemKnn(task, { neighbors: 5 } as never),
  },
  {
    fn: "ease()",
    key: "lamda",
    meant: "lambda",
    call: () => ease(task, { lamda: 10 } as never),
  },
]);
