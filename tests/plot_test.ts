import assert from "node:assert/strict";
import { DOMParser } from "@xmldom/xmldom";
import * as Plot from "@observablehq/plot";
import {
  type Figure,
  JUPYTER_DISPLAY,
  predictionPlot,
  render,
  renderPanels,
  trainingCurvesPlot,
} from "../plot.ts";
import { textRenders } from "../src/plot/png.ts";

// ---------------------------------------------------------------------------------------------
// Helpers: a strict XML parse of the SVG, element lookups, and the PNG header.

/** A parsed XML element, as much of xmldom's as the tests read. */
interface XmlElement {
  tagName: string;
  namespaceURI: string | null;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
}

/** Parses SVG as XML, throwing on any error or warning (unquoted attributes, HTML entities…). */
function parseSvg(svg: string): XmlElement {
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      throw new Error(`SVG is not well-formed XML (${level}): ${message}`);
    },
  });
  const doc = parser.parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement as unknown as XmlElement | null;
  assert.ok(root, "SVG has a root element");
  return root;
}

/** Elements named `tag` inside `root`. */
function all(root: XmlElement, tag: string): XmlElement[] {
  return Array.from(root.getElementsByTagName(tag));
}

/** The mark groups Plot labels with aria-label (e.g. "dot", "line", "area", "rule"). */
function marks(root: XmlElement, label: string): XmlElement[] {
  return all(root, "g").filter((g) => g.getAttribute("aria-label") === label);
}

/** All text drawn in the SVG, one string per <text>. */
function texts(root: XmlElement): string[] {
  return all(root, "text").map((t) => (t.textContent ?? "").trim());
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the signature). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual(Array.from(png.subarray(0, 8)), PNG_SIGNATURE, "PNG signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The seed example's shapes: 1000 training points on [0, 1], 50 iterations. */
function seedLikeData() {
  const n = 1000;
  const trainX = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const trainY = trainX.map((x, i) => Math.sin(40 * x) + 0.1 * Math.cos(977 * i));
  const testX = Float64Array.from({ length: 501 }, (_, i) => i / 500);
  const mean = testX.map((x) => Math.sin(40 * x));
  const lower = mean.map((m) => m - 0.25);
  const upper = mean.map((m) => m + 0.25);
  return { trainX, trainY, testX, mean, lower, upper };
}

function seedLikeHistory() {
  const loss = Array.from({ length: 50 }, (_, i) => 1.1 - 4 * (1 - Math.exp(-i / 12)));
  const lengthscale = Array.from({ length: 50 }, (_, i) => 0.0105 ** (1 - Math.exp(-i / 10)));
  return { loss, lengthscale };
}

// ---------------------------------------------------------------------------------------------
// predictionPlot

Deno.test("predictionPlot() makes well-formed standalone SVG, when given the seed's shapes", () => {
  const fig = predictionPlot(seedLikeData());
  const root = parseSvg(fig.svg());
  assert.equal(root.tagName, "svg");
  assert.equal(root.namespaceURI, "http://www.w3.org/2000/svg");
  assert.equal(root.getAttribute("xmlns"), "http://www.w3.org/2000/svg");
  assert.equal(root.getAttribute("width"), String(fig.width));
  assert.equal(root.getAttribute("height"), String(fig.height));
  assert.equal(root.getAttribute("font-family"), "sans-serif");
  assert.ok(!fig.svg().includes("<style"), "no browser stylesheet left in the SVG");
});

Deno.test("predictionPlot() draws one dot per training point, the mean and the band", () => {
  const data = seedLikeData();
  const root = parseSvg(predictionPlot(data).svg());
  const dots = marks(root, "dot");
  assert.equal(dots.length, 1);
  assert.equal(all(dots[0], "circle").length, data.trainX.length);
  const areas = marks(root, "area");
  assert.equal(areas.length, 1, "one band");
  assert.equal(all(areas[0], "path").length, 1);
  const lines = marks(root, "line");
  assert.equal(lines.length, 1, "one mean line");
  assert.equal(all(lines[0], "path").length, 1);
  const labels = texts(root);
  for (const label of ["training data", "posterior mean", "±2σ band", "x", "y"]) {
    assert.ok(labels.some((t) => t === label || t === `↑ ${label}`), `label "${label}" drawn`);
  }
});

Deno.test("predictionPlot() leaves out the band and its legend entry, when lower/upper are absent", () => {
  const { trainX, trainY, testX, mean } = seedLikeData();
  const root = parseSvg(predictionPlot({ trainX, trainY, testX, mean }).svg());
  assert.equal(marks(root, "area").length, 0);
  assert.ok(!texts(root).includes("±2σ band"));
});

Deno.test("predictionPlot() sorts the test inputs, when they come unsorted", () => {
  const testX = [0.5, 0, 1, 0.25, 0.75];
  const mean = testX.map((x) => x * x);
  const root = parseSvg(
    predictionPlot({ trainX: [0.1], trainY: [0.01], testX, mean }).svg(),
  );
  const d = all(marks(root, "line")[0], "path")[0].getAttribute("d") ?? "";
  const xs = Array.from(d.matchAll(/[ML]([-\d.]+),/g), (m) => Number(m[1]));
  assert.equal(xs.length, testX.length);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], `x increases at ${i}: ${d}`);
});

Deno.test("predictionPlot() throws a TypeError naming the argument, when mean and testX differ in length", () => {
  const data = seedLikeData();
  assert.throws(
    () => predictionPlot({ ...data, mean: data.mean.subarray(0, 99) }),
    (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /mean has 99 values but testX has 501/);
      assert.match(e.message, /one value per element of testX \(same length\)/);
      return true;
    },
  );
  assert.throws(
    () => predictionPlot({ ...data, trainY: Array.from(data.trainY).slice(1) }),
    /TypeError: predictionPlot: trainY has 999 values but trainX has 1000/,
  );
  assert.throws(
    () => predictionPlot({ ...data, upper: data.upper.subarray(1) }),
    /upper has 500 values but testX has 501/,
  );
});

Deno.test("predictionPlot() throws a RangeError naming the argument and index, when an input is NaN", () => {
  const data = seedLikeData();
  const trainY = Array.from(data.trainY);
  trainY[3] = NaN;
  assert.throws(
    () => predictionPlot({ ...data, trainY }),
    (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /trainY\[3\] is NaN/);
      assert.match(e.message, /finite number/);
      return true;
    },
  );
  const mean = data.mean.slice();
  mean[10] = Infinity;
  assert.throws(() => predictionPlot({ ...data, mean }), /RangeError: .*mean\[10\] is Infinity/);
});

Deno.test("predictionPlot() rejects non-numbers, a half-given band, and lower above upper", () => {
  const data = seedLikeData();
  assert.throws(
    () => predictionPlot({ ...data, testX: "0,1" as unknown as number[] }),
    /TypeError: predictionPlot: testX must be an array of numbers/,
  );
  assert.throws(
    () => predictionPlot({ ...data, trainX: [0, "1"] as unknown as number[], trainY: [0, 1] }),
    /TypeError: predictionPlot: trainX\[1\] is a string/,
  );
  assert.throws(
    () => predictionPlot({ ...data, upper: undefined }),
    /TypeError: predictionPlot: upper is missing; give both lower and upper/,
  );
  assert.throws(
    () => predictionPlot({ ...data, lower: data.upper, upper: data.lower }),
    /RangeError: predictionPlot: lower\[0\] = .* is above upper\[0\]/,
  );
});

// ---------------------------------------------------------------------------------------------
// trainingCurvesPlot

Deno.test("trainingCurvesPlot() draws a loss and a log-scale lengthscale panel with the teacher's line", () => {
  const fig = trainingCurvesPlot(seedLikeHistory(), {
    referenceLengthscale: 0.01,
    title: "Training",
  });
  const root = parseSvg(fig.svg());
  assert.equal(marks(root, "line").length, 2, "one curve per panel");
  const rules = marks(root, "rule");
  assert.equal(rules.length, 1, "one reference line");
  const rule = all(rules[0], "line");
  assert.equal(rule.length, 1);
  assert.equal(rules[0].getAttribute("stroke-dasharray"), "6,4", "dashed");
  const labels = texts(root);
  assert.ok(labels.includes("Training"));
  assert.ok(labels.includes("teacher lengthscale = 0.01"));
  assert.equal(labels.filter((t) => t === "iteration").length, 2);
  assert.ok(labels.includes("↑ loss"));
  assert.ok(labels.includes("↑ lengthscale"));
  // Log scale: decade ticks from 0.01 to 1, in plain decimals.
  for (const tick of ["0.01", "0.1", "1"]) assert.ok(labels.includes(tick), `tick ${tick}`);
  // The reference line sits on the 0.01 tick.
  const y = Number(rule[0].getAttribute("y1"));
  const tickGroup = all(root, "g").find((g) =>
    g.getAttribute("aria-label") === "y-axis tick label" &&
    all(g, "text").some((t) => t.textContent === "0.01")
  );
  assert.ok(tickGroup, "lengthscale tick labels found");
  const tick = all(tickGroup, "text").find((t) => t.textContent === "0.01")!;
  const tickY = Number(
    /translate\([^,]+,([^)]+)\)/.exec(tick.getAttribute("transform") ?? "")?.[1],
  );
  assert.ok(Math.abs(tickY - y) < 0.5, `rule at y=${y}, tick at y=${tickY}`);
});

Deno.test("trainingCurvesPlot() makes one panel per series, when given more hyperparameters", () => {
  const { loss, lengthscale } = seedLikeHistory();
  const noise = loss.map((_, i) => 1 / (1 + i));
  const fig = trainingCurvesPlot(
    { iteration: loss.map((_, i) => i), loss, lengthscale, noise },
    { references: { noise: { value: 0.01, label: "true noise" } }, columns: 2 },
  );
  const root = parseSvg(fig.svg());
  assert.equal(marks(root, "line").length, 3);
  assert.ok(texts(root).includes("true noise = 0.01"));
  assert.ok(fig.height > 2 * 300, "two rows of panels");
});

Deno.test("trainingCurvesPlot() throws on mismatched lengths, NaN, and an impossible log scale", () => {
  const { loss, lengthscale } = seedLikeHistory();
  assert.throws(
    () => trainingCurvesPlot({ loss, lengthscale: lengthscale.slice(1) }),
    /TypeError: trainingCurvesPlot: history.lengthscale has 49 values but history.loss has 50/,
  );
  const bad = loss.slice();
  bad[7] = NaN;
  assert.throws(
    () => trainingCurvesPlot({ loss: bad }),
    /RangeError: trainingCurvesPlot: history.loss\[7\] is NaN/,
  );
  assert.throws(() => trainingCurvesPlot({ loss: [] }), /RangeError: .*history.loss is empty/);
  assert.throws(
    () => trainingCurvesPlot({ loss }, { logScale: { loss: true } }),
    /RangeError: .*log scale was asked for loss/,
  );
});

// ---------------------------------------------------------------------------------------------
// Figure: PNG, save, Jupyter

Deno.test("Figure.png() returns a PNG of the requested size, at scale 1, 2 (default) and 1.5", async () => {
  const fig = predictionPlot(seedLikeData());
  assert.deepEqual(pngSize(await fig.png({ scale: 1 })), { width: fig.width, height: fig.height });
  assert.deepEqual(pngSize(await fig.png()), { width: 2 * fig.width, height: 2 * fig.height });
  const size = pngSize(await fig.png({ scale: 1.5 }));
  assert.ok(Math.abs(size.width - 1.5 * fig.width) <= 1);
  assert.ok(Math.abs(size.height - 1.5 * fig.height) <= 1);
  await assert.rejects(() => fig.png({ scale: 0 }), RangeError);
});

Deno.test("Figure.png() draws text, when the machine has a font (fonts-dejavu-core on Debian)", async () => {
  assert.ok(
    await textRenders(),
    "resvg found no font: install one (apt-get install fonts-dejavu-core)",
  );
});

Deno.test("Figure.save() writes .svg and .png, or only the format its extension names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fig = trainingCurvesPlot(seedLikeHistory(), { referenceLengthscale: 0.01 });
    const both = await fig.save(`${dir}/sub/training`);
    assert.deepEqual(both, [`${dir}/sub/training.svg`, `${dir}/sub/training.png`]);
    assert.equal(await Deno.readTextFile(both[0]), fig.svg());
    assert.deepEqual(pngSize(await Deno.readFile(both[1])), {
      width: 2 * fig.width,
      height: 2 * fig.height,
    });
    assert.deepEqual(await fig.save(`${dir}/only.svg`), [`${dir}/only.svg`]);
    const [png] = await fig.save(`${dir}/only.png`, { scale: 1 });
    assert.equal(pngSize(await Deno.readFile(png)).width, fig.width);
    await assert.rejects(() => Deno.stat(`${dir}/only.png.svg`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Figure[Symbol.for('Jupyter.display')]() returns the SVG as an image/svg+xml bundle", () => {
  const fig: Figure = predictionPlot(seedLikeData());
  assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
  const display = (fig as unknown as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")];
  assert.equal(typeof display, "function");
  assert.deepEqual(display.call(fig), { "image/svg+xml": fig.svg() });
});

// ---------------------------------------------------------------------------------------------
// render / renderPanels

Deno.test("render() draws any Plot options, with title, legend and escaped text", () => {
  const fig = render(
    {
      title: "a < b & c",
      marks: [Plot.lineY([1, 3, 2]), Plot.ruleY([0])],
    },
    { legend: [{ label: "series", mark: "line", color: "red" }] },
  );
  const root = parseSvg(fig.svg());
  const labels = texts(root);
  assert.ok(labels.includes("a < b & c"));
  assert.ok(labels.includes("series"));
  assert.equal(marks(root, "rule").length, 1);
});

Deno.test("render() turns Plot's ordinal legend into SVG swatches", () => {
  const data = [{ x: 1, y: 1, k: "first" }, { x: 2, y: 2, k: "second" }];
  const root = parseSvg(
    render({ color: { legend: true }, marks: [Plot.dot(data, { x: "x", y: "y", fill: "k" })] })
      .svg(),
  );
  const labels = texts(root);
  assert.ok(labels.includes("first") && labels.includes("second"));
  assert.equal(all(marks(root, "dot")[0], "circle").length, 2);
});

Deno.test("render() explains, when Plot would need a canvas (continuous color legend)", () => {
  assert.throws(
    () =>
      render({
        color: { legend: true, type: "linear" },
        marks: [Plot.dot([1, 2, 3], { x: (d: number) => d, fill: (d: number) => d })],
      }),
    /TypeError: render: Plot needs a <canvas>/,
  );
});

Deno.test("renderPanels() lays out panels in a grid, when given several Plot options", () => {
  const panel = { width: 200, height: 150, marks: [Plot.lineY([1, 2])] };
  const wide = renderPanels([panel, panel, panel]);
  const grid = renderPanels([panel, panel, panel], { columns: 2 });
  assert.ok(wide.width > 3 * 200 && wide.height < 2 * 150);
  assert.ok(grid.width < 3 * 200 && grid.height > 2 * 150);
  assert.equal(marks(parseSvg(grid.svg()), "line").length, 3);
});
