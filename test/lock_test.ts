import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { lockWaitMessage, withLock } from "../lib/_lock.ts";
import { withTempDir } from "./data/_helpers.ts";

Deno.test("withLock() runs a second call once the first is done, naming the holder", async () => {
  await withTempDir(async (dir) => {
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
  });
});

Deno.test("withLock() passes on what the work throws, and removes the lock file", async () => {
  await withTempDir(async (dir) => {
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
  });
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
  await withTempDir(async (dir) => {
    const path = join(dir, ".lock");
    await Deno.writeTextFile(path, "4294967295\n");
    const text = await withLock(path, () => Deno.readTextFile(path));
    assertEquals(text, `${Deno.pid}\n`);
  });
});

Deno.test("withLock() starts again on the new file when the one it waited on was removed", async () => {
  // A holds the lock; B waits on A's file. A removes the file on the way out, so B's lock
  // lands on a file no longer at the path: B must start again on the path's new file, or a C
  // arriving now would lock that new file while B runs, and the two would run at once.
  await withTempDir(async (dir) => {
    const path = join(dir, ".lock");
    let inside = 0, most = 0;
    const enter = () => void (most = Math.max(most, ++inside));
    const aIn = Promise.withResolvers<void>(), aGo = Promise.withResolvers<void>();
    const a = withLock(path, async () => {
      enter();
      aIn.resolve();
      await aGo.promise;
      inside--;
    });
    await aIn.promise;
    const bWaits = Promise.withResolvers<void>();
    let c: Promise<void> | undefined;
    const b = withLock(path, async () => {
      enter();
      c = withLock(path, async () => {
        enter();
        await new Promise((r) => setTimeout(r, 10));
        inside--;
      }, { onWait: () => {} });
      await new Promise((r) => setTimeout(r, 100)); // C, if it could, would be in by now
      inside--;
    }, { onWait: () => bWaits.resolve() });
    await bWaits.promise;
    aGo.resolve();
    await Promise.all([a, b]);
    await c;
    assertEquals(most, 1, "two runs held the lock at once");
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});
