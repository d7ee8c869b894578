/**
 * The options and results of `fit` (src/optim/fit.ts).
 *
 * @module
 */

/** Options of `fit`. */
export interface FitOptions {
  /** "lbfgs" (default: strong-Wolfe L-BFGS, lr 1), "adam" (lr 0.1) or "sgd" (lr 0.01, momentum 0.9). */
  optimizer?: "lbfgs" | "adam" | "sgd";
  /** Learning rate (default per optimizer, see `optimizer`). */
  lr?: number;
  /** The most iterations of one run (default 1000 for L-BFGS, 500 otherwise). */
  maxIter?: number;
  /**
   * The most loss evaluations of one run (default ⌊1.25 · maxIter⌋ for L-BFGS, as
   * torch's, and maxIter + 1 otherwise).
   */
  maxEval?: number;
  /**
   * The gradient test, the one that makes a run `converged`: stop when every
   * |∂ log p / ∂raw| ≤ toleranceGrad, where log p = log p(y | X, θ) + Σ log prior(θ)
   * is the total log marginal likelihood (not divided by N) and raw are the raw
   * values of every trainable parameter (default 1e-5, scipy's `gtol`).
   */
  toleranceGrad?: number;
  /**
   * Stop, not converged, when for `patience` iterations in a row the total log
   * marginal likelihood changed by at most `toleranceChange · max(1, |log p|)` and the
   * gradient's max |∂ log p/∂raw| did not fall below its smallest value so far
   * (default 1e-12): the run has stalled.
   */
  toleranceChange?: number;
  /** See `toleranceChange` (default 5). */
  patience?: number;
  /**
   * Extra runs from random starting points (default 0). Run 0 starts from the
   * parameters as they are; each restart draws every trainable parameter anew (see
   * `drawStartingValues`: from its prior, else log-uniformly inside its
   * constraint's bounds, else around its current value). The best run is kept.
   */
  restarts?: number;
  /**
   * Seed of the restarts' draws (a non-negative integer; default: one from the
   * system's random source, reported as {@link FitHistory.seed}).
   */
  seed?: number;
  /**
   * Show a progress line (run, iteration, loss, gradient, estimated time left).
   * Default: only when standard output is a terminal (`Deno.stdout.isTerminal()`).
   */
  progress?: boolean;
  /** Called after every iteration of every run. */
  onIteration?: (record: FitIteration) => void;
}

/** What {@link FitOptions.onIteration} receives. */
export interface FitIteration {
  /** Index of the run (0: the starting parameters, then the restarts). */
  run: number;
  /** Iteration within the run (from 1). */
  iteration: number;
  /** Loss (−MLL per datum) after the iteration. */
  loss: number;
  /** Loss evaluations of this run so far. */
  evaluations: number;
  /** max |∂ log p / ∂raw| of the total log marginal likelihood after the iteration. */
  gradNorm: number;
}

/** One run of `fit`. */
export interface FitRun {
  /** Final loss (−MLL per datum), or null when the start failed. */
  loss: number | null;
  /** Final total log marginal likelihood log p(y | X, θ) + Σ log prior(θ) (= −N · loss), or null. */
  lml: number | null;
  /** Final max |∂ log p / ∂raw| (see {@link FitOptions.toleranceGrad}), or null. */
  gradNorm: number | null;
  /** True when the gradient test ended the run. */
  converged: boolean;
  /** Why the run stopped (or why its start failed). */
  reason: string;
  /** Iterations run. */
  iterations: number;
  /** Loss evaluations. */
  evaluations: number;
  /**
   * The error that ended the run: at its start (the run is skipped), or at a later
   * step (the run ends at its last good parameters). Null when none.
   */
  error: Error | null;
}

/** What `fit` returns: the best run's history, and a summary of every run. */
export interface FitHistory {
  /** The best run's loss (−MLL per datum) after each iteration; `loss[0]` is its starting loss. */
  loss: number[];
  /** The best run's cumulative loss evaluations after each entry of `loss`. */
  evaluations: number[];
  /** The best run's iterations. */
  iterations: number;
  /** True when the best run ended by the gradient test (see {@link FitOptions.toleranceGrad}). */
  converged: boolean;
  /** Why the best run stopped. */
  reason: string;
  /** The best run's final total log marginal likelihood (log p(y | X, θ) + Σ log prior(θ)). */
  lml: number;
  /** The best run's final max |∂ log p / ∂raw|. */
  gradNorm: number;
  /** Index of the best run in `runs` (the one left on the model). */
  best: number;
  /** Every run, in order: run 0 from the starting parameters, then the restarts. */
  runs: FitRun[];
  /** The seed of the restarts' draws (null without restarts). */
  seed: number | null;
  /** Wall time in seconds, all runs. */
  seconds: number;
}
