/**
 * predictionPlot(): training data, posterior mean and confidence band of a 1-D regression.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { Figure } from "./figure.ts";
import { render } from "./render.ts";
import type { LegendItem } from "./svg.ts";
import { finiteSeries, permute, positiveOption, sameLength, sortOrder } from "./validate.ts";

/** What {@link predictionPlot} draws. */
export interface PredictionData {
  /** Training inputs (one per observation). */
  trainX: ArrayLike<number>;
  /** Training targets, same length as trainX. */
  trainY: ArrayLike<number>;
  /** Test inputs where the posterior was evaluated (any order; sorted before drawing). */
  testX: ArrayLike<number>;
  /** Posterior (predictive) mean at each test input. */
  mean: ArrayLike<number>;
  /** Lower edge of the band at each test input (e.g. mean − 2σ); give with `upper`. */
  lower?: ArrayLike<number>;
  /** Upper edge of the band at each test input (e.g. mean + 2σ); give with `lower`. */
  upper?: ArrayLike<number>;
}

/** Options for {@link predictionPlot}. */
export interface PredictionPlotOptions {
  /** Figure title (default "Posterior prediction"). */
  title?: string;
  /** Smaller text under the title. */
  subtitle?: string;
  /** Label of the x axis (default "x"). */
  xLabel?: string;
  /**
   * Format of the x tick labels: a d3-format string (e.g. `"d"` for years without a
   * thousands separator) or a function (default: Plot's).
   */
  xTickFormat?: string | ((x: number) => string);
  /** Label of the y axis (default "y"). */
  yLabel?: string;
  /** Legend label of the data dots (default "training data"). */
  dataLabel?: string;
  /** Legend label of the mean line (default "posterior mean"). */
  meanLabel?: string;
  /** Legend label of the band (default "±2σ band"). */
  bandLabel?: string;
  /** Width of the plot in SVG units, axes included (default 760). */
  width?: number;
  /** Height of the plot in SVG units, axes included (default 400). */
  height?: number;
  /** Radius of the data dots (default: 1.6 up to 2,000 points, 1 above). */
  dotRadius?: number;
}

const DATA_COLOR = "#303030";
const MEAN_COLOR = "#4269d0";

/**
 * Plots a 1-D regression: training data as small dots, the posterior mean as a line, and the
 * confidence band (`lower`…`upper`, e.g. GPyTorch's `confidence_region()`, mean ± 2σ) as a
 * shaded area, with a legend.
 *
 * @throws {TypeError} when an argument is not an array of numbers, when trainY's length
 *   differs from trainX's or mean/lower/upper's from testX's, or when only one of lower and
 *   upper is given
 * @throws {RangeError} for NaN or infinite values, or lower > upper at some test input
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type PredictionData,
 *   predictionPlot,
 *   type PredictionPlotOptions,
 * } from "@gpts/gpts/plot";
 *
 * const testX = Float64Array.from({ length: 101 }, (_, i) => i / 100);
 * const mean = testX.map((x) => Math.sin(6 * x));
 * const sd = 0.1;
 * const data: PredictionData = {
 *   trainX: [0.1, 0.4, 0.9],
 *   trainY: [0.5, 0.7, -0.8],
 *   testX,
 *   mean,
 *   lower: mean.map((m) => m - 2 * sd), // GPyTorch's confidence_region()
 *   upper: mean.map((m) => m + 2 * sd),
 * };
 * const options: PredictionPlotOptions = { title: "Posterior", xLabel: "t" };
 * const fig = predictionPlot(data, options);
 * assert.ok(fig.svg().includes("posterior mean"));
 * ```
 */
export function predictionPlot(data: PredictionData, options: PredictionPlotOptions = {}): Figure {
  const where = "predictionPlot";
  if (data === null || typeof data !== "object") {
    throw new TypeError(
      `${where}: data must be an object { trainX, trainY, testX, mean, lower?, upper? }, got ${
        data === null ? "null" : typeof data
      }`,
    );
  }
  const trainX = finiteSeries(where, "trainX", data.trainX);
  const trainY = finiteSeries(where, "trainY", data.trainY);
  sameLength(where, ["trainX", trainX], ["trainY", trainY]);
  let testX = finiteSeries(where, "testX", data.testX);
  let mean = finiteSeries(where, "mean", data.mean);
  sameLength(where, ["testX", testX], ["mean", mean]);
  if ((data.lower === undefined) !== (data.upper === undefined)) {
    const missing = data.lower === undefined ? "lower" : "upper";
    throw new TypeError(
      `${where}: ${missing} is missing; give both lower and upper for the band, or neither`,
    );
  }
  let band: { lower: Float64Array; upper: Float64Array } | undefined;
  if (data.lower !== undefined && data.upper !== undefined) {
    const lower = finiteSeries(where, "lower", data.lower);
    const upper = finiteSeries(where, "upper", data.upper);
    sameLength(where, ["testX", testX], ["lower", lower], ["upper", upper]);
    for (let i = 0; i < lower.length; i++) {
      if (lower[i] > upper[i]) {
        throw new RangeError(
          `${where}: lower[${i}] = ${lower[i]} is above upper[${i}] = ${upper[i]}; ` +
            `lower must be ≤ upper at every test input (were they swapped?)`,
        );
      }
    }
    band = { lower, upper };
  }
  const order = sortOrder(testX);
  testX = permute(testX, order);
  mean = permute(mean, order);
  if (band) band = { lower: permute(band.lower, order), upper: permute(band.upper, order) };

  const width = positiveOption(where, "width", options.width ?? 760);
  const height = positiveOption(where, "height", options.height ?? 400);
  const r = positiveOption(
    where,
    "dotRadius",
    options.dotRadius ?? (trainX.length > 2000 ? 1 : 1.6),
  );
  const dataLabel = options.dataLabel ?? "training data";
  const meanLabel = options.meanLabel ?? "posterior mean";
  const bandLabel = options.bandLabel ?? "±2σ band";
  const test = { length: testX.length };
  const marks: Plot.Markish[] = [];
  const legend: LegendItem[] = [];
  if (band) {
    marks.push(
      Plot.areaY(test, {
        x: testX,
        y1: band.lower,
        y2: band.upper,
        fill: MEAN_COLOR,
        fillOpacity: 0.22,
        curve: "linear",
      }),
    );
  }
  marks.push(
    Plot.dot({ length: trainX.length }, {
      x: trainX,
      y: trainY,
      r,
      fill: DATA_COLOR,
      fillOpacity: 0.55,
    }),
    Plot.lineY(test, { x: testX, y: mean, stroke: MEAN_COLOR, strokeWidth: 2 }),
  );
  legend.push({ label: dataLabel, mark: "dot", color: DATA_COLOR, opacity: 0.7 });
  legend.push({ label: meanLabel, mark: "line", color: MEAN_COLOR });
  if (band) legend.push({ label: bandLabel, mark: "area", color: MEAN_COLOR, opacity: 0.22 });
  return render(
    {
      width,
      height,
      marginLeft: 50,
      marginBottom: 40,
      grid: true,
      style: { fontSize: "11px" },
      x: {
        label: options.xLabel ?? "x",
        labelAnchor: "center",
        labelArrow: "none",
        tickFormat: options.xTickFormat,
      },
      y: { label: options.yLabel ?? "y", nice: true },
      marks,
    } as Plot.PlotOptions,
    { title: options.title ?? "Posterior prediction", subtitle: options.subtitle, legend },
  );
}
