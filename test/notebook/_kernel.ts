// What the tests that drive Deno's real Jupyter kernel share: whether they can run here, and a
// Python driver (jupyter_client) that starts the kernel, runs their cells and prints JSON.

import { assertEquals } from "@std/assert";
import { isolated, pythonRuns } from "../tools/notebooks/_helpers.ts";
import { driverPython } from "../../tools/notebooks/kernel_run.ts";
import { childEnvironment } from "../_child.ts";

/** The library, by URL, for the cells a driver runs. */
export { LIB } from "../tools/notebooks/_helpers.ts";

/** The kernel's folder: the fixtures', under the project's deno.json (its import map). */
export const CWD = new URL("../fixtures/notebooks/", import.meta.url).pathname;

/**
 * True where Python's jupyter_client or the registered Deno kernel is missing and this is not CI
 * (`CI=true` runs the kernel tests anyway, so that a missing package fails there).
 */
export const NO_KERNEL = !(await pythonRuns(
  "from jupyter_client.kernelspec import KernelSpecManager as M; M().get_kernel_spec('deno')",
)) && Deno.env.get("CI") !== "true";

/**
 * Starts Deno's kernel in {@linkcode CWD} with Python's jupyter_client, runs `body` (Python, at
 * the top level of a `try` whose `finally` stops the kernel) with `cells` (a list of code
 * strings), `args` (the extra strings) and `km`, `kc` (the kernel's manager and blocking client)
 * in scope, and returns the JSON of the `results` list that `body` fills. The environment has
 * none of the notebooks' parameters, and `env` added; a failed driver fails the test with its
 * stderr.
 */
export async function runKernelDriver(
  body: string,
  cells: string[],
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<unknown> {
  const indented = body.trim().split("\n").map((line) => `    ${line}`).join("\n");
  const driver = `
import json, sys, threading
from jupyter_client.manager import KernelManager
cells, cwd, args = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
km = KernelManager(kernel_name="deno")
km.start_kernel(cwd=cwd)
kc = km.blocking_client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
results = []
try:
${indented}
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(results))
`;
  const out = await new Deno.Command(driverPython(), {
    args: ["-c", driver, JSON.stringify(cells), CWD, ...args],
    env: childEnvironment({ ...isolated(), NO_COLOR: "1", ...env }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.success, true, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
