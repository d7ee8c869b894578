/**
 * WGSL compute shaders generated from a kernel program: the fused, matrix-free
 * product K·V for many right-hand sides, and the gradient contraction
 * Σᵢⱼ Gᵢⱼ ∂Kᵢⱼ/∂θ with G = U Wᵀ given by its factors. Neither stores the N × N
 * matrix: each thread owns one row i and streams the points j through workgroup
 * memory in tiles, so memory is O(N·t).
 *
 * Precision (WGSL has only f32): inputs and right-hand sides arrive as double-single
 * pairs (hi, lo); differences of coordinates are formed as (hi_i − hi_j) + (lo_i − lo_j),
 * exact for close points; every sum over j is a double-single accumulation (Knuth's
 * two-sum). The error terms are multiplied by a runtime `one` from the uniform block, so
 * no compiler can fold them away algebraically.
 *
 * The text depends only on the program's structure (`KernelPlan.structureKey`), the
 * number of input columns and the chunk width: never on N or parameter values, which
 * arrive in buffers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelMvmShader } from "./kernel_shaders.ts";
 * const wgsl = kernelMvmShader(Int32Array.from([1, 1, 0, 1, 0]), 1);
 * assert.ok(wgsl.includes("@compute"));
 * ```
 *
 * @module
 */

import { type KernelBody, kernelBody } from "./kernel_wgsl.ts";

/** Rows per workgroup (one thread a row) and points per tile. */
export const TILE = 64;
/** Right-hand-side columns one thread accumulates (the z dimension walks the rest). */
export const MVM_COLUMNS = 8;
/** Columns of the gradient's factors U, W handled per dispatch slice. */
export const GRAD_RANKS = 16;

const DS_PRELUDE = `
struct Params { n: u32, t: u32, groups_x: u32, one: f32 }
@group(0) @binding(0) var<uniform> P: Params;

// Knuth's two-sum: s + e = a + b exactly. The factors P.one keep compilers from
// simplifying the error term away.
fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bb = (s - a) * P.one;
  let e = (a - (s - bb) * P.one) + (b - bb);
  return vec2<f32>(s, e);
}

// acc (a double-single number) + b.
fn ds_add(acc: vec2<f32>, b: f32) -> vec2<f32> {
  let s = two_sum(acc.x, b);
  let e = s.y + acc.y;
  let hi = s.x + e;
  let lo = e - (hi - s.x) * P.one;
  return vec2<f32>(hi, lo);
}
`;

function pairPrelude(body: KernelBody, d: number, tileX: string): string[] {
  const lines: string[] = [];
  for (const k of body.deltaDims) {
    lines.push(
      `let dlt_${k} = (xih[${k}] - ${tileX}[(jj * ${d}u + ${k}u) * 2u]) + ` +
        `(xil[${k}] - ${tileX}[(jj * ${d}u + ${k}u) * 2u + 1u]);`,
    );
  }
  for (const k of body.coordDims) {
    lines.push(`let xi_${k} = xih[${k}] + xil[${k}];`);
    lines.push(
      `let xj_${k} = ${tileX}[(jj * ${d}u + ${k}u) * 2u] + ${tileX}[(jj * ${d}u + ${k}u) * 2u + 1u];`,
    );
  }
  return lines;
}

function checkDims(body: KernelBody, d: number): void {
  const used = Math.max(-1, ...body.deltaDims, ...body.coordDims);
  if (!Number.isInteger(d) || d < 1 || used >= d) {
    throw new RangeError(
      `kernel shader: the program reads input dimension ${used} but the inputs have ${d} ` +
        `columns; pass the inputs the kernel was built for`,
    );
  }
}

const ROW_SETUP = (d: number) => `
  let row = (wid.y * P.groups_x + wid.x) * ${TILE}u + lid.x;
  let valid = row < P.n;
  let r = min(row, P.n - 1u);
  var xih: array<f32, ${d}>;
  var xil: array<f32, ${d}>;
  for (var k = 0u; k < ${d}u; k++) {
    xih[k] = xs[(r * ${d}u + k) * 2u];
    xil[k] = xs[(r * ${d}u + k) * 2u + 1u];
  }`;

const LOAD_X_TILE = (d: number) => `
    let jl = j0 + lid.x;
    for (var k = 0u; k < ${d}u; k++) {
      var h = 0.0;
      var l = 0.0;
      if (jl < P.n) {
        h = xs[(jl * ${d}u + k) * 2u];
        l = xs[(jl * ${d}u + k) * 2u + 1u];
      }
      tx[(lid.x * ${d}u + k) * 2u] = h;
      tx[(lid.x * ${d}u + k) * 2u + 1u] = l;
    }`;

/**
 * out = K(X, X) · V for t columns: `xs` n × d double-single, `vs` n × t double-single,
 * `out` n × t double-single (row-major, pairs interleaved). Dispatch
 * (groups_x, groups_y, ⌈t / MVM_COLUMNS⌉) workgroups with groups_x · groups_y ≥ ⌈n / TILE⌉.
 *
 * @param ops the kernel program
 * @param d the number of input columns
 */
export function kernelMvmShader(ops: Int32Array, d: number): string {
  const body = kernelBody(ops, { derivatives: false });
  checkDims(body, d);
  const C = MVM_COLUMNS;
  return `${DS_PRELUDE}
@group(0) @binding(1) var<storage, read> th: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> vs: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> tx: array<f32, ${TILE * d * 2}>;
var<workgroup> tv: array<f32, ${TILE * C * 2}>;

@compute @workgroup_size(${TILE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
${ROW_SETUP(d)}
  let c0 = wid.z * ${C}u;
  var acc: array<vec2<f32>, ${C}>;
  for (var c = 0u; c < ${C}u; c++) { acc[c] = vec2<f32>(0.0, 0.0); }
  for (var j0 = 0u; j0 < P.n; j0 += ${TILE}u) {
${LOAD_X_TILE(d)}
    for (var c = 0u; c < ${C}u; c++) {
      var h = 0.0;
      var l = 0.0;
      if (jl < P.n && c0 + c < P.t) {
        h = vs[(jl * P.t + c0 + c) * 2u];
        l = vs[(jl * P.t + c0 + c) * 2u + 1u];
      }
      tv[(lid.x * ${C}u + c) * 2u] = h;
      tv[(lid.x * ${C}u + c) * 2u + 1u] = l;
    }
    workgroupBarrier();
    let m = min(${TILE}u, P.n - j0);
    for (var jj = 0u; jj < m; jj++) {
      ${pairPrelude(body, d, "tx").join("\n      ")}
      ${body.lines.join("\n      ")}
      let kv = ${body.value};
      for (var c = 0u; c < ${C}u; c++) {
        let a = ds_add(acc[c], kv * tv[(jj * ${C}u + c) * 2u]);
        acc[c] = vec2<f32>(a.x, a.y + kv * tv[(jj * ${C}u + c) * 2u + 1u]);
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    for (var c = 0u; c < ${C}u; c++) {
      if (c0 + c < P.t) {
        out[(row * P.t + c0 + c) * 2u] = acc[c].x;
        out[(row * P.t + c0 + c) * 2u + 1u] = acc[c].y;
      }
    }
  }
}
`;
}

/**
 * Partial gradient contractions: for slice z (ranks z·GRAD_RANKS … of the factors),
 * `out[((z · n + i) · nTheta + p)]` (double-single) = Σⱼ ∂k(x_i, x_j)/∂θ_p · Σ_r U_ir W_jr,
 * or with `perRank` one such sum for each rank r of the slice
 * (`out[((z · n + i) · GRAD_RANKS + c) · nTheta + p]`), e.g. one per probe vector.
 * `us`, `ws` are n × R (f32, row-major, R = P.t); the host sums over i and z in float64.
 * Dispatch (groups_x, groups_y, ⌈R / GRAD_RANKS⌉).
 *
 * @param ops the kernel program
 * @param d the number of input columns
 * @param nTheta the length of the program's theta (outputs per row)
 */
export function kernelGradShader(
  ops: Int32Array,
  d: number,
  nTheta: number,
  perRank = false,
): string {
  const body = kernelBody(ops, { derivatives: true });
  checkDims(body, d);
  if (body.thetaCount > nTheta) {
    throw new RangeError(
      `kernelGradShader: the program reads theta[${body.thetaCount - 1}] but nTheta = ${nTheta}`,
    );
  }
  const RC = GRAD_RANKS;
  const ps = [...body.derivs.keys()].sort((a, b) => a - b);
  const outPerRow = (perRank ? RC : 1) * nTheta;
  let accDecl: string, accAdd: string, write: string;
  if (perRank) {
    accDecl = `var g: array<vec2<f32>, ${RC * nTheta}>;\n  for (var q = 0u; q < ${
      RC * nTheta
    }u; q++) { g[q] = vec2<f32>(0.0, 0.0); }`;
    accAdd = `for (var c = 0u; c < ${RC}u; c++) {
        let s = ui[c] * tw[jj * ${RC}u + c];
        ${
      ps.map((p) =>
        `g[c * ${nTheta}u + ${p}u] = ds_add(g[c * ${nTheta}u + ${p}u], ${body.derivs.get(p)} * s);`
      ).join("\n        ")
    }
      }`;
    write = `for (var q = 0u; q < ${RC * nTheta}u; q++) {
      out[(base + q) * 2u] = g[q].x;
      out[(base + q) * 2u + 1u] = g[q].y;
    }`;
  } else {
    accDecl = ps.map((p) => `var g${p} = vec2<f32>(0.0, 0.0);`).join("\n  ");
    accAdd = `var s = 0.0;
      for (var c = 0u; c < ${RC}u; c++) { s += ui[c] * tw[jj * ${RC}u + c]; }
      ${ps.map((p) => `g${p} = ds_add(g${p}, ${body.derivs.get(p)} * s);`).join("\n      ")}`;
    write = Array.from({ length: nTheta }, (_, p) => {
      const v = ps.includes(p) ? `g${p}` : "vec2<f32>(0.0, 0.0)";
      return `out[(base + ${p}u) * 2u] = ${v}.x;\n    out[(base + ${p}u) * 2u + 1u] = ${v}.y;`;
    }).join("\n    ");
  }
  return `${DS_PRELUDE}
@group(0) @binding(1) var<storage, read> th: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> us: array<f32>;
@group(0) @binding(4) var<storage, read> ws: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> tx: array<f32, ${TILE * d * 2}>;
var<workgroup> tw: array<f32, ${TILE * RC}>;

@compute @workgroup_size(${TILE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
${ROW_SETUP(d)}
  let r0 = wid.z * ${RC}u;
  var ui: array<f32, ${RC}>;
  for (var c = 0u; c < ${RC}u; c++) {
    var u = 0.0;
    if (r0 + c < P.t) { u = us[r * P.t + r0 + c]; }
    ui[c] = u;
  }
  ${accDecl}
  for (var j0 = 0u; j0 < P.n; j0 += ${TILE}u) {
${LOAD_X_TILE(d)}
    for (var c = 0u; c < ${RC}u; c++) {
      var w = 0.0;
      if (jl < P.n && r0 + c < P.t) { w = ws[jl * P.t + r0 + c]; }
      tw[lid.x * ${RC}u + c] = w;
    }
    workgroupBarrier();
    let m = min(${TILE}u, P.n - j0);
    for (var jj = 0u; jj < m; jj++) {
      ${pairPrelude(body, d, "tx").join("\n      ")}
      ${body.lines.join("\n      ")}
      ${accAdd}
    }
    workgroupBarrier();
  }
  if (valid) {
    let base = (wid.z * P.n + row) * ${outPerRow}u;
    ${write}
  }
}
`;
}
