// The fresh-machine path's child process (private to tools/notebooks). The runner starts
// `deno run -A _fresh_main.ts <generated module>` in the notebook's folder; the generated module
// imports `__nb` from here, calls `__nb.begin(n)` / `__nb.value(n, v)` / `__nb.end(n)` around
// its cells, and everything the kernel would show is printed as plain text. Events (cell
// timings, outputs, the error) go as JSON lines to the file named by NB_EVENTS.
// `Deno.jupyter` is provided (display, md, html, svg, format, …) so that notebook code written
// for the Deno kernel runs unchanged.

import {
  bundleToText,
  cellHeader,
  formatSeconds,
  type MimeBundle,
  tagged,
} from "../../lib/notebook/_format.ts";

const $display = Symbol.for("Jupyter.display");

interface CellInfo {
  count: number;
  cell: number;
  preview: string;
}

/** One JSON line of the events file. */
export type HostEvent =
  | { event: "begin"; count: number }
  | { event: "value"; count: number; mimes: string[]; text: string }
  | { event: "display"; count: number; mimes: string[]; text: string; id?: string; update: boolean }
  | { event: "end"; count: number; seconds: number }
  | { event: "error"; count: number; name: string; message: string; stack: string };

const eventsPath = Deno.env.get("NB_EVENTS");
const live = Deno.env.get("NB_LIVE") === "1";
const cells = new Map<number, CellInfo>();
let current = 0;
let started = 0;
/** Text of each display id updated during the current cell and not yet printed. */
const pendingUpdates = new Map<string, string>();
let liveLineOpen = false;

function emit(event: HostEvent): void {
  if (eventsPath) {
    Deno.writeTextFileSync(eventsPath, JSON.stringify(event) + "\n", { append: true });
  }
}

function print(text: string): void {
  closeLiveLine();
  console.log(text);
}

function closeLiveLine(): void {
  if (liveLineOpen) {
    Deno.stdout.writeSync(new TextEncoder().encode("\n"));
    liveLineOpen = false;
  }
}

function isObject(value: unknown): value is Record<PropertyKey, unknown> {
  return value !== null && typeof value === "object";
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function startsWith(bytes: unknown, signature: number[]): bytes is Uint8Array {
  return bytes instanceof Uint8Array && bytes.length >= signature.length &&
    signature.every((b, i) => bytes[i] === b);
}

/** The MIME bundle the Deno kernel would send for a value (same duck typing as the kernel). */
async function formatValue(value: unknown): Promise<MimeBundle> {
  if (isObject(value) && typeof value[$display] === "function") {
    return await (value[$display] as () => MimeBundle | Promise<MimeBundle>)();
  }
  if (!isObject(value)) return { "text/plain": Deno.inspect(value, { colors: false }) };
  if (typeof value.toDataURL === "function") {
    const [head, data] = String((value.toDataURL as () => string)()).split(",");
    return { [head.split(":")[1].split(";")[0]]: data };
  }
  if (typeof value.toSpec === "function") {
    return { "application/vnd.vega.v5+json": (value.toSpec as () => unknown)() };
  }
  if (
    isObject(value.schema) && typeof value.head === "function" &&
    typeof value.toRecords === "function"
  ) {
    const frame = value as { head(n: number): { toRecords(): Record<string, unknown>[] } };
    return { "application/vnd.dataresource+json": { data: frame.head(50).toRecords() } };
  }
  if (startsWith(value, [0xff, 0xd8])) return { "image/jpeg": base64(value) };
  if (startsWith(value, [137, 80, 78, 71, 13, 10, 26, 10])) return { "image/png": base64(value) };
  if (typeof value.outerHTML === "string") {
    const markup = value.outerHTML;
    return markup.startsWith("<svg") ? { "image/svg+xml": markup } : { "text/html": markup };
  }
  return { "text/plain": Deno.inspect(value, { colors: false }) };
}

function isMediaBundle(value: unknown): value is MimeBundle {
  return isObject(value) && !Array.isArray(value);
}

function displayable(mime: string) {
  return (strings: TemplateStringsArray, ...values: unknown[]) => {
    const payload = strings.reduce((acc, s, i) => acc + s + (values[i] ?? ""), "");
    return { [$display]: () => ({ [mime]: payload }) };
  };
}

interface DisplayOptions {
  raw?: boolean;
  update?: boolean;
  display_id?: string;
}

async function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
  const bundle = options.raw && isMediaBundle(value) ? value : await formatValue(value);
  const text = bundleToText(bundle);
  const update = options.update === true;
  emit({
    event: "display",
    count: current,
    mimes: Object.keys(bundle),
    text,
    id: options.display_id,
    update,
  });
  const rewritable = live && options.display_id !== undefined && !text.includes("\n");
  if (!update && !rewritable) {
    print(text);
    return;
  }
  if (rewritable) {
    if (!update) closeLiveLine();
    Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${text}`));
    liveLineOpen = true;
  } else {
    pendingUpdates.set(options.display_id ?? "", text);
  }
}

/** What the generated module calls; see the file comment. */
export const __nb = {
  /** Registers the cells (count, position, first line) for the headers. */
  setup(infos: CellInfo[]): void {
    for (const info of infos) cells.set(info.count, info);
  },
  /** Marks the start of cell `count`. */
  begin(count: number): void {
    current = count;
    const info = cells.get(count);
    if (info) print(cellHeader(count, info.cell, info.preview));
    emit({ event: "begin", count });
    started = performance.now();
  },
  /** Shows the value of cell `count`'s last expression, as the kernel does. */
  async value(count: number, value: unknown): Promise<void> {
    if (value === undefined || value === null) return;
    const bundle = await formatValue(value);
    const text = bundleToText(bundle);
    emit({ event: "value", count, mimes: Object.keys(bundle), text });
    print(tagged(`Out[${count}]: `, text));
  },
  /** Marks the end of cell `count`: prints pending display updates and the time. */
  end(count: number): void {
    const seconds = (performance.now() - started) / 1000;
    for (const text of pendingUpdates.values()) print(text);
    pendingUpdates.clear();
    emit({ event: "end", count, seconds });
    print(`   ✓ ${formatSeconds(seconds)}`);
  },
  /** Called after the last cell. */
  done(): void {
    closeLiveLine();
  },
};

/** Records `error` as the failure of the current cell and exits with status 1. */
export function failCell(error: unknown): never {
  closeLiveLine();
  const e = error instanceof Error
    ? error
    : Object.assign(new Error(typeof error === "string" ? error : Deno.inspect(error)), {
      stack: "",
    });
  emit({ event: "error", count: current, name: e.name, message: e.message, stack: e.stack ?? "" });
  Deno.exit(1);
}

/** Makes `Deno.jupyter` (display, format, md, html, svg, image) work outside the kernel. */
export function installJupyterShim(): void {
  const jupyter = {
    $display,
    display,
    format: formatValue,
    md: displayable("text/markdown"),
    html: displayable("text/html"),
    svg: displayable("image/svg+xml"),
    image(value: Uint8Array | string) {
      const bytes = typeof value === "string" ? Deno.readFileSync(value) : value;
      const mime = startsWith(bytes, [0xff, 0xd8]) ? "image/jpeg" : "image/png";
      return { [$display]: () => ({ [mime]: base64(bytes) }) };
    },
    broadcast: () => Promise.resolve(),
  };
  (Deno as unknown as { jupyter: unknown }).jupyter = jupyter;
}
