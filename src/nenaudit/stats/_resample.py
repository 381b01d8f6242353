"""The resampling engine under bootstrap validation and bootstrap calibration.

One resample is: take its rows, fit the *procedure* on them (every kind of numerical trouble
becomes a counted :class:`ResampleFailure`, never a crash), then evaluate the fitted model with
the caller's function. :func:`run_resamples` runs every resample in order, in this process or
in worker processes that die with their parent (:func:`nenaudit.stats.workers.worker_pool`),
and returns one outcome per resample whatever the number of workers: the rows of each
resample are fixed up front (:func:`resample_indices`, :func:`cluster_indices`) from one seed.

Used by :mod:`nenaudit.stats.validation` (optimism, .632+) and
:mod:`nenaudit.stats.calibration` (``rms::calibrate``'s bias-corrected curve). Private to
:mod:`nenaudit.stats`; its names are public there, and :mod:`nenaudit.stats.validation`
re-exports those meant for users (``resample_indices``, ``ResampleFailure``, ...); the error
classes are imported from :mod:`nenaudit.exceptions` only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nenaudit.exceptions import (
    FAILURE_REASONS,
    ConvergenceWarning,
    FitFailure,
    NenauditError,
    SeparationWarning,
    StatisticalWarning,
    WorkerLost,
)
from nenaudit.stats._checks import as_binary, check_count, check_jobs, make_rng
from nenaudit.stats.workers import run_retrying  # worker_pool, with re-runs of killed workers

__all__ = [
    "ResampleFailure",
    "empty_failures",
    "fit_or_fail",
    "fit_full_data",
    "check_data",
    "take_rows",
    "resample_indices",
    "cluster_indices",
    "group_codes",
    "expand_clusters",
    "run_resamples",
    "count_failures",
    "warn_failures",
]


# --------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResampleFailure:
    """A resample that could not be used, and why."""

    reason: str
    detail: str = ""


def empty_failures() -> dict[str, int]:
    """``{reason: 0}`` for every reason of :data:`FAILURE_REASONS`."""
    return {r: 0 for r in FAILURE_REASONS}


def count_failures(outs) -> tuple[list, dict[str, int]]:
    """The usable outcomes, in order, and the failures counted by reason."""
    fails = empty_failures()
    ok = []
    for o in outs:
        if isinstance(o, ResampleFailure):
            fails[o.reason] += 1
        else:
            ok.append(o)
    return ok, fails


def warn_failures(fails: dict[str, int], total: int) -> None:
    """One :class:`StatisticalWarning` saying how many resamples failed, by reason (none when all worked)."""
    bad = sum(fails.values())
    if bad:
        what = ", ".join(f"{k} {v}" for k, v in fails.items() if v)
        warnings.warn(
            f"{bad} of {total} bootstrap resamples failed ({what}) and were left out of the averages",
            StatisticalWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------------------
# Fitting a procedure (its model predicts through nenaudit.stats.protocols.predict_lp)
# --------------------------------------------------------------------------------------


def fit_or_fail(procedure: Callable, X, y: np.ndarray):
    """Fit, turning every kind of numerical trouble into a counted :class:`ResampleFailure`."""
    if y.min() == y.max():
        return ResampleFailure("one_class", f"the resample has only y = {int(y[0])}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = procedure(X, y)
        except FitFailure as exc:
            return ResampleFailure(exc.reason, exc.detail)
        except np.linalg.LinAlgError as exc:
            return ResampleFailure("singular", str(exc))
        except (NenauditError, ValueError, ArithmeticError) as exc:
            return ResampleFailure("error", f"{type(exc).__name__}: {exc}")
    keep = bool(getattr(procedure, "keep_separated", False))
    for w in caught:
        if issubclass(w.category, SeparationWarning) and not keep:
            return ResampleFailure("separation", str(w.message))
        if issubclass(w.category, ConvergenceWarning):
            return ResampleFailure("non_convergence", str(w.message))
    return model


def fit_full_data(procedure: Callable, X, y: np.ndarray):
    """The procedure's model on the full data; a failure there is a one-line :class:`NenauditError`."""
    model = fit_or_fail(procedure, X, y)
    if isinstance(model, ResampleFailure):
        raise NenauditError(
            f"the procedure fails on the full data ({model.reason}: {model.detail})"
        )
    return model


# --------------------------------------------------------------------------------------
# Data and resample indices
# --------------------------------------------------------------------------------------


def check_data(X, y) -> tuple[Any, np.ndarray]:
    """``X`` (a DataFrame with a fresh index, or a finite 2-d array) and ``y`` (0/1 floats, both classes)."""
    yy = as_binary(y).astype(float)
    if hasattr(X, "iloc"):
        if len(X) != yy.size:
            raise NenauditError(
                f"X has {len(X)} rows but y has {yy.size} values: pass one outcome per row"
            )
        Xd = X.reset_index(drop=True)
    else:
        Xd = np.asarray(X, dtype=float)
        if Xd.ndim == 1:
            Xd = Xd[:, None]
        if Xd.ndim != 2 or Xd.shape[0] != yy.size:
            raise NenauditError(
                f"X must be 2-d with {yy.size} rows (one per outcome), got shape {Xd.shape}"
            )
        if not np.isfinite(Xd).all():
            raise NenauditError("X has missing or infinite values: drop or impute those rows first")
    if yy.min() == yy.max():
        raise NenauditError(f"y has only the value {int(yy[0])}: validation needs both classes")
    return Xd, yy


def take_rows(X, rows: np.ndarray):
    """The rows ``rows`` of ``X`` (a DataFrame gets a fresh 0..n-1 index)."""
    if hasattr(X, "iloc"):
        return X.iloc[rows].reset_index(drop=True)
    return X[rows]


def resample_indices(n: int, n_boot: int, seed) -> np.ndarray:
    """Ordinary bootstrap rows, 0-based, shape ``(n_boot, n)``, all drawn up front from ``seed``.

    ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))``: row ``b`` is resample
    ``b`` whatever the number of workers that later process it. Add 1 before passing to R.

    R: ``t(replicate(B, sample(n, replace = TRUE)))`` in shape (the draws come from numpy's
    Generator, so they are passed to R, not re-drawn there). Reference: Efron B, Tibshirani RJ.
    An Introduction to the Bootstrap. Chapman & Hall; 1993. doi:10.1201/9780429246593
    """
    return make_rng(seed).integers(0, int(n), size=(check_count(n_boot), int(n)))


def cluster_indices(n_groups: int, n_boot: int, seed) -> np.ndarray:
    """Group (patient) draws for the cluster bootstrap, 0-based group codes, shape ``(n_boot, n_groups)``.

    Reference: Davison AC, Hinkley DV. Bootstrap Methods and their Application. CUP; 1997,
    section 3.8 (resampling clusters). doi:10.1017/CBO9780511802843
    """
    return make_rng(seed).integers(0, int(n_groups), size=(check_count(n_boot), int(n_groups)))


def group_codes(groups, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct patient ids and each row's 0-based code among them."""
    g = np.asarray(groups)
    if g.ndim != 1 or g.size != n:
        raise NenauditError(f"groups must give one patient id per row ({n}), got shape {g.shape}")
    if g.dtype.kind == "f" and np.isnan(g).any():
        raise NenauditError("groups has missing patient ids: every lesion needs its patient")
    levels, codes = np.unique(g, return_inverse=True)
    return levels, codes.ravel()


def expand_clusters(codes: np.ndarray, group_draws: np.ndarray) -> list[np.ndarray]:
    """Row indices of each cluster resample: the rows of each drawn group, in draw order."""
    members = [np.flatnonzero(codes == k) for k in range(int(codes.max()) + 1)]
    return [np.concatenate([members[k] for k in draw]) for draw in np.asarray(group_draws)]


# --------------------------------------------------------------------------------------
# The engine: one resample, every resample
# --------------------------------------------------------------------------------------


def _one(evaluate: Callable, procedure: Callable, X, y: np.ndarray, rows: np.ndarray, payload: Any):
    Xt, yt = take_rows(X, rows), y[rows]
    model = fit_or_fail(procedure, Xt, yt)
    if isinstance(model, ResampleFailure):
        return model
    return evaluate(model, Xt, yt, X, y, payload)


def _run_chunk(evaluate, procedure, X, y, payload, chunk):
    return [_one(evaluate, procedure, X, y, rows, payload) for rows in chunk]


def run_resamples(
    evaluate: Callable,
    procedure: Callable,
    X,
    y: np.ndarray,
    rows_list: Sequence[np.ndarray],
    jobs: int,
    payload: Any = None,
) -> list:
    """Fit ``procedure`` on each resample's rows and evaluate the model; one outcome per resample, in order.

    ``evaluate(model, X_resample, y_resample, X, y, payload)`` (a module-level function, so that
    worker processes can run it) returns the resample's numbers; a resample whose fit fails
    gives its :class:`ResampleFailure` instead (:func:`fit_or_fail`). With ``jobs > 1`` the
    resamples run in ``jobs`` worker processes in contiguous chunks; the outcomes do not depend
    on ``jobs``.
    """
    jobs = check_jobs(jobs)
    rows_list = list(rows_list)
    if jobs == 1 or len(rows_list) < 2:
        return _run_chunk(evaluate, procedure, X, y, payload, rows_list)
    n_chunks = min(len(rows_list), 4 * jobs)
    bounds = np.linspace(0, len(rows_list), n_chunks + 1).astype(int)
    chunks = [rows_list[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    results: dict[int, list] = {}
    # workers die with the parent; an interrupt stops them at once; a worker killed from outside (SIGKILL, out of
    # memory) costs a re-run of its chunk (the outcomes depend only on the resample rows)
    try:
        run_retrying(
            jobs,
            _run_chunk,
            {k: (evaluate, procedure, X, y, payload, c) for k, c in enumerate(chunks)},
            results.__setitem__,
        )
    except WorkerLost as exc:
        raise NenauditError(
            f"{exc}: {exc.lost} chunk(s) of resamples not run; run again with fewer --jobs "
            "or more memory"
        ) from None
    out: list = []
    for k in range(len(chunks)):
        out.extend(results[k])
    return out
