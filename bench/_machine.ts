/**
 * What both benchmarks ask of the machine: the backend they ran on, its load, this process's
 * peak memory, and whether Debian's Python can import torch for the reference run.
 *
 * @module
 */

import type { BackendInfo } from "../lib/train/backend.ts";

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

/** Whether {@linkcode PYTHON} runs and can import torch. */
export async function torchAvailable(): Promise<boolean> {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}
