/**
 * The CPU clock the training loops read for their throughput figures.
 *
 * @module
 */

import process from "node:process";

/** CPU time of this process in seconds (user + system), or NaN where the runtime cannot tell. */
export function cpuSeconds(): number {
  try {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  } catch {
    return NaN;
  }
}
