// Shared by the notebook runner's tests: the fixture notebooks, a notebook writer, readers of a
// run's cells, and the environment of the runs and CLI children the tests start.

import { assert } from "@std/assert";
import { pathToFileURL } from "node:url";
import { type Durations, readDurations } from "../../../tools/notebooks/_schedule.ts";
import { driverPython } from "../../../tools/notebooks/kernel_run.ts";
import { declaredParams } from "../../../tools/notebooks/run_notebooks.ts";
import type { CellRun, NotebookRun } from "../../../tools/notebooks/run_types.ts";
import { withTempDir } from "../../data/_helpers.ts";
import { childEnvironment } from "../../_child.ts";

/** `@std/assert`'s assertStringIncludes (the local copy of @std/assert does not carry it). */
export function assertStringIncludes(actual: string, expected: string): void {
  assert(actual.includes(expected), `expected to find ${JSON.stringify(expected)} in:\n${actual}`);
}

export const FIXTURES: string = new URL("../../fixtures/notebooks/", import.meta.url).pathname;
export const SEMANTICS = `${FIXTURES}semantics.ipynb`;
export const FAILING = `${FIXTURES}failing.ipynb`;
export const MANY = `${FIXTURES}many_outputs.ipynb`;
export const OUT_OF_ORDER = `${FIXTURES}out_of_order.ipynb`;
export const RUN_ALL_TWICE = `${FIXTURES}run_all_twice.ipynb`;
export const LIB: string = new URL("../../../lib/", import.meta.url).href;
const CLI = new URL("../../../tools/notebooks/run_notebooks.ts", import.meta.url).pathname;

/** The parameters the fixture notebooks declare (`SEED`, `ROUNDS`). */
const FIXTURE_PARAMS: string[] = (await Promise.all(
  [...Deno.readDirSync(FIXTURES)]
    .filter((e) => e.name.endsWith(".ipynb"))
    .map((e) => declaredParams(`${FIXTURES}${e.name}`)),
)).flatMap((names) => names ?? []);

/**
 * `RunOptions.env` for a test's notebook run: `env`, with the knobs a developer may have
 * exported removed (the parameters `params` names, by default those the fixtures declare, and
 * lib/notebook's `NB_*` settings but `NB_PYTHON`), so that a run's expected outputs hold
 * whatever the shell says. The test process's own environment is left as it is.
 */
export function isolated(
  env: Record<string, string> = {},
  params: string[] = FIXTURE_PARAMS,
): Record<string, string | undefined> {
  const knobs = Object.keys(Deno.env.toObject()).filter((n) => /^NB_/.test(n) && n !== "NB_PYTHON");
  return { ...Object.fromEntries([...params, ...knobs].map((n) => [n, undefined])), ...env };
}

/** What a CLI run printed, and the timing records it wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The seconds the run recorded (see tools/notebooks/_schedule.ts). */
  records: Durations;
}

/**
 * Runs `deno task notebooks` with `args` in a child with this process's environment but the
 * knobs {@linkcode isolated} removes, `NO_COLOR=1`, and `env`; its timing records go to a
 * temporary file (`NB_SCHEDULE_FILE`), not into this machine's `.cache/notebook-seconds.json`.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return withTempDir(async (dir) => {
    const schedule = `${dir}/notebook-seconds.json`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args],
      env: childEnvironment(isolated({ NO_COLOR: "1", NB_SCHEDULE_FILE: schedule, ...env })),
      clearEnv: true,
      stdin: "null",
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const records = await readDurations(pathToFileURL(schedule));
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr), records };
  });
}

/**
 * Starts `deno task notebooks` with `args` as {@linkcode runCli} does, in a process group of its
 * own (so that a test can send the group a Ctrl-C's SIGINT), stdout ignored, stderr piped.
 */
export function startCli(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: childEnvironment(isolated({ NO_COLOR: "1", ...env })),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    detached: true,
  }).spawn();
}

/** The run of the cell at 1-based `position`; fails when it did not run. */
export function cell(run: NotebookRun, position: number): CellRun {
  const found = run.cells.find((c) => c.cell === position);
  assert(found, `cell ${position} did not run; ran ${run.cells.map((c) => c.cell)}`);
  return found;
}

/** The texts of the outputs of one type of the cell at `position` (1-based) in a run. */
export function outputTexts(run: NotebookRun, position: number, type = "result"): string[] {
  return cell(run, position).outputs.filter((o) => o.type === type).map((o) => o.text);
}

/** Writes a notebook of code cells (after one markdown cell) as `nb.ipynb` in `dir`. */
export async function writeNotebook(
  dir: string,
  cells: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const path = `${dir}/nb.ipynb`;
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "c1", metadata: {}, source: "# Test\n" },
      ...cells.map((source, i) => ({
        cell_type: "code",
        id: `c${i + 2}`,
        metadata: {},
        source: `${source}\n`,
        execution_count: null,
        outputs: [],
      })),
    ],
    ...extra,
  };
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
  return path;
}

/**
 * Whether the Python that runs the kernel driver (tools/notebooks' `driverPython()`) runs `code`
 * without an error (e.g. an import it needs).
 */
export async function pythonRuns(code: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(driverPython(), {
      args: ["-c", code],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
