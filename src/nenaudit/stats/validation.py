"""Bootstrap internal validation of a model-building procedure.

A *procedure* is any callable ``procedure(X, y) -> model`` (``X`` a pandas DataFrame or a 2-d
array, ``y`` 0/1) whose model has ``predict_lp(X)`` (logit scale) or ``predict_proba(X)``
(:mod:`nenaudit.stats.protocols`).
:class:`LogisticProcedure` (a fixed formula, R's ``glm``) and :class:`ScreenBackwardProcedure`
(univariable screening then backward Wald elimination, :mod:`nenaudit.stats.stepwise`) are
provided; the LASSO/Radscore chain plugs in the same way.

Schemes
-------
* :func:`published_bootstrap` (a): the *fixed* model's AUC on each resample; mean and
  percentile interval. It measures sampling variability only, not optimism.
* :func:`harrell_optimism` (b): Harrell's optimism correction, refitting a fixed formula on each
  resample (``rms::validate(lrm(...), method = "boot")``).
* :func:`pipeline_optimism` (c): the same computation, the procedure re-running every
  data-driven step (screening, selection, LASSO-CV) inside each resample.
* :func:`cluster_optimism` (d): (b)/(c) resampling patients (groups) with all their lesions.
* :func:`bootstrap_632plus`: Efron & Tibshirani's .632+ estimator for the AUC and the Brier score.

Randomness: every resample's rows are drawn up front from one ``seed``
(:func:`resample_indices`, :func:`cluster_indices`), so the results are identical whatever
``jobs`` is; or pass the index matrix yourself (e.g. the one given to R). Failed resamples (one
outcome class, separation, non-convergence, a singular design, another error of the procedure)
are counted by reason in ``failures``, announced with a :class:`StatisticalWarning` and left out
of the averages; none is dropped silently.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from nenaudit.exceptions import FitFailure, NenauditError, StatisticalWarning
from nenaudit.stats._checks import (
    aligned,  # pandas inputs aligned on their index or refused
    as_binary,
    as_score,
    check_indices,
)
from nenaudit.stats._glm import MSG_FITTED_01, aliased_columns, fitted_01, glm_fit
from nenaudit.stats._resample import (
    ResampleFailure,
    check_data,
    cluster_indices,
    count_failures,
    empty_failures,
    expand_clusters,
    fit_full_data,
    group_codes,
    resample_indices,
    run_resamples,
    warn_failures,
)
from nenaudit.stats.calibration import recalibration_line
from nenaudit.stats.discrimination import bootstrap_aucs, midrank_placements
from nenaudit.stats.fixedorder import linear_predictor
from nenaudit.stats.protocols import LinearPredictor, predict_lp, predict_proba
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.result import Result
from nenaudit.stats.stepwise import univariable_then_backward

__all__ = [
    "ResampleFailure",
    "LogisticModel",
    "LogisticProcedure",
    "ScreenBackwardProcedure",
    "resample_indices",
    "cluster_indices",
    "expand_clusters",
    "PublishedBootstrap",
    "published_bootstrap",
    "ValidationIndex",
    "BootstrapValidation",
    "harrell_optimism",
    "pipeline_optimism",
    "cluster_optimism",
    "optimism_bootstrap",
    "Estimate632Plus",
    "Bootstrap632Plus",
    "bootstrap_632plus",
    "performance_indexes",
    "INDEX_NAMES",
    "glm_or_fail",
    "glm_separated",
    "final_model_failures",
]

INDEX_NAMES = ("C", "Dxy", "Intercept", "Slope", "Brier")


# --------------------------------------------------------------------------------------
# Procedures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogisticModel(LinearPredictor):
    """A fitted logistic model: ``lp = b0 + X[:, names] b``."""

    names: tuple[str, ...] | None
    coef: np.ndarray
    separated: bool = False  # fitted probabilities 0 or 1 occurred, and the fit was kept

    @property
    def selected(self) -> dict[str, tuple[str, ...]] | None:
        """The model's predictors (for selection frequencies across resamples); None for unnamed columns."""
        return None if self.names is None else {"predictors": tuple(self.names)}

    def predict_lp(self, X) -> np.ndarray:
        xm = _columns(X, self.names)
        return linear_predictor(
            xm, self.coef[1:], self.coef[0]
        )  # fixed order: same bits on any CPU


def _columns(X, names) -> np.ndarray:
    if hasattr(X, "columns"):
        if names is None:
            return X.to_numpy(dtype=float)
        return X[list(names)].to_numpy(dtype=float)
    xm = np.asarray(X, dtype=float)
    return xm[:, None] if xm.ndim == 1 else xm


def glm_or_fail(xm: np.ndarray, y: np.ndarray, keep_separated: bool = False) -> np.ndarray:
    """ML logistic coefficients (intercept first) by R's ``glm.fit``; :class:`FitFailure` when R would warn.

    The failure rules are R's: ``"non_convergence"`` when ``glm.fit`` did not converge in 25
    iterations, ``"separation"`` when it would warn "fitted probabilities numerically 0 or 1
    occurred" (a fitted value within ``10 * .Machine$double.eps`` of 0 or 1), ``"singular"``
    when a column is aliased (R would return an NA coefficient; tolerance 1e-7 as ``lm``).
    With ``keep_separated`` the separation warning is not a failure: glm's estimates after its
    iterations are returned, as an R loop that does not stop on the warning uses them (the
    caller records that the fit separated, see :func:`glm_separated`).
    """
    return _glm_checked(xm, y, keep_separated)[0]


def glm_separated(xm: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """``glm_or_fail(..., keep_separated=True)`` and whether fitted probabilities 0 or 1 occurred."""
    return _glm_checked(xm, y, True)


def _glm_checked(xm: np.ndarray, y: np.ndarray, keep_separated: bool) -> tuple[np.ndarray, bool]:
    n = y.size
    x = np.column_stack([np.ones(n), xm])
    if aliased_columns(x).any():
        raise FitFailure("singular", "a predictor is constant or collinear in this resample")
    fit = glm_fit(x, y, np.ones(n), np.zeros(n))
    if not fit.converged:
        raise FitFailure("non_convergence", "glm.fit: algorithm did not converge")
    separated = bool(fitted_01(fit.mu).any())
    if separated and not keep_separated:
        raise FitFailure("separation", "glm.fit: fitted probabilities numerically 0 or 1 occurred")
    return fit.coef, separated


@dataclass(frozen=True)
class LogisticProcedure:
    """Refit a fixed logistic formula ``y ~ columns`` by maximum likelihood (R's ``glm``).

    ``columns=None`` uses every column of ``X``. Used by :func:`harrell_optimism`; the model's
    ``predict_lp`` is ``X b``. Failures follow :func:`glm_or_fail`; with ``keep_separated`` a
    separated fit is kept (and counted by the bootstrap as ``kept_separated``).
    """

    columns: tuple[str, ...] | None = None
    keep_separated: bool = False

    def __call__(self, X, y) -> LogisticModel:
        names = tuple(self.columns) if self.columns is not None else None
        xm = _columns(X, names)
        coef, separated = _glm_checked(xm, np.asarray(y, dtype=float), self.keep_separated)
        return LogisticModel(names, coef, separated)


def final_model_failures(final, keep_separated: bool = False) -> tuple[bool, list[FitFailure]]:
    """Whether a selected model's final glm fit separated, and why it fails a resample (in that order).

    ``final`` is a :class:`~nenaudit.stats.logistic.LogisticResult`. The rules of
    :func:`glm_or_fail`: ``"non_convergence"`` when ``glm.fit`` did not converge, then
    ``"separation"`` when it warned "fitted probabilities numerically 0 or 1 occurred" (unless
    ``keep_separated``). Used by :class:`ScreenBackwardProcedure` and by the pipeline's procedure,
    which on the full data reports these as outcomes instead of failing.
    """
    failures = []
    if not final.converged:
        failures.append(
            FitFailure("non_convergence", "glm.fit: algorithm did not converge (final model)")
        )
    separated = MSG_FITTED_01 in final.warnings
    if separated and not keep_separated:
        failures.append(
            FitFailure(
                "separation",
                "glm.fit: fitted probabilities numerically 0 or 1 occurred (final model)",
            )
        )
    return separated, failures


@dataclass(frozen=True)
class ScreenBackwardProcedure:
    """Univariable screening (Wald ``p < entry``) then backward Wald elimination (``stay``).

    Wraps :func:`nenaudit.stats.stepwise.univariable_then_backward` (R: the loop in
    ``reference_r/stepwise.R``) so that the whole selection is repeated inside each resample
    (scheme (c)). Only the final model's trouble fails a resample, by the rules of
    :func:`glm_or_fail` (non-convergence, fitted probabilities 0 or 1); warnings of the
    screening and elimination fits are not fatal. A candidate that is constant in a resample is
    not screened there (R's glm would give it an NA coefficient). When nothing passes the screen
    the model is the intercept only (its
    predictions are constant: C = 0.5 and the calibration slope is undefined, NaN).
    """

    candidates: tuple[str, ...]
    entry: float = 0.05
    stay: float = 0.05
    keep_separated: bool = False

    def __call__(self, X, y) -> LogisticModel:

        if not hasattr(X, "columns"):
            raise NenauditError(
                "ScreenBackwardProcedure needs X as a pandas DataFrame with named columns"
            )
        d = X[list(self.candidates)].copy()
        # a candidate constant in this resample cannot be screened (R: NA coefficient): skip it
        usable = [c for c in self.candidates if np.ptp(d[c].to_numpy(dtype=float)) > 0]
        if not usable:
            raise FitFailure("singular", "every candidate is constant in this resample")
        d = d[usable]
        d["__y__"] = np.asarray(y, dtype=float)
        with warnings.catch_warnings():
            # warnings of the screening and intermediate fits do not make the resample fail
            # (R's analyst sees them and moves on); the final model's are checked below
            warnings.simplefilter("ignore")
            res = univariable_then_backward(d, "__y__", usable, self.entry, self.stay)
        final = res.final
        separated, failures = final_model_failures(final, self.keep_separated)
        if failures:
            raise failures[0]
        names = tuple(n for n in final.names if n != "(Intercept)")
        coef = np.asarray(final.coef, dtype=float)
        return LogisticModel(names, coef, separated)


# --------------------------------------------------------------------------------------
# Performance indexes
# --------------------------------------------------------------------------------------


def performance_indexes(y: np.ndarray, lp: np.ndarray, own_fit: bool = False) -> np.ndarray:
    """``C, Dxy, Intercept, Slope, Brier`` of predictions ``lp`` (logit scale) against ``y``.

    As ``rms::validate.lrm``'s ``discrim``: C is the concordance probability of ``lp`` with
    ``y`` (ties 1/2; ``Hmisc::somers2``'s C), ``Dxy = 2 (C - 1/2)``; intercept and slope are
    ``coef(glm(y ~ lp, binomial))`` (rms refits with ``lrm.fit``; on a model's own training
    data they are 0 and 1, which rms sets exactly (``discrim(evalfit = TRUE)``), and so does ``own_fit=True``:
    the refit would give 0 and 1 plus IRLS's residue, whose last bits are the CPU's); Brier is
    ``mean((plogis(lp) - y)^2)``.
    Non-finite ``lp`` (probabilities 0 or 1) gives NaN for the calibration indexes.

    Reference: Harrell FE, Lee KL, Mark DB. Stat Med 1996;15:361-387.
    doi:10.1002/(SICI)1097-0258(19960229)15:4<361::AID-SIM168>3.0.CO;2-4
    """
    cases, controls = lp[y == 1], lp[y == 0]
    if np.isfinite(lp).all():
        c = float(midrank_placements(controls, cases)[0].mean())
        a, b = (0.0, 1.0) if own_fit else recalibration_line(y, lp)[:2]
    else:
        c = float(
            np.mean(
                [
                    (np.sum(k > controls) + 0.5 * np.sum(k == controls)) / controls.size
                    for k in cases
                ]
            )
        )
        a = b = math.nan
    brier = float(np.mean((special.expit(lp) - y) ** 2))
    return np.array([c, 2.0 * (c - 0.5), a, b, brier])


# --------------------------------------------------------------------------------------
# One resample's evaluation (module-level so that worker processes can run it)
# --------------------------------------------------------------------------------------


def _optimism_eval(model, Xt, yt, X, y, _payload):
    lp_train = predict_lp(model, Xt)
    lp_test = predict_lp(model, X)
    if np.isnan(lp_train).any() or np.isnan(lp_test).any():
        return ResampleFailure("error", "the model predicted NaN")
    sel = getattr(model, "selected", None)
    return (
        performance_indexes(yt, lp_train, own_fit=True),
        performance_indexes(y, lp_test),
        bool(getattr(model, "separated", False)),
        special.expit(lp_test),
        None if sel is None else dict(sel),
    )


def _oob_eval(model, Xt, yt, X, y, _payload):
    return predict_proba(model, X)


# --------------------------------------------------------------------------------------
# (a) as published
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedBootstrap(Result):
    """Scheme (a): the fixed model's AUC on each resample (no refitting, no optimism)."""

    scheme: str
    apparent: float
    mean: float
    median: float
    se: float
    ci_lower: float
    ci_upper: float
    level: float
    optimism: float | None
    corrected: float | None
    n_boot: int
    n_ok: int
    failures: dict
    direction: str
    note: str


@aligned
def published_bootstrap(
    y,
    score,
    *,
    n_boot: int = 1000,
    seed=None,
    indices=None,
    level: float = 0.95,
    direction: str = "<",
) -> PublishedBootstrap:
    """Scheme (a): bootstrap the AUC of a *fixed* score, as "AUC ... verified by bootstrap" is often done.

    For each resample (ordinary bootstrap of rows, :func:`resample_indices`, or ``indices``)
    the AUC of ``score`` is computed with the direction fixed (default ``"<"``: higher score =
    event), as ``pROC::auc(roc(y[i], score[i], direction = direction))``; the result gives the
    mean, the median, the SD and the percentile interval (R's ``quantile`` type 7) of the
    resampled AUCs. A resample with one class has no AUC: it is counted under
    ``failures["one_class"]`` (pROC drops these NAs). ``optimism`` and ``corrected`` are None: the
    model is never refitted, so this scheme says how much the AUC varies across samples of the
    same size, not how optimistic the apparent AUC is (that is schemes (b)-(d)).

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993, ch. 13.
    doi:10.1007/978-1-4899-4541-9
    """
    yy = as_binary(y).astype(float)
    s = as_score(score, yy.size)
    if direction not in ("<", ">"):
        raise NenauditError(f"direction must be '<' or '>', got {direction!r}")
    if not (0.0 < level < 1.0):
        raise NenauditError(f"level must be strictly between 0 and 1, got {level!r}")
    if yy.min() == yy.max():
        raise NenauditError(f"y has only the value {int(yy[0])}: the AUC needs both classes")
    idx = (
        resample_indices(yy.size, n_boot, seed)
        if indices is None
        else check_indices(indices, yy.size)
    )
    aucs = bootstrap_aucs(yy, s, idx, direction)
    apparent = float(bootstrap_aucs(yy, s, np.arange(yy.size)[None, :], direction)[0])
    fails = empty_failures()
    fails["one_class"] = int(np.isnan(aucs).sum())
    warn_failures(fails, idx.shape[0])
    ok = aucs[~np.isnan(aucs)]
    if ok.size == 0:
        raise NenauditError(
            "no resample contained both classes: the data are too small for the bootstrap"
        )
    a = (1.0 - level) / 2.0
    lo, med, hi = quantile7(ok, [a, 0.5, 1.0 - a])
    return PublishedBootstrap(
        "published",
        apparent,
        float(ok.mean()),
        float(med),
        float(ok.std(ddof=1)) if ok.size > 1 else math.nan,
        float(lo),
        float(hi),
        float(level),
        None,
        None,
        int(idx.shape[0]),
        int(ok.size),
        fails,
        direction,
        "fixed model, no refitting: sampling variability of the AUC, not optimism",
    )


# --------------------------------------------------------------------------------------
# (b), (c), (d): optimism
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationIndex(Result):
    """One row of an ``rms::validate`` table."""

    name: str
    apparent: float
    training: float
    test: float
    optimism: float
    corrected: float
    n: int
    optimism_mc_se: float


@dataclass(frozen=True)
class BootstrapValidation(Result):
    """Optimism-corrected performance (schemes (b), (c), (d))."""

    scheme: str
    unit: str
    indexes: tuple[ValidationIndex, ...]
    n_obs: int
    n_groups: int | None
    n_boot: int
    n_ok: int
    failures: dict
    jobs: int
    kept_separated: int = (
        0  # usable resamples whose final fit separated (kept: procedure.keep_separated)
    )
    # each usable resample's model on the original data: predicted probabilities (n_ok x n_obs), and what the
    # model selected ({"features": (...), "predictors": (...)}, the model's ``selected`` attribute; None without
    # one). Inputs of :func:`nenaudit.stats.instability.pipeline_instability`; not part of to_dict()
    predictions: np.ndarray | None = field(default=None, repr=False, compare=False)
    selected: tuple | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        d = super().to_dict()
        d.pop("predictions", None)
        d.pop("selected", None)
        return d

    def index(self, name: str) -> ValidationIndex:
        for ix in self.indexes:
            if ix.name == name:
                return ix
        raise NenauditError(f"no index {name!r}; available: {[i.name for i in self.indexes]}")

    def to_frame(self):
        """The validate table as a pandas DataFrame (rows = indexes)."""

        return pd.DataFrame([ix.to_dict() for ix in self.indexes]).set_index("name")


def _optimism_summary(
    scheme, unit, X, y, procedure, rows_list, n_groups, jobs
) -> BootstrapValidation:
    model = fit_full_data(procedure, X, y)
    apparent = performance_indexes(y, predict_lp(model, X), own_fit=True)
    outs = run_resamples(_optimism_eval, procedure, X, y, rows_list, jobs)
    ok, fails = count_failures(outs)
    warn_failures(fails, len(rows_list))
    k = len(INDEX_NAMES)
    tr_sum, te_sum, num = np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    diffs = np.full((len(ok), k), np.nan)
    kept_sep = sum(1 for o in ok if o[2])
    preds = np.vstack([o[3] for o in ok]) if ok else np.zeros((0, y.size))
    selected = tuple(o[4] for o in ok) if ok and all(o[4] is not None for o in ok) else None
    for b, (tr, te, _sep, _p, _s) in enumerate(ok):
        good = ~(np.isnan(tr) | np.isnan(te))
        tr_sum[good] += tr[good]
        te_sum[good] += te[good]
        num += good
        diffs[b, good] = tr[good] - te[good]
    with np.errstate(invalid="ignore", divide="ignore"):
        tr_m = tr_sum / num
        te_m = te_sum / num
    opt = tr_m - te_m
    mc = [
        float(np.nanstd(diffs[:, j], ddof=1) / math.sqrt(num[j])) if num[j] > 1 else math.nan
        for j in range(k)
    ]
    rows = tuple(
        ValidationIndex(
            nm,
            float(apparent[j]),
            float(tr_m[j]),
            float(te_m[j]),
            float(opt[j]),
            float(apparent[j] - opt[j]),
            int(num[j]),
            mc[j],
        )
        for j, nm in enumerate(INDEX_NAMES)
    )
    return BootstrapValidation(
        scheme,
        unit,
        rows,
        int(y.size),
        n_groups,
        len(rows_list),
        len(ok),
        fails,
        int(jobs),
        kept_sep,
        preds,
        selected,
    )


@aligned
def optimism_bootstrap(
    X,
    y,
    procedure: Callable,
    *,
    n_boot: int = 200,
    seed=None,
    indices=None,
    jobs: int = 1,
    scheme: str = "harrell",
) -> BootstrapValidation:
    """Harrell's bootstrap optimism correction of C, Dxy, calibration intercept and slope, Brier.

    For each resample ``b``: fit ``procedure`` on the resample, compute the indexes
    (:func:`performance_indexes`) on the resample ("training") and on the original data
    ("test"); ``optimism = mean_b(training) - mean_b(test)``, ``corrected = apparent -
    optimism``, each index averaged over the resamples where both are defined (``n``), as
    ``rms::predab.resample`` does; ``optimism_mc_se`` is the Monte Carlo standard error of the
    optimism, ``sd_b(training_b - test_b) / sqrt(n)``. Resamples are the rows of ``indices`` (0-based) or
    :func:`resample_indices` ``(n, n_boot, seed)``. ``jobs`` worker processes share the
    resamples; the result does not depend on ``jobs``.

    References
    ----------
    Efron B. Estimating the error rate of a prediction rule: improvement on cross-validation.
    J Am Stat Assoc 1983;78:316-331. doi:10.1080/01621459.1983.10477973
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med 1996;15:361-387.
    doi:10.1002/(SICI)1097-0258(19960229)15:4<361::AID-SIM168>3.0.CO;2-4
    """
    Xd, yy = check_data(X, y)
    idx = (
        resample_indices(yy.size, n_boot, seed)
        if indices is None
        else check_indices(indices, yy.size)
    )
    return _optimism_summary(scheme, "observations", Xd, yy, procedure, list(idx), None, jobs)


@aligned
def harrell_optimism(
    X,
    y,
    columns: Sequence[str] | None = None,
    *,
    procedure: Callable | None = None,
    n_boot: int = 200,
    seed=None,
    indices=None,
    jobs: int = 1,
) -> BootstrapValidation:
    """Scheme (b): refit the final model's formula on each resample (``rms::validate(lrm(...), B)``).

    ``procedure`` defaults to :class:`LogisticProcedure` ``(columns)``. See
    :func:`optimism_bootstrap`. Matches the base-R loop ``val_optimism`` of
    ``reference_r/validation.R`` on the same indices, and ``rms::validate`` when the indices are
    those ``set.seed(s); replicate(B, sample(n, replace = TRUE))`` gives.
    """
    proc = (
        procedure
        if procedure is not None
        else LogisticProcedure(None if columns is None else tuple(columns))
    )
    return optimism_bootstrap(
        X, y, proc, n_boot=n_boot, seed=seed, indices=indices, jobs=jobs, scheme="harrell"
    )


@aligned
def pipeline_optimism(
    X, y, procedure: Callable, *, n_boot: int = 200, seed=None, indices=None, jobs: int = 1
) -> BootstrapValidation:
    """Scheme (c): whole-pipeline optimism; ``procedure`` re-runs every data-driven step per resample.

    Same computation as :func:`optimism_bootstrap`; the difference from (b) is what the
    procedure does (e.g. :class:`ScreenBackwardProcedure`, or filters + LASSO-CV + Radscore +
    stepwise), so that selection is validated with the model (Steyerberg 2019, ch. 17).

    References
    ----------
    Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer; 2019, ch. 17.
    doi:10.1007/978-3-030-16399-0
    """
    return optimism_bootstrap(
        X, y, procedure, n_boot=n_boot, seed=seed, indices=indices, jobs=jobs, scheme="pipeline"
    )


@aligned
def cluster_optimism(
    X,
    y,
    groups,
    procedure: Callable,
    *,
    n_boot: int = 200,
    seed=None,
    group_indices=None,
    jobs: int = 1,
) -> BootstrapValidation:
    """Scheme (d): optimism with patients resampled, each with all its lesions.

    Each resample draws ``G`` patients with replacement (:func:`cluster_indices`, or
    ``group_indices``: 0-based codes of the sorted distinct ``groups``, one resample per row)
    and takes all rows of each drawn patient (:func:`expand_clusters`); the test set is the
    original data. As ``rms::predab.resample(..., cluster = groups)`` in spirit (rms draws its
    own clusters); the base-R loop ``val_cluster`` in ``reference_r/validation.R`` uses the same
    draws.

    References
    ----------
    Davison AC, Hinkley DV. Bootstrap Methods and their Application. Cambridge University
    Press; 1997, section 3.8. doi:10.1017/CBO9780511802843
    Field CA, Welsh AH. Bootstrapping clustered data. J R Stat Soc B 2007;69:369-390.
    doi:10.1111/j.1467-9868.2007.00593.x
    """
    Xd, yy = check_data(X, y)
    levels, codes = group_codes(groups, yy.size)
    g = levels.size
    gi = (
        cluster_indices(g, n_boot, seed)
        if group_indices is None
        else check_indices(group_indices, g)
    )
    rows = expand_clusters(codes, gi)
    return _optimism_summary("cluster", "patients", Xd, yy, procedure, rows, int(g), jobs)


# --------------------------------------------------------------------------------------
# .632+
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate632Plus(Result):
    """.632 and .632+ estimates for one index (AUC or Brier)."""

    name: str
    apparent: float
    oob: float
    no_information: float
    relative_overfitting: float
    weight: float
    estimate_632: float
    estimate_632plus: float
    optimism: float
    corrected: float
    n: int


@dataclass(frozen=True)
class Bootstrap632Plus(Result):
    """Efron & Tibshirani's .632+ bootstrap for the AUC and the Brier score."""

    scheme: str
    auc: Estimate632Plus
    brier: Estimate632Plus
    n_boot: int
    n_ok: int
    failures: dict
    oob_one_class: int
    n_unseen: int
    jobs: int


def _plus(name, app_err, oob_err, gamma, n, as_auc):
    err1 = min(oob_err, gamma) if gamma > app_err else oob_err
    if err1 > app_err and gamma > app_err:
        r = (err1 - app_err) / (gamma - app_err)
    else:
        r = 0.0
    r = min(max(r, 0.0), 1.0)
    w = 0.632 / (1.0 - 0.368 * r)
    e632 = 0.368 * app_err + 0.632 * oob_err
    e632p = (1.0 - w) * app_err + w * err1
    conv = (lambda e: 1.0 - e) if as_auc else (lambda e: e)
    app, est = conv(app_err), conv(e632p)
    return Estimate632Plus(
        name, app, conv(oob_err), conv(gamma), r, w, conv(e632), est, app - est, est, n
    )


@aligned
def bootstrap_632plus(
    X, y, procedure: Callable, *, n_boot: int = 200, seed=None, indices=None, jobs: int = 1
) -> Bootstrap632Plus:
    """The .632+ bootstrap estimator (Efron & Tibshirani 1997) of the AUC and the Brier score.

    Each resample's model predicts the rows left out of it (out-of-bag).

    * Brier (a per-observation loss, as in the paper): ``Err1 = mean_i mean_{b: i not in b}
      (y_i - p_b(x_i))^2`` (leave-one-out bootstrap; observations never left out are skipped and
      counted in ``n_unseen``), apparent ``err`` = Brier of the full-data fit, no-information
      rate ``gamma = mean_i mean_j (y_i - p(x_j))^2``.
    * AUC (not a sum over observations): with ``e = 1 - AUC``, ``Err1`` = 1 - mean over
      resamples of the out-of-bag AUC (resamples whose out-of-bag rows lack a class are
      counted in ``oob_one_class``), ``gamma = 0.5`` (an uninformative rule), the usual
      adaptation (e.g. Sahiner et al. 2008).

    Then ``R = (Err1' - err) / (gamma - err)`` with ``Err1' = min(Err1, gamma)`` (``R = 0`` when
    ``Err1 <= err`` or ``gamma <= err``), clipped to [0, 1]; ``w = .632 / (1 - .368 R)``;
    ``.632+ = (1 - w) err + w Err1'`` and ``.632 = .368 err + .632 Err1``. ``optimism`` is
    ``apparent - corrected`` with ``corrected`` the .632+ estimate on the index's own scale.
    (``rms::validate(method = ".632")`` implements plain .632 with a different weighting; there
    is no .632+ in rms.)

    References
    ----------
    Efron B, Tibshirani R. Improvements on cross-validation: the .632+ bootstrap method.
    J Am Stat Assoc 1997;92:548-560. doi:10.1080/01621459.1997.10474007
    Sahiner B, Chan HP, Hadjiiski L. Classifier performance estimation under the constraint of
    a finite sample size. Med Phys 2008;35:1559-1570. doi:10.1118/1.2868757
    """
    Xd, yy = check_data(X, y)
    n = yy.size
    idx = resample_indices(n, n_boot, seed) if indices is None else check_indices(indices, n)
    model = fit_full_data(procedure, Xd, yy)
    p_app = predict_proba(model, Xd)
    outs = run_resamples(_oob_eval, procedure, Xd, yy, list(idx), jobs)
    fails = empty_failures()
    loss_sum = np.zeros(n)
    loss_cnt = np.zeros(n, dtype=int)
    oob_aucs = []
    oob_one = 0
    n_ok = 0
    for rows, o in zip(idx, outs):
        if isinstance(o, ResampleFailure):
            fails[o.reason] += 1
            continue
        n_ok += 1
        oob = np.ones(n, dtype=bool)
        oob[rows] = False
        loss_sum[oob] += (yy[oob] - o[oob]) ** 2
        loss_cnt[oob] += 1
        yo, po = yy[oob], o[oob]
        if yo.size == 0 or yo.min() == yo.max():
            oob_one += 1
            continue
        oob_aucs.append(float(midrank_placements(po[yo == 0], po[yo == 1])[0].mean()))
    warn_failures(fails, idx.shape[0])
    if oob_one:
        warnings.warn(
            f"{oob_one} resamples had out-of-bag rows of one class only: their AUC was left out",
            StatisticalWarning,
            stacklevel=2,
        )
    if n_ok == 0 or not oob_aucs:
        raise NenauditError("no usable resample: increase n_boot or check the data")
    seen = loss_cnt > 0
    err1_brier = float(np.mean(loss_sum[seen] / loss_cnt[seen]))
    app_brier = float(np.mean((yy - p_app) ** 2))
    gamma_brier = float(np.mean((yy[:, None] - p_app[None, :]) ** 2))
    app_auc = float(midrank_placements(p_app[yy == 0], p_app[yy == 1])[0].mean())
    err1_auc = 1.0 - float(np.mean(oob_aucs))
    auc = _plus("AUC", 1.0 - app_auc, err1_auc, 0.5, len(oob_aucs), True)
    brier = _plus("Brier", app_brier, err1_brier, gamma_brier, int(seen.sum()), False)
    return Bootstrap632Plus(
        "632plus",
        auc,
        brier,
        int(idx.shape[0]),
        n_ok,
        fails,
        oob_one,
        int((~seen).sum()),
        int(jobs),
    )
