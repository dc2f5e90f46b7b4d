/**
 * What notebooks import besides the models: parameters an environment variable can override
 * (`param`) and headline figures (`headline`), display of markdown, HTML, SVG, figures and
 * tables through the Deno Jupyter kernel (with plain-text fallbacks elsewhere), a live line for
 * progress, and float columns rounded for readable committed tables. The program that runs the
 * notebooks lives in `tools/notebooks/`.
 *
 * @module
 */

export * from "./display.ts";
export * from "./params.ts";
export * from "./tables.ts";
