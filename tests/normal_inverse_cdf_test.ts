// gp.special.normalInverseCdf (Wichura's AS 241) against scipy.special.ndtri and as the
// inverse of the library's normalCdf / logNormalCdf.
import assert from "node:assert";
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";

// scipy 1.10 (Debian's) scipy.special.ndtri(p), repr'd.
const SCIPY: Array<[number, number]> = [
  [1e-300, -37.0470962993612],
  [1e-100, -21.273453560965322],
  [1e-20, -9.262340089798409],
  [1e-10, -6.361340902404056],
  [1e-05, -4.264890793922825],
  [0.001, -3.090232306167813],
  [0.02425, -1.972961051311885],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080409],
  [0.7, 0.5244005127080407],
  [0.975, 1.959963984540054],
  [0.999, 3.090232306167813],
  [0.9999999999, 6.361340889697422],
];

Deno.test("normalInverseCdf() matches scipy's ndtri to 1e-15 relative, from p = 1e-300 to 1 − 1e-10", () => {
  for (const [p, z] of SCIPY) {
    assertClose(gp.special.normalInverseCdf(p), z, { rtol: 1e-15, what: `Φ⁻¹(${p})` });
  }
});

Deno.test("normalInverseCdf() inverts normalCdf in the body and logNormalCdf in the tails, on a dense grid", () => {
  for (let i = 1; i < 2048; i++) {
    const p = i / 2048; // dyadic, so 1 − p is exact
    const z = gp.special.normalInverseCdf(p);
    assertClose(gp.special.normalCdf(z), p, { rtol: 1e-14, what: `Φ(Φ⁻¹(${p}))` });
    // Symmetry: Φ⁻¹(1 − p) = −Φ⁻¹(p) where 1 − p is exact.
    assertClose(gp.special.normalInverseCdf(1 - p), -z, { rtol: 1e-15, atol: 1e-16 });
  }
  for (let e = -300; e <= -2; e += 0.5) {
    const p = 10 ** e;
    const z = gp.special.normalInverseCdf(p);
    assertClose(gp.special.logNormalCdf(z), Math.log(p), {
      rtol: 1e-14,
      what: `log Φ(Φ⁻¹(1e${e}))`,
    });
  }
});

Deno.test("normalInverseCdf() returns ±Infinity at 0 and 1 and NaN outside [0, 1]", () => {
  assert.strictEqual(gp.special.normalInverseCdf(0), -Infinity);
  assert.strictEqual(gp.special.normalInverseCdf(1), Infinity);
  assert.strictEqual(gp.special.normalInverseCdf(0.5), 0);
  for (const p of [-0.1, 1.5, NaN, Infinity]) {
    assert.ok(Number.isNaN(gp.special.normalInverseCdf(p)), `Φ⁻¹(${p})`);
  }
});
