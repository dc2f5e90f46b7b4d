/**
 * Notebook helpers: display of markdown, HTML, SVG, figures and tables through the Deno
 * Jupyter kernel (with plain-text fallbacks elsewhere), and a live line for progress.
 *
 * @module
 */

export * from "./display.ts";
export * from "./params.ts";
