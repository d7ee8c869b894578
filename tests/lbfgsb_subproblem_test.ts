import { ok } from "node:assert";
import { cauchyPoint, CompactBfgs, subspaceMinimize } from "../src/optim/lbfgsb_subproblem.ts";
import { Generator } from "../src/random.ts";

/** B as a dense matrix from the stored pairs by the BFGS recursion from B₀ = θI. */
function denseBfgs(n: number, s: Float64Array[], y: Float64Array[], theta: number): number[][] {
  let b = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => i === j ? theta : 0),
  );
  for (let k = 0; k < s.length; k++) {
    const bs = b.map((row) => row.reduce((acc, v, j) => acc + v * s[k][j], 0));
    const sbs = bs.reduce((acc, v, i) => acc + v * s[k][i], 0);
    const sy = y[k].reduce((acc, v, i) => acc + v * s[k][i], 0);
    b = b.map((row, i) => row.map((v, j) => v - bs[i] * bs[j] / sbs + y[k][i] * y[k][j] / sy));
  }
  return b;
}

function model(x: Float64Array, g: Float64Array, b: number[][], z: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const di = z[i] - x[i];
    m += g[i] * di;
    for (let j = 0; j < x.length; j++) m += 0.5 * di * b[i][j] * (z[j] - x[j]);
  }
  return m;
}

function problem(seed: number, n: number, pairs: number) {
  const rng = new Generator(seed);
  const lower = new Float64Array(n).fill(-1);
  const upper = new Float64Array(n).fill(1);
  const x = Float64Array.from({ length: n }, () => 1.8 * rng.uniform() - 0.9);
  const g = rng.normals(n).map((v) => 2 * v);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  for (let k = 0; k < pairs; k++) {
    const sk = rng.normals(n);
    // y = A·s for a random SPD A keeps sᵀy > 0.
    const yk = sk.map((v, i) => (1.5 + Math.sin(i + k)) * v + 0.1 * sk[(i + 1) % n]);
    s.push(sk);
    y.push(yk);
  }
  const theta = pairs
    ? y[pairs - 1].reduce((a, v) => a + v * v, 0) /
      y[pairs - 1].reduce((a, v, i) => a + v * s[pairs - 1][i], 0)
    : 1;
  return { x, g, lower, upper, s, y, theta };
}

Deno.test("cauchyPoint() with no memory is the projected gradient step P(x − g)", () => {
  const { x, g, lower, upper } = problem(1, 8, 0);
  const cp = cauchyPoint(x, g, lower, upper, new CompactBfgs(8, [], [], 1));
  for (let i = 0; i < 8; i++) {
    const expected = Math.min(1, Math.max(-1, x[i] - g[i]));
    ok(Math.abs(cp.xc[i] - expected) < 1e-14, `${i}: ${cp.xc[i]} vs ${expected}`);
  }
});

Deno.test("cauchyPoint() is the first minimiser of the model along the projected path", () => {
  for (const seed of [2, 3, 4]) {
    const n = 6;
    const { x, g, lower, upper, s, y, theta } = problem(seed, n, 3);
    const compact = new CompactBfgs(n, s, y, theta);
    const dense = denseBfgs(n, s, y, theta);
    const cp = cauchyPoint(x, g, lower, upper, compact);
    const path = (t: number) => x.map((v, i) => Math.min(1, Math.max(-1, v - t * g[i])));
    // Brute force along the path: the model is piecewise quadratic in t; scan finely.
    let bestT = 0;
    let bestM = 0;
    for (let t = 0; t <= 5; t += 1e-5) {
      const m = model(x, g, dense, path(t));
      if (m < bestM - 1e-15) {
        bestM = m;
        bestT = t;
      } else if (m > bestM + 1e-9 && t > bestT + 1e-3) break; // first local minimum passed
    }
    const mCp = model(x, g, dense, cp.xc);
    ok(
      Math.abs(mCp - bestM) < 1e-8 * Math.max(1, Math.abs(bestM)),
      `seed ${seed}: ${mCp} vs ${bestM}`,
    );
    const xt = path(bestT);
    for (let i = 0; i < n; i++) ok(Math.abs(cp.xc[i] - xt[i]) < 1e-3, `seed ${seed}, ${i}`);
    // c = Wᵀ(xᶜ − x)
    const c = compact.wtv(cp.xc.map((v, i) => v - x[i]));
    for (let j = 0; j < c.length; j++) ok(Math.abs(c[j] - cp.c[j]) < 1e-10 * (1 + Math.abs(c[j])));
  }
});

Deno.test("subspaceMinimize() solves the model exactly on the free variables when it stays inside", () => {
  const n = 5;
  const { x, s, y, theta } = problem(7, n, 2);
  const g = Float64Array.from({ length: n }, (_, i) => 0.01 * (i - 2)); // small: interior step
  const lower = new Float64Array(n).fill(-10);
  const upper = new Float64Array(n).fill(10);
  const compact = new CompactBfgs(n, s, y, theta);
  const dense = denseBfgs(n, s, y, theta);
  const cp = cauchyPoint(x, g, lower, upper, compact);
  const xbar = subspaceMinimize(x, g, lower, upper, compact, cp);
  // With every variable free the minimiser of gᵀd + ½dᵀBd satisfies B·d = −g.
  for (let i = 0; i < n; i++) {
    let r = g[i];
    for (let j = 0; j < n; j++) r += dense[i][j] * (xbar[j] - x[j]);
    ok(Math.abs(r) < 1e-12, `residual ${i}: ${r}`);
  }
});
