/**
 * A temporary copy of the project for the notebook server: the notebooks are copied (the
 * browser may save them; the repository's files are never written), `lib/`, `data/`,
 * `results/` (notebook 06 prints the committed evaluation) and `node_modules/` are linked,
 * `deno.json` and `deno.lock` copied so that the kernel resolves imports exactly as in the
 * repository.
 *
 * @module
 */

/** The temporary folders of one browser test. */
export interface Workspace {
  /** The folder the notebook server serves: a copy of the project's shape. */
  root: string;
  /** The notebook server's own config/runtime/notary folders. */
  stateDir: string;
  /** Chromium's profile. */
  profileDir: string;
  /** nbconvert's HTML exports and its config folder. */
  exportDir: string;
  /** The notebooks copied, as paths relative to `root` (`notebooks/01_….ipynb`). */
  notebooks: string[];
  /** Removes every folder above. */
  remove(): Promise<void>;
}

/** The repository's folders the workspace links, as the notebooks reach them (`../lib/…`). */
export const LINKED = ["lib", "data", "results", "node_modules"] as const;

/** Options of {@linkcode makeWorkspace}. */
export interface WorkspaceOptions {
  /**
   * The folder to copy the notebooks from.
   * @default {the repository's notebooks/}
   */
  from?: string;
}

/**
 * Makes the temporary copy.
 *
 * @param repo The repository's folder.
 * @param names Notebook file names to copy (default: every `notebooks/*.ipynb`).
 * @param options Where to copy the notebooks from.
 * @returns The workspace; call `remove()` when done.
 * @throws {TypeError} When a named notebook does not exist.
 */
export async function makeWorkspace(
  repo: string,
  names?: string[],
  options: WorkspaceOptions = {},
): Promise<Workspace> {
  const from = options.from ?? `${repo}/notebooks`;
  const all = [...Deno.readDirSync(from)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name)
    .sort();
  const chosen = names ?? all;
  for (const name of chosen) {
    if (!all.includes(name)) {
      throw new TypeError(
        `browser test: no notebook "${name}" in ${from} (found ${all.join(", ")})`,
      );
    }
  }
  const top = await Deno.makeTempDir({ prefix: "browser-test-" });
  const remove = () => Deno.remove(top, { recursive: true }).catch(() => {});
  try {
    const root = `${top}/project`;
    const stateDir = `${top}/jupyter`;
    const profileDir = `${top}/chromium`;
    const exportDir = `${top}/export`;
    await Deno.mkdir(`${root}/notebooks`, { recursive: true });
    await Deno.mkdir(stateDir);
    await Deno.mkdir(profileDir);
    await Deno.mkdir(exportDir);
    for (const file of ["deno.json", "deno.lock"]) {
      try {
        await Deno.copyFile(`${repo}/${file}`, `${root}/${file}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    for (const dir of LINKED) {
      try {
        await Deno.stat(`${repo}/${dir}`);
        await Deno.symlink(`${repo}/${dir}`, `${root}/${dir}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    for (const name of chosen) {
      await Deno.copyFile(`${from}/${name}`, `${root}/notebooks/${name}`);
    }
    return {
      root,
      stateDir,
      profileDir,
      exportDir,
      notebooks: chosen.map((n) => `notebooks/${n}`),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
