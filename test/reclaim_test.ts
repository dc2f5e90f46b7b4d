import { assertEquals } from "@std/assert";
import { runWithEnv } from "./_child.ts";

const LIB = new URL("../lib/", import.meta.url).href;

/**
 * The child's script: builds and trains models as a notebook does, lets some become unreachable,
 * runs the garbage collector (exposed by DENO_V8_FLAGS) and prints the tensor counts as JSON.
 */
const SCRIPT = (install: boolean) => `
import * as tf from "@tensorflow/tfjs";
import pl from "nodejs-polars";
import { IdEncoder } from "${LIB}data/encoder.ts";
import { freedCount, freeUnreachable } from "${LIB}_reclaim.ts";
import { inKernel } from "${LIB}notebook/flush.ts";
import { adam, setupBackend } from "${LIB}train/mod.ts";
import { recommender, train } from "${LIB}models/mod.ts";
const install = ${install};
const sortCache = () => tf.env().get("TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES");
const sortCacheBefore = sortCache();
const installed = install ? [freeUnreachable(), freeUnreachable()] : [];
await setupBackend(); // outside the kernel: installs nothing itself
const gc = globalThis.gc;
const settle = async () => {
  for (let i = 0; i < 4; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
};
const users = IdEncoder.fit([1, 2, 3, 4]), movies = IdEncoder.fit([10, 20, 30]);
const ratings = pl.DataFrame({ userId: [1, 2, 3, 4, 1, 2], movieId: [10, 20, 30, 10, 30, 20],
  rating: [4, 3, 5, 2, 1, 4] });
const table = (n) => tf.layers.embedding({ inputDim: n, outputDim: 8 });
function net(userTable = table(4)) { // notebook 02's shape: two tables, a dot product
  const u = tf.input({ shape: [1], dtype: "int32" }), m = tf.input({ shape: [1], dtype: "int32" });
  const flat = (l, x) => tf.layers.flatten().apply(l.apply(x));
  const dot = tf.layers.dot({ axes: 1 }).apply([flat(userTable, u), flat(table(3), m)]);
  return tf.model({ inputs: [u, m], outputs: dot });
}
async function trained(optimizer) { // compiled, trained (the moments made), dropped
  const model = net();
  model.compile({ optimizer, loss: "meanSquaredError" });
  await train(recommender(model, { users, movies }), ratings, { epochs: 2, verbose: 0 });
}
await settle();
const start = tf.memory().numTensors;
await trained(adam({ learningRate: 0.01 })); // 2 weights, 4 moments
await trained(tf.train.adam(0.01)); // swapped for the fused Adam by train()
await settle();
const afterDropped = tf.memory().numTensors - start;
// A table shared with a model still in use stays, and so does what it reaches.
const shared = table(4);
const kept = net(shared);
net(shared); // dropped at once
await settle();
const afterShared = tf.memory().numTensors - start;
const x = [tf.tensor2d([[0], [3]], [2, 1], "int32"), tf.tensor2d([[1], [2]], [2, 1], "int32")];
const y = kept.predict(x);
const predicted = y.dataSync().every(Number.isFinite);
tf.dispose([...x, y]);
// A model disposed by hand, then dropped: nothing freed twice, no error.
net().dispose();
await settle();
const afterDisposed = tf.memory().numTensors - start;
// Models that predicted, then dropped: tfjs-layers' cache of sorted graphs keeps the last ones.
for (let i = 0; i < 9; i++) {
  const xs = [tf.tensor2d([[0]], [1, 1], "int32"), tf.tensor2d([[1]], [1, 1], "int32")];
  const ys = net().predict(xs);
  tf.dispose([...xs, ys]);
}
await settle();
const afterPredicted = tf.memory().numTensors - start - afterDisposed;
// What a cell keeps of a model it drops: getWeights() hands out the live variables, which go
// with the model; a clone stays.
const [live, copies] = (() => {
  const weights = net().getWeights();
  return [weights, weights.map((w) => w.clone())];
})();
await settle();
const keptValues = { live: live.map((w) => w.isDisposed), copies: copies.map((w) => w.isDisposed) };
tf.dispose(copies);
console.log(JSON.stringify({ installed, afterPredicted, kept: keptValues, sortCache: [sortCacheBefore, sortCache()],
  kernel: inKernel(), afterDropped, afterShared,
  predicted, afterDisposed, freed: freedCount() }));
`;

Deno.test("freeUnreachable() gives back the weights and fused Adam moments of models no code can reach", async () => {
  const out = JSON.parse(await runWithEnv(SCRIPT(true), { DENO_V8_FLAGS: "--expose-gc" }));
  assertEquals(out, {
    installed: ["installed", "already installed"],
    sortCache: [100, 8], // tfjs-layers' cache of sorted graphs, which keeps their layers
    afterPredicted: 8 * 2, // of nine models that predicted, the last eight are cached
    kept: { live: [true, true], copies: [false, false] },
    kernel: false,
    afterDropped: 0, // two models: 2 × (2 weights + 4 moments) freed
    // The kept model's two tables, and the dropped model's movie table: tfjs links a layer to
    // every graph it was applied in, so the shared table still reaches the dropped graph.
    afterShared: 3,
    predicted: true, // the kept model still reads the shared table
    afterDisposed: 3,
    // 2 × (2 weights + 1 optimizer) trained, and net().dispose()'s 2 weights (their finalizers
    // run, and find them disposed already)
    freed: 8 + 2 + 2,
  });
});

Deno.test("without freeUnreachable() the models dropped keep their memory (what a notebook had before)", async () => {
  const out = JSON.parse(await runWithEnv(SCRIPT(false), { DENO_V8_FLAGS: "--expose-gc" }));
  assertEquals(out, {
    installed: [],
    sortCache: [100, 100],
    afterPredicted: 9 * 2,
    kept: { live: [false, false], copies: [false, false] },
    kernel: false,
    afterDropped: 12,
    afterShared: 12 + 2 + 1, // the kept model's 2 tables and the dropped one's own movie table
    predicted: true,
    afterDisposed: 15,
    freed: 0,
  });
});
