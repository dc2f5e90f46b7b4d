/**
 * Starts Jupyter Notebook 6 (Debian's `python3 -m notebook`) on 127.0.0.1 with a random free
 * port and token, no browser, its own config/runtime/notary folders (so every notebook opens
 * untrusted and nothing of the user's is read or written), and talks to its REST API.
 *
 * @module
 */

import { type ChildHandle, spawnChild } from "./process.ts";

/** Options of {@linkcode startNotebookServer}. */
export interface ServerOptions {
  /** The folder the server serves (notebooks are opened relative to it). */
  root: string;
  /** A new, empty folder for the server's config, runtime and notary files. */
  stateDir: string;
  /** Extra environment for the server and the kernels it starts (e.g. `NB_QUICK`). */
  env?: Record<string, string>;
  /**
   * The Python that has Notebook 6.
   * @default {"/usr/bin/python3", or NB_PYTHON from the environment}
   */
  python?: string;
  /**
   * How long to wait for the server to answer, in milliseconds.
   * @default {60000}
   */
  startTimeoutMs?: number;
}

/** A running notebook server. */
export interface NotebookServer {
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  /** The token every request carries. */
  token: string;
  /** The server process. */
  child: ChildHandle;
  /** Calls the REST API; throws on a non-2xx status. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The address of a notebook's page (`path` relative to the root), with the token. */
  notebookUrl(path: string): string;
  /** Shuts down every kernel, then the server (API first, signals after). */
  stop(): Promise<void>;
}

/** Picks a TCP port on 127.0.0.1 that is free now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The server's command line (without the Python executable). */
export function serverArgs(
  options: { root: string; port: number; token: string; notaryDir: string },
): string[] {
  return [
    "-m",
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${options.port}`,
    "--port-retries=0",
    `--notebook-dir=${options.root}`,
    `--NotebookApp.token=${options.token}`,
    "--NotebookApp.password=",
    "--NotebookApp.open_browser=False",
    // A notary of its own: no notebook is trusted, and the user's signatures are not touched.
    `--NotebookNotary.data_dir=${options.notaryDir}`,
    "--NotebookNotary.db_file=:memory:",
    // CI containers run as root; Notebook refuses that unless told.
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
  ];
}

/**
 * Starts the server and waits until its API answers.
 *
 * @param options Root and state folders, environment, Python, time limit.
 * @returns The server.
 * @throws {Error} When it exits or does not answer in time (with its log's tail).
 */
export async function startNotebookServer(options: ServerOptions): Promise<NotebookServer> {
  const {
    root,
    stateDir,
    env = {},
    python = Deno.env.get("NB_PYTHON") ?? "/usr/bin/python3",
    startTimeoutMs = 60_000,
  } = options;
  const token = Array.from(crypto.getRandomValues(new Uint8Array(24)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const port = freePort();
  const configDir = `${stateDir}/config`;
  const runtimeDir = `${stateDir}/runtime`;
  const notaryDir = `${stateDir}/notary`;
  for (const dir of [configDir, runtimeDir, notaryDir]) await Deno.mkdir(dir, { recursive: true });
  const childEnv: Record<string, string> = {
    ...Deno.env.toObject(),
    JUPYTER_CONFIG_DIR: configDir,
    JUPYTER_RUNTIME_DIR: runtimeDir,
    NO_COLOR: "1",
    ...env,
  };
  const child = spawnChild(python, serverArgs({ root, port, token, notaryDir }), {
    env: childEnv,
    cwd: root,
    name: "notebook server",
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  const headers = { Authorization: `token ${token}` };

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    return (text ? JSON.parse(text) : null) as T;
  }

  const deadline = performance.now() + startTimeoutMs;
  while (true) {
    if (child.exited) {
      throw new Error(
        `the notebook server exited (${child.status?.code}):\n${child.stderrText().slice(-3000)}`,
      );
    }
    try {
      await api("GET", "api/status");
      break;
    } catch {
      if (performance.now() > deadline) {
        await child.stop();
        throw new Error(
          `the notebook server did not answer within ${startTimeoutMs / 1000} s:\n` +
            child.stderrText().slice(-3000),
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    baseUrl,
    token,
    child,
    api,
    notebookUrl: (path) =>
      new URL(
        `notebooks/${path.split("/").map(encodeURIComponent).join("/")}?token=${token}`,
        baseUrl,
      ).href,
    async stop() {
      if (!child.exited) {
        try {
          const kernels = await api<{ id: string }[]>("GET", "api/kernels");
          await Promise.all(
            kernels.map((k) => api("DELETE", `api/kernels/${k.id}`).catch(() => {})),
          );
          await api("POST", "api/shutdown").catch(() => {});
          await Promise.race([child.done, new Promise((r) => setTimeout(r, 10_000))]);
        } catch {
          // the signals below stop it
        }
      }
      await child.stop();
      await stopOrphanKernels(runtimeDir);
    },
  };
}

/**
 * Stops kernels whose connection file is in `runtimeDir` (only this server's kernels have
 * one there), should the server have died without shutting them down. Linux only; elsewhere
 * a no-op.
 */
export async function stopOrphanKernels(runtimeDir: string): Promise<number[]> {
  const stopped: number[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return stopped;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    let cmdline: string;
    try {
      cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
    } catch {
      continue;
    }
    if (cmdline.split("\0").some((arg) => arg.startsWith(`${runtimeDir}/kernel-`))) {
      try {
        Deno.kill(Number(entry.name), "SIGKILL");
        stopped.push(Number(entry.name));
      } catch {
        // gone already
      }
    }
  }
  return stopped;
}
