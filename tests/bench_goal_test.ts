// The bench judges time goals on ratios to numpy's n = 1000 Cholesky measured beside each
// figure, so a slower machine does not print "NOT met" for a goal its ratio meets.
import assert from "node:assert/strict";
import { REFERENCE_NUMPY_CHOLESKY_N1000_MS, timeGoal } from "../bench/run.ts";

Deno.test("timeGoal() judges on the ratio to numpy's Cholesky, when the machine is twice as slow", () => {
  const numpy = 2 * REFERENCE_NUMPY_CHOLESKY_N1000_MS; // this machine: twice as slow
  // 150 ms here is 75 ms on the reference machine: under a 110 ms goal.
  const g = timeGoal("loss+grad", 150, "ms", "GPyTorch 125 ms", 125, 110, numpy);
  assert.equal(g.met, true);
  assert.equal(g.gptsUnits, 150 / numpy);
  assert.equal(g.goalUnits, 110 / REFERENCE_NUMPY_CHOLESKY_N1000_MS);
  assert.ok(Math.abs(g.ratio! - 150 / numpy / (125 / REFERENCE_NUMPY_CHOLESKY_N1000_MS)) < 1e-15);
  // 250 ms here is 125 ms there: not met.
  assert.equal(timeGoal("x", 250, "ms", "r", 125, 110, numpy).met, false);
  // Seconds are converted to milliseconds before dividing by numpy's time.
  assert.equal(timeGoal("x", 4, "s", "r", 5, 5, REFERENCE_NUMPY_CHOLESKY_N1000_MS).gptsUnits, 200);
});

Deno.test("timeGoal() without numpy in the run judges on absolute times and says so", () => {
  const g = timeGoal("x", 100, "ms", "GPyTorch 125 ms", 125, 110, null);
  assert.equal(g.met, true);
  assert.match(g.reference, /absolute/);
});
