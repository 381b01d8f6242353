"""Benchmark: time per faithful synthetic cohort (``nenaudit synth``: allocation, stages A, B, C, the
``--boot 50`` evaluation, stage C retries and the plausibility-cost run), on one core, with the time of each
stage; target <= 5 minutes (300 s) per cohort.

The figure is CPU seconds (user + system of the process and its children, ``resource.getrusage``) with BLAS
and OpenMP pools limited to one thread (threadpoolctl): the time the cohort costs one core, whatever else the
machine runs. Wall seconds are printed beside it (on a shared machine they are longer).

No ratio against R: the generator has no R counterpart (no R package searches for a cohort that a published
pipeline maps back onto its published model), so the project's rule "speed claims are ratios against the R
equivalent" has nothing to compare with here. ``--r-scale`` prints, as a scale only, the time of one fit of the
paper's pipeline in R (``val_paper_pipeline`` of reference_r/validation.R through rpy2) on the cohort just
generated: the generator makes ``b`` draws' fits in stage B plus 50 in the evaluation.

    .venv/bin/python benchmarks/bench_synth.py [--seeds 20250611,1,2] [--budget A,B,C[,BOOT[,RETRIES]]] [--r-scale]

Prints the CPU model and load average; writes per seed the CPU and wall seconds, the stages' CPU seconds
and whether the cohort is faithful to ``benchmarks/results/bench_synth.json`` (with ``--r-scale``, R's
seconds per pipeline fit too). Earlier runs' figures: ``benchmarks/results/HISTORY.md``.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys

import numpy as np
from _timing import machine, machine_line, timed, write_results


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its (waited-for) children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="20250611", help="comma-separated seeds")
    ap.add_argument("--budget", default=None, help="A,B,C[,BOOT] as for nenaudit synth")
    ap.add_argument(
        "--r-scale", action="store_true", help="also time one R pipeline fit (a scale, not a ratio)"
    )
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from nenaudit.synth import generate

    budget = (
        None
        if args.budget is None
        else dict(zip(("a", "b", "c", "boot", "retries"), map(int, args.budget.split(","))))
    )
    started = machine()
    print(machine_line() + "; one thread")
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        marks: list[tuple[float, str]] = []
        c0 = cpu_seconds()

        def say(msg: str, marks=marks, c0=c0) -> None:
            marks.append((cpu_seconds() - c0, msg))

        with threadpool_limits(limits=1):
            c, wall = timed(generate, None, seed, progress=say, budget=budget)
        total = cpu_seconds() - c0
        stage: dict[str, float] = {}
        key = "start"
        for (t, msg), nxt in zip(marks, marks[1:] + [(total, "end")]):
            # an indented line (a stage B draw) belongs to the stage above it
            if not msg.startswith("  "):
                key = msg.split(":")[0].split(" (")[0]
            stage[key] = stage.get(key, 0.0) + (nxt[0] - t)
        p = c.manifest["achieved"]["pipeline"]
        rows.append((seed, total, stage, p["faithful"], p["missed"], c, wall))
        print(
            f"seed {seed}: CPU {total:.1f} s (wall {wall:.1f} s); "
            + ", ".join(f"{k} {v:.1f} s" for k, v in stage.items())
            + f"; faithful {p['faithful']}"
            + (f" (missed {', '.join(p['missed'])})" if p["missed"] else ""),
            flush=True,
        )
    cpu = [r[1] for r in rows]
    print(
        f"CPU seconds per cohort on one core: median {np.median(cpu):.1f}, range {min(cpu):.1f}-{max(cpu):.1f} "
        f"(target <= 300 s); wall median {np.median([r[6] for r in rows]):.1f} s"
    )
    settings = {"seeds": [r[0] for r in rows], "budget": budget, "threads": 1}
    results = {
        "seeds": {
            str(r[0]): {
                "cpu_seconds": r[1],
                "wall_seconds": r[6],
                "stage_cpu_seconds": r[2],
                "faithful": r[3],
                "missed": list(r[4]),
            }
            for r in rows
        },
        "median_cpu_seconds": float(np.median(cpu)),
        "target_cpu_seconds": 300,
    }
    if not args.r_scale:
        write_results("bench_synth", settings, results, started)
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
    icc = icc_filter_from_values(
        proc.features, proc.icc_values, threshold=sc.icc_threshold, form=sc.icc_form
    )
    F = X[list(icc.kept)].to_numpy(float)
    clinical = [c for c in proc.candidates if c != RADSCORE]
    n_fits = 10
    idx = v.resample_indices(y.size, n_fits, 1)
    R.source("validation.R")
    d = R.call(
        "data.frame", **{safe(c): R.fvec(X[c].to_numpy(float)) for c in clinical}, y=R.fvec(y)
    )
    _, tr = timed(
        R.call,
        "val_paper_pipeline",
        d,
        R.matrix(F),
        "y",
        R.svec([safe(c) for c in clinical]),
        R.matrix(idx + 1),
        R.ivec(make_foldid(y.size, sc.nfolds, sc.seed)),
        sc.spearman_cutoff,
        cfg.entry,
        cfg.stay,
    )
    per = tr / n_fits
    med = float(np.median([r[1] for r in rows]))
    print(
        f"R: {per:.3f} s per paper-pipeline fit ({n_fits} resamples); a cohort costs as much as {med / per:.0f} "
        "R pipeline fits (a scale, not a speed ratio: R has no generator)"
    )
    results["r_seconds_per_pipeline_fit"] = per
    write_results("bench_synth", settings, results, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
