// lib/models/_engine.ts says it is the models library's one import point for lib/train: this
// test reads every module of lib/models and keeps that true.

import { assertEquals } from "@std/assert";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MODELS = fileURLToPath(new URL("../../lib/models/", import.meta.url));
const TRAIN = fileURLToPath(new URL("../../lib/train/", import.meta.url));

/** The relative specifiers a module's code imports or re-exports (doc comments left out). */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const statement = /^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|^import\s+"(\.[^"]+)"/gm;
  for (const m of code.matchAll(statement)) found.push(m[1] ?? m[2]);
  for (const m of code.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g)) {
    const line = code.slice(code.lastIndexOf("\n", m.index) + 1, m.index);
    if (!/^\s*(\*|\/\/)/.test(line)) found.push(m[1]);
  }
  return found;
}

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* modules(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("lib/models imports lib/train only through lib/models/_engine.ts", async () => {
  const direct: string[] = [];
  for await (const path of modules(MODELS)) {
    if (path === join(MODELS, "_engine.ts")) continue;
    for (const spec of specifiers(await Deno.readTextFile(path))) {
      const target = resolve(path, "..", spec);
      if (target.startsWith(TRAIN)) direct.push(`${relative(MODELS, path)} imports ${spec}`);
    }
  }
  assertEquals(direct.sort(), []);
});

Deno.test("the import scan of engine_test.ts finds static, side-effect and dynamic imports", () => {
  const code = [
    'import { a } from "../train/a.ts";',
    "import {",
    "  b,",
    '} from "./b.ts";',
    'export { c } from "../train/c.ts";',
    'import "../train/d.ts";',
    'const e = await import("../train/e.ts");',
    ' * import { f } from "../train/f.ts";',
    ' *   await import("../train/g.ts");',
  ].join("\n");
  assertEquals(specifiers(code), [
    "../train/a.ts",
    "./b.ts",
    "../train/c.ts",
    "../train/d.ts",
    "../train/e.ts",
  ]);
});
