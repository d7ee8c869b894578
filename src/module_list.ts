/**
 * A list of submodules, as `torch.nn.ModuleList`: items are named "0", "1", … in
 * paths (`kernels.0.lengthscale`).
 *
 * @module
 */

import { Module } from "./module.ts";

/**
 * An ordered list of modules that the module tree walks into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModuleList } from "./module_list.ts";
 * import { RBFKernel } from "./kernels/rbf_kernel.ts";
 * const list = new ModuleList([new RBFKernel(), new RBFKernel()]);
 * list.initialize({ "1.lengthscale": 2 });
 * assert.deepEqual(list.namedParameters().map(([n]) => n), ["0.rawLengthscale", "1.rawLengthscale"]);
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  /** The modules, in order. */
  readonly items: M[];

  /** A list of the modules `items`, in order. */
  constructor(items: Iterable<M>) {
    super();
    this.items = [...items];
    for (const [i, m] of this.items.entries()) {
      if (!(m instanceof Module)) {
        throw new TypeError(`ModuleList(items): items[${i}] is ${m}, not a module`);
      }
    }
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The items, named by their index ("0", "1", …). */
  override namedChildren(): Array<[string, Module]> {
    return this.items.map((m, i) => [String(i), m]);
  }

  /** GPyTorch-style text of the list and its items. */
  override toString(): string {
    if (this.items.length === 0) return "ModuleList()";
    const lines = this.items.map((m, i) => `(${i}): ${m.toString().split("\n").join("\n  ")}`);
    return `ModuleList(\n${lines.map((l) => "  " + l).join("\n")}\n)`;
  }
}
