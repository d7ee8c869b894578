/**
 * The statistics examples/flights.ts needs beside the GP: a seeded hold-out split, column
 * standardisation, the two baselines (training mean, least squares) and the held-out metrics.
 *
 * @module
 */

import * as gp from "../mod.ts";

/** A seeded random split of rows 0 … n−1: `fraction` of them held out, the rest for training. */
export function holdOutSplit(
  n: number,
  fraction: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array } {
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`holdOutSplit(n): n = ${n}; need at least 2 rows to split`);
  }
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`holdOutSplit(fraction): ${fraction} must lie in (0, 1), e.g. 0.1`);
  }
  const order = shuffled(n, seed);
  const held = Math.max(1, Math.min(n - 1, Math.round(fraction * n)));
  return { test: order.slice(0, held), train: order.slice(held) };
}

/** 0 … n−1 in a seeded random order (Fisher–Yates). */
export function shuffled(n: number, seed: number): Uint32Array {
  const rng = new gp.Generator(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Per-column mean and standard deviation of a row-major matrix (rows × d). */
export function columnMoments(x: Float64Array, d: number): { mean: number[]; sd: number[] } {
  const n = x.length / d;
  const mean = new Array(d).fill(0), sd = new Array(d).fill(0);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += x[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) sd[k] += (x[i * d + k] - mean[k]) ** 2;
  }
  for (let k = 0; k < d; k++) sd[k] = Math.sqrt(sd[k] / (n - 1)) || 1;
  return { mean, sd };
}

/** Standardise the columns of x in place with the given moments. */
export function standardise(x: Float64Array, d: number, moments: { mean: number[]; sd: number[] }) {
  for (let i = 0; i < x.length; i++) {
    const k = i % d;
    x[i] = (x[i] - moments.mean[k]) / moments.sd[k];
  }
}

/** The median of each column (rows × d). */
export function columnMedians(x: Float64Array, d: number): number[] {
  const n = x.length / d;
  return Array.from({ length: d }, (_, k) => {
    const column = Float64Array.from({ length: n }, (_, i) => x[i * d + k]).sort();
    return n % 2 === 1 ? column[(n - 1) / 2] : (column[n / 2 - 1] + column[n / 2]) / 2;
  });
}

/**
 * Least squares with an intercept: β minimising ‖y − [1 x] β‖², by the normal equations
 * (d + 1 unknowns, Cholesky; the columns are standardised, so they are well conditioned).
 * Returns β (intercept first).
 * @throws {RangeError} when the normal matrix is singular (a constant or repeated column)
 */
export function leastSquares(x: Float64Array, d: number, y: Float64Array): Float64Array {
  const p = d + 1, n = y.length;
  const a = new Float64Array(p * p), b = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let k = 0; k < d; k++) row[k + 1] = x[i * d + k];
    for (let r = 0; r < p; r++) {
      b[r] += row[r] * y[i];
      for (let c = 0; c <= r; c++) a[r * p + c] += row[r] * row[c];
    }
  }
  // In-place Cholesky of the lower triangle, then the two triangular solves.
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j];
    for (let k = 0; k < j; k++) s -= a[j * p + k] ** 2;
    if (!(s > 1e-12 * n)) {
      throw new RangeError(
        `leastSquares(x): the normal matrix is singular at column ${j} (pivot ${s}); remove ` +
          `constant or repeated feature columns`,
      );
    }
    a[j * p + j] = Math.sqrt(s);
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j];
      for (let k = 0; k < j; k++) t -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = t / a[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= a[i * p + k] * z[k];
    z[i] = t / a[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let t = z[i];
    for (let k = i + 1; k < p; k++) t -= a[k * p + i] * beta[k];
    beta[i] = t / a[i * p + i];
  }
  return beta;
}

/** [1 x] β for each row. */
export function linearPredict(x: Float64Array, d: number, beta: Float64Array): Float64Array {
  const n = x.length / d;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = beta[0];
    for (let k = 0; k < d; k++) s += beta[k + 1] * x[i * d + k];
    out[i] = s;
  }
  return out;
}

/** Held-out RMSE and NLPD (mean −log p(y*), nats per flight). */
export interface Scores {
  /** Root mean squared error of the predictive mean. */
  rmse: number;
  /** Negative log predictive density, averaged over the rows. */
  nlpd: number;
}

/** RMSE and NLPD of a Gaussian predictive N(mean[i], variance[i]) (variance: array or one value). */
export function gaussianScores(
  y: Float64Array,
  mean: Float64Array,
  variance: Float64Array | number,
): Scores {
  let se = 0, nlpd = 0;
  for (let i = 0; i < y.length; i++) {
    const v = typeof variance === "number" ? variance : variance[i];
    const r = y[i] - mean[i];
    se += r * r;
    nlpd += 0.5 * (Math.log(2 * Math.PI * v) + r * r / v);
  }
  return { rmse: Math.sqrt(se / y.length), nlpd: nlpd / y.length };
}

/** The mean of y over the rows whose key falls in each of `bins` equal bins of [lo, hi). */
export function binnedMeans(
  key: ArrayLike<number>,
  y: ArrayLike<number>,
  lo: number,
  hi: number,
  bins: number,
): { centre: number; mean: number; count: number }[] {
  const sum = new Float64Array(bins), count = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < y.length; i++) {
    const b = Math.floor((key[i] - lo) / width);
    if (b >= 0 && b < bins) sum[b] += y[i], count[b]++;
  }
  const out = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) {
      out.push({ centre: lo + (b + 0.5) * width, mean: sum[b] / count[b], count: count[b] });
    }
  }
  return out;
}
