"""The embedded study's spec-only noise twin against today's design-exact null, in one run.

Both are ``simulate null`` runs of the same size and seed: the twin (``--twin``: cohorts from the spec's
pipeline section, features as Gaussian combinations of the shipped extraction, no signal at all) and the
design-exact null with ``--signal none`` (synth's cohorts of Table 2, features permuted across lesions,
outcome permuted across patients: no signal either). Written to ``--out``/twin_vs_design.json: for each
run the median and 95th percentile of the apparent fusion (and Radscore) AUC, their 95% order-statistic
intervals (the binomial interval of the order statistics, Hahn & Meeker 1991, section 5.2), the seconds
per replicate, CPU model and load; and whether the intervals overlap.

    PYTHONPATH=src .venv/bin/python benchmarks/twin_vs_design.py --cohorts 100 --boot 10 --jobs 2 --out DIR
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np


def order_ci(vals, q, z=1.959963984540054):
    """The q-quantile (type 7) and its distribution-free 95% interval from the order statistics."""
    from nenaudit.stats.quantile import quantile7

    v = np.sort(np.asarray(vals, dtype=float))
    n = v.size
    lo = max(int(math.floor(n * q - z * math.sqrt(n * q * (1 - q)))), 1)
    hi = min(int(math.ceil(n * q + z * math.sqrt(n * q * (1 - q)))), n)
    return float(quantile7(v, [q])[0]), float(v[lo - 1]), float(v[hi - 1])


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None) -> int:
    from nenaudit.simulate import SimulationSpec, run_simulation
    from nenaudit.simulate.store import Store
    from nenaudit.study.schema import load

    ap = argparse.ArgumentParser()
    ap.add_argument("--cohorts", type=int, default=100)
    ap.add_argument("--boot", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20250611)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    study = load()
    res = {
        "cohorts": a.cohorts,
        "boot": a.boot,
        "seed": a.seed,
        "jobs": a.jobs,
        "cpu": cpu_model(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": {},
    }
    for name, twin in (("twin", True), ("design_exact_signal_none", False)):
        spec = SimulationSpec(
            mode="null",
            cohorts=a.cohorts,
            boot=a.boot,
            seed=a.seed,
            signal="none",
            study_sha256=study.sha256,
            twin=twin,
        )
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        run_simulation(
            spec,
            out / name,
            jobs=a.jobs,
            quiet=True,
            command=f"benchmarks/twin_vs_design.py ({name})",
        )
        wall = time.perf_counter() - t0
        with Store(out / name, create=False) as s:
            rows = list(s.rows())
        r = {
            "wall_seconds": wall,
            "seconds_per_replicate": float(np.mean([x["seconds"] for x in rows])),
            "load_before": load0,
            "status": {},
        }
        for x in rows:
            r["status"][x["status"]] = r["status"].get(x["status"], 0) + 1
        for metric in ("auc_fusion", "auc_radscore", "optimism_pipeline"):
            vals = [x["metrics"][metric] for x in rows if x["metrics"].get(metric) is not None]
            if vals:
                r[metric] = {
                    "n": len(vals),
                    "median": order_ci(vals, 0.5),
                    "q95": order_ci(vals, 0.95),
                }
        res["runs"][name] = r
        (out / "twin_vs_design.json").write_text(json.dumps(res, indent=1))
    t, d = res["runs"]["twin"]["auc_fusion"], res["runs"]["design_exact_signal_none"]["auc_fusion"]
    res["overlap"] = {k: not (t[k][2] < d[k][1] or d[k][2] < t[k][1]) for k in ("median", "q95")}
    (out / "twin_vs_design.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
