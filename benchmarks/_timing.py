"""Shared by the benchmarks (run as scripts, so this directory is on sys.path)."""

from __future__ import annotations

import time
import warnings


def timed(fn, *a, **k):
    """``(fn(*a, **k), elapsed seconds)``, with warnings silenced (they are reported elsewhere)."""
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(*a, **k)
    return out, time.perf_counter() - t
