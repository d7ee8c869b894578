import assert from "node:assert/strict";
import * as gp from "../mod.ts";

const { Positive, GreaterThan, LessThan, Interval } = gp.constraints;

Deno.test("constraints invert their transforms and report derivatives that match finite differences", () => {
  const cases = [new Positive(), new GreaterThan(1e-4), new LessThan(2), new Interval(-1, 3)];
  for (const c of cases) {
    for (const raw of [-18, -5, -0.3, 0, 0.7, 4, 18]) {
      const v = c.transform(raw);
      // Where the transform is flat, float64 cannot hold enough of v to invert it exactly:
      // the round trip is as good as v's rounding (half an ulp of v) divided by dv/draw.
      const tolerance = 1e-12 + 2 * Number.EPSILON * Math.abs(v) / c.derivative(raw);
      const back = c.inverseTransform(v);
      assert.ok(Math.abs(back - raw) < tolerance, `${c} at ${raw}: ${back}`);
      const h = 1e-6;
      const fd = (c.transform(raw + h) - c.transform(raw - h)) / (2 * h);
      assert.ok(Math.abs(fd - c.derivative(raw)) < 1e-7, `${c}.derivative(${raw})`);
    }
  }
});

Deno.test("Positive maps raw 0 to log 2 and 1 to GPyTorch's 0.5413", () => {
  const p = new Positive();
  assert.equal(p.transform(0), Math.log(2));
  assert.equal(p.inverseTransform(1), 0.5413248546129181);
});

Deno.test("constraints reject values outside their support with the bound in the message", () => {
  assert.throws(() => new Positive().inverseTransform(0), /positive/);
  assert.throws(() => new GreaterThan(1e-4).inverseTransform(1e-5), /greater than 0\.0001/);
  assert.throws(() => new LessThan(1).inverseTransform(2), /less than 1/);
  assert.throws(() => new Interval(0, 1).inverseTransform(1), /between 0 and 1/);
  assert.throws(() => new Interval(1, 0), RangeError);
  assert.throws(() => new GreaterThan(NaN), RangeError);
});
