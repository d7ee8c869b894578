// The committed WASM build (simd128 paths) through src/wasm/core.ts, against naive
// TypeScript references, formulas and finite differences.
import assert from "node:assert/strict";
import * as core from "../src/wasm/core.ts";

/** mulberry32: a seeded generator for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => 2 * r() - 1);
}

function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      for (let j = 0; j < m; j++) c[i * m + j] += aip * b[p * m + j];
    }
  }
  return c;
}

function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
}

/** M Mᵀ / n + I: symmetric positive definite and well conditioned. */
function spd(n: number, seed: number): Float64Array {
  const m = randomMatrix(n, n, seed);
  const a = matmul(m, transpose(m, n, n), n, n, n);
  for (let i = 0; i < n * n; i++) a[i] /= n;
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return a;
}

function naiveCholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** max |a − b| / max(1, max |b|). */
function relErr(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let scale = 1;
  let e = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    e = Math.max(e, Math.abs(a[i] - b[i]));
  }
  return e / scale;
}

// 48 is the unblocked size, 32 the solver base, 4 the micro-tile, 256 the GEMM k-block.
const SIZES = [1, 2, 3, 7, 31, 47, 64, 65, 130, 257, 300];

Deno.test("cholesky() factors A = L Lᵀ, when n is not a multiple of the block", () => {
  for (const n of SIZES) {
    const a = spd(n, n);
    using buf = core.F64Buffer.from(a);
    assert.equal(core.cholesky(buf, n), 0);
    const l = buf.toArray();
    assert.ok(relErr(l, naiveCholesky(a, n)) < 1e-12, `n=${n} vs naive`);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
    assert.ok(relErr(matmul(l, transpose(l, n, n), n, n, n), a) < 1e-13, `n=${n} L Lᵀ`);
  }
});

Deno.test("cholesky() reads only the lower triangle, when the upper one holds NaN", () => {
  const n = 130;
  const a = spd(n, 5);
  const b = a.slice();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) b[i * n + j] = NaN;
  const ra = core.choleskyOf(a, n);
  const rb = core.choleskyOf(b, n);
  assert.equal(rb.status, 0);
  assert.deepEqual(rb.factor, ra.factor);
});

Deno.test("cholesky() returns k + 1 for the first bad pivot, when A is not positive definite", () => {
  for (const n of [1, 6, 48, 49, 200]) {
    for (const k of new Set([0, n >> 1, n - 1])) {
      const a = spd(n, 7 + n);
      a[k * n + k] = -1 - a[k * n + k];
      assert.equal(core.choleskyOf(a, n).status, k + 1, `n=${n} k=${k}`);
    }
    const a = spd(n, 8);
    a[(n - 1) * n + n - 1] = NaN;
    assert.equal(core.choleskyOf(a, n).status, n, `NaN pivot, n=${n}`);
  }
});

Deno.test("trsmLower() solves L X = B and Lᵀ X = B, when B has many columns", () => {
  for (const n of [1, 5, 33, 64, 130, 257]) {
    for (const m of [1, 7, 70]) {
      const { factor: l } = core.choleskyOf(spd(n, 100 + n), n);
      const b = randomMatrix(n, m, n * m);
      const x = core.solveLower(l, n, b, m, false);
      assert.ok(relErr(matmul(l, x, n, n, m), b) < 1e-12, `L, n=${n} m=${m}`);
      using lb = core.F64Buffer.from(l);
      using xb = core.F64Buffer.from(b);
      core.trsmLower(lb, n, xb, m, true);
      assert.ok(relErr(matmul(transpose(l, n, n), xb.view(), n, n, m), b) < 1e-12, `Lᵀ, n=${n}`);
    }
  }
});

Deno.test("choleskyVjp() is ½(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, across the recursion's blocks", () => {
  for (const n of [1, 2, 31, 33, 65, 130, 257]) {
    const { factor: l } = core.choleskyOf(spd(n, 200 + n), n);
    const lbar = randomMatrix(n, n, 7 * n);
    // The dense formula, with L̄'s upper triangle dropped.
    const lower = lbar.map((v, i) => (i % n <= Math.floor(i / n) ? v : 0));
    const p = matmul(transpose(l, n, n), lower, n, n, n);
    for (let i = 0; i < n; i++) {
      p[i * n + i] *= 0.5;
      for (let j = i + 1; j < n; j++) p[i * n + j] = 0;
    }
    const x = core.solveLower(l, n, p, n, true); // L⁻ᵀ P
    const st = core.solveLower(l, n, transpose(x, n, n), n, true); // Sᵀ = L⁻ᵀ Xᵀ
    const want = st.map((_, k) => 0.5 * (st[k] + st[(k % n) * n + Math.floor(k / n)]));
    using g = core.F64Buffer.from(lbar);
    core.choleskyVjp(l, n, g);
    assert.ok(relErr(g.view(), want) < 1e-12, `n=${n}: ${relErr(g.view(), want)}`);
  }
});

Deno.test("choleskyInverse() gives A⁻¹, when A is positive definite", () => {
  for (const n of [1, 2, 31, 65, 130, 257]) {
    const a = spd(n, 200 + n);
    const { factor } = core.choleskyOf(a, n);
    const inv = core.choleskyInverseOf(factor, n);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    assert.ok(relErr(matmul(inv, a, n, n, n), eye) < 1e-11, `n=${n}`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) assert.equal(inv[i * n + j], inv[j * n + i]);
    }
  }
});

Deno.test("choleskyLogdet() is 2 Σ log L_ii, from WASM memory or a JS array", () => {
  const n = 65;
  const { factor } = core.choleskyOf(spd(n, 3), n);
  let want = 0;
  for (let i = 0; i < n; i++) want += 2 * Math.log(factor[i * n + i]);
  using buf = core.F64Buffer.from(factor);
  assert.ok(Math.abs(core.choleskyLogdet(buf, n) - want) < 1e-12 * Math.abs(want));
  assert.ok(Math.abs(core.choleskyLogdet(factor, n) - want) < 1e-12 * Math.abs(want));
});

Deno.test("syr() and gemm() match their formulas", () => {
  const n = 37;
  const a0 = randomMatrix(n, n, 1);
  const x = randomMatrix(n, 1, 2);
  using a = core.F64Buffer.from(a0);
  core.syr(a, n, -0.5, x);
  const v = a.view();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(v[i * n + j] - (a0[i * n + j] - 0.5 * x[i] * x[j])) < 1e-15);
    }
  }
  const [m, k, p] = [70, 301, 33];
  const ma = randomMatrix(m, k, 3);
  const mb = randomMatrix(k, p, 4);
  using out = core.F64Buffer.alloc(m * p);
  core.gemm(ma, mb, out, m, k, p);
  assert.ok(relErr(out.view(), matmul(ma, mb, m, k, p)) < 1e-13);
});

// ---------------------------------------------------------------- kernel programs

const rbfShared = { ops: new Int32Array([1, 2, 0, 1, 1, 0]), theta: new Float64Array([0.6]) };
const rbfArd = { ops: new Int32Array([1, 2, 0, 1, 2, 0, 1]), theta: new Float64Array([0.6, 1.7]) };
// scale((rbf(dim 0; ℓ0) + scale(rbf(dim 1; ℓ1), s1)) · rbf(dims 0,1; ℓ0), s2)
const nested = {
  ops: new Int32Array([1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 2, 2, 3, 1, 2, 0, 1, 1, 0, 4, 2, 3]),
  theta: new Float64Array([0.7, 0.55, 1.4, 0.8]),
};

function rbf(x: Float64Array, y: Float64Array, dims: number[], ls: number[]): number {
  let r = 0;
  dims.forEach((k, i) => (r += ((x[k] - y[k]) / ls[i]) ** 2));
  return Math.exp(-0.5 * r);
}

function nestedFormula(t: Float64Array, x: Float64Array, y: Float64Array): number {
  const sum = rbf(x, y, [0], [t[0]]) + t[2] * rbf(x, y, [1], [t[1]]);
  return t[3] * sum * rbf(x, y, [0, 1], [t[0], t[0]]);
}

function points(n: number, d: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n * d }, () => 2 * r());
}

function close(got: number, want: number): boolean {
  // exp(−r) turns an absolute rounding error in r into a relative one
  return Math.abs(got - want) <= 2e-15 * (1 + Math.abs(Math.log(want))) * want;
}

Deno.test("kernelMatrix() matches the RBF formula, when lengthscales are shared or ARD", () => {
  const d = 2;
  for (const [n1, n2] of [[1, 1], [45, 70], [64, 33]]) {
    const x1 = points(n1, d, n1);
    const x2 = points(n2, d, n2 + 1);
    const ks = core.kernelMatrix(rbfShared, x1, n1, x2, n2, d);
    const ka = core.kernelMatrix(rbfArd, { data: x1, n: n1, d }, { data: x2, n: n2, d });
    for (let i = 0; i < n1; i++) {
      for (let j = 0; j < n2; j++) {
        const xi = x1.subarray(i * d, i * d + d);
        const xj = x2.subarray(j * d, j * d + d);
        assert.ok(close(ks[i * n2 + j], rbf(xi, xj, [0, 1], [0.6, 0.6])), `shared (${i},${j})`);
        assert.ok(close(ka[i * n2 + j], rbf(xi, xj, [0, 1], [0.6, 1.7])), `ARD (${i},${j})`);
      }
    }
  }
});

Deno.test("kernelMatrix() is exactly symmetric, when x1 is x2", () => {
  const n = 77;
  const x = { data: points(n, 2, 9), n, d: 2 };
  const k = core.kernelMatrix(nested, x, x);
  const separate = core.kernelMatrix(nested, x, { ...x, data: x.data.slice() });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      assert.equal(k[i * n + j], k[j * n + i]);
      const want = nestedFormula(nested.theta, x.data.subarray(2 * i), x.data.subarray(2 * j));
      assert.ok(close(k[i * n + j], want), `(${i},${j})`);
      assert.ok(Math.abs(k[i * n + j] - separate[i * n + j]) <= 1e-15 * separate[i * n + j]);
    }
  }
});

Deno.test("kernelDiag() equals the kernel matrix's diagonal", () => {
  const n = 40;
  const x = { data: points(n, 2, 10), n, d: 2 };
  const k = core.kernelMatrix(nested, x, x);
  const diag = core.kernelDiag(nested, x);
  for (let i = 0; i < n; i++) assert.equal(diag[i], k[i * n + i]);
  assert.deepEqual(core.kernelDiag(rbfShared, x.data, n, 2), new Float64Array(n).fill(1));
});

Deno.test("kernelGradContract() matches central differences, when the kernel is nested", () => {
  const n = 45;
  const x = { data: points(n, 2, 11), n, d: 2 };
  const r = rng(12);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) g[i * n + j] = g[j * n + i] = 2 * r() - 1;
  }
  using gLower = core.F64Buffer.from(g);
  const v = gLower.view();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[i * n + j] = NaN; // never read
  for (const prog of [rbfShared, rbfArd, nested]) {
    const grad = core.kernelGradContract(prog, x, gLower);
    const contract = (theta: Float64Array) => {
      const k = core.kernelMatrix({ ops: prog.ops, theta }, x, x);
      return k.reduce((s, kij, idx) => s + kij * g[idx], 0);
    };
    for (let p = 0; p < prog.theta.length; p++) {
      const h = 1e-5 * prog.theta[p];
      const tp = prog.theta.slice();
      const tm = prog.theta.slice();
      tp[p] += h;
      tm[p] -= h;
      const fd = (contract(tp) - contract(tm)) / (2 * h);
      assert.ok(
        Math.abs(grad[p] - fd) <= 1e-7 * Math.max(Math.abs(fd), 1),
        `p=${p}: ${grad[p]} vs ${fd}`,
      );
    }
    const raw = core.kernelGradContract(prog, x.data, n, 2, g);
    assert.deepEqual(raw, grad);
  }
});

Deno.test("kernel functions throw a WasmCoreError naming the problem, when the program is bad", () => {
  const x = { data: points(4, 2, 1), n: 4, d: 2 };
  const cases: [number[], number, RegExp][] = [
    [[99], 1, /unknown opcode/],
    [[1, 1, 0, 1], 1, /malformed/],
    [[1, 1, 0, 1, 0, 3], 1, /malformed/],
    [[1, 1, 0, 1, 3], 1, /theta index/],
    [[1, 1, 5, 1, 0], 1, /input dimension/],
  ];
  for (const [ops, nTheta, message] of cases) {
    const prog = { ops: new Int32Array(ops), theta: new Float64Array(nTheta).fill(1) };
    for (
      const call of [
        () => core.kernelMatrix(prog, x, x),
        () => core.kernelDiag(prog, x),
        () => core.kernelGradContract(prog, x, new Float64Array(16)),
      ]
    ) {
      assert.throws(
        call,
        (e: unknown) => e instanceof core.WasmCoreError && message.test(e.message),
      );
    }
  }
  assert.throws(
    () => core.kernelMatrix(rbfShared, x, x.data as unknown as core.PointSet),
    TypeError,
  );
});

Deno.test("linear-algebra wrappers reject sizes that do not fit their buffers", () => {
  using a = core.F64Buffer.alloc(4);
  assert.throws(() => core.cholesky(a, 3), RangeError);
  assert.throws(() => core.cholesky(a, -1), RangeError);
  assert.throws(() => core.trsmLower(a, 2, a, 1.5, false), RangeError);
  // overlapping buffers are a usage error of the ABI
  assert.throws(() => core.trsmLower(a, 1, a, 1, false), core.WasmCoreError);
  assert.throws(() => core.choleskyVjp(a, 3, a), RangeError);
  assert.throws(() => core.choleskyVjp(a, 2, a), core.WasmCoreError);
});

Deno.test("F64Buffer.view() stays usable, when WASM memory grows", () => {
  using a = core.F64Buffer.from([1, 2, 3]);
  const before = a.view();
  const big = core.F64Buffer.alloc(core.wasmMemoryBytes() / 8); // forces growth
  big.free();
  if (core.wasmThreadsAvailable()) {
    // A shared memory is never detached: the old view still sees the same elements.
    assert.deepEqual(Array.from(before), [1, 2, 3]);
  } else {
    assert.equal(before.buffer.byteLength, 0, "the old view was detached by growth");
  }
  assert.deepEqual(Array.from(a.view()), [1, 2, 3]);
});

Deno.test("F64Buffer is released by `using`, and throws after free()", () => {
  let outer: core.F64Buffer;
  {
    using b = core.F64Buffer.alloc(16);
    outer = b;
    b.view().fill(1);
  }
  assert.throws(() => outer.view(), TypeError);
  outer.free(); // twice is fine
});

Deno.test("kernelMatrix()'s vectorised exp is within 1 ulp of Math.exp, from 1 down to underflow", () => {
  // RBF with lengthscale 1 on 1-d points: k = exp(−½ (xᵢ − xⱼ)²), arguments from 0 to
  // −800 (past the underflow to 0 at −745.13), odd and even counts (lane remainders).
  for (const n of [37, 64]) {
    const x = Float64Array.from({ length: n }, (_, i) => (40 * i) / (n - 1) + 1e-3 * (i % 3));
    const rbf = { ops: new Int32Array([1, 1, 0, 1, 0]), theta: new Float64Array([1]) };
    const k = core.kernelMatrix(rbf, x, n, new Float64Array([0]), 1, 1);
    const kt = core.kernelMatrix(rbf, x, n, x, n, 1);
    for (let i = 0; i < n; i++) {
      const want = Math.exp(-0.5 * x[i] * x[i]);
      const got = k[i];
      const ulp = want === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(want)) - 52);
      assert.ok(
        Math.abs(got - want) <= Math.max(ulp, Number.MIN_VALUE),
        `x=${x[i]}: ${got} vs ${want}`,
      );
      assert.ok(kt[i * n + i] === 1 && kt[i * n] === kt[i], `row ${i}`);
    }
  }
});

Deno.test("choleskyInverseLower() writes the lower triangle of choleskyInverse() only", () => {
  const n = 70;
  const a = spd(n, 11);
  const { factor } = core.choleskyOf(a, n);
  const full = core.choleskyInverseOf(factor, n);
  using out = core.F64Buffer.from(new Float64Array(n * n).fill(NaN));
  core.choleskyInverseLower(factor, n, out);
  const v = out.view();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j <= i) assert.equal(v[i * n + j], full[i * n + j]);
      else assert.ok(Number.isNaN(v[i * n + j]));
    }
  }
});
