// The library computes without permissions: a training script outside the checkout,
// run in a subprocess with no permission flags and --no-prompt, gives the losses of
// the same script run with -A, bit for bit; a pool whose workers cannot start falls
// back to one thread with one warning, losing no call.
import nodeAssert from "node:assert";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const CHECKOUT = new URL("..", import.meta.url).pathname;

/**
 * The training script. `Deno.args[0]` can make every Worker fail at start (before
 * mod.ts is imported): "unreadable" starts them from a file that needs read access,
 * "throws" from code that throws on the pool's start message.
 */
const SCRIPT = `
const how = Deno.args[0];
if (how === "unreadable" || how === "throws") {
  const RealWorker = Worker;
  const url = how === "unreadable"
    ? new URL("./unreadable_worker.js", import.meta.url)
    : URL.createObjectURL(new Blob(["self.onmessage = () => { throw new Error('start refused'); };"]));
  globalThis.Worker = class extends RealWorker {
    constructor(_url: string | URL, options?: WorkerOptions) {
      super(url, options);
    }
  };
}
const gp = await import(${JSON.stringify(MOD_URL)});
const { wasmThreadsAvailable } = await import(${
  JSON.stringify(new URL("../src/wasm/core.ts", import.meta.url).href)
});

class SeedModel extends gp.models.ExactGP {
  meanModule = new gp.means.ConstantMean();
  covarModule = new gp.kernels.ScaleKernel(new gp.kernels.RBFKernel());
  forward(x: unknown) {
    return new gp.distributions.MultivariateNormal(
      this.meanModule.call(x),
      this.covarModule.call(x),
    );
  }
}

using _ = gp.settings.threads(3); // two workers: two failures, still one warning
const n = 240;
const x = gp.linspace(0, 1, n);
const y = x.map((v: number, i: number) => Math.sin(2 * Math.PI * v) + 0.2 * Math.cos(7.3 * i));
const likelihood = new gp.likelihoods.GaussianLikelihood();
const model = new SeedModel(x, y, likelihood);
const mll = new gp.mlls.ExactMarginalLogLikelihood(likelihood, model);
const optimizer = new gp.optim.Adam(model.parameters(), { lr: 0.1 });
for (let i = 0; i < 5; i++) {
  optimizer.zeroGrad();
  const loss = (await mll.call(model.call(x), y)).neg();
  loss.backward();
  optimizer.step();
  console.log("loss", String(loss.item())); // shortest round-trip form: every bit
  // With failing workers, the first call ran while they failed; wait for the pool to
  // notice (the Workers' events arrive between calls), so the rest run after it.
  const t0 = Date.now();
  while (how !== undefined && how !== "" && wasmThreadsAvailable() && Date.now() - t0 < 30_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
console.log("threads", wasmThreadsAvailable());
`;

interface Run {
  losses: string[];
  threads: boolean;
  warnings: string[];
  stderr: string;
}

let dir: string | null = null;

async function scriptPath(): Promise<string> {
  if (dir === null) {
    dir = await Deno.makeTempDir({ prefix: "gpts_no_permissions_" });
    nodeAssert.ok(!dir.startsWith(CHECKOUT), `the temp dir ${dir} is inside the checkout`);
    await Deno.writeTextFile(`${dir}/train.ts`, SCRIPT);
    await Deno.writeTextFile(`${dir}/unreadable_worker.js`, "self.close();\n");
  }
  return `${dir}/train.ts`;
}

async function run(flags: string[], env: Record<string, string>, how = ""): Promise<Run> {
  const script = await scriptPath();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-config", "--cached-only", ...flags, script, how],
    cwd: dir!,
    env: { NO_COLOR: "1", GPTS_WASM_THREADS: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000), // a hung call fails the test instead of the suite
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  nodeAssert.ok(out.success, `deno run ${flags.join(" ")} ${how} failed:\n${stdout}\n${stderr}`);
  const lines = stdout.trim().split("\n");
  const losses = lines.filter((l) => l.startsWith("loss ")).map((l) => l.slice(5));
  const threads = lines.at(-1) === "threads true";
  nodeAssert.ok(lines.at(-1)?.startsWith("threads "), stdout);
  const warnings = stderr.split("\n").filter((l) => l.includes("gpts warning"));
  return { losses, threads, warnings, stderr };
}

const cores = navigator.hardwareConcurrency;
let reference: Run | null = null;

async function withAll(): Promise<Run> {
  reference ??= await run(["-A"], {});
  return reference;
}

Deno.test("no permissions: a training script gives the -A run's losses, on threads, with no warning", async () => {
  const all = await withAll();
  nodeAssert.strictEqual(all.losses.length, 5);
  for (const l of all.losses) nodeAssert.ok(Number.isFinite(Number(l)), l);
  nodeAssert.deepStrictEqual(all.warnings, []);
  const none = await run([], {});
  nodeAssert.deepStrictEqual(none.losses, all.losses);
  nodeAssert.deepStrictEqual(none.warnings, [], none.stderr);
  nodeAssert.doesNotMatch(none.stderr, /error|Requires/i);
  // Workers start from a blob, which needs no read permission.
  nodeAssert.strictEqual(none.threads, all.threads);
  nodeAssert.strictEqual(none.threads, cores > 1);
});

Deno.test("no permissions: workers that cannot start fall back to one thread with one warning naming the flag", async () => {
  const all = await withAll();
  if (cores <= 1) return; // the single-thread build runs: no worker is ever started
  const r = await run([], {}, "unreadable");
  nodeAssert.deepStrictEqual(r.losses, all.losses);
  nodeAssert.strictEqual(r.threads, false);
  nodeAssert.strictEqual(r.warnings.length, 1, r.stderr);
  nodeAssert.match(r.warnings[0], /one thread/);
  nodeAssert.match(r.warnings[0], /--allow-read/);
  nodeAssert.doesNotMatch(r.stderr, /Unhandled error/);
});

Deno.test("no permissions: a worker that throws on its start message falls back with one warning", async () => {
  const all = await withAll();
  if (cores <= 1) return;
  const r = await run([], {}, "throws");
  nodeAssert.deepStrictEqual(r.losses, all.losses);
  nodeAssert.strictEqual(r.threads, false);
  nodeAssert.strictEqual(r.warnings.length, 1, r.stderr);
  nodeAssert.match(r.warnings[0], /start refused/);
  nodeAssert.doesNotMatch(r.stderr, /Unhandled error/);
});

Deno.test("no permissions: GPTS_WASM_THREADS=0 runs the single-thread build where env is readable", async () => {
  const all = await withAll();
  const off = await run(["--allow-env"], { GPTS_WASM_THREADS: "0" });
  nodeAssert.deepStrictEqual(off.losses, all.losses);
  nodeAssert.strictEqual(off.threads, false);
  nodeAssert.deepStrictEqual(off.warnings, [], off.stderr);
  // Unreadable without --allow-env: ignored, never prompted for.
  const unread = await run([], { GPTS_WASM_THREADS: "0" });
  nodeAssert.deepStrictEqual(unread.losses, all.losses);
  nodeAssert.strictEqual(unread.threads, cores > 1);
  nodeAssert.deepStrictEqual(unread.warnings, [], unread.stderr);
});

Deno.test("no permissions: clean up the script's temp dir", async () => {
  if (dir !== null) await Deno.remove(dir, { recursive: true });
  dir = null;
});
