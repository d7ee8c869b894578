import { ok, throws } from "node:assert";
import { Ackley, Branin, Hartmann, Levy, Rosenbrock } from "../src/bo/mod.ts";
import type { SyntheticTestFunction } from "../src/bo/mod.ts";

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

// Values from independent numpy transcriptions of botorch.test_functions.synthetic's formulas
// (numpy 1.24, float64).
const CASES: [string, SyntheticTestFunction, number[][], number[]][] = [
  ["Branin", new Branin(), [[0, 0], [-5, 15], [2.5, 7.5], [10, 0]], [
    55.602112642270264,
    17.508299515778166,
    24.129964413622268,
    10.960889035651505,
  ]],
  ["Hartmann", new Hartmann(), [
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    [0.9, 0.1, 0.8, 0.2, 0.7, 0.3],
  ], [-0.5053149917022333, -1.4069105761385297, -0.013053081901181108]],
  ["Ackley", new Ackley({ dim: 3 }), [[1, 1, 1], [-2.5, 0.3, 7], [30, -30, 0.1]], [
    3.6253849384403627,
    13.344380163891486,
    20.018573675035334,
  ]],
  ["Levy", new Levy({ dim: 3 }), [[0, 0, 0], [-3.3, 2, 9.5], [10, -10, 1]], [
    0.806689108233949,
    14.178026421934103,
    133.64940006837116,
  ]],
  ["Rosenbrock", new Rosenbrock({ dim: 5 }), [
    [0, 0, 0, 0, 0],
    [-1.2, 1, 0.5, 2, -3],
    [9, -4, 2, 1, 0],
  ], [4, 5256.7, 743190]],
];

Deno.test("test functions match BoTorch's formulas at points away from the optimum", () => {
  for (const [name, f, x, expected] of CASES) {
    const got = f.evaluateTrue(x);
    for (let i = 0; i < x.length; i++) {
      ok(rel(got[i], expected[i]) < 1e-13, `${name}(${x[i]}) = ${got[i]}, expected ${expected[i]}`);
    }
  }
});

Deno.test("test functions give their optimal value at every known optimiser", () => {
  const problems: SyntheticTestFunction[] = [
    new Branin(),
    new Hartmann(),
    new Hartmann({ dim: 3 }),
    new Ackley(),
    new Ackley({ dim: 7 }),
    new Levy(),
    new Levy({ dim: 6 }),
    new Rosenbrock(),
    new Rosenbrock({ dim: 10 }),
  ];
  for (const f of problems) {
    const values = f.evaluateTrue(f.optimizers);
    for (const v of values) {
      ok(Math.abs(v - f.optimalValue) < 1e-13, `${f.constructor.name}: ${v} vs ${f.optimalValue}`);
    }
    // The optimiser is inside the box, and nudging any coordinate raises the value.
    for (const x of f.optimizers) {
      for (let k = 0; k < f.dim; k++) {
        ok(f.bounds[0][k] <= x[k] && x[k] <= f.bounds[1][k]);
        for (const h of [-1e-3, 1e-3]) {
          const y = Float64Array.from(x);
          y[k] += h;
          ok(f.evaluateTrue([y])[0] > f.optimalValue, `${f.constructor.name} at ${k}, ${h}`);
        }
      }
    }
  }
  // BoTorch's published optima.
  ok(Math.abs(new Branin().optimalValue - 0.397887) < 1e-6);
  ok(Math.abs(new Hartmann().optimalValue - -3.32237) < 1e-5);
  ok(Math.abs(new Hartmann({ dim: 3 }).optimalValue - -3.86278) < 1e-5);
});

Deno.test("negate flips forward() and optimalValue, not evaluateTrue() or the optimisers", () => {
  const plain = new Hartmann();
  const neg = new Hartmann({ negate: true });
  const x = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]];
  ok(neg.forward(x)[0] === -plain.forward(x)[0]);
  ok(neg.evaluateTrue(x)[0] === plain.evaluateTrue(x)[0]);
  ok(neg.optimalValue === -plain.optimalValue && neg.optimalValue > 3.32);
  ok(neg.optimizers[0][0] === plain.optimizers[0][0]);
});

Deno.test("forward() adds seeded N(0, noiseStd²) noise, and noise: false removes it", () => {
  const x = Array.from({ length: 4000 }, () => [1, 2]);
  const f = new Branin({ noiseStd: 0.5, seed: 3 });
  const exact = f.evaluateTrue([[1, 2]])[0];
  const y = f.forward(x);
  let mean = 0;
  let sq = 0;
  for (const v of y) {
    mean += (v - exact) / y.length;
    sq += (v - exact) ** 2 / y.length;
  }
  ok(Math.abs(mean) < 0.05 && Math.abs(Math.sqrt(sq) - 0.5) < 0.03, `${mean} ${Math.sqrt(sq)}`);
  ok(new Branin({ noiseStd: 0.5, seed: 3 }).forward(x).every((v, i) => v === y[i]));
  ok(f.forward([[1, 2]], { noise: false })[0] === exact);
  ok(new Branin({ noiseStd: 0.5, negate: true }).forward([[1, 2]], { noise: false })[0] === -exact);
});

Deno.test("custom bounds replace the default box", () => {
  const f = new Ackley({ dim: 2, bounds: [[-1, -2], [1, 2]] });
  ok(f.bounds[0][1] === -2 && f.bounds[1][0] === 1);
  ok(new Ackley({ dim: 2 }).bounds[1][0] === 32.768);
});

Deno.test("test functions reject bad options and inputs, naming the argument", () => {
  throws(() => new Hartmann({ dim: 4 }), /Hartmann\(options.dim\): dim = 4/);
  throws(() => new Rosenbrock({ dim: 1 }), /dim = 1 must be an integer ≥ 2/);
  throws(() => new Levy({ dim: 0 }), RangeError);
  throws(() => new Ackley({ dim: 2.5 }), RangeError);
  throws(() => new Branin({ noiseStd: -1 }), /noiseStd/);
  throws(() => new Branin({ seed: -1 }), RangeError);
  throws(() => new Branin({ bounds: [[0, 0], [0, 1]] }), /dimension 0 has lower = 0, upper = 0/);
  throws(() => new Branin({ bounds: [[0, 0, 0], [1, 1, 1]] }), TypeError);
  throws(() => new Branin({ bounds: [[0, 0]] }), /two rows/);
  throws(() => new Branin().evaluateTrue([[1, 2, 3]]), /2 are expected/);
  throws(() => new Branin().evaluateTrue([[1, NaN]]), RangeError);
});
