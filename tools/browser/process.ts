/**
 * Child processes the browser test starts (the notebook server, Chromium), each in its own
 * process group so that stopping it also stops what it started, and one list of clean-ups run
 * on success, failure and Ctrl-C alike: the clean-up registry of tools/_cleanup.ts, shared with
 * the benchmarks in bench/.
 *
 * @module
 */

export { type ChildHandle, cleanUp, cleanUpOnSignals, onCleanup, spawnChild } from "../_cleanup.ts";
