"""nenaudit: reproduce and audit the statistics of a published clinical-radiomics study.

``import nenaudit as na`` gives the documented functions under one flat name each; every
statistic names in its docstring the R function it matches. The modules stay importable by
path (``nenaudit.stats.logistic`` ...); each has an ``__all__``. Names are loaded on first use,
so ``import nenaudit`` itself is quick.

Study specs and the audit
    load_study, validate_study, run_audit
Cohorts, the paper's pipeline, synthetic cohorts, parity with R
    load_cohort, Cohort, run_pipeline, PipelineConfig, synthesize, write_cohort, run_crosscheck
Logistic regression and variable selection
    fit_logistic, fit_firth, lr_test, backward_elimination, univariable_then_backward
LASSO and the Radscore
    cv_lasso, lasso_path, make_foldid, radscore_formula, apply_radscore
Feature filters and reliability
    icc, icc_batch, icc_filter, spearman_filter, fit_zscore, select_features
Discrimination
    roc_auc, ci_auc, delong_test, roc_curve, youden, sensitivity_band, hanley_mcneil_se
Validation (bootstrap)
    harrell_optimism, optimism_bootstrap, cluster_optimism, bootstrap_632plus, published_bootstrap
Calibration and clinical usefulness
    calibration_fit, calibration_curve, calibrate_bootstrap, hosmer_lemeshow, brier_score,
    calibration_errors, decision_curve, net_benefit, nomogram
Group comparisons (Table 1/2)
    summarize, chisq_test, fisher_test, t_test, mann_whitney, shapiro_wilk, quantile7
Consistency of printed numbers, sample size
    grim, implied_p_from_ratio_ci, riley_sample_size
Output and errors
    dumps_json, NenauditError, SpecError, StatisticalWarning,
    ConvergenceWarning, SeparationWarning

Property-based tests: ``nenaudit.strategies`` (needs hypothesis: ``pip install 'nenaudit[strategies]'``).

Example
-------
>>> import nenaudit as na
>>> na.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], direction="<").auc
0.75
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> (module, attribute): one public name for each thing
_API: dict[str, tuple[str, str]] = {
    # study specs and the audit
    "load_study": ("nenaudit.study.schema", "load"),
    "validate_study": ("nenaudit.study.schema", "validate"),
    "run_audit": ("nenaudit.audit.run", "run_audit"),
    # cohorts, pipeline, synthetic cohorts, parity
    "load_cohort": ("nenaudit.cohort", "load_cohort"),
    "Cohort": ("nenaudit.cohort", "Cohort"),
    "run_pipeline": ("nenaudit.pipeline", "run_pipeline"),
    "PipelineConfig": ("nenaudit.pipeline", "PipelineConfig"),
    "synthesize": ("nenaudit.synth", "generate"),
    "write_cohort": ("nenaudit.synth", "write_cohort"),
    "run_crosscheck": ("nenaudit.parity.crosscheck", "run_crosscheck"),
    # logistic regression and selection
    "fit_logistic": ("nenaudit.stats.logistic", "fit_logistic"),
    "fit_firth": ("nenaudit.stats.logistic", "fit_firth"),
    "lr_test": ("nenaudit.stats.logistic", "lr_test"),
    "backward_elimination": ("nenaudit.stats.stepwise", "backward_elimination"),
    "univariable_then_backward": ("nenaudit.stats.stepwise", "univariable_then_backward"),
    # LASSO
    "cv_lasso": ("nenaudit.stats.lasso", "cv_lasso"),
    "lasso_path": ("nenaudit.stats.lasso", "lasso_path"),
    "make_foldid": ("nenaudit.stats.lasso", "make_foldid"),
    "radscore_formula": ("nenaudit.stats.lasso", "radscore_formula"),
    "apply_radscore": ("nenaudit.stats.lasso", "apply_radscore"),
    # feature filters, reliability
    "icc": ("nenaudit.stats.icc", "icc"),
    "icc_batch": ("nenaudit.stats.icc", "icc_batch"),
    "icc_filter": ("nenaudit.stats.features", "icc_filter"),
    "spearman_filter": ("nenaudit.stats.features", "spearman_filter"),
    "fit_zscore": ("nenaudit.stats.features", "fit_zscore"),
    "select_features": ("nenaudit.selection", "select_features"),
    # discrimination
    "roc_auc": ("nenaudit.stats.discrimination", "roc_auc"),
    "ci_auc": ("nenaudit.stats.discrimination", "ci_auc"),
    "delong_test": ("nenaudit.stats.discrimination", "delong_test"),
    "roc_curve": ("nenaudit.stats.discrimination", "roc_curve"),
    "youden": ("nenaudit.stats.discrimination", "youden"),
    "sensitivity_band": ("nenaudit.stats.discrimination", "sensitivity_band"),
    "hanley_mcneil_se": ("nenaudit.stats.discrimination", "hanley_mcneil_se"),
    # validation
    "harrell_optimism": ("nenaudit.stats.validation", "harrell_optimism"),
    "optimism_bootstrap": ("nenaudit.stats.validation", "optimism_bootstrap"),
    "cluster_optimism": ("nenaudit.stats.validation", "cluster_optimism"),
    "bootstrap_632plus": ("nenaudit.stats.validation", "bootstrap_632plus"),
    "published_bootstrap": ("nenaudit.stats.validation", "published_bootstrap"),
    # calibration, decision curve, nomogram
    "calibration_fit": ("nenaudit.stats.calibration", "calibration_fit"),
    "calibration_curve": ("nenaudit.stats.calibration", "calibration_curve"),
    "calibrate_bootstrap": ("nenaudit.stats.calibration", "calibrate_bootstrap"),
    "hosmer_lemeshow": ("nenaudit.stats.calibration", "hosmer_lemeshow"),
    "brier_score": ("nenaudit.stats.calibration", "brier_score"),
    "calibration_errors": ("nenaudit.stats.calibration", "calibration_errors"),
    "decision_curve": ("nenaudit.stats.dca", "decision_curve"),
    "net_benefit": ("nenaudit.stats.dca", "net_benefit"),
    "nomogram": ("nenaudit.stats.nomogram", "nomogram"),
    # group comparisons
    "summarize": ("nenaudit.stats.table1", "summarize"),
    "chisq_test": ("nenaudit.stats.contingency", "chisq_test"),
    "fisher_test": ("nenaudit.stats.contingency", "fisher_test"),
    "t_test": ("nenaudit.stats.twosample", "t_test"),
    "mann_whitney": ("nenaudit.stats.twosample", "mann_whitney"),
    "shapiro_wilk": ("nenaudit.stats.twosample", "shapiro_wilk"),
    "quantile7": ("nenaudit.stats.quantile", "quantile7"),
    # consistency, sample size
    "grim": ("nenaudit.stats.consistency", "grim"),
    "implied_p_from_ratio_ci": ("nenaudit.stats.consistency", "implied_p_from_ratio_ci"),
    "riley_sample_size": ("nenaudit.stats.samplesize", "riley_sample_size"),
    # output, errors and warnings
    "dumps_json": ("nenaudit.io", "dumps_json"),
    "NenauditError": ("nenaudit.exceptions", "NenauditError"),
    "SpecError": ("nenaudit.exceptions", "SpecError"),
    "StatisticalWarning": ("nenaudit.exceptions", "StatisticalWarning"),
    "ConvergenceWarning": ("nenaudit.exceptions", "ConvergenceWarning"),
    "SeparationWarning": ("nenaudit.exceptions", "SeparationWarning"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    """Load a public name on first use (PEP 562) and keep it in the module's namespace."""
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'nenaudit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
