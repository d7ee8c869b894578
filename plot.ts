/**
 * Plots for gpts, the `./plot` entry: Observable Plot drawn without a browser into standalone
 * SVG, PNG through resvg, and inline display in Deno's Jupyter kernel.
 *
 * - {@link trainingCurvesPlot}: loss and hyperparameters per iteration;
 * - {@link predictionPlot}: data, posterior mean and ±2σ band;
 * - {@link render} / {@link renderPanels}: any Observable Plot options, one or several panels;
 * - {@link Figure}: `.svg()`, `.png({ scale })`, `.save(path)`, Jupyter display.
 *
 * PNG output needs a font on the machine (Debian/Ubuntu: `fonts-dejavu-core`) and permission
 * to load resvg's native addon (`--allow-read --allow-ffi --allow-sys`, or `-A`); SVG output
 * needs no permission.
 *
 * Each function's documentation has a runnable example; in a Deno Jupyter notebook a figure
 * that ends a cell is shown inline. Marks for {@link render} come from Observable Plot itself:
 * `import * as Plot from "npm:@observablehq/plot@0.6.17"`.
 *
 * @module
 */

export {
  Figure,
  JUPYTER_DISPLAY,
  type JupyterMimeBundle,
  type SaveOptions,
} from "./src/plot/figure.ts";
export type { PngOptions } from "./src/plot/png.ts";
export { type PlotOptions, render, type RenderOptions, renderPanels } from "./src/plot/render.ts";
export type { LegendItem, LegendMark } from "./src/plot/svg.ts";
export {
  type Reference,
  type TrainingCurvesOptions,
  trainingCurvesPlot,
  type TrainingHistory,
} from "./src/plot/training_curves_plot.ts";
export {
  type PredictionData,
  predictionPlot,
  type PredictionPlotOptions,
} from "./src/plot/prediction_plot.ts";
