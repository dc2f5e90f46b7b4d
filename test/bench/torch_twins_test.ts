import { assertEquals } from "@std/assert";
import { PYTHON, torchAvailable } from "../../bench/_machine.ts";

const BENCH = new URL("../../bench/", import.meta.url).pathname;
/** Whether the twins can run here (Debian's python3-torch). */
const TORCH = await torchAvailable();

/** A little-endian file of int32 header values, then int32 and float32 arrays in turn. */
function dataFile(header: number[], arrays: (Int32Array | Float32Array)[]): string {
  const path = Deno.makeTempFileSync({ prefix: "torch_twins_", suffix: ".bin" });
  const parts = [new Int32Array(header), ...arrays].map((a) => new Uint8Array(a.buffer));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  Deno.writeFileSync(path, bytes);
  return path;
}

/** Runs a twin on `file` and returns its last line's JSON. */
async function runTwin(script: string, file: string, args: string[]) {
  const out = await new Deno.Command(PYTHON, {
    args: [BENCH + script, "--data", file, "--epochs", "1", ...args],
    // What a caller's environment asks for must not decide the twin's threads.
    env: { OPENBLAS_NUM_THREADS: "4", OMP_NUM_THREADS: "4" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(text.split("\n").at(-1)!);
}

// Six users, twelve movies (the ranking twin lists ten): user u rated movies u and u + 1, and
// u + 2 is its test movie.
const users = Int32Array.from({ length: 12 }, (_, i) => i >> 1);
const movies = Int32Array.from({ length: 12 }, (_, i) => (i >> 1) + (i & 1));
const testUsers = Int32Array.from({ length: 6 }, (_, u) => u);
const testMovies = Int32Array.from({ length: 6 }, (_, u) => u + 2);

Deno.test({
  name: "the torch twins run OpenBLAS on the threads they are given, whatever the environment says",
  ignore: !TORCH,
  async fn() {
    // null would mean the BLAS here is not OpenBLAS, whose count the twins cannot read.
    const ranking = dataFile([6, 12, 12, 6], [users, movies, testUsers, testMovies]);
    const ratings = new Float32Array(12).fill(4);
    const rating = dataFile([6, 12, 12, 12], [users, movies, ratings, users, movies, ratings]);
    try {
      for (const threads of [1, 2]) {
        const r = await runTwin("torch_ranking.py", ranking, [
          ...["--model", "bpr", "--factors", "4", "--negatives", "2", "--threads", String(threads)],
        ]);
        assertEquals([r.threads, r.blas_threads ?? threads], [threads, threads], "ranking");
      }
      const m = await runTwin("torch_bench.py", rating, ["--model", "mlp", "--batch", "4"]);
      assertEquals([m.threads, m.blas_threads ?? 1], [1, 1], "rating");
    } finally {
      Deno.removeSync(ranking);
      Deno.removeSync(rating);
    }
  },
});
