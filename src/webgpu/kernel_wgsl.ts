/**
 * The kernel program (core-rs/ABI.md, `src/kernel_plan.ts`, opcodes in `src/opcodes.ts`) compiled to straight-line
 * code for one pair of points (x_i, x_j): the value and, when asked, the derivative
 * with respect to every theta entry it reads.
 *
 * Every opcode has one entry in {@link OPCODE_EMITTERS}: it reads its instruction
 * words and writes `let` statements. The statements use a small common subset of WGSL
 * and JavaScript (`let`, `+ - * /`, `exp`, `sqrt`, `pow`, `abs`, `min`, `max`, `cos`,
 * `sin`, `log`, float literals), so the very text that goes into the shader can also be
 * evaluated on the CPU and compared with the WASM core's tiles, without an adapter.
 * A new kernel opcode needs one new emitter here and no shader written by hand.
 *
 * Inputs reach the body as named values: `dlt_k` is x_i[k] − x_j[k] formed in
 * double-single arithmetic (exact for close points), `xi_k` / `xj_k` the coordinates,
 * `th[p]` the parameter values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelBody } from "./kernel_wgsl.ts";
 * const body = kernelBody(Int32Array.from([1, 1, 0, 1, 0, 2, 1]), { derivatives: false });
 * assert.ok(body.lines.some((l) => l.includes(body.value))); // holds θ₁ · exp(−½ Δ²/θ₀²)
 * ```
 *
 * @module
 */

import { LEAF_EMITTERS } from "./kernel_wgsl_leaves.ts";
import type { EmitContext, OpcodeEmitter, StackEntry } from "./wgsl_emitter.ts";
import { UnsupportedKernelError } from "../errors.ts";
import { Op } from "../opcodes.ts";

// The emitters' contract lives in wgsl_emitter.ts (read by both emitter files); the
// opcode numbers in src/opcodes.ts.
export type { EmitContext, OpcodeEmitter, StackEntry } from "./wgsl_emitter.ts";
export { UnsupportedKernelError } from "../errors.ts";

function malformed(at: number, why: string): TypeError {
  return new TypeError(`kernel program: malformed instruction at word ${at}: ${why}`);
}

function word(ops: Int32Array, k: number, at: number): number {
  if (k >= ops.length) throw malformed(at, "truncated");
  return ops[k];
}

/** Opcode → emitter. The table a new kernel extends. */
export const OPCODE_EMITTERS: ReadonlyMap<number, OpcodeEmitter> = new Map<number, OpcodeEmitter>([
  // RBF: exp(−½ Σ Δ_k²/ℓ_k²); ∂/∂ℓ_k = value · Δ_k²/ℓ_k³.
  [Op.RBF, (ops, at, ctx) => {
    let k = at + 1;
    const nDims = word(ops, k++, at);
    const dims: number[] = [];
    for (let q = 0; q < nDims; q++) dims.push(word(ops, k++, at));
    const nLs = word(ops, k++, at);
    const ls: number[] = [];
    for (let q = 0; q < nLs; q++) ls.push(word(ops, k++, at));
    if (nDims < 1 || (nLs !== 1 && nLs !== nDims)) {
      throw malformed(at, `RBF with ${nDims} dims and ${nLs} lengthscales`);
    }
    const scaled: string[] = [];
    for (let q = 0; q < nDims; q++) {
      const u = ctx.fresh("u");
      ctx.let(u, `${ctx.delta(dims[q])} / ${ctx.theta(ls[nLs === 1 ? 0 : q])}`);
      const u2 = ctx.fresh("uu");
      ctx.let(u2, `${u} * ${u}`);
      scaled.push(u2);
    }
    const v = ctx.fresh("rbf");
    ctx.let(v, `exp(-0.5 * (${scaled.join(" + ")}))`);
    const derivs = new Map<number, string>();
    if (ctx.derivatives) {
      // Group the terms by theta index (shared lengthscale: one index for all dims).
      const byTheta = new Map<number, string[]>();
      for (let q = 0; q < nDims; q++) {
        const p = ls[nLs === 1 ? 0 : q];
        byTheta.set(p, [...(byTheta.get(p) ?? []), scaled[q]]);
      }
      for (const [p, terms] of byTheta) {
        const d = ctx.fresh("drbf");
        ctx.let(d, `${v} * (${terms.join(" + ")}) / ${ctx.theta(p)}`);
        derivs.set(p, d);
      }
    }
    ctx.push({ value: v, derivs });
    return k;
  }],
  // SCALE: θ_s · k.
  [Op.SCALE, (ops, at, ctx) => {
    const s = word(ops, at + 1, at);
    const a = ctx.pop();
    const v = ctx.fresh("scl");
    ctx.let(v, `${ctx.theta(s)} * ${a.value}`);
    const derivs = new Map<number, string>();
    if (ctx.derivatives) {
      for (const [p, d] of a.derivs) {
        const name = ctx.fresh("dscl");
        ctx.let(name, `${ctx.theta(s)} * ${d}`);
        derivs.set(p, name);
      }
      const own = derivs.get(s);
      const name = ctx.fresh("dscl");
      ctx.let(name, own === undefined ? a.value : `${own} + ${a.value}`);
      derivs.set(s, name);
    }
    ctx.push({ value: v, derivs });
    return at + 2;
  }],
  // ADD: a + b.
  [Op.ADD, (_ops, at, ctx) => {
    const b = ctx.pop(), a = ctx.pop();
    const v = ctx.fresh("add");
    ctx.let(v, `${a.value} + ${b.value}`);
    const derivs = new Map<number, string>();
    if (ctx.derivatives) {
      for (const p of new Set([...a.derivs.keys(), ...b.derivs.keys()])) {
        const da = a.derivs.get(p), db = b.derivs.get(p);
        const name = ctx.fresh("dadd");
        ctx.let(name, da === undefined ? db! : db === undefined ? da : `${da} + ${db}`);
        derivs.set(p, name);
      }
    }
    ctx.push({ value: v, derivs });
    return at + 1;
  }],
  // MUL: a · b, product rule.
  [Op.MUL, (_ops, at, ctx) => {
    const b = ctx.pop(), a = ctx.pop();
    const v = ctx.fresh("mul");
    ctx.let(v, `${a.value} * ${b.value}`);
    const derivs = new Map<number, string>();
    if (ctx.derivatives) {
      for (const p of new Set([...a.derivs.keys(), ...b.derivs.keys()])) {
        const da = a.derivs.get(p), db = b.derivs.get(p);
        const terms: string[] = [];
        if (da !== undefined) terms.push(`${da} * ${b.value}`);
        if (db !== undefined) terms.push(`${a.value} * ${db}`);
        const name = ctx.fresh("dmul");
        ctx.let(name, terms.join(" + "));
        derivs.set(p, name);
      }
    }
    ctx.push({ value: v, derivs });
    return at + 1;
  }],
  // Matern, RQ, periodic, linear, polynomial, cosine, spectral (kernel_wgsl_leaves.ts).
  ...LEAF_EMITTERS,
]);

/** The compiled body of a kernel program. */
export interface KernelBody {
  /** `let` statements, one a line, that need `dlt_k`, `xi_k`, `xj_k` and `th`. */
  lines: string[];
  /** The variable holding k(x_i, x_j). */
  value: string;
  /** theta index → the variable holding ∂k/∂theta[p], for every p the program reads. */
  derivs: Map<number, string>;
  /** The input dimensions whose difference the body reads (`dlt_k`). */
  deltaDims: number[];
  /** The input dimensions whose coordinates the body reads (`xi_k`, `xj_k`). */
  coordDims: number[];
  /** 1 + the largest theta index read. */
  thetaCount: number;
}

/**
 * Compile a kernel program into straight-line code.
 *
 * @param ops the postfix instructions (a `KernelPlan.ops`)
 * @param options `derivatives`: also emit ∂k/∂θ for every theta entry read
 * @throws {UnsupportedKernelError} for an opcode without an emitter
 * @throws {TypeError} for a malformed program
 */
export function kernelBody(ops: Int32Array, options: { derivatives: boolean }): KernelBody {
  const lines: string[] = [];
  const stack: StackEntry[] = [];
  const deltaDims = new Set<number>();
  const coordDims = new Set<number>();
  let thetaCount = 0;
  let counter = 0;
  let at = 0;
  const ctx: EmitContext = {
    derivatives: options.derivatives,
    // The k_ prefix keeps generated names apart from the shader's own (g0, r0, s, …).
    fresh: (stem) => `k_${stem}${counter++}`,
    let: (name, expr) => lines.push(`let ${name} = ${expr};`),
    delta: (dim) => (deltaDims.add(checkDim(dim, at)), `dlt_${dim}`),
    xi: (dim) => (coordDims.add(checkDim(dim, at)), `xi_${dim}`),
    xj: (dim) => (coordDims.add(checkDim(dim, at)), `xj_${dim}`),
    theta: (p) => {
      if (!Number.isInteger(p) || p < 0) throw malformed(at, `theta index ${p}`);
      thetaCount = Math.max(thetaCount, p + 1);
      return `th[${p}]`;
    },
    pop: () => {
      const e = stack.pop();
      if (e === undefined) throw malformed(at, "stack underflow");
      return e;
    },
    push: (e) => void stack.push(e),
  };
  while (at < ops.length) {
    const emitter = OPCODE_EMITTERS.get(ops[at]);
    if (emitter === undefined) throw new UnsupportedKernelError(ops[at]);
    at = emitter(ops, at, ctx);
  }
  if (stack.length !== 1) {
    throw malformed(at, `the program leaves ${stack.length} entries on the stack, not 1`);
  }
  const top = stack[0];
  return {
    lines,
    value: top.value,
    derivs: top.derivs,
    deltaDims: [...deltaDims].sort((a, b) => a - b),
    coordDims: [...coordDims].sort((a, b) => a - b),
    thetaCount,
  };
}

function checkDim(dim: number, at: number): number {
  if (!Number.isInteger(dim) || dim < 0) throw malformed(at, `input dimension ${dim}`);
  return dim;
}

/**
 * The body as a JavaScript function of (x_i, x_j, theta) → [value, ∂/∂θ_0, …], for
 * checking the generated text against the WASM core on the CPU (float64).
 */
export function kernelBodyAsFunction(
  body: KernelBody,
  nTheta: number,
): (xi: ArrayLike<number>, xj: ArrayLike<number>, theta: ArrayLike<number>) => Float64Array {
  const pre: string[] = ["const { exp, sqrt, pow, abs, min, max, cos, sin, log } = Math;"];
  for (const k of body.deltaDims) pre.push(`const dlt_${k} = xi[${k}] - xj[${k}];`);
  for (const k of body.coordDims) pre.push(`const xi_${k} = xi[${k}]; const xj_${k} = xj[${k}];`);
  const out = Array.from({ length: nTheta + 1 }, (_, k) => {
    if (k === 0) return body.value;
    return body.derivs.get(k - 1) ?? "0";
  });
  const text = [...pre, ...body.lines, `return Float64Array.of(${out.join(", ")});`].join("\n");
  // deno-lint-ignore no-explicit-any
  return new Function("xi", "xj", "th", text) as any;
}
