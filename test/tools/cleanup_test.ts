import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { cleanUp, onCleanup, spawnChild, withTemporary } from "../../tools/_cleanup.ts";
import { childEnvironment, killAll, processesUnder } from "../_child.ts";

const CLEANUP = new URL("../../tools/_cleanup.ts", import.meta.url).href;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

const gone = (path: string) => Deno.stat(path).then(() => false, () => true);

Deno.test("onCleanup() returns a function that takes the clean-up off the list", async () => {
  const seen: string[] = [];
  const forget = onCleanup("forgotten", () => void seen.push("forgotten"));
  onCleanup("kept", () => void seen.push("kept"));
  forget();
  forget(); // a second call changes nothing
  assertEquals(await cleanUp(), []);
  assertEquals(seen, ["kept"]);
});

Deno.test("withTemporary() removes its file or folder when the run returns or fails", async () => {
  const file = await withTemporary({ prefix: "cleanup-test-", suffix: ".bin" }, async (path) => {
    await Deno.writeFile(path, new Uint8Array(3));
    assertEquals((await Deno.stat(path)).size, 3);
    return path;
  });
  assert(file.endsWith(".bin"), file);
  assert(await gone(file), `${file} is still there`);
  let folder = "";
  await assertRejects(
    () =>
      withTemporary({ folder: true, prefix: "cleanup-test-" }, async (dir) => {
        folder = dir;
        await Deno.writeTextFile(join(dir, "inside"), "x");
        throw new RangeError("the run failed");
      }),
    RangeError,
    "the run failed",
  );
  assert(folder !== "" && await gone(folder), `${folder} is still there`);
});

Deno.test("withTemporary() leaves its folder to cleanUp() while the run is under way", async () => {
  let folder = "";
  await withTemporary({ folder: true, prefix: "cleanup-test-" }, async (dir) => {
    folder = dir;
    await Deno.writeTextFile(join(dir, "inside"), "x");
    assertEquals(await cleanUp(), []); // as on Ctrl-C
    assert(await gone(dir), "cleanUp() did not remove the folder");
  });
  assert(folder !== "");
  assertEquals(await cleanUp(), [], "the run took its clean-up off the list when it ended");
});

Deno.test({
  name: "spawnChild() hands its stdout over as it comes and whole, and lets its stderr through",
  ignore: Deno.build.os === "windows",
  async fn() {
    const chunks: string[] = [];
    const child = spawnChild("sh", ["-c", "echo one; echo two >&2; echo three"], {
      name: "sh",
      stderr: "inherit",
      onStdout: (text) => chunks.push(text),
    });
    assertEquals((await child.done).code, 0);
    assertEquals(await child.output, "one\nthree\n");
    assertEquals(chunks.join(""), "one\nthree\n");
    assertEquals(child.stderrText(), "", "stderr went to this process's");
  },
});

/**
 * A program that installs the clean-up on signals, makes a temporary folder with a file in it,
 * starts `sleep 60` there, says so, and waits for it; were `done` to settle after the signal,
 * it would print "went on" and exit 1.
 */
const PROGRAM = `
  import { cleanUpOnSignals, spawnChild, withTemporary } from ${JSON.stringify(CLEANUP)};
  cleanUpOnSignals("stopping the test's child and removing its folder…");
  await withTemporary({ folder: true, prefix: "signal-test-" }, async (dir) => {
    await Deno.writeTextFile(dir + "/data.bin", "rows");
    const child = spawnChild("sleep", ["60"], { name: "sleep", cwd: dir });
    console.log("ready " + child.pid + " " + dir);
    await child.done;
    console.log("went on");
  });
  Deno.exit(1);
`;

/**
 * Runs `program` (TypeScript) in a child Deno with `TMPDIR` a new folder: its end, its output,
 * what is left in that folder and which processes still run there (before it is removed).
 * `onReady` gets its first line of output and the folder, while it runs; should `onReady`
 * throw, the program is killed and the error goes on.
 */
async function runProgram(
  program: string,
  onReady?: (child: Deno.ChildProcess, line: string, tmp: string) => void,
): Promise<
  { status: Deno.CommandStatus; out: string; err: string; tmp: string[]; running: number[] }
> {
  const tmp = await Deno.makeTempDir({ prefix: "cleanup-test-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", "--config", CONFIG, program],
      env: childEnvironment({ TMPDIR: tmp, NO_COLOR: "1" }),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const err = new Response(child.stderr).text();
    let out = "";
    let told = false;
    for (let r = await stdout.read(); !r.done; r = await stdout.read()) {
      out += r.value;
      if (!told && out.includes("\n") && onReady) {
        told = true;
        try {
          onReady(child, out, tmp);
        } catch (error) {
          child.kill("SIGKILL");
          await child.status;
          throw error;
        }
      }
    }
    return {
      status: await child.status,
      out,
      err: await err,
      tmp: [...Deno.readDirSync(tmp)].map((e) => e.name),
      running: processesUnder(tmp),
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test({
    name:
      `cleanUpOnSignals() on ${signal} stops the children, removes the temporaries and exits ${status}`,
    ignore: Deno.build.os !== "linux",
    async fn() {
      let sleep: number | undefined;
      try {
        const ended = await runProgram(PROGRAM, (program, out, tmp) => {
          if (!out.startsWith("ready ")) throw new Error(`the program did not start: ${out}`);
          sleep = Number(out.split(/\s/)[1]);
          const [folder] = [...Deno.readDirSync(tmp)].map((e) => e.name);
          assert(folder?.startsWith("signal-test-"), `no temporary folder in ${tmp}`);
          assert(processesUnder(tmp).includes(sleep), "sleep is not running in the folder");
          program.kill(signal);
        });
        assert(sleep !== undefined, `the program did not start: ${ended.out}${ended.err}`);
        assertEquals(ended.status.code, status, ended.err);
        assert(!ended.out.includes("went on"), "the program went on after the signal");
        assert(ended.err.includes(`${signal}: stopping the test's child`), ended.err);
        assertEquals(ended.tmp, [], "the temporary folder is left");
        assertEquals(ended.running, [], "the child is left running");
      } finally {
        if (sleep !== undefined) killAll([sleep]);
      }
    },
  });
}

/** A run under withCleanUpOnSignals() that makes a folder, says so and waits a minute. */
const SCOPED_RUN = `
  import { withCleanUpOnSignals } from ${JSON.stringify(CLEANUP)};
  const dir = await Deno.makeTempDir({ prefix: "scoped-test-" });
  const remove = () => Deno.remove(dir, { recursive: true });
  await withCleanUpOnSignals(remove, async () => {
    await Deno.writeTextFile(dir + "/data.bin", "rows");
    console.log("ready");
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    console.log("went on");
  }, { what: "removing the test's folder…" });
  Deno.exit(1);
`;

for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test({
    name: `withCleanUpOnSignals() on ${signal} during the run cleans up and exits ${status}`,
    ignore: Deno.build.os !== "linux",
    async fn() {
      const ended = await runProgram(SCOPED_RUN, (child) => child.kill(signal));
      assertEquals(ended.status.code, status, ended.err);
      assertEquals(ended.status.signal, null, "it exited rather than being killed");
      assertEquals(ended.out, "ready\n", "the run went on after the signal");
      assert(ended.err.includes(`${signal}: removing the test's folder…`), ended.err);
      assertEquals(ended.tmp, [], "the run's folder is left");
    },
  });
}

for (const programWide of [false, true]) {
  Deno.test({
    name: `withCleanUpOnSignals() leaves SIGTERM ${
      programWide ? "to cleanUpOnSignals() installed before" : "its default action"
    } once the run has ended`,
    ignore: Deno.build.os !== "linux",
    async fn() {
      const ended = await runProgram(`
        import { cleanUpOnSignals, withCleanUpOnSignals } from ${JSON.stringify(CLEANUP)};
        if (${programWide}) cleanUpOnSignals("cleaning up for the whole program…");
        const size = await withCleanUpOnSignals(() => {}, async () => 4);
        console.log("returned " + size);
        Deno.kill(Deno.pid, "SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        console.log("survived");
      `);
      assertEquals(ended.out, "returned 4\n", ended.err);
      if (programWide) {
        assertEquals([ended.status.code, ended.status.signal], [143, null], ended.err);
        assert(ended.err.includes("SIGTERM: cleaning up for the whole program…"), ended.err);
      } else {
        assertEquals(ended.status.signal, "SIGTERM", `${ended.status.code}: ${ended.err}`);
      }
    },
  });
}
