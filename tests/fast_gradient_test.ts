// The exact-loss stochastic gradient: exact loss, unbiased gradient, reported
// variance that matches the spread seen over many probe draws, finite on the seed.
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";
import { loadTeacher, makeStudent } from "./_seed_model.ts";
import { ardProblem } from "./_ard_problem.ts";

function problem(n: number) {
  return ardProblem(n, n + 1);
}

Deno.test("stochastic gradient: the loss is exact and the mean over many draws is the exact gradient", async () => {
  const { x, y, likelihood, model } = problem(60);
  const exact = await new gp.mlls.ExactMarginalLogLikelihood(likelihood, model).call(
    model.call(x),
    y,
  );
  const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, {
    gradient: "stochastic",
    probes: 4,
    seed: 3,
  });
  const draws = 300;
  const sums = new Map<gp.Parameter, { s: Float64Array; s2: Float64Array; v: Float64Array }>();
  for (let r = 0; r < draws; r++) {
    const est = await mll.call(model.call(x), y);
    assertClose(est.value, exact.value, { rtol: 1e-14, what: "stochastic-gradient loss" });
    for (const [p, g] of est.gradient) {
      const e = sums.get(p) ??
        {
          s: new Float64Array(g.length),
          s2: new Float64Array(g.length),
          v: new Float64Array(g.length),
        };
      const v = est.gradientVariance!.get(p)!;
      for (let i = 0; i < g.length; i++) {
        e.s[i] += g[i];
        e.s2[i] += g[i] * g[i];
        e.v[i] += v[i];
      }
      sums.set(p, e);
    }
  }
  for (const [name, p] of model.namedParameters()) {
    const e = sums.get(p)!;
    const want = exact.gradient.get(p)!;
    for (let i = 0; i < want.length; i++) {
      const mean = e.s[i] / draws;
      const empiricalVar = (e.s2[i] / draws - mean * mean) * draws / (draws - 1);
      const reportedVar = e.v[i] / draws;
      const se = Math.sqrt(empiricalVar / draws);
      // Unbiased: within 4 standard errors of the exact gradient.
      if (Math.abs(mean - want[i]) > 4 * se + 1e-12) {
        throw new Error(`${name}[${i}]: mean ${mean} vs exact ${want[i]} (SE ${se})`);
      }
      // The reported variance is the spread actually seen (300 draws: ±25% is ~3σ).
      if (empiricalVar > 1e-10 * mean * mean) {
        const ratio = reportedVar / empiricalVar;
        if (!(ratio > 0.7 && ratio < 1.4)) {
          throw new Error(
            `${name}[${i}]: reported variance ${reportedVar} vs empirical ${empiricalVar}`,
          );
        }
      }
    }
  }
  // The mean's gradient does not involve the trace: it is exact in every draw.
  const est = await mll.call(model.call(x), y);
  assertClose(
    est.gradient.get(model.meanModule.rawConstant)![0],
    exact.gradient.get(model.meanModule.rawConstant)![0],
    { rtol: 1e-12, what: "d mll / d constant" },
  );
  assertClose(est.gradientVariance!.get(model.meanModule.rawConstant)![0], 0, { atol: 1e-30 });
});

Deno.test("stochastic gradient: the same seed gives the same gradients, another seed others", async () => {
  const { x, y, likelihood, model } = problem(40);
  const run = async (seed: number) =>
    (await new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, {
      gradient: "stochastic",
      seed,
    }).call(model.call(x), y)).gradient.get(model.covarModule.rawOutputscale)![0];
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  if (a !== b || a === c) throw new Error(`seeded draws: ${a} ${b} ${c}`);
});

Deno.test("stochastic gradient: finite with a small variance on the seed model (n = 1000)", async () => {
  const teacher = loadTeacher();
  const s = makeStudent(teacher, { gradient: "stochastic", probes: 15 });
  const exact = makeStudent(teacher);
  const est = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
  const ref = (await exact.mll.call(exact.model.call(teacher.x), teacher.y)).neg();
  assertClose(est.value, ref.value, { rtol: 1e-13, what: "loss" });
  const exactByName = new Map(exact.model.namedParameters());
  for (const [name, p] of s.model.namedParameters()) {
    if (!p.requiresGrad) continue;
    const g = est.gradient.get(p)!, v = est.gradientVariance!.get(p)!;
    const want = ref.gradient.get(exactByName.get(name)!)![0];
    if (!Number.isFinite(g[0]) || !(v[0] >= 0) || !Number.isFinite(v[0])) {
      throw new Error(`${name}: gradient ${g[0]}, variance ${v[0]}`);
    }
    // At the start of training the estimate is close: within 6 reported SDs.
    if (Math.abs(g[0] - want) > 6 * Math.sqrt(v[0]) + 1e-9) {
      throw new Error(`${name}: ${g[0]} vs exact ${want} (SD ${Math.sqrt(v[0])})`);
    }
  }
});

Deno.test("ExactMarginalLogLikelihood rejects bad gradient options", () => {
  const { likelihood, model } = problem(5);
  const make = (o: gp.mlls.ExactMarginalLogLikelihoodOptions) =>
    new gp.mlls.ExactMarginalLogLikelihood(likelihood, model, o);
  for (const o of [{ probes: 1 }, { probes: 2.5 }, { gradient: "cg" as "exact" }]) {
    let threw = false;
    try {
      make(o);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    if (!threw) throw new Error(`no RangeError for ${JSON.stringify(o)}`);
  }
});
