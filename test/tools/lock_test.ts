import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { lockWaitMessage, withLock } from "../../tools/_lock.ts";

Deno.test("withLock() runs a second call once the first is done, naming the holder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lock-" });
  try {
    const path = join(dir, ".lock");
    const order: string[] = [];
    const inside = Promise.withResolvers<void>(), release = Promise.withResolvers<void>();
    const first = withLock(path, async () => {
      order.push("first in");
      inside.resolve();
      assertEquals(await Deno.readTextFile(path), `${Deno.pid}\n`);
      await release.promise;
      order.push("first out");
    });
    await inside.promise;
    const waits: (number | null)[] = [];
    const second = withLock(path, () => {
      order.push("second");
      return Promise.resolve();
    }, { onWait: (pid) => (waits.push(pid), release.resolve()) });
    await Promise.all([first, second]);
    assertEquals(order, ["first in", "first out", "second"]);
    assertEquals(waits, [Deno.pid]);
    assertEquals([...Deno.readDirSync(dir)], [], "the lock file is removed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock() passes on what the work throws, and removes the lock file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lock-" });
  try {
    const path = join(dir, ".lock");
    await assertRejects(
      () => withLock(path, () => Promise.reject(new RangeError("no"))),
      RangeError,
    );
    assertEquals([...Deno.readDirSync(dir)], []);
    await assertRejects(
      () => withLock(join(dir, "missing", ".lock"), () => Promise.resolve()),
      Deno.errors.NotFound,
      join(dir, "missing", ".lock"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockWaitMessage() names the lock file, the holder and what to do", () => {
  assertEquals(
    lockWaitMessage("r/.lock", 12, "a run"),
    "r/.lock is held by process 12 (a run): waiting until it is released. If that process " +
      "hangs, stop it (kill 12) and this one goes on",
  );
  assertEquals(
    lockWaitMessage("r/.lock", null),
    "r/.lock is held by another process: waiting until it is released. If that process " +
      "hangs, stop it and this one goes on",
  );
});

Deno.test("withLock() writes its process id over a longer one a killed holder left", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lock-" });
  try {
    const path = join(dir, ".lock");
    await Deno.writeTextFile(path, "4294967295\n");
    const text = await withLock(path, () => Deno.readTextFile(path));
    assertEquals(text, `${Deno.pid}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
