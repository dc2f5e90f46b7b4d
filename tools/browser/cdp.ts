/**
 * A small Chrome DevTools Protocol client over one WebSocket: commands are matched to their
 * replies by id, events are dispatched by method (and by session, for targets attached with
 * `flatten: true`). Nothing is downloaded: it speaks to the Chromium the test started.
 *
 * @module
 */

/** The part of a WebSocket the client uses (a fake one in tests). */
export interface SocketLike {
  /** Sends one text frame. */
  send(data: string): void;
  /** Closes the connection. */
  close(): void;
  /** Called with each text frame received. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Called once when the connection closes. */
  onclose: ((event: unknown) => void) | null;
  /** Called on a transport error (a close follows). */
  onerror: ((event: unknown) => void) | null;
}

/** An error reply to a command, or a command that could not complete. */
export class CdpError extends Error {
  /** The protocol's error code, when the browser replied with one. */
  readonly code: number | undefined;
  /**
   * @param message What went wrong, naming the command.
   * @param code The protocol's error code.
   */
  constructor(message: string, code?: number) {
    super(message);
    this.name = "CdpError";
    this.code = code;
  }
}

/** Options of {@linkcode CdpClient}. */
export interface CdpOptions {
  /**
   * How long a command may wait for its reply, in milliseconds.
   * @default {60000}
   */
  timeoutMs?: number;
}

type Params = Record<string, unknown>;
type Listener = (params: Params, sessionId: string | undefined) => void;

interface Pending {
  method: string;
  resolve: (value: Params) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A DevTools protocol connection: `send` commands, `on`/`waitFor` events. */
export class CdpClient {
  #socket: SocketLike;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<Listener>>();
  #closed: Error | null = null;
  #timeoutMs: number;
  /** Frames that were not valid protocol messages (kept for the failure report). */
  readonly malformed: string[] = [];

  /**
   * @param socket An open WebSocket (or a fake with the same members).
   * @param options Command time limit.
   */
  constructor(socket: SocketLike, options: CdpOptions = {}) {
    const { timeoutMs = 60_000 } = options;
    if (!(timeoutMs > 0)) {
      throw new RangeError(`CdpClient: expected timeoutMs > 0, found ${timeoutMs}`);
    }
    this.#timeoutMs = timeoutMs;
    this.#socket = socket;
    socket.onmessage = (event) => this.handleMessage(event.data);
    socket.onclose = () => this.#shutDown(new CdpError("the DevTools connection closed"));
    socket.onerror = () => {};
  }

  /**
   * Opens a WebSocket to a DevTools URL on this machine and wraps it.
   *
   * @param url `ws://127.0.0.1:<port>/devtools/...` as Chromium printed it.
   * @param options Command time limit.
   * @returns The connected client.
   * @throws {TypeError} When the URL does not point at 127.0.0.1.
   */
  static async connect(url: string, options: CdpOptions = {}): Promise<CdpClient> {
    const parsed = new URL(url);
    if (parsed.protocol !== "ws:" || parsed.hostname !== "127.0.0.1") {
      throw new TypeError(`CdpClient.connect(): expected a ws://127.0.0.1 URL, found ${url}`);
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new CdpError(`could not connect to ${url}`));
    });
    return new CdpClient(socket as unknown as SocketLike, options);
  }

  /**
   * Sends a command and waits for its reply.
   *
   * @param method The protocol method, e.g. `"Runtime.evaluate"`.
   * @param params Its parameters.
   * @param sessionId The target session (flat mode), or none for the browser.
   * @returns The reply's `result`.
   * @throws {CdpError} On an error reply, a time-out or a closed connection.
   */
  send<T = Params>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    const message: Params = { id, method, params };
    if (sessionId !== undefined) message.sessionId = sessionId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CdpError(`${method}: no reply within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, {
        method,
        resolve: resolve as (value: Params) => void,
        reject,
        timer,
      });
      try {
        this.#socket.send(JSON.stringify(message));
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new CdpError(`${method}: could not send (${(error as Error).message})`));
      }
    });
  }

  /**
   * Calls `listener` for every event `method` (of `sessionId`, when given).
   *
   * @param method The event, e.g. `"Page.loadEventFired"`.
   * @param listener Receives the event's params and session id.
   * @param sessionId Only events of this session.
   * @returns A function that removes the listener.
   */
  on(method: string, listener: Listener, sessionId?: string): () => void {
    const wrapped: Listener = sessionId === undefined
      ? listener
      : (params, from) => from === sessionId && listener(params, from);
    let set = this.#listeners.get(method);
    if (!set) this.#listeners.set(method, set = new Set());
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /**
   * Waits for the next event `method` whose params satisfy `predicate`.
   *
   * @param method The event.
   * @param options Predicate, session and time limit (default: the command time limit).
   * @returns The event's params.
   * @throws {CdpError} On a time-out or a closed connection.
   */
  waitFor(
    method: string,
    options: { predicate?: (params: Params) => boolean; sessionId?: string; timeoutMs?: number } =
      {},
  ): Promise<Params> {
    const { predicate = () => true, sessionId, timeoutMs = this.#timeoutMs } = options;
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, params?: Params) => {
        clearTimeout(timer);
        off();
        offClose();
        if (error) reject(error);
        else resolve(params!);
      };
      const timer = setTimeout(
        () => done(new CdpError(`no ${method} event within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const off = this.on(method, (params) => {
        if (predicate(params)) done(null, params);
      }, sessionId);
      const offClose = this.on("#closed", (params) => done(params.error as Error));
    });
  }

  /**
   * Handles one frame from the socket (public for tests): a reply settles its command, an event
   * goes to its listeners, anything else is kept in {@linkcode malformed}.
   *
   * @param data The frame's data.
   */
  handleMessage(data: unknown): void {
    let message: Params;
    try {
      if (typeof data !== "string") throw new TypeError("not text");
      message = JSON.parse(data);
      if (message === null || typeof message !== "object") throw new TypeError("not an object");
    } catch {
      this.malformed.push(String(data).slice(0, 200));
      return;
    }
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (!pending) return; // a reply after its time-out
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      const error = message.error as { code?: number; message?: string } | undefined;
      if (error) {
        pending.reject(
          new CdpError(`${pending.method}: ${error.message ?? "error"}`, error.code),
        );
      } else {
        pending.resolve((message.result ?? {}) as Params);
      }
      return;
    }
    if (typeof message.method === "string") {
      this.#emit(message.method, (message.params ?? {}) as Params, message.sessionId as string);
      return;
    }
    this.malformed.push(data.slice(0, 200));
  }

  #emit(method: string, params: Params, sessionId: string | undefined) {
    for (const listener of [...this.#listeners.get(method) ?? []]) {
      try {
        listener(params, sessionId);
      } catch {
        // a failing listener must not stop the others
      }
    }
  }

  #shutDown(error: Error) {
    if (this.#closed) return;
    this.#closed = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new CdpError(`${pending.method}: ${error.message}`));
    }
    this.#pending.clear();
    this.#emit("#closed", { error }, undefined);
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed !== null;
  }

  /** Closes the connection; pending commands fail. */
  close(): void {
    this.#shutDown(new CdpError("the DevTools connection was closed by the test"));
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
}
