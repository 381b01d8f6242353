"""Input checks shared by the statistics: one rule, one message, for each kind of argument.

Every check raises a one-line :class:`~nenaudit.exceptions.NenauditError` that names the
argument and says what to do. Private to :mod:`nenaudit.stats` (its names are public there).
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from nenaudit.exceptions import NenauditError, StatisticalWarning

__all__ = [
    "MAX_BOOT",
    "DATA_ARGS",
    "aligned",
    "align_pandas",
    "as_binary",
    "as_score",
    "as_matrix",
    "require_finite",
    "check_indices",
    "check_count",
    "check_jobs",
    "available_memory",
    "check_memory",
    "make_rng",
    "warn_and_record",
]

# One resample's AUC is kept per bootstrap resample (8 bytes each) to take its quantiles;
# the resamples themselves are drawn in chunks of constant memory. 10 million resamples keep
# 80 MB of AUCs, and a percentile CI needs about 1000-2000 (Carpenter & Bithell 2000).
MAX_BOOT = 10_000_000


# --------------------------------------------------------------------------------------
# pandas inputs: aligned on their index or refused (as statsmodels does)
# --------------------------------------------------------------------------------------

# The per-row arguments of the public statistics: pandas objects among them share one index.
DATA_ARGS = (
    "X",
    "y",
    "score",
    "score1",
    "score2",
    "prob",
    "lp",
    "groups",
    "weights",
    "foldid",
    "df",
)


def _is_pandas(x) -> bool:
    return (
        type(x).__module__.split(".")[0] == "pandas"
        and hasattr(x, "index")
        and hasattr(x, "reindex")
    )


def _show_index(idx) -> str:
    vals = list(idx[:4])
    return (
        "["
        + ", ".join(repr(v) for v in vals)
        + (", ...]" if len(idx) > 4 else "]")
        + f" ({len(idx)} rows)"
    )


def align_pandas(named: dict[str, Any], who: str = "") -> dict[str, Any]:
    """The pandas Series/DataFrames among ``named`` (argument name -> value) put in the row order of the first
    one's index, when every index holds the same unique labels; refused naming both indexes when they differ.
    Values that are not pandas objects (numpy arrays, lists) are taken by position, as given."""
    pd_args = [(k, v) for k, v in named.items() if _is_pandas(v)]
    if len(pd_args) < 2:
        return named
    (k0, v0), out = pd_args[0], dict(named)
    for k, v in pd_args[1:]:
        if v.index.equals(v0.index):
            continue
        same = (
            len(v.index) == len(v0.index)
            and v0.index.is_unique
            and v.index.is_unique
            and v.index.sort_values().equals(v0.index.sort_values())
            if len(v0.index)
            else False
        )
        if not same:
            raise NenauditError(
                f"{who + ': ' if who else ''}{k0} and {k} are pandas objects whose indexes differ "
                f"({k0}: {_show_index(v0.index)}; {k}: {_show_index(v.index)}); align them "
                f"(e.g. {k} = {k}.reindex({k0}.index)) or pass numpy arrays"
            )
        out[k] = v.reindex(v0.index)
    return out


def aligned(fn):
    """Decorate a public statistic: its per-row pandas arguments (:data:`DATA_ARGS`) are aligned on their index
    (rows matched by label, as statsmodels and R's model frames do) or refused when the indexes differ."""
    sig = inspect.signature(fn)
    names = [a for a in DATA_ARGS if a in sig.parameters]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError:
            return fn(*args, **kwargs)  # Python's own message for a wrong call
        present = {a: bound.arguments[a] for a in names if a in bound.arguments}
        if sum(_is_pandas(v) for v in present.values()) >= 2:
            bound.arguments.update(align_pandas(present, fn.__name__))
            return fn(*bound.args, **bound.kwargs)
        return fn(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------
# Outcomes, scores, feature tables
# --------------------------------------------------------------------------------------


def as_binary(y) -> np.ndarray:
    """``y`` as 0/1 ``int8`` (booleans accepted); anything else names the values found."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise NenauditError(f"y must be a 1-d vector of 0/1 outcomes, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.int8)
    try:
        f = arr.astype(float)
    except (TypeError, ValueError):
        raise NenauditError(
            "y must hold 0 (control) and 1 (case) only: recode the outcome first"
        ) from None
    if np.isnan(f).any() or not np.isin(f, (0.0, 1.0)).all():
        bad = sorted({v for v in f.tolist() if v not in (0.0, 1.0)}, key=str)[:3]
        raise NenauditError(
            f"y must hold 0 (control) and 1 (case) only, found {bad}: recode or drop those rows"
        )
    return f.astype(np.int8)


def as_score(score, n: int, name: str = "score") -> np.ndarray:
    """``score`` as a finite float vector of length ``n`` (one value per outcome)."""
    try:
        s = np.asarray(score, dtype=float)
    except (TypeError, ValueError):
        raise NenauditError(f"{name} must be numeric") from None
    if s.ndim != 1 or s.shape[0] != n:
        raise NenauditError(f"{name} must be a 1-d vector as long as y ({n}), got shape {s.shape}")
    if not np.isfinite(s).all():
        raise NenauditError(
            f"{name} has {int((~np.isfinite(s)).sum())} missing or infinite values: drop those rows"
        )
    return s


def as_matrix(X: Any, names: Sequence[str] | None, who: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """A numeric 2-d (lesions x features) matrix and its unique column names (a DataFrame's, ``names`` or V1..Vp)."""
    if names is None and hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise NenauditError(
            f"{who}: features must be numeric; convert or drop non-numeric columns"
        ) from None
    if A.ndim != 2:
        raise NenauditError(
            f"{who}: expected a 2-d (lesions x features) matrix, got shape {A.shape}"
        )
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise NenauditError(
            f"{who}: the matrix is empty (shape {A.shape}); give at least one row and one column"
        )
    if names is None:
        names = [f"V{j + 1}" for j in range(A.shape[1])]
    names = tuple(str(n) for n in names)
    if len(names) != A.shape[1]:
        raise NenauditError(f"{who}: {len(names)} names for {A.shape[1]} columns")
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise NenauditError(
                f"{who}: feature name {n!r} appears twice; feature names must be unique"
            )
        seen.add(n)
    return A, names


def require_finite(A: np.ndarray, names: Sequence[str], who: str) -> None:
    """Refuse a NaN or infinite cell, naming the first one's feature and row (1-based)."""
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        kind = "NaN" if np.isnan(A[i, j]) else "infinite"
        raise NenauditError(
            f"{who}: feature {names[j]!r}, row {i + 1}: {kind} value "
            f"({int(bad.any(axis=0).sum())} column(s) affected); "
            "drop or impute these features first (screen_features lists them)"
        )


# --------------------------------------------------------------------------------------
# Resamples, counts, workers, seeds
# --------------------------------------------------------------------------------------


def check_indices(indices, n: int) -> np.ndarray:
    """A 2-d matrix of 0-based row numbers in ``[0, n)``, one resample per row (pROC-style checks)."""
    idx = np.asarray(indices)
    if idx.ndim != 2 or idx.shape[0] < 1:
        raise NenauditError(
            f"indices must be a 2-d array (one resample per row), got shape {idx.shape}"
        )
    if not np.issubdtype(idx.dtype, np.integer):
        if not np.all(np.isfinite(idx)) or not np.all(idx == np.round(idx)):
            raise NenauditError("indices must be whole row numbers (0-based)")
        idx = idx.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise NenauditError(
            f"indices must be 0-based row numbers in [0, {n - 1}], found {idx.min()}..{idx.max()}"
        )
    return idx


def check_count(n_boot) -> int:
    """A positive whole number of resamples."""
    if isinstance(n_boot, bool) or not float(n_boot).is_integer() or n_boot < 1:
        raise NenauditError(f"n_boot must be a positive whole number, got {n_boot!r}")
    return int(n_boot)


def check_jobs(jobs) -> int:
    """A positive whole number of worker processes."""
    if isinstance(jobs, bool) or not float(jobs).is_integer() or jobs < 1:
        raise NenauditError(
            f"jobs must be a positive whole number of worker processes, got {jobs!r}"
        )
    return int(jobs)


def available_memory() -> int | None:
    """Bytes of memory this machine can still give (``MemAvailable`` of /proc/meminfo), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return None


def _size(b: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB", "EB"):
        if b < 1024 or unit == "EB":
            return f"{b:.0f} {unit}" if unit == "bytes" else f"{b:.1f} {unit}"
        b /= 1024
    return f"{b:.1f} EB"  # pragma: no cover


def check_memory(option: str, value: int, bytes_each: float, what: str) -> None:
    """Refuse ``option value`` up front when ``value * bytes_each`` (the estimate of ``what``) exceeds the memory
    this machine has available, with the estimate, instead of a MemoryError after minutes."""
    need = float(value) * float(bytes_each)
    avail = available_memory()
    if avail is not None and need > avail:
        raise NenauditError(
            f"{option} {value}: {what} need about {_size(need)} of memory, more than this machine has "
            f"available ({_size(avail)}); give a smaller number"
        )


def make_rng(seed) -> np.random.Generator:
    """``seed`` (an int >= 0, or a ``numpy.random.Generator`` used as is) as a Generator: ``default_rng(seed)``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise NenauditError(
            f"seed must be an int or a numpy Generator, got {seed!r}: pass e.g. seed=2024"
        )
    return np.random.default_rng(int(seed))


def warn_and_record(msg: str, bucket: list[str]) -> None:
    """Issue ``msg`` as a :class:`StatisticalWarning` (at the caller of the statistic) and keep it in ``bucket``."""
    warnings.warn(msg, StatisticalWarning, stacklevel=3)
    bucket.append(msg)
