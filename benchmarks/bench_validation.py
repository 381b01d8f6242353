"""Benchmark: bootstrap validation loops in Python (stats/validation.py) against the same loops in R.

One run, same resample indices on both sides, R called through rpy2 in the same process (the R
loops are reference_r/validation.R). Three loops:

* ``harrell``: scheme (b), refit the final formula (glm) on each resample;
* ``pipeline``: scheme (c), univariable screen + backward Wald re-run on each resample;
* ``lasso``: scheme (c) with the LASSO inside: z-score the feature block with the resample's
  mean/SD, cv.glmnet (10 folds, fixed foldid) -> Radscore at lambda.min, then screen + backward
  over the clinical candidates + Radscore (the unsupervised ICC/Spearman filters are outside the
  loop: the first ``--features`` feature columns stand in for the filtered set).

Python runs with 1 and 2 worker processes (identical results); the ratio printed is Python
time / R time (below 1 means Python is faster). Usage::

    .venv/bin/python benchmarks/bench_validation.py [COHORT_DIR] [--boot 1000] [--loops harrell,pipeline,lasso]

Without COHORT_DIR a synthetic cohort is generated with ``nenaudit synth`` into a temporary directory.

Prints the CPU model and load average; writes every time and ratio to
``benchmarks/results/bench_validation.json`` (with the date and the load average after).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import machine, machine_line, timed, write_results

from nenaudit.cohort import load_cohort
from nenaudit.exceptions import FitFailure
from nenaudit.parity import rbridge as R
from nenaudit.stats import validation as v
from nenaudit.stats.lasso import cv_lasso
from nenaudit.study.schema import load as load_study


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


@dataclass(frozen=True)
class LassoModel:
    mean: np.ndarray
    sd: np.ndarray
    features: tuple[str, ...]
    a0: float
    beta: np.ndarray
    clinical: tuple[str, ...]
    final: v.LogisticModel

    def predict_lp(self, X):
        z = (X[list(self.features)].to_numpy(float) - self.mean) / self.sd
        d = X[list(self.clinical)].copy()
        d["Radscore"] = self.a0 + z @ self.beta
        return self.final.predict_lp(d)


@dataclass(frozen=True)
class LassoPipeline:
    """z-score -> cv_lasso (fixed foldid) -> Radscore -> screen + backward over clinical + Radscore."""

    features: tuple[str, ...]
    clinical: tuple[str, ...]
    foldid: tuple[int, ...]
    entry: float = 0.05
    stay: float = 0.05

    def __call__(self, X, y):
        F = X[list(self.features)].to_numpy(float)
        mu = F.mean(axis=0)
        sd = F.std(axis=0, ddof=1)
        if np.any(sd == 0):
            raise FitFailure("singular", "a feature is constant in this resample")
        Z = (F - mu) / sd
        cv = cv_lasso(Z, y, foldid=np.asarray(self.foldid), n_jobs=1)
        coefs = cv.coefficients("min")
        a0 = float(coefs.pop("(Intercept)"))
        beta = np.array(list(coefs.values()), dtype=float)
        d = X[list(self.clinical)].copy()
        d["Radscore"] = a0 + Z @ beta
        final = v.ScreenBackwardProcedure((*self.clinical, "Radscore"), self.entry, self.stay)(d, y)
        return LassoModel(mu, sd, self.features, a0, beta, self.clinical, final)


def r_frame(d: pd.DataFrame):
    return R.call("data.frame", **{c: R.fvec(d[c].to_numpy(float)) for c in d.columns})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cohort", nargs="?", default=None)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--features", type=int, default=60)
    ap.add_argument("--loops", default="harrell,pipeline,lasso")
    args = ap.parse_args()
    started = machine()
    print(machine_line())

    if args.cohort is None:
        tmp = Path(tempfile.mkdtemp()) / "cohort"
        subprocess.run(
            [sys.executable, "-m", "nenaudit", "synth", "--out", str(tmp)],
            check=True,
            capture_output=True,
        )
        args.cohort = tmp
    cohort = load_cohort(args.cohort)
    study = load_study()
    lesions = cohort.coded_lesions()
    y = cohort.outcome
    n = y.size
    final = [safe(c) for c in study.regression.final_model]
    cands = [safe(r.variable) for r in study.regression.rows if r.univariable is not None]
    data = lesions.rename(columns={c: safe(c) for c in lesions.columns})
    data["y"] = y
    idx = v.resample_indices(n, args.boot, args.seed)
    R.source("validation.R")
    r_idx = R.matrix(idx + 1)
    print(
        f"cohort {cohort.path}: {n} lesions, {int(y.sum())} events; B = {args.boot}, seed {args.seed}; "
        f"machine: {__import__('os').cpu_count()} cores"
    )
    loops = args.loops.split(",")
    results = {}

    def record(loop, t1, t2, tr, same, **extra):
        results[loop] = {
            "python_seconds": {"one_worker": t1, "two_workers": t2},
            "r_seconds": tr,
            "ratio_to_r": {"one_worker": t1 / tr, "two_workers": t2 / tr},
            "jobs_invariant": bool(same),
            **extra,
        }

    if "harrell" in loops:
        X = data[final]
        p1, t1 = timed(v.harrell_optimism, X, y, n_boot=args.boot, indices=idx, jobs=1)
        p2, t2 = timed(v.harrell_optimism, X, y, n_boot=args.boot, indices=idx, jobs=2)
        ref, tr = timed(
            R.call, "val_optimism", r_frame(data[[*final, "y"]]), "y", R.svec(final), r_idx
        )
        ref = R.to_py(ref)
        diff = max(
            abs(p1.index(nm).corrected - ref["corrected"][j]) for j, nm in enumerate(v.INDEX_NAMES)
        )
        same = p1.indexes == p2.indexes
        print(
            f"harrell  (b): Python {t1:7.2f} s (1 worker), {t2:7.2f} s (2 workers); R {tr:7.2f} s; "
            f"ratio Python/R {t1 / tr:.3f} (1 worker), {t2 / tr:.3f} (2 workers); speed-up x{t1 / t2:.2f}; "
            f"max |corrected diff| {diff:.2e}; jobs-invariant {same}"
        )
        record("harrell", t1, t2, tr, same, max_abs_corrected_difference=diff)

    if "pipeline" in loops:
        X = data[cands]
        proc = v.ScreenBackwardProcedure(tuple(cands))
        p1, t1 = timed(v.pipeline_optimism, X, y, proc, indices=idx, jobs=1)
        p2, t2 = timed(v.pipeline_optimism, X, y, proc, indices=idx, jobs=2)
        ref, tr = timed(
            R.call, "val_pipeline", r_frame(data[[*cands, "y"]]), "y", R.svec(cands), r_idx
        )
        same = p1.indexes == p2.indexes
        print(
            f"pipeline (c, screen+backward, {len(cands)} candidates): Python {t1:7.2f} s (1), {t2:7.2f} s (2); "
            f"R {tr:7.2f} s; ratio {t1 / tr:.3f} (1 worker), {t2 / tr:.3f} (2 workers); speed-up x{t1 / t2:.2f}; "
            f"jobs-invariant {same}; Python failures {p1.failures}"
        )
        record("pipeline", t1, t2, tr, same, python_failures=p1.failures)

    if "lasso" in loops:
        feats = list(cohort.features.columns[: args.features])
        clinical = [c for c in cands if c != "Radscore"]
        fd = cohort.features[feats].reset_index(drop=True)
        fd.columns = [f"f{j}" for j in range(len(feats))]
        X = pd.concat([data[clinical].reset_index(drop=True), fd], axis=1)
        foldid = tuple(int(f) for f in (np.random.default_rng(args.seed).permutation(n) % 10) + 1)
        proc = LassoPipeline(tuple(fd.columns), tuple(clinical), foldid)
        p1, t1 = timed(v.pipeline_optimism, X, y, proc, indices=idx, jobs=1)
        p2, t2 = timed(v.pipeline_optimism, X, y, proc, indices=idx, jobs=2)
        dr = data[[*clinical, "y"]]
        ref, tr = timed(
            R.call,
            "val_lasso_pipeline",
            r_frame(dr),
            R.matrix(fd.to_numpy(float)),
            "y",
            R.svec(clinical),
            r_idx,
            R.ivec(foldid),
        )
        same = p1.indexes == p2.indexes
        r_mat = np.asarray(ref)
        r_c = np.nanmean(r_mat[:, 0]) - np.nanmean(r_mat[:, 5])
        print(
            f"lasso    (c, z-score + cv.glmnet({len(feats)} features) + screen/backward): Python {t1:7.2f} s (1), "
            f"{t2:7.2f} s (2); R {tr:7.2f} s; ratio {t1 / tr:.3f} (1 worker), {t2 / tr:.3f} (2 workers); "
            f"speed-up x{t1 / t2:.2f}; jobs-invariant {same}; optimism of C: Python "
            f"{p1.index('C').optimism:.4f} (n {p1.index('C').n}), R {r_c:.4f} "
            f"(n {int(np.sum(~np.isnan(r_mat[:, 0])))}; R keeps separated fits, Python counts them: "
            f"{p1.failures})"
        )
        record(
            "lasso",
            t1,
            t2,
            tr,
            same,
            features=len(feats),
            optimism_of_c={"python": p1.index("C").optimism, "r": r_c},
        )
    write_results(
        "bench_validation",
        {
            "cohort": str(cohort.path),
            "boot": args.boot,
            "seed": args.seed,
            "features": args.features,
            "loops": loops,
        },
        results,
        started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
