"""Radiomics feature filters before the lasso: ICC, z-score, Spearman redundancy; and the whole chain.

The paper (Feng et al. 2025, section 2.4) names the steps but not their exact rules; each
rule chosen here is stated and configurable:

* :func:`icc_filter`: drop a feature whose intra- or inter-observer ICC is below 0.75. The
  ICC form is not named in the paper; the default is ICC(2,1) (two-way random effects,
  absolute agreement, single rater: ``psych::ICC`` row ``Single_random_raters``), the form
  Koo & Li (2016) recommend for inter-rater reliability. Computed by
  :mod:`nenaudit.stats.icc`.
* :class:`ZScore` / :func:`fit_zscore`: ``(x - mean) / sd`` with mean and SD of the training
  rows only, reusable on new rows. The default SD is the sample SD (divisor n - 1), as R's
  ``scale()``; ``ddof=0`` gives the population SD (sklearn's ``StandardScaler``). The paper
  only says "Z-score"; the choice rescales every lasso coefficient on the z-scale by
  ``sqrt(n / (n - 1))`` and changes nothing else (glmnet standardizes internally again).
* :func:`spearman_filter`: ``cor(x, method = "spearman")`` and ``caret::findCorrelation(cor,
  cutoff = 0.9)`` (caret 6.0-93): with fewer than 100 features caret's default is its
  "exact" algorithm, otherwise its "fast" one; both are reproduced, dropped sets identical.
The chain ICC filter -> z-score -> Spearman filter -> LASSO-CV -> Radscore that calls these
filters and :func:`nenaudit.stats.lasso.cv_lasso` is :func:`nenaudit.selection.select_features`
(the pipeline layer: the statistics do not orchestrate each other).

References
----------
Koo TK, Li MY. A guideline of selecting and reporting intraclass correlation coefficients
for reliability research. J Chiropr Med 2016;15:155-163. doi:10.1016/j.jcm.2016.02.012
Kuhn M. caret: Classification and Regression Training, R package 6.0-93 (findCorrelation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.stats._checks import as_matrix, require_finite
from nenaudit.stats.icc import ICC_FORMS, icc_two_readings
from nenaudit.stats.result import Result

__all__ = [
    "as_matrix",
    "ZScore",
    "fit_zscore",
    "spearman_matrix",
    "average_ranks",
    "find_correlation",
    "CorrelationFilter",
    "spearman_filter",
    "ICCFilter",
    "icc_filter",
    "icc_filter_from_values",
    "screen_features",
]


# ---------------------------------------------------------------------------------------
# Non-finite and constant features (pyradiomics produces both)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen(Result):
    """Features kept, and those dropped as non-finite (NaN/inf in some row) or constant."""

    kept: tuple[str, ...]
    nonfinite: tuple[str, ...]
    constant: tuple[str, ...]


def screen_features(X: Any, names: Sequence[str] | None = None) -> Screen:
    """List the features that no later step can use: any NaN/inf value, or one value in every row.

    A documented handling rather than an error: the chain drops these first and reports each
    name (pyradiomics returns NaN for some texture features of tiny or flat regions).

    R: ``caret::nearZeroVar`` is not used; the screen drops only exactly constant and non-finite
    columns (pyradiomics can emit NaN), and lists them. Reference: van Griethuysen et al. Cancer Res
    2017;77:e104-e107. doi:10.1158/0008-5472.CAN-17-0339
    """
    A, names = as_matrix(X, names, "features")
    finite = np.isfinite(A)
    nonfinite = ~finite.all(axis=0)
    with np.errstate(invalid="ignore"):
        const = ~nonfinite & (
            np.ptp(A if not nonfinite.any() else np.where(finite, A, 0.0), axis=0) == 0
        )
    drop = (nonfinite | const).tolist()
    return Screen(
        kept=tuple(n for n, d in zip(names, drop) if not d),
        nonfinite=tuple(names[j] for j in np.flatnonzero(nonfinite)),
        constant=tuple(names[j] for j in np.flatnonzero(const)),
    )


# ---------------------------------------------------------------------------------------
# Z-score
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZScore(Result):
    """A fitted z-score standardizer: ``(x - mean) / sd`` per feature, from the training rows.

    ``ddof = 1`` (default) is R's ``scale()`` (sample SD); ``ddof = 0`` the population SD.
    """

    names: tuple[str, ...]
    mean: np.ndarray
    sd: np.ndarray
    ddof: int

    def transform(self, X: Any, only: Sequence[str] | None = None) -> Any:
        """Standardize new rows with the training mean/SD.

        A DataFrame is matched by column name (extra columns are ignored, a missing fitted one is
        an error) and a DataFrame of the fitted columns is returned; an array must have the
        fitted columns in order and an array is returned. ``only`` (fitted names, in the order
        wanted) standardizes just those columns, as the whole transform would, and returns them
        (a DataFrame must still hold every fitted column; an array holds the ``only`` columns).
        """
        names = list(self.names) if only is None else list(only)
        if only is None:
            mean, sd = self.mean, self.sd
        else:
            pos = {n: j for j, n in enumerate(self.names)}
            unknown = [n for n in names if n not in pos]
            if unknown:
                raise NenauditError(
                    f"z-score: feature {unknown[0]!r} was not fitted; fitted: {len(pos)} feature(s)"
                )
            cols = [pos[n] for n in names]
            mean, sd = self.mean[cols], self.sd[cols]
        if hasattr(X, "columns"):
            found = X.columns.get_indexer(list(self.names)) >= 0
            missing = [n for n, ok in zip(self.names, found) if not ok]
            if missing:
                raise NenauditError(
                    f"z-score: feature {missing[0]!r} was fitted but is not a column of the new table"
                )
            A = X[names].to_numpy(dtype=float)
            return pd.DataFrame((A - mean) / sd, columns=names, index=X.index)
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[1] != len(names):
            raise NenauditError(f"z-score: expected {len(names)} columns, got shape {A.shape}")
        return (A - mean) / sd


def fit_zscore(X: Any, *, ddof: int = 1, names: Sequence[str] | None = None) -> ZScore:
    """Fit a z-score on the training rows (R: ``scale(x)``, attributes ``scaled:center``/``scaled:scale``).

    Refuses NaN/inf and constant features (their SD is 0), naming them.

    R: ``scale(x)`` (centre, sample SD with ``ddof = 1``). Reference: Feng et al. 2025, section 2.3
    ("Z-score method"), doi:10.3389/fonc.2025.1628054.
    """
    A, names = as_matrix(X, names, "z-score")
    if ddof not in (0, 1):
        raise NenauditError(f"ddof={ddof}: use 1 (sample SD, R's scale()) or 0 (population SD)")
    if A.shape[0] <= ddof:
        raise NenauditError(f"z-score: {A.shape[0]} row(s) cannot give a standard deviation")
    require_finite(A, names, "z-score")
    mean = A.mean(axis=0)
    sd = np.sqrt(((A - mean) ** 2).sum(axis=0) / (A.shape[0] - ddof))
    zero = np.flatnonzero(sd == 0)
    if zero.size:
        raise NenauditError(
            f"z-score: feature {names[zero[0]]!r} is constant ({zero.size} constant feature(s)); drop them first"
        )
    return ZScore(names=names, mean=mean, sd=sd, ddof=int(ddof))


# ---------------------------------------------------------------------------------------
# Spearman redundancy filter (caret::findCorrelation)
# ---------------------------------------------------------------------------------------


def average_ranks(A: np.ndarray) -> np.ndarray:
    """``apply(A, 2, rank)``: the ranks 1..n of each column of a finite (n, p) matrix, ties given
    their average rank (R's ``rank(ties.method = "average")``, scipy's ``rankdata``). The ranks are
    halves of integers, exact in floating point; one sort of all the columns at once.

    R: ``rank(x)`` (``ties.method = "average"``).
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    order = np.argsort(A, axis=0)  # any order of equal values: they share their average rank
    s = np.take_along_axis(A, order, axis=0)
    pos = np.arange(n)[:, None]
    starts = np.ones(A.shape, dtype=bool)
    starts[1:] = s[1:] != s[:-1]  # the first of a run of equal values
    ends = np.ones(A.shape, dtype=bool)
    ends[:-1] = starts[1:]  # the last of a run
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, pos, n)[::-1], axis=0)[::-1]
    ranks = np.empty(A.shape)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=0)
    return ranks


def spearman_matrix(X: Any) -> np.ndarray:
    """``cor(X, method = "spearman")``: Pearson correlation of average ranks, column by column.

    R: ``cor(x, method = "spearman")`` (Pearson correlation of average ranks). Reference:
    Spearman C. Am J Psychol 1904;15:72-101. doi:10.2307/1412159
    """
    A = np.asarray(X, dtype=float)
    R = average_ranks(A)
    R = R - R.mean(axis=0)
    ss = np.sqrt((R * R).sum(axis=0))
    C = (R.T @ R) / np.outer(ss, ss)
    np.fill_diagonal(C, 1.0)
    return np.clip(C, -1.0, 1.0)


def _r_factor_codes(v: np.ndarray) -> np.ndarray:
    """``as.numeric(as.factor(v))`` for doubles: dense ranks of the 15-significant-digit strings."""
    uniq = np.unique(v)  # sorted
    labels: list[str] = []
    seen: dict[str, int] = {}
    for u in uniq:
        s = f"{u:.15g}"
        if s not in seen:
            seen[s] = len(labels) + 1
            labels.append(s)
    return np.array([seen[f"{x:.15g}"] for x in v], dtype=float)


def _find_correlation_fast(C: np.ndarray, cutoff: float) -> list[int]:
    """caret's ``findCorrelation_fast``: for every pair above the cutoff drop the member with
    the larger mean absolute correlation (factor-coded), pairs in column-major order."""
    if np.isnan(C).any():
        raise NenauditError("The correlation matrix has some missing values (a constant feature?)")
    avg = _r_factor_codes(np.abs(C).mean(axis=0))
    upper = np.triu(np.abs(C) > cutoff, k=1)
    cols, rows = np.nonzero(upper.T)  # R's which() on the matrix: column-major order
    col_discard = avg[cols] > avg[rows]
    order: list[int] = []
    seen: set[int] = set()
    for j in list(cols[col_discard]) + list(rows[~col_discard]):
        if int(j) not in seen:
            seen.add(int(j))
            order.append(int(j))
    return order


def _find_correlation_exact(C: np.ndarray, cutoff: float) -> list[int]:
    """caret's ``findCorrelation_exact`` (re-evaluates mean correlations as columns are removed)."""
    p = C.shape[0]
    if p == 1:
        raise NenauditError("only one variable given")
    x = np.abs(C)
    tmp = x.copy()
    np.fill_diagonal(tmp, np.nan)
    col_means = np.nanmean(tmp, axis=0)
    order = np.argsort(-col_means, kind="stable")  # order(decreasing = TRUE), ties stay in place
    x = x[np.ix_(order, order)]
    x2 = x.copy()
    np.fill_diagonal(x2, np.nan)
    delete = np.zeros(p, dtype=bool)
    for i in range(p - 1):
        with np.errstate(invalid="ignore"):
            if not np.any(x2[~np.isnan(x2)] > cutoff):
                break
        if delete[i]:
            continue
        for j in range(i + 1, p):
            if not delete[i] and not delete[j] and x[i, j] > cutoff:
                mn1 = np.nanmean(x2[i, :])
                mn2 = np.nanmean(np.delete(x2, j, axis=0))  # caret: mean(x2[-j, ]), all rows but j
                if mn1 > mn2:
                    delete[i] = True
                    x2[i, :] = np.nan
                    x2[:, i] = np.nan
                else:
                    delete[j] = True
                    x2[j, :] = np.nan
                    x2[:, j] = np.nan
    return [int(order[k]) for k in np.flatnonzero(delete)]


def find_correlation(C: Any, cutoff: float = 0.9, *, exact: bool | None = None) -> list[int]:
    """``caret::findCorrelation(C, cutoff, exact = ncol(C) < 100)``: 0-based columns to drop, in caret's order.

    ``exact=None`` takes caret's default (exact algorithm below 100 columns, fast above).
    """
    C = np.asarray(C, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise NenauditError(f"correlation matrix: expected a square matrix, got shape {C.shape}")
    if not np.allclose(C, C.T, rtol=0, atol=1.5e-8, equal_nan=True):  # all.equal's tolerance
        raise NenauditError("correlation matrix is not symmetric")
    if exact is None:
        exact = C.shape[1] < 100
    return _find_correlation_exact(C, cutoff) if exact else _find_correlation_fast(C, cutoff)


@dataclass(frozen=True)
class CorrelationFilter(Result):
    """Result of the redundancy filter: kept and dropped names (dropped in caret's order)."""

    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    cutoff: float
    method: str
    exact: bool
    pairs_above: int


def spearman_filter(
    X: Any,
    *,
    cutoff: float = 0.9,
    exact: bool | None = None,
    names: Sequence[str] | None = None,
    method: str = "spearman",
) -> CorrelationFilter:
    """Drop redundant features: ``findCorrelation(cor(X, method = "spearman"), cutoff = 0.9)``.

    A pair with ``|rho| > cutoff`` loses the member with the larger mean absolute correlation
    with all features (caret's rule; see :func:`find_correlation`). ``method="pearson"`` uses
    Pearson correlation instead.
    """
    A, names = as_matrix(X, names, "Spearman filter")
    require_finite(A, names, "Spearman filter")
    if A.shape[1] < 2:
        raise NenauditError(f"Spearman filter: needs at least 2 features, got {A.shape[1]}")
    const = np.flatnonzero(np.ptp(A, axis=0) == 0)
    if const.size:
        raise NenauditError(
            f"Spearman filter: feature {names[const[0]]!r} is constant (no correlation); drop it first"
        )
    if not 0 < cutoff < 1:
        raise NenauditError(f"cutoff={cutoff}: use a value in (0, 1), e.g. 0.9")
    if method == "spearman":
        C = spearman_matrix(A)
    elif method == "pearson":
        C = np.clip(np.corrcoef(A, rowvar=False), -1.0, 1.0)
    else:
        raise NenauditError(f"method={method!r}: use 'spearman' or 'pearson'")
    ex = C.shape[1] < 100 if exact is None else bool(exact)
    drop = find_correlation(C, cutoff, exact=ex)
    dset = set(drop)
    return CorrelationFilter(
        kept=tuple(n for j, n in enumerate(names) if j not in dset),
        dropped=tuple(names[j] for j in drop),
        cutoff=float(cutoff),
        method=method,
        exact=ex,
        pairs_above=int(np.triu(np.abs(C) > cutoff, k=1).sum()),
    )


# ---------------------------------------------------------------------------------------
# ICC filter
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICCFilter(Result):
    """Features kept/dropped by the reproducibility filter; ``icc`` maps each design
    ("intra", "inter") to the per-feature ICC values; ``reasons`` says why each was dropped."""

    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    threshold: float
    form: str
    icc: dict[str, dict[str, float]]
    reasons: dict[str, str] = field(default_factory=dict)


def icc_filter_from_values(
    names: Sequence[str], values: Mapping[str, Any], *, threshold: float = 0.75, form: str = "ICC2"
) -> ICCFilter:
    """Keep a feature only if every design's ICC is >= ``threshold`` (the paper: "ICC < 0.75 excluded").

    ``values`` maps a design name ("intra", "inter") to per-feature ICCs (array aligned with
    ``names``, or a mapping name -> ICC). A NaN ICC (e.g. zero variance) drops the feature.

    R: ``psych::ICC`` values compared with the threshold. Reference: Koo TK, Li MY. J Chiropr Med
    2016;15:155-163. doi:10.1016/j.jcm.2016.02.012 (0.75 = good reliability).
    """
    names = tuple(str(n) for n in names)
    if not values:
        raise NenauditError(
            "ICC filter: no ICC values given (need intra- and/or inter-observer ICCs)"
        )
    table: dict[str, dict[str, float]] = {}
    for design, v in values.items():
        if isinstance(v, Mapping) or hasattr(v, "index") and hasattr(v, "loc"):
            missing = [n for n in names if n not in v]
            if missing:
                raise NenauditError(f"ICC filter: no {design} ICC for feature {missing[0]!r}")
            arr = np.array([float(v[n]) for n in names])
        else:
            arr = np.asarray(v, dtype=float).ravel()
            if arr.size != len(names):
                raise NenauditError(
                    f"ICC filter: {arr.size} {design} ICC values for {len(names)} features"
                )
        table[design] = dict(zip(names, arr.tolist()))
    reasons: dict[str, str] = {}
    for n in names:
        why = []
        for design, d in table.items():
            val = d[n]
            if np.isnan(val):
                why.append(f"{design} {form} undefined")
            elif val < threshold:
                why.append(f"{design} {form} = {val:.3f} < {threshold:g}")
        if why:
            reasons[n] = "; ".join(why)
    return ICCFilter(
        kept=tuple(n for n in names if n not in reasons),
        dropped=tuple(n for n in names if n in reasons),
        threshold=float(threshold),
        form=form,
        icc=table,
        reasons=reasons,
    )


def icc_filter(
    readings: Mapping[str, tuple[Any, Any]],
    *,
    threshold: float = 0.75,
    form: str = "ICC2",
    names: Sequence[str] | None = None,
) -> ICCFilter:
    """ICC filter from repeated readings: ``{"intra": (first, second), "inter": (reader1, reader2)}``.

    Each pair is two (n_lesions, n_features) tables of the same lesions in the same order;
    ICCs come from :func:`nenaudit.stats.icc.icc_two_readings` (``psych::ICC``), form ``form``
    (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k; default ICC2 = ICC(2,1)).
    """
    if form not in ICC_FORMS:
        raise NenauditError(f"ICC form {form!r}: use one of {', '.join(ICC_FORMS)}")
    values: dict[str, np.ndarray] = {}
    feat_names: tuple[str, ...] | None = None
    for design, pair in readings.items():
        first, second = pair
        batch = icc_two_readings(first, second, features=names)
        if feat_names is None:
            feat_names = tuple(batch.features)
        elif tuple(batch.features) != feat_names:
            raise NenauditError(
                f"ICC filter: the {design} readings have other features than the first design"
            )
        values[design] = batch.icc[:, ICC_FORMS.index(form)]
    if feat_names is None:
        raise NenauditError("ICC filter: no readings given")
    return icc_filter_from_values(feat_names, values, threshold=threshold, form=form)
