/**
 * The contract between the WGSL compiler of kernel programs (kernel_wgsl.ts) and its
 * opcode emitters (kernel_wgsl.ts for the composition opcodes and RBF,
 * kernel_wgsl_leaves.ts for the other leaves): what an emitter reads and writes.
 *
 * @example
 * ```ts
 * import type { OpcodeEmitter } from "./wgsl_emitter.ts";
 * import { strictEqual } from "node:assert";
 * // ADD: pop two entries, push their sum.
 * const add: OpcodeEmitter = (_ops, at, ctx) => {
 *   const b = ctx.pop(), a = ctx.pop();
 *   const v = ctx.fresh("add");
 *   ctx.let(v, `${a.value} + ${b.value}`);
 *   ctx.push({ value: v, derivs: new Map() });
 *   return at + 1;
 * };
 * strictEqual(typeof add, "function");
 * ```
 *
 * @module
 */

/** One stack entry of the compiled program: variable names. */
export interface StackEntry {
  /** The variable holding the value. */
  value: string;
  /** theta index → the variable holding ∂value/∂theta[p] (absent: zero). */
  derivs: Map<number, string>;
}

/** What an opcode emitter can use while compiling. */
export interface EmitContext {
  /** Whether derivatives are generated. */
  readonly derivatives: boolean;
  /** A fresh variable name with the given stem. */
  fresh(stem: string): string;
  /** Append `let name = expr;`. */
  let(name: string, expr: string): void;
  /** The expression for x_i[dim] − x_j[dim] (double-single difference). */
  delta(dim: number): string;
  /** The expression for x_i[dim]. */
  xi(dim: number): string;
  /** The expression for x_j[dim]. */
  xj(dim: number): string;
  /** The expression for theta[p]. */
  theta(p: number): string;
  /** Pop the top stack entry. */
  pop(): StackEntry;
  /** Push an entry. */
  push(entry: StackEntry): void;
}

/**
 * Compiles one instruction starting at `ops[at]` (the opcode) and returns the index of
 * the next instruction.
 */
export type OpcodeEmitter = (ops: Int32Array, at: number, ctx: EmitContext) => number;
