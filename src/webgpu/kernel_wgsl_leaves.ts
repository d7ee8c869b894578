/**
 * Emitters for the kernel leaves beyond RBF (core-rs/ABI.md opcodes 5–11): Matern,
 * rational quadratic, periodic, linear, polynomial, cosine and one spectral-mixture
 * component. Each reads its instruction words exactly as core-rs's parser does and
 * writes the value and the derivative formulas of ABI.md, in the WGSL/JavaScript
 * subset of `kernel_wgsl.ts` (contract: `wgsl_emitter.ts`).
 *
 * @module
 */

import type { EmitContext, OpcodeEmitter, StackEntry } from "./wgsl_emitter.ts";
import { Op } from "../opcodes.ts";

/** Reads instruction words after an opcode, with errors that name the instruction. */
class Words {
  #ops: Int32Array;
  #at: number;
  #k: number;
  #name: string;

  constructor(ops: Int32Array, at: number, name: string) {
    this.#ops = ops;
    this.#at = at;
    this.#k = at + 1;
    this.#name = name;
  }

  fail(why: string): TypeError {
    return new TypeError(
      `kernel program: malformed ${this.#name} instruction at word ${this.#at}: ${why}`,
    );
  }

  next(): number {
    if (this.#k >= this.#ops.length) throw this.fail("truncated");
    return this.#ops[this.#k++];
  }

  /** `n, w_0 … w_{n-1}`. */
  list(): number[] {
    const n = this.next();
    if (n < 1) throw this.fail(`a list of ${n} entries`);
    return Array.from({ length: n }, () => this.next());
  }

  /** A theta list for `nDims` dimensions: 1 (shared) or nDims entries; one index per dim. */
  perDim(nDims: number, what: string): number[] {
    const l = this.list();
    if (l.length !== 1 && l.length !== nDims) {
      throw this.fail(`${l.length} ${what} for ${nDims} dimensions (give 1 or ${nDims})`);
    }
    return Array.from({ length: nDims }, (_, q) => l[l.length === 1 ? 0 : q]);
  }

  get end(): number {
    return this.#k;
  }
}

function lit(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** Σ over the terms of each theta index: theta index → the variables to add. */
function groupBy(indices: number[], terms: string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  indices.forEach((p, q) => out.set(p, [...(out.get(p) ?? []), terms[q]]));
  return out;
}

/** u_k² = (Δ_k / ℓ_k)² for each dimension; returns the names. */
function scaledSquares(ctx: EmitContext, dims: number[], ls: number[]): string[] {
  return dims.map((dim, q) => {
    const u = ctx.fresh("u");
    ctx.let(u, `${ctx.delta(dim)} / ${ctx.theta(ls[q])}`);
    const uu = ctx.fresh("uu");
    ctx.let(uu, `${u} * ${u}`);
    return uu;
  });
}

/**
 * For a radial kernel g(s), s = Σ u_k²: ∂g/∂ℓ_p = h · Σ_{k: ℓ_k = θ_p} u_k² / θ_p, with
 * h = −2 dg/ds given by the caller.
 */
function lengthscaleDerivs(
  ctx: EmitContext,
  ls: number[],
  squares: string[],
  h: string,
  into: Map<number, string>,
): void {
  for (const [p, terms] of groupBy(ls, squares)) {
    const d = ctx.fresh("dls");
    ctx.let(d, `${h} * (${terms.join(" + ")}) / ${ctx.theta(p)}`);
    into.set(p, d);
  }
}

function push(ctx: EmitContext, entry: StackEntry, end: number): number {
  ctx.push(entry);
  return end;
}

/** MATERN: `5, nu2, nDims, dim…, nLs, ls…`. */
const matern: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "MATERN");
  const nu2 = w.next();
  if (nu2 !== 1 && nu2 !== 3 && nu2 !== 5) throw w.fail(`2ν = ${nu2} (give 1, 3 or 5)`);
  const dims = w.list();
  const ls = w.perDim(dims.length, "lengthscales");
  const squares = scaledSquares(ctx, dims, ls);
  const s = ctx.fresh("s"), r = ctx.fresh("r"), e = ctx.fresh("e");
  ctx.let(s, squares.join(" + "));
  ctx.let(r, `sqrt(${s})`);
  const v = ctx.fresh("matern"), h = ctx.fresh("h");
  if (nu2 === 1) {
    ctx.let(e, `exp(-${r})`);
    ctx.let(v, e);
    // e^{−r}/r multiplies Δ² = 0 at r = 0: any finite stand-in for 1/r gives 0 there.
    ctx.let(h, `${e} / max(${r}, 1e-30)`);
  } else if (nu2 === 3) {
    const a = ctx.fresh("a");
    ctx.let(a, `${lit(Math.sqrt(3))} * ${r}`);
    ctx.let(e, `exp(-${a})`);
    ctx.let(v, `(1.0 + ${a}) * ${e}`);
    ctx.let(h, `3.0 * ${e}`);
  } else {
    const a = ctx.fresh("a");
    ctx.let(a, `${lit(Math.sqrt(5))} * ${r}`);
    ctx.let(e, `exp(-${a})`);
    ctx.let(v, `(1.0 + ${a} + ${lit(5 / 3)} * ${s}) * ${e}`);
    ctx.let(h, `${lit(5 / 3)} * (1.0 + ${a}) * ${e}`);
  }
  const derivs = new Map<number, string>();
  if (ctx.derivatives) lengthscaleDerivs(ctx, ls, squares, h, derivs);
  return push(ctx, { value: v, derivs }, w.end);
};

/** RQ: `6, nDims, dim…, nLs, ls…, α`. */
const rq: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "RQ");
  const dims = w.list();
  const ls = w.perDim(dims.length, "lengthscales");
  const alpha = w.next();
  if (ls.includes(alpha)) throw w.fail("α shares a theta index with a lengthscale");
  const squares = scaledSquares(ctx, dims, ls);
  const t = ctx.fresh("t"), b = ctx.fresh("b"), v = ctx.fresh("rq");
  ctx.let(t, `(${squares.join(" + ")}) / (2.0 * ${ctx.theta(alpha)})`);
  ctx.let(b, `1.0 + ${t}`);
  ctx.let(v, `pow(${b}, -${ctx.theta(alpha)})`);
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    const h = ctx.fresh("h");
    ctx.let(h, `${v} / ${b}`);
    lengthscaleDerivs(ctx, ls, squares, h, derivs);
    const da = ctx.fresh("dalpha");
    ctx.let(da, `${v} * (${t} / ${b} - log(${b}))`);
    derivs.set(alpha, da);
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** PERIODIC: `7, nDims, dim…, nLs, ls…, nP, p…`. */
const periodic: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "PERIODIC");
  const dims = w.list();
  const ls = w.perDim(dims.length, "lengthscales");
  const per = w.perDim(dims.length, "periods");
  if (per.some((p) => ls.includes(p))) {
    throw w.fail("a period shares a theta index with a lengthscale");
  }
  const terms: string[] = [], periodTerms: string[] = [];
  dims.forEach((dim, q) => {
    const a = ctx.fresh("a"), sn = ctx.fresh("sn"), term = ctx.fresh("sl");
    ctx.let(a, `${lit(Math.PI)} * ${ctx.delta(dim)} / ${ctx.theta(per[q])}`);
    ctx.let(sn, `sin(${a})`);
    ctx.let(term, `${sn} * ${sn} / ${ctx.theta(ls[q])}`);
    terms.push(term);
    if (ctx.derivatives) {
      const pt = ctx.fresh("pt");
      ctx.let(pt, `${a} * ${sn} * cos(${a}) / ${ctx.theta(ls[q])}`);
      periodTerms.push(pt);
    }
  });
  const v = ctx.fresh("periodic");
  ctx.let(v, `exp(-2.0 * (${terms.join(" + ")}))`);
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    for (const [p, ts] of groupBy(ls, terms)) {
      const d = ctx.fresh("dls");
      ctx.let(d, `2.0 * ${v} * (${ts.join(" + ")}) / ${ctx.theta(p)}`);
      derivs.set(p, d);
    }
    for (const [p, ts] of groupBy(per, periodTerms)) {
      const d = ctx.fresh("dper");
      ctx.let(d, `4.0 * ${v} * (${ts.join(" + ")}) / ${ctx.theta(p)}`);
      derivs.set(p, d);
    }
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** LINEAR: `8, nDims, dim…, nV, v…`. */
const linear: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "LINEAR");
  const dims = w.list();
  const vars = w.perDim(dims.length, "variances");
  const products = dims.map((dim) => {
    const pr = ctx.fresh("xx");
    ctx.let(pr, `${ctx.xi(dim)} * ${ctx.xj(dim)}`);
    return pr;
  });
  const v = ctx.fresh("linear");
  ctx.let(v, products.map((pr, q) => `${ctx.theta(vars[q])} * ${pr}`).join(" + "));
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    for (const [p, ts] of groupBy(vars, products)) {
      const d = ctx.fresh("dvar");
      ctx.let(d, ts.join(" + "));
      derivs.set(p, d);
    }
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** b^k by repeated products: WGSL's pow is undefined for a negative base. */
function integerPower(base: string, k: number): string {
  return k === 0 ? "1.0" : Array.from({ length: k }, () => base).join(" * ");
}

/** POLYNOMIAL: `9, power, nDims, dim…, c`. */
const polynomial: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "POLYNOMIAL");
  const power = w.next();
  if (power < 1) throw w.fail(`power ${power} (give 1 or more)`);
  const dims = w.list();
  const offset = w.next();
  const b = ctx.fresh("b");
  ctx.let(
    b,
    `${dims.map((dim) => `${ctx.xi(dim)} * ${ctx.xj(dim)}`).join(" + ")} + ${ctx.theta(offset)}`,
  );
  const v = ctx.fresh("poly");
  ctx.let(v, integerPower(b, power));
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    const d = ctx.fresh("doff");
    ctx.let(d, power === 1 ? "1.0" : `${lit(power)} * ${integerPower(b, power - 1)}`);
    derivs.set(offset, d);
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** COSINE: `10, nDims, dim…, p`. */
const cosine: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "COSINE");
  const dims = w.list();
  const period = w.next();
  const r = ctx.fresh("r"), a = ctx.fresh("a"), v = ctx.fresh("cosine");
  ctx.let(r, `sqrt(${dims.map((dim) => `${ctx.delta(dim)} * ${ctx.delta(dim)}`).join(" + ")})`);
  ctx.let(a, `${lit(Math.PI)} * ${r} / ${ctx.theta(period)}`);
  ctx.let(v, `cos(${a})`);
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    const d = ctx.fresh("dper");
    ctx.let(d, `sin(${a}) * ${a} / ${ctx.theta(period)}`);
    derivs.set(period, d);
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** SPECTRAL (one mixture component): `11, nDims, dim…, s_0…s_{nDims−1}, m_0…m_{nDims−1}`. */
const spectral: OpcodeEmitter = (ops, at, ctx) => {
  const w = new Words(ops, at, "SPECTRAL");
  const dims = w.list();
  const scales = dims.map(() => w.next());
  const means = dims.map(() => w.next());
  const all = [...scales, ...means];
  if (new Set(all).size !== all.length) {
    throw w.fail("scales and means must be distinct theta indices");
  }
  const exps: string[] = [], cosines: string[] = [], sines: string[] = [];
  dims.forEach((dim, q) => {
    const g = ctx.fresh("g"), c = ctx.fresh("c");
    ctx.let(g, `${ctx.delta(dim)} * ${ctx.theta(scales[q])}`);
    exps.push(`${g} * ${g}`);
    ctx.let(c, `${lit(2 * Math.PI)} * ${ctx.delta(dim)} * ${ctx.theta(means[q])}`);
    const cs = ctx.fresh("cs");
    ctx.let(cs, `cos(${c})`);
    cosines.push(cs);
    if (ctx.derivatives) {
      const sn = ctx.fresh("sn");
      ctx.let(sn, `sin(${c})`);
      sines.push(sn);
    }
  });
  const e = ctx.fresh("e"), v = ctx.fresh("spectral");
  ctx.let(e, `exp(${lit(-2 * Math.PI * Math.PI)} * (${exps.join(" + ")}))`);
  ctx.let(v, [e, ...cosines].join(" * "));
  const derivs = new Map<number, string>();
  if (ctx.derivatives) {
    dims.forEach((dim, q) => {
      const ds = ctx.fresh("dscale");
      ctx.let(
        ds,
        `${lit(-4 * Math.PI * Math.PI)} * ${v} * ${ctx.delta(dim)} * ${ctx.delta(dim)} * ${
          ctx.theta(scales[q])
        }`,
      );
      derivs.set(scales[q], ds);
      const dm = ctx.fresh("dmean");
      const others = cosines.filter((_, j) => j !== q);
      ctx.let(
        dm,
        [`${lit(-2 * Math.PI)} * ${ctx.delta(dim)} * ${sines[q]}`, e, ...others].join(" * "),
      );
      derivs.set(means[q], dm);
    });
  }
  return push(ctx, { value: v, derivs }, w.end);
};

/** Opcode → emitter for the leaves of ABI.md beyond RBF. */
export const LEAF_EMITTERS: ReadonlyArray<readonly [number, OpcodeEmitter]> = [
  [Op.MATERN, matern],
  [Op.RQ, rq],
  [Op.PERIODIC, periodic],
  [Op.LINEAR, linear],
  [Op.POLYNOMIAL, polynomial],
  [Op.COSINE, cosine],
  [Op.SPECTRAL, spectral],
];
