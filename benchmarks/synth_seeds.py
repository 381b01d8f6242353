"""Distribution over seeds of faithful synthetic cohorts: what the paper's pipeline gives on each.

Usage: ``.venv/bin/python benchmarks/synth_seeds.py [--first 1] [--n 10] [--out synthetic/seed_distribution.json]``

Seeds ``first .. first + n - 1`` (a plain range, no seed is chosen or dropped); each cohort is generated
exactly as ``nenaudit synth --seed N`` does (stages A, B, C and the ``--boot 50`` evaluation by
``run_pipeline``), one at a time, and its manifest's ``achieved`` section is collected: per seed, whether
it is faithful and which targets it missed, and the quantities the paper does not print and the tool
exists to show: optimism and optimism-corrected AUC per validation scheme, corrected calibration slope,
separated resamples; the stage C attempts (a retry when a target stage C can move was missed) and the
plausibility terms' association achieved and cost in targets (``manifest.plausibility``). The file is
rewritten after every seed (``seeds_run`` says which ran), so an interrupted run leaves a valid file for the
seeds done. CPU and wall seconds per cohort are recorded (this machine, not a claim; benchmarks/bench_synth.py
times it).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import warnings
from pathlib import Path

import numpy as np
from _timing import machine_line

SCHEMES = ("harrell", "cluster", "pipeline")


def collect(seed: int) -> dict:
    from nenaudit.synth import generate

    m = generate(None, seed).manifest
    a = m["achieved"]
    p = a["pipeline"]
    by = {t["target"]: t for t in p.get("targets", [])}
    pl = m.get("plausibility") or {}
    row: dict = {
        "seed": seed,
        "faithful": p.get("faithful"),
        "missed": p.get("missed", []),
        "failure": p.get("failure"),
        "groups_failed": [g for g, s in p.get("groups", {}).items() if not s["ok"]],
        "stage_c_attempts": m["stages"].get("c_attempts"),
        "plausibility": {
            "associations": [
                {
                    k: x[k]
                    for k in (
                        "a",
                        "b",
                        "min_spearman_within_outcome",
                        "with",
                        "without",
                        "met_with",
                    )
                }
                for x in pl.get("associations", [])
            ],
            "targets_lost": pl.get("targets_lost"),
            "targets_gained": pl.get("targets_gained"),
        },
    }
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
        vals[f"{scheme}/separated_share"] = (
            (x["failures"].get("separation", 0) + x.get("kept_separated", 0)) / x["n_boot"]
            if x
            else None
        )
    vals["published/mean_auc"] = (u.get("published") or {}).get("mean_auc")
    for x in pl.get("associations", []):  # the smaller of the two within-outcome correlations
        for k in ("with", "without"):
            got = [v for v in x[k].values() if v is not None]
            vals[f"plausibility/{x['a']} ~ {x['b']}/min_spearman_{k}"] = min(got) if got else None
    vals["plausibility/targets_lost"] = len(pl.get("targets_lost") or [])
    row["values"] = vals
    return row


def summarize(rows: list[dict]) -> dict:
    keys = list(dict.fromkeys(k for r in rows for k in r["values"]))
    out = {}
    for k in keys:
        v = np.array(
            [np.nan if r["values"].get(k) is None else float(r["values"][k]) for r in rows]
        )
        ok = v[np.isfinite(v)]
        q = np.quantile(ok, [0, 0.25, 0.5, 0.75, 1]) if ok.size else [None] * 5
        out[k] = {
            "quantiles": dict(
                zip(
                    ("min", "q25", "median", "q75", "max"),
                    [None if x is None else float(f"{x:.4g}") for x in q],
                )
            ),
            "values": [None if not np.isfinite(x) else float(f"{x:.4g}") for x in v],
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--out", default="synthetic/seed_distribution.json")
    args = ap.parse_args()
    print(machine_line())
    warnings.simplefilter("ignore")
    from nenaudit import __version__
    from nenaudit.synth import DEFAULT_SEED, realize

    seeds = list(range(args.first, args.first + args.n))
    rows, times, cpus = [], [], []

    def cpu() -> float:
        a, b = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    from threadpoolctl import threadpool_limits

    for seed in seeds:
        t0, c0 = time.perf_counter(), cpu()
        with threadpool_limits(limits=1):
            rows.append(collect(seed))
        times.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
        rows[-1]["cpu_seconds"], rows[-1]["wall_seconds"] = round(cpus[-1], 1), round(times[-1], 1)
        out = {
            "what": (
                "faithful synthetic feng2025 cohorts over a plain range of seeds: per seed, faithful or the "
                "targets missed, and the unprinted quantities (benchmarks/synth_seeds.py)"
            ),
            "nenaudit_version": __version__,
            "generator_version": realize.GENERATOR_VERSION,
            "seeds_planned": [seeds[0], seeds[-1]],
            "seeds_run": [r["seed"] for r in rows],
            "default_seed": DEFAULT_SEED,
            "faithful": f"{sum(bool(r['faithful']) for r in rows)} of {len(rows)}",
            "seconds_per_cohort": {
                "cpu_one_thread": {
                    "median": float(f"{np.median(cpus):.3g}"),
                    "min": float(f"{min(cpus):.3g}"),
                    "max": float(f"{max(cpus):.3g}"),
                },
                "wall": {
                    "median": float(f"{np.median(times):.3g}"),
                    "min": float(f"{min(times):.3g}"),
                    "max": float(f"{max(times):.3g}"),
                },
                "note": "this machine, shared (2 cores, other sessions running), nice -n 10",
            },
            "per_seed": [
                {
                    k: r[k]
                    for k in (
                        "seed",
                        "faithful",
                        "missed",
                        "groups_failed",
                        "final_model",
                        "failure",
                        "stage_c_attempts",
                        "plausibility",
                        "cpu_seconds",
                        "wall_seconds",
                    )
                }
                for r in rows
            ],
            "quantities": summarize(rows),
        }
        Path(args.out).write_text(
            json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(
            f"seed {seed}: CPU {cpus[-1]:.0f} s (wall {times[-1]:.0f} s), faithful {rows[-1]['faithful']}"
            + (f", missed {', '.join(rows[-1]['missed'])}" if rows[-1]["missed"] else ""),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
