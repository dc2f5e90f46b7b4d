import { assert, assertEquals } from "@std/assert";
import {
  type CallSiteLike,
  definingCell,
  denoStack,
  describeCell,
  hintedMessage,
  installReferenceHints,
  missingName,
  openNotebook,
  thrownByCell,
  topLevelNames,
} from "../../lib/notebook/_cell_hints.ts";

Deno.test("topLevelNames() finds the names a cell declares at its top level", () => {
  const source = [
    'import pl from "nodejs-polars";',
    'import * as tf from "@tensorflow/tfjs";',
    "import {",
    "  buildModel,",
    "  type History,",
    "  predictRatings as predict,",
    '} from "../lib/models/mod.ts";',
    'import type { Recommender } from "../lib/models/mod.ts";',
    'import "../lib/side_effect.ts";',
    'const SEED = param("SEED", 42); // a comment',
    "export const exported = 1;",
    "let a, b;",
    "const { ratings, movies: titles, ...rest } = ml;",
    "const [first, , third] = pairs;",
    "const model = buildModel({",
    "  const: 1,",
    "});",
    "async function fit() {",
    "  const inner = 1;",
    "}",
    "function* gen() {}",
    "class Net {}",
    "if (x) {",
    "  let hidden = 2;",
    "}",
    'const lazy = await import("./x.ts");',
  ].join("\n");
  assertEquals(topLevelNames(source).sort(), [
    "Net",
    "SEED",
    "a",
    "b",
    "buildModel",
    "exported",
    "first",
    "fit",
    "gen",
    "lazy",
    "model",
    "pl",
    "predict",
    "ratings",
    "rest",
    "tf",
    "third",
    "titles",
  ]);
});

Deno.test("definingCell() and describeCell() name the first cell that declares a name", () => {
  const cells = [
    { cell: 2, source: 'import { train } from "../lib/models/mod.ts";\n' },
    {
      cell: 4,
      source: "// the model\nconst model = buildModel(recipes.dotBias(), { users, movies });\n",
    },
    { cell: 6, source: "const model = 2;\n" },
  ];
  assertEquals(definingCell(cells, "model")?.cell, 4);
  assertEquals(definingCell(cells, "train")?.cell, 2);
  assertEquals(definingCell(cells, "nothing"), undefined);
  assertEquals(
    describeCell(cells[1]),
    "cell 4 (`const model = buildModel(recipes.dotBias(), { users, movies });`)",
  );
  const long = `const x = ${"1 + ".repeat(30)}1;`;
  assertEquals(
    describeCell({ cell: 9, source: long }, "02_nn.ipynb"),
    `cell 9 of 02_nn.ipynb (\`${long.slice(0, 69)}…\`)`,
  );
});

Deno.test("hintedMessage() says which cell defines a missing name and to run the cells above", () => {
  const cell = { cell: 12, source: "const model = buildModel();\n" };
  assertEquals(
    hintedMessage("model is not defined", { notebook: "02_nn.ipynb", cell }),
    "model is not defined: cell 12 of 02_nn.ipynb (`const model = buildModel();`) defines it; " +
      "run it first, or every cell above with Cell › Run All Above",
  );
  assertEquals(
    hintedMessage("model is not defined", null),
    "model is not defined: if an earlier cell defines it, run the cells above first " +
      "(Cell › Run All Above)",
  );
  assertEquals(
    hintedMessage("modle is not defined", { notebook: "02_nn.ipynb" }),
    "modle is not defined, and no cell of 02_nn.ipynb declares it at its top level",
  );
  const once = hintedMessage("model is not defined", null);
  assertEquals(hintedMessage(once, null), once);
  assertEquals(hintedMessage("x.map is not a function", null), "x.map is not a function");
  assertEquals(missingName("Cannot access 'x' before initialization"), null);
});

async function notebookDir(notebooks: Record<string, string[]>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "hints-test-" });
  for (const [name, sources] of Object.entries(notebooks)) {
    const cells = [
      { cell_type: "markdown", source: "# t" },
      ...sources.map((source) => ({ cell_type: "code", source: source.split(/(?<=\n)/) })),
    ];
    await Deno.writeTextFile(`${dir}/${name}`, JSON.stringify({ nbformat: 4, cells }));
  }
  return dir;
}

Deno.test("openNotebook() tells the open notebook by the cells run so far", async () => {
  const dir = await notebookDir({
    "a.ipynb": ["const SEED = 1;", "const model = 1;"],
    "b.ipynb": ["const SEED = 1;", "const other = 2;", "const model = 3;"],
  });
  try {
    assertEquals(openNotebook({ dir, executed: [] }), null);
    assertEquals(openNotebook({ dir, executed: ["const SEED = 1;"] }), null); // a tie
    const b = openNotebook({ dir, executed: ["const SEED = 1;", "const other = 2;\n"] });
    assertEquals(b?.notebook, "b.ipynb");
    assertEquals(definingCell(b!.cells, "model")?.cell, 4);
    assertEquals(
      openNotebook({ dir, executed: [], sessionName: `${dir}/a.ipynb` })?.notebook,
      "a.ipynb",
    );
    await Deno.remove(`${dir}/b.ipynb`);
    assertEquals(openNotebook({ dir, executed: [] })?.notebook, "a.ipynb"); // the only one
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const site = (text: string, file: string | null | undefined): CallSiteLike => ({
  getFileName: () => file,
  toString: () => text,
});

Deno.test("denoStack() writes a stack as Deno does, files as URLs", () => {
  const error = new TypeError("boom");
  assertEquals(
    denoStack(error, [
      site("boom (/work/a b/m.ts:1:32)", "/work/a b/m.ts"),
      site("<anonymous>:1:22", ""),
      site("ext:core/01_core.js:10:5", "ext:core/01_core.js"),
    ]),
    "TypeError: boom\n    at boom (file:///work/a%20b/m.ts:1:32)\n    at <anonymous>:1:22" +
      "\n    at ext:core/01_core.js:10:5",
  );
  assertEquals(denoStack(Object.assign(new Error(""), { name: "Oops" }), []), "Oops");
});

Deno.test("thrownByCell() is true only for a missing name thrown by code outside any file", () => {
  const missing = new ReferenceError("model is not defined");
  assert(thrownByCell(missing, [site("<anonymous>:1:1", "")]));
  assert(thrownByCell(missing, [site("eval", undefined)]));
  assert(!thrownByCell(missing, [site("f (/lib/x.ts:1:1)", "/lib/x.ts")]));
  assert(!thrownByCell(missing, []));
  assert(!thrownByCell(new TypeError("model is not defined"), [site("<anonymous>:1:1", "")]));
  assert(!thrownByCell(new ReferenceError("x"), [site("<anonymous>:1:1", "")]));
});

Deno.test("installReferenceHints() adds the hint to a missing name's message and stack only", async () => {
  const dir = await notebookDir({ "only.ipynb": ["const SEED = 1;", "const model = 2;"] });
  const ErrorCtor = Error as unknown as { prepareStackTrace?: unknown };
  const before = ErrorCtor.prepareStackTrace;
  try {
    assertEquals(installReferenceHints(() => ({ dir, executed: [] })), "installed");
    assertEquals(installReferenceHints(() => ({ dir, executed: [] })), "already installed");
    let caught: Error | undefined;
    try {
      (0, eval)("model + 1"); // code outside any file, as a cell's is
    } catch (error) {
      caught = error as Error;
    }
    const expected =
      "model is not defined: cell 3 of only.ipynb (`const model = 2;`) defines it; " +
      "run it first, or every cell above with Cell › Run All Above";
    assert(caught?.stack?.startsWith(`ReferenceError: ${expected}\n    at `), caught?.stack);
    assertEquals(caught?.message, expected);
    const other = new TypeError("not a cell's");
    assert(other.stack?.startsWith("TypeError: not a cell's\n    at "), other.stack);
    assert(other.stack?.includes(import.meta.url), other.stack);
  } finally {
    ErrorCtor.prepareStackTrace = before;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openNotebook() passes over a notebook it cannot read and goes on to the next", async () => {
  const dir = await notebookDir({
    "b.ipynb": ["const SEED = 1;", "const other = 2;"],
    "c.ipynb": ["const SEED = 1;"],
  });
  try {
    await Deno.writeTextFile(`${dir}/a.ipynb`, "{ not json");
    const found = openNotebook({ dir, executed: ["const SEED = 1;", "const other = 2;"] });
    assertEquals(found?.notebook, "b.ipynb");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
