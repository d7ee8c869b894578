/**
 * An ask/tell Bayesian optimiser for programs that optimise something outside themselves:
 * a Sobol initial design, then a SingleTaskGP refitted as data arrive and an analytic
 * acquisition maximised by optimizeAcqf.
 *
 * @module
 */
import type { ExactGP } from "../models/exact_gp.ts";
import type { AnalyticAcquisitionFunction } from "./analytic_acquisition_function.ts";
import { checkBounds } from "./check_bounds.ts";
import { ExpectedImprovement } from "./expected_improvement.ts";
import { fitModel } from "./fit_gpytorch_mll.ts";
import { LogExpectedImprovement } from "./log_expected_improvement.ts";
import { LogProbabilityOfImprovement } from "./log_probability_of_improvement.ts";
import { optimizeAcqf } from "./optimize_acqf.ts";
import { PosteriorMean } from "./posterior_mean.ts";
import { ProbabilityOfImprovement } from "./probability_of_improvement.ts";
import { SingleTaskGP } from "./single_task_gp.ts";
import { SobolEngine } from "./sobol_engine.ts";
import { UpperConfidenceBound } from "./upper_confidence_bound.ts";
import type { AcquisitionFunction } from "./acquisition_function.ts";
import { qExpectedImprovement } from "./q_expected_improvement.ts";
import { qLogExpectedImprovement } from "./q_log_expected_improvement.ts";
import { qUpperConfidenceBound } from "./q_upper_confidence_bound.ts";

/** The acquisitions {@link Optimizer} can use, by BoTorch's class names' short forms. */
export type AcquisitionName = "logEI" | "ei" | "logPI" | "pi" | "ucb" | "mean";

/** Options of {@link Optimizer}. */
export interface OptimizerOptions {
  /** The search box [lower, upper]. */
  bounds: ArrayLike<ArrayLike<number>>;
  /** The acquisition (default "logEI"). */
  acquisition?: AcquisitionName;
  /** UCB's β (default 0.2, only with acquisition "ucb"). */
  beta?: number;
  /** Maximise the objective (default true, as BoTorch); false minimises. */
  maximize?: boolean;
  /** Seed of the Sobol design, raw samples and fits (default 0). */
  seed?: number;
  /** Sobol points before the model takes over (default max(5, 2d), Ax's rule). */
  initialPoints?: number;
  /**
   * What a failed evaluation (y NaN or ±Infinity) does: "error" (default) throws a RangeError
   * and records nothing; "skip" records the point as failed (never asked again, not in the
   * model); "penalize" gives it the worst valid value observed so far in the model (skipped
   * until there is one).
   */
  onFailure?: "error" | "skip" | "penalize";
  /** optimizeAcqf's numRestarts (default 10). */
  numRestarts?: number;
  /** optimizeAcqf's rawSamples (default 512). */
  rawSamples?: number;
}

/** One told evaluation. */
export interface Observation {
  /** The point. */
  x: number[];
  /** Its value, or null for a failed evaluation. */
  y: number | null;
}

/** What {@link Optimizer.stateDict} returns: JSON-safe, for {@link Optimizer.loadStateDict}. */
export interface OptimizerState {
  /** Format version (1). */
  version: 1;
  /** The options the optimiser was built with, defaults filled in. */
  options: Required<Omit<OptimizerOptions, "bounds">> & { bounds: number[][] };
  /** Every told evaluation, in order. */
  observations: Observation[];
  /** Sobol points drawn so far. */
  sobolDrawn: number;
  /** Points asked and not yet told. */
  pending: number[][];
  /** The last fit's raw parameter values (warm start of the next), or null. */
  modelRaw: number[][] | null;
}

/**
 * BoTorch's loop as an object: `ask(q)` returns points to evaluate (Sobol points first, then
 * the maximiser of the acquisition on a {@link SingleTaskGP} fitted to everything told so
 * far, warm-started from the last fit), `tell(x, y)` records the results, `best` is the best
 * valid observation, and `stateDict()` / `loadStateDict()` let a long campaign survive a
 * restart. A point the acquisition proposes that duplicates an observed or pending point
 * (within 1e-9 of the box) is replaced by the next Sobol point. Bad input is a
 * TypeError/RangeError that leaves the state unchanged.
 *
 * The Sobol phase gives any q; after it, q = 1 uses the analytic acquisition and q > 1
 * its batch Monte-Carlo form (qLogEI, qEI, qUCB), the q points chosen jointly.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import * as gp from "../../mod.ts";
 * const f = (x: number[]) => -((x[0] - 0.3) ** 2) - (x[1] - 0.6) ** 2;
 * const opt = new gp.bo.Optimizer({ bounds: [[0, 0], [1, 1]], seed: 0, initialPoints: 5 });
 * for (let i = 0; i < 10; i++) {
 *   const x = await opt.ask();
 *   opt.tell(x, x.map(f));
 * }
 * assert.ok(opt.best!.y! > -0.01, `best ${opt.best!.y}`);
 * const copy = new gp.bo.Optimizer({ bounds: [[0, 0], [1, 1]] });
 * copy.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
 * assert.deepStrictEqual(copy.best, opt.best);
 * ```
 */
export class Optimizer {
  #options: OptimizerState["options"];
  #lower: Float64Array;
  #upper: Float64Array;
  #observations: Observation[] = [];
  #sobolDrawn = 0;
  #pending: number[][] = [];
  #modelRaw: number[][] | null = null;

  /**
   * @throws {TypeError} for bounds that are not two rows of d numbers, or an unknown option value
   * @throws {RangeError} for lower ≥ upper or out-of-range counts
   */
  constructor(options: OptimizerOptions) {
    this.#options = Optimizer.#checkOptions(options);
    [this.#lower, this.#upper] = checkBounds(this.#options.bounds, "Optimizer({ bounds })");
  }

  static #checkOptions(options: OptimizerOptions): OptimizerState["options"] {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Optimizer(options): expected { bounds, … }");
    }
    const [lo, hi] = checkBounds(options.bounds, "Optimizer({ bounds })");
    const d = lo.length;
    const acquisition = options.acquisition ?? "logEI";
    if (!["logEI", "ei", "logPI", "pi", "ucb", "mean"].includes(acquisition)) {
      throw new TypeError(
        `Optimizer({ acquisition }): "${acquisition}" is not one of "logEI", "ei", "logPI", ` +
          `"pi", "ucb", "mean"`,
      );
    }
    const onFailure = options.onFailure ?? "error";
    if (!["error", "skip", "penalize"].includes(onFailure)) {
      throw new TypeError(
        `Optimizer({ onFailure }): "${onFailure}" is not one of "error", "skip", "penalize"`,
      );
    }
    const int = (name: string, v: number, min: number) => {
      if (!Number.isInteger(v) || v < min) {
        throw new RangeError(`Optimizer({ ${name} }): ${name} = ${v} must be an integer ≥ ${min}`);
      }
      return v;
    };
    const beta = options.beta ?? 0.2;
    if (!(beta >= 0) || !Number.isFinite(beta)) {
      throw new RangeError(`Optimizer({ beta }): beta = ${beta} must be a finite number ≥ 0`);
    }
    const numRestarts = int("numRestarts", options.numRestarts ?? 10, 1);
    return {
      bounds: [Array.from(lo), Array.from(hi)],
      acquisition,
      beta,
      maximize: options.maximize ?? true,
      seed: int("seed", options.seed ?? 0, 0),
      initialPoints: int("initialPoints", options.initialPoints ?? Math.max(5, 2 * d), 1),
      onFailure,
      numRestarts,
      rawSamples: int("rawSamples", options.rawSamples ?? 512, numRestarts),
    };
  }

  /** The input dimension d. */
  get dim(): number {
    return this.#lower.length;
  }

  /** Every told evaluation (copies). */
  get observations(): Observation[] {
    return this.#observations.map((o) => ({ x: o.x.slice(), y: o.y }));
  }

  /** Points asked and not yet told (copies). */
  get pending(): number[][] {
    return this.#pending.map((p) => p.slice());
  }

  /** The best valid observation (largest y, or smallest when minimising), or null. */
  get best(): Observation | null {
    let best: Observation | null = null;
    const better = (a: number, b: number) => this.#options.maximize ? a > b : a < b;
    for (const o of this.#observations) {
      if (o.y !== null && (best === null || better(o.y, best.y!))) best = o;
    }
    return best === null ? null : { x: best.x.slice(), y: best.y };
  }

  /** The training data the model sees: valid points, and penalised failures. */
  #trainingData(): { x: number[][]; y: number[] } {
    const valid = this.#observations.filter((o) => o.y !== null);
    const x = valid.map((o) => o.x), y = valid.map((o) => o.y!);
    if (this.#options.onFailure === "penalize" && y.length > 0) {
      const worst = this.#options.maximize ? Math.min(...y) : Math.max(...y);
      for (const o of this.#observations) {
        if (o.y === null) {
          x.push(o.x);
          y.push(worst);
        }
      }
    }
    return { x, y };
  }

  #nextSobol(n: number): number[][] {
    const engine = new SobolEngine(this.dim, { scramble: true, seed: this.#options.seed });
    if (this.#sobolDrawn > 0) engine.fastForward(this.#sobolDrawn);
    const u = engine.draw(n);
    this.#sobolDrawn += n;
    return Array.from(
      { length: n },
      (_, i) =>
        Array.from(u.row(i), (v, j) => this.#lower[j] + (this.#upper[j] - this.#lower[j]) * v),
    );
  }

  #isDuplicate(x: number[]): boolean {
    const near = (a: number[]) =>
      a.every((v, j) => Math.abs(v - x[j]) <= 1e-9 * (this.#upper[j] - this.#lower[j]));
    return this.#observations.some((o) => near(o.x)) || this.#pending.some(near);
  }

  /** The configured acquisition on a fitted model, incumbent from the training outcomes. */
  #acquisition(model: SingleTaskGP | ExactGP, y: number[]): AnalyticAcquisitionFunction {
    const o = this.#options, maximize = o.maximize;
    const bestF = maximize ? Math.max(...y) : Math.min(...y);
    switch (o.acquisition) {
      case "ei":
        return new ExpectedImprovement(model, { bestF, maximize });
      case "logPI":
        return new LogProbabilityOfImprovement(model, { bestF, maximize });
      case "pi":
        return new ProbabilityOfImprovement(model, { bestF, maximize });
      case "ucb":
        return new UpperConfidenceBound(model, { beta: o.beta, maximize });
      case "mean":
        return new PosteriorMean(model, { maximize });
      default:
        return new LogExpectedImprovement(model, { bestF, maximize });
    }
  }

  /**
   * The configured acquisition's batch (Monte-Carlo) form for q > 1 points chosen jointly,
   * BoTorch's qLogEI / qEI / qUCB with 512 scrambled-Sobol base samples.
   */
  #batchAcquisition(model: SingleTaskGP, y: number[], seed: number): AcquisitionFunction {
    const o = this.#options, maximize = o.maximize;
    const bestF = maximize ? Math.max(...y) : Math.min(...y);
    switch (o.acquisition) {
      case "ei":
        return new qExpectedImprovement(model, { bestF, maximize, seed });
      case "ucb":
        return new qUpperConfidenceBound(model, { beta: o.beta, maximize, seed });
      default:
        return new qLogExpectedImprovement(model, { bestF, maximize, seed });
    }
  }

  /**
   * The next `q` points to evaluate (default 1): Sobol points while fewer than `initialPoints`
   * have been asked, then the acquisition's maximiser on a freshly fitted SingleTaskGP; for
   * q > 1 after the design, the q points are chosen jointly by the acquisition's batch form
   * (qLogEI, qEI or qUCB).
   *
   * @throws {RangeError} when q is not a positive integer, or q > 1 with an acquisition that
   * has no batch form (logPI, pi, mean)
   */
  async ask(q = 1): Promise<number[][]> {
    if (!Number.isInteger(q) || q < 1) {
      throw new RangeError(`Optimizer.ask(q): q = ${q} must be an integer ≥ 1`);
    }
    const asked = this.#observations.length + this.#pending.length;
    const data = this.#trainingData();
    if (asked < this.#options.initialPoints || data.y.length === 0) {
      const pts = this.#nextSobol(q);
      this.#pending.push(...pts.map((p) => p.slice()));
      return pts;
    }
    if (q > 1 && !["logEI", "ei", "ucb"].includes(this.#options.acquisition)) {
      throw new RangeError(
        `Optimizer.ask(q): q = ${q} after the initial design needs a batch acquisition, and ` +
          `"${this.#options.acquisition}" has none; use acquisition "logEI", "ei" or "ucb" ` +
          `(qLogEI, qEI, qUCB), or call ask() ${q} times, telling results between calls`,
      );
    }
    const model = new SingleTaskGP(data.x, data.y, { bounds: this.#options.bounds });
    const params = model.parameters();
    if (this.#modelRaw !== null && this.#modelRaw.length === params.length) {
      params.forEach((p, i) => p.setRaw(this.#modelRaw![i]));
    }
    await fitModel(model, { seed: this.#options.seed + asked });
    const seed = this.#options.seed + asked;
    const acq = q === 1
      ? this.#acquisition(model, data.y)
      : this.#batchAcquisition(model, data.y, seed);
    const res = await optimizeAcqf(acq, this.#options.bounds, {
      q,
      numRestarts: this.#options.numRestarts,
      rawSamples: this.#options.rawSamples,
      seed,
    });
    this.#modelRaw = params.map((p) => Array.from(p.rawValues));
    const out: number[][] = [];
    for (let x of res.candidates) {
      for (let t = 0; this.#isDuplicate(x) && t < 10; t++) x = this.#nextSobol(1)[0];
      this.#pending.push(x.slice());
      out.push(x);
    }
    return out;
  }

  /**
   * Records evaluations: `x` (rows of d numbers inside the bounds) and their values `y`. When
   * points are pending from `ask`, `x` must be as many points (the asked ones, or whatever was
   * actually evaluated instead); the pending list is then cleared. Without pending points any
   * number of extra observations may be told.
   *
   * @throws {TypeError} for mismatched lengths or a row of the wrong dimension
   * @throws {RangeError} for a point outside the bounds, or a non-finite y when onFailure is "error"
   */
  tell(x: ArrayLike<ArrayLike<number>>, y: ArrayLike<number>): void {
    if (x === null || typeof x !== "object" || y === null || typeof y !== "object") {
      throw new TypeError("Optimizer.tell(x, y): expected rows of points and an array of values");
    }
    if (x.length !== y.length || x.length === 0) {
      throw new TypeError(
        `Optimizer.tell(x, y): ${x.length} point(s) and ${y.length} value(s); give one value ` +
          `per point, at least one`,
      );
    }
    if (this.#pending.length > 0 && x.length !== this.#pending.length) {
      throw new TypeError(
        `Optimizer.tell(x, y): ask() gave ${this.#pending.length} point(s) but tell has ` +
          `${x.length}; tell the results of every asked point together`,
      );
    }
    const d = this.dim;
    const rows: number[][] = [];
    for (let i = 0; i < x.length; i++) {
      const r = x[i];
      if (r === null || typeof r !== "object" || r.length !== d) {
        throw new TypeError(
          `Optimizer.tell(x): x[${i}] has ${r?.length} entries; each point needs ${d}`,
        );
      }
      const row = Array.from(r);
      row.forEach((v, j) => {
        if (!(v >= this.#lower[j] && v <= this.#upper[j])) {
          throw new RangeError(
            `Optimizer.tell(x): x[${i}][${j}] = ${v} is outside the bounds ` +
              `[${this.#lower[j]}, ${this.#upper[j]}]; tell points inside the search box`,
          );
        }
      });
      if (typeof y[i] !== "number") {
        throw new TypeError(`Optimizer.tell(y): y[${i}] is ${typeof y[i]}, not a number`);
      }
      if (!Number.isFinite(y[i]) && this.#options.onFailure === "error") {
        throw new RangeError(
          `Optimizer.tell(y): y[${i}] = ${y[i]}; a failed evaluation is an error unless the ` +
            `optimiser was built with onFailure: "skip" or "penalize"`,
        );
      }
      rows.push(row);
    }
    this.#pending = [];
    rows.forEach((row, i) =>
      this.#observations.push({ x: row, y: Number.isFinite(y[i]) ? y[i] : null })
    );
  }

  /** The state as plain JSON-safe data. */
  stateDict(): OptimizerState {
    return {
      version: 1,
      options: { ...this.#options, bounds: this.#options.bounds.map((r) => r.slice()) },
      observations: this.observations,
      sobolDrawn: this.#sobolDrawn,
      pending: this.pending,
      modelRaw: this.#modelRaw === null ? null : this.#modelRaw.map((r) => r.slice()),
    };
  }

  /**
   * Restores a {@link stateDict} (options included), checked first: nothing changes when it
   * is malformed.
   *
   * @throws {TypeError} for a malformed state
   */
  loadStateDict(state: OptimizerState): this {
    if (state === null || typeof state !== "object" || state.version !== 1) {
      throw new TypeError(
        `Optimizer.loadStateDict(state): expected a stateDict() of version 1, got ${
          state === null || typeof state !== "object" ? String(state) : `version ${state.version}`
        }`,
      );
    }
    const options = Optimizer.#checkOptions(state.options);
    const d = options.bounds[0].length;
    const ok = (r: unknown) =>
      Array.isArray(r) && r.length === d && r.every((v) => typeof v === "number");
    if (
      !Array.isArray(state.observations) ||
      !state.observations.every((o) => ok(o?.x) && (o.y === null || Number.isFinite(o.y))) ||
      !Array.isArray(state.pending) || !state.pending.every(ok) ||
      !Number.isInteger(state.sobolDrawn) || state.sobolDrawn < 0 ||
      !(state.modelRaw === null || Array.isArray(state.modelRaw))
    ) {
      throw new TypeError(
        "Optimizer.loadStateDict(state): malformed observations, pending points, sobolDrawn " +
          "or modelRaw; pass an object from stateDict() unchanged",
      );
    }
    this.#options = options;
    [this.#lower, this.#upper] = checkBounds(options.bounds, "Optimizer.loadStateDict(bounds)");
    this.#observations = state.observations.map((o) => ({ x: o.x.slice(), y: o.y }));
    this.#pending = state.pending.map((p) => p.slice());
    this.#sobolDrawn = state.sobolDrawn;
    this.#modelRaw = state.modelRaw === null ? null : state.modelRaw.map((r) => r.slice());
    return this;
  }
}
