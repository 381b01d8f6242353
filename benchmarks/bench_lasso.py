"""Benchmark: R ``cv.glmnet(family = "binomial")`` against :func:`nenaudit.stats.lasso.cv_lasso`.

Same data, same foldid, in one process (R embedded through rpy2). Two shapes of the study:
131 x 60 (after the filters) and 131 x 851 (all features), standardized features, a 27/104
outcome, 10 folds. Each side is warmed up once, then timed ``--reps`` times; the median
elapsed seconds and the ratio Python/R are printed (target <= 0.5, floor <= 1.0).

    .venv/bin/python benchmarks/bench_lasso.py [--reps 7]
"""

from __future__ import annotations

import argparse
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


def time_python(X, y, foldid, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cv_lasso(X, y, foldid=foldid)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_r(X, y, foldid, reps: int) -> float:
    rx, ry, rf = R.matrix(X), R.fvec(y), R.ivec(foldid)
    times = [R.to_py(R.call("ref_cv_lasso_time", rx, ry, rf)) for _ in range(reps)]
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    R.source("lasso.R")
    print(f"{'shape':>10} {'R cv.glmnet (s)':>16} {'Python (s)':>11} {'Py/R':>6}")
    for p in (60, 851):
        X, y, foldid = make_data(p, seed=p)
        time_python(X, y, foldid, 1)  # warm-up (imports, first Fortran call)
        time_r(X, y, foldid, 1)
        tr = time_r(X, y, foldid, args.reps)
        tp = time_python(X, y, foldid, args.reps)
        print(f"{'131 x ' + str(p):>10} {tr:16.4f} {tp:11.4f} {tp / tr:6.2f}")


if __name__ == "__main__":
    main()
