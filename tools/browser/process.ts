/**
 * Child processes the browser test starts (the notebook server, Chromium), each in its own
 * process group so that stopping it also stops what it started, and one list of clean-ups run
 * on success, failure and Ctrl-C alike: the clean-up registry of tools/_cleanup.ts, shared with
 * the benchmarks in bench/; this module gives the browser test's message on a signal.
 *
 * @module
 */

import { cleanUpOnSignals as cleanUpOnSignalsSaying } from "../_cleanup.ts";

export { type ChildHandle, cleanUp, onCleanup, spawnChild } from "../_cleanup.ts";

/** On SIGINT or SIGTERM: clean up, then exit with 130 (143). Installed once. */
export function cleanUpOnSignals(log: (line: string) => void = console.error): void {
  cleanUpOnSignalsSaying("stopping the browser and the notebook server…", log);
}
