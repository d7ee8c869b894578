/**
 * The Cholesky factor's VJP (`core.choleskyVjp`, 5n³/6 multiply–adds on triangular blocks)
 * beside the dense composition it replaced, measured in the same run on the same L and L̄:
 * Φ(Lᵀ L̄) by one lower-triangle GEMM, then L⁻ᵀ · L⁻ᵀ-of-the-transpose by two full triangular
 * solves (3n³/2). Prints each one's best time, the ratio, and their largest difference
 * relative to the result's largest entry (rounding only: the same formula, other blocks).
 *
 *     deno run -A bench/cholesky_vjp_bench.ts [--sizes 256,512,1024] [--reps 5] [--threads 1]
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as core from "../src/wasm/core.ts";
import { threads } from "../src/settings.ts";

/** A well-conditioned SPD matrix: n on the diagonal plus smooth ±1 entries. */
function spd(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * n + j] = (i === j ? n : 0) + Math.sin(7 * i + 3 * j) + Math.sin(7 * j + 3 * i);
    }
  }
  return a;
}

/** The dense composition: a GEMM for Φ(Lᵀ L̄), two full solves for L⁻ᵀ P L⁻¹, symmetrised. */
function dense(l: Float64Array, lbar: Float64Array, n: number): Float64Array {
  const lower = lbar.map((v, k) => (k % n <= Math.floor(k / n) ? v : 0));
  using buf = core.F64Buffer.alloc(n * n);
  core.gemmEx(l, lower, buf, n, n, n, { transposeA: true, lower: true });
  const p = buf.view();
  for (let i = 0; i < n; i++) p[i * n + i] *= 0.5;
  core.trsmLower(l, n, buf, n, true);
  const x = buf.toArray();
  const v = buf.view();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[j * n + i] = x[i * n + j];
  core.trsmLower(l, n, buf, n, true);
  const st = buf.toArray(), out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = 0.5 * (st[i * n + j] + st[j * n + i]);
  }
  return out;
}

function blocked(l: Float64Array, lbar: Float64Array, n: number): Float64Array {
  using g = core.F64Buffer.from(lbar);
  core.choleskyVjp(l, n, g);
  return g.toArray();
}

function timed(f: () => Float64Array): { ms: number; out: Float64Array } {
  const t0 = performance.now();
  const out = f();
  return { ms: performance.now() - t0, out };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "256,512,1024" },
      reps: { type: "string", default: "5" },
      threads: { type: "string", default: "1" },
    },
  });
  const reps = Number(values.reps), t = Number(values.threads);
  if (!(Number.isInteger(reps) && reps >= 1)) {
    throw new RangeError(`cholesky_vjp_bench: --reps ${values.reps} must be a positive integer`);
  }
  using _ = threads(t);
  console.log(`Cholesky VJP, ${t} thread(s), best of ${reps} (interleaved):`);
  for (const n of values.sizes.split(",").map(Number)) {
    const l = core.choleskyOf(spd(n), n).factor;
    const lbar = new Float64Array(n * n).map((_, k) => Math.cos(k));
    dense(l, lbar, n); // warm-up
    blocked(l, lbar, n);
    let d = Infinity, b = Infinity, diff = 0;
    for (let r = 0; r < reps; r++) {
      const rd = timed(() => dense(l, lbar, n)), rb = timed(() => blocked(l, lbar, n));
      d = Math.min(d, rd.ms);
      b = Math.min(b, rb.ms);
      let e = 0, s = 0;
      for (let k = 0; k < n * n; k++) {
        e = Math.max(e, Math.abs(rb.out[k] - rd.out[k]));
        s = Math.max(s, Math.abs(rd.out[k]));
      }
      diff = Math.max(diff, e / s);
    }
    console.log(
      `  n = ${n}: triangular blocks ${b.toFixed(1)} ms, dense composition ${d.toFixed(1)} ms, ` +
        `ratio ${(b / d).toFixed(2)} (flop ratio ${(5 / 6 / 1.5).toFixed(2)}); ` +
        `max difference ${diff.toExponential(1)} of the largest entry`,
    );
  }
}
