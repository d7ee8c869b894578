/**
 * Standalone SVG assembly: one or more panels (Observable Plot's SVG output), a title, a
 * subtitle and a legend, laid out on a white page with the SVG namespaces set, so the
 * result opens the same in a browser, a notebook, an image viewer or resvg.
 *
 * @module
 */

/** The font family every figure uses: a generic family, resolved by whatever renders it. */
export const FONT_FAMILY = "sans-serif";

/** What a legend entry's swatch looks like. */
export type LegendMark = "dot" | "line" | "area" | "rule";

/**
 * One legend entry: a swatch drawn like the mark it stands for, and a label.
 */
export interface LegendItem {
  /** The text shown beside the swatch. */
  label: string;
  /** How the swatch is drawn: a dot, a line, a filled area, or a dashed rule. */
  mark: LegendMark;
  /** Any CSS color. */
  color: string;
  /** Fill or stroke opacity of the swatch, 1 unless given. */
  opacity?: number;
  /** Stroke dash pattern for "line" and "rule" (SVG stroke-dasharray); "rule" defaults to "4,3". */
  dash?: string;
}

/** A legend entry ready to draw: swatch markup in a 15 × 15 box, and its label. */
export interface Swatch {
  markup: string;
  label: string;
}

/** A piece of SVG content with its own coordinate system starting at (0, 0). */
export interface Panel {
  /** SVG markup (no outer <svg>), drawn with its origin at the panel's top-left corner. */
  markup: string;
  width: number;
  height: number;
}

/** Escapes text for use in XML content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/** Formats a number for SVG attributes: at most 2 decimals, no trailing zeros. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** A swatch's markup for a legend item. */
export function swatchFor(item: LegendItem): Swatch {
  const color = escapeXml(item.color);
  const opacity = item.opacity ?? 1;
  let markup: string;
  switch (item.mark) {
    case "dot":
      markup = `<circle cx="7.5" cy="7.5" r="3.5" fill="${color}" fill-opacity="${opacity}"/>`;
      break;
    case "area":
      markup =
        `<rect x="0" y="2" width="15" height="11" fill="${color}" fill-opacity="${opacity}"/>`;
      break;
    case "line":
    case "rule": {
      const dash = item.dash ?? (item.mark === "rule" ? "4,3" : undefined);
      markup = `<line x1="0" x2="15" y1="7.5" y2="7.5" stroke="${color}" stroke-width="2" ` +
        `stroke-opacity="${opacity}"${dash ? ` stroke-dasharray="${escapeXml(dash)}"` : ""}/>`;
      break;
    }
    default:
      throw new TypeError(
        `legend: mark must be "dot", "line", "area" or "rule", got ${JSON.stringify(item.mark)}`,
      );
  }
  return { markup, label: item.label };
}

/** Rough width of a label in the figure's sans-serif font (no font metrics are available). */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

/** Options for {@link composeSvg}. */
export interface ComposeOptions {
  title?: string;
  subtitle?: string;
  legend?: Swatch[];
  panels: Panel[];
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** Page background color (default white); "none" for transparent. */
  background?: string;
}

/** Size of the page around the panels. */
const PAD = 12;
const GAP = 16;
const TITLE_SIZE = 16;
const SUBTITLE_SIZE = 12;
const LEGEND_SIZE = 12;
const LEGEND_ROW = 20;

/** Lays out the panels on a grid under the title, subtitle and legend; returns the SVG. */
export function composeSvg(
  options: ComposeOptions,
): { svg: string; width: number; height: number } {
  const { panels } = options;
  const columns = Math.max(1, Math.floor(options.columns ?? panels.length));
  // Grid geometry: column widths and row heights from the largest panel in each.
  const colWidth: number[] = [];
  const rowHeight: number[] = [];
  panels.forEach((p, i) => {
    const c = i % columns, r = Math.floor(i / columns);
    colWidth[c] = Math.max(colWidth[c] ?? 0, p.width);
    rowHeight[r] = Math.max(rowHeight[r] ?? 0, p.height);
  });
  const gridWidth = colWidth.reduce((a, b) => a + b, 0) + GAP * Math.max(0, colWidth.length - 1);
  const gridHeight = rowHeight.reduce((a, b) => a + b, 0) +
    GAP * Math.max(0, rowHeight.length - 1);
  const width = Math.ceil(gridWidth + 2 * PAD);

  const parts: string[] = [];
  let y = PAD;
  if (options.title) {
    y += TITLE_SIZE;
    parts.push(
      `<text x="${PAD}" y="${y}" font-size="${TITLE_SIZE}" font-weight="bold">` +
        `${escapeXml(options.title)}</text>`,
    );
    y += 8;
  }
  if (options.subtitle) {
    y += SUBTITLE_SIZE;
    parts.push(
      `<text x="${PAD}" y="${y}" font-size="${SUBTITLE_SIZE}" fill="#555">` +
        `${escapeXml(options.subtitle)}</text>`,
    );
    y += 8;
  }
  const legend = options.legend ?? [];
  if (legend.length > 0) {
    // Entries left to right, wrapping to a new row when the page is full.
    let x = PAD;
    const items: string[] = [];
    let rows = 1;
    for (const s of legend) {
      const w = 15 + 5 + textWidth(s.label, LEGEND_SIZE);
      if (x > PAD && x + w > width - PAD) {
        x = PAD;
        rows++;
      }
      const top = y + (rows - 1) * LEGEND_ROW;
      items.push(
        `<g transform="translate(${num(x)},${num(top)})">${s.markup}` +
          `<text x="20" y="11.5" font-size="${LEGEND_SIZE}">${escapeXml(s.label)}</text></g>`,
      );
      x += w + 18;
    }
    parts.push(`<g aria-label="legend">${items.join("")}</g>`);
    y += rows * LEGEND_ROW;
  }
  if (parts.length > 0) y += 2;
  else y = PAD;

  let rowTop = y;
  panels.forEach((p, i) => {
    const c = i % columns, r = Math.floor(i / columns);
    if (c === 0 && r > 0) rowTop += rowHeight[r - 1] + GAP;
    const left = PAD + colWidth.slice(0, c).reduce((a, b) => a + b, 0) + GAP * c;
    parts.push(`<g transform="translate(${num(left)},${num(rowTop)})">${p.markup}</g>`);
  });
  const height = Math.ceil(y + gridHeight + PAD);
  const background = options.background ?? "white";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" ` +
    `xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="12" ` +
    `fill="currentColor" color="#1a1a1a">` +
    (background === "none"
      ? ""
      : `<rect width="${width}" height="${height}" fill="${escapeXml(background)}"/>`) +
    parts.join("") + `</svg>`;
  return { svg, width, height };
}
