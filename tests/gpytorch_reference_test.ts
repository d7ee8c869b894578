// gpts against GPyTorch 1.12's float64 Cholesky training on the same teacher draw.
import { assertClose } from "./_assert.ts";
import { loadReference, loadTeacher, makeStudent, NAME_MAP } from "./_seed_model.ts";
import * as gp from "../mod.ts";

const teacher = loadTeacher();

Deno.test("mll.call() and backward() match GPyTorch's loss and gradients at each of 50 Adam iterations", async () => {
  const ref = loadReference(50);
  const s = makeStudent(teacher);
  const named = new Map(s.model.namedParameters());
  for (const step of ref.trace) {
    for (const [name, raw] of Object.entries(step.raw)) {
      assertClose(named.get(NAME_MAP[name])!.rawValues, raw, {
        rtol: 1e-8,
        atol: 1e-12,
        what: `iteration ${step.iter}: ${name}`,
      });
    }
    s.optimizer.zeroGrad();
    const loss = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
    loss.backward();
    assertClose(loss.value, step.loss, { rtol: 1e-8, what: `iteration ${step.iter}: loss` });
    for (const [name, grad] of Object.entries(step.grad)) {
      assertClose(named.get(NAME_MAP[name])!.grad!, grad, {
        rtol: 1e-8,
        what: `iteration ${step.iter}: d loss / d ${name}`,
      });
    }
    s.optimizer.step();
  }
  for (const [name, raw] of Object.entries(ref.final.raw)) {
    assertClose(named.get(NAME_MAP[name])!.rawValues, raw, {
      rtol: 1e-7,
      what: `after 50 iterations: ${name}`,
    });
  }
  // The frozen outputscale never moved.
  assertClose(s.model.covarModule.outputscale, 1, { rtol: 1e-15, what: "outputscale" });
});

Deno.test("the exact posterior matches GPyTorch's on the training inputs and a grid, after 50 iterations", async () => {
  const ref = loadReference(50);
  const s = makeStudent(teacher);
  const named = new Map(s.model.namedParameters());
  // Put GPyTorch's final parameters in, so the posterior is compared on its own.
  for (const [name, raw] of Object.entries(ref.final.raw)) {
    named.get(NAME_MAP[name])!.setRaw(raw);
  }
  s.model.eval();
  for (const where of ["train", "grid"] as const) {
    const post = ref.posterior[where];
    const f = s.model.call(post.x);
    assertClose(await f.mean(), post.f_mean, { rtol: 1e-8, atol: 1e-10, what: `${where} f mean` });
    assertClose(await f.variance(), post.f_var, {
      rtol: 1e-8,
      atol: 1e-10,
      what: `${where} f var`,
    });
    const y = s.likelihood.call(f);
    assertClose(await y.variance(), post.y_var, {
      rtol: 1e-8,
      atol: 1e-10,
      what: `${where} y var`,
    });
    {
      using _ = gp.settings.fastPredVar();
      const fast = s.model.call(post.x);
      assertClose(await fast.variance(), post.f_var, {
        rtol: 1e-8,
        atol: 1e-10,
        what: `${where} f var (fastPredVar)`,
      });
    }
  }
});

Deno.test("500 Adam iterations reach GPyTorch's final loss and parameters at the noise floor", async () => {
  const ref = loadReference(500);
  const s = makeStudent(teacher);
  let loss = NaN;
  for (let i = 0; i < ref.iters; i++) {
    s.optimizer.zeroGrad();
    const l = (await s.mll.call(s.model.call(teacher.x), teacher.y)).neg();
    l.backward();
    loss = l.value;
    s.optimizer.step();
  }
  assertClose(loss, ref.trace[ref.iters - 1].loss, { rtol: 1e-6, what: "final loss" });
  assertClose(s.model.covarModule.baseKernel.lengthscale, ref.final.lengthscale, {
    rtol: 1e-6,
    what: "final lengthscale",
  });
  assertClose(s.likelihood.noise, ref.final.noise, { rtol: 1e-6, what: "final noise" });
  assertClose(s.model.meanModule.constant, ref.final.constant, {
    rtol: 1e-6,
    what: "final constant",
  });
  // And the posterior after the full run.
  s.model.eval();
  const f = s.model.call(ref.posterior.grid.x);
  assertClose(await f.mean(), ref.posterior.grid.f_mean, {
    rtol: 1e-5,
    atol: 1e-8,
    what: "grid mean",
  });
});
