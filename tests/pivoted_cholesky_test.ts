// The BBMM preconditioner P = L Lᵀ + D against dense float64 algebra on the same P.
import assert from "node:assert/strict";
import { PivotedCholeskyPreconditioner } from "../src/engine/pivoted_cholesky.ts";
import * as core from "../src/wasm/core.ts";
import { Generator } from "../src/random.ts";

/** An RBF kernel matrix on n points of [0, 1] (lengthscale ℓ) and a noise diagonal. */
function problem(n: number, lengthscale: number) {
  const x = Array.from({ length: n }, (_, i) => i / (n - 1));
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) k[i * n + j] = Math.exp(-0.5 * ((x[i] - x[j]) / lengthscale) ** 2);
  }
  const added = Float64Array.from({ length: n }, (_, i) => 0.01 + 0.001 * (i % 3));
  return {
    diag: Float64Array.from({ length: n }, (_, i) => k[i * n + i]),
    row: (i: number) => k.slice(i * n, (i + 1) * n),
    added,
  };
}

/** P = L Lᵀ + D as a dense matrix, and its inverse and log-determinant. */
function dense(p: PivotedCholeskyPreconditioner) {
  const { n, rank: k, l, d } = p;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? d[i] : 0;
      for (let a = 0; a < k; a++) s += l[i * k + a] * l[j * k + a];
      m[i * n + j] = s;
    }
  }
  const { factor, status } = core.choleskyOf(m, n);
  assert.equal(status, 0);
  return { inverse: core.choleskyInverseOf(factor, n), logdet: core.choleskyLogdet(factor, n) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

Deno.test("PivotedCholeskyPreconditioner solves, log-determinant and root of P⁻¹ match dense algebra, at every rank", () => {
  const n = 70;
  const { diag, row, added } = problem(n, 0.1);
  for (const maxRank of [0, 1, 7, 33, n]) {
    const p = PivotedCholeskyPreconditioner.build(n, diag, row, added, {
      maxRank,
      relativeTolerance: 0,
    });
    // Up to K's numerical rank (≈ 43 here), where the remaining diagonal reaches 0.
    if (maxRank < 40) assert.equal(p.rank, maxRank, `rank with maxRank ${maxRank}`);
    else assert.ok(p.rank >= 40 && p.rank <= n, `rank ${p.rank} with maxRank ${maxRank}`);
    const { inverse, logdet } = dense(p);
    // P⁻¹ V for several right-hand sides, against the dense inverse.
    const t = 5;
    const v = new Generator(maxRank).normals(n * t);
    const got = p.solve(v, t);
    const want = new Float64Array(n * t);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < t; c++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += inverse[i * n + j] * v[j * t + c];
        want[i * t + c] = s;
      }
    }
    assert.ok(maxAbsDiff(got, want) < 1e-9, `rank ${maxRank}: solve ${maxAbsDiff(got, want)}`);
    assert.ok(Math.abs(p.logdet() - logdet) < 1e-9, `rank ${maxRank}: logdet`);
    // P⁻¹ = D⁻¹ − V Vᵀ with V = lowRankInverseRoot().
    const root = p.lowRankInverseRoot();
    assert.equal(root.length, n * p.rank);
    const fromRoot = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 / p.d[i] : 0;
        for (let a = 0; a < p.rank; a++) s -= root[i * p.rank + a] * root[j * p.rank + a];
        fromRoot[i * n + j] = s;
      }
    }
    assert.ok(maxAbsDiff(fromRoot, inverse) < 1e-9, `rank ${maxRank}: root`);
  }
});

Deno.test("PivotedCholeskyPreconditioner stops at the tolerance, and its samples have covariance P", () => {
  const n = 60;
  const { diag, row, added } = problem(n, 0.3);
  const p = PivotedCholeskyPreconditioner.build(n, diag, row, added, { relativeTolerance: 1e-3 });
  assert.ok(p.rank < n && p.residualMax <= 1e-3 * 0.01, `rank ${p.rank}, left ${p.residualMax}`);
  // E[s sᵀ] = P: the sample covariance of many draws, entry by entry within 5 SE.
  const t = 4000;
  const s = p.sample(new Generator(3), t);
  const { l, d, rank: k } = p;
  for (const [i, j] of [[0, 0], [5, 6], [30, 31], [10, 50]]) {
    let c = 0, c2 = 0;
    for (let q = 0; q < t; q++) {
      const v = s[i * t + q] * s[j * t + q];
      c += v / t;
      c2 += (v * v) / t;
    }
    let want = i === j ? d[i] : 0;
    for (let a = 0; a < k; a++) want += l[i * k + a] * l[j * k + a];
    const se = Math.sqrt((c2 - c * c) / t);
    assert.ok(Math.abs(c - want) < 5 * se, `(${i}, ${j}): ${c} vs ${want} (SE ${se})`);
  }
});

Deno.test("PivotedCholeskyPreconditioner.build() rejects a noise diagonal that is not positive", () => {
  const { diag, row, added } = problem(10, 0.2);
  added[4] = 0;
  assert.throws(
    () => PivotedCholeskyPreconditioner.build(10, diag, row, added),
    /positive noise diagonal, got 0 at row 4/,
  );
});
