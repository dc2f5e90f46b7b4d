// A table of calls that each pass one misspelt option name, and the test that every call is
// refused with `checkOptionKeys()`'s TypeError naming the key and the option it most likely meant.

import { assertEquals, fail } from "@std/assert";

/** One call with a misspelt option. */
export interface MisspeltCall {
  /** The function as the message names it, e.g. `"randomSplit()"`. */
  fn: string;
  /** The misspelt key as the message names it (with its prefix when nested, `"scale.stp"`). */
  key: string;
  /** The known option the message suggests. */
  meant: string;
  /** The call; an async function's call may return a promise that rejects. */
  call: () => unknown;
}

/** The error `call` throws or its promise rejects with; fails when it does neither. */
async function caught(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  fail("expected the call to throw, but it returned");
}

/** Registers one test per call: it throws TypeError `<fn>: unknown option "<key>" (did you mean "<meant>"?)`. */
export function testMisspeltOptions(calls: MisspeltCall[]): void {
  for (const { fn, key, meant, call } of calls) {
    Deno.test(`${fn} refuses the misspelt option "${key}", suggesting "${meant}"`, async () => {
      const e = await caught(call);
      if (!(e instanceof TypeError)) fail(`expected a TypeError, found ${e}`);
      assertEquals(e.message, `${fn}: unknown option "${key}" (did you mean "${meant}"?)`);
    });
  }
}
