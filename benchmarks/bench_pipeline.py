"""Benchmark: scheme (c), the whole paper pipeline re-run per resample, Python against R.

Python: :func:`nenaudit.stats.validation.pipeline_optimism` with
:class:`nenaudit.pipeline.PaperProcedure` (the production procedure of ``nenaudit validate
--scheme pipeline``): screen non-finite/constant features, ICC filter from the full
reliability subset's values, z-score, Spearman filter (caret::findCorrelation), cv_lasso
(10 folds), Radscore at lambda.min, univariable screen + backward Wald over the clinical
candidates + Radscore. R: ``val_paper_pipeline`` of reference_r/validation.R, the same steps
with ``cor(method = "spearman")``, ``caret::findCorrelation``, ``cv.glmnet`` and ``glm`` on the
ICC-kept feature columns (the ICC filter does not use the outcome and is fixed). Same resample
indices and the same foldid (:func:`nenaudit.stats.lasso.make_foldid` with the selection's
seed, which is what PaperProcedure uses in every resample) on both sides, R embedded through
rpy2 in the same process.

"1 worker" is single-threaded (``SelectionConfig.n_jobs = 1``: cv_lasso's fits run serially),
as R is; "2 workers" is ``jobs=2`` worker processes, each single-threaded. The ratio printed is
Python time / R time (issue 25's target: at most 0.4 with one worker, on the CPU at hand). ``--threads`` also times
one worker with cv_lasso's default threads. ``--interleave K`` also times R and Python in
turn on chunks of K resamples (per resample the work of R's loop body: the procedure, then the 10
indexes on the resample and on the whole cohort), which keeps the ratio fair when the machine's
load changes during the run (on a shared machine R's time alone for the same resamples varies
twofold between runs), and compares every resample's indexes with R's and the LASSO's selected
features with those of R's ``cv.glmnet`` on the same resample (the selection steps of
``val_paper_pipeline``, run again untimed). Both sides run two resamples before any timing (imports,
numba's cache, R's libraries).

    .venv/bin/python benchmarks/bench_pipeline.py [COHORT_DIR] [--boot 1000] [--seed 2025] [--threads]
                                                  [--interleave 10]

Without COHORT_DIR the default cohort (``nenaudit.cohort.load_cohort()``) is used.

Printed: the CPU model and load average (the ratio depends on the CPU), the times and ratios.
Written: ``benchmarks/results/bench_pipeline.json`` (CPU model, cores, load average before and after,
date, commit, the settings, every time, the ratios Python/R, the agreement with R). Earlier
runs' tables and profiles: ``benchmarks/results/HISTORY.md``.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from dataclasses import replace

import numpy as np
from _timing import machine, machine_line, timed, write_results

from nenaudit.cohort import load_cohort
from nenaudit.parity import rbridge as R
from nenaudit.pipeline import RADSCORE, PaperProcedure, PipelineConfig, build_design
from nenaudit.selection import select_features
from nenaudit.stats import validation as v
from nenaudit.stats.features import icc_filter_from_values
from nenaudit.stats.lasso import make_foldid

# R: the selection steps of val_paper_pipeline (reference_r/validation.R), returning per resample the
# names of the features with a non-zero coefficient at lambda.min (tab-separated; NA for one class)
R_SELECTION = """
function(feats, names, y, idx, foldid, cutoff) {
  F <- as.matrix(feats)
  colnames(F) <- names
  out <- rep(NA_character_, nrow(idx))
  for (b in seq_len(nrow(idx))) {
    i <- idx[b, ]
    yb <- y[i]
    if (length(unique(yb)) < 2) next
    Fb <- F[i, , drop = FALSE]
    Fb <- Fb[, apply(Fb, 2, function(v) max(v) > min(v)), drop = FALSE]
    Z <- scale(Fb)
    redundant <- caret::findCorrelation(cor(Z, method = "spearman"), cutoff = cutoff)
    if (length(redundant)) Z <- Z[, -redundant, drop = FALSE]
    cf <- coef(glmnet::cv.glmnet(Z, yb, family = "binomial", foldid = foldid), s = "lambda.min")
    out[b] <- paste(setdiff(rownames(cf)[as.numeric(cf) != 0], "(Intercept)"), collapse = "\t")
  }
  out
}
"""


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def per_resample(X, y, procedure, idx):
    """Per resample: (the LASSO's selected features, the 10 indexes R's val_paper_pipeline returns:
    C, Dxy, intercept, slope, Brier on the resample, then on the whole cohort); NaN where it failed."""
    sels, rows = [], np.full((idx.shape[0], 2 * len(v.INDEX_NAMES)), np.nan)
    for b, r in enumerate(idx):
        Xt, yt = X.iloc[r].reset_index(drop=True), y[r]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = procedure(Xt, yt)
        except Exception as exc:  # noqa: BLE001 - a failed resample (FitFailure): no row, as in R
            sels.append(f"failed: {type(exc).__name__}")
            continue
        sels.append(tuple(m.selection.selected))
        # on the resample the model is scored on its own fit: calibration 0 and 1 exactly, as rms's
        # validate and R's val_indexes(own_fit = TRUE) set them (a glm refit leaves ~1e-8)
        rows[b] = np.r_[
            v.performance_indexes(yt, m.predict_lp(Xt), own_fit=True),
            v.performance_indexes(y, m.predict_lp(X)),
        ]
    return sels, rows


def python_selection(X, y, procedure, rows) -> tuple[str, ...] | None:
    """The LASSO's selected features on one resample as the procedure selects them (for a resample whose
    later steps failed, e.g. a final model that did not converge); None where the selection fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sel = select_features(
                X.iloc[rows].reset_index(drop=True)[list(procedure.features)],
                np.asarray(y[rows], dtype=float),
                icc_values=procedure.icc_values,
                config=procedure.config.selection,
            )
    except Exception:  # noqa: BLE001 - a failed selection: no set, as R's NA
        return None
    return tuple(sorted(sel.selected))


def agreement(name, a, b, tol=1e-9) -> tuple[str, dict]:
    """How many resamples of ``a`` and ``b`` (rows of 10 indexes) agree to ``tol``; the first disagreements
    (a printable line, and the counts for the results file)."""
    both = ~(np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))
    same_na = np.array_equal(np.isnan(a).any(axis=1), np.isnan(b).any(axis=1))
    diff = np.nan_to_num(np.abs(a - b), nan=0.0)  # rows with a NaN are not compared (both)
    worst = np.where(both, diff.max(axis=1), 0.0)
    line = (
        f"{name}: {int((worst[both] <= tol).sum())} of {int(both.sum())} resamples agree to {tol:g} in all 10 "
        f"indexes (max abs difference {worst.max():.2e}); same failed resamples: {same_na}"
    )
    shown = list(np.flatnonzero(both & (worst > tol))[:5])
    if worst.max() > tol and int(np.argmax(worst)) not in shown:
        shown.append(int(np.argmax(worst)))  # and the largest difference
    for r in shown:
        cols = np.flatnonzero(diff[r] > tol)
        py, rr = a[r, cols].round(6).tolist(), b[r, cols].round(6).tolist()
        line += f"\n  resample {r}: indexes {cols.tolist()} Python {py} R {rr}"
    counts = {
        "tolerance": tol,
        "agree": int((worst[both] <= tol).sum()),
        "compared": int(both.sum()),
        "max_abs_difference": float(worst.max()),
        "same_failed_resamples": bool(same_na),
    }
    return line, counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cohort", nargs="?", default=None)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument(
        "--threads", action="store_true", help="also time 1 worker with cv_lasso's threads"
    )
    ap.add_argument("--no-r", action="store_true", help="time Python only")
    ap.add_argument(
        "--interleave",
        type=int,
        default=0,
        metavar="K",
        help="also time R and Python in turn on chunks of K resamples (fair under a changing "
        "load), and compare per resample the 10 indexes with R's",
    )
    args = ap.parse_args()
    started = machine()
    print(machine_line())

    cohort = load_cohort(args.cohort) if args.cohort else load_cohort()
    cfg = PipelineConfig(
        keep_separated=True
    )  # R's loop keeps glm's separated fits too: the same work
    X, y, _groups, proc = build_design(cohort, cfg)
    serial = PaperProcedure(
        proc.features,
        proc.candidates,
        replace(cfg, selection=replace(cfg.selection, n_jobs=1)),
        proc.icc_values,
    )
    n = y.size
    idx = v.resample_indices(n, args.boot, args.seed)
    sc = cfg.selection
    print(
        f"cohort {cohort.path}: {n} lesions, {int(y.sum())} events, {len(proc.features)} features; "
        f"B = {args.boot}, seed {args.seed}"
    )

    # warm-up outside the timings: imports, the compiled kernels' load from numba's cache, first calls
    timed(v.pipeline_optimism, X, y, serial, indices=idx[:2], jobs=1)
    p1, t1 = timed(v.pipeline_optimism, X, y, serial, indices=idx, jobs=1)
    p2, t2 = timed(v.pipeline_optimism, X, y, serial, indices=idx, jobs=2)
    same = p1.indexes == p2.indexes
    line = (
        f"Python: {t1:7.2f} s (1 worker, single-threaded), {t2:7.2f} s (2 workers); speed-up x{t1 / t2:.2f}; "
        f"jobs-invariant {same}; failures {p1.failures}"
    )
    print(line, flush=True)
    settings = {
        "cohort": str(cohort.path),
        "lesions": int(n),
        "events": int(y.sum()),
        "features": len(proc.features),
        "boot": args.boot,
        "seed": args.seed,
        "threads": args.threads,
        "interleave": args.interleave,
        "r": not args.no_r,
    }
    results = {
        "python_seconds": {"one_worker": t1, "two_workers": t2},
        "jobs_invariant": bool(same),
        "python_failures": p1.failures,
    }
    if args.threads:
        pt, tt = timed(v.pipeline_optimism, X, y, proc, indices=idx, jobs=1)
        print(
            f"Python: {tt:7.2f} s (1 worker, cv_lasso threads); same numbers {pt.indexes == p1.indexes}"
        )
        results["python_seconds"]["one_worker_threads"] = tt
    if args.no_r:
        write_results("bench_pipeline", settings, results, started)
        return 0

    clinical = [c for c in proc.candidates if c != RADSCORE]
    icc = (
        icc_filter_from_values(
            proc.features, proc.icc_values, threshold=sc.icc_threshold, form=sc.icc_form
        )
        if proc.icc_values is not None
        else None
    )
    kept = list(icc.kept) if icc is not None else list(proc.features)
    F = X[kept].to_numpy(float)
    finite = np.isfinite(F).all(axis=0)
    F, f_names = F[:, finite], [n for n, ok in zip(kept, finite) if ok]
    foldid = make_foldid(n, sc.nfolds, sc.seed)
    R.source("validation.R")
    d = R.call(
        "data.frame", **{safe(c): R.fvec(X[c].to_numpy(float)) for c in clinical}, y=R.fvec(y)
    )
    # R's warm-up outside the timing (library(glmnet), library(caret), first calls), as Python's
    R.call(
        "val_paper_pipeline",
        d,
        R.matrix(F),
        "y",
        R.svec([safe(c) for c in clinical]),
        R.matrix(idx[:2] + 1),
        R.ivec(foldid),
        sc.spearman_cutoff,
        cfg.entry,
        cfg.stay,
    )
    ref, tr = timed(
        R.call,
        "val_paper_pipeline",
        d,
        R.matrix(F),
        "y",
        R.svec([safe(c) for c in clinical]),
        R.matrix(idx + 1),
        R.ivec(foldid),
        sc.spearman_cutoff,
        cfg.entry,
        cfg.stay,
    )
    r_mat = np.asarray(ref)
    r_ok = ~np.isnan(r_mat[:, 0])
    r_opt = float(np.mean(r_mat[r_ok, 0]) - np.mean(r_mat[r_ok, 5]))
    print(f"R:      {tr:7.2f} s ({F.shape[1]} ICC-kept feature columns)")
    print(f"ratio Python/R: {t1 / tr:.3f} (1 worker), {t2 / tr:.3f} (2 workers)")
    results["r_seconds"] = tr
    results["r_feature_columns"] = int(F.shape[1])
    results["sequential_ratio_to_r"] = {"one_worker": t1 / tr, "two_workers": t2 / tr}
    if args.threads:
        results["sequential_ratio_to_r"]["one_worker_threads"] = tt / tr
    results["optimism_of_c"] = {"python": p1.index("C").optimism, "r": r_opt}
    print(
        f"optimism of C: Python {p1.index('C').optimism:.4f} (n {p1.index('C').n}), R {r_opt:.4f} "
        f"(n {int(r_ok.sum())}; both keep the final models' separated fits)"
    )
    if args.interleave:
        # the same resamples in chunks, R and Python in turn (one thread each), so that a load that changes
        # during the run weighs on both alike; per resample the same work as R's loop body
        secs, rows = {"R": 0.0, "Python": 0.0}, {"R": [], "Python": []}
        py_sels: list = []
        for c0 in range(0, idx.shape[0], args.interleave):
            chunk = idx[c0 : c0 + args.interleave]
            out, t = timed(
                R.call,
                "val_paper_pipeline",
                d,
                R.matrix(F),
                "y",
                R.svec([safe(c) for c in clinical]),
                R.matrix(chunk + 1),
                R.ivec(foldid),
                sc.spearman_cutoff,
                cfg.entry,
                cfg.stay,
            )
            secs["R"] += t
            rows["R"].append(
                np.array(out, dtype=float, copy=True)
            )  # a copy: asarray shares R memory R may free
            (sel, rw), t = timed(per_resample, X, y, serial, chunk)
            secs["Python"] += t
            rows["Python"].append(rw)
            py_sels += sel
        print(
            f"interleaved, chunks of {args.interleave}: R {secs['R']:.2f} s, Python {secs['Python']:.2f} s; "
            f"ratio Python/R (1 thread): {secs['Python'] / secs['R']:.3f}"
        )
        line, counts = agreement("Python vs R", np.vstack(rows["Python"]), np.vstack(rows["R"]))
        print(line)
        inter = {
            "chunk": args.interleave,
            "r_seconds": secs["R"],
            "python_seconds": secs["Python"],
            "ratio_to_r": secs["Python"] / secs["R"],
            "indexes_agree_with_r": counts,
        }
        # the LASSO's selected features, per resample, against R's (same steps, untimed)
        r_sels = R.to_py(
            R.r()(R_SELECTION)(
                R.matrix(F),
                R.svec(f_names),
                R.fvec(y),
                R.matrix(idx + 1),
                R.ivec(foldid),
                sc.spearman_cutoff,
            )
        )
        r_sets = [None if s is None else tuple(sorted(s.split("\t"))) if s else () for s in r_sels]
        py_sets = [
            tuple(sorted(s)) if isinstance(s, tuple) else python_selection(X, y, serial, r)
            for s, r in zip(py_sels, idx)
        ]
        same = sum(a == b for a, b in zip(py_sets, r_sets))
        print(
            f"selected features (LASSO at lambda.min): the same as R's in {same} of {len(r_sets)} resamples"
        )
        for b, (a, r) in enumerate(zip(py_sets, r_sets)):
            if a != r and b < 5:
                print(f"  resample {b}: Python {a} R {r}")
        inter["selected_features_agree_with_r"] = {"agree": same, "resamples": len(r_sets)}
        results["interleaved"] = inter
    write_results("bench_pipeline", settings, results, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
