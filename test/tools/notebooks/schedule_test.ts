import { assert, assertEquals } from "@std/assert";
import { withLock } from "../../../lib/_lock.ts";
import {
  readDurations,
  runKey,
  startOrder,
  writeDurations,
} from "../../../tools/notebooks/_schedule.ts";

Deno.test("startOrder() starts the longest known notebook first and unknown ones before all", () => {
  const keys = ["01", "02", "03", "04", "05"];
  const seconds = { "01": 124, "02": 31, "03": 66, "04": 80, "05": 15 };
  assertEquals(startOrder(keys, seconds), [0, 3, 2, 1, 4]);
  assertEquals(startOrder(keys, { "02": 31, "04": 80 }), [0, 2, 4, 3, 1]);
  assertEquals(startOrder(keys, {}), [0, 1, 2, 3, 4]);
  assertEquals(startOrder(["a", "b"], { a: 5, b: 5 }), [0, 1]); // ties keep the name order
});

Deno.test("runKey() tells a quick run and a kernel run from a full fresh one", () => {
  const n = "notebooks/01_matrix_factorization.ipynb";
  assertEquals(runKey(n, { mode: "fresh", quick: false }), "01_matrix_factorization.ipynb fresh");
  assertEquals(
    runKey(n, { mode: "fresh", quick: true }),
    "01_matrix_factorization.ipynb fresh quick",
  );
  assertEquals(runKey(n, { mode: "kernel", quick: false }), "01_matrix_factorization.ipynb kernel");
});

Deno.test("readDurations() counts a corrupt file as no record and drops entries that are not seconds", async () => {
  const dir = await Deno.makeTempDir();
  const file = new URL(`file://${dir}/seconds.json`);
  try {
    await Deno.writeTextFile(file, '{"a fresh": 12, "b fresh": "x", "c fresh": -1, "d fr');
    assertEquals(await readDurations(file), {});
    await Deno.writeTextFile(
      file,
      '{"a fresh": 12, "b fresh": "x", "c fresh": -1, "d fresh": null}',
    );
    assertEquals(await readDurations(file), { "a fresh": 12 });
    await Deno.writeTextFile(file, "[1, 2]");
    assertEquals(await readDurations(file), {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeDurations() merges with earlier records and leaves no temporary file behind", async () => {
  const dir = await Deno.makeTempDir();
  const file = new URL(`file://${dir}/cache/seconds.json`);
  try {
    await writeDurations({ "a fresh": 10, "b fresh": 20 }, file);
    await writeDurations({ "b fresh": 25 }, file);
    assertEquals(await readDurations(file), { "a fresh": 10, "b fresh": 25 });
    assertEquals([...Deno.readDirSync(`${dir}/cache`)].map((e) => e.name), ["seconds.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeDurations() on a folder it cannot create is silent and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/blocker`, "a file where a folder would go");
    const file = new URL(`file://${dir}/blocker/seconds.json`);
    await writeDurations({ "a fresh": 10 }, file);
    assertEquals(await readDurations(file), {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeDurations() waits for a run that holds the records' lock and keeps its seconds", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/seconds.json`;
  const file = new URL(`file://${path}`);
  try {
    await writeDurations({ "a fresh": 10 }, file);
    // Another run's read-merge-write, holding the lock: this run's write must wait for it.
    let mine: Promise<void> | undefined;
    const waited: string[] = [];
    const onWait = console.error;
    console.error = (line: string) => void waited.push(line);
    try {
      await withLock(`${path}.lock`, async () => {
        const theirs = { ...await readDurations(file), "b fresh": 20 };
        mine = writeDurations({ "c fresh": 30 }, file);
        await Promise.race([mine, new Promise((resolve) => setTimeout(resolve, 300))]);
        await Deno.writeTextFile(path, JSON.stringify(theirs));
      });
      await mine;
    } finally {
      console.error = onWait;
    }
    assertEquals(await readDurations(file), { "a fresh": 10, "b fresh": 20, "c fresh": 30 });
    assertEquals(waited.length, 1, waited.join("\n"));
    assert(waited[0].includes(`held by process ${Deno.pid}`), waited[0]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["seconds.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
