/**
 * The browser test (`deno task test:browser`): the committed notebooks in Jupyter Notebook 6,
 * in headless Chromium, as a student and a teacher meet them.
 *
 * 1. **Opened untrusted**, every figure is shown as a picture and no output is garbled (no
 *    markup shown as text, no figure reduced to run-on text by the sanitiser).
 * 2. **Kernel › Restart & Run All** at small size (`NB_QUICK=1`, inherited by the kernel from
 *    the server; full size with `--full`) puts every output under the cell that produced it,
 *    with no error: each cell's outputs are compared with those of a cell-by-cell run of the
 *    same notebook in the same server, where each cell waits until the kernel is quiet before
 *    the next one is sent.
 * 3. **nbconvert's HTML export** (`python3 -m nbconvert --to html`, the exporter nbviewer
 *    renders with) of the committed notebooks, opened from a `file://` address: every figure is
 *    an image that loaded and no output shows markup as text, as in 1 (see `html_export.ts`).
 *
 * With 2, before the notebooks: **Kernel › Interrupt** pressed while a fixture's training cell
 * runs must end that cell with an `Interrupted` error and keep the kernel and its variables
 * (see `interrupt.ts`).
 *
 * It starts its own notebook server (127.0.0.1, random port and token, a temporary copy of the
 * notebooks) and Chromium (fresh profile, DevTools on 127.0.0.1), and stops both and removes
 * every temporary folder on success, failure and Ctrl-C.
 *
 *   deno task test:browser [--notebooks 02,05] [--runs N] [--no-open] [--no-run] [--no-export]
 *                          [--no-flush] [--full] [--no-self-check] [--json PATH|-]
 *                          [--notebook-dir DIR]
 *
 * `--runs N` does N Restart & Run Alls per notebook (default 1); `--no-open`, `--no-run` and
 * `--no-export` leave out steps 1, 2 and 3 (the notebook server is started only for 1 and 2).
 * `--no-flush` switches off lib/notebook's output flush in the kernels (`NB_OUTPUT_FLUSH=0` in
 * the server's environment), to measure Run All without it. `--full` runs the notebooks at full
 * size (`NB_QUICK=0`), as a teacher's Run All does: the time it prints per Restart & Run All is
 * then the notebook's time in a browser. `--no-self-check` leaves out the checks of the checks
 * on fixtures. `--json` writes a report (`-`: as the last stdout line). `--notebook-dir` checks
 * notebooks from another folder (e.g. freshly re-run ones before they are committed); `--help`
 * lists the flags ({@linkcode USAGE}). Exit status 0 when every check passed, 1 when one failed,
 * 2 on a bad command line (one line on stderr, before anything starts) or a set-up error.
 *
 * @module
 */

import { type Chromium, launchChromium, type Page } from "./chromium.ts";
import { indexedCodeCells, referenceErrors, runReference } from "./kernel_ws.ts";
import { checkInterrupt, INTERRUPT_FIXTURE, type InterruptReport } from "./interrupt.ts";
import {
  isTrusted,
  observeOutputs,
  pageOutputs,
  restartAndRunAll,
  waitForNotebook,
} from "./notebook_page.ts";
import {
  checkRendered,
  compareWithReference,
  describeFinding,
  type PlacementFinding,
  summarizeFindings,
  type Summary,
} from "./outputs.ts";
import {
  checkExportedPage,
  codeCellOutputs,
  exportNotebooks,
  type NotebookFile,
  type Sanitize,
} from "./html_export.ts";
import { cleanUp, cleanUpOnSignals, onCleanup } from "./process.ts";
import { startNotebookServer } from "./server.ts";
import { makeWorkspace, type Workspace } from "./workspace.ts";
import { OUTPUT_FLUSH_VARIABLE } from "../../lib/notebook/flush.ts";
import { FlagReader, reportUsageError, USAGE_STATUS, wantsHelp } from "../_cli.ts";
import { checkWritable, writeFileAtomic } from "../_write.ts";
import { plural } from "../../lib/_validate.ts";

/** The help text of `deno task test:browser`. */
export const USAGE = `Usage: deno task test:browser [flags]

Checks the committed notebooks in Jupyter Notebook 6 in headless Chromium: each opened
untrusted (every figure a picture, no output garbled), Kernel › Restart & Run All (each
cell's outputs compared with a cell-by-cell run; Kernel › Interrupt pressed during a fixture's
training cell first), and nbconvert's HTML export opened from file://.

Flags:
  --notebooks LIST     comma-separated name prefixes (02,05_dlrm); default: every notebook
  --notebook-dir DIR   take the notebooks from DIR (default: notebooks/)
  --runs N             Restart & Run Alls per notebook, N ≥ 0 (default: 1; 0: none)
  --full               run the notebooks at full size (NB_QUICK=0; default: NB_QUICK=1)
  --no-open            leave out the check of the notebooks as opened
  --no-run             leave out Restart & Run All and the interrupt check (as --runs 0)
  --no-export          leave out nbconvert's HTML export
  --no-flush           switch lib/notebook's output flush off in the kernels
                       (NB_OUTPUT_FLUSH=0), to measure Run All without it
  --no-self-check      leave out the checks, on fixtures, that the figure checks tell a
                       picture from text
  --json PATH          write a JSON report there ("-": print it as the last stdout line);
                       default: none
  -h, --help           show this text

A value follows its flag or is joined to it by "=" (--runs=3). Numbers are plain decimals;
each flag is given once. Exit status 0 when every check passed, 1 when one failed, 2 on a bad
command line (one line on stderr, nothing started) or when the test could not be set up.`;

/** Parsed command line. */
export interface Options {
  /** Notebook name prefixes (`02`, `05_dlrm`), or all. */
  notebooks: string[] | null;
  /** Restart & Run Alls per notebook. */
  runs: number;
  /** Check the notebooks as opened (untrusted). */
  open: boolean;
  /** Check Restart & Run All. */
  run: boolean;
  /** Check nbconvert's HTML export. */
  export: boolean;
  /** Switch lib/notebook's output flush off in the kernels (`NB_OUTPUT_FLUSH=0`). */
  noFlush: boolean;
  /** Run the notebooks at full size (`NB_QUICK=0`). */
  full: boolean;
  /** Check that the figure checks tell a picture from text, on fixtures. */
  selfCheck: boolean;
  /** Write a JSON report here. */
  json: string | null;
  /** Take the notebooks from this folder instead of notebooks/. */
  notebookDir: string | null;
  /** Print the usage (`--help`, `-h`). */
  help: boolean;
}

/** A value that may not be empty. */
function nonEmpty(flag: string, value: string, expected: string): string {
  if (value.trim() === "") throw new RangeError(`${flag}: expected ${expected}, found ""`);
  return value;
}

/**
 * Parses the command line.
 *
 * @param args `Deno.args`.
 * @returns The options.
 * @throws {TypeError} On an unknown flag, a missing value or a flag given twice.
 * @throws {RangeError} On a bad value.
 * @example
 * ```ts
 * import { parseArgs } from "./main.ts";
 * const options = parseArgs(["--notebooks", "02,05", "--runs=3", "--json", "-"]);
 * console.log(options.notebooks, options.runs, options.json); // ["02", "05"] 3 "-"
 * ```
 */
export function parseArgs(args: string[]): Options {
  const options: Options = {
    notebooks: null,
    runs: 1,
    open: true,
    run: true,
    export: true,
    noFlush: false,
    full: false,
    selfCheck: true,
    json: null,
    notebookDir: null,
    help: false,
  };
  if (wantsHelp(args)) return { ...options, help: true };
  const read = new FlagReader(args);
  let runsGiven = false;
  for (let arg = read.next(); arg !== null; arg = read.next()) {
    if (arg === "--notebooks") {
      const v = read.value();
      options.notebooks = v.split(",").map((p) => p.trim()).filter(Boolean);
      if (options.notebooks.length === 0) {
        throw new RangeError(
          `--notebooks: expected comma-separated name prefixes (02,05), found ${JSON.stringify(v)}`,
        );
      }
    } else if (arg === "--runs") [options.runs, runsGiven] = [read.integer(0), true];
    else if (arg === "--no-open") options.open = false;
    else if (arg === "--no-run") options.run = false;
    else if (arg === "--no-export") options.export = false;
    else if (arg === "--no-flush") options.noFlush = true;
    else if (arg === "--full") options.full = true;
    else if (arg === "--no-self-check") options.selfCheck = false;
    else if (arg === "--json") options.json = nonEmpty(arg, read.value(), "a file path or -");
    else if (arg === "--notebook-dir") {
      options.notebookDir = nonEmpty(arg, read.value(), "a folder");
    } else read.unknown();
  }
  if (!options.run) {
    if (runsGiven && options.runs > 0) {
      throw new TypeError(
        `--runs ${options.runs} and --no-run: expected one of them (--no-run is --runs 0)`,
      );
    }
    options.runs = 0;
  }
  return options;
}

/**
 * The environment the notebook server adds for its kernels: small notebooks (but with `--full`),
 * no colour codes, the MovieLens folder made absolute, and `NB_OUTPUT_FLUSH=0` with `--no-flush`.
 *
 * @param options The parsed command line.
 * @param movielens `MOVIELENS_DIR` of this process, if set.
 * @returns The variables to add.
 */
export function serverEnv(options: Options, movielens?: string): Record<string, string> {
  // "0" rather than nothing: the server also inherits this process's environment.
  const env: Record<string, string> = { NB_QUICK: options.full ? "0" : "1", NO_COLOR: "1" };
  if (options.noFlush) env[OUTPUT_FLUSH_VARIABLE] = "0";
  if (movielens) {
    env.MOVIELENS_DIR = movielens.startsWith("/") ? movielens : `${Deno.cwd()}/${movielens}`;
  }
  return env;
}

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const FIXTURES = `${REPO}/test/tools/browser/fixtures`;

function log(line: string) {
  console.log(line);
}

async function readNotebook(path: string): Promise<NotebookFile> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Opens a notebook and checks how its committed outputs show; returns the problems. */
async function checkOpened(
  page: Page,
  url: string,
  file: string,
): Promise<string[]> {
  await page.goto(url);
  await waitForNotebook(page);
  const problems: string[] = [];
  if (await isTrusted(page)) problems.push("the notebook opened trusted; expected untrusted");
  const observed = await observeOutputs(page);
  problems.push(...checkRendered(codeCellOutputs(await readNotebook(file)), observed));
  return problems;
}

interface NotebookReport {
  notebook: string;
  openProblems: string[] | null;
  referenceErrors: string[];
  runs: { seconds: number; summary: Summary; findings: string[] }[];
  /** Problems of nbconvert's HTML export, or `null` when not checked. */
  exportProblems: string[] | null;
  /** Figure outputs checked in the export. */
  exportFigures: number;
  seconds: number;
}

/** The self-check's notebook for the export: a figure, an HTML table, a stream. */
const EXPORT_FIXTURE = "export_figure_table.ipynb";

/** A notebook's report before any step ran. */
function emptyReport(path: string): NotebookReport {
  return {
    notebook: path.split("/").at(-1)!,
    openProblems: null,
    referenceErrors: [],
    runs: [],
    exportProblems: null,
    exportFigures: 0,
    seconds: 0,
  };
}

/**
 * Checks that the export check tells a picture from a stripped or escaped one: the fixture's
 * plain export must pass; with `--sanitize-html` (figure's `<img>` emptied) and with the bleach
 * preprocessor (figure and table escaped) it must fail, naming the cells. Logs what each
 * sanitiser did, as a measurement.
 */
async function selfCheckExport(page: Page, workspace: Workspace) {
  const nb = await readNotebook(`${FIXTURES}/${EXPORT_FIXTURE}`);
  const found: Record<Sanitize, string[]> = { none: [], "sanitize-html": [], bleach: [] };
  for (const sanitize of Object.keys(found) as Sanitize[]) {
    const dir = `${workspace.exportDir}/self-check-${sanitize}`;
    const [html] = await exportNotebooks([`${FIXTURES}/${EXPORT_FIXTURE}`], dir, {
      sanitize,
      configDir: `${workspace.exportDir}/config`,
    });
    found[sanitize] = (await checkExportedPage(page, html, nb)).problems;
  }
  const figureCaught = (problems: string[]) =>
    problems.some((p) => p.startsWith("cell 2, output 1:"));
  const tableEscaped = found.bleach.some((p) =>
    p.startsWith("cell 3, output 1: markup shown as text")
  );
  if (
    found.none.length > 0 || !figureCaught(found["sanitize-html"]) ||
    !figureCaught(found.bleach) || !tableEscaped
  ) {
    throw new Error(
      "self-check: the export check does not tell a picture from a sanitised figure\n" +
        `  plain export: ${found.none.join("; ") || "passed"}\n` +
        `  --sanitize-html: ${
          found["sanitize-html"].join("; ") || "passed (expected cell 2 to fail)"
        }\n` +
        `  bleach: ${found.bleach.join("; ") || "passed (expected cells 2 and 3 to fail)"}`,
    );
  }
  log("self-check (nbconvert export): the plain export of a figure and a table passes;");
  for (const sanitize of ["sanitize-html", "bleach"] as const) {
    log(`  ${sanitize}: ${found[sanitize].join("; ")}`);
  }
}

async function selfCheck(page: Page, root: string, urlOf: (p: string) => string) {
  // A figure as an <img> with an SVG data source must pass; an inline <svg> must fail as text.
  await Deno.mkdir(`${root}/fixtures`, { recursive: true });
  for (const name of ["figure_picture.ipynb", "figure_inline_svg.ipynb"]) {
    await Deno.copyFile(`${FIXTURES}/${name}`, `${root}/fixtures/${name}`);
  }
  const good = await checkOpened(
    page,
    urlOf("fixtures/figure_picture.ipynb"),
    `${FIXTURES}/figure_picture.ipynb`,
  );
  const bad = await checkOpened(
    page,
    urlOf("fixtures/figure_inline_svg.ipynb"),
    `${FIXTURES}/figure_inline_svg.ipynb`,
  );
  if (good.length > 0 || !bad.some((p) => p.includes("figure shown as text"))) {
    throw new Error(
      "self-check: the figure check does not tell a picture from text in this browser\n" +
        `  <img> fixture: ${good.join("; ") || "passed"}\n` +
        `  inline <svg> fixture: ${bad.join("; ") || "passed (expected: figure shown as text)"}`,
    );
  }
  log("self-check: an <img> figure passes, an inline <svg> figure is reported as text");
}

/**
 * Interrupts a training cell of the fixture in Notebook 6 (Kernel › Interrupt) and logs what
 * happened; the problems fail the test.
 */
async function interruptCheck(
  page: Page,
  root: string,
  urlOf: (p: string) => string,
): Promise<InterruptReport> {
  await Deno.mkdir(`${root}/fixtures`, { recursive: true });
  await Deno.copyFile(`${FIXTURES}/${INTERRUPT_FIXTURE}`, `${root}/fixtures/${INTERRUPT_FIXTURE}`);
  const report = await checkInterrupt(page, urlOf(`fixtures/${INTERRUPT_FIXTURE}`));
  log(
    `Kernel › Interrupt during training (${INTERRUPT_FIXTURE}): ${
      report.problems.length === 0
        ? `the cell stopped ${report.seconds.toFixed(1)} s after the click with ` +
          `"${report.error.slice(0, 70)}…", the same kernel, its variables kept`
        : report.problems.join("; ")
    }`,
  );
  return report;
}

async function testNotebook(
  page: Page,
  server: Awaited<ReturnType<typeof startNotebookServer>>,
  root: string,
  path: string,
  options: Options,
): Promise<NotebookReport> {
  const started = performance.now();
  const name = path.split("/").at(-1)!;
  const report = emptyReport(path);
  const file = `${root}/${path}`;
  const nb = await readNotebook(file);

  if (options.open) {
    report.openProblems = await checkOpened(page, server.notebookUrl(path), file);
    log(
      `${name}: opened untrusted: ${
        report.openProblems.length === 0
          ? "every figure is a picture, no output garbled"
          : plural(report.openProblems.length, "problem")
      }`,
    );
    for (const p of report.openProblems.slice(0, 30)) log(`  ${p}`);
    if (report.openProblems.length > 30) log(`  … ${report.openProblems.length - 30} more`);
  }

  if (options.runs > 0) {
    const t0 = performance.now();
    const reference = await runReference(server, path, indexedCodeCells(nb));
    report.referenceErrors = referenceErrors(reference.cells);
    log(
      `${name}: cell-by-cell reference run: ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s, ${reference.cells.length} code cells, ${
        reference.latestMs > 0
          ? `the latest output ${reference.latestMs.toFixed(1)} ms after its cell ended`
          : "no output after its cell ended"
      }${reference.strays ? `, ${plural(reference.strays, "output")} of no cell` : ""}`,
    );
    for (const e of report.referenceErrors) log(`  error in the reference run: ${e}`);

    if (!options.open) {
      await page.goto(server.notebookUrl(path));
      await waitForNotebook(page);
    }
    for (let run = 1; run <= options.runs; run++) {
      const seconds = await restartAndRunAll(page);
      const outputs = await pageOutputs(page);
      const findings: PlacementFinding[] = compareWithReference(reference.cells, outputs);
      const summary = summarizeFindings(findings);
      const lines = findings.map(describeFinding);
      report.runs.push({ seconds, summary, findings: lines });
      const ok = findings.length === 0;
      log(
        `${name}: Restart & Run All ${run}/${options.runs}: ${seconds.toFixed(0)} s, ${
          ok
            ? "every output in its own cell, no error"
            : `${plural(summary.misplaced, "misplaced output")} from ${
              plural(summary.cellsAffected, "cell")
            }, ` +
              `${summary.missing} missing, ${summary.unexpected} unexpected, ${
                plural(summary.errors, "error")
              }`
        }`,
      );
      for (const line of lines.slice(0, 20)) log(`  ${line}`);
      if (lines.length > 20) log(`  … ${lines.length - 20} more`);
    }
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/**
 * Exports every notebook with one nbconvert process, then checks each page. The notebooks are
 * read from `from`, the folder the workspace copied them from: the copies may have been saved
 * by Notebook with the outputs of a small Run All by now (it autosaves).
 */
async function checkExports(
  page: Page,
  workspace: Workspace,
  from: string,
  reports: NotebookReport[],
) {
  const t0 = performance.now();
  const files = workspace.notebooks.map((p) => `${from}/${p.split("/").at(-1)}`);
  const pages = await exportNotebooks(files, `${workspace.exportDir}/notebooks`, {
    configDir: `${workspace.exportDir}/config`,
  });
  log(
    `nbconvert --to html: ${plural(files.length, "notebook")} in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
  for (const [i, html] of pages.entries()) {
    const t1 = performance.now();
    const report = reports[i];
    const nb = await readNotebook(files[i]);
    const { problems, figures } = await checkExportedPage(page, html, nb);
    report.exportProblems = problems;
    report.exportFigures = figures;
    const seconds = (performance.now() - t1) / 1000;
    report.seconds += seconds;
    log(
      `${report.notebook}: HTML export: ${
        problems.length === 0
          ? `${plural(figures, "figure")}, every one an image that loaded, no markup shown as text`
          : plural(problems.length, "problem")
      } (${seconds.toFixed(1)} s)`,
    );
    for (const p of problems.slice(0, 30)) log(`  ${p}`);
    if (problems.length > 30) log(`  … ${problems.length - 30} more`);
  }
}

/**
 * The notebooks the command line selects, checked before anything starts: the file names in
 * `--notebook-dir` (default notebooks/) that start with a `--notebooks` prefix, or undefined for
 * every notebook of notebooks/.
 *
 * @param options The parsed command line.
 * @param repo The repository's folder.
 * @returns The file names, or undefined for all.
 * @throws {RangeError} When the folder cannot be read, holds no notebook, or no notebook in it
 *   starts with a prefix given, naming the flag, the folder and the notebooks it holds.
 * @example
 * ```ts
 * import { parseArgs, selectNotebooks } from "./main.ts";
 * const repo = new URL("../../", import.meta.url).pathname;
 * const names = selectNotebooks(parseArgs(["--notebooks", "02"]), repo);
 * console.log(names); // ["02_embedding_net.ipynb"]
 * ```
 */
export function selectNotebooks(options: Options, repo: string): string[] | undefined {
  const dir = options.notebookDir ?? `${repo}/notebooks`;
  let all: string[];
  try {
    all = [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new RangeError(
      `--notebook-dir: expected a folder of notebooks, found ${JSON.stringify(dir)} (${
        (error as Error).message
      })`,
    );
  }
  if (all.length === 0) {
    throw new RangeError(`--notebook-dir: expected a folder of notebooks, found none in ${dir}`);
  }
  if (options.notebooks === null) return options.notebookDir === null ? undefined : all;
  const names = all.filter((n) => options.notebooks!.some((p) => n.startsWith(p)));
  if (names.length === 0) {
    throw new RangeError(
      `--notebooks: expected prefixes of notebooks in ${dir} (${all.join(", ")}), found ${
        JSON.stringify(options.notebooks.join(","))
      }`,
    );
  }
  return names;
}

/** Runs the browser test; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let options: Options;
  let names: string[] | undefined;
  try {
    options = parseArgs(args);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    names = selectNotebooks(options, REPO);
  } catch (error) {
    return reportUsageError(error);
  }
  if (options.json !== null && options.json !== "-") {
    try {
      await checkWritable(options.json, "--json");
    } catch (error) {
      console.error((error as Error).message);
      return USAGE_STATUS;
    }
  }
  cleanUpOnSignals("stopping the browser and the notebook server…");
  const started = performance.now();
  const reports: NotebookReport[] = [];
  let interrupt: InterruptReport | null = null;
  let setupError: Error | null = null;
  try {
    const workspace = await makeWorkspace(REPO, names, {
      from: options.notebookDir ?? undefined,
    });
    onCleanup("temporary folders", workspace.remove);
    const browser: Chromium = await launchChromium({ userDataDir: workspace.profileDir });
    onCleanup("chromium", browser.close, browser.child);
    const version = await browser.cdp.send<{ product: string }>("Browser.getVersion");
    log(`browser: ${version.product}, headless`);
    const page = await browser.newPage();
    if (options.open || options.runs > 0) {
      const env = serverEnv(options, Deno.env.get("MOVIELENS_DIR"));
      const server = await startNotebookServer({
        root: workspace.root,
        stateDir: workspace.stateDir,
        env,
      });
      onCleanup("notebook server", server.stop, server.child);
      log(
        `notebook server: ${server.baseUrl} (Notebook 6, ${
          options.full ? "full size" : "NB_QUICK=1"
        }${options.noFlush ? `, output flush off: ${OUTPUT_FLUSH_VARIABLE}=0` : ""})`,
      );
      if (options.selfCheck && options.open) {
        await selfCheck(page, workspace.root, server.notebookUrl);
      }
      if (options.runs > 0) {
        interrupt = await interruptCheck(page, workspace.root, server.notebookUrl);
      }
      for (const path of workspace.notebooks) {
        reports.push(await testNotebook(page, server, workspace.root, path, options));
      }
    } else {
      for (const path of workspace.notebooks) reports.push(emptyReport(path));
    }
    if (options.export) {
      if (options.selfCheck) await selfCheckExport(page, workspace);
      await checkExports(page, workspace, options.notebookDir ?? `${REPO}/notebooks`, reports);
    }
  } catch (error) {
    setupError = error as Error;
  } finally {
    const failures = await cleanUp();
    for (const f of failures) console.error(`clean-up failed: ${f}`);
  }

  const seconds = (performance.now() - started) / 1000;
  log(
    "\nnotebook                                   opened     export     Run-Alls  misplaced  missing  unexpected  errors",
  );
  let failed = false;
  for (const r of reports) {
    const total = r.runs.reduce(
      (t, run) => ({
        misplaced: t.misplaced + run.summary.misplaced,
        missing: t.missing + run.summary.missing,
        unexpected: t.unexpected + run.summary.unexpected,
        errors: t.errors + run.summary.errors,
      }),
      { misplaced: 0, missing: 0, unexpected: 0, errors: 0 },
    );
    const opened = r.openProblems === null
      ? "-"
      : r.openProblems.length === 0
      ? "ok"
      : `${r.openProblems.length} bad`;
    const exported = r.exportProblems === null
      ? "-"
      : r.exportProblems.length === 0
      ? "ok"
      : `${r.exportProblems.length} bad`;
    failed ||= (r.openProblems?.length ?? 0) > 0 || (r.exportProblems?.length ?? 0) > 0 ||
      r.referenceErrors.length > 0 ||
      r.runs.some((run) => run.findings.length > 0);
    log(
      `${r.notebook.padEnd(42)} ${opened.padEnd(10)} ${exported.padEnd(10)} ${
        String(r.runs.length).padStart(8)
      } ${String(total.misplaced).padStart(10)} ${String(total.missing).padStart(8)} ${
        String(total.unexpected).padStart(11)
      } ${String(total.errors + r.referenceErrors.length).padStart(7)}`,
    );
  }
  if (interrupt) {
    failed ||= interrupt.problems.length > 0;
    log(
      `\nKernel › Interrupt during training: ${
        interrupt.problems.length === 0 ? "ok" : interrupt.problems.join("; ")
      }`,
    );
  }
  const report = { options, seconds, setupError: setupError?.message ?? null, reports, interrupt };
  if (options.json !== null && options.json !== "-") {
    await writeFileAtomic(options.json, JSON.stringify(report, null, 1));
  }
  if (setupError) {
    console.error(`\nbrowser test could not complete: ${setupError.stack ?? setupError.message}`);
  } else {
    log(
      `\n${failed ? "FAILED" : "ok"} | ${plural(reports.length, "notebook")} in ${
        seconds.toFixed(0)
      } s`,
    );
  }
  if (options.json === "-") console.log(JSON.stringify(report));
  return setupError ? 2 : failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
