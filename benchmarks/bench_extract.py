"""Benchmark: pyradiomics extraction throughput with 2 worker processes against 1, same phantoms, one run.

    .venv/bin/python benchmarks/bench_extract.py [--lesions 48] [--seed 1] [--keep DIR]

Writes a phantom cohort (default scan: 256 x 256 x 30 voxels of 0.703125 x 0.703125 x 5 mm, lesion
diameters log-normal around 24 mm; observer re-segmentations for 46/131 of the lesions) into a
temporary directory, then runs :func:`nenaudit.radiomics.extract.extract` on every case with
``jobs=1`` (in process, one SimpleITK thread) and with ``jobs=2`` (two processes, one SimpleITK
thread each; process start-up and pyradiomics import included in the time). Prints cases per
second for each and the speed-up (target >= 1.8x on 2 free cores), checks that both runs give the
same table, and prints the load average and the CPU time the extraction obtained (summed over
workers, per case) as a share of ``jobs`` cores x wall time: on a shared machine other work takes
cores away, the share drops below 100% and so does the speed-up; the CPU time per case shows
whether the workers themselves are slower (they should not be). With the Linux scheduler's
autogroups (``/proc/sys/kernel/sched_autogroup_enabled`` = 1) CPU is shared between sessions, not
processes: while other sessions are busy a second worker only splits this session's share, and the
speed-up says nothing about the code. Run it on an otherwise idle machine.

Prints the CPU model; writes the times, cases per second, CPU shares and the speed-up to
``benchmarks/results/bench_extract.json`` (with the load average before and after and the date). No
ratio against R: the extraction has no R counterpart here (pyradiomics is the reference).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from _timing import machine, machine_line, write_results

from nenaudit.radiomics.extract import extract, find_cases
from nenaudit.radiomics.phantom import write_phantom


def _busy(seconds: float = 2.0) -> str:
    """Share of all CPUs busy over ``seconds`` while this benchmark is idle (others' load), from /proc/stat."""

    def sample():
        vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return sum(vals), vals[3] + vals[4]  # total, idle + iowait

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, ValueError, IndexError):
        return "n/a"
    return f"{1 - (i1 - i0) / max(t1 - t0, 1):.0%}"


def _autogroup() -> str:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        return "n/a"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lesions", type=int, default=48)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--keep", default=None, metavar="DIR", help="write the phantom here and keep it"
    )
    args = ap.parse_args()
    started = machine()
    print(machine_line())

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_extract_"))
    try:
        cohort = work / "cohort"
        cohort.mkdir(parents=True, exist_ok=True)
        n = args.lesions
        pids, k = [], 0
        while (
            len(pids) < n
        ):  # patients with 2, 1, 2, 1, ... lesions (the paper: 131 lesions in 76 patients)
            k += 1
            pids += [f"P{k:03d}"] * (2 if k % 2 else 1)
        pids = pids[:n]
        pd.DataFrame(
            {
                "lesion_id": [f"L{i + 1:03d}" for i in range(n)],
                "patient_id": pids,
                "outcome": [i % 4 == 0 for i in range(n)],
            }
        ).astype({"outcome": int}).to_csv(cohort / "lesions.csv", index=False)
        t = time.perf_counter()
        write_phantom(cohort, work / "phantom", seed=args.seed)
        t_phantom = time.perf_counter() - t
        cases = find_cases(work / "phantom" / "images", work / "phantom" / "masks")
        print(
            f"phantom: {n} lesions, {len(cases)} cases (masks incl. re-segmentations), "
            f"written in {t_phantom:.1f} s; cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}, "
            f"autogroup {_autogroup()}; CPUs busy with other work before the runs: {_busy()}"
        )
        res = {}
        for jobs in (1, 2):
            res[jobs] = extract(cases, jobs=jobs)
            r = res[jobs]
            share = r.cpu_seconds / (r.seconds * jobs)
            print(
                f"jobs={jobs}: {r.seconds:7.2f} s  {len(cases) / r.seconds:6.2f} cases/s  "
                f"extraction CPU {r.cpu_seconds:6.2f} s  CPU share of the {jobs} core(s) {share:4.0%}  "
                f"({len(r.failures)} failed)"
            )
        pd.testing.assert_frame_equal(res[1].table, res[2].table, check_exact=True)
        speedup = res[1].seconds / res[2].seconds
        print(f"CPUs busy with other work after the runs: {_busy()}")
        print(
            f"speed-up 2 workers / 1: {speedup:.2f}x (target >= 1.8x); identical tables; "
            f"load average now {os.getloadavg()[0]:.2f}"
        )
        write_results(
            "bench_extract",
            {"lesions": n, "cases": len(cases), "seed": args.seed},
            {
                "phantom_seconds": t_phantom,
                "speedup_two_workers": speedup,
                "identical_tables": True,
                "runs": {
                    f"jobs_{j}": {
                        "seconds": r.seconds,
                        "cases_per_second": len(cases) / r.seconds,
                        "cpu_seconds": r.cpu_seconds,
                        "cpu_share": r.cpu_seconds / (r.seconds * j),
                        "failed": len(r.failures),
                    }
                    for j, r in res.items()
                },
            },
            started,
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
