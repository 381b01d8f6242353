"""Benchmark: R ``cv.glmnet(family = "binomial")`` against :func:`nenaudit.stats.lasso.cv_lasso`.

Same data, same foldid, in one process (R embedded through rpy2). Two shapes of the study:
131 x 60 (after the filters) and 131 x 851 (all features), standardized features, a 27/104
outcome, 10 folds. Each side is warmed up once, then R, Python with one thread and Python
with its default threads are timed in turn ``--reps`` times (interleaved, so that a busy
machine affects all three alike); medians and the ratios Python/R are printed
(target <= 0.5, floor <= 1.0).

    .venv/bin/python benchmarks/bench_lasso.py [--reps 9]
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


def time_python(X, y, foldid, n_jobs: int | None) -> float:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv_lasso(X, y, foldid=foldid, n_jobs=n_jobs)
    return time.perf_counter() - t0


def time_r(rx, ry, rf) -> float:
    return float(R.to_py(R.call("ref_cv_lasso_time", rx, ry, rf)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    R.source("lasso.R")
    print("medians of interleaved runs (R, Python serial, Python threaded), so that both see the same machine load")
    print(f"{'shape':>10} {'R cv.glmnet':>12} {'Py n_jobs=1':>12} {'Py threads':>11} {'ratio 1':>8} {'ratio thr':>10}")
    for p in (60, 851):
        X, y, foldid = make_data(p, seed=p)
        rx, ry, rf = R.matrix(X), R.fvec(y), R.ivec(foldid)
        time_python(X, y, foldid, None)  # warm-up (imports, first Fortran call)
        time_r(rx, ry, rf)
        tr, t1, tt = [], [], []
        for _ in range(args.reps):
            tr.append(time_r(rx, ry, rf))
            t1.append(time_python(X, y, foldid, 1))
            tt.append(time_python(X, y, foldid, None))
        r, a, b = (statistics.median(v) for v in (tr, t1, tt))
        print(f"{'131 x ' + str(p):>10} {r:12.4f} {a:12.4f} {b:11.4f} {a / r:8.2f} {b / r:10.2f}")


if __name__ == "__main__":
    main()
