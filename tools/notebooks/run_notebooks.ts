/**
 * `deno task notebooks`: runs the notebooks and prints their outputs, timings and headline
 * figures; exits with status 1 when a notebook fails (naming the notebook, cell and error).
 * A notebook that cannot run (missing, not JSON, no code cells) is reported in one line and
 * the others still run; a bad option is one line on stderr and status 2.
 *
 * ```sh
 * deno task notebooks                      # every notebooks/*.ipynb, Deno alone, full size
 * deno task notebooks --quick              # small parameters (NB_QUICK=1), as CI and tests do
 * EPOCHS=5 deno task notebooks 01_*.ipynb  # one notebook, one parameter overridden
 * deno task notebooks --kernel             # the Deno Jupyter kernel; writes outputs in place
 * deno task notebooks --kernel --quick --out /tmp/nb   # small run, copies written elsewhere
 * deno task notebooks --verify             # also check the committed outputs are complete
 * deno task notebooks --kernel --quick --twice --out /tmp/nb   # every cell run twice in a row
 * deno task notebooks --kernel --quick --run-all-twice --out /tmp/nb   # Run All, then again
 * deno task notebooks --compare            # full size in the kernel, outputs vs committed
 * ```
 *
 * @module
 */

import { isQuick, LIBRARY_SETTINGS } from "../../lib/notebook/params.ts";
import { codeCells, NotebookFileError, readNotebook, RUN_CLEANUP } from "./_files.ts";
import { compareOutputs, formatDifference } from "./compare_outputs.ts";
import { withCleanUpOnSignals } from "../_cleanup.ts";
import { runNotebook } from "./fresh_run.ts";
import { runNotebookInKernel } from "./kernel_run.ts";
import { readDurations, runKey, startOrder, writeDurations } from "./_schedule.ts";
import { formatFailure, formatSummary } from "./run_summary.ts";
import { emptyRun, type NotebookRun } from "./run_types.ts";
import { verifyNotebook } from "./verify_notebook.ts";
import { FlagReader, positiveValue, reportUsageError, USAGE_STATUS, wantsHelp } from "../_cli.ts";
import { checkWritable, systemReason } from "../_write.ts";
import { plural } from "../../lib/_validate.ts";
import { basename, join, resolve } from "node:path";

/** The help text of `deno task notebooks`. */
export const USAGE = `Usage: deno task notebooks [flags] [notebook.ipynb …]

Runs the notebooks (default: notebooks/*.ipynb in name order) and prints each cell's outputs
and time, then a summary with the headline figures. Exits with status 1 on any failure.

Flags:
  --kernel         run in the Deno Jupyter kernel (needs Python's jupyter_client and
                   \`deno jupyter --install\`) and write the outputs into the notebooks
  --out DIR        with --kernel: write the executed notebooks to DIR instead of in place
  --twice          with --kernel and --out: run every code cell twice in a row, as a teacher
                   pressing Shift-Enter twice does; a cell whose second run fails fails the
                   notebook, and the second runs' outputs are written
  --run-all-twice  with --kernel and --out: run the notebook, then each code cell alone once
                   more from the last to the first, then Run All again in the same kernel
                   (no restart), one draw from the session's random stream before each of
                   its cells; fails where a cell fails, or where the second Run All shows
                   other outputs than the first (timings and tfjs' layer numbers masked)
  --quick          small parameters: NB_QUICK=1 (each param()'s quick value); NB_QUICK set
                   to 1/true/yes/on in the environment does the same, 0/false/no/off or
                   empty does not, and any other value is an error
  --set NAME=VAL   override one parameter (same as the environment variable NAME=VAL); the
                   name must be one a notebook run declares with param("NAME", …) or a
                   setting (MOVIELENS_DIR, MOVIELENS_CACHE, TFJS_BACKEND, NATIVE_KERNELS,
                   NB_LIVE), else nothing runs. With several notebooks it applies to those
                   that declare it
  --verify         check the committed notebooks: executed in order, no errors, an output
                   wherever the run shows a value
  --compare        run the notebooks at full size in the Deno kernel (implies --kernel) into a
                   temporary copy (or --out DIR) and compare each cell's outputs with the
                   committed ones, timings and throughput masked; any other difference fails,
                   naming the notebook, the cell and the first differing line. Runs two
                   notebooks at a time unless --jobs says otherwise
  --timeout SEC    stop a notebook (a cell, with --kernel) after SEC seconds (default 1800;
                   at most 2147483, the longest timer JavaScript keeps: about 24.8 days)
  --jobs N         run N notebooks at a time, each in its own process (default: one per CPU
                   core on the fresh path, one in the kernel, two with --compare), the
                   longest first by this machine's earlier runs (.cache/notebook-seconds.json,
                   or the file NB_SCHEDULE_FILE names); each notebook's output is printed
                   whole, in name order, once it has finished (--jobs 1 runs them in name
                   order and streams the output live)
  -q, --quiet      print only failures and the summary
  -h, --help       show this text

A notebook named twice (the same path, or two paths to one file) runs once. With --kernel,
where each notebook will be written is checked before anything runs: two notebooks of one
name for one --out folder, an --out that is not a folder, or a folder that cannot be written
(--out's, or the notebook's own for a run in place) is refused.

A value follows its flag or is joined to it by "=" (--jobs=2). Numbers are plain decimals
(--jobs 2, --timeout 90.5; not 0x2 or 1e1). A flag that takes a value may be given once;
--set may be repeated, once per name. A bad command line is one line on stderr and exit
status 2, and nothing runs.`;

/**
 * The largest `--timeout`, in seconds: a JavaScript timer of more than 2³¹ − 1 ms fires at once
 * (after a TimeoutOverflowWarning), which would fail every notebook as timed out.
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Parsed command line of `deno task notebooks`. */
export interface CliOptions {
  /** Run in the Deno Jupyter kernel. */
  kernel: boolean;
  /** With `kernel`: output folder instead of in place. */
  out?: string;
  /** With `kernel` and `out`: every code cell twice in a row. */
  twice: boolean;
  /** With `kernel` and `out`: Run All, each cell alone backwards, Run All again; compared. */
  runAllTwice: boolean;
  /** NB_QUICK=1: from `--quick`, or from `NB_QUICK` in the environment. */
  quick: boolean;
  /** Parameter overrides from `--set`. */
  env: Record<string, string>;
  /** Check the committed notebooks. */
  verify: boolean;
  /** Run at full size in the kernel and compare the outputs with the committed ones. */
  compare: boolean;
  /** Seconds per notebook (fresh) or cell (kernel). */
  timeout: number;
  /** Only failures and the summary. */
  quiet: boolean;
  /** Notebooks run at a time (default: one per core fresh, 1 in the kernel, 2 to compare). */
  jobs: number;
  /** Print the usage. */
  help: boolean;
  /** Notebooks named on the command line. */
  notebooks: string[];
}

/**
 * Parses the arguments of `deno task notebooks`.
 *
 * @param args The command-line arguments.
 * @returns The options.
 * @throws {TypeError} On an unknown flag, a missing value, a flag that takes one value given
 *   twice, the same `--set` name twice, or an `NB_QUICK` in the environment that is not one of
 *   the words `param()` documents.
 * @throws {RangeError} On a malformed number (numbers are plain decimals), or a --timeout above
 *   {@linkcode MAX_TIMEOUT_SECONDS}.
 * @example
 * ```ts
 * import { parseArgs } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * const cli = parseArgs(["--quick", "--set", "EPOCHS=3", "a.ipynb"]);
 * assertEquals([cli.quick, cli.env.EPOCHS, cli.notebooks], [true, "3", ["a.ipynb"]]);
 * ```
 */
export function parseArgs(args: string[]): CliOptions {
  const cli: CliOptions = {
    kernel: false,
    twice: false,
    runAllTwice: false,
    quick: false,
    env: {},
    verify: false,
    compare: false,
    timeout: 1800,
    quiet: false,
    jobs: Math.max(1, navigator.hardwareConcurrency || 1),
    help: false,
    notebooks: [],
  };
  if (wantsHelp(args)) return { ...cli, help: true };
  const read = new FlagReader(args);
  let jobsGiven = false;
  for (let arg = read.next(); arg !== null; arg = read.next()) {
    switch (arg) {
      case "--kernel":
        cli.kernel = true;
        break;
      case "--quick":
        cli.quick = true;
        break;
      case "--twice":
        cli.twice = true;
        break;
      case "--run-all-twice":
        cli.runAllTwice = true;
        break;
      case "--verify":
        cli.verify = true;
        break;
      case "--compare":
        cli.compare = true;
        cli.kernel = true;
        break;
      case "--quiet":
      case "-q":
        cli.quiet = true;
        break;
      case "--out":
        cli.out = read.value();
        break;
      case "--timeout":
        cli.timeout = positiveValue(arg, read.value(), "seconds", MAX_TIMEOUT_SECONDS);
        break;
      case "--jobs":
        cli.jobs = read.integer(1);
        jobsGiven = true;
        break;
      case "--set": {
        const pair = read.value({ repeatable: true });
        const match = pair.match(/^([A-Z][A-Z0-9_]*)=(.*)$/s);
        if (!match) {
          throw new TypeError(
            `--set: expected NAME=VALUE with an UPPER_CASE name, found ${JSON.stringify(pair)}`,
          );
        }
        if (Object.hasOwn(cli.env, match[1])) {
          throw new TypeError(
            `--set: expected ${match[1]} once, found ${match[1]}=${cli.env[match[1]]} and ${pair}`,
          );
        }
        cli.env[match[1]] = match[2];
        break;
      }
      default:
        if (arg.startsWith("-")) read.unknown();
        cli.notebooks.push(arg);
    }
  }
  // NB_QUICK in the environment reaches every notebook: it counts as --quick here too (the
  // header says so, and the checks below keep it from overwriting the committed outputs).
  let quickFlag = "--quick";
  try {
    if (!cli.quick && isQuick()) {
      [cli.quick, quickFlag] = [true, `NB_QUICK=${Deno.env.get("NB_QUICK")}`];
    }
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  if (cli.out !== undefined && !cli.kernel) {
    throw new TypeError("--out: expected together with --kernel (the fresh path writes nothing)");
  }
  if (cli.twice && (!cli.kernel || cli.compare || cli.out === undefined)) {
    throw new TypeError(
      cli.compare
        ? "--twice: a second run of each cell continues its training, so its outputs cannot be " +
          "compared with the committed ones; leave out --compare"
        : "--twice: expected together with --kernel and --out DIR (the second runs' outputs " +
          "are not the notebook's own)",
    );
  }
  if (cli.runAllTwice && (!cli.kernel || cli.compare || cli.twice || cli.out === undefined)) {
    throw new TypeError(
      cli.compare || cli.twice
        ? `--run-all-twice: compares the notebook's two Run Alls with each other; leave out ${
          cli.compare ? "--compare" : "--twice"
        }`
        : "--run-all-twice: expected together with --kernel and --out DIR (the second Run " +
          "All's outputs are not the notebook's own)",
    );
  }
  if (cli.compare && (cli.quick || Object.keys(cli.env).length > 0)) {
    throw new TypeError(
      `--compare: the committed outputs come from full-size runs with the notebooks' own ` +
        `parameters; found ${cli.quick ? quickFlag : `--set ${Object.keys(cli.env).join(", ")}`}`,
    );
  }
  if (cli.kernel && !jobsGiven) cli.jobs = cli.compare ? Math.min(2, cli.jobs) : 1;
  if (cli.kernel && cli.quick && cli.out === undefined) {
    throw new TypeError(
      `--kernel ${quickFlag} would overwrite the committed notebooks with a small run's ` +
        "outputs; add --out DIR",
    );
  }
  return cli;
}

/** Options of {@linkcode defaultNotebooks}. */
export interface DefaultNotebooksOptions {
  /**
   * The folder to list (a `file:` URL ending in `/`).
   *
   * @default the repository's `notebooks/`
   */
  folder?: URL;
}

/**
 * The notebooks a run without names takes: the `.ipynb` files of the repository's `notebooks/`
 * folder (not its subfolders), sorted by name, each as a path relative to the working folder
 * when the folder lies under it; none when the folder does not exist.
 *
 * @param options Where to look.
 * @returns The paths.
 * @example
 * ```ts ignore
 * import { defaultNotebooks } from "./run_notebooks.ts";
 * console.log(await defaultNotebooks()); // ["notebooks/01_matrix_factorization.ipynb", …]
 * ```
 */
export async function defaultNotebooks(options: DefaultNotebooksOptions = {}): Promise<string[]> {
  const dir = options.folder ?? new URL("../../notebooks/", import.meta.url);
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const cwd = `${Deno.cwd()}/`;
  const prefix = dir.pathname.startsWith(cwd) ? dir.pathname.slice(cwd.length) : dir.pathname;
  return names.sort().map((n) => `${prefix}${n}`);
}

/**
 * The parameter names a notebook's code cells declare with `param("NAME", …)`, in order of
 * appearance; null when the notebook cannot be read (its run reports why).
 *
 * @param notebook The notebook's path.
 * @returns The names, or null.
 * @example
 * ```ts
 * import { declaredParams } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * const path = new URL("../../test/fixtures/notebooks/semantics.ipynb", import.meta.url);
 * assertEquals(await declaredParams(path.pathname), ["SEED", "ROUNDS"]);
 * ```
 */
export async function declaredParams(notebook: string): Promise<string[] | null> {
  let sources: string[];
  try {
    sources = codeCells(await readNotebook(notebook)).map((c) => c.source);
  } catch {
    return null;
  }
  const pattern = /\bparam\(\s*(["'`])([A-Z][A-Z0-9_]*)\1/g;
  return [...new Set(sources.flatMap((s) => [...s.matchAll(pattern)].map((m) => m[2])))];
}

/**
 * Checks every `--set` name against the parameters the notebooks declare, before anything
 * runs: a name no readable notebook declares (a typo, say) is an error naming the notebooks
 * and the names they know, instead of a full-size run that ignores it. The library's own
 * settings (`LIBRARY_SETTINGS`, lib/notebook/params.ts) pass.
 *
 * @param set The `--set` overrides.
 * @param declared Each notebook's declared names (null: unreadable, left to its run).
 * @returns The problem in one line, or null when every name is declared somewhere.
 * @example
 * ```ts
 * import { unknownSetNames } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * const declared = new Map([["a.ipynb", ["EPOCHS", "SEED"]]]);
 * assertEquals(unknownSetNames({ EPOCHS: "3", MOVIELENS_DIR: "/data" }, declared), null);
 * assertEquals(
 *   unknownSetNames({ EPOHCS: "3" }, declared),
 *   "--set EPOHCS: no parameter of that name in a.ipynb (known: EPOCHS, SEED)",
 * );
 * ```
 */
export function unknownSetNames(
  set: Record<string, string>,
  declared: Map<string, string[] | null>,
): string | null {
  const readable = [...declared].filter((e): e is [string, string[]] => e[1] !== null);
  if (readable.length === 0) return null; // Each run reports why its notebook cannot run.
  const known = new Set(readable.flatMap(([, names]) => names));
  const unknown = Object.keys(set).filter((name) =>
    !known.has(name) && !LIBRARY_SETTINGS.includes(name)
  );
  if (unknown.length === 0) return null;
  const where = readable.length === 1
    ? readable[0][0]
    : `any of the ${readable.length} notebooks (${readable.map(([n]) => n).join(", ")})`;
  const names = [...known].sort();
  return `--set ${unknown.join(", ")}: no parameter of ${
    unknown.length === 1 ? "that name" : "those names"
  } in ${where} (known: ${names.length ? names.join(", ") : "none"})`;
}

/**
 * The notebooks of a run, each file once, where it is first named: the same path twice, or two
 * paths to one file (`a.ipynb ./a.ipynb`, a link), run once. Overlapping shell patterns
 * (`notebooks/0*.ipynb notebooks/01_*.ipynb`) name a notebook twice without asking for two
 * runs (`deno test` and `deno fmt` take such a file once too), and two runs of one notebook in
 * the kernel would write the same file twice, at the same time with `--jobs`. A path that does
 * not resolve is compared as written (its run reports why it cannot run).
 *
 * @param notebooks The paths, as given.
 * @returns The paths, each file once, in the order given.
 * @example
 * ```ts
 * import { distinctNotebooks } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * const path = new URL("../../test/fixtures/notebooks/semantics.ipynb", import.meta.url).pathname;
 * assertEquals(await distinctNotebooks([path, path.replace("/notebooks/", "/notebooks/./")]), [
 *   path,
 * ]);
 * ```
 */
export async function distinctNotebooks(notebooks: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const notebook of notebooks) {
    const key = await Deno.realPath(notebook).catch(() => resolve(notebook));
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(notebook);
  }
  return kept;
}

/**
 * Where a kernel run writes each notebook: `out` joined with the notebook's file name, or, in
 * place, the notebook's own file (the file a link leads to: the kernel driver writes through
 * it), as absolute paths.
 *
 * @param notebooks The notebooks.
 * @param out The `--out` folder, if any.
 * @returns One path per notebook.
 * @example
 * ```ts
 * import { writtenPaths } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(await writtenPaths(["a/x.ipynb", "/b/y.ipynb"], "/tmp/o"), [
 *   "/tmp/o/x.ipynb",
 *   "/tmp/o/y.ipynb",
 * ]);
 * ```
 */
export async function writtenPaths(notebooks: string[], out?: string): Promise<string[]> {
  return await Promise.all(
    notebooks.map(async (n) =>
      out !== undefined ? resolve(out, basename(n)) : await Deno.realPath(n).catch(() => resolve(n))
    ),
  );
}

/**
 * Two notebooks that a kernel run would write to one file (two of one name for one `--out`
 * folder), as the message of a bad command line, or null: the second would overwrite the first
 * and both would say they were written there.
 *
 * @param notebooks The notebooks (each file once, see {@linkcode distinctNotebooks}).
 * @param targets Where each is written ({@linkcode writtenPaths}).
 * @param flag The option that chose the folder (`--out`, or `--compare` for its own).
 * @returns The problem in one line, or null.
 * @example
 * ```ts
 * import { sharedOutput } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   sharedOutput(["a/x.ipynb", "b/x.ipynb"], ["/o/x.ipynb", "/o/x.ipynb"], "--out"),
 *   "--out: a/x.ipynb and b/x.ipynb would both be written to /o/x.ipynb; " +
 *     "run notebooks of one name with an --out folder each",
 * );
 * ```
 */
export function sharedOutput(
  notebooks: string[],
  targets: string[],
  flag: string,
): string | null {
  for (const [i, target] of targets.entries()) {
    const j = targets.indexOf(target);
    if (j === i) continue;
    const where = flag === "--compare"
      ? `${basename(target)} in the one folder a comparison runs into`
      : target;
    const fix = flag === "--compare"
      ? "compare notebooks of one name in separate runs, or each with an --out folder"
      : "run notebooks of one name with an --out folder each";
    return `${flag}: ${notebooks[j]} and ${notebooks[i]} would both be written to ${where}; ${fix}`;
  }
  return null;
}

/**
 * Checks, before anything runs, that a kernel run can write each notebook where it will:
 * `--out` names a folder (or nothing yet) and every file can be made in it (its nearest
 * existing folder takes a probe file, removed again; see `checkWritable()` in tools/_write.ts),
 * or, in place, each notebook's folder can be written. Otherwise every cell would run and the
 * writing fail at the end.
 *
 * @param targets Where each notebook will be written ({@linkcode writtenPaths}).
 * @param out The `--out` folder, or undefined for a run in place.
 * @returns The first problem in one line (naming `--out`, or `--kernel` in place), or null.
 * @example
 * ```ts
 * import { outputLocationProblem } from "./run_notebooks.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   await outputLocationProblem(["/dev/null/x.ipynb"], "/dev/null"),
 *   "--out: expected a folder, found a device, a pipe or a socket (/dev/null)",
 * );
 * ```
 */
export async function outputLocationProblem(
  targets: string[],
  out: string | undefined,
): Promise<string | null> {
  if (out !== undefined) {
    const info = await Deno.stat(out).catch(() => null);
    if (info !== null && !info.isDirectory) {
      const found = info.isFile ? "a file" : "a device, a pipe or a socket";
      return `--out: expected a folder, found ${found} (${resolve(out)})`;
    }
  }
  for (const target of new Set(targets)) {
    try {
      await checkWritable(target, out !== undefined ? "--out" : "--kernel");
    } catch (error) {
      const message = (error as Error).message;
      return out !== undefined
        ? message
        : `${message}; the run writes the notebooks in place: add --out DIR to write them elsewhere`;
    }
  }
  return null;
}

/**
 * Checks the values of the parameters set (by `--set` or the environment) before anything
 * runs: each notebook with one of them runs its parameter cell alone (its first code cell, a
 * second or two, all at once), so that a value its `param()` refuses (`EPOCHS=abc`, a seed
 * out of range) is one line and exit status 2 instead of a run that stops in the first cell of
 * some notebooks after others took minutes. A failure there that names no parameter set is left
 * to the run, which reports it as usual.
 *
 * @param notebooks The notebooks of the run.
 * @param cli The command line (its `--set` values and quick mode).
 * @param declared Each notebook's declared names.
 * @returns The first problem in one line (the notebook and `param()`'s message), or null.
 */
export async function refusedValues(
  notebooks: string[],
  cli: Pick<CliOptions, "env" | "quick">,
  declared: Map<string, string[] | null>,
): Promise<string | null> {
  const checked = notebooks.map((n) => ({ n, set: overridden(declared.get(n) ?? null, cli.env) }))
    .filter(({ set }) => set.length > 0);
  const runs = await Promise.all(checked.map(async ({ n, set }) => {
    const run = await runNotebook(n, { env: cli.env, quick: cli.quick, cells: 1, timeout: 120 });
    const names = set.map((s) => s.slice(0, s.indexOf("=")));
    const message = run.failure?.message ?? "";
    if (!names.some((name) => new RegExp(`\\b${name}\\b`).test(message))) return null;
    // A value given by --set is named as such, not as the variable it is passed on in.
    const told = Object.keys(cli.env).reduce(
      (m, name) => m.replaceAll(`(environment variable ${name})`, `(--set ${name})`),
      message.split("\n")[0],
    );
    return `${n}: ${told}`;
  }));
  return runs.find((r) => r !== null) ?? null;
}

/** The declared parameters of a notebook that are set (by --set or the environment). */
function overridden(names: string[] | null, env: Record<string, string>): string[] {
  return (names ?? []).flatMap((n) => {
    const v = env[n] ?? Deno.env.get(n);
    return v === undefined ? [] : [`${n}=${v}`];
  });
}

/**
 * Runs the CLI.
 *
 * @param args The command-line arguments.
 * @returns The exit status: 0 when every notebook ran (and verified), 1 otherwise, 2 on usage.
 * @example
 * ```ts ignore
 * import { main } from "./run_notebooks.ts";
 * Deno.exit(await main(["--quick"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseArgs(args);
  } catch (error) {
    return reportUsageError(error);
  }
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  const notebooks = await distinctNotebooks(
    cli.notebooks.length > 0 ? cli.notebooks : await defaultNotebooks(),
  );
  if (notebooks.length === 0) {
    console.error("no notebooks found (expected notebooks/*.ipynb)");
    return 1;
  }
  const declared = new Map<string, string[] | null>();
  for (const n of notebooks) declared.set(n, await declaredParams(n));
  const unknown = unknownSetNames(cli.env, declared);
  if (unknown) return reportUsageError(unknown);
  const refused = await refusedValues(notebooks, cli, declared);
  if (refused) return reportUsageError(refused);
  if (cli.kernel) {
    // Only the notebooks that can be read are written (the others' runs say why they cannot
    // run); --compare without --out runs into a new folder of its own, made below.
    const written = notebooks.filter((n) => declared.get(n) !== null);
    const ownFolder = cli.compare && cli.out === undefined;
    const targets = await writtenPaths(written, ownFolder ? "/" : cli.out);
    const shared = sharedOutput(written, targets, ownFolder ? "--compare" : "--out");
    if (shared) return reportUsageError(shared);
    const problem = ownFolder ? null : await outputLocationProblem(targets, cli.out);
    if (problem) {
      console.error(problem);
      return USAGE_STATUS;
    }
  }
  // --compare runs into a folder of its own unless told where, kept only when it holds
  // notebooks that differ (the message names it); Ctrl-C or SIGTERM removes it too.
  if (cli.compare && cli.out === undefined) {
    const own = await Deno.makeTempDir({ prefix: "notebooks-compare-" });
    const remove = () => Deno.remove(own, { recursive: true }).catch(() => {});
    let differences = 0;
    try {
      return await withCleanUpOnSignals(remove, async () => {
        const status = await runAndReport(notebooks, { ...cli, out: own }, declared);
        differences = status.differences;
        return status.code;
      }, RUN_CLEANUP);
    } finally {
      if (differences === 0) await remove();
    }
  }
  return (await runAndReport(notebooks, cli, declared)).code;
}

/**
 * Runs the notebooks the command line names, prints the summary, verifies and compares as
 * asked; returns the exit status and the number of cells that differ from the committed ones.
 */
async function runAndReport(
  notebooks: string[],
  cli: CliOptions,
  declared: Map<string, string[] | null>,
): Promise<{ code: number; differences: number }> {
  if (cli.out) {
    await Deno.mkdir(cli.out, { recursive: true }).catch((error) => {
      throw new Error(`--out: cannot make ${resolve(cli.out!)}: ${systemReason(error)}`);
    });
  }
  // Each notebook runs in its own process (a single-threaded Deno, or a kernel), so on a
  // machine with several cores notebooks can run side by side; their outputs are buffered and
  // printed in order, each as soon as it and every notebook before it have finished.
  const jobs = Math.min(cli.jobs, notebooks.length);
  const started = performance.now();
  const runs = await runAll(notebooks, cli, jobs, declared);
  const wallSeconds = (performance.now() - started) / 1000;
  const problems = cli.verify ? await verifyAll(notebooks, runs) : [];
  const differences = cli.compare ? await compareAll(notebooks, runs) : 0;
  console.log(`\n${formatSummary(runs, { wallSeconds, jobs })}`);
  if (cli.verify) {
    console.log(
      problems.length === 0
        ? `\nCommitted notebooks verified: ${notebooks.length} ok`
        : `\nCommitted notebooks: ${plural(problems.length, "problem")}`,
    );
  }
  const ok = runs.every((r) => r.ok) && problems.length === 0 && differences === 0;
  if (cli.compare) {
    const ran = runs.filter((r) => r.ok).length;
    console.log(
      differences === 0
        ? `\nCommitted outputs compared with a full-size run: ${ran} of ${
          plural(notebooks.length, "notebook")
        } ran, no difference beyond timings`
        : `\nCommitted outputs compared with a full-size run: ${plural(differences, "cell")} ` +
          `${differences === 1 ? "differs" : "differ"} (this run's notebooks: ${cli.out})`,
    );
  }
  return { code: ok ? 0 : 1, differences };
}

/**
 * Compares each notebook that ran with its committed file and prints every differing cell;
 * returns the number of differing cells.
 */
async function compareAll(notebooks: string[], runs: NotebookRun[]): Promise<number> {
  let count = 0;
  for (const [i, notebook] of notebooks.entries()) {
    const run = runs[i];
    if (!run.ok || run.written === undefined) continue; // Its failure is reported with the run.
    const committed = JSON.parse(await Deno.readTextFile(notebook));
    const fresh = JSON.parse(await Deno.readTextFile(run.written));
    const differences = compareOutputs(committed, fresh);
    for (const d of differences) {
      for (const line of formatDifference(notebook, d)) console.error(line);
    }
    count += differences.length;
  }
  return count;
}

/**
 * The line printed before a notebook's output: its path, the path it runs on, its settings
 * (`overrides`: the parameters overridden for it, see {@linkcode overridden}).
 */
function header(notebook: string, cli: CliOptions, overrides: string[]): string {
  const settings = [cli.quick ? "quick" : "", ...overrides].filter((s) => s !== "").join(", ");
  return `\n━━ ${notebook}${cli.kernel ? " (Deno kernel)" : ""}${settings ? ` [${settings}]` : ""}`;
}

/**
 * Runs one notebook on the path the command line chose. It never throws: a notebook that
 * cannot run (missing, not JSON, not nbformat 4, no code cells) or a runner error becomes a
 * failed run whose failure says why in one line.
 */
async function launch(
  notebook: string,
  cli: CliOptions,
  echo: boolean,
  overrides: string[],
): Promise<NotebookRun> {
  if (echo) console.log(header(notebook, cli, overrides));
  const options = { env: cli.env, quick: cli.quick, echo, timeout: cli.timeout };
  const notRun = (name: string, message: string): NotebookRun => ({
    ...emptyRun(notebook, cli.kernel ? "kernel" : "fresh"),
    failure: { cell: 0, count: 0, name, message: message.replace(/\s+/g, " "), stack: "" },
  });
  try {
    if (codeCells(await readNotebook(notebook)).length === 0) {
      return notRun("cannot run", "no code cells");
    }
    return cli.kernel
      ? await runNotebookInKernel(notebook, {
        ...options,
        out: cli.out ? join(cli.out, basename(notebook)) : undefined,
        twice: cli.twice,
        runAllTwice: cli.runAllTwice,
      })
      : await runNotebook(notebook, options);
  } catch (error) {
    if (error instanceof NotebookFileError) return notRun("cannot run", error.problem);
    const e = error instanceof Error ? error : new Error(String(error));
    return notRun(e.name, e.message);
  }
}

/**
 * Runs the notebooks, `jobs` at a time, and prints each one's output, failure or closing line
 * in order (live when one runs at a time).
 */
async function runAll(
  notebooks: string[],
  cli: CliOptions,
  jobs: number,
  declared: Map<string, string[] | null>,
): Promise<NotebookRun[]> {
  const echo = !cli.quiet && jobs === 1;
  // A pool of `jobs` workers takes the notebooks longest first (by this machine's earlier
  // runs, see _schedule.ts); results are printed in name order.
  const how = {
    mode: cli.kernel
      ? cli.twice ? "kernel twice" : cli.runAllTwice ? "kernel run-all-twice" : "kernel"
      : "fresh",
    quick: cli.quick,
  };
  const keys = notebooks.map((n) => runKey(n, how));
  const order = jobs > 1 ? startOrder(keys, await readDurations()) : keys.map((_, i) => i);
  const overrides = notebooks.map((n) => overridden(declared.get(n) ?? null, cli.env));
  const results = notebooks.map(() => Promise.withResolvers<NotebookRun>());
  let next = 0;
  const workers = Array.from({ length: jobs }, async () => {
    while (next < order.length) {
      const i = order[next++];
      await launch(notebooks[i], cli, echo, overrides[i])
        .then(results[i].resolve, results[i].reject);
    }
  });
  const runs: NotebookRun[] = [];
  for (const [i, notebook] of notebooks.entries()) {
    const run = await results[i].promise;
    runs.push(run);
    if (!cli.quiet && !echo) {
      console.log(`${header(notebook, cli, overrides[i])}\n${run.output.trimEnd()}`);
    }
    if (!run.ok) {
      if (cli.quiet && run.output) console.log(run.output.split("\n").slice(-30).join("\n"));
      console.error(formatFailure(run));
    } else if (!cli.quiet) {
      console.log(
        `━━ ${notebook}: ${plural(run.cells.length, "cell")} in ${run.seconds.toFixed(1)} s` +
          (run.written ? `, written to ${run.written}` : ""),
      );
    }
  }
  await Promise.all(workers);
  // A run with parameters overridden (--set or the environment) is not what the next plain
  // run will take, so it is not recorded.
  await writeDurations(Object.fromEntries(
    runs.flatMap((r, i) =>
      r.ok && overrides[i].length === 0 ? [[keys[i], Math.round(r.seconds)]] : []
    ),
  ));
  return runs;
}

/** Checks the committed notebooks against their runs and prints each problem. */
async function verifyAll(notebooks: string[], runs: NotebookRun[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, notebook] of notebooks.entries()) {
    const run = runs[i];
    if (run.failure?.name === "cannot run") continue; // Reported with the run.
    const found = await verifyNotebook(notebook, run.ok ? { run } : {});
    for (const p of found) console.error(`✗ ${p}`);
    problems.push(...found);
  }
  return problems;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // Whatever escaped the per-notebook reports (e.g. an --out folder that cannot be made).
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
