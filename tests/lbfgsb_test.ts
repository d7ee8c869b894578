import { ok, rejects, throws } from "node:assert";
import {
  LBFGSB_REASONS,
  LbfgsbState,
  minimizeLbfgsb,
  minimizeLbfgsbBatch,
} from "../src/optim/mod.ts";
import { Branin, Hartmann, SobolEngine } from "../src/bo/mod.ts";
import { Generator } from "../src/random.ts";

function rosenbrock(x: Float64Array): { value: number; gradient: Float64Array } {
  const n = x.length;
  let value = 0;
  const gradient = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    value += 100 * a * a + b * b;
    gradient[i] += -400 * x[i] * a - 2 * b;
    gradient[i + 1] += 200 * a;
  }
  return { value, gradient };
}

const B = 5.1 / (4 * Math.PI * Math.PI);
const C = 5 / Math.PI;
const T = 1 / (8 * Math.PI);
function branin(x: Float64Array): { value: number; gradient: number[] } {
  const r = x[1] - B * x[0] * x[0] + C * x[0] - 6;
  return {
    value: r * r + 10 * (1 - T) * Math.cos(x[0]) + 10,
    gradient: [2 * r * (-2 * B * x[0] + C) - 10 * (1 - T) * Math.sin(x[0]), 2 * r],
  };
}

/** Checks the KKT conditions on a box: zero gradient on free variables, outward on bounds. */
function checkKkt(
  x: Float64Array,
  g: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  tol: number,
): void {
  for (let i = 0; i < x.length; i++) {
    ok(lower[i] <= x[i] && x[i] <= upper[i], `x[${i}] = ${x[i]} outside the box`);
    if (x[i] === lower[i]) ok(g[i] >= -tol, `g[${i}] = ${g[i]} at the lower bound`);
    else if (x[i] === upper[i]) ok(g[i] <= tol, `g[${i}] = ${g[i]} at the upper bound`);
    else ok(Math.abs(g[i]) <= tol, `free x[${i}] = ${x[i]} has g = ${g[i]}`);
  }
}

Deno.test("minimizeLbfgsb() finds Rosenbrock's optimum (1, 1) inside the box, in 2-D and 5-D", async () => {
  for (const x0 of [[-1.2, 1], [-1.2, 1, -1.2, 1, -1.2]]) {
    const n = x0.length;
    const res = await minimizeLbfgsb(rosenbrock, x0, {
      lower: new Array(n).fill(-5),
      upper: new Array(n).fill(10),
      pgtol: 1e-9,
      factr: 10,
    });
    ok(res.converged, res.reason);
    for (const v of res.x) ok(Math.abs(v - 1) < 1e-6, `${n}-D: x = ${res.x}`);
    ok(res.fun < 1e-12 && res.iterations < 100, `f = ${res.fun}, ${res.iterations} iterations`);
  }
});

Deno.test("minimizeLbfgsb() finds a Branin minimiser from several starts", async () => {
  const problem = new Branin();
  const [lower, upper] = problem.bounds;
  for (const x0 of [[0, 0], [-4, 12], [8, 3], [2, 14], [9.9, 0.1]]) {
    const res = await minimizeLbfgsb(branin, x0, { lower, upper, pgtol: 1e-9 });
    ok(Math.abs(res.fun - problem.optimalValue) < 1e-9, `from ${x0}: f = ${res.fun} at ${res.x}`);
    ok(
      problem.optimizers.some((o) => Math.hypot(o[0] - res.x[0], o[1] - res.x[1]) < 1e-4),
      `from ${x0}: x = ${res.x}`,
    );
  }
});

Deno.test("L-BFGS-B stops at the active bound when the optimum lies outside the box", async () => {
  // Rosenbrock on [−2, 0.5] × [−2, 2]: x₁ = 0.5 at its upper bound, x₂ = x₁² = 0.25 free.
  const lower = [-2, -2];
  const upper = [0.5, 2];
  const res = await minimizeLbfgsb(rosenbrock, [-1.2, 1], { lower, upper });
  ok(res.converged && res.reason === LBFGSB_REASONS.pgtol, res.reason);
  ok(res.x[0] === 0.5 && Math.abs(res.x[1] - 0.25) < 1e-6, `x = ${res.x}`);
  ok(Math.abs(res.fun - 0.25) < 1e-10);
  ok(Math.abs(res.grad[0] - -1) < 1e-5, "the gradient points out of the box on x₁");
  checkKkt(res.x, res.grad, lower, upper, 1e-5);
  // A separable quadratic whose minimiser lies outside on both sides: a corner and a free one.
  const c = [3, -4, 0.25];
  const quad = await minimizeLbfgsb(
    (x) => ({
      value: (x[0] - c[0]) ** 2 + (x[1] - c[1]) ** 2 + (x[2] - c[2]) ** 2,
      gradient: [2 * (x[0] - c[0]), 2 * (x[1] - c[1]), 2 * (x[2] - c[2])],
    }),
    [0, 0, 0],
    { lower: [-1, -1, -1], upper: [1, 1, 1] },
  );
  ok(quad.x[0] === 1 && quad.x[1] === -1 && Math.abs(quad.x[2] - 0.25) < 1e-8, `${quad.x}`);
  checkKkt(quad.x, quad.grad, [-1, -1, -1], [1, 1, 1], 1e-8);
  ok(quad.grad[0] < 0 && quad.grad[1] > 0);
});

Deno.test("minimizeLbfgsb() agrees with scipy's fmin_l_bfgs_b on a 6-D bounded Rosenbrock", async () => {
  // scipy 1.10.1: fmin_l_bfgs_b(rosen, [-1.2, 0.5, -1.2, 1, -0.2, 1],
  //   bounds=[(-2, 0.8)] * 3 + [(-0.3, 2)] * 3, factr=10, pgtol=1e-10)
  // → f = 2.048495490629548 after 35 iterations, 48 evaluations, REL_REDUCTION_OF_F.
  const scipyX = [
    0.8,
    0.6651509764262438,
    0.4588149471225621,
    0.22247379501051767,
    0.05890553442285437,
    0.003469861850672366,
  ];
  const lower = [-2, -2, -2, -0.3, -0.3, -0.3];
  const upper = [0.8, 0.8, 0.8, 2, 2, 2];
  const res = await minimizeLbfgsb(rosenbrock, [-1.2, 0.5, -1.2, 1, -0.2, 1], {
    lower,
    upper,
    factr: 10,
    pgtol: 1e-10,
  });
  ok(res.converged, res.reason);
  ok(Math.abs(res.fun - 2.048495490629548) < 1e-12 * 2.05, `f = ${res.fun}`);
  for (let i = 0; i < 6; i++) ok(Math.abs(res.x[i] - scipyX[i]) < 1e-6, `x = ${res.x}`);
  ok(res.x[0] === 0.8);
  checkKkt(res.x, res.grad, lower, upper, 1e-6);
  ok(res.iterations < 60 && res.evaluations < 80, `${res.iterations} it, ${res.evaluations} ev`); // 34, 37 here
});

Deno.test("minimizeLbfgsbBatch() runs every restart in one call per round, as single runs do", async () => {
  const problem = new Branin();
  const x0s = [[0, 0], [-4, 12], [8, 3], [2, 14]];
  let calls = 0;
  let largest = 0;
  const results = await minimizeLbfgsbBatch(
    (xs) => {
      calls++;
      largest = Math.max(largest, xs.length);
      const outs = xs.map((x) => branin(x));
      return { values: outs.map((o) => o.value), gradients: outs.map((o) => o.gradient) };
    },
    x0s,
    problem.bounds,
    { pgtol: 1e-9 },
  );
  ok(largest === 4);
  const most = Math.max(...results.map((r) => r.evaluations));
  ok(calls === most, `${calls} calls for at most ${most} evaluations of one restart`);
  for (let i = 0; i < x0s.length; i++) {
    const single = await minimizeLbfgsb(branin, x0s[i], {
      lower: problem.bounds[0],
      upper: problem.bounds[1],
      pgtol: 1e-9,
    });
    ok(single.fun === results[i].fun && single.evaluations === results[i].evaluations);
    ok(Math.abs(results[i].fun - problem.optimalValue) < 1e-9);
  }
});

Deno.test("LbfgsbState only asks for points inside the box and never raises f", () => {
  const lower = [-0.5, -0.5, 0.2];
  const upper = [0.3, 2, 0.9];
  const state = new LbfgsbState([0, 0, 0.5], lower, upper);
  let last = Infinity;
  while (!state.done) {
    for (let i = 0; i < 3; i++) ok(lower[i] <= state.x[i] && state.x[i] <= upper[i]);
    const { value, gradient } = rosenbrock(state.x);
    state.tell(value, gradient);
    ok(!(state.bestF > last));
    last = state.bestF;
  }
  ok(state.converged && state.projectedGradientNorm() <= 1e-5);
  throws(() => state.tell(0, [0, 0, 0]), /done/);
});

Deno.test("L-BFGS-B stops on maxiter and maxfun, and copes with non-finite values", async () => {
  const few = await minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxiter: 3 });
  ok(few.iterations === 3 && few.reason === LBFGSB_REASONS.maxiter && !few.converged);
  const cheap = await minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxfun: 5 });
  ok(cheap.evaluations === 5 && cheap.reason === LBFGSB_REASONS.maxfun, `${cheap.evaluations}`);
  const one = await minimizeLbfgsb(rosenbrock, [-1.2, 1], { maxfun: 1 });
  ok(
    one.evaluations === 1 && one.reason === LBFGSB_REASONS.maxfun &&
      Math.abs(one.fun - 24.2) < 1e-12,
  );
  // f is +∞ beyond x = 2: the line search backs off instead of failing.
  const wall = await minimizeLbfgsb(
    (x) => x[0] > 2 ? { value: NaN, gradient: [NaN] } : { value: -x[0], gradient: [-1] },
    [0],
    { lower: [-10], upper: [10] },
  );
  ok(wall.x[0] <= 2 && wall.x[0] > 1.9 && Number.isFinite(wall.fun), `x = ${wall.x}`);
  const bad = await minimizeLbfgsb(() => ({ value: NaN, gradient: [0] }), [0]);
  ok(bad.reason === LBFGSB_REASONS.nonFinite && bad.evaluations === 1);
});

Deno.test("L-BFGS-B rejects bad input with errors that name the argument", async () => {
  throws(() => new LbfgsbState([2], [0], [1]), /x0\[0\] = 2 is outside \[0, 1\]/);
  throws(() => new LbfgsbState([0.5], [1], [1]), RangeError);
  throws(() => new LbfgsbState([0.5], [1], [0]), /lower = 1 ≥ upper = 0/);
  throws(() => new LbfgsbState([0.5, 0.5], [0], [1, 1]), /L-BFGS-B\(lower\): length 1/);
  throws(() => new LbfgsbState([0.5], [0], [1, 2]), TypeError);
  throws(() => new LbfgsbState([], [], []), TypeError);
  throws(() => new LbfgsbState([NaN], [0], [1]), RangeError);
  throws(() => new LbfgsbState([0.5], [0], [1], { m: 0 }), /options.m/);
  throws(() => new LbfgsbState([0.5], [0], [1], { pgtol: -1 }), /options.pgtol/);
  const s = new LbfgsbState([0.5], [0], [1]);
  throws(() => s.tell(1, [1, 2]), /gradient of length 1/);
  ok(s.evaluations === 0, "a rejected tell changes nothing");
  await rejects(
    () => minimizeLbfgsb(rosenbrock, [0, 0], { lower: [1, 1], upper: [2, 2] }),
    RangeError,
  );
  let called = false;
  await rejects(
    () =>
      minimizeLbfgsbBatch(
        () => {
          called = true;
          return { values: [], gradients: [] };
        },
        [[0.5], [3]],
        [[0], [1]],
      ),
    /x0\[0\] = 3 is outside/,
  );
  ok(!called, "nothing is evaluated when one start is bad");
  await rejects(
    () => minimizeLbfgsbBatch(() => ({ values: [], gradients: [] }), [], [[0], [1]]),
    TypeError,
  );
  await rejects(
    () => minimizeLbfgsbBatch(() => ({ values: [], gradients: [] }), [[0.5]], [[0]]),
    /two rows/,
  );
  await rejects(
    () => minimizeLbfgsbBatch(() => ({ values: [1], gradients: [] }), [[0.5]], [[0], [1]]),
    /1 values and 0 gradients/,
  );
});

Deno.test("L-BFGS-B meets the KKT conditions on a 30-D quadratic with many active bounds", async () => {
  const rng = new Generator(4);
  const n = 30;
  // A = QᵀQ + I/2 (well conditioned, dense), b random: about half the bounds end up active.
  const q = Array.from({ length: n }, () => rng.normals(n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += q[k][i] * q[k][j] / n;
      a[i * n + j] = s;
    }
  }
  const b = rng.normals(n).map((v) => 3 * v);
  const fn = (x: Float64Array) => {
    const g = new Float64Array(n);
    let value = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
      g[i] = s + b[i];
      value += 0.5 * x[i] * s + b[i] * x[i];
    }
    return { value, gradient: g };
  };
  const lower = new Array(n).fill(-1);
  const upper = new Array(n).fill(1);
  const res = await minimizeLbfgsb(fn, new Array(n).fill(0), {
    lower,
    upper,
    pgtol: 1e-7,
    factr: 0,
  });
  ok(res.converged, res.reason);
  checkKkt(res.x, res.grad, lower, upper, 1e-6);
  const active = res.x.filter((v) => v === -1 || v === 1).length;
  ok(active > 5 && active < 25, `${active} active bounds`);
  // Without bounds the same run reaches the unconstrained minimiser −A⁻¹b (gradient ≈ 0).
  const free = await minimizeLbfgsb(fn, new Array(n).fill(0), { pgtol: 1e-9, factr: 1 });
  ok(Math.max(...free.grad.map(Math.abs)) < 1e-7, `${free.reason}`);
});

Deno.test("minimizeLbfgsb() without bounds finds Rosenbrock's minimum", async () => {
  const res = await minimizeLbfgsb(rosenbrock, [-1.2, 1], { pgtol: 1e-9, factr: 10 });
  ok(res.converged && Math.abs(res.x[0] - 1) < 1e-6 && Math.abs(res.x[1] - 1) < 1e-6, `${res.x}`);
});

Deno.test("batched L-BFGS-B from 16 Sobol starts finds Hartmann-6's global minimum", async () => {
  const h6 = new Hartmann();
  const alpha = [1.0, 1.2, 3.0, 3.2];
  const a = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
  ];
  const p = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
  ].map((r) => r.map((v) => v * 1e-4));
  const gradient = (x: Float64Array) => {
    const g = new Float64Array(6);
    for (let i = 0; i < 4; i++) {
      let q = 0;
      for (let j = 0; j < 6; j++) q += a[i][j] * (x[j] - p[i][j]) ** 2;
      const e = alpha[i] * Math.exp(-q);
      for (let j = 0; j < 6; j++) g[j] += 2 * e * a[i][j] * (x[j] - p[i][j]);
    }
    return g;
  };
  // The hand-written gradient agrees with central differences of gp.bo.Hartmann.
  const x = Float64Array.from([0.3, 0.2, 0.5, 0.3, 0.3, 0.6]);
  const g = gradient(x);
  for (let j = 0; j < 6; j++) {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[j] += 1e-6;
    dn[j] -= 1e-6;
    const fd = (h6.evaluateTrue([up])[0] - h6.evaluateTrue([dn])[0]) / 2e-6;
    ok(Math.abs(fd - g[j]) < 1e-7, `∂f/∂x${j}: ${g[j]} vs ${fd}`);
  }
  const starts = new SobolEngine(6, { scramble: true, seed: 0 }).draw(16);
  let calls = 0;
  const results = await minimizeLbfgsbBatch(
    (xs) => {
      calls++;
      return { values: h6.evaluateTrue(xs), gradients: xs.map(gradient) };
    },
    Array.from({ length: 16 }, (_, i) => starts.row(i)),
    h6.bounds,
    { pgtol: 1e-9, factr: 10 },
  );
  const best = results.reduce((b, r) => r.fun < b.fun ? r : b);
  ok(Math.abs(best.fun - h6.optimalValue) < 1e-9, `best ${best.fun} vs ${h6.optimalValue}`);
  for (let j = 0; j < 6; j++) ok(Math.abs(best.x[j] - h6.optimizers[0][j]) < 1e-4);
  for (const r of results) checkKkt(r.x, r.grad, h6.bounds[0], h6.bounds[1], 1e-6);
  ok(calls === Math.max(...results.map((r) => r.evaluations)));
});
