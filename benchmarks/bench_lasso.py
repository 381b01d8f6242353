"""Benchmark: R ``cv.glmnet(family = "binomial")`` against :func:`nenaudit.stats.lasso.cv_lasso`.

Same data, same foldid, in one process (R embedded through rpy2). Two shapes of the study:
131 x 60 (after the filters) and 131 x 851 (all features), standardized features, a 27/104
outcome, 10 folds. Each side is warmed up once, then R, Python with one thread and Python
with its default threads are timed in turn ``--reps`` times (interleaved, so that a busy machine affects
all alike); medians and the ratios Python/R are printed (issue 25's targets: at most 0.5
single-threaded and 0.3 with threads, on the CPU at hand).

    .venv/bin/python benchmarks/bench_lasso.py [--reps 9]

Printed: the CPU model and load average (the ratio depends on the CPU: see issue 25), the medians
and the ratios Python/R. Written: ``benchmarks/results/bench_lasso.json`` (CPU model, cores, load
average before and after, date, commit, per shape the R median, each configuration's median and
ratio). Earlier runs' tables and what was tried to speed the fits up: ``benchmarks/results/HISTORY.md``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from _timing import machine, machine_line, write_results

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
    started = machine()
    print(machine_line())
    R.source("lasso.R")
    configs = [1, None]  # cv_lasso's n_jobs: one thread, its default threads
    label = {c: "Python x1" if c == 1 else "Python threads" for c in configs}
    print(
        "medians of interleaved runs (R, then each Python configuration), so that all see the same machine load"
    )
    head = " ".join(f"{label[c]:>15}" for c in configs)
    print(f"{'shape':>10} {'R cv.glmnet':>12} {head}   ratios Python/R")
    shapes = {}
    for p in (60, 851):
        X, y, foldid = make_data(p, seed=p)
        rx, ry, rf = R.matrix(X), R.fvec(y), R.ivec(foldid)
        for j in configs:  # warm-up (imports, first call)
            time_python(X, y, foldid, j)
        time_r(rx, ry, rf)
        tr: list[float] = []
        tp: dict[int | None, list[float]] = {c: [] for c in configs}
        for _ in range(args.reps):
            tr.append(time_r(rx, ry, rf))
            for c in configs:
                tp[c].append(time_python(X, y, foldid, c))
        r = statistics.median(tr)
        meds = [statistics.median(tp[c]) for c in configs]
        cells = " ".join(f"{m:15.4f}" for m in meds)
        ratios = " ".join(f"{m / r:5.2f}" for m in meds)
        print(f"{'131 x ' + str(p):>10} {r:12.4f} {cells}   {ratios}", flush=True)
        shapes[f"131x{p}"] = {
            "n": 131,
            "p": p,
            "r_seconds": tr,
            "r_median": r,
            "python": {
                label[c]: {
                    "threads": "one" if c == 1 else "default",
                    "seconds": tp[c],
                    "median": m,
                    "ratio_to_r": m / r,
                }
                for c, m in zip(configs, meds)
            },
        }
    print(f"load average after: {machine_line().rsplit('load average ', 1)[1]}")
    write_results(
        "bench_lasso",
        {
            "reps": args.reps,
            "nfolds": 10,
            "targets": {"ratio_one_thread": 0.5, "ratio_threads": 0.3},
        },
        {"shapes": shapes},
        started,
    )


if __name__ == "__main__":
    main()
