/**
 * trainingCurvesPlot(): loss and hyperparameters per optimizer iteration, one panel each.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { Figure } from "./figure.ts";
import { renderPanels } from "./render.ts";
import { finiteSeries, positiveOption, sameLength } from "./validate.ts";

/**
 * What was recorded during training: one value per iteration for the loss and for any
 * hyperparameter (lengthscale, noise, outputscale, …). Each series other than `iteration`
 * gets its own panel, in the order given.
 */
export interface TrainingHistory {
  /** Iteration numbers (default 1, 2, …, n). */
  iteration?: ArrayLike<number>;
  /** The loss (e.g. −mll) at each iteration. */
  loss: ArrayLike<number>;
  /** The lengthscale at each iteration (optional). */
  lengthscale?: ArrayLike<number>;
  /** Any other series, e.g. `noise` or `outputscale`. */
  [series: string]: ArrayLike<number> | undefined;
}

/** A horizontal reference line: a value and the label drawn beside it. */
export interface Reference {
  /** Where the line is drawn, in the series' units. */
  value: number;
  /**
   * Text drawn above the line, before " = value" (default "reference"), at whichever end of
   * the line the curve is farther from.
   */
  label?: string;
}

/** Options for {@link trainingCurvesPlot}. */
export interface TrainingCurvesOptions {
  /** Figure title (default "Training"). */
  title?: string;
  /** Smaller text under the title. */
  subtitle?: string;
  /**
   * The true (teacher) lengthscale, drawn as a dashed line on the lengthscale panel,
   * labelled "teacher lengthscale = value" unless a label is given.
   */
  referenceLengthscale?: number | Reference;
  /** Reference lines for any series, by series name. */
  references?: Record<string, number | Reference>;
  /**
   * Log y scale per series. Default: linear for `loss`; log for a positive series spanning at
   * least a factor of 10 (lengthscales and noises usually do).
   */
  logScale?: Record<string, boolean>;
  /** Panels per row (default: all in one row, up to 3). */
  columns?: number;
  /** Width of each panel in SVG units (default 420). */
  panelWidth?: number;
  /** Height of each panel in SVG units (default 300). */
  panelHeight?: number;
}

const LINE_COLOR = "#4269d0";
const REFERENCE_COLOR = "#e0452b";

function formatValue(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

/** Ticks for a log axis: each power of ten, and 2× and 5× it when few decades are shown. */
function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min) + 1e-9), hi = Math.ceil(Math.log10(max) - 1e-9);
  const steps = hi - lo <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k++) {
    for (const s of steps) {
      const v = Number((s * 10 ** k).toPrecision(6));
      if (v <= 10 ** hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * Plots training curves: loss per iteration, and each recorded hyperparameter per iteration,
 * side by side; hyperparameters spanning decades get a log scale; reference values (the
 * teacher's lengthscale) are drawn as dashed horizontal lines with a label.
 *
 * @throws {TypeError} when a series is not an array of numbers, or its length differs from
 *   `loss`'s (or `iteration`'s)
 * @throws {RangeError} for NaN or infinite values, an empty history, or a log scale asked for
 *   a series with values ≤ 0
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type Reference,
 *   type TrainingCurvesOptions,
 *   trainingCurvesPlot,
 *   type TrainingHistory,
 * } from "@gpts/gpts/plot";
 *
 * // Recorded in the training loop: history.loss.push(loss.item()), …
 * const history: TrainingHistory = {
 *   loss: [1.1, 0.9, 0.5, 0.1, -0.4, -1.2],
 *   lengthscale: [1, 0.5, 0.2, 0.05, 0.02, 0.012],
 * };
 * const teacher: Reference = { value: 0.01, label: "teacher lengthscale" };
 * const options: TrainingCurvesOptions = { title: "Student GP", referenceLengthscale: teacher };
 * const fig = trainingCurvesPlot(history, options);
 * assert.ok(fig.svg().includes("teacher lengthscale = 0.01"));
 * ```
 */
export function trainingCurvesPlot(
  history: TrainingHistory,
  options: TrainingCurvesOptions = {},
): Figure {
  const where = "trainingCurvesPlot";
  if (history === null || typeof history !== "object") {
    throw new TypeError(
      `${where}: history must be an object like { loss: number[], lengthscale?: number[] }, ` +
        `got ${history === null ? "null" : typeof history}`,
    );
  }
  if (history.loss === undefined) {
    throw new TypeError(`${where}: history.loss is missing; pass { loss: number[], ... }`);
  }
  const names = ["loss", ...Object.keys(history).filter((k) => k !== "loss" && k !== "iteration")]
    .filter((k) => history[k] !== undefined);
  const series = names.map((name) =>
    [name, finiteSeries(where, `history.${name}`, history[name])] as const
  );
  const n = series[0][1].length;
  if (n === 0) {
    throw new RangeError(`${where}: history.loss is empty; record at least one iteration`);
  }
  const iteration = history.iteration === undefined
    ? Float64Array.from({ length: n }, (_, i) => i + 1)
    : finiteSeries(where, "history.iteration", history.iteration);
  sameLength(
    where,
    history.iteration === undefined
      ? ["history.loss", series[0][1]]
      : ["history.iteration", iteration],
    ...series.map(([name, v]) => [`history.${name}`, v] as [string, Float64Array]),
  );

  const references: Record<string, Reference> = {};
  for (const [name, ref] of Object.entries(options.references ?? {})) {
    references[name] = typeof ref === "number" ? { value: ref } : ref;
  }
  if (options.referenceLengthscale !== undefined) {
    const ref = options.referenceLengthscale;
    references.lengthscale = typeof ref === "number"
      ? { value: ref, label: "teacher lengthscale" }
      : { label: "teacher lengthscale", ...ref };
  }
  for (const [name, ref] of Object.entries(references)) {
    if (typeof ref.value !== "number" || !Number.isFinite(ref.value)) {
      throw new RangeError(
        `${where}: the reference value for ${name} must be a finite number, got ${
          String(ref.value)
        }`,
      );
    }
  }

  const width = positiveOption(where, "panelWidth", options.panelWidth ?? 420);
  const height = positiveOption(where, "panelHeight", options.panelHeight ?? 300);
  const panels: Plot.PlotOptions[] = series.map(([name, values]) => {
    const ref = references[name];
    let min = Infinity, max = -Infinity;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (ref) {
      min = Math.min(min, ref.value);
      max = Math.max(max, ref.value);
    }
    const log = options.logScale?.[name] ?? (name !== "loss" && min > 0 && max / min >= 10);
    if (log && min <= 0) {
      throw new RangeError(
        `${where}: a log scale was asked for ${name}, but it has a value ${min} ≤ 0; ` +
          `set logScale: { ${name}: false }`,
      );
    }
    const marks: Plot.Markish[] = [
      Plot.lineY(values, { x: iteration, y: values, stroke: LINE_COLOR, strokeWidth: 2 }),
    ];
    if (n <= 60) {
      marks.push(Plot.dot(values, { x: iteration, y: values, fill: LINE_COLOR, r: 2 }));
    }
    if (ref) {
      const text = `${ref.label ?? "reference"} = ${formatValue(ref.value)}`;
      // Label the line at the end where the curve is farther from it, to keep them apart.
      const t = log ? Math.log : (v: number) => v;
      const gap = (i: number) => Math.abs(t(values[i]) - t(ref.value));
      const labelAt = gap(0) > gap(n - 1) ? 0 : n - 1;
      marks.push(
        Plot.ruleY([ref.value], {
          stroke: REFERENCE_COLOR,
          strokeWidth: 1.5,
          strokeDasharray: "6,4",
        }),
        Plot.text([ref.value], {
          x: iteration[labelAt],
          y: (d: number) => d,
          text: () => text,
          textAnchor: labelAt === 0 ? "start" : "end",
          dx: labelAt === 0 ? 4 : -4,
          dy: ref.value >= max ? 14 : -7,
          fill: REFERENCE_COLOR,
          fontSize: 11,
        }),
      );
    }
    return {
      width,
      height,
      marginLeft: 56,
      marginRight: 16,
      marginTop: 24,
      marginBottom: 40,
      grid: true,
      style: { fontSize: "11px" },
      x: { label: "iteration", labelAnchor: "center", labelArrow: "none" },
      y: {
        label: name,
        type: log ? "log" : "linear",
        nice: true,
        ...(log ? { ticks: logTicks(min, max), tickFormat: formatValue } : {}),
      },
      marks,
    } as Plot.PlotOptions;
  });
  return renderPanels(panels, {
    title: options.title ?? "Training",
    subtitle: options.subtitle,
    columns: options.columns ?? Math.min(3, panels.length),
  });
}
