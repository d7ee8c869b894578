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
  SPEED_RECORD,
  speedTable,
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

Deno.test("speedTable() quotes a bench record's goals as the bench printed them, numpy-chol included", () => {
  const record = {
    goals: [
      {
        figure: "a",
        gpts: 81.94,
        unit: "ms",
        reference: "r",
        ratio: 0.655,
        goal: "< 110 ms",
        met: true,
      },
      {
        figure: "b",
        gpts: 2.9,
        unit: "s",
        reference: "q",
        ratio: 1.2,
        goal: "< 4 numpy-chol",
        met: false,
        gptsUnits: 145,
      },
      {
        figure: "c",
        gpts: null,
        unit: "s",
        reference: "—",
        ratio: null,
        goal: "(none)",
        met: null,
      },
    ],
  };
  assert.equal(
    speedTable(record),
    [
      "| figure | gpts | reference | ratio | goal | met |",
      "| --- | --- | --- | --- | --- | --- |",
      "| a | 81.9 ms | r | 0.66 | < 110 ms | met |",
      "| b | 2.90 s = 145.00 numpy-chol | q | 1.20 | < 4 numpy-chol | NOT met |",
      "| c | not built | — | — | (none) | — |",
    ].join("\n"),
  );
  assert.throws(() => speedTable({}), /no goals table/);
  assert.throws(() => speedTable({ ...record, quick: true }), /--quick/);
});

Deno.test("every Speed figure reads the one record SPEED_RECORD names", () => {
  const speed = Object.entries(figuresFromRecords()).filter(([id]) =>
    id.startsWith("readme.speed")
  );
  assert.ok(speed.length >= 3);
  for (const [, f] of speed) assert.equal(f.record, SPEED_RECORD);
});
