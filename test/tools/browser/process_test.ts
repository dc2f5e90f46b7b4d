import { assert, assertEquals } from "@std/assert";
import { cleanUp, onCleanup, spawnChild } from "../../../tools/browser/process.ts";

Deno.test({
  name: "cleanUp() stops a child no clean-up owns yet before the clean-ups, then each owner's own",
  ignore: Deno.build.os === "windows",
  async fn() {
    // Ctrl-C while Chromium or the notebook server was starting: its owner had not registered it.
    const seen: string[] = [];
    onCleanup("temporary folders", () => void seen.push(`folders: starting ${starting.exited}`));
    const starting = spawnChild("sleep", ["60"], { name: "starting" });
    const owned = spawnChild("sleep", ["60"], { name: "owned" });
    onCleanup("owned", async () => {
      seen.push(`owned: owned ${owned.exited}`);
      await owned.stop();
    }, owned);
    try {
      assertEquals(await cleanUp(), []);
      assert(starting.exited, "the child that no clean-up owns is still running");
      // The owner stopped its own child; the folders went after both children had stopped.
      assertEquals(seen, ["owned: owned false", "folders: starting true"]);
      assert(owned.exited);
    } finally {
      await starting.stop(0);
      await owned.stop(0);
    }
  },
});
