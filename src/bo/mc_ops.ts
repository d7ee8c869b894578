/**
 * The recorded tensor operations the Monte-Carlo acquisitions need beyond `gp.autograd`'s
 * primitives: slicing and stacking along an axis, the maximum over the last axis, the
 * sampling map μ + L z, BoTorch's jitter rule for the joint posterior's Cholesky factor,
 * and BoTorch's smooth approximations (`botorch.utils.safe_math`: `log_fatplus`, `fatmax`,
 * `logmeanexp`). Each has its vector–Jacobian product, checked by `gradcheck` in
 * tests/mc_ops_test.ts.
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import { NotPositiveDefiniteError, warn } from "../errors.ts";
import { record, Tensor } from "../autograd/tensor.ts";
import { cholesky } from "../autograd/linalg.ts";

function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const v of shape) s *= v;
  return s;
}

/**
 * `x[i]` along the first axis (torch's `x[i]`), recorded.
 *
 * @example
 * ```ts
 * import { selectFirst } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const row = selectFirst(x, 1);
 * row.sum().backward();
 * assert.deepStrictEqual(Array.from(row.data), [3, 4]);
 * assert.deepStrictEqual(Array.from(x.grad!.data), [0, 0, 1, 1]);
 * ```
 */
export function selectFirst(x: Tensor, i: number): Tensor {
  const inner = x.shape.slice(1);
  const m = sizeOf(inner);
  if (!Number.isInteger(i) || i < 0 || i >= x.shape[0]) {
    throw new RangeError(`selectFirst(x, i): i = ${i} is outside [0, ${x.shape[0]})`);
  }
  return record("selectFirst", x.data.slice(i * m, (i + 1) * m), inner, [x], (g) => {
    const gx = new Float64Array(x.size);
    gx.set(g, i * m);
    return [gx];
  });
}

/**
 * Tensors of one shape stacked along a new first axis (torch's `stack(ts, 0)`), recorded.
 *
 * @example
 * ```ts
 * import { stack } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(stack([tensor([1, 2]), tensor([3, 4])]).shape, [2, 2]);
 * ```
 */
export function stack(ts: readonly Tensor[]): Tensor {
  if (ts.length === 0) throw new TypeError("stack(ts): no tensors to stack");
  const shape = ts[0].shape, m = sizeOf(shape);
  for (const t of ts) {
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new TypeError(
        `stack(ts): shapes [${t.shape.join(", ")}] and [${shape.join(", ")}] differ`,
      );
    }
  }
  const out = new Float64Array(ts.length * m);
  ts.forEach((t, i) => out.set(t.data, i * m));
  return record(
    "stack",
    out,
    [ts.length, ...shape],
    ts,
    (g) => ts.map((t, i) => t.requiresGrad ? g.slice(i * m, (i + 1) * m) : null),
  );
}

/**
 * Two tensors joined along the first axis (torch's `cat([a, b], 0)`), recorded.
 *
 * @example
 * ```ts
 * import { concatFirst } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(concatFirst(tensor([[1, 2]]), tensor([[3, 4], [5, 6]])).shape, [3, 2]);
 * ```
 */
export function concatFirst(a: Tensor, b: Tensor): Tensor {
  const ia = a.shape.slice(1), ib = b.shape.slice(1);
  if (ia.length !== ib.length || ia.some((v, i) => v !== ib[i])) {
    throw new TypeError(
      `concatFirst(a, b): shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}] differ ` +
        `past the first axis`,
    );
  }
  const out = new Float64Array(a.size + b.size);
  out.set(a.data);
  out.set(b.data, a.size);
  return record("concatFirst", out, [a.shape[0] + b.shape[0], ...ia], [a, b], (g) => [
    a.requiresGrad ? g.slice(0, a.size) : null,
    b.requiresGrad ? g.slice(a.size) : null,
  ]);
}

/**
 * `x[..., start:end]` along the last axis, recorded.
 *
 * @example
 * ```ts
 * import { sliceLast } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(sliceLast(tensor([[1, 2, 3], [4, 5, 6]]), 1, 3).data), [2, 3, 5, 6]);
 * ```
 */
export function sliceLast(x: Tensor, start: number, end: number): Tensor {
  const k = x.shape[x.ndim - 1], w = end - start, rows = x.size / k;
  if (!(0 <= start && start < end && end <= k)) {
    throw new RangeError(`sliceLast(x, ${start}, ${end}): outside [0, ${k}]`);
  }
  const out = new Float64Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(x.data.subarray(r * k + start, r * k + end), r * w);
  return record("sliceLast", out, [...x.shape.slice(0, -1), w], [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let r = 0; r < rows; r++) gx.set(g.subarray(r * w, (r + 1) * w), r * k + start);
    return [gx];
  });
}

/**
 * The maximum over the last axis (torch's `amax(-1)`); the gradient goes to the first
 * maximal entry.
 *
 * @example
 * ```ts
 * import { amaxLast } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(amaxLast(tensor([[1, 5, 2], [7, 0, 3]])).data), [5, 7]);
 * ```
 */
export function amaxLast(x: Tensor): Tensor {
  const k = x.shape[x.ndim - 1], rows = x.size / k;
  const out = new Float64Array(rows), at = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity, j = 0;
    for (let c = 0; c < k; c++) {
      const v = x.data[r * k + c];
      if (v > best || Number.isNaN(v)) {
        best = v;
        j = c;
        if (Number.isNaN(v)) break;
      }
    }
    out[r] = best;
    at[r] = j;
  }
  return record("amaxLast", out, x.shape.slice(0, -1), [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let r = 0; r < rows; r++) gx[r * k + at[r]] = g[r];
    return [gx];
  });
}

/**
 * max(x, c) element-wise (torch's `clamp_min`); gradient 1 where x > c, else 0.
 *
 * @example
 * ```ts
 * import { clampMin } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(clampMin(tensor([-1, 2]), 0).data), [0, 2]);
 * ```
 */
export function clampMin(x: Tensor, c: number): Tensor {
  const out = x.data.map((v) => v > c ? v : c);
  return record("clampMin", out, x.shape, [x], (g) => [g.map((v, i) => x.data[i] > c ? v : 0)]);
}

/**
 * |x| element-wise; gradient sign(x) (0 at 0).
 *
 * @example
 * ```ts
 * import { absolute } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * assert.deepStrictEqual(Array.from(absolute(tensor([-1, 2])).data), [1, 2]);
 * ```
 */
export function absolute(x: Tensor): Tensor {
  const out = x.data.map(Math.abs);
  return record("absolute", out, x.shape, [x], (g) => [g.map((v, i) => v * Math.sign(x.data[i]))]);
}

/** log(1 + eᵘ) without overflow or loss of precision. */
function softplusNumber(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/**
 * BoTorch's `log_fatplus(x, tau)`: log(τ · (softplus(x/τ) + 0.1 / (1 + (x/τ)²))), the log
 * of a fat-tailed smooth ReLU (its Cauchy term keeps value and gradient from underflowing
 * far below 0), element-wise.
 *
 * @example
 * ```ts
 * import { logFatplus } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const y = logFatplus(tensor([0.5, -1]), 1e-6);
 * assert.ok(Math.abs(y.data[0] - Math.log(0.5)) < 1e-5); // ≈ log ReLU(x) above 0
 * assert.ok(Number.isFinite(y.data[1]));                 // finite far below
 * ```
 */
export function logFatplus(x: Tensor, tau: number): Tensor {
  const n = x.size, out = new Float64Array(n), dout = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = x.data[i] / tau;
    const c = 1 / (1 + u * u);
    const h = softplusNumber(u) + 0.1 * c;
    const sig = u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
    out[i] = Math.log(tau * h);
    dout[i] = (sig - 0.2 * u * c * c) / (h * tau);
  }
  return record("logFatplus", out, x.shape, [x], (g) => [g.map((v, i) => v * dout[i])]);
}

/**
 * BoTorch's `fatmax(x, dim=-1, tau, alpha)`: a smooth maximum over the last axis with a
 * fat (power-law) tail, M + τ log Σᵢ p((M − xᵢ)/τ) with M = max x and
 * p(z) = (β₀ / (β₀ + β₁ z + z²))^(α/2), β₁ = α, β₀ = α²/2. Where the maximum is +∞, or
 * every entry is −∞, the result is the sum of those entries (BoTorch's rule), gradient 1.
 *
 * @example
 * ```ts
 * import { fatmaxLast } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const y = fatmaxLast(tensor([[0, 1, 3]]), 1e-2);
 * assert.ok(Math.abs(y.data[0] - 3) < 1e-3);
 * ```
 */
export function fatmaxLast(x: Tensor, tau: number, alpha = 2): Tensor {
  const k = x.shape[x.ndim - 1], rows = x.size / k;
  const a = alpha / 2, b1 = 2 * a, b0 = a * b1;
  const out = new Float64Array(rows), grad = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let m = -Infinity, at = 0;
    for (let c = 0; c < k; c++) if (x.data[o + c] > m) [m, at] = [x.data[o + c], c];
    if (m === Infinity || m === -Infinity) {
      let s = 0;
      for (let c = 0; c < k; c++) {
        if (x.data[o + c] === m) {
          s += m;
          grad[o + c] = 1;
        }
      }
      out[r] = s;
      continue;
    }
    let sum = 0;
    const dp = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const z = (m - x.data[o + c]) / tau;
      const den = b0 + b1 * z + z * z;
      const p = Math.pow(b0 / den, a);
      sum += p;
      dp[c] = -a * p * (b1 + 2 * z) / den; // dp/dz
    }
    out[r] = m + tau * Math.log(sum);
    // ∂/∂x_c for c ≠ at: −p'(z_c)/S; for the maximiser: 1 + Σ_{c ≠ at} p'(z_c)/S.
    let rest = 0;
    for (let c = 0; c < k; c++) {
      if (c === at) continue;
      grad[o + c] = -dp[c] / sum;
      rest += dp[c] / sum;
    }
    grad[o + at] = 1 + rest;
  }
  return record("fatmaxLast", out, x.shape.slice(0, -1), [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) gx[r * k + c] = g[r] * grad[r * k + c];
    }
    return [gx];
  });
}

/**
 * log(mean(exp(x))) over the first axis (BoTorch's `logmeanexp(x, dim=0)`), stable; a slice
 * of −∞ gives −∞ with a uniform gradient, as BoTorch's.
 *
 * @example
 * ```ts
 * import { logMeanExpFirst } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const y = logMeanExpFirst(tensor([[-1000], [-1000]]));
 * assert.strictEqual(y.data[0], -1000);
 * ```
 */
export function logMeanExpFirst(x: Tensor): Tensor {
  const n = x.shape[0], m = x.size / n;
  const out = new Float64Array(m), w = new Float64Array(x.size);
  for (let j = 0; j < m; j++) {
    let mx = -Infinity;
    for (let i = 0; i < n; i++) mx = Math.max(mx, x.data[i * m + j]);
    if (mx === -Infinity || mx === Infinity) {
      out[j] = mx;
      for (let i = 0; i < n; i++) w[i * m + j] = 1 / n;
      continue;
    }
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(x.data[i * m + j] - mx);
      w[i * m + j] = e;
      s += e;
    }
    for (let i = 0; i < n; i++) w[i * m + j] /= s;
    out[j] = mx + Math.log(s) - Math.log(n);
  }
  return record("logMeanExpFirst", out, x.shape.slice(1), [x], (g) => {
    const gx = new Float64Array(x.size);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) gx[i * m + j] = g[j] * w[i * m + j];
    return [gx];
  });
}

/** GPyTorch's `psd_safe_cholesky` jitter for float64: 1e-8, then ×10, three tries. */
export const SAMPLER_JITTER: readonly number[] = [1e-8, 1e-7, 1e-6];

/**
 * The Cholesky factors of a batch of covariance matrices [b, q, q] with GPyTorch's
 * `psd_safe_cholesky` rule (what BoTorch's posterior sampling uses): no jitter, then,
 * for the matrices that fail only, 1e-8, 1e-7, 1e-6 added to the diagonal (absolute, in
 * the float64 defaults), with a warning; a {@link NotPositiveDefiniteError} after that.
 * Recorded (differentiable through `gp.autograd.cholesky`).
 *
 * @example
 * ```ts
 * import { psdSafeCholesky } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const l = psdSafeCholesky(tensor([[[4, 2], [2, 2]]]));
 * assert.deepStrictEqual(Array.from(l.data), [2, 0, 1, 1]);
 * ```
 */
export function psdSafeCholesky(a: Tensor): Tensor {
  const [batch, q] = [a.shape[0], a.shape[1]];
  if (a.ndim !== 3 || a.shape[2] !== q) {
    throw new TypeError(
      `psdSafeCholesky(a): a has shape [${a.shape.join(", ")}]; pass a batch [b, q, q]`,
    );
  }
  const jitters = new Float64Array(batch);
  let any = false;
  for (let t = 0; t < batch; t++) {
    const off = t * q * q;
    const sym = new Float64Array(q * q);
    for (let i = 0; i < q; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 0.5 * (a.data[off + i * q + j] + a.data[off + j * q + i]);
        if (!Number.isFinite(v)) {
          throw new RangeError(
            `psdSafeCholesky: the posterior covariance holds ${v} (matrix ${t}, entry ` +
              `[${i}, ${j}]); check the model's parameters and inputs`,
          );
        }
        sym[i * q + j] = sym[j * q + i] = v;
      }
    }
    let ok = false, pivot = -1;
    for (const jitter of [0, ...SAMPLER_JITTER]) {
      using buf = core.F64Buffer.from(sym);
      const view = buf.view();
      for (let i = 0; i < q; i++) view[i * q + i] += jitter;
      const status = core.cholesky(buf, q);
      if (status === 0) {
        jitters[t] = jitter;
        any ||= jitter > 0;
        ok = true;
        break;
      }
      pivot = status - 1;
    }
    if (!ok) {
      throw new NotPositiveDefiniteError(
        `the joint posterior covariance of candidate set ${t} (${q} × ${q})`,
        pivot,
        [0, ...SAMPLER_JITTER],
      );
    }
  }
  if (!any) return cholesky(a);
  const added = new Float64Array(a.size);
  for (let t = 0; t < batch; t++) {
    if (jitters[t] === 0) continue;
    warn(
      `the joint posterior covariance of candidate set ${t} (${q} × ${q}) is not positive ` +
        `definite; added jitter ${jitters[t].toExponential(0)} to its diagonal (GPyTorch's rule)`,
    );
    for (let i = 0; i < q; i++) added[t * q * q + i * q + i] = jitters[t];
  }
  return cholesky(a.add(new Tensor(added, a.shape)));
}

/**
 * Samples μ + L z of a batch of multivariate normals: `mean` [b, q], lower factors `l`
 * [b, q, q] and base samples `z` (n × q row-major, constants, shared by the batch) give
 * [n, b, q] (BoTorch's sample-first layout), recorded in `mean` and `l`.
 *
 * @example
 * ```ts
 * import { mvnSamples } from "./mc_ops.ts";
 * import { tensor } from "../autograd/tensor.ts";
 * import assert from "node:assert";
 * const s = mvnSamples(tensor([[1, 2]]), tensor([[[1, 0], [0.5, 2]]]), new Float64Array([1, -1]), 1);
 * assert.deepStrictEqual(Array.from(s.data), [2, 2 + 0.5 - 2]);
 * ```
 */
export function mvnSamples(mean: Tensor, l: Tensor, z: Float64Array, n: number): Tensor {
  const [b, q] = [mean.shape[0], mean.shape[1]];
  if (mean.ndim !== 2 || l.ndim !== 3 || l.shape[0] !== b || l.shape[1] !== q || l.shape[2] !== q) {
    throw new TypeError(
      `mvnSamples: mean [${mean.shape.join(", ")}] and l [${l.shape.join(", ")}] must be ` +
        `[b, q] and [b, q, q]`,
    );
  }
  if (z.length !== n * q) {
    throw new TypeError(`mvnSamples: z has ${z.length} values, not n · q = ${n * q}`);
  }
  const out = new Float64Array(n * b * q);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < b; t++) {
      for (let i = 0; i < q; i++) {
        let v = mean.data[t * q + i];
        const lo = t * q * q + i * q;
        for (let j = 0; j <= i; j++) v += l.data[lo + j] * z[s * q + j];
        out[(s * b + t) * q + i] = v;
      }
    }
  }
  return record("mvnSamples", out, [n, b, q], [mean, l], (g) => {
    let gm: Float64Array | null = null, gl: Float64Array | null = null;
    if (mean.requiresGrad) {
      gm = new Float64Array(b * q);
      for (let s = 0; s < n; s++) for (let k = 0; k < b * q; k++) gm[k] += g[s * b * q + k];
    }
    if (l.requiresGrad) {
      gl = new Float64Array(b * q * q);
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < b; t++) {
          for (let i = 0; i < q; i++) {
            const gi = g[(s * b + t) * q + i];
            if (gi === 0) continue;
            const lo = t * q * q + i * q;
            for (let j = 0; j <= i; j++) gl[lo + j] += gi * z[s * q + j];
          }
        }
      }
    }
    return [gm, gl];
  });
}
