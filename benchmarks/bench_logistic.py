"""Benchmark: logistic fit with profile-likelihood CIs, Python against R in the same run.

    .venv/bin/python benchmarks/bench_logistic.py [--reps 50]

R side: ``glm(binomial)`` + ``summary`` + ``confint`` (MASS profile), timed inside R with
``system.time`` over the same number of repetitions, so rpy2 conversion costs are excluded.
Prints the CPU model and load average, seconds per fit for each side and the ratio Python / R; writes
them to ``benchmarks/results/bench_logistic.json`` (with the date and the load average after).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import machine, machine_line, write_results

from nenaudit.parity import rbridge
from nenaudit.stats.logistic import fit_logistic


def data(n: int, p: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(x @ np.linspace(0.8, -0.4, p) - 1.0)))).astype(
        float
    )
    return x, y


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=50)
    args = ap.parse_args()
    started = machine()
    print(machine_line())
    r = rbridge.r()
    r("suppressPackageStartupMessages(library(MASS))")
    cases = {}
    print(f"{'case':<14}{'python s/fit':>14}{'R s/fit':>12}{'ratio Py/R':>12}")
    for n, p in ((131, 1), (131, 4), (131, 10)):
        x, y = data(n, p)
        fit_logistic(x, y)
        t = time.perf_counter()
        for _ in range(args.reps):
            fit_logistic(x, y)
        py = (time.perf_counter() - t) / args.reps
        r.assign("x", rbridge.matrix(x))
        r.assign("y", rbridge.fvec(y))
        r_s = r(f"""d <- data.frame(x, y = y)
            system.time(for (i in seq_len({args.reps})) {{
              f <- glm(y ~ ., binomial, d); s <- summary(f); ci <- suppressMessages(confint(f)) }})[["elapsed"]]""")[
            0
        ]
        rr = r_s / args.reps
        print(f"{f'{n} x {p}':<14}{py:>14.4f}{rr:>12.4f}{py / rr:>12.2f}")
        cases[f"{n}x{p}"] = {
            "n": n,
            "p": p,
            "python_seconds_per_fit": py,
            "r_seconds_per_fit": rr,
            "ratio_to_r": py / rr,
        }
    write_results("bench_logistic", {"reps": args.reps}, {"cases": cases}, started)


if __name__ == "__main__":
    main()
