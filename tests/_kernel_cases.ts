// The kernel conformance table: every kernel (and compositions) as a factory with
// fixed parameter values and an explicit per-pair reference formula. Exported so
// that every device (WASM now, WebGPU later) runs the same suite over the same table.
import * as gp from "../mod.ts";

/** One row of the conformance table. */
export interface KernelCase {
  /** Test name. */
  name: string;
  /** Input columns of the test data. */
  d: number;
  /** A fresh kernel with the case's parameter values. */
  make(): gp.kernels.Kernel;
  /** k(x, y) straight from the formula (GPyTorch's parameterisation). */
  reference(x: number[], y: number[]): number;
  /** Not PSD in general (e.g. the cosine kernel over several dims): skip that check. */
  notPsd?: boolean;
}

const { PI, exp, sqrt, sin, cos } = Math;
const sq = (v: number) => v * v;
const dist2 = (x: number[], y: number[], ls: number[], dims: number[]) =>
  dims.reduce((s, k, i) => s + sq((x[k] - y[k]) / ls[i]), 0);

function rbf(ls: number[], dims: number[]) {
  return (x: number[], y: number[]) => exp(-0.5 * dist2(x, y, ls, dims));
}
function matern(nu: number, ls: number[], dims: number[]) {
  return (x: number[], y: number[]) => {
    const r = sqrt(dist2(x, y, ls, dims));
    if (nu === 0.5) return exp(-r);
    if (nu === 1.5) return (1 + sqrt(3) * r) * exp(-sqrt(3) * r);
    return (1 + sqrt(5) * r + 5 / 3 * r * r) * exp(-sqrt(5) * r);
  };
}
function periodic(ls: number[], per: number[], dims: number[]) {
  return (x: number[], y: number[]) =>
    exp(-2 * dims.reduce((s, k, i) => s + sq(sin(PI * Math.abs(x[k] - y[k]) / per[i])) / ls[i], 0));
}

export const kernelCases: KernelCase[] = [
  {
    name: "RBF",
    d: 1,
    make: () => new gp.kernels.RBFKernel().initialize({ lengthscale: 0.4 }),
    reference: rbf([0.4], [0]),
  },
  {
    name: "RBF ARD over 3 dims",
    d: 3,
    make: () =>
      new gp.kernels.RBFKernel({ ardNumDims: 3 }).initialize({ lengthscale: [0.5, 1.2, 0.8] }),
    reference: rbf([0.5, 1.2, 0.8], [0, 1, 2]),
  },
  {
    name: "RBF activeDims [2, 0]",
    d: 3,
    make: () =>
      new gp.kernels.RBFKernel({ activeDims: [2, 0], ardNumDims: 2 }).initialize({
        lengthscale: [0.7, 0.3],
      }),
    reference: rbf([0.7, 0.3], [2, 0]),
  },
  ...([0.5, 1.5, 2.5] as const).map((nu): KernelCase => ({
    name: `Matern ν=${nu}`,
    d: 2,
    make: () => new gp.kernels.MaternKernel({ nu }).initialize({ lengthscale: 0.6 }),
    reference: matern(nu, [0.6, 0.6], [0, 1]),
  })),
  {
    name: "Matern ν=2.5 ARD",
    d: 2,
    make: () =>
      new gp.kernels.MaternKernel({ nu: 2.5, ardNumDims: 2 }).initialize({
        lengthscale: [0.4, 1.1],
      }),
    reference: matern(2.5, [0.4, 1.1], [0, 1]),
  },
  {
    name: "RQ",
    d: 2,
    make: () => new gp.kernels.RQKernel().initialize({ lengthscale: 0.5, alpha: 0.8 }),
    reference: (x, y) => Math.pow(1 + dist2(x, y, [0.5, 0.5], [0, 1]) / (2 * 0.8), -0.8),
  },
  {
    name: "Periodic",
    d: 1,
    make: () => new gp.kernels.PeriodicKernel().initialize({ lengthscale: 0.9, periodLength: 0.7 }),
    reference: periodic([0.9], [0.7], [0]),
  },
  {
    name: "Periodic ARD, activeDims [1, 2]",
    d: 3,
    make: () =>
      new gp.kernels.PeriodicKernel({ ardNumDims: 2, activeDims: [1, 2] }).initialize({
        lengthscale: [0.9, 1.4],
        periodLength: [0.7, 1.3],
      }),
    reference: periodic([0.9, 1.4], [0.7, 1.3], [1, 2]),
  },
  {
    name: "Linear",
    d: 2,
    make: () => new gp.kernels.LinearKernel().initialize({ variance: 0.7 }),
    reference: (x, y) => 0.7 * (x[0] * y[0] + x[1] * y[1]),
  },
  {
    name: "Linear ARD",
    d: 2,
    make: () => new gp.kernels.LinearKernel({ ardNumDims: 2 }).initialize({ variance: [0.7, 1.9] }),
    reference: (x, y) => 0.7 * x[0] * y[0] + 1.9 * x[1] * y[1],
  },
  {
    name: "Polynomial power 3",
    d: 2,
    make: () => new gp.kernels.PolynomialKernel({ power: 3 }).initialize({ offset: 0.5 }),
    reference: (x, y) => (x[0] * y[0] + x[1] * y[1] + 0.5) ** 3,
  },
  {
    name: "Cosine",
    d: 1,
    make: () => new gp.kernels.CosineKernel().initialize({ periodLength: 1.3 }),
    reference: (x, y) => cos(PI * Math.abs(x[0] - y[0]) / 1.3),
  },
  {
    name: "SpectralMixture Q=3",
    d: 1,
    make: () =>
      new gp.kernels.SpectralMixtureKernel({ numMixtures: 3 }).initialize({
        mixtureWeights: [0.5, 1.2, 0.3],
        mixtureMeans: [0.2, 0.9, 1.7],
        mixtureScales: [0.4, 0.1, 0.8],
      }),
    reference: (x, y) => {
      const w = [0.5, 1.2, 0.3], m = [0.2, 0.9, 1.7], s = [0.4, 0.1, 0.8];
      const t = x[0] - y[0];
      return w.reduce(
        (acc, wq, q) => acc + wq * exp(-2 * PI * PI * t * t * s[q] * s[q]) * cos(2 * PI * t * m[q]),
        0,
      );
    },
  },
  {
    name: "SpectralMixture Q=2, d=2",
    d: 2,
    make: () =>
      new gp.kernels.SpectralMixtureKernel({ numMixtures: 2, ardNumDims: 2 }).initialize({
        mixtureWeights: [0.5, 1.2],
        mixtureMeans: [0.2, 0.6, 0.9, 0.3],
        mixtureScales: [0.4, 0.5, 0.1, 0.7],
      }),
    reference: (x, y) => {
      const w = [0.5, 1.2], m = [0.2, 0.6, 0.9, 0.3], s = [0.4, 0.5, 0.1, 0.7];
      let acc = 0;
      for (let q = 0; q < 2; q++) {
        let v = w[q];
        for (let k = 0; k < 2; k++) {
          const t = x[k] - y[k];
          v *= exp(-2 * PI * PI * t * t * s[q * 2 + k] ** 2) * cos(2 * PI * t * m[q * 2 + k]);
        }
        acc += v;
      }
      return acc;
    },
  },
  {
    name: "Scale(RBF) + Scale(RBF × Periodic) + RQ (Mauna Loa shape)",
    d: 1,
    make: () => {
      const k = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel())
        .add(
          new gp.kernels.ScaleKernel(
            new gp.kernels.RBFKernel().mul(new gp.kernels.PeriodicKernel()),
          ),
        )
        .add(new gp.kernels.RQKernel());
      return k.initialize({
        "kernels.0.outputscale": 2,
        "kernels.0.baseKernel.lengthscale": 1.5,
        "kernels.1.outputscale": 0.5,
        "kernels.1.baseKernel.kernels.0.lengthscale": 2.5,
        "kernels.1.baseKernel.kernels.1.lengthscale": 1.1,
        "kernels.1.baseKernel.kernels.1.periodLength": 0.6,
        "kernels.2.lengthscale": 0.3,
        "kernels.2.alpha": 1.5,
      });
    },
    reference: (x, y) =>
      2 * rbf([1.5], [0])(x, y) + 0.5 * rbf([2.5], [0])(x, y) * periodic([1.1], [0.6], [0])(x, y) +
      Math.pow(1 + sq((x[0] - y[0]) / 0.3) / 3, -1.5),
  },
  {
    name: "Product of Matern(dim 0) and Linear(dim 1) + Polynomial",
    d: 2,
    make: () =>
      new gp.kernels.ProductKernel(
        new gp.kernels.MaternKernel({ nu: 1.5, activeDims: [0] }),
        new gp.kernels.LinearKernel({ activeDims: [1] }),
      ).add(new gp.kernels.PolynomialKernel({ power: 2 })).initialize({
        "kernels.0.kernels.0.lengthscale": 0.5,
        "kernels.0.kernels.1.variance": 1.3,
        "kernels.1.offset": 0.2,
      }),
    reference: (x, y) =>
      matern(1.5, [0.5], [0])(x, y) * 1.3 * x[1] * y[1] + (x[0] * y[0] + x[1] * y[1] + 0.2) ** 2,
  },
];
