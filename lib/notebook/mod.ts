/**
 * Notebook helpers: display of markdown, HTML, SVG, figures and tables through the Deno
 * Jupyter kernel (with plain-text fallbacks elsewhere), a live line for progress, and float
 * columns rounded for readable committed tables.
 *
 * @module
 */

export * from "./display.ts";
export * from "./params.ts";
export * from "./tables.ts";
