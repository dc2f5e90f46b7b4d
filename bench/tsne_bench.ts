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
 * `--method barnes-hut|exact` (barnes-hut), `--seed N` (42), `--sklearn`.
 * Output: one JSON line with `n`, `dim`, `method`, `iterations`, `seconds`, `kl` and, with
 * `--sklearn`, `sklearn_seconds` and `sklearn_kl`, plus `trustworthiness` of both layouts
 * (scikit-learn's `trustworthiness`, 10 neighbours) when scikit-learn ran.
 *
 * @module
 */

import { tsne } from "../lib/analysis/tsne.ts";
import { createRng } from "../lib/random.ts";

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
  for (let i = 0; i < args.length; i++) {
    const flag = args[i], value = args[i + 1];
    const int = (): number => {
      const v = Number(value);
      if (!Number.isInteger(v) || v <= 0) {
        throw new RangeError(`tsne_bench: ${flag} expects a positive integer, found ${value}`);
      }
      i++;
      return v;
    };
    if (flag === "--n") out.n = int();
    else if (flag === "--dim") out.dim = int();
    else if (flag === "--clusters") out.clusters = int();
    else if (flag === "--iterations") out.iterations = int();
    else if (flag === "--seed") out.seed = int();
    else if (flag === "--sklearn") out.sklearn = true;
    else if (flag === "--method" && (value === "barnes-hut" || value === "exact")) {
      out.method = value;
      i++;
    } else throw new RangeError(`tsne_bench: unknown flag ${flag} ${value ?? ""}`);
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
model = TSNE(perplexity=30, init="pca", learning_rate="auto", n_iter=d["iterations"],
             method=d["method"].replace("-", "_"), random_state=0, n_jobs=1)
Y = model.fit_transform(X)
ours = np.array(d["y"]).reshape(d["n"], 2)
print(json.dumps({"sklearn_seconds": time.perf_counter() - t, "sklearn_kl": float(model.kl_divergence_),
                  "sklearn_trustworthiness": trustworthiness(X, Y, n_neighbors=10),
                  "trustworthiness": trustworthiness(X, ours, n_neighbors=10)}))
`;

if (import.meta.main) {
  const args = parseTsneBenchArgs(Deno.args);
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
  const result = tsne(table, { iterations: args.iterations, method: args.method });
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
    const file = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(
      file,
      JSON.stringify({ ...args, x: Array.from(vectors), y: Array.from(result.coordinates) }),
    );
    const run = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", SKLEARN, file],
      env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
    }).output();
    await Deno.remove(file);
    if (!run.success) {
      throw new Error(`scikit-learn failed: ${new TextDecoder().decode(run.stderr)}`);
    }
    Object.assign(report, JSON.parse(new TextDecoder().decode(run.stdout)));
  }
  console.log(JSON.stringify(report));
}
