"""Distribution over seeds of faithful synthetic cohorts: what the paper's pipeline gives on each.

Usage: ``.venv/bin/python benchmarks/synth_seeds.py [--first 1] [--n 10] [--out synthetic/seed_distribution.json]``

Seeds ``first .. first + n - 1`` (a plain range, no seed is chosen or dropped); each cohort is generated
exactly as ``nenaudit synth --seed N`` does (stages A, B, C and the ``--boot 50`` evaluation by
``run_pipeline``), one at a time, and its manifest's ``achieved`` section is collected: per seed, whether
it is faithful and which targets it missed, and the quantities the paper does not print and the tool
exists to show: optimism and optimism-corrected AUC per validation scheme, corrected calibration slope,
separated resamples. The file is rewritten after every seed (``seeds_run`` says which ran), so an
interrupted run leaves a valid file for the seeds done. Generation time per cohort is recorded (this
machine, not a claim; benchmarks/bench_synth.py times it).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

SCHEMES = ("harrell", "cluster", "pipeline")


def collect(seed: int) -> dict:
    from nenaudit.synth import generate

    m = generate(None, seed).manifest
    a = m["achieved"]
    p = a["pipeline"]
    by = {t["target"]: t for t in p.get("targets", [])}
    row: dict = {"seed": seed, "faithful": p.get("faithful"), "missed": p.get("missed", []),
                 "failure": p.get("failure")}
    vals: dict[str, float | None] = {}
    for k in ("lasso/n_selected", "auc/radscore", "auc/fusion"):
        vals[k] = by.get(k, {}).get("achieved")
    row["final_model"] = by.get("final_model", {}).get("achieved")
    for g, s in p.get("groups", {}).items():
        vals[f"met/{g}"] = s["met"]
    u = a.get("unprinted", {})
    for scheme in SCHEMES:
        x = u.get(scheme) or {}
        for k in ("optimism", "corrected_auc", "corrected_slope"):
            vals[f"{scheme}/{k}"] = x.get(k)
        vals[f"{scheme}/separated_share"] = (x["failures"].get("separation", 0) + x.get("kept_separated", 0)) \
            / x["n_boot"] if x else None
    vals["published/mean_auc"] = (u.get("published") or {}).get("mean_auc")
    row["values"] = vals
    return row


def summarize(rows: list[dict]) -> dict:
    keys = list(dict.fromkeys(k for r in rows for k in r["values"]))
    out = {}
    for k in keys:
        v = np.array([np.nan if r["values"].get(k) is None else float(r["values"][k]) for r in rows])
        ok = v[np.isfinite(v)]
        q = np.quantile(ok, [0, 0.25, 0.5, 0.75, 1]) if ok.size else [None] * 5
        out[k] = {"quantiles": dict(zip(("min", "q25", "median", "q75", "max"),
                                        [None if x is None else float(f"{x:.4g}") for x in q])),
                  "values": [None if not np.isfinite(x) else float(f"{x:.4g}") for x in v]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--out", default="synthetic/seed_distribution.json")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from nenaudit import __version__
    from nenaudit.synth import DEFAULT_SEED, realize

    seeds = list(range(args.first, args.first + args.n))
    rows, times = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        rows.append(collect(seed))
        times.append(time.perf_counter() - t0)
        out = {
            "what": ("faithful synthetic feng2025 cohorts over a plain range of seeds: per seed, faithful or the "
                     "targets missed, and the unprinted quantities (benchmarks/synth_seeds.py)"),
            "nenaudit_version": __version__,
            "generator_version": realize.GENERATOR_VERSION,
            "seeds_planned": [seeds[0], seeds[-1]],
            "seeds_run": [r["seed"] for r in rows],
            "default_seed": DEFAULT_SEED,
            "faithful": f"{sum(bool(r['faithful']) for r in rows)} of {len(rows)}",
            "median_seconds_per_cohort": float(f"{np.median(times):.3g}"),
            "per_seed": [{k: r[k] for k in ("seed", "faithful", "missed", "final_model", "failure")}
                         for r in rows],
            "quantities": summarize(rows),
        }
        Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"seed {seed}: {times[-1]:.0f} s, faithful {rows[-1]['faithful']}"
              + (f", missed {', '.join(rows[-1]['missed'])}" if rows[-1]["missed"] else ""), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
