// examples/flights.ts: the parsing helpers, the baselines, and one short run of the example.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { parquetMetadata } from "hyparquet";
import {
  checkFlightSchema,
  copyIntegers,
  copyStrings,
  flightFeatures,
  parseAirports,
  parseDate,
  type SchemaElement,
} from "../examples/flights_data.ts";
import {
  binnedMeans,
  columnMedians,
  gaussianScores,
  holdOutSplit,
  leastSquares,
  linearPredict,
} from "../examples/flights_stats.ts";
import { assertClose } from "./_assert.ts";

const require = createRequire(import.meta.url);
await import("vega-datasets");
const PARQUET = require.resolve("vega-datasets/data/flights-3m.parquet");

Deno.test("parseDate() gives the hour of the day and the day of a non-leap year", () => {
  assert.deepEqual(parseDate("01010000"), { hour: 0, dayOfYear: 1 });
  const late = parseDate("12312359");
  assertClose(late.hour, 23 + 59 / 60, { rtol: 1e-15, what: "hour" });
  assert.equal(late.dayOfYear, 365);
  assert.equal(parseDate("03011230").dayOfYear, 60); // 31 + 28 + 1: February has 28 days
  assertClose(parseDate("03011230").hour, 12.5, { rtol: 1e-15, what: "12:30" });
  assert.equal(parseDate("06300700").dayOfYear, 181);
});

Deno.test("parseDate() rejects what is not MMDDHHMM of a non-leap year, naming the value", () => {
  for (const bad of ["0101000", "010100001", "01O10000", "13010000", "02290000", "01012400"]) {
    assert.throws(
      () => parseDate(bad),
      (e: Error) => e instanceof RangeError && e.message.includes(`"${bad}"`),
    );
  }
});

Deno.test("checkFlightSchema() accepts vega-datasets' file and names a missing or mistyped column", () => {
  const bytes = Deno.readFileSync(PARQUET);
  const schema = parquetMetadata(bytes.buffer as ArrayBuffer).schema as SchemaElement[];
  checkFlightSchema(schema, "flights-3m.parquet");
  const renamed = schema.map((e) => e.name === "delay" ? { ...e, name: "arr_delay" } : e);
  assert.throws(
    () => checkFlightSchema(renamed, "x.parquet"),
    (e: Error) =>
      e instanceof TypeError && e.message.includes(`no column "delay"`) &&
      e.message.includes("arr_delay") && e.message.includes("flights-3m.parquet"),
  );
  const mistyped = schema.map((e) =>
    e.name === "distance" ? { name: "distance", type: "BYTE_ARRAY", converted_type: "UTF8" } : e
  );
  assert.throws(
    () => checkFlightSchema(mistyped, "x.parquet"),
    (e: Error) =>
      e instanceof TypeError && e.message.includes(`"distance"`) &&
      e.message.includes("BYTE_ARRAY/UTF8") && e.message.includes("integers"),
  );
  const numericDate = schema.map((e) => e.name === "date" ? { name: "date", type: "INT64" } : e);
  assert.throws(() => checkFlightSchema(numericDate, "x.parquet"), /"date" of x.parquet is INT64/);
});

Deno.test("copyIntegers() and copyStrings() convert a chunk, naming a bad value's column and row", () => {
  const target = new Float64Array(4);
  copyIntegers("delay", [-13n, 7n], target, 2);
  assert.deepEqual([...target], [0, 0, -13, 7]);
  assert.throws(
    () => copyIntegers("delay", [1n, "5"], target, 10),
    (e: Error) =>
      e instanceof TypeError && e.message.includes(`"delay" row 11`) && e.message.includes('"5"'),
  );
  assert.throws(() => copyIntegers("delay", [1.5], target, 0), TypeError);
  assert.throws(
    () => copyIntegers("distance", [null], target, 3),
    (e: Error) => e instanceof RangeError && e.message.includes(`"distance" row 3 is null`),
  );
  const codes: string[] = [];
  copyStrings("origin", ["ANC", "LAX"], codes, 0);
  assert.deepEqual(codes, ["ANC", "LAX"]);
  assert.throws(
    () => copyStrings("origin", [42], codes, 5),
    (e: Error) => e instanceof TypeError && e.message.includes(`"origin" row 5 is 42 (number)`),
  );
});

Deno.test("parseAirports() reads quoted fields and flightFeatures() joins the coordinates", () => {
  const airports = parseAirports(
    'iata,name,city,state,country,latitude,longitude\n"ANC","Ted Stevens, Anchorage",Anchorage,AK,USA,61.17,-150.0\n' +
      "LAX,Los Angeles,Los Angeles,CA,USA,33.94,-118.41\n",
  );
  assert.deepEqual(airports.get("ANC"), [61.17, -150.0]);
  const columns = {
    date: ["01010001", "02011800"],
    delay: new Float64Array([-13, 20]),
    distance: new Float64Array([2345, 2345]),
    origin: ["ANC", "LAX"],
    destination: ["LAX", "ANC"],
  };
  const { x, y } = flightFeatures(columns, airports, [1]);
  assertClose(x, [18, 32, 2345, 33.94, -118.41, 61.17, -150.0], { rtol: 1e-15, what: "row 1" });
  assert.deepEqual([...y], [20]);
  assert.throws(
    () => flightFeatures({ ...columns, origin: ["SFO", "LAX"] }, airports, [0]),
    /origin "SFO" is not in airports.csv/,
  );
  assert.throws(() => parseAirports("code,lat,lon\nX,1,2"), TypeError);
});

Deno.test("leastSquares() recovers an exact linear model; the split, scores and bins are right", () => {
  const n = 50, d = 2;
  const x = Float64Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.7) + (i % d) * 0.3);
  const y = Float64Array.from({ length: n }, (_, i) => 1.5 - 2 * x[i * d] + 0.25 * x[i * d + 1]);
  const beta = leastSquares(x, d, y);
  assertClose(beta, [1.5, -2, 0.25], { atol: 1e-10, what: "β" });
  assertClose(linearPredict(x, d, beta), y, { atol: 1e-10, what: "fit" });
  assert.throws(() => leastSquares(new Float64Array(2 * n).fill(1), d, y), RangeError);

  const split = holdOutSplit(100, 0.1, 3);
  assert.equal(split.test.length, 10);
  assert.deepEqual(
    [...split.train, ...split.test].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(holdOutSplit(100, 0.1, 3).test, split.test);
  assert.notDeepEqual(holdOutSplit(100, 0.1, 4).test, split.test);

  // N(0, 1) at y = 1: RMSE 1, −log p = ½ log 2π + ½.
  const scores = gaussianScores(new Float64Array([1, -1]), new Float64Array(2), 1);
  assertClose([scores.rmse, scores.nlpd], [1, 0.5 * Math.log(2 * Math.PI) + 0.5], {
    rtol: 1e-15,
    what: "scores",
  });
  assert.deepEqual(binnedMeans([0.5, 1.5, 1.7, 9], [1, 2, 4, 100], 0, 4, 2), [
    { centre: 1, mean: 7 / 3, count: 3 },
  ]);
  assert.deepEqual(columnMedians(new Float64Array([3, 10, 1, 20, 2, 30, 4, 40]), 2), [2.5, 25]);
});

async function runExample(args: string[]) {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../examples/flights.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("examples/flights.ts on 30 000 flights prints the table, beats the training mean, draws both figures", async () => {
  const out = await Deno.makeTempDir();
  try {
    const run = await runExample(["--rows", "30000", "--epochs", "1", "--m", "32", "--out", out]);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /read 3000000 flights/);
    assert.match(run.out, /27000 for training, 3000 held out/);
    assert.match(
      run.out,
      /epoch +steps +train s +ms\/step +score s .*SVGP RMSE +NLPD \| mean RMSE +NLPD \| linear RMSE +NLPD/,
    );
    const row = run.out.split("\n").find((line) => /^ +1 +27 /.test(line));
    assert.ok(row !== undefined, run.out);
    const numbers = row.replaceAll("|", " ").trim().split(/ +/).map(Number);
    const [svgpRmse, svgpNlpd, meanRmse, meanNlpd, linearRmse] = numbers.slice(6);
    assert.ok(numbers.every(Number.isFinite), row);
    assert.ok(svgpRmse < meanRmse, `SVGP RMSE ${svgpRmse} is not below the mean's ${meanRmse}`);
    assert.ok(linearRmse < meanRmse, row);
    assert.ok(svgpNlpd > 0 && meanNlpd > 0, row);
    for (const name of ["flights_hour", "flights_day"]) {
      assert.match(Deno.readTextFileSync(`${out}/${name}.svg`), /^<svg[^]*<\/svg>\s*$/);
      assert.ok(Deno.statSync(`${out}/${name}.png`).size > 10_000, `${name}.png is too small`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("examples/flights.ts names a bad option and its value before reading the data", async () => {
  const bad = await runExample(["--likelihood", "cauchy"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /RangeError: --likelihood is "cauchy"; give gaussian or studentT/);
  const epochs = await runExample(["--epochs", "0"]);
  assert.match(epochs.err, /RangeError: --epochs is "0"; give an integer ≥ 1/);
});
