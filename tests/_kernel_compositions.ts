// Kernel compositions every device must pass (shared by the WebGPU tests).
import { PlanBuilder } from "../src/kernel_plan.ts";
import { Parameter } from "../src/parameter.ts";

/** Kernel compositions every device must run (d = 2 inputs). */
export function compositions(): Array<{ name: string; build: (b: PlanBuilder) => void }> {
  const p = (v: number[]) => new Parameter(v);
  return [
    { name: "RBF", build: (b) => b.emit(1, 2, 0, 1, 1, b.param(p([0.3]))) },
    {
      name: "ARD RBF",
      build: (b) => {
        const ls = p([0.3, 0.7]);
        b.emit(1, 2, 0, 1, 2, b.param(ls, 0), b.param(ls, 1));
      },
    },
    {
      name: "Scale(RBF on dim 1)",
      build: (b) => {
        b.emit(1, 1, 1, 1, b.param(p([0.2])));
        b.emit(2, b.param(p([1.7])));
      },
    },
    {
      name: "Scale(RBF) + Scale(RBF)",
      build: (b) => {
        b.emit(1, 2, 0, 1, 1, b.param(p([0.05])));
        b.emit(2, b.param(p([0.5])));
        b.emit(1, 2, 0, 1, 1, b.param(p([0.9])));
        b.emit(2, b.param(p([2.0])));
        b.emit(3);
      },
    },
    {
      name: "RBF(dim 0) × Scale(RBF(dim 1)), shared lengthscale",
      build: (b) => {
        const ls = p([0.4]);
        b.emit(1, 1, 0, 1, b.param(ls));
        b.emit(1, 1, 1, 1, b.param(ls));
        b.emit(2, b.param(p([1.3])));
        b.emit(4);
      },
    },
  ];
}

export function planFor(build: (b: PlanBuilder) => void): ReturnType<PlanBuilder["build"]> {
  const b = new PlanBuilder(2);
  b.useDim(1);
  build(b);
  return b.build();
}
