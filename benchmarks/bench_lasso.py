"""Benchmark: R ``cv.glmnet(family = "binomial")`` against :func:`nenaudit.stats.lasso.cv_lasso`.

Same data, same foldid, in one process (R embedded through rpy2). Two shapes of the study:
131 x 60 (after the filters) and 131 x 851 (all features), standardized features, a 27/104
outcome, 10 folds. Each side is warmed up once, then R, Python with one thread and Python
with its default threads, for each engine (``fortran``: python-glmnet; ``rust``: glmnet-rs,
if installed) are timed in turn ``--reps`` times (interleaved, so that a busy machine affects
all alike); medians and the ratios Python/R are printed (target <= 0.5, floor <= 1.0).

    .venv/bin/python benchmarks/bench_lasso.py [--reps 9]

What was tried (2 shared cores; timings move 2x with the other jobs on the machine):

* python-glmnet's ``LogitNet``/its CV: not cv.glmnet's conventions (fold grids, interpolation,
  measures); only its compiled ``lognet`` is used, called with R's arguments.
* Importing ``glmnet`` executes its ``__init__`` and scikit-learn (0.85 s on the first call,
  i.e. per CLI run): the extension module is now loaded on its own (0.01 s).
* Fortran-ordered copies for the solver (it overwrites x; f2py copies C-ordered input).
* Truncating each fold's path at the first lambda below the smallest full-data lambda
  (flmin/nlam chosen to keep glmnet's grid): no gain, the folds' own early stop already
  ends there.
* Threads for the K + 1 independent fits: the f2py lognet releases the GIL, 1.7-1.9x on an
  idle machine, nothing when the other core is busy; glmnet-rs holds the GIL (threads gave
  1.0x), so engine="rust" runs serially.
* Held-out predictions: a BLAS matmul per fold cost up to 5x the whole CV on a loaded
  machine (OpenBLAS threads contending); einsum over the fold path's active columns.
* Engine: glmnet's Fortran (python-glmnet, -O2) takes ~1.4x the time of R's C++ glmnetpp
  for the same npasses; glmnet-rs (port of glmnetpp) ~1.0x.

Measured on an idle machine (load 0.75), medians of 9 interleaved runs:

    shape      R       fortran x1  fortran threads  rust      ratios Python/R
    131 x 60   0.136   0.194       0.114            0.136     1.42  0.84  1.00
    131 x 851  0.108   0.095       0.057            0.073     0.88  0.53  0.68

Under load (load average 4-5) threads give nothing: fortran 1.35 / 0.76, rust 1.02 / 0.63.

2026-12-02, after cv_lasso became a pipeline of private steps (one transposed copy of X cut
into every solver input instead of two copies per fold; numbers identical), load average 4.4-4.7,
medians of 5 interleaved runs (fortran x1, fortran threads, rust x1, rust threads):

    shape      R       fortran x1  fortran thr  rust x1  rust thr   ratios Python/R
    131 x 60   0.816   0.953       0.915        0.665    0.648      1.17  1.12  0.82  0.79
    131 x 851  0.895   0.656       0.741        0.692    0.714      0.73  0.83  0.77  0.80

The 0.5 target was not met on either shape then: the K + 1 solver calls are over 90% of
cv_lasso's time (cProfile, 131 x 851: 5.4 of 5.9 s), the fold paths cannot be cut short (each is
needed down to the smallest full-data lambda, and glmnet's own early stop already ends there), and
threads give at most 2x on 2 free cores (nothing on a busy machine; glmnet-rs holds the GIL).

2026-12-02, third engine ``numba`` (stats/_lognet.py: glmnet's two-class iterations written here,
compiled, GIL released; same npasses as R), machine nearly idle (load 0.98 before, 1.04 after),
medians of 9 interleaved runs:

    shape      R       fortran x1  fortran thr  rust x1  rust thr  numba x1  numba thr
    131 x 60   0.441   0.474       0.274        0.370    0.362     0.271     0.157
    131 x 851  0.409   0.278       0.172        0.255    0.241     0.185     0.119
    ratios Python/R, 131 x 60:   1.08  0.62  0.84  0.82  0.61  0.36
    ratios Python/R, 131 x 851:  0.68  0.42  0.62  0.59  0.45  0.29

With its threads (the issue's measurement was with threads) the numba engine is at 0.36 and 0.29 of
cv.glmnet's time; on one thread 0.61 and 0.45. Where its single-thread time goes: the coordinate
updates' inner products (scalar: eight partial sums, no fast-math, so the result does not depend on
the CPU's vector width; numba leaves LLVM's SLP vectorizer off since it miscompiled, numba PR 8852)
and the residual updates (vectorized). Tried and not kept: BLAS ddot for the inner products (call
overhead, slower), v * x_j cached per Newton step (no gain measurable above the machine's noise).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np

from nenaudit.parity import rbridge as R
from nenaudit.stats.lasso import cv_lasso


def make_data(p: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 131
    y = np.r_[np.zeros(27), np.ones(104)]
    rng.shuffle(y)
    X = rng.standard_normal((n, p))
    X[:, :8] += np.outer(y - y.mean(), rng.uniform(-1.0, 1.0, 8))
    X = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    foldid = rng.permutation(np.resize(np.arange(1, 11), n))
    return X, y, foldid


def time_python(X, y, foldid, n_jobs: int | None, engine: str) -> float:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv_lasso(X, y, foldid=foldid, n_jobs=n_jobs, engine=engine)
    return time.perf_counter() - t0


def time_r(rx, ry, rf) -> float:
    return float(R.to_py(R.call("ref_cv_lasso_time", rx, ry, rf)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    R.source("lasso.R")
    engines = ["fortran"]
    try:
        import glmnetrs  # noqa: F401

        engines.append("rust")
    except ImportError:
        print("glmnet-rs not installed: engine='rust' not timed")
    engines.append("numba")  # nenaudit's compiled kernel (stats/_lognet.py); compiled once, cached
    configs = [(e, j) for e in engines for j in (1, None)]
    print("medians of interleaved runs (R, then each Python configuration), so that all see the same machine load")
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    head = " ".join(f"{e + (' x1' if j == 1 else ' thr'):>12}" for e, j in configs)
    print(f"{'shape':>10} {'R cv.glmnet':>12} {head}   ratios Python/R")
    for p in (60, 851):
        X, y, foldid = make_data(p, seed=p)
        rx, ry, rf = R.matrix(X), R.fvec(y), R.ivec(foldid)
        for e, j in configs:  # warm-up (imports, first call)
            time_python(X, y, foldid, j, e)
        time_r(rx, ry, rf)
        tr: list[float] = []
        tp: dict[tuple, list[float]] = {c: [] for c in configs}
        for _ in range(args.reps):
            tr.append(time_r(rx, ry, rf))
            for c in configs:
                tp[c].append(time_python(X, y, foldid, c[1], c[0]))
        r = statistics.median(tr)
        meds = [statistics.median(tp[c]) for c in configs]
        cells = " ".join(f"{m:12.4f}" for m in meds)
        ratios = " ".join(f"{m / r:5.2f}" for m in meds)
        print(f"{'131 x ' + str(p):>10} {r:12.4f} {cells}   {ratios}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
