/**
 * The backward pass of the autograd record: the recorded operation ({@link GradFn}) and
 * the reverse sweep in topological order that accumulates gradients into the leaves.
 * Works on {@link GraphNode}s (what a Tensor is to the record), so that it stands
 * below the Tensor class.
 *
 * @module
 */

import type { Shape } from "./broadcast.ts";

/** What the backward pass needs of a tensor. */
export interface GraphNode {
  /** Whether it takes part in the record. */
  readonly requiresGrad: boolean;
  /** The operation that made it, or null for a leaf. */
  readonly gradFn: GradFn | null;
  /** Its shape (for messages). */
  readonly shape: Shape;
  /** True for a non-leaf whose gradient is kept (retainGrad). */
  readonly retainsGrad: boolean;
  /** Receive the gradient (a leaf's `.grad` or its sink). */
  acceptGrad(g: Float64Array): void;
}

/**
 * A vector–Jacobian product: the output's gradient in, each input's gradient out (null
 * where an input needs none). It must not modify `g`.
 */
export type Backward = (g: Float64Array) => (Float64Array | null)[];

/**
 * The recorded operation that produced a tensor (PyTorch's `grad_fn`).
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const y = tensor([1, 2], { requiresGrad: true }).mul(2);
 * assert.strictEqual(y.gradFn!.name, "mul");
 * assert.strictEqual(y.gradFn!.retained, true);
 * ```
 */
export class GradFn {
  /** The operation's name, e.g. "cholesky". */
  readonly name: string;
  /** Its inputs, in the order its backward returns their gradients. */
  readonly inputs: readonly GraphNode[];
  #backward: Backward | null;

  /** @internal */
  constructor(name: string, inputs: readonly GraphNode[], backward: Backward) {
    this.name = name;
    this.inputs = inputs;
    this.#backward = backward;
  }

  /** False once a backward pass without `retainGraph` has released the record. */
  get retained(): boolean {
    return this.#backward !== null;
  }

  /** @internal */
  run(g: Float64Array): (Float64Array | null)[] {
    return this.#backward!(g);
  }

  /** @internal */
  free(): void {
    this.#backward = null;
  }
}

/**
 * Run the record backward from `root` with seed gradient `g`, accumulating into the
 * leaves (all at the end, so that a failing VJP leaves nothing half-done), and release
 * the record unless `retain`.
 *
 * @example
 * ```ts
 * import { runBackward } from "./backward_pass.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert";
 * const x = tensor([3], { requiresGrad: true });
 * runBackward(x.mul(x), new Float64Array([1]), false);
 * assert.strictEqual(x.grad!.item(), 6);
 * ```
 */
export function runBackward(root: GraphNode, g: Float64Array, retain: boolean): void {
  // Topological order of the recorded tensors (iterative depth-first search).
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  const stack: [GraphNode, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const fn = top[0].gradFn;
    if (fn !== null && !fn.retained) {
      throw new TypeError(
        `backward(): the record of ${fn.name} was freed by an earlier backward(); pass ` +
          `{ retainGraph: true } to the first backward() to run backward twice, or ` +
          `recompute the result`,
      );
    }
    if (fn !== null && top[1] < fn.inputs.length) {
      const next = fn.inputs[top[1]++];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  const grads = new Map<GraphNode, { g: Float64Array; owned: boolean }>();
  grads.set(root, { g, owned: false });
  const leafGrads: [GraphNode, Float64Array][] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    const entry = grads.get(t);
    if (entry === undefined) continue;
    grads.delete(t);
    if (t.gradFn === null || t.retainsGrad) leafGrads.push([t, entry.g]);
    if (t.gradFn === null) continue;
    const out = t.gradFn.run(entry.g);
    const inputs = t.gradFn.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i], gi = out[i];
      if (gi === null || gi === undefined || !input.requiresGrad) continue;
      const prev = grads.get(input);
      if (prev === undefined) grads.set(input, { g: gi, owned: false });
      else if (prev.owned) { for (let e = 0; e < gi.length; e++) prev.g[e] += gi[e]; }
      else {
        const sum = new Float64Array(gi.length);
        for (let e = 0; e < gi.length; e++) sum[e] = prev.g[e] + gi[e];
        grads.set(input, { g: sum, owned: true });
      }
    }
  }
  for (const [t, gl] of leafGrads) t.acceptGrad(gl);
  if (!retain) { for (const t of order) t.gradFn?.free(); }
}
