"""The paper's pipeline as one sequence of :mod:`nenaudit.stats` calls, driven by one config.

Feng et al. (2025), sections 2.3-2.5, in order:

1. ICC filter (intra- and inter-observer, ICC < 0.75 out) on the re-segmented lesions;
2. z-score, Spearman filter (|rho| > 0.9, caret::findCorrelation), LASSO logistic with
   10-fold CV (cv.glmnet) -> Radscore (the linear predictor at lambda.min);
3. Table 1/2 comparisons; univariable logistic regression of every Table 3 candidate;
   univariable screen (p < 0.05) then backward elimination by Wald p -> the fusion model;
4. AUC with DeLong CI for the Radscore and the fusion model;
5. validation: (a) the paper's bootstrap of the fixed model, (b) Harrell's optimism with the
   final formula refitted, (c) the whole pipeline (filters, LASSO-CV, Radscore, screening,
   elimination) re-run in every resample, (d) resampling patients with all their lesions;
6. calibration, decision curve, nomogram.

Nothing here computes a statistic: every number comes from a ``stats`` function. The ICC
filter does not use the outcome, so inside the bootstrap it is applied with the ICCs of the
full reliability subset (a resample of lesions does not re-measure observer agreement); every
outcome-dependent step is re-run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from nenaudit.exceptions import FitFailure, NenauditError, StatisticalWarning
from nenaudit.selection import IccMemo, SelectionConfig, select_features
from nenaudit.stats import validation as val
from nenaudit.stats.calibration import (
    calibrate_bootstrap,
    calibration_curve,
    calibration_errors,
    calibration_fit,
    hosmer_lemeshow,
)
from nenaudit.stats.dca import decision_curve, threshold_grid
from nenaudit.stats.discrimination import ci_auc, roc_curve, sensitivity_band, youden
from nenaudit.stats.features import icc_filter
from nenaudit.stats.instability import pipeline_instability, selection_frequency
from nenaudit.stats.logistic import fit_logistic
from nenaudit.stats.nomogram import nomogram
from nenaudit.stats.protocols import LinearPredictor
from nenaudit.stats.result import Result
from nenaudit.stats.stepwise import univariable_then_backward
from nenaudit.stats.table1 import summarize, summarize_overall
from nenaudit.stats.validation import LogisticModel, final_model_failures
from nenaudit.study.schema import load

__all__ = [
    "PipelineConfig",
    "observer_readings",
    "PaperProcedure",
    "PaperModel",
    "run_pipeline",
    "PipelineResult",
    "build_design",
    "fit_whole_cohort",
    "whole_cohort_error",
    "apparent_calibration",
    "instability_of",
    "youden_risk_threshold",
]

RADSCORE = "Radscore"


@dataclass(frozen=True)
class PipelineConfig(Result):
    """Every choice of the pipeline; the defaults are the paper's (or its stated conventions)."""

    selection: SelectionConfig = field(default_factory=SelectionConfig)
    candidates: tuple[str, ...] | None = (
        None  # clinical candidates; None = Table 3's univariable rows
    )
    entry: float = 0.05  # univariable screen: p < entry enters
    stay: float = 0.05  # backward elimination: p > stay is removed
    n_boot: int = 200  # resamples per validation scheme (the paper: 1000)
    n_boot_pipeline: int | None = None  # whole-pipeline scheme; None = n_boot
    seed: int = 20250611
    jobs: int = 1
    dca_thresholds: tuple[float, float, float] = (0.01, 0.99, 0.01)
    # a resample whose final model separates (glm: fitted probabilities 0 or 1) is left out and
    # counted (rms-like) by default; True keeps glm's estimates and counts it as kept_separated
    keep_separated: bool = False
    # the report's figure extras: ROC bands (n_boot stratified resamples) and rms::calibrate's bias-corrected curve
    # (n_boot refits); off by default so that callers that only need the numbers (simulate) do not pay for them
    figure_extras: bool = False
    # risk threshold of the classification instability index; None = the risk at Youden's cut point of the
    # final model (where the ROC figure marks it; the paper gives no decision threshold)
    instability_threshold: float | None = None


def observer_readings(cohort) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """``{"intra": (observer 1 reading 1, reading 2), "inter": (observer 1, observer 2)}``, lesions aligned.

    Observer 1's first reading is the cohort's feature table; the other readings are the rows
    of ``observers.csv`` (observer 1 repeat 2, observer 2 repeat 1). A design without rows is
    left out.
    """
    obs = cohort.observers
    feats = cohort.feature_names
    out = {}
    for design, (observer, repeat) in (("intra", (1, 2)), ("inter", (2, 1))):
        rows = obs[
            (obs["observer"].astype(int) == observer) & (obs["repeat"].astype(int) == repeat)
        ]
        if len(rows) == 0:
            continue
        ids = rows["lesion_id"].tolist()
        out[design] = (
            cohort.features.loc[ids, feats].reset_index(drop=True),
            rows.set_index("lesion_id").loc[ids, feats].reset_index(drop=True).astype(float),
        )
    return out


class OneThreadBlas:
    """``with blas():`` BLAS/LAPACK on one thread. Every product in a resample is small (131 x a few hundred);
    OpenBLAS's threads cost far more than they give (a 240 x 240 Gram matrix: 8 ms on 2 threads of a
    busy machine, 0.3 ms on one) and the numbers are the same.

    Holds threadpoolctl's controller (it inspects the loaded libraries once), made on first use by the
    owner (:class:`PaperProcedure` holds one); a copy sent to a worker process makes its own there."""

    def __init__(self) -> None:
        self.controller: Any = None

    def __call__(self):
        if self.controller is None:
            self.controller = ThreadpoolController()
        return self.controller.limit(limits=1, user_api="blas")

    def __getstate__(self) -> dict:
        return {}  # the controller holds handles of this process's libraries

    def __setstate__(self, state: dict) -> None:
        self.controller = None


@dataclass(frozen=True)
class PaperModel(LinearPredictor):
    """A fitted pipeline: the feature selection (with its z-score and Radscore) and the final logistic model."""

    selection: Any  # selection.Selection
    clinical: Any  # stats.stepwise.UnivariableBackward
    terms: tuple[str, ...]
    coef: np.ndarray  # intercept first, then ``terms``
    separated: bool = False  # the final fit separated and was kept (config.keep_separated)
    notes: tuple[str, ...] = ()  # reported outcomes of a full-data fit (PaperProcedure.full_data)

    @property
    def selected(self) -> dict[str, tuple[str, ...]]:
        """What this fit selected: the Radscore's features (LASSO non-zero) and the final model's
        predictors (clinical terms and the Radscore), for the selection frequencies across resamples."""
        return {
            "features": tuple(self.selection.radscore.coefficients),
            "predictors": tuple(self.terms),
        }

    def radscore(self, features: pd.DataFrame) -> np.ndarray:
        """The Radscore (LASSO linear predictor, intercept included) of new rows of raw features."""
        coefs = list(self.selection.radscore.coefficients)
        if not coefs:  # an empty selection (reported by run_pipeline): the constant intercept
            return np.full(len(features), float(self.selection.radscore.intercept))
        # the fitted z-score, of the Radscore's features only (the others would be discarded)
        Z = self.selection.zscore.transform(features, only=coefs).to_numpy()  # one float block
        return self.selection.radscore.apply(
            {n: Z[:, j] for j, n in enumerate(coefs)}, include_intercept=True
        )

    def design(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` with its Radscore column computed from its feature columns."""
        d = X.copy()
        d[RADSCORE] = self.radscore(X)
        return d

    def predict_lp(self, X: pd.DataFrame) -> np.ndarray:
        """The final model's linear predictor on ``X`` (clinical columns and raw features): the
        :class:`~nenaudit.stats.validation.LogisticModel` of ``terms`` on the rows' design."""
        cols = {
            t: (self.radscore(X) if t == RADSCORE else X[t].to_numpy(dtype=float))
            for t in self.terms
        }
        xm = np.empty(
            (len(X), len(self.terms)), order="F"
        )  # column-major, as DataFrame.to_numpy gave it
        for j, t in enumerate(self.terms):
            xm[:, j] = cols[t]
        return LogisticModel(None, self.coef).predict_lp(xm)  # fixed order: same bits on any CPU


_FULL_DATA_NOTES = {
    "non_convergence": "the final model's glm.fit did not converge (estimates kept, as R's glm)",
    "separation": "the final model separates: fitted probabilities numerically 0 or 1 occurred "
    "(estimates kept, as R's glm)",
}


@dataclass(frozen=True)
class PaperProcedure:
    """The whole model-building procedure as a callable ``(X, y) -> PaperModel`` (scheme (c)).

    ``X`` is a DataFrame holding the coded clinical candidates and the raw feature columns.
    Selection failures and the final model's numerical trouble raise
    :class:`nenaudit.exceptions.FitFailure`, which the bootstrap counts by reason.
    With ``full_data`` (the one fit on the whole cohort, :func:`run_pipeline`) they are reported
    outcomes instead: an empty LASSO selection leaves the Radscore out of the candidates (it is the
    constant intercept), and a final model that separates is kept (glm's estimates), each with a
    warning (``PaperModel.notes``).
    """

    features: tuple[str, ...]
    candidates: tuple[str, ...]
    config: PipelineConfig
    icc_values: Any = (
        None  # {"intra": {feature: icc}, "inter": {...}} from the full reliability subset
    )
    full_data: bool = False
    # the procedure's own caches, shared by its copies (dataclasses.replace): the ICC filter of its
    # icc_values (the same in every resample) and the BLAS thread limiter; they change no number
    icc_memo: IccMemo = field(default_factory=IccMemo, compare=False, repr=False)
    blas: OneThreadBlas = field(default_factory=OneThreadBlas, compare=False, repr=False)

    def __call__(self, X: pd.DataFrame, y) -> PaperModel:

        y = np.asarray(y, dtype=float)
        with self.blas():
            try:
                sel = select_features(
                    X[list(self.features)],
                    y,
                    icc_values=self.icc_values,
                    config=self.config.selection,
                    icc_memo=self.icc_memo,
                )
            except NenauditError as exc:
                raise FitFailure("error", f"feature selection: {exc}") from None
            notes: list[str] = []
            cands = list(self.candidates)
            if not sel.selected:
                if not self.full_data:
                    raise FitFailure("error", "LASSO-CV selected no feature at lambda.min")
                cands = [c for c in cands if c != RADSCORE]
                notes.append(
                    f"LASSO-CV selected no feature at lambda.{sel.config.which}: the Radscore is the "
                    "constant intercept and was left out of the clinical candidates"
                )
            d = X[[c for c in self.candidates if c != RADSCORE]].copy()
            d[RADSCORE] = PaperModel(sel, None, (), np.zeros(1)).radscore(X)
            d["__y__"] = y
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # screening/intermediate fits: an analyst moves on
                # a resample keeps only its final model: screen and eliminate on the compiled Wald fits
                clin = univariable_then_backward(
                    d, "__y__", cands, self.config.entry, self.config.stay, lean=not self.full_data
                )
        final = clin.final
        separated, failures = final_model_failures(final, self.config.keep_separated)
        if failures and not self.full_data:
            raise failures[0]
        for f in failures:  # the full-data fit: reported outcomes, glm's estimates kept
            notes.append(_FULL_DATA_NOTES[f.reason])
        terms = tuple(n for n in final.names if n != "(Intercept)")
        return PaperModel(
            sel, clin, terms, np.asarray(final.coef, dtype=float), separated, tuple(notes)
        )

    @property
    def keep_separated(self) -> bool:
        return self.config.keep_separated


@dataclass(frozen=True)
class PipelineResult(Result):
    """Everything the pipeline computed on one cohort (see :func:`run_pipeline`)."""

    config: PipelineConfig
    cohort: str
    n_lesions: int
    n_patients: int
    n_events: int
    selection: dict
    table1: Any  # GroupComparison of patients by outcome
    table2: Any  # GroupComparison of lesions by outcome
    univariable: dict
    multivariable: dict
    final_terms: tuple[str, ...]
    auc: dict
    validation: dict
    calibration: dict
    dca: Any
    nomogram: Any
    warnings: tuple[str, ...]
    table1_total: tuple = ()  # Table 1's "(Total)" column: stats.table1.summarize_overall of the patients
    arrays: dict = field(
        default_factory=dict, repr=False
    )  # y, lp, radscore, roc curves for figures
    # Riley & Collins' instability of the whole pipeline (Instability.summary(); the Instability itself,
    # with its per-patient arrays, is arrays["instability"]); None when no pipeline resample was usable
    instability: dict | None = None


def _candidates(config: PipelineConfig, cohort, study=None) -> tuple[str, ...]:
    if config.candidates is not None:
        cands = tuple(config.candidates)
    else:
        reg = (study if study is not None else load()).regression
        cands = tuple(r.variable for r in reg.rows if r.univariable is not None) if reg else ()
    cols = set(cohort.lesions.columns) | {RADSCORE}
    missing = [c for c in cands if c not in cols]
    if missing:
        raise NenauditError(
            f"{cohort.path}/lesions.csv: no column {missing[0]!r} for the clinical candidates; "
            "name the candidates in the config"
        )
    if RADSCORE not in cands:
        cands = (*cands, RADSCORE)
    return cands


def build_design(cohort, config: PipelineConfig | None = None, study=None):
    """``(X, y, groups, procedure)`` of a cohort: the coded clinical candidates and raw features in one
    float DataFrame (a single block, so that resampling rows is cheap), the outcome, the patient of
    each lesion, and the :class:`PaperProcedure` with the ICC values of the reliability subset.

    The candidates are ``config.candidates`` or, when None, the univariable rows of ``study``'s
    regression table (``study`` None: the embedded default spec). A missing, infinite or
    non-numeric candidate value is refused with its column and line (no row is dropped)."""

    cfg = config or PipelineConfig()
    y = cohort.outcome.astype(float)
    feats = tuple(cohort.feature_names)
    cands = _candidates(cfg, cohort, study)
    coded = cohort.coded_lesions()
    clinical = [c for c in cands if c != RADSCORE]
    checked = cohort.numeric_lesions(clinical, "clinical candidate")
    values = np.hstack(
        [checked.to_numpy(dtype=float), cohort.features[list(feats)].to_numpy(dtype=float)]
    )
    X = pd.DataFrame(values, columns=[*clinical, *feats])
    readings = observer_readings(cohort)
    icc_values = None
    if readings:
        icc_values = icc_filter(
            readings, threshold=cfg.selection.icc_threshold, form=cfg.selection.icc_form
        ).icc
    return X, y, coded["patient_id"].to_numpy(), PaperProcedure(feats, cands, cfg, icc_values)


def whole_cohort_error(exc, where) -> NenauditError:
    """The one-line error for a :class:`~nenaudit.exceptions.FitFailure` on the whole cohort: no
    resample to count but the analysis itself failing (too few events for the folds, separation, a
    singular design), worded as :mod:`nenaudit.stats.validation` words it for harrell/632plus."""
    return NenauditError(
        f"{where}: the procedure fails on the full data ({exc.reason}: {exc.detail}); "
        "no model to report or validate"
    )


def fit_whole_cohort(procedure, X, y, where):
    """``procedure(X, y)`` on the whole cohort; a FitFailure becomes :func:`whole_cohort_error`."""

    try:
        return procedure(X, y)
    except FitFailure as exc:
        raise whole_cohort_error(exc, where) from None


def youden_risk_threshold(y, lp) -> float | None:
    """The risk at Youden's optimal cut point of the linear predictor (pROC ``coords(..., "best")``), the
    threshold at which the paper's sensitivity and specificity are read; None when it is infinite."""

    t = float(youden(y, lp, direction="<").threshold)
    return float(1.0 / (1.0 + np.exp(-t))) if np.isfinite(t) else None


def instability_of(boot, y, prob, model, threshold: float | None = None, dca_thresholds=None):
    """Riley & Collins' instability (:func:`nenaudit.stats.instability.pipeline_instability`) of ``model``
    (its predicted risks ``prob`` on the original data) from a bootstrap validation run whose resamples
    refitted the procedure (:class:`~nenaudit.stats.validation.BootstrapValidation` keeps their
    predictions and selections). Selection frequencies are counted per kind ("features" of the Radscore,
    final-model "predictors"), the original model's names first. None when no resample was usable."""

    if boot.predictions is None or boot.predictions.shape[0] == 0:
        return None
    sel = {}
    orig = getattr(model, "selected", None) or {}
    if boot.selected is not None:
        for kind in boot.selected[0]:
            sel[kind] = selection_frequency(
                [s.get(kind, ()) for s in boot.selected], orig.get(kind, ())
            )
    return pipeline_instability(
        y, prob, boot.predictions, threshold=threshold, dca_thresholds=dca_thresholds, selection=sel
    )


def pretty_ticks(lo: float, hi: float, n: int = 6) -> np.ndarray:
    """Round axis values covering [lo, hi]: a step of 1, 2 or 5 x 10^k near (hi - lo) / n, as R's ``pretty``
    chooses its unit (without pretty's high-bias refinements)."""
    if not hi > lo:
        return np.array([lo, lo + 1.0])
    raw = (hi - lo) / n
    mag = 10.0 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1.0, 2.0, 5.0, 10.0)), key=lambda s: abs(s - raw))
    start, stop = np.floor(lo / step) * step, np.ceil(hi / step) * step
    return np.round(np.arange(start, stop + step / 2, step), 12)


def _logit_row(fit, name: str) -> dict:
    j = list(fit.names).index(name)
    return {
        "or": float(np.exp(fit.coef[j])),
        "ci": [float(np.exp(fit.ci_profile[j, 0])), float(np.exp(fit.ci_profile[j, 1]))],
        "p": float(fit.p[j]),
        "coef": float(fit.coef[j]),
        "se": float(fit.se[j]),
    }


def apparent_calibration(y: np.ndarray, lp: np.ndarray) -> dict[str, Any]:
    """The final model's apparent calibration: rms ``val.prob``'s intercept, slope and Brier, the
    Hosmer-Lemeshow test (10 groups), ICI/E50/E90 and the loess curve.

    A model with few distinct predictions (a clinical model of two binary terms, say) has tied
    Hosmer-Lemeshow cut points, where ``hoslem.test`` stops: the test is then ``None`` and a
    warning says why; the other statistics are computed as usual.
    """

    prob = 1.0 / (1.0 + np.exp(-lp))
    try:
        hl = hosmer_lemeshow(y, prob)
    except NenauditError as exc:
        hl = None
        warnings.warn(
            f"calibration: Hosmer-Lemeshow test not computed: {exc}",
            StatisticalWarning,
            stacklevel=2,
        )
    return {
        "fit": calibration_fit(y, lp=lp),
        "hosmer_lemeshow": hl,
        "errors": calibration_errors(y, prob),
        "curve": calibration_curve(y, prob),
    }


def run_pipeline(
    cohort, config: PipelineConfig | None = None, *, progress=None, study=None
) -> PipelineResult:
    """Run the paper's pipeline on a loaded cohort (:func:`nenaudit.cohort.load_cohort`).

    ``progress`` is an optional callable taking a one-line message (for the CLI). ``study`` is the
    spec whose Table 3 names the clinical candidates (None: the embedded default). The LASSO-CV
    folds are drawn with ``config.selection.seed`` (the whole cohort, and afresh with the same seed
    in every resample of the pipeline scheme); ``config.seed`` draws the resamples. A model that
    cannot be fitted on the whole cohort (too few events for the folds, separation, no
    convergence) raises :class:`~nenaudit.exceptions.FitFailure` (counted by a simulation;
    the CLI turns it into one line with :func:`whole_cohort_error`).
    """

    cfg = config or PipelineConfig()
    say = progress or (lambda msg: None)
    caught_all: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        say("ICC filter on the observer readings")
        X, y, groups, proc = build_design(cohort, cfg, study)
        feats, cands, icc_values = proc.features, proc.candidates, proc.icc_values
        clinical = [c for c in cands if c != RADSCORE]
        say(
            "selection: z-score, Spearman filter, LASSO-CV, Radscore; univariable screen + backward Wald"
        )
        # a FitFailure here is the analysis failing (the CLI: whole_cohort_error)
        model = replace(proc, full_data=True)(X, y)
        for note in model.notes:
            warnings.warn(note, StatisticalWarning, stacklevel=2)
            say(note)
        if not model.selection.selected:
            cands = tuple(c for c in cands if c != RADSCORE)
        sel = model.selection
        design = model.design(X)
        radscore = design[RADSCORE].to_numpy()
        lp = model.predict_lp(X)

        say("Tables 1 and 2")
        lesions = cohort.lesions.copy()
        lesions[RADSCORE] = radscore
        t2_vars = [c for c in clinical if c in lesions.columns] + (
            [RADSCORE] if sel.selected else []
        )
        table2 = summarize(lesions, "outcome", vars=t2_vars)
        pvars = [
            c
            for c in cohort.patients.columns
            if c not in ("patient_id", "n_lesions", "outcome", "Response")
        ]
        table1 = summarize(cohort.patients, "outcome", vars=pvars)
        table1_total = summarize_overall(
            cohort.patients, vars=[*pvars, "outcome"], categorical=["outcome"]
        )

        say("univariable and multivariable logistic regression")
        uni = {}
        for c in cands:
            fit = fit_logistic(design[[c]].to_numpy(dtype=float), y, names=[c])
            uni[c] = _logit_row(fit, c) | {"warnings": list(fit.warnings)}
        # the selection ran without profiling; the reported table has R's confint bounds
        final = fit_logistic(
            design[list(model.terms)].to_numpy(dtype=float), y, names=list(model.terms)
        )
        multi = {t: _logit_row(final, t) for t in model.terms}

        say("AUC with DeLong CI")
        auc = {}
        curves, bands, youdens = {}, {}, {}
        for label, score in (("Radscore", radscore), ("fusion model", lp)):
            if label == "Radscore" and not sel.selected:
                continue  # a constant score: no Radscore AUC (the selection is reported empty)
            ci = ci_auc(y, score, direction="<")
            auc[label] = {"auc": ci.auc, "ci": [ci.lower, ci.upper], "method": "DeLong"}
            curves[label] = roc_curve(y, score, direction="<")
            youdens[label] = youden(y, score, direction="<")
            if cfg.figure_extras:
                bands[label] = sensitivity_band(
                    y, score, n_boot=cfg.n_boot, seed=cfg.seed, direction="<"
                )

        say(f"validation: published scheme, {cfg.n_boot} resamples")
        fixed = val.published_bootstrap(y, lp, n_boot=cfg.n_boot, seed=cfg.seed)
        say(f"validation: Harrell optimism, {cfg.n_boot} resamples")
        final_proc = val.LogisticProcedure(
            tuple(t for t in model.terms), keep_separated=cfg.keep_separated
        )
        harrell = val.harrell_optimism(
            design, y, procedure=final_proc, n_boot=cfg.n_boot, seed=cfg.seed, jobs=cfg.jobs
        )
        say(f"validation: patients resampled, {cfg.n_boot} resamples")
        cluster = val.cluster_optimism(
            design, y, groups, final_proc, n_boot=cfg.n_boot, seed=cfg.seed, jobs=cfg.jobs
        )
        nb_pipe = cfg.n_boot_pipeline or cfg.n_boot
        say(f"validation: whole pipeline re-run in each of {nb_pipe} resamples")
        # worker processes each run cv_lasso single-threaded (no oversubscription); same numbers
        boot_proc = (
            proc
            if cfg.jobs == 1
            else PaperProcedure(
                feats, cands, replace(cfg, selection=replace(cfg.selection, n_jobs=1)), icc_values
            )
        )
        if (
            not sel.selected
        ):  # the procedure that gave the reported model continues without the Radscore
            boot_proc = replace(boot_proc, full_data=True)
        pipeline = val.pipeline_optimism(
            X, y, boot_proc, n_boot=nb_pipe, seed=cfg.seed, jobs=cfg.jobs
        )

        say("instability of the whole pipeline across its resamples (Riley & Collins 2023)")
        prob = 1.0 / (1.0 + np.exp(-lp))
        threshold = (
            cfg.instability_threshold
            if cfg.instability_threshold is not None
            else youden_risk_threshold(y, lp)
        )
        instab = instability_of(
            pipeline, y, prob, model, threshold, threshold_grid(*cfg.dca_thresholds)
        )

        say("calibration, decision curve, nomogram")
        cal = apparent_calibration(y, lp)
        if (
            cfg.figure_extras
        ):  # rms::calibrate's bias-corrected curve: the final formula refitted in each resample
            cal["bootstrap"] = calibrate_bootstrap(
                design, y, final_proc, n_boot=cfg.n_boot, seed=cfg.seed, jobs=cfg.jobs
            )
        dca = decision_curve(y, prob, threshold_grid(*cfg.dca_thresholds))
        axes = {}
        for t in model.terms:
            v = design[t].to_numpy(dtype=float)
            uniq = np.unique(v)
            axes[t] = uniq if uniq.size <= 6 else pretty_ticks(float(v.min()), float(v.max()))
        nom = nomogram(dict(zip(model.terms, model.coef[1:])), float(model.coef[0]), axes)
    caught_all = list(dict.fromkeys(str(w.message) for w in caught))

    return PipelineResult(
        config=cfg,
        cohort=str(cohort.path),
        n_lesions=int(y.size),
        n_patients=int(len(np.unique(groups))),
        n_events=int(y.sum()),
        selection=sel.to_dict(),
        table1=table1,
        table2=table2,
        univariable=uni,
        multivariable=multi,
        final_terms=model.terms,
        auc=auc,
        validation={
            "published": fixed,
            "harrell": harrell,
            "cluster": cluster,
            "pipeline": pipeline,
        },
        calibration=cal,
        dca=dca,
        nomogram=nom,
        warnings=tuple(caught_all),
        table1_total=table1_total,
        instability=None if instab is None else instab.summary(),
        arrays={
            "instability": instab,
            "model": model,
            "y": y,
            "lp": lp,
            "prob": prob,
            "radscore": radscore,
            "roc": curves,
            "roc_band": bands,
            "youden": youdens,
            "lasso": sel.lasso,
            "value_labels": {
                t: dict(enumerate(cohort.levels(t)))
                for t in model.terms
                if t != RADSCORE and cohort.levels(t)
            },
        },
    )


def published_values(study=None) -> dict[str, Any]:
    """The study's printed values that a pipeline run can be set against (AUCs, Radscore medians, ORs)."""

    s = study or load()
    out: dict[str, Any] = {"auc": {}, "univariable": {}, "multivariable": {}}
    for a in s.auc:
        out["auc"].setdefault(f"{a.model}:{a.kind}", a.estimate.raw)
    if s.regression is not None:
        for r in s.regression.rows:
            if r.univariable is not None:
                out["univariable"][r.variable] = r.univariable.raw
            if r.multivariable is not None:
                out["multivariable"][r.variable] = r.multivariable.raw
    return out
