// Shared by the programs' tests (tools/ and bench/): a program run as its user meets it, and the
// checks of tools/_cli.ts' conventions — `--help` and `-h` print the usage and exit 0, a bad
// command line is one line on stderr and exit status 2, the usage lists the flags the parser takes.

import { assert, assertEquals } from "@std/assert";
import { childEnvironment } from "../_child.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** What a program printed, and its exit status. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A <script> …args` from the repository's folder in a child (NO_COLOR=1, no
 * stdin), as `deno task` does.
 *
 * @param script The program, relative to the repository (`bench/train_bench.ts`).
 * @param args Its arguments.
 * @returns What it printed and its exit status.
 */
export async function runProgram(script: string, args: string[]): Promise<ProgramRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: childEnvironment({ NO_COLOR: "1" }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/**
 * Checks that `--help` and `-h` (after `before`, for a program whose first argument is not a
 * flag) print `usage` on stdout, nothing on stderr, and exit 0, also beside a bad flag.
 *
 * @param script The program.
 * @param usage Its exported usage text.
 * @param before Arguments that come first (`deno task bench:exp` passes `exp`).
 */
export async function assertHelp(script: string, usage: string, before: string[] = []) {
  for (const args of [["--help"], ["-h"], ["--no-such-flag", "-h"]]) {
    const run = await runProgram(script, [...before, ...args]);
    assertEquals(
      [run.code, run.stderr, run.stdout],
      [0, "", `${usage}\n`],
      `${script} ${args.join(" ")}`,
    );
  }
}

/**
 * Checks a program's answer to a bad command line: exit status 2, nothing on stdout, one line
 * on stderr that is `message` followed by "(see --help)" (so no stack trace).
 *
 * @param script The program.
 * @param args The bad command line.
 * @param message The line the program must print, without " (see --help)".
 */
export async function assertUsageError(script: string, args: string[], message: string) {
  const run = await runProgram(script, args);
  assertEquals(
    [run.code, run.stdout, run.stderr],
    [2, "", `${message} (see --help)\n`],
    `${script} ${args.join(" ")}`,
  );
}

/**
 * The flags a usage text lists: the `-x` and `--name` words that open its indented lines
 * (`  -q, --quiet   …` gives `-q` and `--quiet`; `  --out DIR   …` gives `--out`).
 *
 * @param usage The usage text.
 * @returns The flags, in order.
 */
export function usageFlags(usage: string): string[] {
  return usage.split("\n").flatMap((line) => {
    const head = line.match(/^ {2}(-\S.*?)(?: {2,}|$)/)?.[1];
    return head ? head.split(", ").map((part) => part.split(" ")[0]) : [];
  });
}

/**
 * Checks that a usage text lists exactly the flags a program takes, and that its parser takes
 * each of them but `--help` and `-h` (`parse(flag)` either returns or throws an error other
 * than "unknown flag" naming it).
 *
 * @param usage The usage text.
 * @param accepted Every flag the program takes.
 * @param parse Parses a command line holding the flag (with a value if it needs one).
 */
export function assertUsageMatches(
  usage: string,
  accepted: string[],
  parse: (flag: string) => unknown,
) {
  assertEquals(usageFlags(usage).sort(), [...accepted].sort(), "the flags the usage lists");
  // --help and -h are the entry point's (see assertHelp), before any parser runs.
  for (const flag of accepted.filter((f) => f !== "--help" && f !== "-h")) {
    try {
      parse(flag);
    } catch (error) {
      const message = (error as Error).message;
      assert(!message.startsWith(`unknown flag ${JSON.stringify(flag)}`), message);
    }
  }
}
