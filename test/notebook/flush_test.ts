// lib/notebook/flush.ts inside the kernel: each test runs a child Deno that lib/notebook takes
// for Deno's Jupyter kernel (test/notebook/_stand_in_kernel.ts). Outside the kernel, and the
// flush's mechanism, are tested in output_flush_test.ts.

import { assert, assertEquals } from "@std/assert";
import { inStandInKernel } from "./_stand_in_kernel.ts";

/** Whether `ps` runs here: the library's fallback for reading its own command line uses it. */
const HAS_PS = await new Deno.Command("ps", { args: ["-o", "pid=", "-p", String(Deno.pid)] })
  .output().then((o) => o.success, () => false);

/** Writes an nbformat 4 notebook of code cells. */
async function writeNotebook(path: string, sources: string[]): Promise<void> {
  const cells = sources.map((source) => ({ cell_type: "code", source, metadata: {}, outputs: [] }));
  await Deno.writeTextFile(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, cells }));
}

const WHETHER_IN_KERNEL = `
const { inKernel, flushOutputs } = await import(LIB + "notebook/flush.ts");
return { inKernel: inKernel(), flush: await flushOutputs() };
`;

Deno.test("inKernel() needs both Deno.jupyter and a connection file on the command line", async () => {
  assertEquals(await inStandInKernel(WHETHER_IN_KERNEL), { inKernel: true, flush: "flushed" });
  assertEquals(
    await inStandInKernel(WHETHER_IN_KERNEL, { conn: false }),
    { inKernel: false, flush: "no kernel" },
    "the notebook runner's fresh path: a Deno.jupyter of its own, no connection file",
  );
  assertEquals(
    await inStandInKernel(WHETHER_IN_KERNEL, { jupyter: ["display"] }),
    { inKernel: false, flush: "no kernel" },
    "a Deno.jupyter that cannot broadcast",
  );
  assertEquals(
    await inStandInKernel(WHETHER_IN_KERNEL, { jupyter: null }),
    { inKernel: false, flush: "no kernel" },
    "a connection file alone",
  );
});

Deno.test("flushOutputs() in the kernel sends a marker and returns once it is back on IOPub", async () => {
  const out = await inStandInKernel(`
const { flushOutputs } = await import(LIB + "notebook/flush.ts");
const results = [await flushOutputs(), await flushOutputs()];
return { results, sent, connections: iopub.connections };
`);
  const { results, sent, connections } = out as {
    results: string[];
    sent: { type: string; content: unknown; metadata: Record<string, unknown> }[];
    connections: number;
  };
  assertEquals(results, ["flushed", "flushed"]);
  assertEquals(sent.map((m) => [m.type, m.content]), [
    ["status", { execution_state: "busy" }],
    ["status", { execution_state: "busy" }],
  ]);
  assertEquals(sent.map((m) => typeof m.metadata.deno_output_flush), ["string", "string"]);
  assertEquals(connections, 1, "one subscription for the kernel's every flush");
});

Deno.test("importing flush.ts in the kernel makes the kernel flush after each cell's result", async () => {
  const out = await inStandInKernel(`
const { installOutputFlush } = await import(LIB + "notebook/flush.ts");
await hooks.broadcastResult(1, 42);
return { sent: sent.map((m) => m.type + " " + JSON.stringify(m.content)), again: installOutputFlush() };
`);
  assertEquals(out, {
    sent: [
      'execute_result {"execution_count":1,"data":{"text/plain":"42"}}',
      'status {"execution_state":"busy"}',
    ],
    again: "already installed",
  });
});

Deno.test("NB_OUTPUT_FLUSH=0 switches the flush off in the kernel, not the hint or the interrupt", async () => {
  const out = await inStandInKernel(
    `
const { flushOutputs, installOutputFlush } = await import(LIB + "notebook/flush.ts");
const { installInterruptHandler } = await import(LIB + "_interrupt.ts");
let ticked = false;
setTimeout(() => ticked = true, 0);
const flushed = await flushOutputs();
await hooks.broadcastResult(1, 42);
return {
  install: installOutputFlush(),
  flushed,
  yielded: ticked,
  sent: sent.map((m) => m.type),
  interrupt: installInterruptHandler(),
  hint: typeof Error.prepareStackTrace,
};
`,
    { env: { NB_OUTPUT_FLUSH: "0" } },
  );
  assertEquals(out, {
    install: "disabled",
    flushed: "disabled",
    yielded: true, // it still yields to the event loop once
    sent: ["execute_result"], // no marker after the result
    interrupt: "already installed",
    hint: "function",
  });
});

Deno.test("NB_OUTPUT_FLUSH other than 0 leaves the flush on in the kernel", async () => {
  assertEquals(
    await inStandInKernel(WHETHER_IN_KERNEL, { env: { NB_OUTPUT_FLUSH: "1" } }),
    { inKernel: true, flush: "flushed" },
  );
});

Deno.test({
  name: "a kernel that may not read its environment flushes and hints all the same",
  // The fallback reads the command line from ps (Debian: procps), where the machine has it.
  ignore: !HAS_PS,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "flush-test-" });
    try {
      await writeNotebook(`${dir}/only.ipynb`, ["const a = 1;", "const total = 3;"]);
      const out = await inStandInKernel(
        `
const { flushOutputs } = await import(LIB + "notebook/flush.ts");
return { flushed: await flushOutputs(), message: missingNameMessage("total + 1") };
`,
        // /proc/self/cmdline needs every permission: the command line comes from ps.
        {
          cwd: dir,
          permissions: ["--allow-net", "--allow-read", "--allow-write", "--allow-run=ps"],
        },
      );
      assertEquals(out, {
        flushed: "flushed",
        message: "total is not defined: cell 2 of only.ipynb (`const total = 3;`) defines it; " +
          "run it first, or every cell above with Cell › Run All Above",
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Two notebooks that both define `total`, in their own folder, removed after `fn`. */
async function withTwoNotebooks(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flush-test-" });
  try {
    await writeNotebook(`${dir}/a.ipynb`, ["const total = 1;"]);
    await writeNotebook(`${dir}/b.ipynb`, ['const title = "b";', "const total = 2;"]);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const B_DEFINES_TOTAL =
  "total is not defined: cell 2 of b.ipynb (`const total = 2;`) defines it; " +
  "run it first, or every cell above with Cell › Run All Above";

Deno.test("in the kernel the hint for a missing name looks in the notebook JPY_SESSION_NAME names", async () => {
  await withTwoNotebooks(async (dir) => {
    const out = await inStandInKernel(
      `await import(LIB + "notebook/flush.ts");\nreturn missingNameMessage("total + 1");`,
      { cwd: dir, env: { JPY_SESSION_NAME: "b.ipynb" } },
    );
    assertEquals(out, B_DEFINES_TOTAL);
  });
});

Deno.test("in the kernel the hint for a missing name tells the open notebook by the cells run", async () => {
  await withTwoNotebooks(async (dir) => {
    const out = await inStandInKernel(
      `
const { flushOutputs } = await import(LIB + "notebook/flush.ts");
await flushOutputs(); // subscribes to IOPub, where the kernel publishes each cell's code
await iopub.publish(jupyterFrames("execute_input", {}, { code: 'const title = "b";' }));
await flushOutputs(); // the marker comes after the execute_input
return missingNameMessage("total + 1");
`,
      { cwd: dir },
    );
    assertEquals(out, B_DEFINES_TOTAL);
  });
});

/** Child code that records the delay of every `setTimeout` in `delays`. */
const RECORD_DELAYS = `
const delays = [];
const setTimeoutAsItWas = globalThis.setTimeout;
globalThis.setTimeout = (fn, ms, ...args) => {
  delays.push(ms);
  return setTimeoutAsItWas(fn, ms, ...args);
};
`;

Deno.test("flushOutputs() in the kernel waits up to 30 s for its marker unless told otherwise", async () => {
  const out = await inStandInKernel(`
const { flushOutputs } = await import(LIB + "notebook/flush.ts");
await flushOutputs(); // the subscription's first flush, which repeats its marker
${RECORD_DELAYS}
const results = [await flushOutputs(), await flushOutputs({ timeoutMs: 5000 })];
const marked = sent.length;
results.push(await flushOutputs({ timeoutMs: 0 }));
return { results, delays, unmarked: sent.length - marked };
`);
  const { results, delays, unmarked } = out as {
    results: string[];
    delays: number[];
    unmarked: number;
  };
  assertEquals(results, ["flushed", "flushed", "waited"]);
  assertEquals(delays.length, 2, `delays ${delays}`);
  // What is left of the limit once the marker has been handed to the kernel, a moment later.
  assert(delays[0] > 25_000 && delays[0] <= 30_000, `the default limit left ${delays[0]} ms`);
  assert(delays[1] > 0 && delays[1] <= 5_000, `a limit of 5 s left ${delays[1]} ms`);
  assertEquals(unmarked, 0, "a limit of 0 sends no marker");
});

Deno.test("flushOutputs() in a kernel whose IOPub cannot be reached waits 100 ms unless told otherwise", async () => {
  const out = await inStandInKernel(
    `
const { flushOutputs } = await import(LIB + "notebook/flush.ts");
${RECORD_DELAYS}
return { results: [await flushOutputs(), await flushOutputs({ fallbackMs: 7 })], delays };
`,
    { handshake: "hang up" },
  );
  assertEquals(out, { results: ["waited", "waited"], delays: [100, 7] });
});
