// `deno task test` runs test modules and doc examples side by side in one process: they share its
// environment and working folder. CI failed once when one doc example set NB_QUICK while another
// read it. A test that needs a variable set runs the code in a child (test/_child.ts).

import { assertEquals } from "@std/assert";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Calls that change what every module of the process sees. */
const PROCESS_WIDE = /\bDeno\s*\.\s*(?:env\s*\.\s*(?:set|delete)|chdir)\s*\(/;

/** The `.ts` files under `dir`, recursively, fixtures left out. */
async function* typescriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "fixtures") yield* typescriptFiles(path);
    else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

/** `text` with every string literal blanked (lines kept): code a child runs, or words. */
function withoutStrings(text: string): string {
  return text.replace(
    /`(?:\\[\s\S]|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g,
    (m) => m.replace(/[^\n]/g, " "),
  );
}

/** `text` with everything but its doc examples (```ts blocks not marked ignore) blanked. */
function docExamplesOnly(text: string): string {
  const lines = text.split("\n");
  let inside = false;
  return lines.map((line) => {
    const body = line.replace(/^\s*\*\s?/, "");
    if (!inside && /^```(?:ts|typescript)\s*$/.test(body)) {
      inside = true;
      return "";
    }
    if (inside && body.startsWith("```")) inside = false;
    return inside ? body : "";
  }).join("\n");
}

/** `file:line` of each process-wide call in `text`. */
function calls(path: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) =>
    PROCESS_WIDE.test(line) ? [`${relative(ROOT, path)}:${i + 1}`] : []
  );
}

Deno.test("no test module or doc example changes the process's environment or working folder", async () => {
  const found: string[] = [];
  for await (const path of typescriptFiles(`${ROOT}test`)) {
    found.push(...calls(path, withoutStrings(await Deno.readTextFile(path))));
  }
  for (const dir of ["lib", "tools", "bench"]) {
    for await (const path of typescriptFiles(`${ROOT}${dir}`)) {
      found.push(...calls(path, docExamplesOnly(await Deno.readTextFile(path))));
    }
  }
  assertEquals(found, [], "run such code in a child: runWithEnv() in test/_child.ts");
});

Deno.test("the scan finds a call in a test's code and in a doc example, not in a child's code", () => {
  const test = 'const a = 1;\nDeno.env.set("X", "1");\nrunWithEnv(`Deno.env.set("Y", "2")`, {});';
  assertEquals(calls(`${ROOT}t.ts`, withoutStrings(test)), ["t.ts:2"]);
  const doc = [
    "/**",
    " * ```ts",
    ' * Deno.env.delete("X");',
    " * ```",
    " * ```ts ignore",
    " * Deno.chdir('/');",
    " * ```",
    " */",
    'Deno.env.set("Z", "3"); // a program\'s own code, not an example',
  ].join("\n");
  assertEquals(calls(`${ROOT}l.ts`, docExamplesOnly(doc)), ["l.ts:3"]);
});
