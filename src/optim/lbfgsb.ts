/**
 * Box-constrained L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995; Morales & Nocedal 2011), as scipy's
 * `fmin_l_bfgs_b`, written as a reverse-communication state machine so that many restarts can be
 * evaluated together in one batched call per round (BoTorch's `gen_candidates_scipy` runs scipy's
 * L-BFGS-B on all restarts stacked into one vector; here each restart keeps its own memory and
 * stops on its own).
 *
 * @module
 */

import { cauchyPoint, CompactBfgs, subspaceMinimize } from "./lbfgsb_subproblem.ts";

/** Options of L-BFGS-B, with scipy's `fmin_l_bfgs_b` defaults. */
export interface LbfgsbOptions {
  /** Correction pairs kept (default 10). */
  m?: number;
  /** Stop when (fₖ − fₖ₊₁)/max(|fₖ|, |fₖ₊₁|, 1) ≤ factr·ε (default 1e7, about 2.2e-9). */
  factr?: number;
  /** Stop when the projected gradient's largest entry is ≤ pgtol (default 1e-5). */
  pgtol?: number;
  /** Iterations allowed (default 15000). */
  maxiter?: number;
  /** Function evaluations allowed (default 15000). */
  maxfun?: number;
  /** Evaluations per line search (default 20). */
  maxls?: number;
}

/** Why an {@link LbfgsbState} stopped (scipy's messages). */
export const LBFGSB_REASONS = {
  pgtol: "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL",
  factr: "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH",
  maxiter: "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT",
  maxfun: "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT",
  lineSearch: "ABNORMAL_TERMINATION_IN_LNSRCH",
  nonFinite: "ABNORMAL: NON-FINITE VALUE OR GRADIENT AT THE STARTING POINT",
} as const;

const C1 = 1e-3; // sufficient decrease (scipy's ftol in dcsrch)
const C2 = 0.9; // curvature (scipy's gtol)

/** A point on the search line: step, value, directional derivative, the point and gradient. */
interface Sample {
  a: number;
  f: number;
  dg: number;
  x: Float64Array;
  g: Float64Array;
}

function checkPositiveInteger(v: number | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`L-BFGS-B(options.${name}): got ${v}; pass a positive integer`);
  }
  return v;
}

function checkNonNegative(v: number | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
    throw new RangeError(`L-BFGS-B(options.${name}): got ${v}; pass a finite number ≥ 0`);
  }
  return v;
}

function toFloat64(v: ArrayLike<number>, name: string): Float64Array {
  if (v === null || typeof v !== "object" || typeof v.length !== "number") {
    throw new TypeError(`${name}: expected an array of numbers, got ${String(v)}`);
  }
  return Float64Array.from(v);
}

/**
 * One L-BFGS-B minimisation driven from outside: read {@link LbfgsbState.x}, evaluate the
 * function and its gradient there, pass them to {@link LbfgsbState.tell}, repeat until
 * {@link LbfgsbState.done}. Every point it asks for lies inside the box; the iterate
 * ({@link LbfgsbState.bestX}) only ever decreases f.
 *
 * Each iteration finds the generalized Cauchy point of the L-BFGS model along the projected
 * gradient path, minimises the model over the variables free there, and searches along the
 * resulting direction for a step meeting the strong Wolfe conditions (c₁ = 1e-3, c₂ = 0.9),
 * never past the box. It stops as scipy does: projected gradient ‖P(x − g) − x‖∞ ≤ pgtol, relative
 * reduction of f ≤ factr·ε, or a limit.
 *
 * @example
 * ```ts
 * import { LbfgsbState } from "./lbfgsb.ts";
 * import { ok } from "node:assert";
 * // Minimise (x − 3)² on [0, 2]: the answer is the bound x = 2.
 * const state = new LbfgsbState([0.5], [0], [2]);
 * while (!state.done) {
 *   const x = state.x[0];
 *   state.tell((x - 3) ** 2, [2 * (x - 3)]);
 * }
 * ok(state.bestX[0] === 2 && state.converged);
 * ```
 */
export class LbfgsbState {
  /** Number of variables. */
  readonly n: number;
  /** Lower bounds (−Infinity for none). */
  readonly lower: Float64Array;
  /** Upper bounds (Infinity for none). */
  readonly upper: Float64Array;
  #m: number;
  #factr: number;
  #pgtol: number;
  #maxiter: number;
  #maxfun: number;
  #maxls: number;

  #trial: Float64Array;
  #xk: Float64Array;
  #fk = NaN;
  #gk: Float64Array;
  #s: Float64Array[] = [];
  #y: Float64Array[] = [];
  #theta = 1;
  #d: Float64Array;
  #started = false;
  #done = false;
  #reason = "";
  #iterations = 0;
  #evaluations = 0;
  // Line search.
  #stpmax = 0;
  #dg0 = 0;
  #prev: Sample | null = null;
  #lo: Sample | null = null;
  #hi: Sample | null = null;
  #alpha = 0;
  #lsCount = 0;
  #trialG: Float64Array;

  /**
   * Starts a minimisation at x0 inside [lower, upper].
   *
   * @param x0 the starting point; must lie inside the box
   * @param lower lower bounds, one per variable (−Infinity for none)
   * @param upper upper bounds (Infinity for none), each above its lower bound
   * @param options scipy's m, factr, pgtol, maxiter, maxfun, maxls
   */
  constructor(
    x0: ArrayLike<number>,
    lower: ArrayLike<number>,
    upper: ArrayLike<number>,
    options: LbfgsbOptions = {},
  ) {
    const x = toFloat64(x0, "L-BFGS-B(x0)");
    this.lower = toFloat64(lower, "L-BFGS-B(lower)");
    this.upper = toFloat64(upper, "L-BFGS-B(upper)");
    const n = x.length;
    if (n === 0) throw new TypeError("L-BFGS-B(x0): x0 is empty; pass at least one variable");
    for (const [v, name] of [[this.lower, "lower"], [this.upper, "upper"]] as const) {
      if (v.length !== n) {
        throw new TypeError(
          `L-BFGS-B(${name}): length ${v.length} but x0 has ${n} variables; pass one bound each`,
        );
      }
    }
    for (let i = 0; i < n; i++) {
      const lo = this.lower[i];
      const hi = this.upper[i];
      if (Number.isNaN(lo) || Number.isNaN(hi) || !(lo < hi) || lo === Infinity) {
        throw new RangeError(
          `L-BFGS-B(lower, upper): variable ${i} has lower = ${lo} ≥ upper = ${hi}; ` +
            `each needs lower < upper (use ±Infinity for no bound)`,
        );
      }
      if (!Number.isFinite(x[i]) || x[i] < lo || x[i] > hi) {
        throw new RangeError(
          `L-BFGS-B(x0): x0[${i}] = ${x[i]} is outside [${lo}, ${hi}]; start inside the box`,
        );
      }
    }
    this.#m = checkPositiveInteger(options.m, "m", 10);
    this.#factr = checkNonNegative(options.factr, "factr", 1e7);
    this.#pgtol = checkNonNegative(options.pgtol, "pgtol", 1e-5);
    this.#maxiter = checkPositiveInteger(options.maxiter, "maxiter", 15000);
    this.#maxfun = checkPositiveInteger(options.maxfun, "maxfun", 15000);
    this.#maxls = checkPositiveInteger(options.maxls, "maxls", 20);
    this.n = n;
    this.#trial = x;
    this.#xk = Float64Array.from(x);
    this.#gk = new Float64Array(n);
    this.#d = new Float64Array(n);
    this.#trialG = new Float64Array(n);
  }

  /** The point to evaluate next (do not modify it); meaningless once done. */
  get x(): Float64Array {
    return this.#trial;
  }
  /** True once the minimisation has stopped. */
  get done(): boolean {
    return this.#done;
  }
  /** Why it stopped (one of {@link LBFGSB_REASONS}), or "" while running. */
  get reason(): string {
    return this.#reason;
  }
  /** True when it stopped on pgtol or factr. */
  get converged(): boolean {
    return this.#reason === LBFGSB_REASONS.pgtol || this.#reason === LBFGSB_REASONS.factr;
  }
  /** The current iterate, the lowest point accepted so far. */
  get bestX(): Float64Array {
    return this.#xk;
  }
  /** f at {@link LbfgsbState.bestX} (NaN before the first tell). */
  get bestF(): number {
    return this.#fk;
  }
  /** The gradient at {@link LbfgsbState.bestX}. */
  get bestGradient(): Float64Array {
    return this.#gk;
  }
  /** Iterations completed. */
  get iterations(): number {
    return this.#iterations;
  }
  /** Function evaluations told so far. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** ‖P(x − g) − x‖∞ at the current iterate: 0 exactly at a KKT point of the box. */
  projectedGradientNorm(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) {
      const x = this.#xk[i];
      const p = Math.min(this.upper[i], Math.max(this.lower[i], x - this.#gk[i])) - x;
      m = Math.max(m, Math.abs(p));
    }
    return m;
  }

  #stop(reason: string): void {
    this.#done = true;
    this.#reason = reason;
    this.#trial = this.#xk;
  }

  /**
   * Reports f and its gradient at {@link LbfgsbState.x}; the state then asks for its next point
   * or stops.
   *
   * @param f the function's value at x (non-finite values count as +Infinity: the step shrinks)
   * @param g its gradient at x, length n
   */
  tell(f: number, g: ArrayLike<number>): void {
    if (this.#done) throw new RangeError("LbfgsbState.tell: the minimisation is done");
    if (g === null || typeof g !== "object" || g.length !== this.n) {
      throw new TypeError(
        `LbfgsbState.tell(g): expected a gradient of length ${this.n}, got ${
          g === null || typeof g !== "object" ? String(g) : `length ${g.length}`
        }`,
      );
    }
    if (typeof f !== "number") {
      throw new TypeError(`LbfgsbState.tell(f): expected a number, got ${typeof f}`);
    }
    this.#evaluations++;
    let finite = Number.isFinite(f);
    for (let i = 0; i < this.n && finite; i++) finite = Number.isFinite(g[i]);
    if (!this.#started) {
      this.#started = true;
      if (!finite) {
        this.#fk = f;
        this.#stop(LBFGSB_REASONS.nonFinite);
        return;
      }
      this.#fk = f;
      this.#gk.set(g);
      if (this.projectedGradientNorm() <= this.#pgtol) return this.#stop(LBFGSB_REASONS.pgtol);
      this.#newSearch();
      return;
    }
    this.#trialG.set(g);
    this.#lineSearchStep(finite ? f : Infinity, finite);
  }

  /** Computes the search direction from the current iterate and asks for the first step. */
  #newSearch(): void {
    if (this.#evaluations >= this.#maxfun) return this.#stop(LBFGSB_REASONS.maxfun);
    const n = this.n;
    let b: CompactBfgs;
    try {
      b = new CompactBfgs(n, this.#s, this.#y, this.#theta);
    } catch {
      this.#s = [];
      this.#y = [];
      this.#theta = 1;
      b = new CompactBfgs(n, this.#s, this.#y, this.#theta);
    }
    const cp = cauchyPoint(this.#xk, this.#gk, this.lower, this.upper, b);
    const xbar = subspaceMinimize(this.#xk, this.#gk, this.lower, this.upper, b, cp);
    let dg = 0;
    let dnorm = 0;
    for (let i = 0; i < n; i++) {
      this.#d[i] = xbar[i] - this.#xk[i];
      dg += this.#d[i] * this.#gk[i];
      dnorm += this.#d[i] * this.#d[i];
    }
    dnorm = Math.sqrt(dnorm);
    if (!(dg < 0)) {
      // No descent from the model: start over from the gradient, or give up if already there.
      if (this.#s.length > 0) {
        this.#s = [];
        this.#y = [];
        this.#theta = 1;
        return this.#newSearch();
      }
      return this.#stop(LBFGSB_REASONS.lineSearch);
    }
    // The longest feasible step along d (scipy's lnsrlb: 1 on the first iteration when bounded).
    let stpmax = Infinity;
    let boxed = true;
    for (let i = 0; i < n; i++) {
      const di = this.#d[i];
      if (this.lower[i] === -Infinity || this.upper[i] === Infinity) boxed = false;
      if (di > 0) stpmax = Math.min(stpmax, (this.upper[i] - this.#xk[i]) / di);
      else if (di < 0) stpmax = Math.min(stpmax, (this.lower[i] - this.#xk[i]) / di);
    }
    const first = this.#iterations === 0 && this.#s.length === 0;
    if (first && boxed) stpmax = Math.min(stpmax, 1);
    stpmax = Math.max(stpmax, 1);
    this.#stpmax = Math.min(stpmax, 1e10);
    this.#dg0 = dg;
    this.#prev = { a: 0, f: this.#fk, dg, x: this.#xk, g: this.#gk };
    this.#lo = this.#prev;
    this.#hi = null;
    this.#lsCount = 0;
    this.#alpha = first && !boxed ? Math.min(1 / dnorm, this.#stpmax) : 1;
    this.#setTrial(this.#alpha);
  }

  #setTrial(a: number): void {
    this.#alpha = a;
    const t = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      t[i] = Math.min(this.upper[i], Math.max(this.lower[i], this.#xk[i] + a * this.#d[i]));
    }
    this.#trial = t;
  }

  /** One step of the strong-Wolfe search (Nocedal & Wright, Algorithms 3.5 and 3.6). */
  #lineSearchStep(f: number, finite: boolean): void {
    this.#lsCount++;
    const a = this.#alpha;
    let dg = 0;
    if (finite) { for (let i = 0; i < this.n; i++) dg += this.#trialG[i] * this.#d[i]; }
    const cur: Sample = { a, f, dg, x: this.#trial, g: Float64Array.from(this.#trialG) };
    const prev = this.#prev as Sample;
    const f0 = this.#fk;
    const armijo = f <= f0 + C1 * a * this.#dg0;
    if (this.#hi === null) {
      // Bracketing phase.
      if (!armijo || (this.#lsCount > 1 && f >= prev.f)) {
        this.#lo = prev;
        this.#hi = cur;
      } else if (Math.abs(dg) <= -C2 * this.#dg0) {
        return this.#accept(cur);
      } else if (dg >= 0) {
        this.#lo = cur;
        this.#hi = prev;
      } else if (a >= this.#stpmax) {
        return this.#accept(cur); // at the box (or step cap), still descending: take it
      } else {
        this.#prev = cur;
        this.#lo = cur;
        if (this.#lsCount >= this.#maxls) return this.#accept(cur);
        return this.#setTrial(Math.min(this.#stpmax, 4 * a));
      }
    } else {
      // Zoom phase: cur lies between lo and hi.
      const lo = this.#lo as Sample;
      if (!armijo || f >= lo.f) {
        this.#hi = cur;
      } else {
        if (Math.abs(dg) <= -C2 * this.#dg0) return this.#accept(cur);
        if (dg * (this.#hi.a - lo.a) >= 0) this.#hi = lo;
        this.#lo = cur;
      }
    }
    const lo = this.#lo as Sample;
    if (this.#lsCount >= this.#maxls || this.#evaluations >= this.#maxfun) {
      if (lo.a > 0) return this.#accept(lo);
      if (this.#evaluations >= this.#maxfun) return this.#stop(LBFGSB_REASONS.maxfun);
      return this.#lineSearchFailed();
    }
    const hi = this.#hi as Sample;
    const width = Math.abs(hi.a - lo.a);
    if (width <= 1e-16 * Math.max(1, Math.abs(lo.a)) * 16) {
      if (lo.a > 0) return this.#accept(lo);
      return this.#lineSearchFailed();
    }
    // Safeguarded cubic interpolation between lo and hi; bisection when it is not usable.
    let next = (lo.a + hi.a) / 2;
    if (Number.isFinite(hi.f) && Number.isFinite(hi.dg)) {
      const d1 = lo.dg + hi.dg - 3 * (lo.f - hi.f) / (lo.a - hi.a);
      const disc = d1 * d1 - lo.dg * hi.dg;
      if (disc >= 0) {
        const d2 = Math.sign(hi.a - lo.a) * Math.sqrt(disc);
        const c = hi.a - (hi.a - lo.a) * (hi.dg + d2 - d1) / (hi.dg - lo.dg + 2 * d2);
        if (Number.isFinite(c)) next = c;
      }
    }
    const left = Math.min(lo.a, hi.a);
    const right = Math.max(lo.a, hi.a);
    next = Math.min(right - 0.1 * width, Math.max(left + 0.1 * width, next));
    this.#setTrial(next);
  }

  #lineSearchFailed(): void {
    if (this.#s.length > 0) {
      // scipy: drop the memory and try again from the steepest-descent model.
      this.#s = [];
      this.#y = [];
      this.#theta = 1;
      return this.#newSearch();
    }
    this.#stop(LBFGSB_REASONS.lineSearch);
  }

  /** Takes the step to sample `s`, updates the memory and checks the stopping tests. */
  #accept(s: Sample): void {
    const n = this.n;
    const xNew = s.x;
    const gNew = s.g;
    const sv = new Float64Array(n);
    const yv = new Float64Array(n);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      sv[i] = xNew[i] - this.#xk[i];
      yv[i] = gNew[i] - this.#gk[i];
      sy += sv[i] * yv[i];
      yy += yv[i] * yv[i];
    }
    const fOld = this.#fk;
    this.#xk = xNew;
    this.#gk = gNew;
    this.#fk = s.f;
    this.#iterations++;
    if (sy > Number.EPSILON * yy) {
      this.#s.push(sv);
      this.#y.push(yv);
      if (this.#s.length > this.#m) {
        this.#s.shift();
        this.#y.shift();
      }
      this.#theta = yy / sy;
    }
    const scale = Math.max(Math.abs(fOld), Math.abs(s.f), 1);
    if ((fOld - s.f) / scale <= this.#factr * Number.EPSILON) {
      return this.#stop(LBFGSB_REASONS.factr);
    }
    if (this.projectedGradientNorm() <= this.#pgtol) return this.#stop(LBFGSB_REASONS.pgtol);
    if (this.#iterations >= this.#maxiter) return this.#stop(LBFGSB_REASONS.maxiter);
    this.#newSearch();
  }
}
