/**
 * Figure: a finished plot as standalone SVG, with PNG output, saving, and display in
 * Deno's Jupyter kernel.
 *
 * @module
 */

import { type PngOptions, svgToPng } from "./png.ts";

/** The symbol Deno's Jupyter kernel calls to display a value (`Symbol.for("Jupyter.display")`). */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** What a figure hands to Deno's Jupyter kernel: a MIME bundle with its SVG. */
export interface JupyterMimeBundle {
  /** The figure's standalone SVG markup. */
  "image/svg+xml": string;
}

/** Options for {@link Figure.save}. */
export interface SaveOptions extends PngOptions {
  /**
   * Which files to write when the path has no .svg/.png extension (default both).
   * A path ending in .svg or .png writes that format only.
   */
  formats?: ("svg" | "png")[];
}

/**
 * A finished figure: standalone SVG markup of a known size.
 *
 * Made by {@link render}, {@link trainingCurvesPlot} and {@link predictionPlot}; shown inline
 * in Deno's Jupyter kernel when it is the cell's last value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Figure,
 *   JUPYTER_DISPLAY,
 *   type JupyterMimeBundle,
 *   type SaveOptions,
 * } from "@gpts/gpts/plot";
 *
 * const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">` +
 *   `<rect width="40" height="20" fill="steelblue"/></svg>`;
 * const fig = new Figure(svg, 40, 20);
 * const png = await fig.png({ scale: 2 }); // 80 × 40 pixels
 * const shown: JupyterMimeBundle = fig[JUPYTER_DISPLAY](); // what a Jupyter cell shows
 * const options: SaveOptions = { scale: 1, formats: ["svg", "png"] };
 * const written = await fig.save(`${await Deno.makeTempDir()}/box`, options);
 * assert.ok(png.length > 0);
 * assert.equal(shown["image/svg+xml"], svg);
 * assert.equal(written.length, 2);
 * ```
 */
export class Figure {
  /** Width in SVG units (CSS pixels); the PNG is `scale` times wider. */
  readonly width: number;
  /** Height in SVG units (CSS pixels). */
  readonly height: number;
  readonly #svg: string;

  /** Wraps standalone SVG markup (with its xmlns) of the given size. */
  constructor(svg: string, width: number, height: number) {
    if (typeof svg !== "string" || !svg.trimStart().startsWith("<svg")) {
      throw new TypeError("Figure: svg must be SVG markup starting with <svg");
    }
    for (const [name, v] of [["width", width], ["height", height]] as const) {
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
        throw new RangeError(`Figure: ${name} must be a finite number greater than 0, got ${v}`);
      }
    }
    this.#svg = svg;
    this.width = width;
    this.height = height;
  }

  /** The figure as a standalone SVG document (UTF-8 text, no XML declaration). */
  svg(): string {
    return this.#svg;
  }

  /**
   * The figure as PNG bytes, `scale` pixels per SVG unit (default 2).
   *
   * Needs `--allow-read`, `--allow-ffi` and `--allow-sys` (resvg's native addon and the
   * system's fonts; `-A` covers them), and a font on the machine for the text (Debian:
   * `fonts-dejavu-core`; without one, a warning is printed and text is left out).
   */
  png(options?: PngOptions): Promise<Uint8Array> {
    return svgToPng(this.#svg, options);
  }

  /**
   * Writes the figure to disk, creating the folder if needed, and returns the paths written.
   *
   * `"out/fit.svg"` writes SVG only, `"out/fit.png"` PNG only, and `"out/fit"` both
   * (`out/fit.svg` and `out/fit.png`, or the `formats` asked for).
   */
  async save(path: string, options: SaveOptions = {}): Promise<string[]> {
    if (typeof path !== "string" || path.length === 0) {
      throw new TypeError(`Figure.save: path must be a non-empty string, got ${String(path)}`);
    }
    const lower = path.toLowerCase();
    let targets: [string, "svg" | "png"][];
    if (lower.endsWith(".svg")) targets = [[path, "svg"]];
    else if (lower.endsWith(".png")) targets = [[path, "png"]];
    else {
      const formats = options.formats ?? ["svg", "png"];
      for (const f of formats) {
        if (f !== "svg" && f !== "png") {
          throw new TypeError(
            `Figure.save: formats may hold "svg" and "png" only, got ${JSON.stringify(f)}`,
          );
        }
      }
      targets = formats.map((f) => [`${path}.${f}`, f]);
    }
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
    for (const [file, format] of targets) {
      if (format === "svg") await Deno.writeTextFile(file, this.#svg);
      else await Deno.writeFile(file, await this.png(options));
    }
    return targets.map(([file]) => file);
  }

  /** The MIME bundle Deno's Jupyter kernel displays: the SVG, inline. */
  [JUPYTER_DISPLAY](): JupyterMimeBundle {
    return { "image/svg+xml": this.#svg };
  }

  /** The SVG markup. */
  toString(): string {
    return this.#svg;
  }
}
