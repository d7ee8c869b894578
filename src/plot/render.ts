/**
 * render(): Observable Plot options → a {@link Figure}, without a browser: Plot draws into a
 * linkedom document, and the result is assembled into standalone SVG.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { Figure } from "./figure.ts";
import { composeSvg, type LegendItem, type Panel, type Swatch, swatchFor } from "./svg.ts";

/**
 * Observable Plot's options, as `Plot.plot()` takes them (`npm:@observablehq/plot@0.6.17`);
 * `document` is supplied by {@link render}.
 */
export type PlotOptions = Plot.PlotOptions;

/** Options for {@link render} beyond Plot's own. */
export interface RenderOptions {
  /** Figure title, drawn above the plot (Plot's own `title` option is used when this is absent). */
  title?: string;
  /** Smaller text under the title (Plot's `subtitle` option is used when this is absent). */
  subtitle?: string;
  /** Legend entries drawn under the title, left to right. */
  legend?: LegendItem[];
  /** Page color (default white); "none" for a transparent page. */
  background?: string;
}

/** The DOM document type Plot's `document` option takes. */
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

/** The part of the DOM (linkedom's) that is read here; Deno has no DOM types. */
interface DomElement {
  readonly tagName: string;
  readonly children: ArrayLike<DomElement>;
  readonly innerHTML: string;
  readonly outerHTML: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  removeAttribute(name: string): void;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  remove(): void;
}

let sharedDocument: PlotDocument | undefined;

/** A DOM document for Plot to draw into (linkedom: small, no browser needed). */
function plotDocument(): PlotDocument {
  if (sharedDocument === undefined) {
    const window = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>");
    sharedDocument = (window as unknown as { document: PlotDocument }).document;
  }
  return sharedDocument;
}

/** Runs Plot.plot with the shared document; returns the root element (<svg> or <figure>). */
function plotElement(options: Plot.PlotOptions): DomElement {
  try {
    return Plot.plot({ ...options, document: plotDocument() }) as unknown as DomElement;
  } catch (error) {
    // Plot draws continuous color legends (ramps) on a <canvas>, which linkedom lacks.
    if (error instanceof TypeError && /fillStyle|getContext/.test(error.message)) {
      throw new TypeError(
        "render: Plot needs a <canvas> for a continuous color legend, and there is none " +
          "outside a browser; remove legend: true from the continuous color scale (or use " +
          "an ordinal scale, whose swatch legend works)",
        { cause: error },
      );
    }
    throw error;
  }
}

function numberAttr(el: DomElement, name: string): number {
  const v = Number(el.getAttribute(name));
  if (!Number.isFinite(v) || v <= 0) {
    throw new TypeError(`render: Plot produced an <svg> without a usable ${name} (${v})`);
  }
  return v;
}

/** One of Plot's <svg> elements (the chart, or a ramp legend) as a panel. */
function svgPanel(svg: DomElement): Panel {
  const width = numberAttr(svg, "width");
  const height = numberAttr(svg, "height");
  // Plot's <style> targets browsers (max-width, white-space) and would, inlined into a page,
  // also restyle other figures' panels; the attributes below carry what the drawing needs.
  for (const style of Array.from(svg.querySelectorAll("style"))) style.remove();
  const keep = ["fill", "font-size", "font-weight", "text-anchor", "stroke", "style"];
  const attrs = keep
    .filter((name) => svg.hasAttribute(name))
    .map((name) => ` ${name}="${escapeAttr(svg.getAttribute(name) ?? "")}"`)
    .join("");
  return { markup: `<g${attrs}>${svg.innerHTML}</g>`, width, height };
}

function escapeAttr(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`,
  );
}

/** Plot's HTML swatch legend (from `color: { legend: true }` on an ordinal scale) as swatches. */
function htmlSwatches(div: DomElement): Swatch[] {
  const out: Swatch[] = [];
  for (const span of Array.from(div.children)) {
    const svg = span.querySelector("svg");
    if (svg === null) continue;
    const label = (span.textContent ?? "").trim();
    // Kept as a nested <svg>: its content uses percentages of the 15 × 15 swatch.
    svg.removeAttribute("class");
    out.push({ markup: svg.outerHTML, label });
  }
  return out;
}

function titleText(where: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new TypeError(
      `render: Plot's ${where} option must be a string here (got ${typeof value}); ` +
        `a DOM node cannot go into a standalone SVG`,
    );
  }
  return value;
}

/**
 * Draws Observable Plot options into a {@link Figure} (standalone SVG, PNG on demand).
 *
 * Takes what `Plot.plot()` takes; the `document` is supplied. Plot's `title`, `subtitle` and
 * ordinal `legend: true` swatches (HTML in Plot) are redrawn as SVG; `caption` is not
 * supported. Use the re-exported `Plot` namespace for marks, so that they come from the same
 * copy of Observable Plot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "npm:@observablehq/plot@0.6.17";
 * import { type PlotOptions, render, type RenderOptions, renderPanels } from "@gpts/gpts/plot";
 *
 * const x = [0, 0.5, 1, 1.5, 2, 2.5, 3];
 * const parabola: PlotOptions = {
 *   marks: [Plot.lineY(x.map((v) => v * v), { x, stroke: "#4269d0" }), Plot.ruleY([0])],
 *   x: { label: "x" },
 *   y: { label: "x²" },
 * };
 * const options: RenderOptions = {
 *   title: "A parabola",
 *   legend: [{ label: "x²", mark: "line", color: "#4269d0" }],
 * };
 * const one = render(parabola, options);
 * const two = renderPanels([parabola, { marks: [Plot.dot(x.map((v) => [v, -v]))] }], {
 *   columns: 2,
 * });
 * assert.ok(one.svg().startsWith("<svg"));
 * assert.ok(two.width > one.width);
 * ```
 */
export function render(plotOptions: PlotOptions, options: RenderOptions = {}): Figure {
  if (plotOptions === null || typeof plotOptions !== "object") {
    throw new TypeError(
      `render: plotOptions must be an object of Observable Plot options, got ${
        plotOptions === null ? "null" : typeof plotOptions
      }`,
    );
  }
  const { title, subtitle, caption, ...rest } = plotOptions;
  if (caption !== undefined && caption !== null) {
    throw new TypeError(
      "render: Plot's caption option is not supported; use subtitle (or title) instead",
    );
  }
  const element = plotElement(rest);
  const panels: Panel[] = [];
  const swatches: Swatch[] = [];
  const children = element.tagName.toLowerCase() === "svg"
    ? [element]
    : Array.from(element.children);
  for (const child of children) {
    const tag = child.tagName.toLowerCase();
    if (tag === "svg") panels.push(svgPanel(child));
    else if (tag === "div") swatches.push(...htmlSwatches(child));
    else throw new TypeError(`render: unexpected <${tag}> in Plot's output`);
  }
  const { svg, width, height } = composeSvg({
    title: options.title ?? titleText("title", title),
    subtitle: options.subtitle ?? titleText("subtitle", subtitle),
    legend: [...swatches, ...(options.legend ?? []).map(swatchFor)],
    panels,
    columns: 1,
    background: options.background,
  });
  return new Figure(svg, width, height);
}

/**
 * Draws several Observable Plot option objects as panels of one {@link Figure}: a grid with
 * `columns` panels per row (default: one row), under one title and legend. The example of
 * {@link render} shows it.
 *
 * @throws {TypeError} when a panel's options make Plot produce HTML (a title, subtitle,
 *   caption or ordinal legend of its own): give those in `options` instead
 */
export function renderPanels(
  plotOptions: PlotOptions[],
  options: RenderOptions & { columns?: number } = {},
): Figure {
  const panels: Panel[] = [];
  for (const opts of plotOptions) {
    const element = plotElement(opts);
    if (element.tagName.toLowerCase() !== "svg") {
      throw new TypeError(
        "renderPanels: a panel's Plot options produced HTML (title, subtitle, caption or an " +
          "ordinal legend); give the figure's title and legend in renderPanels' options instead",
      );
    }
    panels.push(svgPanel(element));
  }
  const { svg, width, height } = composeSvg({
    title: options.title,
    subtitle: options.subtitle,
    legend: (options.legend ?? []).map(swatchFor),
    panels,
    columns: options.columns,
    background: options.background,
  });
  return new Figure(svg, width, height);
}
