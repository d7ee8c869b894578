// NaturalVariationalDistribution + NGD: one step with learning rate 1 reaches the optimal
// q(u) of a Gaussian likelihood, checked against the closed form; its moments agree with
// the Cholesky parameterisation of the same q(u).
import assert from "node:assert";
import * as gp from "../mod.ts";

class SVGP extends gp.models.ApproximateGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  constructor(z: number[], q: gp.variational.VariationalDistribution) {
    super(new gp.variational.VariationalStrategy(null, z, q, { seed: 3 }));
    this.meanModule.rawConstant.setRaw([0.2]);
    this.covarModule.initialize({ outputscale: 1.4, baseKernel: { lengthscale: 0.25 } });
  }
  forward(x: gp.Inputs): gp.distributions.MultivariateNormal {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

const gen = new gp.Generator(8);
const x = Array.from({ length: 30 }, () => gen.uniform());
const y = x.map((v) => Math.sin(7 * v) + 0.1 * gen.normal());
const z = [0, 0.2, 0.4, 0.6, 0.8, 1];
const noise = 0.05;

function chol(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** X = L⁻¹ B for lower L (n × n) and B (n × c). */
function forwardSolve(l: Float64Array, b: Float64Array, n: number, c: number): Float64Array {
  const out = b.slice();
  for (let col = 0; col < c; col++) {
    for (let i = 0; i < n; i++) {
      let s = out[i * c + col];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * out[k * c + col];
      out[i * c + col] = s / l[i * n + i];
    }
  }
  return out;
}

/** The optimal whitened q(v) = N(m*, S*): S* = (I + A Aᵀ/σ²)⁻¹, m* = S* A (y − μ)/σ². */
async function optimum(model: SVGP): Promise<{ m: Float64Array; s: Float64Array }> {
  const mInd = z.length, n = x.length, all = [...z, ...x], t = all.length;
  const k = await model.covarModule.call(all).dense();
  const kuu = new Float64Array(mInd * mInd), kux = new Float64Array(mInd * n);
  for (let i = 0; i < mInd; i++) {
    for (let j = 0; j < mInd; j++) kuu[i * mInd + j] = k[i * t + j] + (i === j ? 1e-6 : 0);
    for (let j = 0; j < n; j++) kux[i * n + j] = k[i * t + mInd + j];
  }
  const a = forwardSolve(chol(kuu, mInd), kux, mInd, n);
  const prec = new Float64Array(mInd * mInd);
  const rhs = new Float64Array(mInd);
  const c = model.meanModule.rawConstant.raw;
  for (let i = 0; i < mInd; i++) {
    for (let j = 0; j < mInd; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p] * a[j * n + p];
      prec[i * mInd + j] = s / noise + (i === j ? 1 : 0);
    }
    for (let p = 0; p < n; p++) rhs[i] += a[i * n + p] * (y[p] - c) / noise;
  }
  const lp = chol(prec, mInd);
  const eye = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) eye[i * mInd + i] = 1;
  const lInv = forwardSolve(lp, eye, mInd, mInd);
  const s = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) {
    for (let j = 0; j < mInd; j++) {
      let acc = 0;
      for (let p = 0; p < mInd; p++) acc += lInv[p * mInd + i] * lInv[p * mInd + j];
      s[i * mInd + j] = acc;
    }
  }
  const m = new Float64Array(mInd);
  for (let i = 0; i < mInd; i++) for (let j = 0; j < mInd; j++) m[i] += s[i * mInd + j] * rhs[j];
  return { m, s };
}

function covariance(q: gp.variational.VariationalDistribution): Float64Array {
  const { root } = q.moments();
  const mInd = q.numInducingPoints, l = root.data, s = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) {
    for (let j = 0; j < mInd; j++) {
      for (let p = 0; p < mInd; p++) s[i * mInd + j] += l[i * mInd + p] * l[j * mInd + p];
    }
  }
  return s;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return e / s;
}

Deno.test("NGD with learning rate 1 reaches the closed-form optimal q(u) of a Gaussian likelihood in one step, and stays there", async () => {
  const q = new gp.variational.NaturalVariationalDistribution(z.length);
  const model = new SVGP(z, q);
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  likelihood.noise = noise;
  const mll = new gp.mlls.VariationalELBO(likelihood, model, x.length);
  const ngd = new gp.optim.NGD(q.parameters(), { numData: x.length, lr: 1 });
  const step = async () => {
    ngd.zeroGrad();
    const loss = (await mll.call(model.call(x), y)).neg();
    loss.backward();
    ngd.step();
    return loss.item();
  };
  const first = await step(); // from the lazy random start
  const best = await optimum(model);
  const after = q.moments();
  assert.ok(maxRel(after.mean.data, best.m) < 1e-9, `m: ${maxRel(after.mean.data, best.m)}`);
  assert.ok(maxRel(covariance(q), best.s) < 1e-9, `S: ${maxRel(covariance(q), best.s)}`);
  const second = await step();
  assert.ok(second < first);
  assert.ok(maxRel(q.moments().mean.data, best.m) < 1e-9);
  // At the optimum the natural gradient vanishes: the loss no longer moves.
  const third = (await mll.call(model.call(x), y)).neg().item();
  assert.ok(Math.abs(third - second) < 1e-12 * Math.abs(second));
});

Deno.test("NaturalVariationalDistribution gives the same q(f) and ELBO as the Cholesky one for the same q(u)", async () => {
  const mInd = z.length;
  const cq = new gp.variational.CholeskyVariationalDistribution(mInd);
  const l = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) {
    l[i * mInd + i] = 0.4 + 0.05 * i;
    for (let j = 0; j < i; j++) l[i * mInd + j] = 0.1 * Math.sin(i + 2 * j);
  }
  const m = Float64Array.from({ length: mInd }, (_, i) => Math.cos(i));
  cq.cholVariationalCovar.setRaw(l);
  cq.variationalMean.setRaw(m);
  // θ₂ = −½ S⁻¹, θ₁ = S⁻¹ m.
  const ls = l; // S = L Lᵀ
  const eye = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) eye[i * mInd + i] = 1;
  const lInv = forwardSolve(ls, eye, mInd, mInd);
  const sInv = new Float64Array(mInd * mInd);
  for (let i = 0; i < mInd; i++) {
    for (let j = 0; j < mInd; j++) {
      for (let p = 0; p < mInd; p++) sInv[i * mInd + j] += lInv[p * mInd + i] * lInv[p * mInd + j];
    }
  }
  const nat = new gp.variational.NaturalVariationalDistribution(mInd);
  nat.naturalMat.setRaw(sInv.map((v) => -0.5 * v));
  const vec = new Float64Array(mInd);
  for (let i = 0; i < mInd; i++) for (let j = 0; j < mInd; j++) vec[i] += sInv[i * mInd + j] * m[j];
  nat.naturalVec.setRaw(vec);
  const likelihood = new gp.likelihoods.GaussianLikelihood();
  const values: number[] = [];
  for (const q of [cq, nat]) {
    const model = new SVGP(z, q);
    model.variationalStrategy.variationalParamsInitialized = true;
    values.push(
      (await new gp.mlls.VariationalELBO(likelihood, model, 30).call(model.call(x), y)).item(),
    );
  }
  assert.ok(Math.abs(values[0] - values[1]) < 1e-11 * Math.abs(values[0]), `${values}`);
  assert.ok(maxRel(nat.moments().root.data, l) < 1e-11);
});

Deno.test("NGD() rejects a missing numData and a bad learning rate", () => {
  const q = new gp.variational.NaturalVariationalDistribution(2);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new gp.optim.NGD(q.parameters(), {} as any), /numData = undefined/);
  assert.throws(() => new gp.optim.NGD(q.parameters(), { numData: 10, lr: -1 }), RangeError);
});

Deno.test("NaturalVariationalDistribution initialises lazily to θ₁ = 1e-3·randn, θ₂ = −½I; a failed NGD step changes nothing", () => {
  const q = new gp.variational.NaturalVariationalDistribution(3);
  q.naturalMat.setRaw(new Float64Array(9).fill(-1));
  const model = new SVGP([0, 0.5, 1], q);
  model.call(x);
  assert.deepStrictEqual(Array.from(q.naturalMat.rawValues), [-0.5, 0, 0, 0, -0.5, 0, 0, 0, -0.5]);
  const v = q.naturalVec.rawValues;
  assert.ok(v.some((e) => e !== 0) && v.every((e) => Math.abs(e) < 5e-3));
  const ngd = new gp.optim.NGD(q.parameters(), { numData: 30 });
  q.naturalVec.grad = new Float64Array([1, NaN, 0]);
  q.naturalMat.grad = new Float64Array(9).fill(0.1);
  const before = q.parameters().map((p) => p.rawValues);
  assert.throws(() => ngd.step(), RangeError);
  q.parameters().forEach((p, i) => assert.deepStrictEqual(p.rawValues, before[i]));
});
