"""Benchmark: replicates per hour of ``nenaudit simulate null`` on 1 and 2 local workers and a 2-worker Dask LocalCluster.

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

Measured 2026-12-01 on this 2-core machine while other sessions kept its load average at 6-9
(so every figure is a lower bound; the efficiency especially), ``--cohorts 6 --boot 10``, fresh
synthetic cohorts, seed 1:

    configuration                  wall      replicates/hour   sum of replicate times
    local, 1 worker                 93.0 s   232               77.1 s
    local, 2 workers                85.5 s   253              163.1 s
    dask LocalCluster, 2 workers   159.0 s   136              255.1 s
    scaling efficiency: local 0.54 (x1.09), dask 0.29 (x0.59); identical stores: yes

Measured 2026-12-02 (``--engine rust``, the default now), load average 6-7.6 from other sessions,
``--cohorts 4 --boot 10``, fresh synthetic cohorts, seed 1:

    configuration                  wall      replicates/hour   sum of replicate times
    local, 1 worker                 70.1 s   205               57.2 s
    local, 2 workers                69.5 s   207              130.3 s
    dask LocalCluster, 2 workers   121.1 s   119              184.5 s
    scaling efficiency: local 0.50 (x1.01), dask 0.29 (x0.58); identical stores: yes

Measured 2026-12-02 (third session, ``--engine numba``, the default now), machine nearly idle,
``--cohorts 8 --boot 10``, fresh synthetic cohorts, seed 1:

    configuration                  wall      replicates/hour   sum of replicate times
    local, 1 worker                 57.0 s    505              51.7 s
    local, 2 workers                27.3 s   1056              52.1 s
    dask LocalCluster, 2 workers    38.3 s    752              62.8 s
    scaling efficiency: local 1.05 (x2.09), dask 0.74 (x1.49); identical stores: yes

The acceptance command itself (``--cohorts 200 --boot 50 --jobs 2``, under ``nice -n 10`` beside
the other sessions' tests) ran 65 to 204 replicates per hour as their load came and went.

The sum of replicate times doubling from 1 to 2 workers says the second core was not free; Dask
also pays for its scheduler, two freshly spawned worker processes that import numpy/scipy/pandas/
nenaudit (the local pool forks the driver, imports included) and its start-up and shut-down, which
weigh heavily in a 6-replicate run and not in a 1,000-replicate one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _timing import timed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cohorts", type=int, default=8)
    ap.add_argument("--boot", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cohort", default=None, help="permute this cohort instead of generating fresh ones")
    ap.add_argument("--max-features", type=int, default=None)
    ap.add_argument("--skip-dask", action="store_true")
    a = ap.parse_args(argv)

    from nenaudit.simulate import SimulationSpec, run_simulation
    from nenaudit.simulate.store import Store, row_key

    spec = SimulationSpec(mode="null", cohorts=a.cohorts, boot=a.boot, seed=a.seed, cohort=a.cohort,
                          max_features=a.max_features)
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
            print(f"{label:30s} {sec:8.1f} s  {3600 * len(rows) / sec:8.1f} replicates/hour  "
                  f"(sum of replicate times {results[label][2]:.1f} s)", flush=True)
    r1 = len(results["local, 1 worker"][1]) / results["local, 1 worker"][0]
    for label in results:
        if "2 workers" in label:
            r2 = len(results[label][1]) / results[label][0]
            print(f"scaling efficiency, {label}: {r2 / (2 * r1):.2f} (speed-up x{r2 / r1:.2f})")
    ref = results["local, 1 worker"][1]
    same = all(v[1] == ref for v in results.values())
    print(f"identical stores across configurations: {'yes' if same else 'NO'}")
    print(f"spec: {spec.cohorts} null cohorts, {spec.boot} resamples per scheme, seed {spec.seed}, "
          f"{'cohort ' + spec.cohort if spec.cohort else 'fresh synthetic cohorts'}"
          + (f", {spec.max_features} features" if spec.max_features else ""))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
