/**
 * Shapes and broadcasting for the autograd tensors (NumPy's rules): sizes compared from
 * the last dimension, a size of 1 stretches. Plain array functions, no tensors.
 *
 * @module
 */

/** A tensor's shape: `[]` for a scalar, `[n]` for a vector, `[m, n]` for a matrix. */
export type Shape = readonly number[];

/** The number of elements of `shape`. */
export function sizeOf(shape: Shape): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** `[2, 3]` as the text "[2, 3]" for messages. */
export function showShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** True when both shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The broadcast shape of `a` and `b`; a TypeError naming `op`, both shapes and the fix
 * when they do not broadcast.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TypeError(
        `${op}: shapes ${showShape(a)} and ${showShape(b)} do not broadcast (dimension ${i}: ` +
          `${da} vs ${db}); sizes must match or be 1 — reshape one operand (e.g. a column ` +
          `[n, 1] or a row [1, n])`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of `out` (row-major), the index of the element of `shape` it reads
 * when `shape` is broadcast to `out`: the one index walk behind {@link expandTo} and
 * {@link sumTo}.
 */
function broadcastSources(shape: Shape, out: Shape): Int32Array {
  const r = out.length, n = sizeOf(out);
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    const d = shape[shape.length - r + i] ?? 1;
    strides[i] = d === 1 ? 0 : s;
    s *= d;
  }
  const sources = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    sources[k] = src;
    for (let i = r - 1; i >= 0; i--) {
      idx[i]++;
      src += strides[i];
      if (idx[i] < out[i]) break;
      src -= strides[i] * idx[i];
      idx[i] = 0;
    }
  }
  return sources;
}

/** `data` of `shape` repeated to `out` (which `shape` broadcasts to); no copy when equal. */
export function expandTo(data: Float64Array, shape: Shape, out: Shape): Float64Array {
  if (sameShape(shape, out)) return data;
  const n = sizeOf(out);
  if (data.length === 1) return new Float64Array(n).fill(data[0]);
  const sources = broadcastSources(shape, out);
  const result = new Float64Array(n);
  for (let k = 0; k < n; k++) result[k] = data[sources[k]];
  return result;
}

/** The sum of `g` (of shape `from`) over the dimensions broadcast from `shape`. */
export function sumTo(g: Float64Array, from: Shape, shape: Shape): Float64Array {
  if (sameShape(from, shape)) return g;
  const m = sizeOf(shape);
  if (m === 1) {
    let s = 0;
    for (let k = 0; k < g.length; k++) s += g[k];
    return new Float64Array([s]);
  }
  const sources = broadcastSources(shape, from);
  const result = new Float64Array(m);
  for (let k = 0; k < g.length; k++) result[sources[k]] += g[k];
  return result;
}

/** [outer, length, inner] of `shape` around `axis` (for reductions over one axis). */
export function axisSplit(shape: Shape, axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}
