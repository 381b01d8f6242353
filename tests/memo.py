"""Memoising the audit's pure numerical helpers, so the spec fuzz tests can run the full audit thousands of times.

The helpers are deterministic functions of numbers printed in the spec; a single-field mutation
changes few of those, so most calls repeat. Memoising changes no control flow (an exception is
not cached and is raised again).
"""

from __future__ import annotations

import functools

import numpy as np

TARGETS = {
    "nenaudit.audit.auc": ("binormal_delong_se", "hanley_mcneil_se", "auc_ci_from_se"),
    "nenaudit.audit.design": ("riley_sample_size",),
    "nenaudit.audit.validation": ("cstat_to_r2cs", "heuristic_shrinkage"),
    "nenaudit.audit.triples": ("implied_p_from_ratio_ci",),
    "nenaudit.audit.regression": ("fit_logistic",),
}


def _key(x):
    if isinstance(x, np.ndarray):
        return ("nd", x.shape, x.dtype.str, x.tobytes())
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_key(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple(sorted((k, _key(v)) for k, v in x.items())))
    return (type(x).__name__, x)


def memoise(fn):
    cache: dict = {}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            key = (_key(args), _key(kwargs))
            hash(key)
        except TypeError:
            return fn(*args, **kwargs)
        if key not in cache:
            cache[key] = fn(*args, **kwargs)
        return cache[key]

    return wrapper


def install(monkeypatch=None) -> None:
    """Replace the targets in their audit modules (through ``monkeypatch`` when given, undone after the test)."""
    import importlib

    for modname, names in TARGETS.items():
        mod = importlib.import_module(modname)
        for name in names:
            new = memoise(getattr(mod, name))
            if monkeypatch is not None:
                monkeypatch.setattr(mod, name, new)
            else:
                setattr(mod, name, new)
