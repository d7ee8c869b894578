/**
 * Module: the tree of named parameters and submodules that models, kernels, means
 * and likelihoods are made of, as `torch.nn.Module` for GPyTorch users.
 *
 * Submodules and parameters are found by walking the object's own properties, so a
 * model declares them as ordinary class fields:
 *
 * ```ts ignore
 * class MyModel extends gp.models.ExactGP {
 *   meanModule = new gp.means.ConstantMean();
 *   covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
 * }
 * ```
 *
 * @module
 */

import { Parameter } from "./parameter.ts";
import type { Prior, PriorState } from "./priors/prior.ts";
import { priorFromJSON } from "./priors/prior_from_json.ts";
import { type ConstraintState, constraintToJSON } from "./constraints.ts";

/** One parameter in a {@link StateDict}. */
export interface ParameterState {
  /** The raw values. */
  raw: number[];
  /** The constraint's class and bounds, or null. */
  constraint: ConstraintState | null;
  /** The prior's class and hyperparameters, or null. */
  prior: PriorState | null;
  /** Whether the parameter is trained. */
  requiresGrad: boolean;
}

/** A module tree's state as plain JSON (GPyTorch's `state_dict()`). */
export interface StateDict {
  /** Format tag. */
  format: "gpts.stateDict/1";
  /** Every parameter by dotted path, in `namedParameters()` order. */
  parameters: Record<string, ParameterState>;
}

/** Values for {@link Module.initialize}: numbers (or arrays) by name, possibly nested. */
export interface InitializeValues {
  /** A value, an array of values, or nested values for a submodule. */
  [name: string]: number | ArrayLike<number> | InitializeValues;
}

/** Where one `initialize` key lands. */
interface InitializeTarget {
  path: string;
  parameter: Parameter;
  raw: Float64Array;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The base of every model, kernel, mean and likelihood.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RBFKernel } from "./kernels/rbf_kernel.ts";
 * const k = new RBFKernel();
 * k.initialize({ lengthscale: 0.5 });
 * assert.deepEqual(k.namedParameters().map(([name]) => name), ["rawLengthscale"]);
 * ```
 */
export abstract class Module {
  #training = true;

  /** True in training mode (the default), false after {@link Module.eval}. */
  get training(): boolean {
    return this.#training;
  }

  /** Switch this module and all its submodules to training mode (or eval mode with `false`). */
  train(mode = true): this {
    this.#training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Switch this module and all its submodules to evaluation mode. */
  eval(): this {
    return this.train(false);
  }

  /** Direct submodules, in declaration order. */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([name, value]);
    }
    return out;
  }

  /** Parameters declared directly on this module, in declaration order. */
  ownParameters(): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Parameter) out.push([name, value]);
    }
    return out;
  }

  /**
   * Every parameter of the tree with its dotted path, own parameters first and then
   * each submodule's, as PyTorch orders them. A parameter shared by two modules is
   * listed once.
   */
  namedParameters(): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    const seen = new Set<Parameter>();
    const walk = (module: Module, prefix: string, visiting: Set<Module>) => {
      if (visiting.has(module)) return;
      visiting.add(module);
      for (const [name, p] of module.ownParameters()) {
        if (!seen.has(p)) {
          seen.add(p);
          out.push([prefix + name, p]);
        }
      }
      for (const [name, child] of module.namedChildren()) {
        walk(child, `${prefix}${name}.`, visiting);
      }
    };
    walk(this, "", new Set());
    return out;
  }

  /** Every parameter of the tree (see {@link Module.namedParameters}). */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Attach `prior` to the parameter named `parameter` of this module (a constrained
   * name such as "lengthscale" or the raw name), as GPyTorch's `register_prior`. The
   * prior is on the constrained value; a prior whose support the constraint does not
   * fit is a RangeError.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RBFKernel } from "./kernels/rbf_kernel.ts";
   * import { GammaPrior } from "./priors/gamma_prior.ts";
   * const k = new RBFKernel();
   * k.registerPrior("lengthscalePrior", new GammaPrior(3, 6), "lengthscale");
   * assert.equal(String(k.rawLengthscale.prior), "GammaPrior(concentration=3, rate=6)");
   * ```
   */
  registerPrior(name: string, prior: Prior, parameter: string): this {
    const own = new Map(this.ownParameters());
    const p = own.get(`raw${capitalize(parameter)}`) ?? own.get(parameter);
    if (p === undefined) {
      throw new TypeError(
        `registerPrior(${JSON.stringify(name)}, prior, ${JSON.stringify(parameter)}): ` +
          `${this.constructor.name} has no parameter "${parameter}"; its parameters are: ` +
          `${[...own.keys()].join(", ") || "(none)"}`,
      );
    }
    p.setPrior(prior, `registerPrior(${JSON.stringify(name)})`);
    return this;
  }

  /** Every parameter with a prior: [dotted path, prior, parameter]. */
  namedPriors(): Array<[string, Prior, Parameter]> {
    const out: Array<[string, Prior, Parameter]> = [];
    for (const [path, p] of this.namedParameters()) {
      if (p.prior !== null) out.push([path, p.prior, p]);
    }
    return out;
  }

  /**
   * Every parameter's raw values, constraint, prior and `requiresGrad`, as JSON-ready
   * data (`JSON.stringify` it to save).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RBFKernel } from "./kernels/rbf_kernel.ts";
   * const a = new RBFKernel().initialize({ lengthscale: 0.3 });
   * const b = new RBFKernel().loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
   * assert.equal(b.lengthscale, a.lengthscale);
   * ```
   */
  stateDict(): StateDict {
    const parameters: Record<string, ParameterState> = {};
    for (const [path, p] of this.namedParameters()) {
      parameters[path] = {
        raw: Array.from(p.rawValues),
        constraint: constraintToJSON(p.constraint),
        prior: p.prior === null ? null : p.prior.toJSON(),
        requiresGrad: p.requiresGrad,
      };
    }
    return { format: "gpts.stateDict/1", parameters };
  }

  /**
   * Load a state from {@link Module.stateDict} (or its JSON text). The state must
   * describe a module of the same structure: the same parameter paths in the same
   * order, the same sizes and the same constraints; the first difference is a
   * TypeError naming it. Everything is checked before anything changes.
   */
  loadStateDict(state: StateDict | string): this {
    const s: StateDict = typeof state === "string" ? JSON.parse(state) : state;
    if (s === null || typeof s !== "object" || s.format !== "gpts.stateDict/1") {
      throw new TypeError(
        `loadStateDict(state): expected the object (or JSON) from stateDict(), with format ` +
          `"gpts.stateDict/1"; got format ${JSON.stringify((s as StateDict | null)?.format)}`,
      );
    }
    const mine = this.namedParameters();
    const theirs = Object.entries(s.parameters ?? {});
    const plan: Array<{ p: Parameter; raw: Float64Array; prior: Prior | null; grad: boolean }> = [];
    for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
      const [path, p] = mine[i] ?? [undefined, undefined];
      const [spath, sp] = theirs[i] ?? [undefined, undefined];
      if (path === undefined || spath === undefined || path !== spath) {
        throw new TypeError(
          `loadStateDict: structure differs at parameter ${i}: this ${this.constructor.name} ` +
            `has ${path === undefined ? "no more parameters" : `"${path}"`} but the state has ` +
            `${spath === undefined ? "no more parameters" : `"${spath}"`}; load a state saved ` +
            `from a model built the same way`,
        );
      }
      if (!Array.isArray(sp.raw) || sp.raw.length !== p!.size) {
        throw new TypeError(
          `loadStateDict: "${path}" has ${p!.size} element(s) here but ` +
            `${Array.isArray(sp.raw) ? sp.raw.length : "no raw values"} in the state ` +
            `(ardNumDims or numMixtures differ?)`,
        );
      }
      const here = JSON.stringify(constraintToJSON(p!.constraint));
      const there = JSON.stringify(sp.constraint ?? null);
      if (here !== there) {
        throw new TypeError(
          `loadStateDict: "${path}" has constraint ${here} here but ${there} in the state; ` +
            `build the model with the same constraint`,
        );
      }
      const raw = p!.rawFor(sp.raw, path, { raw: true });
      const prior = sp.prior == null ? null : priorFromJSON(sp.prior);
      if (prior !== null) prior.checkFits(p!.constraint, path);
      plan.push({ p: p!, raw, prior, grad: sp.requiresGrad !== false });
    }
    for (const { p, raw, prior, grad } of plan) {
      p.setRaw(raw);
      p.setPrior(prior);
      p.requiresGrad_(grad);
    }
    return this;
  }

  /**
   * Extra names that `initialize` accepts, mapped to the path they stand for
   * (GaussianLikelihood maps `noise` to `noiseCovar.noise`).
   */
  protected aliases(): Record<string, string> {
    return {};
  }

  /**
   * Set parameters by name, in constrained units, as GPyTorch's `initialize`.
   *
   * A key names a constrained value (`lengthscale` sets `rawLengthscale` through its
   * constraint) or a raw parameter itself (`rawLengthscale`); dotted paths reach into
   * submodules, and nested objects work too. Every value is checked before anything
   * is set, so a bad value leaves the module as it was.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ScaleKernel } from "./kernels/scale_kernel.ts";
   * import { RBFKernel } from "./kernels/rbf_kernel.ts";
   * const k = new ScaleKernel(new RBFKernel());
   * k.initialize({ "baseKernel.lengthscale": 0.01, outputscale: 2 });
   * assert.ok(Math.abs(k.baseKernel.lengthscale - 0.01) < 1e-12);
   * ```
   */
  initialize(values: InitializeValues): this {
    if (values === null || typeof values !== "object") {
      throw new TypeError(
        `initialize(values): expected an object such as { lengthscale: 0.5 }, got ${values}`,
      );
    }
    const targets: InitializeTarget[] = [];
    this.#collectTargets(values, "", targets);
    for (const t of targets) t.parameter.setRaw(t.raw, t.path);
    return this;
  }

  #collectTargets(values: InitializeValues, prefix: string, out: InitializeTarget[]): void {
    for (const [key, value] of Object.entries(values)) {
      const path = prefix + key;
      if (value !== null && typeof value === "object" && !isArrayLike(value)) {
        this.#collectTargets(value as InitializeValues, path + ".", out);
        continue;
      }
      out.push(this.#target(path, value as number | ArrayLike<number>));
    }
  }

  #target(path: string, value: number | ArrayLike<number>): InitializeTarget {
    // deno-lint-ignore no-this-alias -- the walk starts here and moves down the tree
    let module: Module = this;
    let parts = path.split(".");
    // Walk down the tree; an alias (noise → noiseCovar.noise) is replaced by its path.
    while (true) {
      const alias = module.aliases()[parts[0]];
      const child = module.namedChildren().find(([name]) => name === parts[0]);
      if (child !== undefined && parts.length > 1) {
        module = child[1];
        parts = parts.slice(1);
      } else if (alias !== undefined) {
        parts = [...alias.split("."), ...parts.slice(1)];
      } else if (parts.length > 1) {
        throw new TypeError(
          `initialize: "${path}" — ${module.constructor.name} has no submodule "${parts[0]}"; ` +
            `its submodules are: ${module.namedChildren().map(([n]) => n).join(", ") || "(none)"}`,
        );
      } else {
        break;
      }
    }
    const leaf = parts[0];
    const own = new Map(module.ownParameters());
    const constrained = own.get(`raw${capitalize(leaf)}`);
    const parameter = constrained ?? own.get(leaf);
    if (parameter === undefined) {
      const names = [...own.keys()].map((n) =>
        n.startsWith("raw") && n.length > 3 ? `${n.charAt(3).toLowerCase()}${n.slice(4)}` : n
      );
      names.push(...Object.keys(module.aliases()));
      throw new TypeError(
        `initialize: "${path}" does not name a parameter of ${module.constructor.name}; ` +
          `its parameters are: ${names.join(", ") || "(none)"}`,
      );
    }
    const list = typeof value === "number" ? new Array(parameter.size).fill(value) : value;
    if (!isArrayLike(list)) {
      throw new TypeError(
        `initialize: "${path}" = ${value}; expected a number or an array of ${parameter.size}`,
      );
    }
    // A constrained name goes through the constraint's inverse; a raw name is taken as is.
    const raw = constrained !== undefined
      ? parameter.rawFor(list, path)
      : parameter.rawFor(list, path, { raw: true });
    return { path, parameter, raw };
  }

  /**
   * The module tree as text, like PyTorch's printout: each submodule and each
   * parameter's constraint, indented.
   */
  toString(): string {
    const lines: string[] = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) {
        lines.push(`(${name}): ${indent(value.toString())}`);
      } else if (value instanceof Parameter && value.constraint !== null) {
        lines.push(`(${name}Constraint): ${value.constraint}`);
      }
    }
    const typeName = this.constructor.name;
    if (lines.length === 0) return `${typeName}()`;
    return `${typeName}(\n${lines.map((l) => "  " + l).join("\n")}\n)`;
  }
}

function indent(text: string): string {
  return text.split("\n").join("\n  ");
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}
