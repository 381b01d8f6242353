"""Intraclass correlation coefficients (Shrout & Fleiss forms), as ``psych::ICC`` computes them.

Six forms from one two-way ANOVA of an n subjects x k raters table, for one feature or for
hundreds at once (vectorized over features with numpy):

========  ==========================================  =====================================
form      model (Shrout & Fleiss / McGraw & Wong)     psych::ICC row
========  ==========================================  =====================================
ICC1      one-way random, single rater   ICC(1,1)     Single_raters_absolute
ICC2      two-way random, absolute agreement ICC(2,1) Single_random_raters
ICC3      two-way mixed, consistency     ICC(3,1)     Single_fixed_raters
ICC1k     one-way random, mean of k raters ICC(1,k)   Average_raters_absolute
ICC2k     two-way random, mean of k raters ICC(2,k)   Average_random_raters
ICC3k     two-way mixed, mean of k raters  ICC(3,k)   Average_fixed_raters
========  ==========================================  =====================================

The intra-observer design (the same reader segments each lesion twice) and the
inter-observer design (two readers) are both the k = 2 case: :func:`icc_two_readings` takes
the two n x p feature matrices; :func:`icc_batch` takes an (n, k, p) array; :func:`icc` takes
one feature's n x k matrix.

Bad input
---------
Whole-input problems raise :class:`~nenaudit.exceptions.NenauditError` (wrong shape, fewer
than 2 subjects or raters, non-numeric values, alpha outside (0, 1)). Per-feature problems
never raise and never pass silently: the feature's six forms are NaN and ``reason`` says why:

* ``"missing"``: NaN/inf ratings with ``nan_policy="propagate"`` (psych::ICC stops with
  ``na.fail``); ``nan_policy="omit"`` drops that feature's incomplete subjects instead
  (psych's advice, ``na.omit``), ``nan_policy="raise"`` raises;
* ``"too few subjects"``: fewer than 2 complete subjects left after omitting;
* ``"zero variance"``: all ratings of the feature equal (up to rounding); every mean square
  is 0 and every ICC is 0/0.

A feature whose residual mean square is exactly 0 (raters agree perfectly, or differ only by
a constant per rater) keeps its ICCs (ICC3 = 1; F = inf, p = 0) and its ``reason`` records
``"perfect agreement"``: psych::ICC would evaluate inf/inf to NaN in some bounds; here those
bounds are their limits as the residual mean square goes to 0 (1 for the ICC1/ICC3 forms;
for ICC2 the Satterthwaite df is taken at its limit ``F_J = MSJ/MSE -> inf`` or ``0``).
Sums of squares at the rounding level of the values (64 eps x max |value|) count as 0.

Where this differs from psych::ICC, and psych quirks kept
----------------------------------------------------------
* ICC2 lower bound with a tiny Satterthwaite df v (strongly negative ICC2 with a large
  rater effect, or n = 3): R's ``qf(.975, n - 1, v)`` overflows to Inf and psych returns NaN
  for the ICC2 and ICC2k lower bounds; here the bound is evaluated as
  ``n (MSB/F - MSE) / (c + n MSB/F)``, which tends to ``-n MSE / c``, and ``reason`` says so.
  Everywhere R's quantile is finite the two agree to rounding.
* Kept as psych computes it: the ICC2k bounds are the Spearman-Brown step-up
  ``k L / (1 + (k-1) L)`` of the ICC2 bounds, which is not monotone when ``L < -1/(k-1)``
  (possible for n = 3 or 4), so the ICC2k "interval" may then fail to contain ICC2k.
  The ICC2 interval itself is approximate (McGraw & Wong's Satterthwaite df) and can miss
  a negative ICC2 estimate in very small samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import f as fdist

from nenaudit.exceptions import NenauditError
from nenaudit.stats.result import Result

__all__ = ["ICC_FORMS", "ICCResult", "ICCBatch", "icc", "icc_batch", "icc_two_readings"]

ICC_FORMS: tuple[str, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
PSYCH_ROWS: tuple[str, ...] = (
    "Single_raters_absolute",
    "Single_random_raters",
    "Single_fixed_raters",
    "Average_raters_absolute",
    "Average_random_raters",
    "Average_fixed_raters",
)
_STATS = ("icc", "F", "df1", "df2", "p", "lower", "upper")
_NAN_POLICIES = ("propagate", "omit", "raise")
# F quantiles above this are flagged: R's qf returns Inf there (psych's bound becomes NaN)
_HUGE_QUANTILE = 1e300


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICCResult(Result):
    """The six ICC forms of one feature (one n x k table), as ``psych::ICC(x)$results``.

    Arrays have length 6 in the order of :data:`ICC_FORMS`. ``ms_*`` are the ANOVA mean
    squares: between subjects (MSB), between raters (MSJ), residual (MSE) and within
    subjects (MSW, psych's ``$MSW``). ``reason`` is ``None`` for an ordinary fit, else why
    the values are NaN or what limit was taken (see the module docstring).
    """

    forms: tuple[str, ...]
    icc: np.ndarray
    F: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    p: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_subjects: int
    n_raters: int
    alpha: float
    ms_between: float
    ms_raters: float
    ms_error: float
    ms_within: float
    reason: str | None = None

    def __getitem__(self, form: str) -> dict[str, float]:
        """One form's row: ``res["ICC3"] -> {"icc", "F", "df1", "df2", "p", "lower", "upper"}``."""
        try:
            j = self.forms.index(form)
        except ValueError:
            raise NenauditError(
                f"unknown ICC form {form!r}; use one of {', '.join(self.forms)}"
            ) from None
        return {s: float(getattr(self, s)[j]) for s in _STATS}

    def to_frame(self):
        """psych's results table: index = form, columns icc, F, df1, df2, p, lower, upper."""
        return pd.DataFrame(
            {s: getattr(self, s) for s in _STATS}, index=pd.Index(self.forms, name="type")
        )


@dataclass(frozen=True)
class ICCBatch(Result):
    """The six ICC forms for each of p features (see :func:`icc_batch`).

    Arrays ``icc, F, df1, df2, p, lower, upper`` have shape (p, 6), columns in the order of
    :data:`ICC_FORMS`; ``n_subjects`` (p,) is the number of subjects used per feature (it
    differs between features only with ``nan_policy="omit"``); ``reasons`` holds ``None`` or
    the recorded reason for each feature.
    """

    features: tuple[str, ...]
    forms: tuple[str, ...]
    icc: np.ndarray
    F: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    p: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_subjects: np.ndarray
    n_raters: int
    alpha: float
    ms_between: np.ndarray
    ms_raters: np.ndarray
    ms_error: np.ndarray
    ms_within: np.ndarray
    reasons: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.features)

    def feature(self, name: str | int) -> ICCResult:
        """One feature's six forms as an :class:`ICCResult`."""
        i = name if isinstance(name, (int, np.integer)) else self._index(name)
        return ICCResult(
            forms=self.forms,
            **{s: getattr(self, s)[i].copy() for s in _STATS},
            n_subjects=int(self.n_subjects[i]),
            n_raters=self.n_raters,
            alpha=self.alpha,
            ms_between=float(self.ms_between[i]),
            ms_raters=float(self.ms_raters[i]),
            ms_error=float(self.ms_error[i]),
            ms_within=float(self.ms_within[i]),
            reason=self.reasons[i],
        )

    def _index(self, name: str) -> int:
        try:
            return self.features.index(name)
        except ValueError:
            raise NenauditError(f"no feature named {name!r} in this ICC batch") from None

    def values(self, stat: str = "icc"):
        """A wide DataFrame: one row per feature, one column per form, of ``stat``.

        ``batch.values()["ICC3"] >= 0.75`` is the usual reproducibility filter.
        """
        if stat not in _STATS:
            raise NenauditError(f"unknown statistic {stat!r}; use one of {', '.join(_STATS)}")
        return pd.DataFrame(
            getattr(self, stat), index=pd.Index(self.features, name="feature"), columns=self.forms
        )

    def to_frame(self, form: str | None = None):
        """Tidy table: one row per (feature, form) with icc, F, df1, df2, p, lower, upper,
        n_subjects, n_raters and reason. With ``form`` given, one row per feature."""
        p, f = len(self.features), len(self.forms)
        cols: dict[str, Any] = {
            "feature": np.repeat(np.asarray(self.features, dtype=object), f),
            "type": np.tile(np.asarray(self.forms, dtype=object), p),
        }
        for s in _STATS:
            cols[s] = getattr(self, s).reshape(-1)
        cols["n_subjects"] = np.repeat(self.n_subjects, f)
        cols["n_raters"] = self.n_raters
        cols["reason"] = np.repeat(np.asarray(self.reasons, dtype=object), f)
        df = pd.DataFrame(cols)
        if form is not None:
            if form not in self.forms:
                raise NenauditError(
                    f"unknown ICC form {form!r}; use one of {', '.join(self.forms)}"
                )
            df = df[df["type"] == form].reset_index(drop=True)
        return df


# ---------------------------------------------------------------------------------------
# Numerics
# ---------------------------------------------------------------------------------------


def _mean_squares(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Two-way ANOVA mean squares of complete data x (n, k, p), each of shape (p,).

    Sums of squares from centred data (two passes), the residual one from the residuals
    themselves, so nothing is a difference of large numbers.
    """
    n, k, _ = x.shape
    d = x - x.mean(axis=(0, 1))
    subj = d.mean(axis=1)  # (n, p) subject means (centred)
    rater = d.mean(axis=0)  # (k, p)
    grand = d.mean(axis=(0, 1))  # ~0, kept for the last rounding bit
    ssb = k * np.sum((subj - grand) ** 2, axis=0)
    ssj = n * np.sum((rater - grand) ** 2, axis=0)
    resid = d - subj[:, None, :] - rater[None, :, :] + grand
    sse = np.sum(resid**2, axis=0).sum(axis=0)
    ssw = np.sum((d - subj[:, None, :]) ** 2, axis=(0, 1))
    sst = np.sum((d - grand) ** 2, axis=(0, 1))
    # variation indistinguishable from rounding of the values themselves is exactly zero
    # (k identical readings have a mean that may differ from them in the last bit)
    scale = np.max(np.abs(x), axis=(0, 1))
    tiny = n * k * (64 * np.finfo(float).eps * scale) ** 2
    flat = sst <= tiny
    ssj = np.where(ssj <= tiny, 0.0, ssj)
    sse = np.where(sse <= tiny, 0.0, sse)
    ssw = np.where(ssw <= tiny, 0.0, ssw)
    msb = ssb / (n - 1)
    msj = ssj / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    msw = ssw / (n * (k - 1))
    return msb, msj, mse, msw, flat


def _forms(msb, msj, mse, msw, n, k: int, alpha: float) -> dict[str, np.ndarray]:
    """psych::ICC's formulas, broadcast over features. Returns arrays of shape (p, 6)."""
    n = np.asarray(n, dtype=float)
    q = 1.0 - alpha / 2.0
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    f11 = msb / msw
    df11n = n - 1
    df11d = n * (k - 1)
    p11 = fdist.sf(f11, df11n, df11d)
    f21 = msb / mse
    df21n = n - 1
    df21d = (n - 1) * (k - 1)
    p21 = fdist.sf(f21, df21n, df21d)

    # exact F intervals for ICC1/ICC3 (Shrout & Fleiss 1979, Table 4); infinite F (MSE or
    # MSW exactly 0) has the limit 1 for both bounds
    f1l = f11 / fdist.ppf(q, df11n, df11d)
    f1u = f11 * fdist.ppf(q, df11d, df11n)
    f3l = f21 / fdist.ppf(q, df21n, df21d)
    f3u = f21 * fdist.ppf(q, df21d, df21n)

    def single(fx):
        return np.where(np.isposinf(fx), 1.0, (fx - 1) / (fx + (k - 1)))

    l1, u1 = single(f1l), single(f1u)
    l3, u3 = single(f3l), single(f3u)
    l1k, u1k = 1 - 1 / f1l, 1 - 1 / f1u
    l3k, u3k = 1 - 1 / f3l, 1 - 1 / f3u

    # ICC2: Satterthwaite-type df (McGraw & Wong 1996, Table 7), as psych writes it
    fj = msj / mse
    fj = np.where(mse == 0, np.where(msj > 0, np.inf, 0.0), fj)
    a = k * icc2 * fj
    b = n * (1 + (k - 1) * icc2) - k * icc2
    vn = (k - 1) * (n - 1) * (a + b) ** 2
    vd = (n - 1) * (k * icc2 * fj) ** 2 + b**2
    v = np.where(np.isinf(fj), float(k - 1), vn / vd)  # limit of vn / vd as F_J -> inf
    fu = fdist.ppf(q, n - 1, v)
    fl = fdist.ppf(q, v, n - 1)
    c = k * msj + (k * n - k - n) * mse
    # psych's n (MSB - F MSE) / (F c + n MSB), divided through by F so that an infinite
    # quantile (tiny v) gives the limit -n MSE / c instead of Inf/Inf
    l2 = n * (msb / fu - mse) / (c + n * msb / fu)
    u2 = n * (fl * msb - mse) / (c + n * fl * msb)
    l2k = l2 * k / (1 + l2 * (k - 1))
    u2k = u2 * k / (1 + u2 * (k - 1))

    def stack(*cols):
        return np.stack(
            [np.broadcast_to(np.asarray(c, dtype=float), np.shape(msb)) for c in cols], axis=-1
        )

    return {
        "_f_upper_icc2": np.broadcast_to(fu, np.shape(msb)),
        "_v_icc2": np.broadcast_to(v, np.shape(msb)),
        "icc": stack(icc1, icc2, icc3, icc1k, icc2k, icc3k),
        "F": stack(f11, f21, f21, f11, f21, f21),
        "df1": stack(df11n, df21n, df21n, df11n, df21n, df21n),
        "df2": stack(df11d, df21d, df21d, df11d, df21d, df21d),
        "p": stack(p11, p21, p21, p11, p21, p21),
        "lower": stack(l1, l2, l3, l1k, l2k, l3k),
        "upper": stack(u1, u2, u3, u1k, u2k, u3k),
    }


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------


def _check_alpha(alpha: float) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise NenauditError(f"alpha must be a number in (0, 1), got {alpha!r}") from None
    if not 0.0 < a < 1.0:
        raise NenauditError(f"alpha must be in (0, 1) (0.05 gives 95% intervals), got {alpha!r}")
    return a


def _as_float(a: Any, who: str) -> np.ndarray:
    try:
        return np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NenauditError(
            f"{who}: ratings must be numeric ({exc}); convert or drop non-numeric columns"
        ) from None


def _check_shape(x: np.ndarray, who: str) -> None:
    n, k, p = x.shape
    if n < 2:
        raise NenauditError(f"{who}: need at least 2 subjects (rows), got {n}")
    if k < 2:
        raise NenauditError(f"{who}: need at least 2 raters/readings, got {k}")
    if p < 1:
        raise NenauditError(f"{who}: no features (the last axis is empty)")


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------


def icc_batch(
    ratings: Any,
    *,
    features: Sequence[str] | None = None,
    alpha: float = 0.05,
    nan_policy: str = "propagate",
) -> ICCBatch:
    """All six ICC forms for many features at once, matching ``psych::ICC(x, lmer = FALSE)``.

    For each feature the n x k table (subjects x raters) is decomposed by a two-way ANOVA
    without interaction (psych's ``aov(values ~ subs + ind)``): mean squares between
    subjects MSB (df n-1), between raters MSJ (df k-1), residual MSE (df (n-1)(k-1)) and
    within subjects MSW = (SSJ + SSE) / (n(k-1)). Then, exactly as psych 2.2.9 writes them:

    * ICC1 = (MSB - MSW) / (MSB + (k-1) MSW), ICC1k = (MSB - MSW) / MSB,
      F = MSB/MSW on (n-1, n(k-1)) df;
    * ICC2 = (MSB - MSE) / (MSB + (k-1) MSE + k (MSJ - MSE)/n),
      ICC2k = (MSB - MSE) / (MSB + (MSJ - MSE)/n);
    * ICC3 = (MSB - MSE) / (MSB + (k-1) MSE), ICC3k = (MSB - MSE) / MSB;
      ICC2 and ICC3 forms share F = MSB/MSE on (n-1, (n-1)(k-1)) df;
    * p = upper tail of F (psych: ``-expm1(pf(F, df1, df2, log.p = TRUE))``);
    * 1 - alpha intervals: for ICC1/ICC3, F_L = F / F_{1-alpha/2}(df1, df2),
      F_U = F * F_{1-alpha/2}(df2, df1), bounds (F_x - 1)/(F_x + k - 1) (single) and
      1 - 1/F_x (average); for ICC2 the Satterthwaite approximation with
      F_J = MSJ/MSE and v = (k-1)(n-1){k ICC2 F_J + n(1 + (k-1) ICC2) - k ICC2}^2 /
      {(n-1) k^2 ICC2^2 F_J^2 + (n(1 + (k-1) ICC2) - k ICC2)^2},
      L = n (MSB - F* MSE) / (F* (k MSJ + (kn - k - n) MSE) + n MSB) with
      F* = F_{1-alpha/2}(n-1, v), U = n (F** MSB - MSE) / (k MSJ + (kn - k - n) MSE + n F** MSB)
      with F** = F_{1-alpha/2}(v, n-1); ICC2k bounds by Spearman-Brown: k L / (1 + (k-1) L).

    Parameters
    ----------
    ratings : array-like, shape (n_subjects, n_raters, n_features)
        The ratings; a 2-d (n, k) array is one feature.
    features : sequence of str, optional
        Feature names (default ``f1, f2, ...``).
    alpha : float
        1 - confidence level of the intervals (psych's default 0.05).
    nan_policy : {"propagate", "omit", "raise"}
        What to do with a feature that has NaN/inf ratings: NaN results with reason
        ``"missing"`` (psych stops here), drop that feature's incomplete subjects (psych's
        suggested ``na.omit``; only those features are computed one by one), or raise.

    Returns
    -------
    ICCBatch

    Notes
    -----
    psych 2.2.9's default is ``lmer = TRUE`` (variance components from ``lme4::lmer``,
    which are truncated at zero and found by numerical optimisation); the closed-form
    ANOVA route ``lmer = FALSE`` is the one reproduced here. With complete data and
    non-negative variance components both give the same mean squares.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater
    reliability. Psychol Bull 86(2):420-428. doi:10.1037/0033-2909.86.2.420
    McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
    coefficients. Psychol Methods 1(1):30-46. doi:10.1037/1082-989X.1.1.30
    Revelle W. psych: Procedures for Psychological, Psychometric, and Personality
    Research, function ``ICC`` (version 2.2.9).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(size=(30, 1, 5))
    >>> batch = icc_batch(truth + 0.3 * rng.normal(size=(30, 2, 5)))
    >>> batch.icc.shape
    (5, 6)
    """
    alpha = _check_alpha(alpha)
    if nan_policy not in _NAN_POLICIES:
        raise NenauditError(
            f"nan_policy must be one of {', '.join(_NAN_POLICIES)}, got {nan_policy!r}"
        )
    x = _as_float(ratings, "icc_batch")
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise NenauditError(
            f"icc_batch: ratings must have shape (subjects, raters, features), got {x.shape}"
        )
    _check_shape(x, "icc_batch")
    n, k, p = x.shape
    if features is None:
        names = tuple(f"f{i + 1}" for i in range(p))
    else:
        names = tuple(str(f) for f in features)
        if len(names) != p:
            raise NenauditError(f"icc_batch: {len(names)} feature names for {p} features")

    finite = np.isfinite(x)
    bad = ~finite.all(axis=(0, 1))  # features with missing values
    if bad.any() and nan_policy == "raise":
        first = names[int(np.argmax(bad))]
        raise NenauditError(
            f"icc_batch: {int(bad.sum())} feature(s) have missing or non-finite ratings (first: {first}); "
            "drop them or use nan_policy='omit'"
        )

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        xc = np.where(finite, x, 0.0)  # placeholders; those features are redone or NaN
        msb, msj, mse, msw, flat = _mean_squares(xc)
        nsub = np.full(p, n, dtype=int)
        reasons: list[str | None] = [None] * p
        for i in np.flatnonzero(bad):
            if nan_policy == "propagate":
                msb[i] = msj[i] = mse[i] = msw[i] = np.nan
                reasons[i] = "missing"
                continue
            rows = finite[:, :, i].all(axis=1)
            nsub[i] = int(rows.sum())
            if nsub[i] < 2:
                msb[i] = msj[i] = mse[i] = msw[i] = np.nan
                reasons[i] = "too few subjects"
                continue
            sub = x[rows][:, :, i : i + 1]
            b, j, e, w, fl = _mean_squares(sub)
            msb[i], msj[i], mse[i], msw[i], flat[i] = b[0], j[0], e[0], w[0], fl[0]
            reasons[i] = f"omitted {n - nsub[i]} incomplete subject(s)"
        for i in np.flatnonzero(flat & ~np.isnan(msb)):
            msb[i] = msj[i] = mse[i] = msw[i] = np.nan
            reasons[i] = "zero variance"
        for i in np.flatnonzero((mse == 0) & (msb > 0)):
            reasons[i] = (
                "perfect agreement" if reasons[i] is None else reasons[i] + "; perfect agreement"
            )
        out = _forms(msb, msj, mse, msw, nsub, k, alpha)
    fu, v = out.pop("_f_upper_icc2"), out.pop("_v_icc2")
    # R's qf overflows to Inf well before scipy's quantile does (observed: R Inf where the
    # quantile is 3.6e303), and psych's bound is then Inf/Inf = NaN; here it is the limit
    for i in np.flatnonzero(~(fu <= _HUGE_QUANTILE) & np.isfinite(out["icc"][:, 1])):
        note = (
            f"ICC2/ICC2k lower bound at its limit: F quantile on ({nsub[i] - 1}, {v[i]:.3g}) df "
            "is infinite or near overflow (psych::ICC gives NaN)"
        )
        reasons[i] = note if reasons[i] is None else reasons[i] + "; " + note

    return ICCBatch(
        features=names,
        forms=ICC_FORMS,
        **out,
        n_subjects=nsub,
        n_raters=k,
        alpha=alpha,
        ms_between=msb,
        ms_raters=msj,
        ms_error=mse,
        ms_within=msw,
        reasons=tuple(reasons),
    )


def icc_two_readings(
    first: Any,
    second: Any,
    *,
    features: Sequence[str] | None = None,
    alpha: float = 0.05,
    nan_policy: str = "propagate",
) -> ICCBatch:
    """ICCs of two readings of the same subjects, feature by feature (the k = 2 case).

    Intra-observer: ``first`` and ``second`` are the same reader's two segmentations;
    inter-observer: two readers' segmentations. Each is an (n_subjects, n_features) array
    or DataFrame with rows in the same subject order; DataFrames must have the same
    columns (their names become the feature names). See :func:`icc_batch` for the
    formulas (``psych::ICC(cbind(first[, j], second[, j]), lmer = FALSE)``), the
    references and the handling of bad features.
    """
    cols = None
    if hasattr(first, "columns") and hasattr(second, "columns"):
        c1, c2 = [str(c) for c in first.columns], [str(c) for c in second.columns]
        if c1 != c2:
            diff = sorted(set(c1) ^ set(c2))
            raise NenauditError(
                "icc_two_readings: the two readings have different feature columns"
                + (f" (e.g. {diff[0]!r})" if diff else " (same names, different order)")
                + "; select the same columns in the same order"
            )
        cols = c1
    a = _as_float(first, "icc_two_readings (first)")
    b = _as_float(second, "icc_two_readings (second)")
    if a.ndim == 1:
        a = a[:, None]
    if b.ndim == 1:
        b = b[:, None]
    if a.shape != b.shape or a.ndim != 2:
        raise NenauditError(
            f"icc_two_readings: readings must be two (subjects x features) matrices of the same shape, "
            f"got {a.shape} and {b.shape}"
        )
    return icc_batch(
        np.stack([a, b], axis=1),
        features=features if features is not None else cols,
        alpha=alpha,
        nan_policy=nan_policy,
    )


def icc(x: Any, *, alpha: float = 0.05, nan_policy: str = "propagate") -> ICCResult:
    """The six ICC forms of one feature: ``psych::ICC(x, alpha = alpha, lmer = FALSE)``.

    Parameters
    ----------
    x : array-like (n_subjects, n_raters)
        One rating per subject (row) and rater or reading (column).
    alpha, nan_policy
        As in :func:`icc_batch` (formulas, references and the handling of degenerate data
        are documented there and in the module docstring).

    Returns
    -------
    ICCResult

    Examples
    --------
    >>> res = icc([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    >>> round(res["ICC3"]["icc"], 4)  # Shrout & Fleiss (1979) Table 2 data, ICC(3,1) = .71
    0.7148
    """
    a = _as_float(x, "icc")
    if a.ndim == 1:
        raise NenauditError(
            f"icc: need an (subjects x raters) matrix, got a vector of length {a.shape[0]}"
        )
    if a.ndim != 2:
        raise NenauditError(f"icc: need an (subjects x raters) matrix, got shape {a.shape}")
    return icc_batch(a[:, :, None], alpha=alpha, nan_policy=nan_policy).feature(0)
