import { assert, assertEquals, assertThrows } from "@std/assert";
import { kernelsWasmBytes } from "../../lib/train/kernels/_wasm.ts";
import {
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
  assertThrows(() => parseBuildArgs(["--out", "x"]), TypeError, 'unknown flag "--out"');
  assertThrows(() => parseBuildArgs(["kernels.wat"]), TypeError, 'unknown argument "kernels.wat"');
  assertUsageMatches(USAGE, ["-h", "--help"], (flag) => parseBuildArgs([flag]));
  await assertHelp("tools/build_wasm.ts", USAGE);
  await assertUsageError("tools/build_wasm.ts", ["--out", "x"], 'unknown flag "--out"');
  assertEquals((await Deno.stat(target)).mtime?.getTime(), before, "the module was written");
});
