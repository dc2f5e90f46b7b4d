/**
 * The reference run: a notebook's code cells executed one at a time in a kernel of the same
 * notebook server, over its WebSocket API, each cell's outputs collected by the request that
 * produced them. After a cell reports idle, the next cell waits until the kernel has been quiet
 * for a while, so that no output can be published under another cell's request.
 *
 * @module
 */

import type { CellOutputs, NbOutput } from "./outputs.ts";
import type { NotebookServer } from "./server.ts";

/** A Jupyter message as the notebook server's WebSocket carries it. */
export interface WsMessage {
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  channel: string;
}

/**
 * A notebook file's code cell with its 0-based index in the notebook's `cells`, the index that
 * {@linkcode CellOutputs.cell} holds (tools/notebooks numbers cells from 1 instead, as
 * lib/notebook's `SourceCell`; messages print `index + 1`).
 */
export interface IndexedCodeCell {
  /** 0-based index in the notebook's `cells`, markdown cells included. */
  index: number;
  /** The cell's source, joined. */
  source: string;
}

/**
 * Reads the code cells of an nbformat 4 notebook with their 0-based index among all cells.
 *
 * @param notebook The parsed notebook.
 * @returns One entry per code cell, in order.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { indexedCodeCells } from "./kernel_ws.ts";
 * const nb = { cells: [{ cell_type: "markdown", source: "# A" }, { cell_type: "code", source: "1" }] };
 * assertEquals(indexedCodeCells(nb), [{ index: 1, source: "1" }]);
 * ```
 */
export function indexedCodeCells(notebook: { cells?: unknown }): IndexedCodeCell[] {
  if (!Array.isArray(notebook.cells)) {
    throw new TypeError(
      "indexedCodeCells(): expected an nbformat 4 notebook with a cells array",
    );
  }
  return notebook.cells.flatMap((c: { cell_type?: string; source?: string | string[] }, index) =>
    c.cell_type === "code"
      ? [{ index, source: Array.isArray(c.source) ? c.source.join("") : c.source ?? "" }]
      : []
  );
}

/**
 * Applies iopub messages to cells' outputs as Notebook 6 does: streams of the same name merge,
 * `update_display_data` replaces the cell's outputs with that display id, `clear_output`
 * clears (at the next output when `wait` is set).
 */
export class OutputCollector {
  #outputs = new Map<string, NbOutput[]>();
  #displays = new Map<string, Map<string, NbOutput[]>>();
  #clearPending = new Set<string>();
  /** Output messages whose request is not a known cell's. */
  readonly strays: WsMessage[] = [];

  /** Starts collecting for a request. */
  track(msgId: string): void {
    this.#outputs.set(msgId, []);
    this.#displays.set(msgId, new Map());
  }

  /** The outputs collected for a request. */
  outputs(msgId: string): NbOutput[] {
    return this.#outputs.get(msgId) ?? [];
  }

  /**
   * Handles one iopub message.
   *
   * @returns Whether it was an output (stream, display, result, error, update, clear).
   */
  add(msg: WsMessage): boolean {
    const type = msg.header.msg_type;
    if (
      !["stream", "display_data", "execute_result", "error", "update_display_data", "clear_output"]
        .includes(type)
    ) return false;
    const id = msg.parent_header.msg_id ?? "";
    const outputs = this.#outputs.get(id);
    if (!outputs) {
      this.strays.push(msg);
      return true;
    }
    const c = msg.content;
    if (type === "clear_output") {
      if (c.wait) this.#clearPending.add(id);
      else outputs.length = 0;
      return true;
    }
    const displayId = (c.transient as { display_id?: string } | undefined)?.display_id;
    if (type === "update_display_data") {
      for (const o of this.#displays.get(id)!.get(displayId ?? "") ?? []) {
        o.data = c.data as Record<string, unknown>;
        o.metadata = (c.metadata ?? {}) as Record<string, unknown>;
      }
      return true;
    }
    if (this.#clearPending.delete(id)) outputs.length = 0;
    let output: NbOutput;
    if (type === "stream") {
      const last = outputs.at(-1);
      if (last?.output_type === "stream" && last.name === c.name) {
        last.text = String(last.text) + String(c.text);
        return true;
      }
      output = { output_type: "stream", name: String(c.name), text: String(c.text) };
    } else if (type === "error") {
      output = {
        output_type: "error",
        ename: String(c.ename),
        evalue: String(c.evalue),
        traceback: (c.traceback ?? []) as string[],
      };
    } else {
      output = {
        output_type: type,
        data: (c.data ?? {}) as Record<string, unknown>,
        metadata: (c.metadata ?? {}) as Record<string, unknown>,
      };
      if (type === "execute_result") output.execution_count = c.execution_count as number;
      if (displayId) {
        const byId = this.#displays.get(id)!;
        byId.set(displayId, [...byId.get(displayId) ?? [], output]);
      }
    }
    outputs.push(output);
    return true;
  }
}

/** Options of {@linkcode runReference}. */
export interface ReferenceOptions {
  /**
   * Quiet time after a cell's idle status before the next cell is sent, in milliseconds. Deno
   * 2.9.6's kernel can publish a cell's result after reporting the cell finished; measured in
   * the reference runs of 01, 04 and 06 with lib/notebook's output flush switched off, such an
   * output came at most 5 ms after the end (12 of 121 cells), and with the flush on none came
   * late (236 cells). The run reports the latest it saw ({@linkcode ReferenceRun.latestMs}).
   * @default {200}
   */
  quietMs?: number;
  /**
   * Time limit per cell, in milliseconds.
   * @default {1800000}
   */
  cellTimeoutMs?: number;
  /** Called after each cell with its number (1-based among code cells) and the total. */
  progress?: (done: number, total: number) => void;
}

/** What {@linkcode runReference} returns. */
export interface ReferenceRun {
  /** Each code cell's outputs. */
  cells: CellOutputs[];
  /** Output messages whose request was no cell's. */
  strays: number;
  /**
   * The longest time from a cell's end (idle status and reply) to an output of it that came
   * after, in milliseconds (0 when none came late); a value near the quiet time would mean
   * the quiet time is too short for this machine.
   */
  latestMs: number;
}

/**
 * Runs `cells` one at a time in a new kernel started for `path` (so its working folder is the
 * notebook's), then shuts the kernel down.
 *
 * @param server The notebook server.
 * @param path The notebook's path relative to the server's root.
 * @param cells The code cells to run.
 * @param options Quiet time, time limit, progress callback.
 * @returns Each cell's outputs, and output messages of no cell.
 */
export async function runReference(
  server: Pick<NotebookServer, "baseUrl" | "token" | "api">,
  path: string,
  cells: IndexedCodeCell[],
  options: ReferenceOptions = {},
): Promise<ReferenceRun> {
  const { quietMs = 200, cellTimeoutMs = 1_800_000, progress } = options;
  // A session path of its own, so that the page opened later gets its own kernel.
  const sessionPath = path.replace(/\.ipynb$/, ".reference.ipynb");
  const session = await server.api<{ id: string; kernel: { id: string } }>(
    "POST",
    "api/sessions",
    { path: sessionPath, name: sessionPath, type: "notebook", kernel: { name: "deno" } },
  );
  const sessionId = crypto.randomUUID();
  const url = new URL(`api/kernels/${session.kernel.id}/channels`, server.baseUrl);
  url.protocol = "ws:";
  url.searchParams.set("session_id", sessionId);
  url.searchParams.set("token", server.token);
  const socket = new WebSocket(url);
  const collector = new OutputCollector();
  const listeners = new Set<(msg: WsMessage) => void>();
  let lastOutputAt = performance.now();
  let closed: Error | null = null;
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return; // binary buffers: not used by these notebooks
    const msg = JSON.parse(event.data) as WsMessage;
    if (msg.channel === "iopub" && collector.add(msg)) lastOutputAt = performance.now();
    for (const listener of listeners) listener(msg);
  };
  socket.onclose = () => {
    closed = new Error("the kernel's WebSocket closed");
    for (const listener of listeners) listener(null as unknown as WsMessage);
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`could not open ${url.pathname}`));
  });

  const send = (
    channel: string,
    msgType: string,
    content: Record<string, unknown>,
    msgId: string = crypto.randomUUID(),
  ) => {
    socket.send(JSON.stringify({
      header: {
        msg_id: msgId,
        msg_type: msgType,
        username: "browser-test",
        session: sessionId,
        version: "5.3",
        date: new Date().toISOString(),
      },
      parent_header: {},
      metadata: {},
      content,
      channel,
      buffers: [],
    }));
    return msgId;
  };
  const until = (test: (msg: WsMessage) => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`${path}: no ${what} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const listener = (msg: WsMessage) => {
        if (closed) {
          clearTimeout(timer);
          listeners.delete(listener);
          reject(closed);
        } else if (test(msg)) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve();
        }
      };
      listeners.add(listener);
    });

  try {
    // The kernel is ready once it answers kernel_info (resent while it starts).
    let ready = false;
    for (let attempt = 0; attempt < 60 && !ready; attempt++) {
      const id = send("shell", "kernel_info_request", {});
      ready = await until((m) => m.parent_header.msg_id === id && m.channel === "shell", 2000, "")
        .then(() => true, () => false);
    }
    if (!ready) throw new Error(`${path}: the reference kernel did not start`);

    const result: CellOutputs[] = [];
    let latestMs = 0;
    for (const [i, cell] of cells.entries()) {
      let idle = false;
      let replied = false;
      const msgId = crypto.randomUUID();
      collector.track(msgId);
      const finished = until(
        (m) => {
          if (m.parent_header.msg_id !== msgId) return false;
          if (m.header.msg_type === "status" && m.content.execution_state === "idle") idle = true;
          if (m.header.msg_type === "execute_reply") replied = true;
          return idle && replied;
        },
        cellTimeoutMs,
        `end of cell ${cell.index + 1}`,
      );
      send("shell", "execute_request", {
        code: cell.source,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: false,
      }, msgId);
      await finished;
      const quietFrom = performance.now();
      // Quiet: no output for quietMs since the cell ended (at most 30 s of waiting).
      while (
        performance.now() - Math.max(lastOutputAt, quietFrom) < quietMs &&
        performance.now() - quietFrom < 30_000
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      latestMs = Math.max(latestMs, lastOutputAt - quietFrom);
      result.push({ cell: cell.index, outputs: collector.outputs(msgId) });
      progress?.(i + 1, cells.length);
    }
    return { cells: result, strays: collector.strays.length, latestMs };
  } finally {
    try {
      socket.close();
    } catch {
      // closed already
    }
    await server.api("DELETE", `api/sessions/${session.id}`).catch(() => {});
  }
}

/**
 * The error outputs of a reference run, one line each, cells numbered from 1 among all cells.
 *
 * @param cells Each code cell's outputs ({@linkcode ReferenceRun.cells}).
 * @returns `cell N: Name: message` per error output.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { referenceErrors } from "./kernel_ws.ts";
 * const error = { output_type: "error", ename: "Error", evalue: "boom" };
 * assertEquals(referenceErrors([{ cell: 2, outputs: [error] }]), ["cell 3: Error: boom"]);
 * ```
 */
export function referenceErrors(cells: CellOutputs[]): string[] {
  return cells.flatMap((c) =>
    c.outputs.filter((o) => o.output_type === "error").map((o) =>
      `cell ${c.cell + 1}: ${o.ename}: ${o.evalue}`
    )
  );
}
