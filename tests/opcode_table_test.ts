// One opcode table: `Op` (src/opcodes.ts) is the TypeScript copy, core-rs's `OP_*`
// constants the Rust one, and the WGSL emitters' table must cover exactly those opcodes,
// keyed by `Op.X` rather than by raw numbers.
import assert from "node:assert/strict";
import { Op } from "../src/opcodes.ts";
import { OPCODE_EMITTERS } from "../src/webgpu/kernel_wgsl.ts";

/** The Rust file that holds the `const OP_NAME: i32 = N;` lines, one per line. */
const RUST_OPCODES = "core-rs/src/opcodes.rs";
/** The WGSL emitter files whose tables must use `Op.X` keys. */
const EMITTER_FILES = ["src/webgpu/kernel_wgsl.ts", "src/webgpu/kernel_wgsl_leaves.ts"];

const root = new URL("../", import.meta.url);

/** `OP_NAME` → N for every `[pub] const OP_NAME: i32 = N;` line of Rust source. */
function rustOpcodes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (
    const m of text.matchAll(
      /^\s*(?:pub(?:\([a-z]+\))?\s+)?const OP_([A-Z0-9_]+): i32 = (-?\d+);/gm,
    )
  ) {
    assert.ok(!out.has(m[1]), `OP_${m[1]} is defined twice in ${RUST_OPCODES}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

Deno.test("rustOpcodes() reads both the private and the pub form, one per line", () => {
  const parsed = rustOpcodes(
    "const OP_RBF: i32 = 1;\npub const OP_SCALE: i32 = 2;\n// const OP_X: i32 = 3;",
  );
  assert.deepEqual([...parsed], [["RBF", 1], ["SCALE", 2]]);
});

Deno.test("Op (TypeScript) and core-rs's OP_* constants are the same table", async () => {
  const rust = rustOpcodes(await Deno.readTextFile(new URL(RUST_OPCODES, root)));
  assert.ok(rust.size > 0, `no OP_* constants found in ${RUST_OPCODES}`);
  assert.deepEqual(
    Object.fromEntries([...rust].sort((a, b) => a[1] - b[1])),
    Object.fromEntries(Object.entries(Op).sort((a, b) => a[1] - b[1])),
  );
});

Deno.test("the opcodes are distinct positive integers", () => {
  const values = Object.values(Op);
  assert.equal(new Set(values).size, values.length);
  for (const v of values) assert.ok(Number.isInteger(v) && v > 0);
});

Deno.test("the WGSL emitters cover exactly the opcodes of Op", () => {
  assert.deepEqual(
    [...OPCODE_EMITTERS.keys()].sort((a, b) => a - b),
    Object.values(Op).sort((a, b) => a - b),
  );
});

Deno.test("the WGSL emitter tables are keyed by Op.X, never by a raw number", async () => {
  for (const file of EMITTER_FILES) {
    const text = await Deno.readTextFile(new URL(file, root));
    const raw = text.split("\n").filter((line) => /^\s*\[\s*\d+\s*,/.test(line));
    assert.deepEqual(raw, [], `${file} keys an emitter by a raw opcode number`);
  }
});
