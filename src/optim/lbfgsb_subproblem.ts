/**
 * The quadratic subproblem of L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995): the limited-memory BFGS
 * matrix in compact form B = θI − W·M·Wᵀ, its generalized Cauchy point along the projected
 * gradient path, and the subspace minimisation over the variables that are free there.
 *
 * @module
 */

/** Solves A·x = b in place (A k × k row-major, destroyed) by Gaussian elimination with pivoting. */
function solveInPlace(a: Float64Array, b: Float64Array, k: number): boolean {
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) {
      if (Math.abs(a[r * k + col]) > Math.abs(a[piv * k + col])) piv = r;
    }
    const p = a[piv * k + col];
    if (!(Math.abs(p) > 0) || !Number.isFinite(p)) return false;
    if (piv !== col) {
      for (let c = 0; c < k; c++) {
        const t = a[col * k + c];
        a[col * k + c] = a[piv * k + c];
        a[piv * k + c] = t;
      }
      const t = b[col];
      b[col] = b[piv];
      b[piv] = t;
    }
    for (let r = col + 1; r < k; r++) {
      const f = a[r * k + col] / p;
      if (f === 0) continue;
      for (let c = col; c < k; c++) a[r * k + c] -= f * a[col * k + c];
      b[r] -= f * b[col];
    }
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < k; c++) s -= a[r * k + c] * b[c];
    b[r] = s / a[r * k + r];
  }
  return true;
}

/**
 * The L-BFGS matrix B = θI − W·M·Wᵀ from the stored pairs (sᵢ, yᵢ), oldest first, with
 * W = [Y, θS] (n × 2k) and M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹ (D = diag sᵢᵀyᵢ, Lᵢⱼ = sᵢᵀyⱼ for i > j).
 */
export class CompactBfgs {
  /** Number of variables. */
  readonly n: number;
  /** Number of stored pairs k; W has 2k columns. */
  readonly k: number;
  /** The scaling θ = yᵀy/sᵀy of the newest pair (1 with no pairs). */
  readonly theta: number;
  /** M, 2k × 2k row-major. */
  readonly m: Float64Array;
  #s: Float64Array[];
  #y: Float64Array[];

  /** Builds M; throws a RangeError if the middle matrix is singular (callers reset memory). */
  constructor(n: number, s: Float64Array[], y: Float64Array[], theta: number) {
    this.n = n;
    this.k = s.length;
    this.theta = theta;
    this.#s = s;
    this.#y = y;
    const k = this.k;
    const k2 = 2 * k;
    const kk = new Float64Array(k2 * k2);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const sy = dot(s[i], y[j]);
        if (i === j) kk[i * k2 + j] = -sy;
        if (i > j) {
          kk[(k + i) * k2 + j] = sy; // L
          kk[j * k2 + k + i] = sy; // Lᵀ
        }
        kk[(k + i) * k2 + k + j] = theta * dot(s[i], s[j]);
      }
    }
    // Invert column by column.
    this.m = new Float64Array(k2 * k2);
    for (let c = 0; c < k2; c++) {
      const e = new Float64Array(k2);
      e[c] = 1;
      if (!solveInPlace(kk.slice(), e, k2)) {
        throw new RangeError("CompactBfgs: the L-BFGS middle matrix is singular");
      }
      for (let r = 0; r < k2; r++) this.m[r * k2 + c] = e[r];
    }
  }

  /** Wᵀv (length 2k). */
  wtv(v: Float64Array, onlyFree?: Uint8Array): Float64Array {
    const k = this.k;
    const out = new Float64Array(2 * k);
    for (let j = 0; j < k; j++) {
      const y = this.#y[j];
      const s = this.#s[j];
      let a = 0;
      let b = 0;
      for (let i = 0; i < this.n; i++) {
        if (onlyFree && !onlyFree[i]) continue;
        a += y[i] * v[i];
        b += s[i] * v[i];
      }
      out[j] = a;
      out[k + j] = this.theta * b;
    }
    return out;
  }

  /** Row i of W (length 2k). */
  wRow(i: number, out: Float64Array): Float64Array {
    for (let j = 0; j < this.k; j++) {
      out[j] = this.#y[j][i];
      out[this.k + j] = this.theta * this.#s[j][i];
    }
    return out;
  }

  /** M·v (length 2k). */
  mv(v: Float64Array): Float64Array {
    const k2 = 2 * this.k;
    const out = new Float64Array(k2);
    for (let r = 0; r < k2; r++) {
      let s = 0;
      for (let c = 0; c < k2; c++) s += this.m[r * k2 + c] * v[c];
      out[r] = s;
    }
    return out;
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The generalized Cauchy point and W·ᵀ(xᶜ − x) = c. */
export interface CauchyPoint {
  /** xᶜ, feasible. */
  xc: Float64Array;
  /** c = Wᵀ(xᶜ − x), length 2k. */
  c: Float64Array;
  /** 1 where xᶜ is strictly inside its bounds (the free variables of the subspace step). */
  free: Uint8Array;
}

/**
 * Algorithm CP of Byrd et al.: the first local minimiser of the quadratic model along the
 * projected steepest-descent path x(t) = P(x − t·g), examining the breakpoints in order.
 */
export function cauchyPoint(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  b: CompactBfgs,
): CauchyPoint {
  const n = x.length;
  const k2 = 2 * b.k;
  const theta = b.theta;
  const xc = Float64Array.from(x);
  const d = new Float64Array(n);
  const tBreak = new Float64Array(n);
  const order: number[] = [];
  let fp = 0;
  for (let i = 0; i < n; i++) {
    let t = Infinity;
    if (g[i] < 0) t = upper[i] === Infinity ? Infinity : (x[i] - upper[i]) / g[i];
    else if (g[i] > 0) t = lower[i] === -Infinity ? Infinity : (x[i] - lower[i]) / g[i];
    tBreak[i] = t;
    if (t > 0 && g[i] !== 0) {
      d[i] = -g[i];
      fp -= g[i] * g[i];
      if (t < Infinity) order.push(i);
    }
  }
  order.sort((i, j) => tBreak[i] - tBreak[j]);
  const p = b.wtv(d);
  const c = new Float64Array(k2);
  let mp = b.mv(p);
  let fpp = -theta * fp - dot(p, mp);
  const fpp0 = Math.max(-theta * fp, Number.MIN_VALUE);
  let dtMin = fpp > 0 ? -fp / fpp : Infinity;
  let tOld = 0;
  const w = new Float64Array(k2);
  let next = 0;
  while (next < order.length && fp < 0) {
    const i = order[next];
    const dt = tBreak[i] - tOld;
    if (dtMin < dt) break;
    next++;
    const xb = d[i] > 0 ? upper[i] : lower[i];
    const zb = xb - x[i];
    xc[i] = xb;
    for (let j = 0; j < k2; j++) c[j] += dt * p[j];
    b.wRow(i, w);
    const mc = b.mv(c);
    const mw = b.mv(w);
    const gb = g[i];
    fp += dt * fpp + gb * gb + theta * gb * zb - gb * dot(w, mc);
    fpp -= theta * gb * gb + 2 * gb * dot(w, mp) + gb * gb * dot(w, mw);
    fpp = Math.max(fpp, Number.EPSILON * fpp0);
    for (let j = 0; j < k2; j++) p[j] += gb * w[j];
    mp = b.mv(p);
    d[i] = 0;
    dtMin = -fp / fpp;
    tOld = tBreak[i];
  }
  if (fp >= 0) dtMin = 0;
  dtMin = Math.max(0, dtMin);
  // Infinite only without curvature along an unbounded direction; θ > 0 rules that out.
  if (dtMin === Infinity) dtMin = 0;
  const tFinal = tOld + dtMin;
  for (let r = next; r < order.length; r++) {
    const i = order[r];
    xc[i] = Math.min(upper[i], Math.max(lower[i], x[i] + tFinal * d[i]));
  }
  for (let i = 0; i < n; i++) {
    if (d[i] !== 0 && tBreak[i] === Infinity) xc[i] = x[i] + tFinal * d[i];
  }
  for (let j = 0; j < k2; j++) c[j] += dtMin * p[j];
  const free = new Uint8Array(n);
  for (let i = 0; i < n; i++) free[i] = xc[i] > lower[i] && xc[i] < upper[i] ? 1 : 0;
  return { xc, c, free };
}

/**
 * Direct primal subspace minimisation (Byrd et al. §5.1, with the projection of L-BFGS-B 3.0,
 * Morales & Nocedal 2011): minimises the model over the free variables from xᶜ with the
 * Sherman–Morrison–Woodbury form of the reduced B, projects onto the box, and falls back to the
 * largest feasible fraction of the step when the projected point is not a descent direction.
 * Returns x̄, the end of the search direction.
 */
export function subspaceMinimize(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  b: CompactBfgs,
  cp: CauchyPoint,
): Float64Array {
  const n = x.length;
  const k2 = 2 * b.k;
  const theta = b.theta;
  const { xc, c, free } = cp;
  let nFree = 0;
  for (let i = 0; i < n; i++) nFree += free[i];
  if (nFree === 0) return xc;
  // Reduced gradient r = Zᵀ(g + θ(xᶜ − x) − W·M·c).
  const mc = b.mv(c);
  const r = new Float64Array(n);
  const w = new Float64Array(k2);
  for (let i = 0; i < n; i++) {
    if (!free[i]) continue;
    r[i] = g[i] + theta * (xc[i] - x[i]) - dot(b.wRow(i, w), mc);
  }
  const du = new Float64Array(n);
  for (let i = 0; i < n; i++) du[i] = -r[i] / theta;
  if (k2 > 0) {
    // v = M·Wᵀ·Z·r; solve (I − M·WᵀZZᵀW/θ)·v' = v; du = −r/θ − Zᵀ·W·v'/θ².
    const v = b.mv(b.wtv(r, free));
    const a = new Float64Array(k2 * k2);
    for (let i = 0; i < n; i++) {
      if (!free[i]) continue;
      b.wRow(i, w);
      for (let p = 0; p < k2; p++) {
        for (let q = 0; q < k2; q++) a[p * k2 + q] += w[p] * w[q];
      }
    }
    const nmat = new Float64Array(k2 * k2);
    for (let p = 0; p < k2; p++) {
      for (let q = 0; q < k2; q++) {
        let s = 0;
        for (let t = 0; t < k2; t++) s += b.m[p * k2 + t] * a[t * k2 + q];
        nmat[p * k2 + q] = (p === q ? 1 : 0) - s / theta;
      }
    }
    if (solveInPlace(nmat, v, k2)) {
      for (let i = 0; i < n; i++) {
        if (free[i]) du[i] -= dot(b.wRow(i, w), v) / (theta * theta);
      }
    }
  }
  const xbar = Float64Array.from(xc);
  let descent = 0;
  for (let i = 0; i < n; i++) {
    if (free[i]) xbar[i] = Math.min(upper[i], Math.max(lower[i], xc[i] + du[i]));
    descent += (xbar[i] - x[i]) * g[i];
  }
  if (descent < 0) return xbar;
  // Not a descent direction after projection: the largest feasible fraction of the step.
  let alpha = 1;
  for (let i = 0; i < n; i++) {
    if (!free[i] || du[i] === 0) continue;
    const room = du[i] > 0 ? (upper[i] - xc[i]) / du[i] : (lower[i] - xc[i]) / du[i];
    alpha = Math.min(alpha, room);
  }
  for (let i = 0; i < n; i++) {
    if (free[i]) xbar[i] = Math.min(upper[i], Math.max(lower[i], xc[i] + alpha * du[i]));
  }
  return xbar;
}
