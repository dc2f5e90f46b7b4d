// The kernel driver (tools/notebooks/_kernel_driver.py) routes every output to the cell that
// produced it, also an output the Deno kernel stamped with the runner's hidden token request
// because it was still queued when that request arrived. The kernel's timing cannot be forced,
// so a fake client replays the message sequences in Python's jupyter_client shapes.

import { assertEquals } from "@std/assert";
import { pythonRuns } from "./_helpers.ts";
import { driverPython } from "../../../tools/notebooks/kernel_run.ts";

const DRIVER = new URL("../../../tools/notebooks/_kernel_driver.py", import.meta.url).pathname;
const REPLAY = new URL("./_driver_routing.py", import.meta.url).pathname;

type Pair = [string, Record<string, unknown>];
interface Replayed {
  outputs: Record<string, unknown>[][];
  events: { event: string; cell?: number; type?: string; again?: boolean; headlines?: number }[];
  failure: string | null;
}

const ignore = !(await pythonRuns("import nbformat")) && Deno.env.get("CI") !== "true";

async function replay(
  scenario: { cell: Pair[]; token: Pair[]; headlines?: number }[],
  options: { twice?: boolean; env?: Record<string, string> } = {},
): Promise<Replayed> {
  const out = await new Deno.Command(driverPython(), {
    args: [REPLAY, DRIVER, JSON.stringify(scenario), ...(options.twice ? ["twice"] : [])],
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`the replay failed:\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const token: Pair = ["stream", { name: "stdout", text: "TOKEN\n" }];

Deno.test({
  name: "the kernel driver puts an output stamped with its token request in the cell before",
  ignore,
  async fn() {
    const result = await replay([
      {
        cell: [["stream", { name: "stdout", text: "one\n" }]],
        token: [
          ["execute_result", { data: { "text/plain": "42" }, metadata: {}, execution_count: 1 }],
          ["stream", { name: "stdout", text: "late line\n" }],
          token,
        ],
      },
      { cell: [["stream", { name: "stdout", text: "two\n" }]], token: [token] },
    ]);
    assertEquals(result.failure, null);
    assertEquals(result.outputs, [
      [
        { output_type: "stream", name: "stdout", text: "one\n" },
        {
          output_type: "execute_result",
          data: { "text/plain": "42" },
          metadata: {},
          execution_count: 1,
        },
        { output_type: "stream", name: "stdout", text: "late line\n" },
      ],
      [{ output_type: "stream", name: "stdout", text: "two\n" }],
    ]);
    assertEquals(
      result.events.filter((e) => e.event === "restamped"),
      [
        { event: "restamped", cell: 1, type: "execute_result" },
        { event: "restamped", cell: 1, type: "stream" },
      ],
    );
  },
});

Deno.test({
  name: "the kernel driver fails the cell whose late error was stamped with its token request",
  ignore,
  async fn() {
    const result = await replay([
      {
        cell: [],
        token: [["error", { ename: "TypeError", evalue: "cannot format", traceback: [] }], token],
      },
      { cell: [], token: [token] },
    ]);
    assertEquals(result.failure, "TypeError: cannot format");
    assertEquals(result.events.find((e) => e.event === "error")?.cell, 1);
  },
});

Deno.test({
  name: "the kernel driver keeps the token's own line out of every cell",
  ignore,
  async fn() {
    const result = await replay([{
      cell: [["display_data", {
        data: { "text/plain": "shown" },
        metadata: {},
        transient: {},
      }]],
      token: [token],
    }]);
    assertEquals(result.outputs, [[{
      output_type: "display_data",
      data: { "text/plain": "shown" },
      metadata: {},
    }]]);
    assertEquals(result.events.filter((e) => e.event === "restamped"), []);
  },
});

Deno.test({
  name: "each begin event says how many headline lines the runs before it wrote, read by the " +
    "driver, so that a slow reader of the events still tells a first run from a second",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/headlines.jsonl`;
      await Deno.writeTextFile(file, "");
      const run = (headlines: number) => ({ cell: [], token: [token], headlines });
      // Two cells, each run twice: the first cell writes one headline a run, the second two.
      const result = await replay([run(1), run(1), run(2), run(2)], {
        twice: true,
        env: { NB_HEADLINES: file },
      });
      assertEquals(result.failure, null);
      const begins = result.events.filter((e) => e.event === "begin")
        .map((e) => [e.cell, e.again ?? false, e.headlines]);
      assertEquals(begins, [[1, false, 0], [1, true, 1], [2, false, 2], [2, true, 4]]);
      // Without the variable (a run that keeps no headlines) the field is left out.
      const plain = await replay([run(0)], { env: { NB_HEADLINES: "" } });
      const begin = plain.events.find((e) => e.event === "begin")!;
      assertEquals("headlines" in begin, false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the kernel driver leaves the notebook as it was when formatting the executed one fails",
  ignore: ignore || Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const [source, out] = [`${dir}/nb.ipynb`, `${dir}/out.ipynb`];
      await Deno.writeTextFile(
        source,
        JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
      );
      await Deno.writeTextFile(out, "the notebook written before\n");
      // The driver's main() with a kernel run that does nothing, and a `deno fmt` that fails.
      const script = [
        "import importlib.util, sys",
        `spec = importlib.util.spec_from_file_location("driver", ${JSON.stringify(DRIVER)})`,
        "driver = importlib.util.module_from_spec(spec)",
        "spec.loader.exec_module(driver)",
        "for name in ('start', 'run', 'stop'):",
        "    setattr(driver.KernelRun, name, lambda self: None)",
        `sys.argv = ['driver', ${JSON.stringify(source)}, '--out', ${JSON.stringify(out)},`,
        "            '--deno', '/bin/false']",
        "print(driver.main())",
      ].join("\n");
      const run = await new Deno.Command(driverPython(), { args: ["-c", script], stderr: "piped" })
        .output();
      const printed = new TextDecoder().decode(run.stdout);
      assertEquals(run.success, true, new TextDecoder().decode(run.stderr));
      assertEquals(await Deno.readTextFile(out), "the notebook written before\n");
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["nb.ipynb", "out.ipynb"]);
      // One event naming the file (no traceback), and the exit status of a notebook unwritten.
      const [event, status] = printed.trim().split("\n");
      assertEquals(JSON.parse(event), {
        event: "unwritten",
        path: out,
        message: `deno fmt failed on the executed notebook for ${out}, not written:`,
      });
      assertEquals(status, "3");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
