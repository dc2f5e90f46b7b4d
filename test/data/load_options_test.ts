// loadMovieLens() checks its options before it reads anything: an unknown name, or a value of the
// wrong kind, is refused naming the option, rather than ignored, read as something else, or
// failing later (only when the data hold a repeated pair) with an internal message.

import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { loadMovieLens, type LoadOptions } from "../../lib/data/mod.ts";
import { copyFolder, LATEST_TINY, withTempDir } from "./_helpers.ts";

const DUPLICATED = "userId,movieId,rating,timestamp\r\n1,1,4.0,100\r\n1,1,5.0,200\r\n";

Deno.test("loadMovieLens() refuses options of the wrong kind, naming them, before reading", async () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ duplicates: "x" }, 'expected duplicates to be "last", "keep" or "error", found "x"'],
    [{ verify: "no" }, "expected verify to be true or false, found string no"],
    [{ download: 0 }, "expected download to be true or false, found number 0"],
    [{ onWarning: 5 }, "expected onWarning to be a function, found number 5"],
    [{ dir: 5 }, "expected dir to be a folder path, found number 5"],
    [{ cacheDir: "" }, 'expected cacheDir to be a folder path, found ""'],
    [{ verifiy: false }, 'unknown option "verifiy" (did you mean "verify"?)'],
    [{ duplicate: "keep" }, 'unknown option "duplicate" (did you mean "duplicates"?)'],
  ];
  await withTempDir(async (dir) => {
    const data = await copyFolder(LATEST_TINY, join(dir, "data"), { "ratings.csv": DUPLICATED });
    for (const [options, message] of bad) {
      await assertRejects(
        () => loadMovieLens(data, options as LoadOptions),
        TypeError,
        `loadMovieLens(): ${message}`,
      );
    }
    await assertRejects(
      () => loadMovieLens("ml-100k", { dir: 5 } as unknown as LoadOptions),
      TypeError,
      "loadMovieLens(): expected dir to be a folder path, found number 5",
    );
    const seen: string[] = [];
    const ml = await loadMovieLens(data, { duplicates: "last", onWarning: (m) => seen.push(m) });
    assertEquals([ml.ratings.height, seen.length], [1, 1]);
  });
});
