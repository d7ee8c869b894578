/**
 * The kernel matrix K(X1, X2; θ) and its diagonal from a kernel program, as recorded
 * operations with VJPs to θ and to both inputs, on the WASM core's contractions
 * (Σᵢⱼ Gᵢⱼ ∂k/∂θ and Σⱼ Gᵢⱼ ∂k/∂x1ᵢ without forming any derivative matrix).
 *
 * @module
 */

import * as core from "../wasm/core.ts";
import {
  kernelCrossThetaContract,
  kernelDiagInputContract,
  kernelDiagThetaContract,
  kernelInputContract,
} from "../wasm/kernel_contractions.ts";
import { record, Tensor } from "./tensor.ts";
import { showShape } from "./broadcast.ts";

/** The structure of a kernel program: its instructions (a `KernelPlan`'s `ops`). */
export interface KernelOps {
  /** Postfix instructions (core-rs/ABI.md). */
  readonly ops: Int32Array;
}

function points(op: string, name: string, x: unknown): core.PointSet {
  if (!(x instanceof Tensor) || x.ndim !== 2) {
    throw new TypeError(
      `${op}: ${name} must be a Tensor of shape [n, d] (n points of d dimensions), got ${
        x instanceof Tensor ? `shape ${showShape(x.shape)}` : typeof x
      }; reshape a flat vector of points with .reshape([-1, 1])`,
    );
  }
  return { data: x.data, n: x.shape[0], d: x.shape[1] };
}

function thetaOf(op: string, program: KernelOps, theta: unknown): Tensor {
  if (program === null || typeof program !== "object" || !(program.ops instanceof Int32Array)) {
    throw new TypeError(`${op}: program must be a kernel plan (kernel.plan(d)), got ${program}`);
  }
  if (!(theta instanceof Tensor) || theta.ndim !== 1) {
    throw new TypeError(
      `${op}: theta must be a vector Tensor of the program's parameter values, got ${
        theta instanceof Tensor ? `shape ${showShape(theta.shape)}` : typeof theta
      }`,
    );
  }
  return theta;
}

/**
 * K(X1, X2; θ) (n1 × n2) from a kernel program (a kernel's plan) with parameter values
 * `theta`. With `x2` omitted (or the same tensor) it is the symmetric K(X, X), one
 * triangle computed. VJPs: to θ by the core's θ contraction, to X1 and X2 by its input
 * contractions (Matern ½ has gradient 0 at zero distance, as PyTorch's autograd gives).
 *
 * @example
 * ```ts
 * import { kernelMatrix } from "./kernel_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { RBFKernel } from "../kernels/rbf_kernel.ts";
 * import assert from "node:assert";
 * const plan = new RBFKernel().initialize({ lengthscale: 1 }).plan(1);
 * const theta = tensor(Array.from(plan.theta), { requiresGrad: true });
 * const x = tensor([[0], [1]], { requiresGrad: true });
 * const k = kernelMatrix(plan, theta, x);
 * assert.ok(Math.abs(k.data[1] - Math.exp(-0.5)) < 1e-15);
 * k.sum().backward();
 * assert.ok(Math.abs(x.grad!.data[0] - 2 * Math.exp(-0.5)) < 1e-14); // d/dx0 of 2 k(x0, x1)
 * ```
 */
export function kernelMatrix(program: KernelOps, theta: Tensor, x1: Tensor, x2?: Tensor): Tensor {
  const op = "kernelMatrix";
  const th = thetaOf(op, program, theta);
  const same = x2 === undefined || x2 === x1;
  const p1 = points(op, "x1", x1);
  const p2 = same ? p1 : points(op, "x2", x2);
  if (p1.d !== p2.d) {
    throw new TypeError(
      `${op}: x1 has shape ${showShape(x1.shape)} but x2 has shape ${
        showShape(x2!.shape)
      }; both need the same number of columns d`,
    );
  }
  const prog: core.KernelProgram = { ops: program.ops, theta: th.data };
  const out = core.kernelMatrix(prog, p1, p2);
  const second = same ? x1 : x2!;
  return record(op, out, [p1.n, p2.n], [th, x1, second], (g) => {
    let gTheta: Float64Array | null = null;
    if (th.requiresGrad) {
      if (same) {
        // Σᵢⱼ Gᵢⱼ ∂kᵢⱼ = Σᵢⱼ sym(G)ᵢⱼ ∂kᵢⱼ for the symmetric K: the one-triangle contraction.
        const n = p1.n;
        using s = core.F64Buffer.alloc(n * n);
        const v = s.view();
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) v[i * n + j] = 0.5 * (g[i * n + j] + g[j * n + i]);
        }
        gTheta = core.kernelGradContract(prog, p1, s);
      } else {
        gTheta = kernelCrossThetaContract(prog, p1, p2, g);
      }
    }
    const g1 = x1.requiresGrad ? kernelInputContract(prog, p1, p2, g, 1) : null;
    const g2 = second.requiresGrad ? kernelInputContract(prog, p1, p2, g, 2) : null;
    return [gTheta, g1, g2];
  });
}

/**
 * The diagonal k(xᵢ, xᵢ; θ) (length n) from a kernel program, with VJPs to θ and to x
 * (the total derivative, both arguments moving together): what posterior variances need.
 *
 * @example
 * ```ts
 * import { kernelDiagonal } from "./kernel_ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { LinearKernel } from "../kernels/linear_kernel.ts";
 * import assert from "node:assert";
 * const plan = new LinearKernel().initialize({ variance: 2 }).plan(1);
 * const x = tensor([[3]], { requiresGrad: true });
 * const d = kernelDiagonal(plan, tensor(Array.from(plan.theta)), x);
 * d.backward();
 * assert.ok(Math.abs(d.item() - 18) < 1e-12 && Math.abs(x.grad!.item() - 12) < 1e-12);
 * ```
 */
export function kernelDiagonal(program: KernelOps, theta: Tensor, x: Tensor): Tensor {
  const op = "kernelDiagonal";
  const th = thetaOf(op, program, theta);
  const p = points(op, "x", x);
  const prog: core.KernelProgram = { ops: program.ops, theta: th.data };
  const out = core.kernelDiag(prog, p);
  return record(op, out, [p.n], [th, x], (g) => [
    th.requiresGrad ? kernelDiagThetaContract(prog, p, g) : null,
    x.requiresGrad ? kernelDiagInputContract(prog, p, g) : null,
  ]);
}
