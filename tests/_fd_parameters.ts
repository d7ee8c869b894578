// Central finite differences over Parameters' raw values, against the recorded gradient.
import { AssertionError } from "node:assert";
import type { Parameter } from "../mod.ts";
import type { Tensor } from "../src/autograd/tensor.ts";

export async function checkParameterGradients(
  loss: () => Promise<Tensor> | Tensor,
  params: [string, Parameter][],
  { eps = 1e-6, rtol = 1e-6, atol = 1e-9 }: { eps?: number; rtol?: number; atol?: number } = {},
): Promise<number> {
  for (const [, p] of params) p.grad = null;
  (await loss()).backward();
  const analytic = params.map(([, p]) => p.grad?.slice() ?? new Float64Array(p.size));
  let worst = 0;
  for (const [k, [name, p]] of params.entries()) {
    const raw = p.rawValues;
    for (let e = 0; e < raw.length; e++) {
      const at = (d: number) => {
        const r = raw.slice();
        r[e] += d;
        p.setRaw(r);
      };
      at(eps);
      const up = (await loss()).item();
      at(-eps);
      const down = (await loss()).item();
      p.setRaw(raw);
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(analytic[k][e] - numeric);
      worst = Math.max(worst, err / (atol + rtol * Math.abs(numeric)));
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new AssertionError({
          message: `${name}[${e}]: recorded gradient ${analytic[k][e]}, finite difference ` +
            `${numeric} (error ${err})`,
        });
      }
    }
  }
  return worst;
}
