/**
 * What both benchmarks ask of the machine: the backend they ran on, its load, this process's
 * peak memory, whether Debian's Python can import torch for the reference run, and running that
 * Python as a child that Ctrl-C and SIGTERM stop (tools/_cleanup.ts).
 *
 * @module
 */

import type { BackendInfo } from "../lib/train/backend.ts";
import { spawnChild } from "../tools/_cleanup.ts";

/** The Python that runs the torch twins (Debian's, which has `python3-torch`). */
export const PYTHON = "/usr/bin/python3";

/** The fields every bench line opens with: the framework and how its backend computes. */
export function backendFields(info: BackendInfo): Record<string, unknown> {
  return {
    framework: "tfjs",
    backend: info.backend,
    simd: info.simd,
    threads: info.threads,
    adam: info.adam,
  };
}

/** The one-minute load average (`NaN` where `/proc/loadavg` is missing). */
export function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** This process's peak resident memory in MB (`NaN` where `/proc/self/status` is missing). */
export function peakRssMb(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux
  }
  return NaN;
}

/** What a run of {@linkcode PYTHON} gave. */
export interface PythonRun {
  /** Whether it exited with status 0. */
  success: boolean;
  /** Its exit status. */
  code: number;
  /** What it wrote to stdout (the last 64 KiB). */
  stdout: string;
  /** What it wrote to stderr (the last 64 KiB; "" when inherited). */
  stderr: string;
}

/**
 * Runs {@linkcode PYTHON} as a child in a process group of its own (`spawnChild()` of
 * tools/_cleanup.ts), so that a benchmark stopped by Ctrl-C or SIGTERM stops it too
 * (`cleanUpOnSignals()`) instead of leaving it running.
 *
 * @param args Its arguments.
 * @param options `stderr`: `"inherit"` to let it write to this process's stderr; `env`: more
 *   variables; `onStdout`: its stdout as it comes.
 * @returns How it ended and what it wrote.
 * @throws {Deno.errors.NotFound} When there is no such Python.
 */
export async function runPython(
  args: string[],
  options: {
    stderr?: "piped" | "inherit";
    env?: Record<string, string>;
    onStdout?: (text: string) => void;
  } = {},
): Promise<PythonRun> {
  const child = spawnChild(PYTHON, args, {
    name: "python",
    stderr: options.stderr,
    env: options.env,
    onStdout: options.onStdout,
  });
  const status = await child.done;
  const stdout = await child.output;
  return { success: status.success, code: status.code, stdout, stderr: child.stderrText() };
}

/** Whether {@linkcode PYTHON} runs and can import torch. */
export async function torchAvailable(): Promise<boolean> {
  try {
    return (await runPython(["-c", "import torch"])).success;
  } catch {
    return false;
  }
}
