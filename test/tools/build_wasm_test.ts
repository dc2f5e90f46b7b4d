import { assert, assertEquals } from "@std/assert";
import { kernelsWasmBytes } from "../../lib/train/kernels/_wasm.ts";
import { compileKernelsWat, renderKernelsModule } from "../../tools/build_wasm.ts";

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
