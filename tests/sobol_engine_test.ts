import { deepStrictEqual, ok, throws } from "node:assert";
import { Generator } from "../src/random.ts";
import { SobolEngine } from "../src/bo/sobol_engine.ts";
import type { Inputs } from "../src/tensor.ts";

// References from scipy 1.10.1, `scipy.stats.qmc.Sobol(d, scramble=False)` (same
// new-joe-kuo-6.21201 direction numbers and Gray-code order as torch's SobolEngine); the points
// are dyadic, so they are committed as exact integers times 2⁻ᵐ.

/** scipy: `Sobol(21, scramble=False).random(32) * 32` */
const FIRST_32_TIMES_32: number[][] = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16],
  [24, 8, 8, 8, 24, 24, 8, 24, 24, 24, 24, 24, 8, 8, 24, 8, 24, 8, 24, 8, 8],
  [8, 24, 24, 24, 8, 8, 24, 8, 8, 8, 8, 8, 24, 24, 8, 24, 8, 24, 8, 24, 24],
  [12, 12, 20, 28, 12, 4, 12, 28, 28, 20, 28, 12, 12, 20, 12, 28, 12, 28, 28, 4, 4],
  [28, 28, 4, 12, 28, 20, 28, 12, 12, 4, 12, 28, 28, 4, 28, 12, 28, 12, 12, 20, 20],
  [20, 4, 28, 20, 20, 28, 4, 4, 4, 12, 4, 20, 4, 28, 20, 20, 20, 20, 4, 12, 12],
  [4, 20, 12, 4, 4, 12, 20, 20, 20, 28, 20, 4, 20, 12, 4, 4, 4, 4, 20, 28, 28],
  [6, 10, 30, 14, 18, 10, 14, 30, 30, 10, 22, 2, 30, 30, 26, 30, 26, 26, 30, 10, 6],
  [22, 26, 14, 30, 2, 26, 30, 14, 14, 26, 6, 18, 14, 14, 10, 14, 10, 10, 14, 26, 22],
  [30, 2, 22, 6, 10, 18, 6, 6, 6, 18, 14, 26, 22, 22, 2, 22, 2, 18, 6, 2, 14],
  [14, 18, 6, 22, 26, 2, 22, 22, 22, 2, 30, 10, 6, 6, 18, 6, 18, 2, 22, 18, 30],
  [10, 6, 10, 18, 30, 14, 2, 2, 2, 30, 10, 14, 18, 10, 22, 2, 22, 6, 2, 14, 2],
  [26, 22, 26, 2, 14, 30, 18, 18, 18, 14, 26, 30, 2, 26, 6, 18, 6, 22, 18, 30, 18],
  [18, 14, 2, 26, 6, 22, 10, 26, 26, 6, 18, 22, 26, 2, 14, 10, 14, 14, 26, 6, 10],
  [2, 30, 18, 10, 22, 6, 26, 10, 10, 22, 2, 6, 10, 18, 30, 26, 30, 30, 10, 22, 26],
  [3, 15, 15, 21, 9, 31, 17, 27, 15, 5, 3, 13, 21, 21, 11, 1, 25, 19, 25, 1, 23],
  [19, 31, 31, 5, 25, 15, 1, 11, 31, 21, 19, 29, 5, 5, 27, 17, 9, 3, 9, 17, 7],
  [27, 7, 7, 29, 17, 7, 25, 3, 23, 29, 27, 21, 29, 29, 19, 9, 1, 27, 1, 9, 31],
  [11, 23, 23, 13, 1, 23, 9, 19, 7, 13, 11, 5, 13, 13, 3, 25, 17, 11, 17, 25, 15],
  [15, 3, 27, 9, 5, 27, 29, 7, 19, 17, 31, 1, 25, 1, 7, 29, 21, 15, 5, 5, 19],
  [31, 19, 11, 25, 21, 11, 13, 23, 3, 1, 15, 17, 9, 17, 23, 13, 5, 31, 21, 21, 3],
  [23, 11, 19, 1, 29, 3, 21, 31, 11, 9, 7, 25, 17, 9, 31, 21, 13, 7, 29, 13, 27],
  [7, 27, 3, 17, 13, 19, 5, 15, 27, 25, 23, 9, 1, 25, 15, 5, 29, 23, 13, 29, 11],
  [5, 5, 17, 27, 27, 21, 31, 5, 17, 15, 21, 15, 11, 11, 17, 31, 3, 9, 7, 11, 17],
  [21, 21, 1, 11, 11, 5, 15, 21, 1, 31, 5, 31, 27, 27, 1, 15, 19, 25, 23, 27, 1],
  [29, 13, 25, 19, 3, 13, 23, 29, 9, 23, 13, 23, 3, 3, 9, 23, 27, 1, 31, 3, 25],
  [13, 29, 9, 3, 19, 29, 7, 13, 25, 7, 29, 7, 19, 19, 25, 7, 11, 17, 15, 19, 9],
  [9, 9, 5, 7, 23, 17, 19, 25, 13, 27, 9, 3, 7, 31, 29, 3, 15, 21, 27, 15, 21],
  [25, 25, 21, 23, 7, 1, 3, 9, 29, 11, 25, 19, 23, 15, 13, 19, 31, 5, 11, 31, 5],
  [17, 1, 13, 15, 15, 9, 27, 1, 21, 3, 17, 27, 15, 23, 5, 11, 23, 29, 3, 7, 29],
  [1, 17, 29, 31, 31, 25, 11, 17, 5, 19, 1, 11, 31, 7, 21, 27, 7, 13, 19, 23, 13],
];

/** scipy: `s = Sobol(21, scramble=False); s.fast_forward(1000); s.random(3) * 2048` */
const POINTS_1000_TIMES_2048: number[][] = [
  [
    450,
    198,
    1062,
    1386,
    574,
    1858,
    94,
    1842,
    1026,
    142,
    174,
    522,
    330,
    786,
    294,
    758,
    1474,
    706,
    2030,
    1486,
    1070,
  ],
  [
    1474,
    1222,
    38,
    362,
    1598,
    834,
    1118,
    818,
    2,
    1166,
    1198,
    1546,
    1354,
    1810,
    1318,
    1782,
    450,
    1730,
    1006,
    462,
    46,
  ],
  [
    1986,
    710,
    1574,
    1898,
    1086,
    322,
    606,
    306,
    514,
    1678,
    1710,
    1034,
    842,
    274,
    1830,
    246,
    962,
    194,
    494,
    1998,
    1582,
  ],
];

/** scipy: `s = Sobol(500, scramble=False); s.fast_forward(5); s.random(1)[0, 490:] * 8` */
const POINT_5_DIMS_490_TIMES_8 = [7, 5, 7, 5, 3, 1, 3, 3, 3, 1];

/** scipy: `s = Sobol(500, scramble=False); s.fast_forward(777); s.random(1)[0, 480:] * 1024` */
const POINT_777_DIMS_480_TIMES_1024 = [
  671,
  873,
  421,
  247,
  279,
  233,
  887,
  323,
  733,
  525,
  991,
  233,
  81,
  439,
  929,
  247,
  843,
  421,
  999,
  329,
];

function scaled(x: Inputs, scale: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < x.n; i++) rows.push([...x.row(i)].map((v) => v * scale));
  return rows;
}

/** Centered L2 discrepancy (Hickernell 1998), squared, as scipy's `qmc.discrepancy`. */
function centeredDiscrepancy(x: Inputs): number {
  const { n, d } = x;
  let a = 0;
  for (let i = 0; i < n; i++) {
    let p = 1;
    for (let k = 0; k < d; k++) {
      const z = Math.abs(x.data[i * d + k] - 0.5);
      p *= 1 + 0.5 * z - 0.5 * z * z;
    }
    a += p;
  }
  let b = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let p = 1;
      for (let k = 0; k < d; k++) {
        const xi = x.data[i * d + k];
        const xj = x.data[j * d + k];
        p *= 1 + 0.5 * Math.abs(xi - 0.5) + 0.5 * Math.abs(xj - 0.5) - 0.5 * Math.abs(xi - xj);
      }
      b += p;
    }
  }
  return (13 / 12) ** d - (2 / n) * a + b / (n * n);
}

/** True when every elementary interval [a/2^k, (a+1)/2^k) × [b/2^(m−k), …) holds one point. */
function isTwoDimensionalNet(x: Inputs, d1: number, d2: number, m: number): boolean {
  for (let k = 0; k <= m; k++) {
    const counts = new Uint32Array(2 ** m);
    for (let i = 0; i < x.n; i++) {
      const a = Math.floor(x.data[i * x.d + d1] * 2 ** k);
      const b = Math.floor(x.data[i * x.d + d2] * 2 ** (m - k));
      counts[a * 2 ** (m - k) + b]++;
    }
    if (counts.some((c) => c !== 1)) return false;
  }
  return true;
}

Deno.test("SobolEngine draws scipy's first 32 unscrambled points in 21 dimensions exactly", () => {
  const sobol = new SobolEngine(21);
  deepStrictEqual(scaled(sobol.draw(32), 32), FIRST_32_TIMES_32);
  ok(sobol.numGenerated === 32);
});

Deno.test("SobolEngine.draw() in pieces and fastForward() continue the same sequence", () => {
  const pieces = new SobolEngine(21);
  const rows = [...scaled(pieces.draw(5), 32), ...scaled(pieces.draw(27), 32)];
  deepStrictEqual(rows, FIRST_32_TIMES_32);
  const skip = new SobolEngine(21).fastForward(1000);
  deepStrictEqual(scaled(skip.draw(3), 2048), POINTS_1000_TIMES_2048);
  const mixed = new SobolEngine(21);
  mixed.draw(400);
  mixed.fastForward(600);
  deepStrictEqual(scaled(mixed.draw(3), 2048), POINTS_1000_TIMES_2048);
  deepStrictEqual(scaled(mixed.reset().draw(32), 32), FIRST_32_TIMES_32);
});

Deno.test("SobolEngine's last dimensions (up to 500) equal scipy's", () => {
  const a = new SobolEngine(500).fastForward(5).draw(1);
  deepStrictEqual([...a.row(0).subarray(490)].map((v) => v * 8), POINT_5_DIMS_490_TIMES_8);
  const b = new SobolEngine(500).fastForward(777).draw(1);
  deepStrictEqual([...b.row(0).subarray(480)].map((v) => v * 1024), POINT_777_DIMS_480_TIMES_1024);
});

Deno.test("SobolEngine's centered discrepancy equals scipy's and is far below random points'", () => {
  const sobol = new SobolEngine(5).draw(256);
  // scipy: qmc.discrepancy(Sobol(5, scramble=False).random(256)) = 0.0002597808337478913
  const cd = centeredDiscrepancy(sobol);
  ok(Math.abs(cd - 0.0002597808337478913) < 1e-12 * 0.00026 + 1e-15, `CD² = ${cd}`);
  const scrambled = centeredDiscrepancy(new SobolEngine(5, { scramble: true, seed: 3 }).draw(256));
  const rng = new Generator(3);
  const random = new Float64Array(256 * 5).map(() => rng.uniform());
  const cdRandom = centeredDiscrepancy({ data: random, n: 256, d: 5 } as Inputs);
  // Here: Sobol 2.6e-4, scrambled 2.4e-4, random points 9.7e-3 (CD² of random points shrinks
  // like 1/n, Sobol's nearly like 1/n²).
  ok(scrambled < cdRandom / 10 && cd < cdRandom / 10, `${cd} ${scrambled} vs ${cdRandom}`);
});

Deno.test("SobolEngine points, scrambled or not, form exact (0, m, 2)-nets in dims 1–2", () => {
  for (const scramble of [false, true]) {
    for (const seed of [0, 1, 2]) {
      const x = new SobolEngine(4, { scramble, seed }).drawBase2(8);
      ok(isTwoDimensionalNet(x, 0, 1, 8), `scramble ${scramble}, seed ${seed}`);
      // Every single coordinate is stratified into 256 equal cells.
      for (let k = 0; k < 4; k++) {
        const cells = new Set<number>();
        for (let i = 0; i < x.n; i++) cells.add(Math.floor(x.data[i * 4 + k] * 256));
        ok(cells.size === 256);
      }
    }
  }
});

Deno.test("SobolEngine scrambled points lie in [0, 1), differ by seed and reproduce from it", () => {
  const a = new SobolEngine(21, { scramble: true, seed: 11 }).draw(1024);
  const b = new SobolEngine(21, { scramble: true, seed: 11 }).draw(1024);
  const c = new SobolEngine(21, { scramble: true, seed: 12 }).draw(1024);
  ok(a.equals(b) && !a.equals(c));
  ok(a.data.every((v) => v >= 0 && v < 1));
  const s = new SobolEngine(3, { scramble: true, seed: 5 });
  ok(s.seed === 5 && s.scramble);
  const first = s.draw(10);
  ok(s.reset().draw(10).equals(first));
  const skip = new SobolEngine(3, { scramble: true, seed: 5 }).fastForward(4).draw(6);
  deepStrictEqual([...skip.data], [...first.data.subarray(12)]);
  // The mean of each coordinate is close to 1/2 (exactly balanced up to 2⁻⁸ cells).
  for (let k = 0; k < 21; k++) {
    let mean = 0;
    for (let i = 0; i < 1024; i++) mean += a.data[i * 21 + k] / 1024;
    ok(Math.abs(mean - 0.5) < 1e-3);
  }
});

Deno.test("SobolEngine rejects bad dimension, counts and options with RangeError/TypeError", () => {
  throws(() => new SobolEngine(0), RangeError);
  throws(() => new SobolEngine(501), /dimension = 501 must be an integer in \[1, 500\]/);
  throws(() => new SobolEngine(2.5), RangeError);
  throws(() => new SobolEngine(2, { scramble: "yes" as unknown as boolean }), TypeError);
  throws(() => new SobolEngine(2, { scramble: true, seed: -1 }), RangeError);
  const s = new SobolEngine(2);
  throws(() => s.draw(0), /n = 0 must be a positive integer/);
  throws(() => s.draw(1.5), RangeError);
  throws(() => s.fastForward(-1), /non-negative/);
  s.draw(3);
  throws(() => s.drawBase2(2), /not a multiple of 2\^2/);
  ok(s.numGenerated === 3, "a rejected call leaves the engine where it was");
  throws(() => s.fastForward(2 ** 30), /2\^30 points/);
  ok(s.numGenerated === 3);
});
