"""scikit-learn's reference fit for examples/mauna_loa.ts (not run by CI).

The kernel, bounds and initial values of scikit-learn's own Mauna Loa example
(examples/gaussian_process/plot_gpr_co2.py), on the months examples/mauna_loa.ts
trains on: the monthly record of the npm package vega-datasets
(data/co2-concentration.csv), the 617 months before 2010, t = year + (month - 0.5)/12,
targets minus their mean (normalize_y=False, as the example), a single start
(n_restarts_optimizer=0). Prints one JSON line: LML (ppm units), fit seconds and
the fitted kernel.

    /usr/bin/python3 bench/mauna_loa_sklearn.py [path/to/co2-concentration.csv]

Without a path it looks in Deno's npm cache ($DENO_DIR or ~/.cache/deno).
"""

import glob
import json
import os
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import (
    RBF,
    ExpSineSquared,
    RationalQuadratic,
    WhiteKernel,
)


def find_csv():
    if len(sys.argv) > 1:
        return sys.argv[1]
    root = os.environ.get("DENO_DIR", os.path.expanduser("~/.cache/deno"))
    hits = sorted(glob.glob(os.path.join(
        root, "npm", "registry.npmjs.org", "vega-datasets", "*", "data",
        "co2-concentration.csv")))
    if not hits:
        sys.exit("co2-concentration.csv not found: run examples/mauna_loa.ts once "
                 "(Deno fetches vega-datasets) or pass the CSV's path")
    return hits[-1]


path = find_csv()
t, co2 = [], []
with open(path) as f:
    next(f)
    for line in f:
        date, value = line.strip().split(",")[:2]
        try:
            v = float(value)
        except ValueError:
            continue
        if not np.isfinite(v):
            continue
        year, month = (int(s) for s in date.split("-")[:2])
        t.append(year + (month - 0.5) / 12)
        co2.append(v)
t, co2 = np.array(t), np.array(co2)
train = t < 2010
X, y = t[train].reshape(-1, 1), co2[train]

long_term_trend_kernel = 50.0**2 * RBF(length_scale=50.0)
seasonal_kernel = (
    2.0**2
    * RBF(length_scale=100.0)
    * ExpSineSquared(length_scale=1.0, periodicity=1.0, periodicity_bounds="fixed")
)
irregularities_kernel = 0.5**2 * RationalQuadratic(length_scale=1.0, alpha=1.0)
noise_kernel = 0.1**2 * RBF(length_scale=0.1) + WhiteKernel(
    noise_level=0.1**2, noise_level_bounds=(1e-5, 1e5)
)
co2_kernel = (
    long_term_trend_kernel + seasonal_kernel + irregularities_kernel + noise_kernel
)

gpr = GaussianProcessRegressor(kernel=co2_kernel, normalize_y=False)
t0 = time.perf_counter()
gpr.fit(X, y - y.mean())
seconds = time.perf_counter() - t0
lml, grad = gpr.log_marginal_likelihood(gpr.kernel_.theta, eval_gradient=True)
print(json.dumps({
    "n": int(len(y)),
    "lml": float(gpr.log_marginal_likelihood_value_),
    "lml_recomputed": float(lml),
    "max_abs_grad_log_theta": float(np.max(np.abs(grad))),
    "seconds": seconds,
    "kernel": str(gpr.kernel_),
    "theta": np.exp(gpr.kernel_.theta).tolist(),
}))
