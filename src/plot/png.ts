/**
 * SVG → PNG with resvg (the Rust SVG renderer, through its Node-API addon `@resvg/resvg-js`,
 * which Deno loads from npm with its platform package). Text needs a font: the system's fonts
 * are loaded (on Debian, `fonts-dejavu-core`), plus any font files the caller names.
 *
 * @module
 */

import { FONT_FAMILY } from "./svg.ts";

/** Options for turning a figure into PNG bytes. */
export interface PngOptions {
  /** Pixels per SVG unit: 1 gives the SVG's own size, 2 (the default) a sharper image. */
  scale?: number;
  /** Page color behind the figure (default: the figure's own, white). */
  background?: string;
  /** Extra font files (.ttf/.otf) to load beside the system's, for machines without fonts. */
  fontFiles?: string[];
  /** Extra font folders to load beside the system's. */
  fontDirs?: string[];
}

type ResvgModule = typeof import("@resvg/resvg-js");
let resvgModule: Promise<ResvgModule> | undefined;

/** Loads resvg on first use, so that SVG-only users never load the native addon. */
function loadResvg(): Promise<ResvgModule> {
  resvgModule ??= import("@resvg/resvg-js").catch((error: unknown) => {
    resvgModule = undefined;
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.NotCapable(
        "png: PNG output loads resvg's native addon, which needs --allow-read, --allow-ffi " +
          `and --allow-sys (or -A); SVG output needs none of them (${(error as Error).message})`,
        { cause: error },
      );
    }
    throw error;
  });
  return resvgModule;
}

/** The font family resvg maps the generic `sans-serif` to, per platform. */
function sansSerifFamily(): string {
  switch (Deno.build.os) {
    case "darwin":
      return "Helvetica";
    case "windows":
      return "Arial";
    default:
      return "DejaVu Sans";
  }
}

let fontWarningShown = false;
const fontProbeCache = new Map<string, boolean>();

/**
 * Whether resvg finds a font for `sans-serif` text with these font options: draws one letter
 * and looks for painted pixels. The answer is cached per set of font options.
 */
export async function textRenders(
  options: Pick<PngOptions, "fontFiles" | "fontDirs"> = {},
): Promise<boolean> {
  const key = JSON.stringify([options.fontFiles ?? [], options.fontDirs ?? []]);
  const cached = fontProbeCache.get(key);
  if (cached !== undefined) return cached;
  const { Resvg } = await loadResvg();
  const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">` +
    `<text x="2" y="20" font-family="${FONT_FAMILY}" font-size="20">H</text></svg>`;
  const pixels = new Resvg(probe, resvgOptions(1, undefined, options)).render().pixels;
  let painted = false;
  for (let i = 3; i < pixels.length; i += 4) {
    if (pixels[i] !== 0) {
      painted = true;
      break;
    }
  }
  fontProbeCache.set(key, painted);
  return painted;
}

function resvgOptions(
  scale: number,
  background: string | undefined,
  options: Pick<PngOptions, "fontFiles" | "fontDirs">,
) {
  return {
    fitTo: { mode: "zoom" as const, value: scale },
    ...(background === undefined ? {} : { background }),
    font: {
      loadSystemFonts: true,
      fontFiles: options.fontFiles ?? [],
      fontDirs: options.fontDirs ?? [],
      sansSerifFamily: sansSerifFamily(),
      defaultFontFamily: sansSerifFamily(),
    },
  };
}

/**
 * Renders standalone SVG markup to PNG bytes.
 *
 * Warns once (console.warn) when no font is found, since resvg then draws the figure
 * without any text rather than failing.
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`png: scale must be a finite number greater than 0, got ${String(scale)}`);
  }
  const { Resvg } = await loadResvg();
  if (!fontWarningShown && !(await textRenders(options))) {
    fontWarningShown = true;
    console.warn(
      "gpts/plot: no font found for PNG text, so labels will be missing. Install one " +
        "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or pass png({ fontFiles: [...] }).",
    );
  }
  const rendered = new Resvg(svg, resvgOptions(scale, options.background, options)).render();
  const png = rendered.asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
