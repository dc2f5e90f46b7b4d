// `deno doc --lint` on lib's entry points keeps the public API's documentation complete: every
// export has a doc comment and explicit types, and no public signature names a type of ours that
// its entry point does not export. The lint runs in a child process (it is a CLI command).

import { fail } from "@std/assert";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Types of tfjs and nodejs-polars that public signatures name. The lint reports them as private
 * types because lib does not re-export them; users get them from those packages, and re-exporting
 * them only to quiet the lint would add names lib does not own to its API. The lint names a type,
 * not its package, so lib's private aliases of the same names pass too: `DataFrame`
 * (lib/_validate.ts, `pl.DataFrame`) and `Initializer` (lib/models/_init.ts, tfjs's initializer).
 */
const THIRD_PARTY_TYPES: ReadonlySet<string> = new Set([
  // nodejs-polars
  "DataFrame",
  "pl",
  "Series",
  // tfjs
  "ConfigDict",
  "Initializer",
  "Layer",
  "LayersModel",
  "NamedTensorMap",
  "Optimizer",
  "Shape",
  "Tensor",
  "Tensor1D",
  "Tensor2D",
  "Variable",
]);

/** lib's entry points: the public files at its top (no `_` prefix) and each folder's mod.ts. */
async function entryPoints(): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}lib`)) {
    if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.startsWith("_")) {
      paths.push(`lib/${entry.name}`);
    } else if (entry.isDirectory) {
      try {
        await Deno.stat(`${ROOT}lib/${entry.name}/mod.ts`);
        paths.push(`lib/${entry.name}/mod.ts`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  }
  return paths.sort();
}

/** One error of `deno doc --lint`: its kind, message and `file:line:col`. */
interface DocLintError {
  kind: string;
  message: string;
  where: string;
}

/** The errors in the lint's output, and the count its last line gives (null when absent). */
function parseLint(output: string): { errors: DocLintError[]; reported: number | null } {
  const lines = output.split("\n");
  const errors: DocLintError[] = [];
  lines.forEach((line, i) => {
    const head = line.match(/^error\[([\w-]+)\]: (.*)$/);
    if (!head) return;
    const at = lines[i + 1]?.match(/^\s*--> (.*)$/);
    errors.push({ kind: head[1], message: head[2], where: at ? at[1].replace(ROOT, "") : "?" });
  });
  const total = output.match(/^error: Found (\d+) documentation lint errors?\./m);
  return { errors, reported: total ? Number(total[1]) : null };
}

/** Whether an error is a reference to a tfjs or nodejs-polars type (accepted). */
function isThirdPartyRef(error: DocLintError): boolean {
  const ref = error.message.match(/references private type '([^']+)'$/);
  return error.kind === "private-type-ref" && ref !== null && THIRD_PARTY_TYPES.has(ref[1]);
}

Deno.test("deno doc --lint finds lib's API documented, tfjs and Polars types aside", async () => {
  const paths = await entryPoints();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...paths],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) return;
  const output = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const { errors, reported } = parseLint(output);
  if (reported === null || reported !== errors.length) {
    fail(
      `deno doc --lint ${paths.join(" ")} failed (exit ${out.code}) and ${errors.length} of its ` +
        `errors were read (it reported ${reported ?? "no count"}):\n${output}`,
    );
  }
  const left = errors.filter((e) => !isThirdPartyRef(e));
  if (left.length > 0) {
    fail(
      `deno doc --lint ${paths.join(" ")}: ${left.length} error(s) besides references to ` +
        `tfjs and nodejs-polars types:\n` +
        left.map((e) => `  ${e.where}  error[${e.kind}]: ${e.message}`).join("\n"),
    );
  }
});
