import assert from "node:assert/strict";
import { Generator, linspace } from "../mod.ts";
import { toInputs, toVector } from "../src/tensor.ts";

Deno.test("linspace() matches torch.linspace, ends included", () => {
  assert.deepEqual(Array.from(linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
  const x = linspace(0, 1, 1000);
  assert.equal(x[999], 1);
  assert.equal(x[0], 0);
  assert.throws(() => linspace(0, 1, 0), RangeError);
});

Deno.test("toInputs() turns flat arrays into N × 1 and rows into N × d", () => {
  const a = toInputs([1, 2, 3], "x");
  assert.equal(a.n, 3);
  assert.equal(a.d, 1);
  const b = toInputs([[1, 2], [3, 4]], "x");
  assert.equal(b.d, 2);
  assert.deepEqual(Array.from(b.row(1)), [3, 4]);
});

Deno.test("toInputs() and toVector() reject NaN, Infinity, ragged rows and empty data, naming the argument", () => {
  assert.throws(
    () => toInputs([0, NaN], "trainX"),
    (e: unknown) => e instanceof RangeError && /trainX\[1\] is NaN/.test(e.message),
  );
  assert.throws(
    () => toVector([Infinity], "trainY"),
    (e: unknown) => e instanceof RangeError && /trainY\[0\] is Infinity/.test(e.message),
  );
  assert.throws(
    () => toInputs([[1, 2], [3]], "x"),
    (e: unknown) => e instanceof TypeError && /x\[1\]/.test(e.message),
  );
  assert.throws(
    () => toInputs([], "x"),
    (e: unknown) => e instanceof RangeError && /empty/.test(e.message),
  );
  assert.throws(() => toInputs("abc" as never, "x"), TypeError);
  assert.throws(
    () => toInputs([[1, 2]], "x", 1),
    (e: unknown) => e instanceof TypeError && /2 dimension/.test(e.message),
  );
});

Deno.test("Generator gives the same normals for the same seed and standard moments", () => {
  assert.deepEqual(new Generator(5).normals(4), new Generator(5).normals(4));
  const z = new Generator(1).normals(200_000);
  let m = 0, v = 0;
  for (const x of z) m += x;
  m /= z.length;
  for (const x of z) v += (x - m) ** 2;
  v /= z.length;
  assert.ok(Math.abs(m) < 0.01, `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 0.015, `variance ${v}`);
  assert.throws(() => new Generator(-1), RangeError);
});
