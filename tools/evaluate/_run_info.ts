/**
 * What the rating and the ranking evaluation both record about a run: the header of their
 * results (format, time, command, seeds, backend, wall and CPU seconds) and the CPU clock.
 *
 * @module
 */

import process from "node:process";

/** The fields both evaluations' results start with. */
export interface RunInfo {
  /** Format version. */
  version: 1;
  /** When it ran (ISO 8601). */
  generated: string;
  /** The command line. */
  command: string;
  /** Seeds of the runs (split and model seeds). */
  seeds: number[];
  /** The `--epochs` override (a cap for the ranking models), or null. */
  epochs: number | null;
  /** k of the ranking metrics (the list length). */
  k: number;
  /** The tfjs backend. */
  backend: string;
  /** Wall-clock seconds of the whole evaluation. */
  totalSeconds: number;
  /** CPU seconds (user + system) of the whole evaluation, which other load does not inflate. */
  cpuSeconds: number;
}

/** CPU seconds (user + system) this process used since `start` (a `process.cpuUsage()`). */
export function cpuSecondsSince(start: { user: number; system: number }): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
