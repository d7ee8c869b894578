// Shared assertions for the test files: closeness with both tolerances named.
import { AssertionError } from "node:assert";

/** |actual − expected| ≤ atol + rtol·|expected|, elementwise, with a message naming `what`. */
export function assertClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  { rtol = 0, atol = 0, what = "value" }: { rtol?: number; atol?: number; what?: string },
): void {
  const a = typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  if (a.length !== e.length) {
    throw new AssertionError({
      message: `${what}: length ${a.length}, expected ${e.length}`,
    });
  }
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= atol + rtol * Math.abs(e[i]))) {
      throw new AssertionError({
        message: `${what}${a.length > 1 ? `[${i}]` : ""}: got ${a[i]}, expected ${e[i]} ` +
          `(error ${err.toExponential(3)}, relative ${
            (err / Math.abs(e[i])).toExponential(3)
          }; rtol ${rtol}, atol ${atol})`,
      });
    }
  }
}
