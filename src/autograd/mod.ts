/**
 * Reverse-mode automatic differentiation in float64 (`gp.autograd`), as PyTorch's
 * autograd: tensors that record the operations applied to them, `backward()`, and the
 * gradient checker.
 *
 * @example
 * ```ts
 * import * as autograd from "./mod.ts";
 * import assert from "node:assert";
 * const x = autograd.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = autograd.exp(autograd.matmul(x, x)).mean();
 * loss.backward();
 * assert.deepStrictEqual(x.grad!.shape, [2, 2]);
 * assert.strictEqual(autograd.gradcheck((x) => autograd.matmul(x, x).sum(), [x]), true);
 * ```
 *
 * @module
 */
export {
  asTensor,
  type Backward,
  type BackwardOptions,
  GradFn,
  type GradSink,
  type GraphNode,
  record,
  type Shape,
  Tensor,
  tensor,
  type TensorLike,
  type TensorOptions,
} from "./tensor.ts";
export { runBackward } from "./backward_pass.ts";
export {
  constrain,
  exp,
  expm1,
  log,
  log1p,
  logNormalCdf,
  normalCdf,
  normalPdf,
  sigmoid,
  softplus,
  sqrt,
  square,
} from "./elementwise.ts";
export { diagEmbed, diagonal, matmul, type MatmulOptions, transpose } from "./matrix.ts";
export {
  cholesky,
  choleskyLogdet,
  choleskySolve,
  triangularSolve,
  type TriangularSolveOptions,
} from "./linalg.ts";
export { invQuad, type InvQuadOptions, type SpdOptions, spdSolve } from "./spd_ops.ts";
export { kernelDiagonal, kernelMatrix, type KernelOps } from "./kernel_ops.ts";
export { gradcheck, GradcheckError, type GradcheckOptions } from "./gradcheck.ts";
