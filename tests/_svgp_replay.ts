// Replays a GPyTorch SVGP fixture run (tests/fixtures/gpytorch_approx/svgp_*) through gpts: the
// per-iteration ELBO and gradients, Adam from the recorded gradients, and Adam from iteration 0.
// Each fixture test asserts the errors these return against its own tolerances.
import * as gp from "../mod.ts";
import { type SvgpFixture, trilToDense } from "./_approx_fixtures.ts";
import {
  asStored,
  FixtureSVGP,
  mapParameters,
  type Mapped,
  relError,
  setToIteration,
} from "./_svgp_fixture_model.ts";

/** The fixture's model, its parameters mapped to GPyTorch's names, and the ELBO over N points. */
export interface SvgpSetup<L extends gp.Module & gp.likelihoods.ApproximateLikelihood> {
  model: FixtureSVGP;
  likelihood: L;
  mapped: Mapped[];
  mll: gp.mlls.VariationalELBO;
}

/** Builds the fixture's SVGP with `likelihood`, its variational parameters taken as set. */
export function setupSvgp<L extends gp.Module & gp.likelihoods.ApproximateLikelihood>(
  f: SvgpFixture,
  likelihood: L,
): SvgpSetup<L> {
  const model = new FixtureSVGP(f);
  const mapped = mapParameters(f, model, likelihood);
  model.variationalStrategy.variationalParamsInitialized = true;
  const mll = new gp.mlls.VariationalELBO(likelihood, model, f.n);
  return { model, likelihood, mapped, mll };
}

/** The largest gradient magnitude over every parameter at iteration i (the gradient's ∞-norm). */
function gradScale(f: SvgpFixture, mapped: Mapped[], i: number): number {
  let s = 0;
  for (const p of mapped) {
    for (const v of f.trace.params[p.name].grads[i]) s = Math.max(s, Math.abs(v));
  }
  return s;
}

function p0Upper(mapped: Mapped[]): boolean {
  const chol = mapped.find((p) => p.tril)!;
  const g = chol.parameter.grad!;
  for (let i = 0; i < chol.m; i++) {
    for (let j = i + 1; j < chol.m; j++) if (g[i * chol.m + j] !== 0) return true;
  }
  return false;
}

/** The largest errors of the ELBO replay over every recorded iteration. */
export interface ElboReplayErrors {
  lossErr: number;
  ellErr: number;
  klErr: number;
  /** Relative to the gradient's ∞-norm at that iteration (all parameters together). */
  gradErr: number;
  /** Relative to each tensor's own largest entry. */
  perTensor: Record<string, number>;
  /**
   * Each parameter's raw values after Adam stepped on our gradient at every recorded iterate,
   * against GPyTorch's final raw values (relative to the tensor's largest entry).
   */
  finalErr: Record<string, number>;
}

/**
 * Sets the parameters to each recorded iteration, evaluates the negated ELBO and its gradients,
 * and returns the largest errors against the recorded ones; throws if the Cholesky factor's
 * upper triangle gets a gradient. Adam (GPyTorch's learning rate) steps on each of these
 * gradients, so after the last one the raw values are where our gradients and our Adam take
 * GPyTorch's last iterate: `finalErr` compares them with GPyTorch's final values.
 */
export async function replayElbo<L extends gp.Module & gp.likelihoods.ApproximateLikelihood>(
  f: SvgpFixture,
  { model, mapped, mll }: SvgpSetup<L>,
): Promise<ElboReplayErrors> {
  let lossErr = 0, ellErr = 0, klErr = 0, gradErr = 0;
  const perTensor: Record<string, number> = {};
  const optimizer = new gp.optim.Adam(mapped.map((p) => p.parameter), { lr: f.lr });
  for (let i = 0; i < f.iters; i++) {
    setToIteration(f, mapped, i);
    for (const p of mapped) p.parameter.grad = null;
    const loss = (await mll.call(model.call(f.data.x), f.data.y)).neg();
    loss.backward();
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    lossErr = Math.max(lossErr, rel(loss.item(), f.trace.loss[i]));
    ellErr = Math.max(ellErr, rel(mll.lastTerms!.likelihoodTerm, f.trace.expectedLogLikOverN[i]));
    klErr = Math.max(klErr, rel(mll.lastTerms!.kl, f.trace.klOverN[i]));
    const scale = gradScale(f, mapped, i);
    for (const p of mapped) {
      const ours = asStored(p, p.parameter.grad!), theirs = f.trace.params[p.name].grads[i];
      let abs = 0;
      for (let e = 0; e < theirs.length; e++) abs = Math.max(abs, Math.abs(ours[e] - theirs[e]));
      gradErr = Math.max(gradErr, abs / scale);
      perTensor[p.name] = Math.max(perTensor[p.name] ?? 0, relError(ours, theirs));
    }
    if (p0Upper(mapped)) throw new Error("upper triangle got a gradient");
    optimizer.step();
  }
  const finalErr: Record<string, number> = {};
  for (const p of mapped) {
    finalErr[p.name] = relError(asStored(p, p.parameter.rawValues), f.final.raw[p.name]);
  }
  return { lossErr, ellErr, klErr, gradErr, perTensor, finalErr };
}

/**
 * Steps Adam from iteration 0 with the recorded gradients and returns the largest relative
 * error of the raw values against the recorded trajectory.
 */
export function replayAdamFromRecordedGrads(f: SvgpFixture, mapped: Mapped[]): number {
  setToIteration(f, mapped, 0);
  const optimizer = new gp.optim.Adam(mapped.map((p) => p.parameter), { lr: f.lr });
  let err = 0;
  for (let i = 0; i < f.iters; i++) {
    for (const p of mapped) {
      const g = f.trace.params[p.name].grads[i];
      p.parameter.grad = p.tril ? trilToDense(g, p.m) : g.slice();
    }
    optimizer.step();
    for (const p of mapped) {
      const want = i + 1 < f.iters ? f.trace.params[p.name].values[i + 1] : f.final.raw[p.name];
      err = Math.max(err, relError(asStored(p, p.parameter.rawValues), want));
    }
  }
  return err;
}

/** The errors of a training run: the loss along it and each parameter's final raw values. */
export interface TrainErrors {
  lossErr: number;
  finalErr: Record<string, number>;
}

/** Trains with Adam from iteration 0 on our own gradients and compares with GPyTorch's run. */
export async function trainAdamFromStart<
  L extends gp.Module & gp.likelihoods.ApproximateLikelihood,
>(
  f: SvgpFixture,
  { model, mapped, mll }: SvgpSetup<L>,
): Promise<TrainErrors> {
  setToIteration(f, mapped, 0);
  const optimizer = new gp.optim.Adam(mapped.map((p) => p.parameter), { lr: f.lr });
  let lossErr = 0;
  for (let i = 0; i < f.iters; i++) {
    optimizer.zeroGrad();
    const loss = (await mll.call(model.call(f.data.x), f.data.y)).neg();
    loss.backward();
    lossErr = Math.max(lossErr, Math.abs(loss.item() - f.trace.loss[i]) / f.trace.loss[i]);
    optimizer.step();
  }
  const finalErr: Record<string, number> = {};
  for (const p of mapped) {
    finalErr[p.name] = relError(asStored(p, p.parameter.rawValues), f.final.raw[p.name]);
  }
  return { lossErr, finalErr };
}

/** Sets every mapped parameter to the fixture's final raw values. */
export function setToFinal(f: SvgpFixture, mapped: Mapped[]): void {
  for (const p of mapped) {
    const v = f.final.raw[p.name];
    p.parameter.setRaw(p.tril ? trilToDense(v, p.m) : v);
  }
}
