// Turns a notebook's code cells into one TypeScript module with the Deno kernel's semantics
// (private to tools/notebooks): the cells share one module scope in order, top-level `await`
// works, static imports are hoisted (and deduplicated across cells), and each cell's last bare
// expression is handed to the host, which prints it as the cell's output. Lines of cell code
// keep their line numbers relative to the cell start, so stack traces map back to cells.

import { parse } from "@babel/parser";
import type { SourceCell } from "../../lib/notebook/_cell_hints.ts";
import { cellPreview } from "../../lib/notebook/_format.ts";

type Program = ReturnType<typeof parse>["program"];
type Statement = Program["body"][number];
type ImportDecl = Extract<Statement, { type: "ImportDeclaration" }>;
type Node = { type: string; start?: number | null; end?: number | null };

/** Where a compiled cell sits in the generated module. */
export interface CompiledCell {
  /** 1-based position of the cell in the notebook, markdown cells included. */
  cell: number;
  /** Execution count the cell gets (1, 2, … over the non-blank code cells). */
  count: number;
  /** 1-based line of the generated module on which the cell's first line sits. */
  firstLine: number;
  /** Number of lines of the cell's source. */
  lines: number;
  /**
   * Babel node type of the bare expression the cell ends in, whose value is shown
   * (`"CallExpression"`, `"Identifier"`, …), or `""` when it ends in none.
   */
  lastExpression: string;
}

/** The generated module and its map back to the cells. */
export interface CompiledNotebook {
  /** TypeScript source of the module. */
  code: string;
  /** The non-blank code cells in order. */
  cells: CompiledCell[];
}

/** A notebook that cannot become a module: a syntax error or a clash between cells. */
export class CompileError extends SyntaxError {
  /** 1-based cell the problem is in. */
  readonly cell: number;
  /** 1-based line inside the cell, when known. */
  readonly line?: number;

  constructor(message: string, cell: number, line?: number) {
    super(message);
    this.name = "SyntaxError";
    this.cell = cell;
    this.line = line;
  }
}

/** Name of the host object the generated module talks to; cells may not declare it. */
export const HOST_NAME = "__nb";

function parseCell(cell: SourceCell): Program {
  try {
    return parse(cell.source, {
      sourceType: "module",
      plugins: ["typescript"],
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: false,
    }).program;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const reason = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, "");
    const where = loc ? `line ${loc.line}:${loc.column + 1}: ` : "";
    throw new CompileError(`cell ${cell.cell}: ${where}${reason}`, cell.cell, loc?.line);
  }
}

function collectPatternNames(node: Node | null | undefined, out: string[]): void {
  if (!node) return;
  const n = node as Node & Record<string, unknown>;
  switch (n.type) {
    case "Identifier":
      out.push(n.name as string);
      break;
    case "ObjectPattern":
      for (const p of n.properties as Node[]) {
        collectPatternNames(
          p.type === "RestElement" ? p : (p as unknown as { value: Node }).value,
          out,
        );
      }
      break;
    case "ArrayPattern":
      for (const e of n.elements as (Node | null)[]) collectPatternNames(e, out);
      break;
    case "RestElement":
      collectPatternNames(n.argument as Node, out);
      break;
    case "AssignmentPattern":
      collectPatternNames(n.left as Node, out);
      break;
  }
}

/** Value names a top-level statement declares (types are left out: they may merge). */
function declaredNames(statement: Statement): string[] {
  const names: string[] = [];
  const s = statement.type === "ExportNamedDeclaration" && statement.declaration
    ? statement.declaration as Statement
    : statement;
  if (s.type === "VariableDeclaration") {
    for (const d of s.declarations) collectPatternNames(d.id as Node, names);
  } else if (
    (s.type === "FunctionDeclaration" || s.type === "ClassDeclaration" ||
      s.type === "TSEnumDeclaration") && s.id
  ) {
    names.push(s.id.name);
  }
  return names;
}

interface Binding {
  cell: number;
  /** For imports: where the name comes from, so that the same import twice is not a clash. */
  origin?: string;
}

function importOrigin(decl: ImportDecl, spec: ImportDecl["specifiers"][number]): string {
  const kind = decl.importKind === "type" || (spec as { importKind?: string }).importKind === "type"
    ? "type "
    : "";
  if (spec.type === "ImportDefaultSpecifier") return `${kind}default from ${decl.source.value}`;
  if (spec.type === "ImportNamespaceSpecifier") return `${kind}* from ${decl.source.value}`;
  const imported = spec.imported.type === "Identifier" ? spec.imported.name : spec.imported.value;
  return `${kind}{${imported}} from ${decl.source.value}`;
}

function importText(decl: ImportDecl, keep: ImportDecl["specifiers"], source: string): string {
  const whole = source.slice(decl.start!, decl.end!);
  if (keep.length === decl.specifiers.length) return whole;
  const tail = source.slice(decl.source.end!, decl.end!).replace(/;?\s*$/, "");
  const from = `${JSON.stringify(decl.source.value)}${tail}`;
  const typeKw = decl.importKind === "type" ? "type " : "";
  const parts: string[] = [];
  const named: string[] = [];
  for (const spec of keep) {
    const text = source.slice(spec.start!, spec.end!);
    if (spec.type === "ImportSpecifier") named.push(text);
    else parts.push(text);
  }
  if (named.length > 0) parts.push(`{ ${named.join(", ")} }`);
  return `import ${typeKw}${parts.join(", ")} from ${from};`;
}

/** Replaces `[start, end)` of `text` by `replacement`, keeping the newlines of the cut part. */
function blankOut(text: string, start: number, end: number, replacement = ""): string {
  const newlines = text.slice(start, end).replace(/[^\n]/g, "");
  return text.slice(0, start) + replacement + newlines + text.slice(end);
}

/** A text edit of a cell: `[start, end)` becomes `replacement` (newlines kept). */
interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/** A compiled cell's body before it is placed in the module. */
interface CellBody {
  cell: SourceCell;
  count: number;
  text: string;
  lastExpression: string;
}

/**
 * Compiles code cells into one module. Throws {@link CompileError} naming the cell for a syntax
 * error, a declaration repeated in a later cell (which the kernel allows but one module cannot)
 * or a cell that declares the host's name.
 */
export function compileCells(cells: SourceCell[], hostUrl: string): CompiledNotebook {
  const bind = binder();
  const imports: string[] = [];
  const sideEffectImports = new Set<string>();
  const bodies: CellBody[] = [];
  let count = 0;
  for (const cell of cells) {
    if (cell.source.trim() === "") continue;
    count++;
    const program = parseCell(cell);
    const edits: Edit[] = [];
    for (const statement of program.body) {
      const line = statement.loc?.start.line;
      if (statement.type !== "ImportDeclaration") {
        for (const name of declaredNames(statement)) bind(name, { cell: cell.cell }, line);
        continue;
      }
      const source = statement.source.value;
      if (statement.specifiers.length === 0) {
        if (!sideEffectImports.has(source)) {
          sideEffectImports.add(source);
          imports.push(cell.source.slice(statement.start!, statement.end!));
        }
      } else {
        const keep = statement.specifiers.filter((spec) =>
          bind(spec.local.name, { cell: cell.cell, origin: importOrigin(statement, spec) }, line)
        );
        if (keep.length > 0) imports.push(importText(statement, keep, cell.source));
      }
      edits.push({ start: statement.start!, end: statement.end!, replacement: "" });
    }
    const output = outputEdit(cell, program, count);
    if (output.edit) edits.push(output.edit);
    let text = cell.source;
    for (const edit of edits.sort((a, b) => b.start - a.start)) {
      text = blankOut(text, edit.start, edit.end, edit.replacement);
    }
    bodies.push({ cell, count, text, lastExpression: output.lastExpression });
  }
  return assemble(bodies, imports, hostUrl);
}

/**
 * The notebook's one scope: `bind(name, binding, line)` records a top-level name and says
 * whether an import of it is new (the same import in two cells is kept once); a name declared
 * again, or the host's name, is a {@link CompileError}.
 */
function binder(): (name: string, binding: Binding, line: number | undefined) => boolean {
  const bindings = new Map<string, Binding>();
  return (name, binding, line) => {
    if (name === HOST_NAME) {
      throw new CompileError(
        `cell ${binding.cell}: the name ${HOST_NAME} is reserved for the notebook runner`,
        binding.cell,
        line,
      );
    }
    const before = bindings.get(name);
    if (!before) {
      bindings.set(name, binding);
      return true;
    }
    if (binding.origin !== undefined && before.origin === binding.origin) return false;
    throw new CompileError(
      `cell ${binding.cell}: \`${name}\` is declared again (first declared in cell ${before.cell}); ` +
        "the Deno kernel allows that, but the notebook must also run as one module: rename one",
      binding.cell,
      line,
    );
  };
}

/**
 * The edit that hands a cell's last bare expression to the host as the cell's output, and the
 * expression's type. A cell that is only a string literal parses as a directive; it is an
 * expression all the same.
 */
function outputEdit(
  cell: SourceCell,
  program: Program,
  count: number,
): { edit?: Edit; lastExpression: string } {
  const last = program.body.at(-1);
  const lastDirective = program.directives.at(-1);
  if (lastDirective && (!last || lastDirective.end! > last.end!)) {
    const literal = cell.source.slice(lastDirective.value.start!, lastDirective.value.end!);
    return {
      edit: {
        start: lastDirective.start!,
        end: lastDirective.end!,
        replacement: `await ${HOST_NAME}.value(${count}, (${literal}));`,
      },
      lastExpression: "StringLiteral",
    };
  }
  if (last?.type === "ExpressionStatement") {
    const expression = cell.source.slice(last.expression.start!, last.expression.end!);
    return {
      edit: {
        start: last.start!,
        end: last.end!,
        replacement: `await ${HOST_NAME}.value(${count}, (${expression}));`,
      },
      lastExpression: last.expression.type,
    };
  }
  return { lastExpression: "" };
}

/** The module: the host import, the hoisted imports, then each cell between begin and end. */
function assemble(bodies: CellBody[], imports: string[], hostUrl: string): CompiledNotebook {
  const lines: string[] = [
    "// Generated by tools/notebooks/fresh_run.ts from a notebook's code cells; deleted after the run.",
    `import { ${HOST_NAME} } from ${JSON.stringify(hostUrl)};`,
    ...imports.flatMap((i) => i.split("\n")),
    `${HOST_NAME}.setup(${
      JSON.stringify(
        bodies.map((b) => ({
          count: b.count,
          cell: b.cell.cell,
          preview: cellPreview(b.cell.source),
        })),
      )
    });`,
  ];
  const compiled: CompiledCell[] = [];
  for (const body of bodies) {
    lines.push(`${HOST_NAME}.begin(${body.count});`);
    const cellLines = body.text.split("\n");
    compiled.push({
      cell: body.cell.cell,
      count: body.count,
      firstLine: lines.length + 1,
      lines: cellLines.length,
      lastExpression: body.lastExpression,
    });
    lines.push(...cellLines);
    lines.push(`;${HOST_NAME}.end(${body.count});`);
  }
  lines.push(`${HOST_NAME}.done();`, "");
  return { code: lines.join("\n"), cells: compiled };
}
