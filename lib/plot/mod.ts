/**
 * Plots as functions of data, drawn with Observable Plot on a linkedom document: loss curves,
 * predicted vs true ratings, histograms, labelled embedding scatters, t-SNE maps, bias bars and
 * metric bars beside published figures.
 * Each helper takes data and one options object and returns a {@linkcode PlotFigure}: a single
 * standalone SVG (640 px wide unless a `width` is given, one font) that a notebook shows as a
 * cell's last expression, as a picture even in an untrusted notebook and with hover titles where
 * the notebook is trusted (figure.ts explains the MIME bundle), and that {@linkcode saveFigure}
 * writes to a `.svg` file.
 *
 * @module
 */

export * from "./figure.ts";
export * from "./loss.ts";
export * from "./predictions.ts";
export * from "./histogram.ts";
export * from "./scatter.ts";
export * from "./bars.ts";
export * from "./metric_bars.ts";
