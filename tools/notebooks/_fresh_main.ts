// Entry of the fresh-machine path's child process (private to tools/notebooks):
// `deno run -A _fresh_main.ts <generated module>`, run in the notebook's folder. It lives apart
// from _host.ts because the generated module imports _host.ts: a main module that awaited the
// generated one while being imported by it would wait on itself.

import { failCell, installJupyterShim } from "./_host.ts";

installJupyterShim();
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  failCell(event.reason);
});
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  failCell(event.error);
});
const [module] = Deno.args;
try {
  await import(new URL(module, `file://${Deno.cwd()}/`).href);
} catch (error) {
  failCell(error);
}
Deno.exit(0);
