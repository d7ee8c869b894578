/**
 * Training an approximate GP on minibatches in one call: GPyTorch's SVGP loop (epochs of
 * batches, Adam on every parameter), over in-memory data or chunks streamed from a file, with a
 * progress line and a history.
 *
 * @module
 */

import type { ApproximateGP } from "../models/approximate_gp.ts";
import type { ApproximateLikelihood } from "../likelihoods/approximate_likelihood.ts";
import type { InputLike, VectorLike } from "../tensor.ts";
import type { Batch } from "../data/batch.ts";
import { Batches } from "../data/batches.ts";
import { ChunkedBatches } from "../data/batches_from_chunks.ts";
import { VariationalELBO } from "../mlls/variational_elbo.ts";
import { PredictiveLogLikelihood } from "../mlls/predictive_log_likelihood.ts";
import { Adam } from "./adam.ts";
import { LBFGS } from "./lbfgs.ts";
import { NGD } from "./ngd.ts";
import { Optimizer } from "./optimizer.ts";
import type { Parameter } from "../parameter.ts";

const FN = "fitApproximate(model, likelihood, …)";

/** The options of {@link fitApproximate} that do not concern the batches. */
export interface FitApproximateLoopOptions {
  /** "elbo" (default: {@link VariationalELBO}) or "pll" ({@link PredictiveLogLikelihood}). */
  objective?: "elbo" | "pll";
  /** The KL term's weight β (default 1). */
  beta?: number;
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Adam's learning rate (default 0.01; not with `optimizers`). */
  lr?: number;
  /**
   * The optimizers to step, instead of a fresh `Adam(lr)` over every parameter: pass an
   * earlier call's `history.optimizers` to continue a run with Adam's moments, or
   * GPyTorch's natural-gradient recipe `[new NGD(q's parameters, { numData }), new Adam(the
   * others)]`. Together they must hold every parameter of the model and the likelihood that
   * requires a gradient, each once. L-BFGS is refused: its line search needs the full
   * objective, which a minibatch changes every step (use `gp.optim.fit` on the full data).
   */
  optimizers?: Optimizer | readonly Optimizer[];
  /**
   * Show the progress line (epoch, step, loss, time left): true writes it to standard
   * output, a function receives each line; default only when standard output is a terminal.
   */
  progress?: boolean | ((line: string) => void);
}

/** Options of {@link fitApproximate} over in-memory (x, y). */
export interface FitApproximateOptions extends FitApproximateLoopOptions {
  /** Rows per batch (default 1024; a batch never exceeds N). */
  batchSize?: number;
  /** Shuffle the rows each epoch (default true). */
  shuffle?: boolean;
  /** The shuffle's seed (default 0). */
  seed?: number;
}

/** Options of {@link fitApproximate} over a source of batches (the batches are the source's). */
export interface FitApproximateSourceOptions extends FitApproximateLoopOptions {
  /**
   * N, the rows of one epoch, which scales the ELBO from the first step. Omitted: the
   * source's own count, and for a stream not yet read, one counting pass over its chunks
   * first ({@link ChunkedBatches.countRows}). Given for a stream, it is checked against the
   * rows the first epoch reads.
   */
  numData?: number;
}

/** Where {@link fitApproximate} takes its batches from: in memory, or streamed from chunks. */
export type BatchSource = Batches | ChunkedBatches;

/** What {@link fitApproximate} returns. */
export interface FitApproximateHistory {
  /** The loss (the negative objective) of every step, in order. */
  loss: number[];
  /** The mean loss of each epoch's steps. */
  epochLoss: number[];
  /** Steps taken. */
  steps: number;
  /** N, the number of rows the objective was scaled with. */
  numData: number;
  /** Wall time in seconds. */
  seconds: number;
  /** The optimizers stepped, with their state: pass them back to continue the run. */
  optimizers: Optimizer[];
}

/**
 * Train `model` and `likelihood` with Adam on minibatches, minimising the negative ELBO (or
 * predictive log likelihood) scaled by N, the rows of an epoch.
 *
 * The batches come from in-memory (x, y) (`batchSize`, `shuffle` and `seed` make them, as
 * {@link Batches}), or from a source: {@link Batches}, or {@link ChunkedBatches} from
 * `gp.data.batchesFromChunks(() => readChunks(path), { batchSize })`, re-opened each epoch so
 * that a file larger than memory streams through. For a stream, N is `options.numData` or is
 * counted by one pass over the chunks before the first step. The same batches in the same
 * order give the same parameters, bit for bit, in memory or streamed.
 *
 * A failed step throws (its message prefixed with the epoch and batch) and leaves every
 * parameter, the variational ones and their lazy initialisation included, as it was before
 * that step: a non-finite value in a batch (the batcher names the batch, its row and the
 * column), a non-finite loss or gradient, a numerical failure. Earlier steps are kept.
 *
 * @param model the approximate GP
 * @param likelihood its likelihood
 * @param x inputs (N × d), or a {@link BatchSource}
 * @param y targets (N), or, with a source, the options
 * @param options epochs (10), batchSize (1024), shuffle (true), seed (0), lr (0.01) or
 *   optimizers, objective ("elbo"), beta (1), progress
 * @throws {TypeError} a bad source or option, batch options given with a source, `lr`
 *   with `optimizers`, an L-BFGS optimizer
 * @throws {RangeError} optimizers that leave out a trainable parameter, hold one twice, or
 *   an NGD whose numData is not N
 * @throws {RangeError} a bad option value, a failed step (see above), a stream whose first
 *   epoch reads a number of rows other than `numData`
 *
 * @example
 * ```ts
 * import * as gp from "../../mod.ts";
 * import assert from "node:assert";
 * class SVGP extends gp.models.ApproximateGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 *   constructor() {
 *     super(new gp.variational.VariationalStrategy(
 *       null, Array.from(gp.linspace(0, 1, 6)), new gp.variational.CholeskyVariationalDistribution(6),
 *     ));
 *   }
 *   forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
 *     return new gp.distributions.MultivariateNormal(this.meanModule.call(x), this.covarModule.call(x));
 *   }
 * }
 * const x = gp.linspace(0, 1, 64);
 * const y = x.map((v) => Math.sin(6 * v));
 * const model = new SVGP(), likelihood = new gp.likelihoods.GaussianLikelihood();
 * const history = await gp.optim.fitApproximate(
 *   model, likelihood, x, y,
 *   { epochs: 5, batchSize: 16, lr: 0.05, progress: false },
 * );
 * assert.strictEqual(history.steps, 20);
 * assert.ok(history.epochLoss[4] < history.epochLoss[0]);
 * // Two more epochs with the same Adam (its moments carry over).
 * const more = await gp.optim.fitApproximate(
 *   model, likelihood, x, y, { epochs: 2, batchSize: 16, optimizers: history.optimizers, progress: false },
 * );
 * assert.strictEqual(more.optimizers[0], history.optimizers[0]);
 * // The same data as a "file" of 4 chunks, read anew each epoch.
 * async function* read() {
 *   for (let c = 0; c < 4; c++) yield { x: x.slice(16 * c, 16 * c + 16), y: y.slice(16 * c, 16 * c + 16) };
 * }
 * const stream = gp.data.batchesFromChunks(read, { batchSize: 16 });
 * const streamed = await gp.optim.fitApproximate(
 *   new SVGP(), new gp.likelihoods.GaussianLikelihood(), stream, { epochs: 5, lr: 0.05, progress: false },
 * );
 * assert.strictEqual(streamed.numData, 64);
 * assert.strictEqual(streamed.steps, 20);
 * ```
 */
export function fitApproximate(
  model: ApproximateGP,
  likelihood: ApproximateLikelihood,
  x: InputLike,
  y: VectorLike,
  options?: FitApproximateOptions,
): Promise<FitApproximateHistory>;
/** Train on the batches of `source`, in memory or streamed (see the first signature). */
export function fitApproximate(
  model: ApproximateGP,
  likelihood: ApproximateLikelihood,
  source: BatchSource,
  options?: FitApproximateSourceOptions,
): Promise<FitApproximateHistory>;
export async function fitApproximate(
  model: ApproximateGP,
  likelihood: ApproximateLikelihood,
  x: InputLike | BatchSource,
  y?: VectorLike | FitApproximateSourceOptions,
  options?: FitApproximateOptions,
): Promise<FitApproximateHistory> {
  if (x instanceof Batches || x instanceof ChunkedBatches) {
    const opts = checkSourceOptions(y, options);
    const loop = loopSettings(opts);
    const numData = await resolveNumData(x, opts.numData);
    return await train(model, likelihood, x, numData, loop);
  }
  if (
    typeof x === "function" ||
    (x !== null && typeof x === "object" && Symbol.asyncIterator in x)
  ) {
    throw new TypeError(
      `${FN}: the third argument is a stream of chunks; wrap it as ` +
        `gp.data.batchesFromChunks(chunks, { batchSize: 1024 }) and pass that`,
    );
  }
  const opts = options ?? {};
  const loop = loopSettings(opts);
  const data = new Batches(x, y as VectorLike, {
    batchSize: opts.batchSize ?? 1024,
    shuffle: opts.shuffle ?? true,
    seed: opts.seed ?? 0,
  });
  return await train(model, likelihood, data, data.numData, loop);
}

interface LoopSettings {
  epochs: number;
  objective: "elbo" | "pll";
  beta: number;
  lr: number;
  optimizers: Optimizer[] | null;
  progress: boolean | ((line: string) => void);
}

function loopSettings(options: FitApproximateLoopOptions): LoopSettings {
  const epochs = options.epochs ?? 10;
  if (!Number.isSafeInteger(epochs) || epochs < 1) {
    throw new RangeError(`${FN}: options.epochs = ${epochs} must be a positive integer`);
  }
  const objective = options.objective ?? "elbo";
  if (objective !== "elbo" && objective !== "pll") {
    throw new RangeError(`${FN}: options.objective = "${objective}" is not "elbo" or "pll"`);
  }
  const progress = options.progress ?? isTerminal();
  if (typeof progress !== "boolean" && typeof progress !== "function") {
    throw new TypeError(
      `${FN}: options.progress is ${typeof progress}; pass true, false or a function (line) => …`,
    );
  }
  return {
    epochs,
    objective,
    beta: options.beta ?? 1,
    lr: options.lr ?? 0.01,
    optimizers: checkOptimizers(options),
    progress,
  };
}

function checkOptimizers(options: FitApproximateLoopOptions): Optimizer[] | null {
  const given = options.optimizers;
  if (given === undefined) return null;
  if (options.lr !== undefined) {
    throw new TypeError(
      `${FN}: options.lr = ${options.lr} is given with options.optimizers, whose own learning ` +
        `rates apply; set lr on the optimizers (or omit optimizers for a fresh Adam)`,
    );
  }
  const list = given instanceof Optimizer ? [given] : Array.isArray(given) ? [...given] : null;
  if (list === null || list.length === 0) {
    throw new TypeError(
      `${FN}: options.optimizers is ${given}; pass an optimizer or a non-empty array of them`,
    );
  }
  list.forEach((o, i) => {
    if (!(o instanceof Optimizer)) {
      throw new TypeError(`${FN}: options.optimizers[${i}] is ${o}, not an optimizer`);
    }
    if (o instanceof LBFGS) {
      throw new TypeError(
        `${FN}: options.optimizers[${i}] is an LBFGS, whose line search needs the full ` +
          `objective while each minibatch changes it; use Adam, SGD or NGD here, or ` +
          `gp.optim.fit for full-batch L-BFGS`,
      );
    }
  });
  return list;
}

/**
 * Checks that `optimizers` step every trainable parameter of `params` exactly once, and
 * that an NGD scales by the same N as the objective.
 */
function checkCoverage(
  optimizers: Optimizer[],
  names: Map<Parameter, string>,
  numData: number,
): void {
  const owner = new Map<Parameter, number>();
  optimizers.forEach((o, i) => {
    if (o instanceof NGD && o.numData !== numData) {
      throw new RangeError(
        `${FN}: options.optimizers[${i}] is an NGD with numData = ${o.numData} but the ` +
          `objective is scaled by N = ${numData}; construct it with { numData: ${numData} }`,
      );
    }
    for (const p of o.params) {
      const j = owner.get(p);
      if (j !== undefined) {
        throw new RangeError(
          `${FN}: parameter ${names.get(p) ?? "(not the model's)"} is in ` +
            `options.optimizers[${j}] and [${i}], so it would be stepped twice a batch; give ` +
            `each parameter to one optimizer`,
        );
      }
      owner.set(p, i);
    }
  });
  const missing = [...names.keys()].filter((p) => p.requiresGrad && !owner.has(p));
  if (missing.length > 0) {
    throw new RangeError(
      `${FN}: ${missing.length} trainable parameter(s) of the model and likelihood are in ` +
        `none of options.optimizers (the first: ${names.get(missing[0])}); add them, or freeze ` +
        `them with parameter.requiresGrad_(false)`,
    );
  }
}

function checkSourceOptions(
  options: unknown,
  extra: unknown,
): FitApproximateSourceOptions {
  if (extra !== undefined || (options !== undefined && !isPlainOptions(options))) {
    throw new TypeError(
      `${FN}: with a batch source, the fourth argument is the options (the targets are in the ` +
        `source): fitApproximate(model, likelihood, source, { epochs: 10 })`,
    );
  }
  const opts = (options ?? {}) as FitApproximateSourceOptions & Record<string, unknown>;
  for (const key of ["batchSize", "shuffle", "seed"]) {
    if (opts[key] !== undefined) {
      throw new TypeError(
        `${FN}: options.${key} is given with a batch source, whose own ${key} decides the ` +
          `batches; set it where the source is made (gp.data.batches / batchesFromChunks)`,
      );
    }
  }
  const n = opts.numData;
  if (n !== undefined && (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1)) {
    throw new RangeError(
      `${FN}: options.numData = ${n} must be a positive integer, the rows of one epoch ` +
        `(or omit it to have them counted)`,
    );
  }
  return opts;
}

function isPlainOptions(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

async function resolveNumData(source: BatchSource, given: number | undefined): Promise<number> {
  if (source instanceof Batches) {
    if (given !== undefined && given !== source.numData) {
      throw new RangeError(
        `${FN}: options.numData = ${given} but the in-memory source holds ${source.numData} ` +
          `rows; omit numData`,
      );
    }
    return source.numData;
  }
  return given ?? source.numData ?? await source.countRows();
}

function batchesPerEpoch(source: BatchSource, numData: number): number {
  if (source instanceof Batches) return source.length;
  const whole = Math.floor(numData / source.batchSize);
  return source.dropLast || numData % source.batchSize === 0 ? whole : whole + 1;
}

async function train(
  model: ApproximateGP,
  likelihood: ApproximateLikelihood,
  source: BatchSource,
  numData: number,
  settings: LoopSettings,
): Promise<FitApproximateHistory> {
  const { epochs, progress } = settings;
  const Objective = settings.objective === "elbo" ? VariationalELBO : PredictiveLogLikelihood;
  const mll = new Objective(likelihood, model, numData, { beta: settings.beta });
  const names = new Map<Parameter, string>();
  for (const [prefix, module] of [["model", model], ["likelihood", likelihood]] as const) {
    for (const [path, p] of module.namedParameters()) {
      if (!names.has(p)) names.set(p, `${prefix}.${path}`);
    }
  }
  const params = [...names.keys()];
  const optimizers = settings.optimizers ?? [new Adam(params, { lr: settings.lr })];
  checkCoverage(optimizers, names, numData);
  const strategy = model.variationalStrategy;
  const encoder = new TextEncoder();
  const write = typeof progress === "function"
    ? progress
    : progress
    ? (line: string) => Deno.stdout.writeSync(encoder.encode(`\r${line}   `))
    : null;
  model.train();
  likelihood.train();
  const history: FitApproximateHistory = {
    loss: [],
    epochLoss: [],
    steps: 0,
    numData,
    seconds: 0,
    optimizers,
  };
  const perEpoch = batchesPerEpoch(source, numData);
  const total = epochs * perEpoch;
  const t0 = performance.now();

  // One step on a batch; on any failure every parameter and the lazy initialisation go back
  // to where they were. Every gradient is checked before any optimizer steps, so that the
  // optimizers' own state (Adam's moments) is untouched by a failed step too.
  const step = async (batch: Batch, epoch: number): Promise<number> => {
    const saved = params.map((p) => p.rawValues);
    const restoreInitialization = strategy.initializationCheckpoint();
    try {
      for (const o of optimizers) o.zeroGrad();
      const loss = (await mll.call(model.call(batch.x), batch.y)).neg();
      const value = loss.item();
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `the loss is ${value}; no parameter was changed. Check the data and the starting ` +
            `values (a tiny noise or lengthscale) for numerical trouble`,
        );
      }
      loss.backward();
      checkGradients(names);
      for (const o of optimizers) o.step();
      return value;
    } catch (e) {
      params.forEach((p, i) => p.setRaw(saved[i]));
      restoreInitialization();
      for (const o of optimizers) o.zeroGrad();
      if (e instanceof Error) {
        e.message = `${FN}: epoch ${epoch + 1}, batch ${batch.index} (step ${
          history.steps + 1
        }): ${e.message}`;
      }
      throw e;
    }
  };

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let sum = 0, count = 0;
      for await (const batch of source) {
        const value = await step(batch, epoch);
        history.loss.push(value);
        history.steps++;
        sum += value;
        count++;
        if (write !== null) {
          const elapsed = (performance.now() - t0) / 1000;
          const left = elapsed / history.steps * Math.max(0, total - history.steps);
          write(
            `epoch ${epoch + 1}/${epochs}  step ${batch.index + 1}/${perEpoch}  loss ` +
              `${value.toFixed(6)}  ~${left.toFixed(1)} s left`,
          );
        }
      }
      if (source instanceof ChunkedBatches && source.numData !== numData) {
        throw new RangeError(
          `${FN}: epoch ${epoch + 1} read ${source.numData} rows from the stream but ` +
            `numData = ${numData} scaled the objective; pass numData: ${source.numData}, or ` +
            `omit it to have the rows counted`,
        );
      }
      history.epochLoss.push(sum / count);
    }
  } finally {
    if (write !== null && typeof progress !== "function") {
      Deno.stdout.writeSync(encoder.encode("\n"));
    }
    history.seconds = (performance.now() - t0) / 1000;
  }
  return history;
}

/** A RangeError naming the first parameter with a non-finite gradient entry, if any. */
function checkGradients(names: Map<Parameter, string>): void {
  for (const [p, name] of names) {
    const g = p.grad;
    if (g === null) continue;
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i])) {
        throw new RangeError(
          `parameter ${name} has gradient ${g[i]} at element ${i}; no parameter was changed. ` +
            `Check the data and the starting values for numerical trouble`,
        );
      }
    }
  }
}

function isTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}
