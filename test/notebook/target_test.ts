// Where display output goes (lib/notebook/_target.ts): Deno.jupyter in the kernel, stdout and
// stderr elsewhere, or a target set in their place. The defaults are read in child processes: a
// stand-in kernel (test/notebook/_stand_in_kernel.ts), or a plain Deno whose stdout and stderr
// are pipes.

import { assert, assertEquals } from "@std/assert";
import { md, setDisplayTarget } from "../../lib/notebook/display.ts";
import { inStandInKernel } from "./_stand_in_kernel.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

const SHOW_MARKDOWN = `
const { inJupyter, md } = await import(LIB + "notebook/display.ts");
await md("# Results");
return { inJupyter: inJupyter(), displayed };
`;

Deno.test("in the kernel the display helpers send to Deno.jupyter", async () => {
  assertEquals(await inStandInKernel(SHOW_MARKDOWN), {
    inJupyter: true,
    displayed: [{
      obj: { "text/markdown": "# Results", "text/plain": "# Results" },
      options: { raw: true },
    }],
  });
});

Deno.test("a Deno.jupyter without display() counts as no kernel for the display helpers", async () => {
  assertEquals(
    await inStandInKernel(SHOW_MARKDOWN, { jupyter: ["broadcast"] }),
    { inJupyter: false, displayed: [] },
  );
});

Deno.test("setDisplayTarget({ jupyter: null }) prints even in the kernel", async () => {
  const out = await inStandInKernel(`
const { md, setDisplayTarget } = await import(LIB + "notebook/display.ts");
const printed = [];
const restore = setDisplayTarget({ jupyter: null, stdout: (text) => printed.push(text) });
await md("# Results");
restore();
return { printed, displayed };
`);
  assertEquals(out, { printed: ["# Results"], displayed: [] });
});

Deno.test("outside the kernel displays go to stdout, a live line to stderr, cut to 120 columns", async () => {
  const display = new URL("../../lib/notebook/display.ts", import.meta.url).href;
  const live = new URL("../../lib/notebook/live.ts", import.meta.url).href;
  const code = `
import { md } from ${JSON.stringify(display)};
import { liveDisplay } from ${JSON.stringify(live)};
await md("# Results");
const line = liveDisplay("epoch 1/3"); // stderr is a pipe: full lines, as in a log
await line.close("3 epochs, val_loss 0.81");
// In a terminal whose width is unknown (stdin, stdout and stderr are no terminals): 120.
await liveDisplay("x".repeat(200), { mode: "terminal" }).close();
`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", "--config", CONFIG, code],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
  assert(out.success, stderr);
  assertEquals(stdout, "# Results\n");
  assertEquals(
    stderr,
    "epoch 1/3\n3 epochs, val_loss 0.81\n" + `\r\x1b[2K${"x".repeat(118)}…\n`,
  );
});

Deno.test("setDisplayTarget() keeps the target as given, whatever the caller changes later", async () => {
  const printed: string[] = [];
  const target = { jupyter: null, stdout: (text: string) => void printed.push(`given: ${text}`) };
  const restore = setDisplayTarget(target);
  try {
    target.stdout = (text) => void printed.push(`changed: ${text}`);
    await md("# Results");
  } finally {
    restore();
  }
  assertEquals(printed, ["given: # Results"]);
});

Deno.test("setDisplayTarget()'s restore puts back the target before it, not the defaults", async () => {
  const printed: string[] = [];
  const restoreOuter = setDisplayTarget({
    jupyter: null,
    stdout: (text) => void printed.push(`outer: ${text}`),
  });
  try {
    const restoreInner = setDisplayTarget({
      jupyter: null,
      stdout: (text) => void printed.push(`inner: ${text}`),
    });
    await md("one");
    restoreInner();
    await md("two");
  } finally {
    restoreOuter();
  }
  assertEquals(printed, ["inner: one", "outer: two"]);
});
