import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { kernelsWasmBytes } from "../../lib/train/kernels/_wasm.ts";
import {
  buildKernelsModule,
  compileKernelsWat,
  parseBuildArgs,
  renderKernelsModule,
  USAGE,
} from "../../tools/build_wasm.ts";
import { assertHelp, assertUsageError, assertUsageMatches } from "./_usage.ts";

Deno.test("the committed WebAssembly is what kernels.wat compiles to", async () => {
  const fresh = await compileKernelsWat();
  const committed = kernelsWasmBytes();
  assertEquals(committed.length, fresh.length, "rebuild with `deno task build:wasm`");
  assert(committed.every((b, i) => b === fresh[i]), "rebuild with `deno task build:wasm`");
});

Deno.test("renderKernelsModule() writes the module that deno task build:wasm commits", async () => {
  const committed = await Deno.readTextFile(
    new URL("../../lib/train/kernels/_kernels_wasm.ts", import.meta.url),
  );
  assertEquals(renderKernelsModule(kernelsWasmBytes()), committed);
});

Deno.test("deno task build:wasm --help prints its usage and a stray argument is refused; neither writes", async () => {
  const target = new URL("../../lib/train/kernels/_kernels_wasm.ts", import.meta.url);
  const before = (await Deno.stat(target)).mtime?.getTime();
  assertThrows(() => parseBuildArgs(["--fast"]), TypeError, 'unknown flag "--fast"');
  assertThrows(() => parseBuildArgs(["kernels.wat"]), TypeError, 'unknown argument "kernels.wat"');
  assertThrows(
    () => parseBuildArgs(["--out"]),
    TypeError,
    "--out: expected a value, found nothing",
  );
  assertThrows(
    () => parseBuildArgs(["--out", "a.ts", "--out=b.ts"]),
    TypeError,
    '--out: expected once, found a second value "b.ts"',
  );
  assertThrows(() => parseBuildArgs(["--out="]), TypeError, '--out: expected a path, found ""');
  assertEquals(parseBuildArgs(["--out", "x.ts"]), { out: "x.ts" });
  assertUsageMatches(USAGE, ["--out", "-h", "--help"], (flag) => parseBuildArgs([flag, "x.ts"]));
  await assertHelp("tools/build_wasm.ts", USAGE);
  await assertUsageError("tools/build_wasm.ts", ["--fast"], 'unknown flag "--fast"');
  await assertUsageError(
    "tools/build_wasm.ts",
    ["--out"],
    "--out: expected a value, found nothing",
  );
  assertEquals((await Deno.stat(target)).mtime?.getTime(), before, "the module was written");
});

/** The names in `dir`, sorted. */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("buildKernelsModule() writes the committed module to the path it is given, and nothing else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "build-wasm-" });
  try {
    const out = join(dir, "kernels", "_kernels_wasm.ts");
    assertEquals(await buildKernelsModule(out), kernelsWasmBytes().length);
    const committed = await Deno.readTextFile(
      new URL("../../lib/train/kernels/_kernels_wasm.ts", import.meta.url),
    );
    assertEquals(await Deno.readTextFile(out), committed);
    assertEquals(names(join(dir, "kernels")), ["_kernels_wasm.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildKernelsModule() leaves the old module and no temporary file when the source does not compile", async () => {
  const dir = await Deno.makeTempDir({ prefix: "build-wasm-" });
  try {
    const out = join(dir, "_kernels_wasm.ts");
    await Deno.writeTextFile(out, "// old\n");
    await assertRejects(() => buildKernelsModule(out, "(module (func (i32.nonsense)))"), Error);
    assertEquals(await Deno.readTextFile(out), "// old\n");
    assertEquals(names(dir), ["_kernels_wasm.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const hasBash = Deno.build.os === "linux" &&
  (() => {
    try {
      return Deno.statSync("/bin/bash").isFile;
    } catch {
      return false;
    }
  })();

Deno.test({
  name:
    "deno task build:wasm --out leaves the old module whole and no temporary file when a write fails",
  ignore: !hasBash,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "build-wasm-" });
    try {
      const out = join(dir, "_kernels_wasm.ts");
      await Deno.writeTextFile(out, "// old\n");
      // A file-size limit below the module's size (ignored SIGXFSZ: the write fails with EFBIG,
      // as on a full disk). Written in place, the module was cut at the limit.
      const size = new TextEncoder().encode(renderKernelsModule(kernelsWasmBytes())).length;
      const kib = Math.floor(size / 1024 / 2);
      const tool = new URL("../../tools/build_wasm.ts", import.meta.url).pathname;
      const run = await new Deno.Command("/bin/bash", {
        args: [
          "-c",
          `trap '' XFSZ; ulimit -f ${kib}; exec "$0" run -A "$1" --out "$2"`,
          Deno.execPath(),
          tool,
          out,
        ],
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(run.stderr).trimEnd();
      assertEquals(run.code, 1, stderr);
      assert(stderr.startsWith(`error: cannot write ${out}: File too large`), stderr);
      assertEquals(stderr.split("\n").length, 1, stderr);
      assertEquals(await Deno.readTextFile(out), "// old\n");
      assertEquals(names(dir), ["_kernels_wasm.ts"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
