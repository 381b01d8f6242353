"""Shared by the benchmarks (run as scripts, so this directory is on sys.path).

Every benchmark prints the machine it ran on (:func:`machine_line`) and writes what it measured to
``benchmarks/results/<bench>.json`` (:func:`write_results`): the CPU model, the core count, the load
average before and after, the date, the medians or totals and the ratios against R from the same run.
The file is strict JSON (no NaN/Infinity: a missing figure is ``null``) and is rewritten by each run;
the dated tables of earlier runs are kept in ``benchmarks/results/HISTORY.md``.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn, *a, **k):
    """``(fn(*a, **k), elapsed seconds)``, with warnings silenced (they are reported elsewhere)."""
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(*a, **k)
    return out, time.perf_counter() - t


def cpu_model() -> str:
    """The CPU's model name: /proc/cpuinfo's ``model name``, else ``lscpu``'s, else platform.processor()."""
    try:
        for line in (
            Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
        ):
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name" and value.strip():
                return value.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine() or "unknown"


def vector_flags() -> list[str]:
    """The CPU's vector extensions that change compiled kernels' speed (from /proc/cpuinfo's flags)."""
    try:
        for line in (
            Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
        ):
            key, _, value = line.partition(":")
            if key.strip() == "flags":
                return sorted(
                    set(value.split()) & {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl"}
                )
    except OSError:
        pass
    return []


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the platform has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict:
    """What a timing depends on besides the code: CPU, cores, load, date, Python, the commit."""
    return {
        "cpu_model": cpu_model(),
        "cpu_vector_flags": vector_flags(),
        "cores": os.cpu_count(),
        "load_average": load_average(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
    }


def machine_line() -> str:
    """One printable line: ``CPU <model>, <n> cores, load <1 min> <5 min> <15 min>``."""
    load = load_average()
    loads = " ".join(f"{x:.2f}" for x in load) if load else "n/a"
    flags = "/".join(vector_flags()) or "no vector flags read"
    return f"CPU {cpu_model()} ({flags}), {os.cpu_count()} cores, load average {loads}"


def strict(value):
    """``value`` with every non-finite float replaced by None and tuples/numpy scalars made plain (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalars and arrays
        return strict(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def write_results(bench: str, settings: dict, results: dict, started: dict | None = None) -> Path:
    """Write ``benchmarks/results/<bench>.json``: the machine (``started`` = :func:`machine` taken before
    the timings, the load average after added), the command's settings and the results; returns the path."""
    started = started or machine()
    doc = {
        "benchmark": bench,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {**started, "load_average_after": load_average()},
        "settings": settings,
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{bench}.json"
    text = json.dumps(strict(doc), indent=2, allow_nan=False) + "\n"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    print(f"results written to {path}")
    return path
