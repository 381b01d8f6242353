"""More registered parity steps: the LASSO, AUC, roc.test, decision curve, calibration and
bootstrap validation, so that ``nenaudit parity STEP DATA.csv`` covers every kind of pipeline step.

Each is a :class:`nenaudit.parity.registry.Step` added to the same :data:`~nenaudit.parity.registry.REGISTRY`
(imported by the harness), with the reference functions of ``reference_r/`` and the harness's
tolerance rule. Data: a CSV with a 0/1 ``outcome=`` column and the step's other columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.parity.registry import COEF, PVAL, Statistic, Step, register
from nenaudit.stats.calibration import calibration_errors, calibration_fit, hosmer_lemeshow
from nenaudit.stats.dca import decision_curve, threshold_grid
from nenaudit.stats.discrimination import ci_auc, delong_test
from nenaudit.stats.lasso import cv_lasso, make_foldid
from nenaudit.stats.validation import harrell_optimism, resample_indices

__all__ = []  # nothing to call: importing the module registers its steps in nenaudit.parity.harness


AUC_TOL = dict(rtol=0.0, atol=1e-12, why="AUC: the same Mann-Whitney count, identical to rounding")
CV_TOL = dict(rtol=1e-6, atol=1e-12, why="cv.glmnet curve and coefficients: 1e-6 relative")
LAMBDA_TOL = dict(rtol=1e-10, atol=0.0, why="lambda sequence and lambda.min/1se: 1e-10 relative")
ARITH_TOL = dict(rtol=1e-10, atol=1e-12, why="closed-form arithmetic: 1e-10 relative")
LOWESS_TOL = dict(rtol=1e-8, atol=1e-10, why="lowess smoother: 1e-8 relative")
BOOT_TOL = dict(rtol=0.0, atol=1e-8, why="bootstrap on shared resamples: 1e-8 absolute")


def stat(name, py, r, tol, exact=False) -> Statistic:
    return Statistic(name, py, r, rtol=tol["rtol"], atol=tol["atol"], exact=exact, why=tol["why"])


def column(df: Any, name: str | None, step: str, what: str) -> np.ndarray:
    if not hasattr(df, "columns"):
        raise NenauditError(f"parity {step}: pass a data frame (a CSV with a header)")
    if not name:
        raise NenauditError(f"parity {step}: give {what}= (a column name)")
    if name not in df.columns:
        raise NenauditError(
            f"parity {step}: no column {name!r}; columns are {', '.join(map(str, df.columns))}"
        )
    try:
        v = np.asarray(df[name], dtype=float)
    except (TypeError, ValueError):
        raise NenauditError(
            f"parity {step}: column {name!r} is not numeric; code it as numbers first"
        ) from None
    bad = ~np.isfinite(v)
    if bad.any():
        raise NenauditError(
            f"parity {step}: column {name!r} has a missing value at row {int(np.argmax(bad)) + 1}; "
            "drop or fill it"
        )
    return v


def outcome(df, opts, step) -> np.ndarray:
    y = column(df, opts.pop("outcome", None), step, "outcome")
    if not set(np.unique(y)) <= {0.0, 1.0} or np.unique(y).size < 2:
        raise NenauditError(f"parity {step}: the outcome column must hold 0 and 1 (both present)")
    return y


def names(value) -> list[str]:
    return [s.strip() for s in str(value).split(",") if s.strip()] if value else []


def integer(v, name: str, lo: int = 1) -> int:
    try:
        i = int(v)
    except (TypeError, ValueError):
        raise NenauditError(f"option {name}={v!r} is not a whole number") from None
    if i < lo:
        raise NenauditError(f"option {name}={i} must be at least {lo}")
    return i


def number(v, name: str) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise NenauditError(f"option {name}={v!r} is not a number") from None


def done(opts: dict, step: str) -> None:
    if opts:
        raise NenauditError(f"parity {step}: unused option {sorted(opts)[0]!r}")


def predictors(df, opts, step, out: str) -> tuple[np.ndarray, list[str]]:
    cols = names(opts.pop("predictors", None)) or [str(c) for c in df.columns if str(c) != out]
    return np.column_stack([column(df, c, step, "predictors") for c in cols]), cols


# ------------------------------------------------------------------------------ lasso: cv.glmnet, same foldid
def prep_lasso(df, opts):
    out = opts.get("outcome")
    y = outcome(df, opts, "lasso")
    x, cols = predictors(df, opts, "lasso", out)
    nfolds = integer(opts.pop("nfolds", 10), "nfolds", 3)
    seed = integer(opts.pop("seed", 1), "seed", 0)
    done(opts, "lasso")
    foldid = np.asarray(make_foldid(y.size, nfolds, seed))
    return {"x": x, "y": y, "names": cols, "foldid": foldid + 1 if foldid.min() == 0 else foldid}


def run_lasso(i):
    return cv_lasso(i["x"], i["y"], foldid=i["foldid"], feature_names=i["names"])


register(
    Step(
        name="lasso",
        description="cv.glmnet(family = 'binomial') with the same foldid: outcome=, predictors=, nfolds=, "
        "seed=",
        script="lasso.R",
        r_function="ref_cv_lasso",
        options=("outcome", "predictors", "nfolds", "seed"),
        prepare=prep_lasso,
        run_python=run_lasso,
        r_args=lambda R, i: ((R.matrix(i["x"]), R.fvec(i["y"]), R.ivec(i["foldid"])), {}),
        statistics=(
            stat("lambda", lambda p: np.asarray(p.lambdas), lambda r: r["lambda"], LAMBDA_TOL),
            stat("cvm", lambda p: np.asarray(p.cvm), lambda r: r["cvm"], CV_TOL),
            stat("cvsd", lambda p: np.asarray(p.cvsd), lambda r: r["cvsd"], CV_TOL),
            stat("lambda_min", lambda p: p.lambda_min, lambda r: r["lambda_min"], LAMBDA_TOL),
            stat("lambda_1se", lambda p: p.lambda_1se, lambda r: r["lambda_1se"], LAMBDA_TOL),
            stat(
                "coef_min",
                lambda p: list(p.path.coefficients(p.index_min).values()),
                lambda r: r["coef_min"],
                CV_TOL,
            ),
        ),
    )
)


# ------------------------------------------------------------------------------ auc, roc.test
def prep_auc(df, opts):
    y = outcome(df, opts, "auc")
    s = column(df, opts.pop("score", None), "auc", "score")
    direction = opts.pop("direction", "<")
    if direction not in ("<", ">", "auto"):
        raise NenauditError(f"parity auc: direction={direction!r}; use <, > or auto")
    done(opts, "auc")
    return {"y": y, "score": s, "direction": direction}


def run_auc(i):
    return ci_auc(i["y"], i["score"], direction=i["direction"])


register(
    Step(
        name="auc",
        description="AUC with DeLong 95% CI (pROC::roc, ci.auc): outcome=, score=, direction=",
        script="discrimination.R",
        r_function="disc_roc",
        options=("outcome", "score", "direction"),
        prepare=prep_auc,
        run_python=run_auc,
        r_args=lambda R, i: ((R.fvec(i["y"]), R.fvec(i["score"])), {"direction": i["direction"]}),
        statistics=(
            stat("auc", lambda p: p.auc, lambda r: r["auc"], AUC_TOL),
            stat("ci_lower", lambda p: p.lower, lambda r: r["ci"][0], COEF),
            stat("ci_upper", lambda p: p.upper, lambda r: r["ci"][2], COEF),
        ),
    )
)


def prep_roc_test(df, opts):
    y = outcome(df, opts, "roc.test")
    s1 = column(df, opts.pop("score", None), "roc.test", "score")
    s2 = column(df, opts.pop("score2", None), "roc.test", "score2")
    done(opts, "roc.test")
    return {"y": y, "s1": s1, "s2": s2}


def run_roc_test(i):
    return delong_test(i["y"], i["s1"], i["s2"])


register(
    Step(
        name="roc.test",
        description="paired DeLong test of two AUCs (pROC::roc.test): outcome=, score=, score2=",
        script="discrimination.R",
        r_function="disc_roc_test",
        options=("outcome", "score", "score2"),
        prepare=prep_roc_test,
        run_python=run_roc_test,
        r_args=lambda R, i: ((R.fvec(i["y"]), R.fvec(i["s1"]), R.fvec(i["s2"])), {}),
        statistics=(
            stat("auc", lambda p: [p.auc1, p.auc2], lambda r: r["auc"], AUC_TOL),
            stat("z", lambda p: p.z, lambda r: r["z"], COEF),
            stat("p", lambda p: p.p_value, lambda r: r["p"], PVAL),
            stat("ci", lambda p: [p.ci_lower, p.ci_upper], lambda r: r["ci"], COEF),
        ),
    )
)


# ------------------------------------------------------------------------------ dca
def prep_dca(df, opts):
    y = outcome(df, opts, "dca")
    p = column(df, opts.pop("prob", None), "dca", "prob")
    if ((p < 0) | (p > 1)).any():
        raise NenauditError("parity dca: prob= must hold probabilities in [0, 1]")
    lo, hi, by = (
        number(opts.pop(k, d), k) for k, d in (("from", 0.01), ("to", 0.99), ("by", 0.01))
    )
    done(opts, "dca")
    return {"y": y, "p": p, "t": threshold_grid(lo, hi, by)}


def run_dca(i):
    return decision_curve(i["y"], i["p"], i["t"])


register(
    Step(
        name="dca",
        description="net benefit, dcurves conventions (dca.R): outcome=, prob=, from=, to=, by=",
        script="dca.R",
        r_function="dca_base",
        options=("outcome", "prob", "from", "to", "by"),
        prepare=prep_dca,
        run_python=run_dca,
        r_args=lambda R, i: ((R.fvec(i["y"]), R.fvec(i["p"]), R.fvec(i["t"])), {}),
        statistics=(
            stat("model", lambda p: np.asarray(p.model), lambda r: r["model"], ARITH_TOL),
            stat("all", lambda p: np.asarray(p.treat_all), lambda r: r["all"], ARITH_TOL),
            stat(
                "standardized_model",
                lambda p: np.asarray(p.standardized_model),
                lambda r: r["standardized_model"],
                ARITH_TOL,
            ),
        ),
    )
)


# ------------------------------------------------------------------------------ calibration
def prep_calibration(df, opts):
    y = outcome(df, opts, "calibration")
    p = column(df, opts.pop("prob", None), "calibration", "prob")
    if ((p <= 0) | (p >= 1)).any():
        raise NenauditError(
            "parity calibration: prob= must hold probabilities strictly between 0 and 1"
        )
    g = integer(opts.pop("g", 10), "g", 3)
    done(opts, "calibration")
    return {"y": y, "p": p, "g": g}


def run_calibration(i):
    return {
        "fit": calibration_fit(i["y"], i["p"]),
        "hl": hosmer_lemeshow(i["y"], i["p"], i["g"]),
        "err": calibration_errors(i["y"], i["p"]),
    }


register(
    Step(
        name="calibration",
        description="calibration intercept/slope, Brier, Hosmer-Lemeshow, ICI (calibration.R): "
        "outcome=, prob=, g=",
        script="parity_steps.R",
        r_function="parity_calibration",
        options=("outcome", "prob", "g"),
        prepare=prep_calibration,
        run_python=run_calibration,
        r_args=lambda R, i: ((R.fvec(i["y"]), R.fvec(i["p"]), i["g"]), {}),
        statistics=(
            stat("citl", lambda p: p["fit"].citl, lambda r: r["citl"], COEF),
            stat("intercept", lambda p: p["fit"].intercept, lambda r: r["intercept"], COEF),
            stat("slope", lambda p: p["fit"].slope, lambda r: r["slope"], COEF),
            stat("brier", lambda p: p["fit"].brier, lambda r: r["brier"], ARITH_TOL),
            stat("hl_statistic", lambda p: p["hl"].statistic, lambda r: r["hl_statistic"], COEF),
            stat("hl_p", lambda p: p["hl"].p_value, lambda r: r["hl_p"], PVAL),
            stat(
                "ici",
                lambda p: [p["err"].ici, p["err"].e50, p["err"].e90, p["err"].emax],
                lambda r: [r["ici"], r["e50"], r["e90"], r["emax"]],
                LOWESS_TOL,
            ),
        ),
    )
)


# ------------------------------------------------------------------------------ validation (Harrell, shared resamples)
def prep_validation(df, opts):
    out = opts.get("outcome")
    y = outcome(df, opts, "validation")
    x, cols = predictors(df, opts, "validation", out)
    b = integer(opts.pop("B", opts.pop("b", 50)), "B", 2)
    seed = integer(opts.pop("seed", 1), "seed", 0)
    done(opts, "validation")
    return {"x": x, "y": y, "names": cols, "idx": resample_indices(y.size, b, seed)}


def run_validation(i):

    return harrell_optimism(pd.DataFrame(i["x"], columns=i["names"]), i["y"], indices=i["idx"])


def _index(field: str):
    return lambda p: {ix.name: getattr(ix, field) for ix in p.indexes}


def _r_index(field: str):
    return lambda r: dict(zip(r["names"], r[field]))


register(
    Step(
        name="validation",
        description="Harrell's optimism bootstrap of glm on shared resamples (validation.R "
        "val_optimism): outcome=, predictors=, B=, seed=",
        script="parity_steps.R",
        r_function="parity_validation",
        options=("outcome", "predictors", "B", "b", "seed"),
        prepare=prep_validation,
        run_python=run_validation,
        r_args=lambda R, i: (
            (R.matrix(i["x"]), R.fvec(i["y"]), R.svec(i["names"]), R.matrix(i["idx"] + 1)),
            {},
        ),
        statistics=tuple(
            stat(f, _index(f), _r_index(f), BOOT_TOL) for f in ("apparent", "optimism", "corrected")
        ),
    )
)


NEW_STEPS: Sequence[str] = ("lasso", "auc", "roc.test", "dca", "calibration", "validation")
