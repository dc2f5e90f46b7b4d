import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import { setRandomSeed } from "../../lib/random.ts";
import { FusedAdam } from "../../lib/train/optimizer.ts";
import {
  buildModel,
  loadRecommender,
  MODEL_FILES,
  type ModelKind,
  movieBiases,
  predictRatings,
  recommend,
  recommender,
  saveRecommender,
  train,
} from "../../lib/models/mod.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";
import { concatMlp } from "./_notebook_models.ts";

const ratings = syntheticRatings();
const catalog = syntheticMovies();

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "models_persist_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function trained(kind: ModelKind) {
  const rec = buildModel(kind, {
    ratings,
    catalog,
    factors: 3,
    hidden: ["mlp", "hybrid", "dlrm", "classifier"].includes(kind) ? [6] : undefined,
    dropout: ["mlp", "hybrid"].includes(kind) ? 0.2 : undefined,
    yRange: kind === "dot-bias" ? [0, 5.5] : undefined,
  });
  await train(rec, ratings, { epochs: 2, verbose: 0 });
  return rec;
}

Deno.test("saveRecommender() then loadRecommender() gives identical predictions for every kind", async () => {
  await withTempDir(async (dir) => {
    for (const kind of ["dot", "dot-bias", "mlp", "bce", "dlrm", "hybrid", "classifier"] as const) {
      const rec = await trained(kind);
      await saveRecommender(rec, `${dir}/${kind}`);
      const back = await loadRecommender(`${dir}/${kind}`);
      assertEquals(back.kind, kind);
      assertEquals(back.config, rec.config);
      assertEquals(back.users.ids, rec.users.ids);
      assertEquals(back.movies.ids, rec.movies.ids);
      assertEquals(
        Array.from(predictRatings(back, ratings)),
        Array.from(predictRatings(rec, ratings)),
      );
    }
  });
});

Deno.test("a loaded recommender keeps its catalogue and counts, and trains on", async () => {
  await withTempDir(async (dir) => {
    const rec = await trained("dot-bias");
    await saveRecommender(rec, `${dir}/m`);
    const back = await loadRecommender(`${dir}/m`);
    assertEquals(back.catalog, rec.catalog);
    assertEquals(back.movieCounts, rec.movieCounts);
    assertEquals(movieBiases(back).titles, movieBiases(rec).titles);
    const a = recommend(rec, 100, { exclude: ratings }).getColumn("movieId").toArray();
    const b = recommend(back, 100, { exclude: ratings }).getColumn("movieId").toArray();
    assertEquals(a, b);
    const h = await train(back, ratings, { epochs: 1, verbose: 0 });
    assert(Number.isFinite(h.history.loss[0]));
  });
});

Deno.test("saveRecommender() replaces an earlier save atomically and leaves no temporary folders", async () => {
  await withTempDir(async (dir) => {
    const first = await trained("dot");
    const second = await trained("mlp");
    await saveRecommender(first, `${dir}/m`);
    await saveRecommender(second, `${dir}/m`);
    assertEquals((await loadRecommender(`${dir}/m`)).kind, "mlp");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assertEquals(names, ["m"]);
    const files = (await Array.fromAsync(Deno.readDir(`${dir}/m`))).map((e) => e.name).sort();
    assertEquals(files, [MODEL_FILES.model, MODEL_FILES.weights]);
  });
});

Deno.test("saveRecommender() refuses to replace a folder that is not a saved model", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/notes`);
    await Deno.writeTextFile(`${dir}/notes/todo.txt`, "keep me");
    await assertRejects(
      () => saveRecommender(buildModel("dot", { ratings }), `${dir}/notes`),
      TypeError,
      "not a saved model",
    );
    assertEquals(await Deno.readTextFile(`${dir}/notes/todo.txt`), "keep me");
  });
});

Deno.test("a failed save leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    await assertRejects(() => saveRecommender(buildModel("dot", { ratings }), `${dir}/file/m`));
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assertEquals(names, ["file"]);
  });
});

Deno.test("loadRecommender() explains a missing, corrupt or truncated weights file", async () => {
  await withTempDir(async (dir) => {
    const rec = await trained("dot-bias");
    const path = `${dir}/m`;
    await assertRejects(() => loadRecommender(path), Deno.errors.NotFound, "model.json");
    await saveRecommender(rec, path);
    const weights = await Deno.readFile(`${path}/${MODEL_FILES.weights}`);
    const flipped = weights.slice();
    flipped[10] ^= 0xff;
    await Deno.writeFile(`${path}/${MODEL_FILES.weights}`, flipped);
    await assertRejects(() => loadRecommender(path), RangeError, "does not match the checksum");
    await Deno.writeFile(`${path}/${MODEL_FILES.weights}`, weights.slice(0, 100));
    await assertRejects(() => loadRecommender(path), RangeError, "has 100 bytes, expected");
    await Deno.remove(`${path}/${MODEL_FILES.weights}`);
    await assertRejects(() => loadRecommender(path), Deno.errors.NotFound, "weights.bin");
  });
});

Deno.test("loadRecommender() rejects a config that does not match the model", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/m`;
    await saveRecommender(await trained("dot"), path);
    const file = `${path}/${MODEL_FILES.model}`;
    const json = JSON.parse(await Deno.readTextFile(file));
    json.recommender.movies.ids.push(999999);
    await Deno.writeTextFile(file, JSON.stringify(json));
    await assertRejects(() => loadRecommender(path), RangeError, "the saved movie encoder has");
    json.recommender.movies.ids.pop();
    json.recommender.kind = "svd";
    await Deno.writeTextFile(file, JSON.stringify(json));
    await assertRejects(() => loadRecommender(path), TypeError, "unknown model kind");
    await Deno.writeTextFile(file, "{ not json");
    await assertRejects(() => loadRecommender(path), TypeError, "is not valid JSON");
    delete json.recommender;
    await Deno.writeTextFile(file, JSON.stringify(json));
    await assertRejects(() => loadRecommender(path), TypeError, 'no "recommender" section');
  });
});

Deno.test("a model reloads with the learning rate and schedule it trained with, and numbers its epochs on", async () => {
  await withTempDir(async (dir) => {
    const phases = [{ learningRate: 0.02, epochs: 2 }, { learningRate: 0.005, epochs: 2 }];
    const scheduled = buildModel("dot-bias", {
      ratings,
      factors: 3,
      schedule: { type: "steps", phases },
    });
    const h = await train(scheduled, ratings, { epochs: 3, verbose: 0 });
    assertEquals(h.learningRate, [0.02, 0.02, 0.005]);
    await saveRecommender(scheduled, `${dir}/scheduled`);
    const back = await loadRecommender(`${dir}/scheduled`);
    assertEquals(back.config.schedule, { type: "steps", phases });
    const more = await train(back, ratings, { epochs: 2, verbose: 0 });
    assertEquals([more.epoch, more.learningRate], [[4, 5], [0.005, 0.005]]);

    const fixed = buildModel("dot-bias", { ratings, factors: 3, learningRate: 0.01 });
    await train(fixed, ratings, { epochs: 1, learningRate: 0.003, verbose: 0 });
    assertEquals([fixed.config.learningRate, fixed.config.schedule], [0.003, null]);
    await saveRecommender(fixed, `${dir}/fixed`);
    const reloaded = await loadRecommender(`${dir}/fixed`);
    assertEquals(reloaded.config.learningRate, 0.003);
    assertEquals(
      (reloaded.model.optimizer as unknown as { learningRate: number }).learningRate,
      0.003,
    );
    assertEquals((await train(reloaded, ratings, { epochs: 1, verbose: 0 })).learningRate, [0.003]);
  });
});

Deno.test("a notebook-written model saves and loads: same predictions, recompiled as it was compiled", async () => {
  setRandomSeed(5);
  const encoders = fitEncoders(ratings);
  const model = concatMlp({ users: encoders.users.size, movies: encoders.movies.size, factors: 3 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError", metrics: ["mae"] });
  const rec = recommender(model, { ...encoders, catalog, ratings });
  await train(rec, ratings, { epochs: 2, verbose: 0 });
  await withTempDir(async (dir) => {
    await saveRecommender(rec, `${dir}/custom`);
    const back = await loadRecommender(`${dir}/custom`);
    assertEquals(back.kind, "custom");
    assertEquals(back.config, rec.config);
    assertEquals(back.config.metrics, ["mae"]);
    assertEquals(back.movieCounts, rec.movieCounts);
    assertEquals(
      Array.from(predictRatings(back, ratings)),
      Array.from(predictRatings(rec, ratings)),
    );
    const opt = back.model.optimizer as FusedAdam;
    assert(opt instanceof FusedAdam);
    assertEquals([opt.learningRate, opt.epsilonHat, opt.epsilon], [0.01, false, 1e-7]);
    const h = await train(back, ratings, { epochs: 1, verbose: 0 });
    assertEquals([h.epoch, Object.keys(h.history)], [[3], ["loss", "mae"]]);
  });
});
