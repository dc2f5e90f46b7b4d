// What the tests that drive Deno's real Jupyter kernel share: whether they can run here, and
// running a Python driver script (jupyter_client) that starts the kernel and prints JSON.

import { assertEquals } from "@std/assert";
import { isolated, PYTHON, pythonRuns } from "../tools/notebooks/_helpers.ts";
import { childEnvironment } from "../_child.ts";

/** The library, by URL, for the cells a driver runs. */
export const LIB = new URL("../../lib/", import.meta.url).href;
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
 * Runs `driver` (Python source) with `args` in an environment without the notebooks'
 * parameters, `env` added, and returns the JSON it printed; a failed driver fails the test
 * with its stderr.
 */
export async function runKernelDriver(
  driver: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<unknown> {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", driver, ...args],
    env: childEnvironment({ ...isolated(), NO_COLOR: "1", ...env }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.success, true, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
