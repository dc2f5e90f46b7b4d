/**
 * Leak checks for the tests: how many tfjs tensors a call leaves behind, measured as a
 * difference of `tf.memory().numTensors` around it (the backend is shared by every test of a
 * module, so only differences mean anything).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";

/** How many more tensors there are after `f` than before it (awaited). */
export async function tensorsLeftBy(f: () => unknown): Promise<number> {
  const before = tf.memory().numTensors;
  await f();
  return tf.memory().numTensors - before;
}

/**
 * Calls `f` `times` times and asserts, after each call, that the tensor count is where it was
 * before it: a call that keeps tensors a teacher re-running a cell piles up fails here, and the
 * message says how many it kept.
 */
export async function assertLeavesNoTensors(
  what: string,
  f: () => unknown,
  times = 3,
): Promise<void> {
  for (let call = 1; call <= times; call++) {
    const left = await tensorsLeftBy(f);
    assertEquals(left, 0, `${what}: call ${call} left ${left} tensors behind`);
  }
}
