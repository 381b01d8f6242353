"""Benchmark: time per faithful synthetic cohort (``nenaudit synth``: allocation, stages A, B, C and the
``--boot 50`` evaluation), on one core, with the time of each stage; target <= 5 minutes per cohort.

The generator has no R counterpart, so the R side of the ratio is the work it is made of: one fit of the
paper's pipeline (filters, ``cv.glmnet``, Radscore, univariable screen + backward ``glm``), timed in R
(``val_paper_pipeline`` of reference_r/validation.R, embedded through rpy2, same process) on the cohort
just generated. The ratio printed is (generator seconds) / (R seconds per pipeline fit): how many R
pipeline fits a cohort costs; the generator makes ``b`` draws' fits in stage B plus 50 in the evaluation.

    .venv/bin/python benchmarks/bench_synth.py [--seeds 20250611] [--budget A,B,C] [--no-r]

One core: BLAS and OpenMP pools are limited to one thread (threadpoolctl) and cv_lasso runs serially.

Measured so far (not by this script: the stderr timestamps of ``nenaudit synth`` on this machine, 2 cores
shared with 4 other sessions, load about 4, default budget; the script itself, with its R side, has not
yet been run here):

    seed        total   A      B      C       evaluation (--boot 50)   faithful
    20250611    242 s   18 s   54 s   106 s   55 s                     yes
    20250611    182 s   (the same cohort again, --quiet; byte-identical files)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

import numpy as np

from _timing import timed  # noqa: E402


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="20250611", help="comma-separated seeds")
    ap.add_argument("--budget", default=None, help="A,B,C[,BOOT] as for nenaudit synth")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from nenaudit.synth import generate

    budget = None if args.budget is None else dict(zip(("a", "b", "c", "boot"), map(int, args.budget.split(","))))
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; one thread")
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        marks: list[tuple[float, str]] = []
        t0 = time.perf_counter()

        def say(msg: str) -> None:
            marks.append((time.perf_counter() - t0, msg))

        with threadpool_limits(limits=1):
            c, total = timed(generate, None, seed, progress=say, budget=budget)
        stage = {}
        for (t, msg), nxt in zip(marks, marks[1:] + [(total, "end")]):
            key = msg.split(":")[0]
            if not msg.startswith("  "):
                stage[key] = stage.get(key, 0.0) + (nxt[0] - t)
        p = c.manifest["achieved"]["pipeline"]
        rows.append((seed, total, stage, p["faithful"], p["missed"], c))
        print(f"seed {seed}: {total:.1f} s; " + ", ".join(f"{k} {v:.1f} s" for k, v in stage.items())
              + f"; faithful {p['faithful']}" + (f" (missed {', '.join(p['missed'])})" if p["missed"] else ""),
              flush=True)
    print(f"median time per cohort: {np.median([r[1] for r in rows]):.1f} s (target <= 300 s)")
    if args.no_r:
        return 0
    import tempfile
    from pathlib import Path

    from nenaudit.cohort import load_cohort
    from nenaudit.parity import rbridge as R
    from nenaudit.pipeline import RADSCORE, PipelineConfig, build_design
    from nenaudit.stats import validation as v
    from nenaudit.stats.features import icc_filter_from_values
    from nenaudit.stats.lasso import make_foldid

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in rows[0][5].files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")
        cohort = load_cohort(tmp)
        cfg = PipelineConfig(keep_separated=True)
        X, y, _g, proc = build_design(cohort, cfg)
    sc = cfg.selection
    icc = icc_filter_from_values(proc.features, proc.icc_values, threshold=sc.icc_threshold, form=sc.icc_form)
    F = X[list(icc.kept)].to_numpy(float)
    clinical = [c for c in proc.candidates if c != RADSCORE]
    n_fits = 10
    idx = v.resample_indices(y.size, n_fits, 1)
    R.source("validation.R")
    d = R.call("data.frame", **{safe(c): R.fvec(X[c].to_numpy(float)) for c in clinical}, y=R.fvec(y))
    _, tr = timed(R.call, "val_paper_pipeline", d, R.matrix(F), "y", R.svec([safe(c) for c in clinical]),
                  R.matrix(idx + 1), R.ivec(make_foldid(y.size, sc.nfolds, sc.seed)), sc.spearman_cutoff,
                  cfg.entry, cfg.stay)
    per = tr / n_fits
    med = float(np.median([r[1] for r in rows]))
    print(f"R: {per:.3f} s per paper-pipeline fit ({n_fits} resamples); ratio generator / R fit: {med / per:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
