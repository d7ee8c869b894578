/**
 * L-BFGS with an optional strong-Wolfe line search, as PyTorch's `torch.optim.LBFGS`.
 *
 * @module
 */

import { type Closure, Optimizer, type ParameterList } from "./optimizer.ts";
import type { Parameter } from "../parameter.ts";

/** Options of {@link LBFGS}, with PyTorch's defaults. */
export interface LBFGSOptions {
  /** Learning rate: the initial step length (default 1). */
  lr?: number;
  /** Iterations per `step()` (default 20). */
  maxIter?: number;
  /** Loss evaluations per `step()` (default maxIter · 5/4). */
  maxEval?: number;
  /** Stop when max |gradient| ≤ this (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the loss or the step changes less than this (default 1e-9). */
  toleranceChange?: number;
  /** Number of correction pairs kept (default 100). */
  historySize?: number;
  /** "strong_wolfe" for the strong-Wolfe line search, or null for fixed steps (default). */
  lineSearchFn?: "strong_wolfe" | null;
  /**
   * Not in torch: an allowance for rounding noise in the loss, in loss units (default
   * 0, torch's search). The strong-Wolfe search's sufficient-decrease tests accept a
   * trial loss up to this much above their line, so that near a minimum, where loss
   * differences drown in float64 rounding, the step is chosen by the curvature
   * (gradient) condition, as in Hager and Zhang's approximate Wolfe conditions.
   */
  lossNoise?: number;
}

interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  oldDirs: Float64Array[];
  oldStps: Float64Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Float64Array | null;
  prevLoss: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** Minimum of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to `bounds` (torch's). */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFunc = (t: number) => Promise<[number, Float64Array]>;

/** torch.optim.lbfgs._strong_wolfe: returns [f, g, t, evaluations]. */
async function strongWolfe(
  obj: ObjFunc,
  t: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
  noise = 0,
): Promise<[number, Float64Array, number, number]> {
  const dNorm = maxAbs(d);
  let [fNew, gNew] = await obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Float64Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd + noise || (lsIter > 1 && fNew >= fPrev + noise)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = await obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }
  // zoom
  let insufProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(
      bracket[0],
      bracketF[0],
      bracketGtd[0],
      bracket[1],
      bracketF[1],
      bracketGtd[1],
    );
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = await obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd + noise || fNew >= bracketF[low] + noise) {
      bracket[high] = t;
      bracketF[high] = fNew;
      bracketG[high] = gNew;
      bracketGtd[high] = gtdNew;
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low];
        bracketF[high] = bracketF[low];
        bracketG[high] = bracketG[low];
        bracketGtd[high] = bracketGtd[low];
      }
      bracket[low] = t;
      bracketF[low] = fNew;
      bracketG[low] = gNew;
      bracketGtd[low] = gtdNew;
    }
  }
  return [bracketF[low], bracketG[low], bracket[low], evals];
}

/**
 * Limited-memory BFGS on the raw values of every parameter that requires a gradient,
 * a line-for-line port of torch 1.13's `LBFGS` (two-loop recursion, `H_diag` scaling,
 * first step `min(1, 1/‖g‖₁)·lr`, the same stopping tests, and with
 * `lineSearchFn: "strong_wolfe"` its strong-Wolfe search with cubic interpolation).
 *
 * `step(closure)` is asynchronous: the closure clears the gradients, computes the
 * loss, calls `backward()` and returns the loss (a number or a Scalar). When the
 * closure throws (e.g. a covariance that is not positive definite), every parameter
 * is put back as it was before the step, the optimizer's memory too, and the error
 * is rethrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LBFGS } from "./lbfgs.ts";
 * import { Parameter } from "../parameter.ts";
 * const p = new Parameter([3, -2]);
 * const opt = new LBFGS([p], { lineSearchFn: "strong_wolfe" });
 * // f = (a − 1)² + 10 (b + 1)²
 * const closure = () => {
 *   const [a, b] = p.rawValues;
 *   p.grad = new Float64Array([2 * (a - 1), 20 * (b + 1)]);
 *   return Promise.resolve((a - 1) ** 2 + 10 * (b + 1) ** 2);
 * };
 * await opt.step(closure);
 * assert.deepEqual(Array.from(p.rawValues, (v) => Math.round(v * 1e6) / 1e6), [1, -1]);
 * ```
 */
export class LBFGS extends Optimizer {
  /** The learning rate. */
  lr: number;
  readonly maxIter: number;
  readonly maxEval: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  readonly historySize: number;
  readonly lineSearchFn: "strong_wolfe" | null;
  /** See {@link LBFGSOptions.lossNoise}; may be changed between steps. */
  lossNoise: number;
  #state: LBFGSState = {
    funcEvals: 0,
    nIter: 0,
    d: null,
    t: 0,
    oldDirs: [],
    oldStps: [],
    ro: [],
    hDiag: 1,
    prevFlatGrad: null,
    prevLoss: NaN,
  };

  constructor(params: ParameterList, options: LBFGSOptions = {}) {
    super(params, "LBFGS");
    const {
      lr = 1,
      maxIter = 20,
      toleranceGrad = 1e-7,
      toleranceChange = 1e-9,
      historySize = 100,
      lineSearchFn = null,
      lossNoise = 0,
    } = options;
    const maxEval = options.maxEval ?? Math.floor(maxIter * 5 / 4);
    if (!(Number.isFinite(lr) && lr > 0)) {
      throw new RangeError(`LBFGS({ lr }): lr = ${lr} must be a finite number > 0 (e.g. 1)`);
    }
    for (
      const [name, v] of [["maxIter", maxIter], ["maxEval", maxEval], [
        "historySize",
        historySize,
      ]] as const
    ) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(`LBFGS({ ${name} }): ${name} = ${v} must be a positive integer`);
      }
    }
    if (lineSearchFn !== null && lineSearchFn !== "strong_wolfe") {
      throw new RangeError(
        `LBFGS({ lineSearchFn }): "${lineSearchFn}" is not supported; use "strong_wolfe" or null`,
      );
    }
    if (!(Number.isFinite(lossNoise) && lossNoise >= 0)) {
      throw new RangeError(
        `LBFGS({ lossNoise }): lossNoise = ${lossNoise} must be a finite number ≥ 0 (default 0)`,
      );
    }
    this.lossNoise = lossNoise;
    this.lr = lr;
    this.maxIter = maxIter;
    this.maxEval = maxEval;
    this.toleranceGrad = toleranceGrad;
    this.toleranceChange = toleranceChange;
    this.historySize = historySize;
    this.lineSearchFn = lineSearchFn;
  }

  /** Loss evaluations so far (torch's `state["func_evals"]`). */
  get funcEvals(): number {
    return this.#state.funcEvals;
  }

  /** Iterations so far (torch's `state["n_iter"]`). */
  get nIter(): number {
    return this.#state.nIter;
  }

  #trainable(): Parameter[] {
    return this.params.filter((p) => p.requiresGrad);
  }

  #flat(get: (p: Parameter) => ArrayLike<number> | null): Float64Array {
    const ps = this.#trainable();
    const out = new Float64Array(ps.reduce((s, p) => s + p.size, 0));
    let o = 0;
    for (const p of ps) {
      const v = get(p);
      if (v !== null) out.set(v, o);
      o += p.size;
    }
    return out;
  }

  #setFlat(x: Float64Array): void {
    let o = 0;
    for (const p of this.#trainable()) {
      p.setRaw(x.subarray(o, o + p.size));
      o += p.size;
    }
  }

  async #evaluate(closure: Closure): Promise<[number, Float64Array]> {
    const out = await closure();
    const loss = typeof out === "number" ? out : out.value;
    const g = this.#flat((p) => p.grad);
    if (!Number.isFinite(loss)) {
      throw new RangeError(`LBFGS.step(closure): the closure returned loss ${loss}`);
    }
    return [loss, g];
  }

  /** Up to `maxIter` L-BFGS iterations; returns the loss at the start of the step. */
  async step(closure?: Closure): Promise<number> {
    if (typeof closure !== "function") {
      throw new TypeError(
        "LBFGS.step(closure): L-BFGS re-evaluates the loss; pass an async closure that " +
          "calls zeroGrad(), computes the loss, calls backward() and returns the loss",
      );
    }
    const start = this.#flat((p) => p.rawValues);
    const saved = {
      ...this.#state,
      oldDirs: [...this.#state.oldDirs],
      oldStps: [...this.#state.oldStps],
      ro: [...this.#state.ro],
    };
    try {
      return await this.#step(closure);
    } catch (e) {
      this.#setFlat(start);
      this.#state = saved;
      throw e;
    }
  }

  async #step(closure: Closure): Promise<number> {
    const st = this.#state;
    let [loss, flatGrad] = await this.#evaluate(closure);
    const origLoss = loss;
    let currentEvals = 1;
    st.funcEvals++;
    let optCond = maxAbs(flatGrad) <= this.toleranceGrad;
    if (optCond) return origLoss;
    let { d, t } = st;
    let nIter = 0;
    while (nIter < this.maxIter) {
      nIter++;
      st.nIter++;
      if (st.nIter === 1 || d === null) {
        d = flatGrad.map((v) => -v);
        st.oldDirs = [];
        st.oldStps = [];
        st.ro = [];
        st.hDiag = 1;
      } else {
        const prev = st.prevFlatGrad!;
        const y = flatGrad.map((v, i) => v - prev[i]);
        const s = d.map((v) => v * t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (st.oldDirs.length === this.historySize) {
            st.oldDirs.shift();
            st.oldStps.shift();
            st.ro.shift();
          }
          st.oldDirs.push(y);
          st.oldStps.push(s);
          st.ro.push(1 / ys);
          st.hDiag = ys / dot(y, y);
        }
        const num = st.oldDirs.length;
        const al = new Array<number>(num);
        const q = flatGrad.map((v) => -v);
        for (let i = num - 1; i >= 0; i--) {
          al[i] = dot(st.oldStps[i], q) * st.ro[i];
          const dir = st.oldDirs[i];
          for (let k = 0; k < q.length; k++) q[k] += -al[i] * dir[k];
        }
        const r = q.map((v) => v * st.hDiag);
        for (let i = 0; i < num; i++) {
          const be = dot(st.oldDirs[i], r) * st.ro[i];
          const stp = st.oldStps[i];
          for (let k = 0; k < r.length; k++) r[k] += (al[i] - be) * stp[k];
        }
        d = r;
      }
      st.prevFlatGrad = flatGrad.slice();
      st.prevLoss = loss;
      if (st.nIter === 1) {
        let l1 = 0;
        for (const v of flatGrad) l1 += Math.abs(v);
        t = Math.min(1, 1 / l1) * this.lr;
      } else {
        t = this.lr;
      }
      const gtd = dot(flatGrad, d);
      if (gtd > -this.toleranceChange) break;
      let lsEvals = 0;
      const x = this.#flat((p) => p.rawValues);
      const dir = d;
      if (this.lineSearchFn === "strong_wolfe") {
        const obj: ObjFunc = async (step) => {
          this.#setFlat(x.map((v, i) => v + step * dir[i]));
          try {
            return await this.#evaluate(closure);
          } finally {
            this.#setFlat(x);
          }
        };
        [loss, flatGrad, t, lsEvals] = await strongWolfe(
          obj,
          t,
          d,
          loss,
          flatGrad,
          gtd,
          1e-4,
          0.9,
          this.toleranceChange,
          25,
          this.lossNoise,
        );
        this.#setFlat(x.map((v, i) => v + t * dir[i]));
        optCond = maxAbs(flatGrad) <= this.toleranceGrad;
      } else {
        this.#setFlat(x.map((v, i) => v + t * dir[i]));
        if (nIter !== this.maxIter) {
          [loss, flatGrad] = await this.#evaluate(closure);
          optCond = maxAbs(flatGrad) <= this.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === this.maxIter) break;
      if (currentEvals >= this.maxEval) break;
      if (optCond) break;
      if (maxAbs(d) * Math.abs(t) <= this.toleranceChange) break;
      if (Math.abs(loss - st.prevLoss) < this.toleranceChange) break;
    }
    st.d = d;
    st.t = t;
    return origLoss;
  }
}
