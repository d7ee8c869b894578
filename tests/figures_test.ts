// The figures quoted in module comments and the README are the bench records' own,
// through one record: bench/results/figures.json (bench/figures.ts).
import assert from "node:assert/strict";
import {
  type Figure,
  FIGURES_JSON,
  figuresFromRecords,
  normalize,
  problems,
  seconds,
} from "../bench/figures.ts";

Deno.test("bench/results/figures.json equals its records, and every quote is in its files", () => {
  const recorded = JSON.parse(Deno.readTextFileSync(FIGURES_JSON)) as Record<string, Figure>;
  assert.deepEqual(problems(recorded), []);
});

Deno.test("problems() reports a changed record and a drifted quote", () => {
  const fresh = figuresFromRecords();
  const id = "crossover.easy.cg";
  const stale = { ...fresh, [id]: { ...fresh[id], text: "0.07 / 0.11 / 0.40 / 1.9 / 4.7 s" } };
  assert.equal(problems(stale, fresh).filter((p) => p.startsWith("figures.json")).length, 1);
  const drifted = problems(
    fresh,
    fresh,
    (file) =>
      Deno.readTextFileSync(new URL(`../${file}`, import.meta.url)).replace(
        "1.8 / 4.7 s",
        "1.7 / 4.7 s",
      ),
  );
  assert.deepEqual(drifted, [
    `src/engine/select.ts does not quote ${id}: ${JSON.stringify(fresh[id].text)}`,
  ]);
});

Deno.test("seconds() and normalize() quote as the texts do", () => {
  assert.equal(seconds(63.5), "0.06");
  assert.equal(seconds(18837.6), "18.8");
  assert.equal(normalize(" * 0.06 / 0.40\n *   / 2.3 s"), "0.06 / 0.40 / 2.3 s");
  assert.equal(normalize("| a |\n| ------ | --- |"), "| a | | --- | --- |");
});
