"""Benchmark: replicates per hour of ``nenaudit simulate null`` on 1 and 2 local workers and a
2-worker Dask LocalCluster.

Each configuration runs the same replicates (same spec, same seed) into its own temporary output
folder through :func:`nenaudit.simulate.run_simulation`, timed from the call to the last stored row
and summary (pool or cluster start-up included, as a user sees it). Printed: wall time, replicates
per hour, scaling efficiency = rate(2 workers) / (2 x rate(1 worker)), and whether the three stores
hold identical rows (they must: seeds are spawned by replicate index).

    .venv/bin/python benchmarks/bench_simulate.py [--cohorts 8] [--boot 20] [--seed 1] [--cohort DIR]
                                                  [--max-features P] [--skip-dask]

Without ``--cohort`` every replicate generates a fresh synthetic cohort (as ``simulate null`` does);
with it the given cohort's features are permuted (no generator time). On a machine whose cores are
shared with other work the efficiency is a lower bound.

Prints the CPU model and load average; writes every configuration's wall time, replicates per hour and
the scaling efficiencies to ``benchmarks/results/bench_simulate.json``. No ratio against R: R has no
simulation runner to compare with. Earlier runs' tables: ``benchmarks/results/HISTORY.md``.

A sum of replicate times that doubles from 1 to 2 workers says the second core was not free; Dask
also pays for its scheduler, two freshly spawned worker processes that import numpy/scipy/pandas/
nenaudit (the local pool forks the driver, imports included) and its start-up and shut-down, which
weigh heavily in a 6-replicate run and not in a 1,000-replicate one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _timing import machine, machine_line, timed, write_results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cohorts", type=int, default=8)
    ap.add_argument("--boot", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--cohort", default=None, help="permute this cohort instead of generating fresh ones"
    )
    ap.add_argument("--max-features", type=int, default=None)
    ap.add_argument("--skip-dask", action="store_true")
    a = ap.parse_args(argv)
    started = machine()
    print(machine_line())

    from nenaudit.simulate import SimulationSpec, run_simulation
    from nenaudit.simulate.store import Store, row_key

    spec = SimulationSpec(
        mode="null",
        cohorts=a.cohorts,
        boot=a.boot,
        seed=a.seed,
        cohort=a.cohort,
        max_features=a.max_features,
    )
    configs = [("local, 1 worker", "local", 1), ("local, 2 workers", "local", 2)]
    if not a.skip_dask:
        configs.append(("dask LocalCluster, 2 workers", "dask", 2))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, backend, jobs in configs:
            out = Path(tmp) / f"{backend}{jobs}"
            _, sec = timed(run_simulation, spec, out, backend=backend, jobs=jobs, quiet=True)
            with Store(out, create=False) as s:
                rows = list(s.rows())
            results[label] = (sec, [row_key(r) for r in rows], sum(r["seconds"] for r in rows))
            print(
                f"{label:30s} {sec:8.1f} s  {3600 * len(rows) / sec:8.1f} replicates/hour  "
                f"(sum of replicate times {results[label][2]:.1f} s)",
                flush=True,
            )
    r1 = len(results["local, 1 worker"][1]) / results["local, 1 worker"][0]
    out = {
        label: {
            "wall_seconds": sec,
            "replicates": len(keys),
            "replicates_per_hour": 3600 * len(keys) / sec,
            "sum_of_replicate_seconds": total,
        }
        for label, (sec, keys, total) in results.items()
    }
    for label in results:
        if "2 workers" in label:
            r2 = len(results[label][1]) / results[label][0]
            print(f"scaling efficiency, {label}: {r2 / (2 * r1):.2f} (speed-up x{r2 / r1:.2f})")
            out[label]["scaling_efficiency"] = r2 / (2 * r1)
    ref = results["local, 1 worker"][1]
    same = all(v[1] == ref for v in results.values())
    print(f"identical stores across configurations: {'yes' if same else 'NO'}")
    print(
        f"spec: {spec.cohorts} null cohorts, {spec.boot} resamples per scheme, seed {spec.seed}, "
        f"{'cohort ' + spec.cohort if spec.cohort else 'fresh synthetic cohorts'}"
        + (f", {spec.max_features} features" if spec.max_features else "")
    )
    write_results(
        "bench_simulate",
        {
            "mode": "null",
            "cohorts": spec.cohorts,
            "boot": spec.boot,
            "seed": spec.seed,
            "cohort": spec.cohort,
            "max_features": spec.max_features,
        },
        {"configurations": out, "identical_stores": bool(same)},
        started,
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
