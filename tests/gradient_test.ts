// Every gradient of the exact MLL against central finite differences.
import * as gp from "../mod.ts";
import { assertClose } from "./_assert.ts";
import { ardProblem } from "./_ard_problem.ts";

async function lossOf(
  mll: gp.mlls.ExactMarginalLogLikelihood,
  x: gp.InputLike,
  y: ArrayLike<number>,
) {
  return (await mll.call(mll.model.call(x), y)).neg();
}

for (const n of [5, 40, 130]) {
  Deno.test(`mll gradients match central finite differences for every raw parameter, when n = ${n}`, async () => {
    const { x, y, likelihood, model } = ardProblem(n, n);
    const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
    const loss = await lossOf(mll, x, y);
    loss.backward();
    for (const [name, p] of model.namedParameters()) {
      const analytic = p.grad!;
      for (let i = 0; i < p.size; i++) {
        const raw = p.rawValues;
        const h = 1e-5;
        raw[i] += h;
        p.setRaw(raw);
        const up = (await lossOf(mll, x, y)).value;
        raw[i] -= 2 * h;
        p.setRaw(raw);
        const down = (await lossOf(mll, x, y)).value;
        raw[i] += h;
        p.setRaw(raw);
        assertClose(analytic[i], (up - down) / (2 * h), {
          rtol: 1e-5,
          atol: 1e-8,
          what: `d loss / d ${name}[${i}]`,
        });
      }
    }
  });
}
