/**
 * t-SNE benchmark: the library's Barnes-Hut (or exact) t-SNE on a table the size of seed 002's
 * (1,682 movies × 64 factors), on synthetic clustered vectors drawn with `createRng`, and
 * optionally scikit-learn's `TSNE` with the same settings on the very same rows (one thread,
 * Debian's `python3-sklearn` through `/usr/bin/python3`).
 *
 * ```sh
 * deno run -A bench/tsne_bench.ts                  # 1682 × 64, Barnes-Hut, 1000 iterations
 * deno run -A bench/tsne_bench.ts --sklearn        # the same, then scikit-learn on the same rows
 * deno run -A bench/tsne_bench.ts --n 300 --method exact
 * ```
 *
 * Flags: `--n N` (1682), `--dim N` (64), `--clusters N` (10), `--iterations N` (1000),
 * `--method barnes-hut|exact` (barnes-hut), `--seed N` (42), `--sklearn`; `--help` lists them
 * ({@linkcode USAGE}), and a bad flag or value is one line on stderr and exit status 2.
 * Output: one JSON line with `n`, `dim`, `method`, `iterations`, `seconds`, `kl` and, with
 * `--sklearn`, `sklearn_seconds` and `sklearn_kl`, plus `trustworthiness` of both layouts
 * (scikit-learn's `trustworthiness`, 10 neighbours) when scikit-learn ran.
 *
 * @module
 */

import { tsne } from "../lib/analysis/tsne.ts";
import { createRng, MAX_SEED } from "../lib/random.ts";
import { FlagReader, readCommandLine } from "../tools/_cli.ts";
import { cleanUpOnSignals, withTemporary } from "../tools/_cleanup.ts";
import { runPython } from "./_machine.ts";

/** The perplexity of both t-SNE runs (the library's and scikit-learn's default). */
export const PERPLEXITY = 30;

/** The help text of `deno run -A bench/tsne_bench.ts`. */
export const USAGE = `Usage: deno run -A bench/tsne_bench.ts [flags]

Times the library's t-SNE on synthetic clustered vectors the size of notebook 04's movie table,
and optionally scikit-learn's TSNE on the same rows; prints one JSON line.

Flags:
  --n N                       rows, more than the perplexity, ${PERPLEXITY} (t-SNE's and
                              scikit-learn's default, which must be below the number of
                              rows; default: 1682)
  --dim N                     factors per row, N ≥ 1 (default: 64)
  --clusters N                Gaussian clusters the rows are drawn from, N ≥ 1 (default: 10)
  --iterations N              gradient-descent iterations, N ≥ 1, with --sklearn N ≥ 250
                              (default: 1000)
  --method barnes-hut|exact   t-SNE method (default: barnes-hut)
  --seed N                    seed of the data, 0 ≤ N ≤ ${MAX_SEED} (default: 42)
  --sklearn                   also run scikit-learn (/usr/bin/python3, python3-sklearn)
  -h, --help                  show this text

A value follows its flag or is joined to it by "=" (--n=300). Numbers are plain decimals;
each flag is given once. A bad command line is one line on stderr and exit status 2.`;

/** Parsed command line. */
export interface TsneBenchArgs {
  /** Rows. */
  n: number;
  /** Factors per row. */
  dim: number;
  /** Number of Gaussian clusters the rows are drawn from. */
  clusters: number;
  /** Gradient-descent iterations. */
  iterations: number;
  /** t-SNE method. */
  method: "barnes-hut" | "exact";
  /** Seed of the data. */
  seed: number;
  /** Whether to run scikit-learn too. */
  sklearn: boolean;
}

/**
 * Parses the bench's flags.
 * @param args Command-line arguments.
 * @returns The settings, with defaults for missing flags.
 * @throws {TypeError} On an unknown flag, a missing value or a flag given twice.
 * @throws {RangeError} On a bad number: `--n` at most {@linkcode PERPLEXITY} included (t-SNE
 *   needs more rows than its perplexity).
 * @example
 * ```ts
 * import { parseTsneBenchArgs } from "./tsne_bench.ts";
 * parseTsneBenchArgs(["--n", "300"]).n; // 300
 * ```
 */
export function parseTsneBenchArgs(args: string[]): TsneBenchArgs {
  const out: TsneBenchArgs = {
    n: 1682,
    dim: 64,
    clusters: 10,
    iterations: 1000,
    method: "barnes-hut",
    seed: 42,
    sklearn: false,
  };
  const read = new FlagReader(args);
  for (let flag = read.next(); flag !== null; flag = read.next()) {
    if (flag === "--n") {
      out.n = read.integer(PERPLEXITY + 1); // t-SNE's perplexity must be below the rows
    } else if (flag === "--dim") out.dim = read.integer(1);
    else if (flag === "--clusters") out.clusters = read.integer(1);
    else if (flag === "--iterations") out.iterations = read.integer(1);
    else if (flag === "--seed") out.seed = read.integer(0, MAX_SEED);
    else if (flag === "--sklearn") out.sklearn = true;
    else if (flag === "--method") {
      const v = read.value();
      if (v !== "barnes-hut" && v !== "exact") {
        throw new RangeError(`--method: expected barnes-hut or exact, found ${JSON.stringify(v)}`);
      }
      out.method = v;
    } else read.unknown();
  }
  if (out.sklearn && out.iterations < 250) {
    throw new RangeError(
      `--iterations: scikit-learn's TSNE takes at least 250, found ${out.iterations} with --sklearn`,
    );
  }
  return out;
}

const SKLEARN = `
import json, sys, time, warnings
import numpy as np
from sklearn.manifold import TSNE, trustworthiness
warnings.simplefilter("ignore")
d = json.load(open(sys.argv[1]))
X = np.array(d["x"], dtype=np.float32).reshape(d["n"], d["dim"])
t = time.perf_counter()
model = TSNE(perplexity=d["perplexity"], init="pca", learning_rate="auto", n_iter=d["iterations"],
             method=d["method"].replace("-", "_"), random_state=0, n_jobs=1)
Y = model.fit_transform(X)
ours = np.array(d["y"]).reshape(d["n"], 2)
print(json.dumps({"sklearn_seconds": time.perf_counter() - t, "sklearn_kl": float(model.kl_divergence_),
                  "sklearn_trustworthiness": trustworthiness(X, Y, n_neighbors=10),
                  "trustworthiness": trustworthiness(X, ours, n_neighbors=10)}))
`;

if (import.meta.main) {
  const args = readCommandLine(Deno.args, USAGE, parseTsneBenchArgs);
  cleanUpOnSignals("stopping scikit-learn's run and removing its input file…");
  const rng = createRng(args.seed);
  const centres = Array.from(
    { length: args.clusters },
    () => Array.from({ length: args.dim }, () => 0.3 * rng.normal()),
  );
  const vectors = new Float32Array(args.n * args.dim);
  for (let i = 0; i < args.n; i++) {
    for (let d = 0; d < args.dim; d++) {
      vectors[i * args.dim + d] = centres[i % args.clusters][d] + 0.1 * rng.normal();
    }
  }
  const table = {
    ids: Int32Array.from({ length: args.n }, (_, i) => i + 1),
    vectors,
    dim: args.dim,
  };
  const start = performance.now();
  const result = await tsne(table, {
    iterations: args.iterations,
    method: args.method,
    perplexity: PERPLEXITY,
  });
  const seconds = (performance.now() - start) / 1000;
  const report: Record<string, unknown> = {
    n: args.n,
    dim: args.dim,
    method: args.method,
    iterations: args.iterations,
    seconds: Number(seconds.toFixed(3)),
    kl: Number(result.klDivergence.toFixed(4)),
  };
  if (args.sklearn) {
    // The input file is removed afterwards, and also on Ctrl-C or SIGTERM (Python stopped).
    const run = await withTemporary({ prefix: "tsne_bench_", suffix: ".json" }, async (file) => {
      await Deno.writeTextFile(
        file,
        JSON.stringify({
          ...args,
          perplexity: PERPLEXITY,
          x: Array.from(vectors),
          y: Array.from(result.coordinates),
        }),
      );
      return await runPython(["-c", SKLEARN, file], {
        env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
      });
    });
    if (!run.success) throw new Error(`scikit-learn failed: ${run.stderr}`);
    Object.assign(report, JSON.parse(run.stdout));
  }
  console.log(JSON.stringify(report));
}
