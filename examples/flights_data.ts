/**
 * Reading the airline-delay data of examples/flights.ts: the 3 000 000 flights of the npm
 * package `vega-datasets` (data/flights-3m.parquet, ZSTD pages, read with hyparquet), the
 * airports' coordinates (data/airports.csv), and the features built from them.
 *
 * The parquet's `date` is `MMDDHHMM` without a year, and neither the package nor its
 * datapackage description documents the year, so there is no weekday feature. Day of year is
 * counted in a non-leap year: the file covers 181 distinct days, 1 January to 30 June, with no
 * 29 February — exactly a non-leap half-year.
 *
 * @module
 */

import { parquetMetadata, parquetRead } from "hyparquet";
import { compressors } from "hyparquet-compressors";

/** The parquet columns the example reads, and the kind of value each must hold. */
export const FLIGHT_COLUMNS = {
  date: "string",
  delay: "integer",
  distance: "integer",
  origin: "string",
  destination: "string",
} as const;

/** The flights' columns as read: strings as strings, integers as float64. */
export interface FlightColumns {
  /** `MMDDHHMM` of the scheduled departure. */
  date: string[];
  /** Arrival delay in minutes (negative: early). */
  delay: Float64Array;
  /** Distance in miles. */
  distance: Float64Array;
  /** Origin airport's IATA code. */
  origin: string[];
  /** Destination airport's IATA code. */
  destination: string[];
}

/** The names of the seven features, in column order. */
export const FEATURE_NAMES = [
  "departure hour",
  "day of year",
  "distance",
  "origin latitude",
  "origin longitude",
  "destination latitude",
  "destination longitude",
] as const;

/** A parquet schema element, as hyparquet's metadata gives it (only the fields read here). */
export interface SchemaElement {
  /** The column's name. */
  name: string;
  /** Physical type: BYTE_ARRAY, INT32, INT64, DOUBLE, … (absent for the root). */
  type?: string;
  /** Converted type (UTF8 for strings). */
  converted_type?: string;
}

const INTEGER_TYPES = new Set(["INT32", "INT64"]);

/**
 * Check that the parquet schema has each of {@link FLIGHT_COLUMNS} with the right type.
 * @throws {TypeError} naming the file, the column, what was found and the fix
 */
export function checkFlightSchema(schema: readonly SchemaElement[], file: string): void {
  for (const [name, kind] of Object.entries(FLIGHT_COLUMNS)) {
    const column = schema.find((element) => element.name === name);
    if (column === undefined) {
      const present = schema.slice(1).map((element) => element.name).join(", ");
      throw new TypeError(
        `readFlights(file): ${file} has no column "${name}" (columns: ${present}); pass ` +
          `vega-datasets' data/flights-3m.parquet or a file with the columns ` +
          `${Object.keys(FLIGHT_COLUMNS).join(", ")}`,
      );
    }
    const ok = kind === "integer"
      ? INTEGER_TYPES.has(column.type ?? "")
      : column.type === "BYTE_ARRAY" && column.converted_type === "UTF8";
    if (!ok) {
      const seen = [column.type, column.converted_type].filter((t) => t !== undefined).join("/");
      throw new TypeError(
        `readFlights(file): column "${name}" of ${file} is ${seen}; it must hold ` +
          `${kind === "integer" ? "integers (INT32 or INT64)" : "strings (BYTE_ARRAY/UTF8)"}: ` +
          `pass vega-datasets' data/flights-3m.parquet`,
      );
    }
  }
}

/** A missing cell (null) is a RangeError naming the column and the row. */
function requirePresent(name: string, v: unknown, row: number): void {
  if (v === null || v === undefined) {
    throw new RangeError(
      `readFlights(file): column "${name}" row ${row} is ${v}; every row needs a ` +
        `value: drop the flights without one before writing the file`,
    );
  }
}

/**
 * Copy one chunk of a numeric column into `target` at `offset`.
 * @throws {TypeError} on a value that is not an integer (bigint or number); RangeError on null
 */
export function copyIntegers(
  name: string,
  values: ArrayLike<unknown>,
  target: Float64Array,
  offset: number,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    requirePresent(name, v, offset + i);
    if (typeof v === "bigint") target[offset + i] = Number(v);
    else if (typeof v === "number" && Number.isInteger(v)) target[offset + i] = v;
    else {
      throw new TypeError(
        `readFlights(file): column "${name}" row ${offset + i} is ${JSON.stringify(v)} ` +
          `(${typeof v}); it must be an integer: pass vega-datasets' data/flights-3m.parquet`,
      );
    }
  }
}

/**
 * Copy one chunk of a string column into `target` at `offset`.
 * @throws {TypeError} on a value that is not a string; RangeError on null
 */
export function copyStrings(
  name: string,
  values: ArrayLike<unknown>,
  target: string[],
  offset: number,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    requirePresent(name, v, offset + i);
    if (typeof v !== "string") {
      throw new TypeError(
        `readFlights(file): column "${name}" row ${offset + i} is ${String(v)} (${typeof v}); ` +
          `it must be a string: pass vega-datasets' data/flights-3m.parquet`,
      );
    }
    target[offset + i] = v;
  }
}

/**
 * Read the five columns of {@link FLIGHT_COLUMNS} from a parquet file's bytes.
 * @throws {TypeError} when a column is missing or of the wrong type (see {@link checkFlightSchema})
 */
export async function readFlights(bytes: Uint8Array, file: string): Promise<FlightColumns> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(buffer as ArrayBuffer);
  checkFlightSchema(metadata.schema as SchemaElement[], file);
  const n = Number(metadata.num_rows);
  const columns: FlightColumns = {
    date: new Array(n),
    delay: new Float64Array(n),
    distance: new Float64Array(n),
    origin: new Array(n),
    destination: new Array(n),
  };
  await parquetRead({
    file: buffer as ArrayBuffer,
    compressors,
    columns: Object.keys(FLIGHT_COLUMNS),
    onChunk: ({ columnName, columnData, rowStart }) => {
      const name = columnName as keyof FlightColumns;
      const target = columns[name];
      if (target instanceof Float64Array) copyIntegers(name, columnData, target, rowStart);
      else copyStrings(name, columnData, target, rowStart);
    },
  });
  return columns;
}

/** Days before each month's first in a non-leap year. */
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `MMDDHHMM` → departure time of day in hours (HH + MM/60, in [0, 24)) and the day of the
 * year (1 January is 1) in a non-leap year (see the module's note).
 * @throws {RangeError} naming the value when it is not eight digits of a valid date and time
 */
export function parseDate(date: string): { hour: number; dayOfYear: number } {
  if (typeof date !== "string" || !/^\d{8}$/.test(date)) {
    throw new RangeError(
      `parseDate(date): "${date}" is not MMDDHHMM (eight digits, e.g. "01010001" for ` +
        `1 January 00:01)`,
    );
  }
  const month = Number(date.slice(0, 2)), day = Number(date.slice(2, 4));
  const hh = Number(date.slice(4, 6)), mm = Number(date.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] || hh > 23 || mm > 59) {
    throw new RangeError(
      `parseDate(date): "${date}" is not a date and time of a non-leap year (MM 01–12, DD ` +
        `within the month, HH 00–23, MM 00–59)`,
    );
  }
  return { hour: hh + mm / 60, dayOfYear: DAYS_BEFORE_MONTH[month - 1] + day };
}

/** Split one CSV line at commas outside double quotes, unquoting the fields. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') field += '"', i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") fields.push(field), field = "";
    else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * vega-datasets' airports.csv (iata,name,city,state,country,latitude,longitude) → IATA code →
 * [latitude, longitude] in degrees.
 * @throws {TypeError} when the header lacks iata, latitude or longitude; RangeError on a bad row
 */
export function parseAirports(csv: string): Map<string, [number, number]> {
  const lines = csv.split(/\r?\n/).filter((line) => line.length > 0);
  const header = splitCsvLine(lines[0] ?? "");
  const [iata, lat, lon] = ["iata", "latitude", "longitude"].map((k) => header.indexOf(k));
  if (iata < 0 || lat < 0 || lon < 0) {
    throw new TypeError(
      `parseAirports(csv): the header is "${lines[0]}"; it needs the columns iata, latitude ` +
        `and longitude (vega-datasets' data/airports.csv)`,
    );
  }
  const airports = new Map<string, [number, number]>();
  for (let r = 1; r < lines.length; r++) {
    const fields = splitCsvLine(lines[r]);
    const coordinates: [number, number] = [Number(fields[lat]), Number(fields[lon])];
    if (!coordinates.every(Number.isFinite)) {
      throw new RangeError(
        `parseAirports(csv): line ${r + 1} ("${lines[r]}") has no numeric latitude/longitude`,
      );
    }
    airports.set(fields[iata], coordinates);
  }
  return airports;
}

/**
 * The features of the chosen rows (row-major, rows × 7, in {@link FEATURE_NAMES}' order, not
 * yet standardised) and their targets (delay in minutes).
 * @throws {RangeError} on an airport code missing from `airports` or a malformed date
 */
export function flightFeatures(
  columns: FlightColumns,
  airports: Map<string, [number, number]>,
  rows: ArrayLike<number>,
): { x: Float64Array; y: Float64Array } {
  const d = FEATURE_NAMES.length;
  const x = new Float64Array(rows.length * d), y = new Float64Array(rows.length);
  const place = (code: string, row: number, which: string): [number, number] => {
    const found = airports.get(code);
    if (found === undefined) {
      throw new RangeError(
        `flightFeatures(columns, airports): flight ${row}'s ${which} "${code}" is not in ` +
          `airports.csv; add its coordinates or drop the flight`,
      );
    }
    return found;
  };
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const { hour, dayOfYear } = parseDate(columns.date[i]);
    const [olat, olon] = place(columns.origin[i], i, "origin");
    const [dlat, dlon] = place(columns.destination[i], i, "destination");
    x.set([hour, dayOfYear, columns.distance[i], olat, olon, dlat, dlon], k * d);
    y[k] = columns.delay[i];
  }
  return { x, y };
}
