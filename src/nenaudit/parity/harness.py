"""Parity harness: run one analysis step in Python and in R on the same data, side by side.

``compare(step, data, **options)`` looks the step up in :data:`REGISTRY`, prepares the
inputs once, runs the Python function (``nenaudit.stats``) and the R reference function
(``reference_r/<script>``, through :mod:`nenaudit.parity.rbridge`), and returns a
:class:`ParityTable`: one row per statistic (vector statistics expand to one row per
element, e.g. ``coef[(Intercept)]``) with the Python value, the R value, absolute and
relative difference, the tolerance and whether it passes.

A row passes when ``|python - r| <= atol + rtol * |r|`` (``numpy.isclose``'s rule); both
NaN, or the same infinity, also pass; a value missing on one side fails. Rows marked
``exact`` (selected variable sets, elimination order) pass only when equal.

Tolerances are the project's acceptance contract (issue 3): coefficients and SE 1e-6
relative; p-values 1e-6 absolute or 1e-4 relative; profile CI bounds 1e-4; ICC and its CI
1e-6; the Mann-Whitney statistic identical. The parity tests in ``tests/`` assert much
tighter agreement (rounding level) on their own data sets; the harness is for any data.

Registered steps: ``chisq``, ``fisher``, ``wilcox``, ``ttest`` (``reference_r/compare.R``),
``glm``, ``confint``, ``firth`` (``logistic.R``), ``stepwise`` (``stepwise.R``), ``icc``
(``icc.R``); ``lasso``, ``auc``, ``roc.test``, ``dca``, ``calibration``, ``validation``
(:mod:`nenaudit.parity.steps`). :func:`register` adds more.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.parity import rbridge
from nenaudit.parity.registry import (
    COEF,
    EXACT_NUM,
    ICC_TOL,
    PROFILE,
    PVAL,
    REGISTRY,
    ParityRow,
    ParityTable,
    Statistic,
    Step,
    register,
    steps,
)
from nenaudit.stats import contingency, icc, twosample
from nenaudit.stats.logistic import fit_firth, fit_logistic
from nenaudit.stats.stepwise import backward_elimination

__all__ = [
    "Statistic",
    "Step",
    "ParityRow",
    "ParityTable",
    "REGISTRY",
    "register",
    "compare",
    "steps",
]


# ---------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------


def _num(v: Any) -> float:
    if v is None:
        return float("nan")
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _expand(name: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {f"{name}[{k}]": v for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return {name: value.item()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return {f"{name}[{i}]": v for i, v in enumerate(np.asarray(value, dtype=object).ravel())}
    return {name: value}


def _row(label: str, py: Any, rv: Any, stat: Statistic) -> ParityRow:
    if stat.exact:
        ok = py == rv
        return ParityRow(
            label, py, rv, float("nan"), float("nan"), 0.0, 0.0, 0.0, bool(ok), exact=True
        )
    a, b = _num(py), _num(rv)
    tol = stat.atol + stat.rtol * abs(b) if math.isfinite(b) else 0.0
    if math.isnan(a) or math.isnan(b):
        ok = math.isnan(a) and math.isnan(b)
        d = rel = float("nan")
    elif math.isinf(a) or math.isinf(b):
        ok = a == b
        d = rel = 0.0 if ok else float("inf")
    else:
        d = abs(a - b)
        rel = 0.0 if d == 0 else (d / abs(b) if b != 0 else float("inf"))
        ok = d <= tol
    return ParityRow(label, a, b, d, rel, tol, stat.rtol, stat.atol, bool(ok))


def _rows(stat: Statistic, py_res: Any, r_res: Any) -> list[ParityRow]:
    py, rv = stat.python(py_res), stat.r(r_res)
    if stat.exact:
        if py is None and rv is None:
            return []
        return [_row(stat.name, py, rv, stat)]
    pe, re_ = _expand(stat.name, py), _expand(stat.name, rv)
    labels = list(pe) + [k for k in re_ if k not in pe]
    return [_row(k, pe.get(k), re_.get(k), stat) for k in labels]


def compare(step: str, data: Any, **options: Any) -> ParityTable:
    """Run ``step`` in Python and in R on ``data`` and tabulate the differences.

    Parameters
    ----------
    step : str
        A registered step (see :func:`steps`).
    data : array-like or pandas.DataFrame
        The step's input; each step's ``description`` says what it expects.
    **options
        Step options (e.g. ``outcome=``, ``predictors=``, ``correct=``, ``alpha=``).

    Returns
    -------
    ParityTable
    """
    if step not in REGISTRY:
        raise NenauditError(f"unknown parity step {step!r}; registered: {', '.join(steps())}")
    spec = REGISTRY[step]
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        raise NenauditError(
            f"parity step {step!r} has no option {unknown[0]!r}; its options: {', '.join(spec.options) or 'none'}"
        )
    inputs = spec.prepare(data, dict(options))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        py_res = spec.run_python(inputs)
    rbridge.source(spec.script)
    args, kwargs = spec.r_args(rbridge, inputs)
    r_res = rbridge.to_py(rbridge.call(spec.r_function, *args, **kwargs))
    rows: list[ParityRow] = []
    for stat in spec.statistics:
        rows.extend(_rows(stat, py_res, r_res))
    return ParityTable(
        step=step,
        options={k: v for k, v in options.items()},
        rows=tuple(rows),
        python_warnings=tuple(str(w.message) for w in caught),
    )


# ---------------------------------------------------------------------------------------
# Input preparation helpers
# ---------------------------------------------------------------------------------------


def _is_frame(data: Any) -> bool:
    return hasattr(data, "columns") and hasattr(data, "to_numpy")


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    return [str(v) for v in value]


def _column(df: Any, name: str, step: str) -> Any:
    if name not in df.columns:
        raise NenauditError(
            f"parity {step}: no column {name!r}; columns are {', '.join(map(str, df.columns))}"
        )
    return df[name]


def _numeric(df: Any, cols: Sequence[str], step: str) -> np.ndarray:
    out = []
    for c in cols:
        s = _column(df, c, step)
        try:
            v = np.asarray(s, dtype=float)
        except (TypeError, ValueError):
            raise NenauditError(
                f"parity {step}: column {c!r} is not numeric; code it as numbers first"
            ) from None
        if not np.isfinite(v).all():
            i = int(np.argmax(~np.isfinite(v)))
            raise NenauditError(
                f"parity {step}: column {c!r} has a missing value at row {i + 1}; drop or fill it"
            )
        out.append(v)
    return np.column_stack(out) if out else np.empty((len(df), 0))


def _table(data: Any, opts: dict, step: str) -> np.ndarray:
    row, col = opts.pop("row", None), opts.pop("col", None)
    if row is not None or col is not None:
        if not (_is_frame(data) and row and col):
            raise NenauditError(
                f"parity {step}: give both row= and col= columns of a data frame to cross-tabulate"
            )
        r, c = _column(data, row, step), _column(data, col, step)
        ok = r.notna() & c.notna()
        return pd.crosstab(r[ok], c[ok]).to_numpy(dtype=float)
    return np.asarray(data.to_numpy(dtype=float) if _is_frame(data) else data, dtype=float)


def _two_samples(data: Any, opts: dict, step: str) -> tuple[np.ndarray, np.ndarray, list]:
    value, group = opts.pop("value", None), opts.pop("group", None)
    if _is_frame(data):
        if not (value and group):
            raise NenauditError(
                f"parity {step}: give value= and group= columns (a two-level group)"
            )
        v, g = _column(data, value, step), _column(data, group, step)
        ok = v.notna() & g.notna()
        v, g = v[ok], g[ok]
        levels = sorted(g.unique(), key=lambda x: (str(type(x)), x))
        if len(levels) != 2:
            raise NenauditError(
                f"parity {step}: group column {group!r} has {len(levels)} levels; it needs exactly 2"
            )
        return (
            np.asarray(v[g == levels[0]], float),
            np.asarray(v[g == levels[1]], float),
            list(levels),
        )
    try:
        x, y = data
    except (TypeError, ValueError):
        raise NenauditError(
            f"parity {step}: pass a data frame with value=/group=, or a pair (x, y)"
        ) from None
    return np.asarray(x, float), np.asarray(y, float), ["x", "y"]


def _model_frame(data: Any, opts: dict, step: str) -> dict:
    if not _is_frame(data):
        raise NenauditError(
            f"parity {step}: pass a data frame with an outcome column and predictor columns"
        )
    outcome = opts.pop("outcome", None)
    if not outcome:
        raise NenauditError(f"parity {step}: give outcome= (a 0/1 column)")
    preds = _names(opts.pop("predictors", None), "predictors") or [
        c for c in map(str, data.columns) if c != outcome
    ]
    y = _numeric(data, [outcome], step)[:, 0]
    x = _numeric(data, preds, step)
    return {"x": x, "y": y, "names": preds, "outcome": outcome}


def _check_empty(opts: dict, step: str) -> None:
    if opts:
        raise NenauditError(f"parity {step}: unused option {sorted(opts)[0]!r}")


def _bool(v: Any, name: str) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str) and v.lower() in ("true", "false", "1", "0", "yes", "no"):
        return v.lower() in ("true", "1", "yes")
    if isinstance(v, (int, np.integer)) and v in (0, 1):
        return bool(v)
    raise NenauditError(f"option {name} must be true or false, got {v!r}")


def _float(v: Any, name: str) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise NenauditError(f"option {name} must be a number, got {v!r}") from None


def _list(v: Any) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def _strs(v: Any) -> tuple[str, ...]:
    """R character result (None, one string or a list) as a tuple."""
    if v is None:
        return ()
    return (v,) if isinstance(v, str) else tuple(v)


def _ci(flat: Any, names: Sequence[str], side: int) -> dict:
    """One column (0 lower, 1 upper) of R's column-major p x 2 interval matrix."""
    a = np.array([_num(v) for v in _list(flat)], dtype=float).reshape(2, -1)
    return dict(zip(names, a[side]))


def _named(values: Any, names: Sequence[str]) -> dict:
    return dict(zip(names, np.atleast_1d(np.asarray(values, dtype=float))))


# ---------------------------------------------------------------------------------------
# Tolerances (issue 3's acceptance contract; see the module docstring)
# ---------------------------------------------------------------------------------------


def _stat(name, py, r, tol, exact=False):
    return Statistic(name, py, r, rtol=tol["rtol"], atol=tol["atol"], exact=exact, why=tol["why"])


# ---------------------------------------------------------------------------------------
# Steps: group comparisons (reference_r/compare.R)
# ---------------------------------------------------------------------------------------


def _prep_chisq(data, opts):
    correct = _bool(opts.pop("correct", True), "correct")
    t = _table(data, opts, "chisq")
    _check_empty(opts, "chisq")
    return {"table": t, "correct": correct}


register(
    Step(
        name="chisq",
        description="Pearson chi-square (chisq.test): a counts table, or a data frame with row=, col=; correct=",
        script="compare.R",
        r_function="ref_chisq",
        options=("row", "col", "correct"),
        prepare=_prep_chisq,
        run_python=lambda i: contingency.chisq_test(i["table"], correct=i["correct"]),
        r_args=lambda R, i: ((R.matrix(i["table"]),), {"correct": i["correct"]}),
        statistics=(
            _stat("statistic", lambda p: p.statistic, lambda r: r["statistic"], COEF),
            _stat("df", lambda p: p.df, lambda r: r["df"], EXACT_NUM),
            _stat("p", lambda p: p.p, lambda r: r["p"], PVAL),
            _stat("expected", lambda p: p.expected.ravel(order="F"), lambda r: r["expected"], COEF),
        ),
    )
)


def _prep_fisher(data, opts):
    t = _table(data, opts, "fisher")
    _check_empty(opts, "fisher")
    return {"table": t}


def _fisher_ci(side):
    return (
        lambda p: None if p.conf_int is None else p.conf_int[side],
        lambda r: None if "conf_int" not in r else r["conf_int"][side],
    )


register(
    Step(
        name="fisher",
        description="Fisher's exact test (fisher.test), r x c: a counts table, or a data frame with row=, col=",
        script="compare.R",
        r_function="ref_fisher",
        options=("row", "col"),
        prepare=_prep_fisher,
        run_python=lambda i: contingency.fisher_test(i["table"]),
        r_args=lambda R, i: ((R.matrix(i["table"]),), {}),
        statistics=(
            _stat("p", lambda p: p.p, lambda r: r["p"], PVAL),
            _stat("odds_ratio", lambda p: p.odds_ratio, lambda r: r.get("odds_ratio"), COEF),
            _stat("conf_int_lower", *_fisher_ci(0), COEF),
            _stat("conf_int_upper", *_fisher_ci(1), COEF),
        ),
    )
)


def _prep_wilcox(data, opts):
    exact = opts.pop("exact", None)
    exact = (
        None
        if exact is None or (isinstance(exact, str) and exact.lower() in ("none", "null", ""))
        else _bool(exact, "exact")
    )
    correct = _bool(opts.pop("correct", True), "correct")
    x, y, levels = _two_samples(data, opts, "wilcox")
    _check_empty(opts, "wilcox")
    return {"x": x, "y": y, "levels": levels, "exact": exact, "correct": correct}


def _wilcox_r(R, i):
    kw = {"correct": i["correct"]}
    if i["exact"] is not None:
        kw["exact"] = i["exact"]
    return (R.fvec(i["x"]), R.fvec(i["y"])), kw


register(
    Step(
        name="wilcox",
        description="Mann-Whitney / Wilcoxon rank-sum (wilcox.test): data frame with value=, group=, "
        "or (x, y); exact=, correct=",
        script="compare.R",
        r_function="ref_wilcox",
        options=("value", "group", "exact", "correct"),
        prepare=_prep_wilcox,
        run_python=lambda i: twosample.mann_whitney(
            i["x"], i["y"], exact=i["exact"], correct=i["correct"]
        ),
        r_args=_wilcox_r,
        statistics=(
            _stat("W", lambda p: p.statistic, lambda r: r["statistic"], EXACT_NUM),
            _stat("p", lambda p: p.p, lambda r: r["p"], PVAL),
            _stat("method", lambda p: p.method, lambda r: r["method"], EXACT_NUM, exact=True),
        ),
    )
)


def _prep_ttest(data, opts):
    equal_var = _bool(opts.pop("equal_var", False), "equal_var")
    x, y, levels = _two_samples(data, opts, "ttest")
    _check_empty(opts, "ttest")
    return {"x": x, "y": y, "levels": levels, "equal_var": equal_var}


register(
    Step(
        name="ttest",
        description="Welch or Student t test (t.test): data frame with value=, group=, or (x, y); equal_var=",
        script="compare.R",
        r_function="ref_ttest",
        options=("value", "group", "equal_var"),
        prepare=_prep_ttest,
        run_python=lambda i: twosample.t_test(i["x"], i["y"], equal_var=i["equal_var"]),
        r_args=lambda R, i: ((R.fvec(i["x"]), R.fvec(i["y"])), {"var.equal": i["equal_var"]}),
        statistics=(
            _stat("t", lambda p: p.statistic, lambda r: r["statistic"], COEF),
            _stat("df", lambda p: p.df, lambda r: r["df"], COEF),
            _stat("p", lambda p: p.p, lambda r: r["p"], PVAL),
            _stat("estimate", lambda p: list(p.estimate), lambda r: r["estimate"], COEF),
            _stat("conf_int", lambda p: list(p.conf_int), lambda r: r["conf_int"], COEF),
            _stat("stderr", lambda p: p.stderr, lambda r: r["stderr"], COEF),
        ),
    )
)


# ---------------------------------------------------------------------------------------
# Steps: logistic regression (reference_r/logistic.R) and stepwise (stepwise.R)
# ---------------------------------------------------------------------------------------


def _prep_glm(step):
    def prep(data, opts):
        level = _float(opts.pop("level", 0.95), "level")
        if not 0 < level < 1:
            raise NenauditError(f"option level must be in (0, 1), got {level}")
        inputs = _model_frame(data, opts, step)
        _check_empty(opts, step)
        inputs["level"] = level
        return inputs

    return prep


def _glm_r(profile):
    def args(R, i):
        return (R.matrix(i["x"]), R.fvec(i["y"]), R.svec(i["names"])), {
            "level": i["level"],
            "profile": profile,
        }

    return args


def _fit(profile):
    def run(i):
        return fit_logistic(i["x"], i["y"], names=i["names"], level=i["level"], profile=profile)

    return run


def _coef_stats(tol_ci_name="ci_wald"):
    return (
        _stat(
            "coef",
            lambda p: _named(p.coef, p.names),
            lambda r: _named(r["coef"], _strs(r["names"])),
            COEF,
        ),
        _stat(
            "se",
            lambda p: _named(p.se, p.names),
            lambda r: _named(r["se"], _strs(r["names"])),
            COEF,
        ),
        _stat(
            "z", lambda p: _named(p.z, p.names), lambda r: _named(r["z"], _strs(r["names"])), COEF
        ),
        _stat(
            "p", lambda p: _named(p.p, p.names), lambda r: _named(r["p"], _strs(r["names"])), PVAL
        ),
        _stat(
            f"{tol_ci_name}_lower",
            lambda p: _named(p.ci_wald[:, 0], p.names),
            lambda r: _ci(r["ci_wald"], _strs(r["names"]), 0),
            COEF,
        ),
        _stat(
            f"{tol_ci_name}_upper",
            lambda p: _named(p.ci_wald[:, 1], p.names),
            lambda r: _ci(r["ci_wald"], _strs(r["names"]), 1),
            COEF,
        ),
        _stat("deviance", lambda p: p.deviance, lambda r: r["deviance"], COEF),
    )


register(
    Step(
        name="glm",
        description="glm(binomial) + summary + confint.default: data frame with outcome=, predictors=; level=",
        script="logistic.R",
        r_function="logit_fit",
        options=("outcome", "predictors", "level"),
        prepare=_prep_glm("glm"),
        run_python=_fit(False),
        r_args=_glm_r(False),
        statistics=_coef_stats()
        + (
            _stat("null_deviance", lambda p: p.null_deviance, lambda r: r["null_deviance"], COEF),
            _stat("aic", lambda p: p.aic, lambda r: r["aic"], COEF),
            _stat("iterations", lambda p: p.iterations, lambda r: r["iter"], EXACT_NUM),
        ),
    )
)

register(
    Step(
        name="confint",
        description="profile-likelihood CI, R's confint(glm) (MASS): data frame with outcome=, predictors=; level=",
        script="logistic.R",
        r_function="logit_fit",
        options=("outcome", "predictors", "level"),
        prepare=_prep_glm("confint"),
        run_python=_fit(True),
        r_args=_glm_r(True),
        statistics=(
            _stat(
                "ci_profile_lower",
                lambda p: _named(p.ci_profile[:, 0], p.names),
                lambda r: _ci(r["ci_profile"], _strs(r["names"]), 0),
                PROFILE,
            ),
            _stat(
                "ci_profile_upper",
                lambda p: _named(p.ci_profile[:, 1], p.names),
                lambda r: _ci(r["ci_profile"], _strs(r["names"]), 1),
                PROFILE,
            ),
        ),
    )
)


def _run_firth(i):
    return fit_firth(i["x"], i["y"], names=i["names"], level=i["level"])


register(
    Step(
        name="firth",
        description="Firth logistic, brglm2 AS_mean: data frame with outcome=, predictors=; level=",
        script="logistic.R",
        r_function="logit_firth",
        options=("outcome", "predictors", "level"),
        prepare=_prep_glm("firth"),
        run_python=_run_firth,
        r_args=lambda R, i: (
            (R.matrix(i["x"]), R.fvec(i["y"]), R.svec(i["names"])),
            {"level": i["level"]},
        ),
        statistics=_coef_stats(),
    )
)


def _prep_stepwise(data, opts):
    threshold = _float(opts.pop("threshold", 0.05), "threshold")
    forced = _names(opts.pop("forced", None), "forced")
    inputs = _model_frame(data, opts, "stepwise")
    _check_empty(opts, "stepwise")
    missing = [f for f in forced if f not in inputs["names"]]
    if missing:
        raise NenauditError(
            f"parity stepwise: forced term {missing[0]!r} is not among the predictors"
        )
    inputs.update(threshold=threshold, forced=forced, data=data)
    return inputs


def _run_stepwise(i):
    return backward_elimination(
        i["x"], i["y"], names=i["names"], threshold=i["threshold"], forced=i["forced"]
    )


def _stepwise_r(R, i):
    cols = {n: R.fvec(i["x"][:, j]) for j, n in enumerate(i["names"])}
    cols[i["outcome"]] = R.fvec(i["y"])
    frame = R.r()["data.frame"](**cols, **{"check.names": False})
    return (frame, i["outcome"], R.svec(i["names"]), i["threshold"]), {
        "forced": R.svec(i["forced"])
    }


def _r_steps(r):
    return r if isinstance(r, list) else [r]


register(
    Step(
        name="stepwise",
        description="backward elimination by Wald p (glm loop): "
        "data frame with outcome=, predictors=; threshold=, forced=",
        script="stepwise.R",
        r_function="stepwise_backward",
        options=("outcome", "predictors", "threshold", "forced"),
        prepare=_prep_stepwise,
        run_python=_run_stepwise,
        r_args=_stepwise_r,
        statistics=(
            _stat(
                "selected",
                lambda p: tuple(p.selected),
                lambda r: _strs(_r_steps(r)[-1]["terms"]),
                EXACT_NUM,
                exact=True,
            ),
            _stat(
                "removed_order",
                lambda p: tuple(p.removed),
                lambda r: tuple(s["removed"] for s in _r_steps(r) if s["removed"] is not None),
                EXACT_NUM,
                exact=True,
            ),
            _stat("n_steps", lambda p: len(p.steps), lambda r: len(_r_steps(r)), EXACT_NUM),
            _stat(
                "removed_p",
                lambda p: {s.step: s.removed_p for s in p.steps if s.removed is not None},
                lambda r: {
                    k: s["removed_p"] for k, s in enumerate(_r_steps(r)) if s["removed"] is not None
                },
                PVAL,
            ),
            _stat(
                "final_coef",
                lambda p: _named(p.final.coef, p.final.names),
                lambda r: _named(_r_steps(r)[-1]["coef"], _strs(_r_steps(r)[-1]["names"])),
                COEF,
            ),
            _stat(
                "final_se",
                lambda p: _named(p.final.se, p.final.names),
                lambda r: _named(_r_steps(r)[-1]["se"], _strs(_r_steps(r)[-1]["names"])),
                COEF,
            ),
            _stat(
                "final_p",
                lambda p: _named(p.final.p, p.final.names),
                lambda r: _named(_r_steps(r)[-1]["p"], _strs(_r_steps(r)[-1]["names"])),
                PVAL,
            ),
        ),
    )
)


# ---------------------------------------------------------------------------------------
# Step: ICC (reference_r/icc.R)
# ---------------------------------------------------------------------------------------


def _prep_icc(data, opts):
    alpha = _float(opts.pop("alpha", 0.05), "alpha")
    cols = _names(opts.pop("columns", None), "columns")
    _check_empty(opts, "icc")
    if _is_frame(data):
        x = _numeric(data, cols or [str(c) for c in data.columns], "icc")
    else:
        if cols:
            raise NenauditError("parity icc: columns= needs a data frame")
        x = np.asarray(data, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 2:
        raise NenauditError(
            f"parity icc: need a subjects x raters table with >= 2 rows and columns, got {x.shape}"
        )
    return {"x": x, "alpha": alpha}


def _icc_py(stat):
    return lambda p: dict(zip(p.forms, getattr(p, stat)))


def _icc_r(stat):
    return lambda r: dict(zip(r["type"], r[stat]))


register(
    Step(
        name="icc",
        description="ICC1/2/3 single and average (psych::ICC, lmer = FALSE): subjects x raters table; columns=, alpha=",
        script="icc.R",
        r_function="icc_one",
        options=("columns", "alpha"),
        prepare=_prep_icc,
        run_python=lambda i: icc.icc(i["x"], alpha=i["alpha"]),
        r_args=lambda R, i: ((R.matrix(i["x"]),), {"alpha": i["alpha"]}),
        statistics=tuple(
            _stat(
                s,
                _icc_py(s),
                _icc_r(s),
                EXACT_NUM if s in ("df1", "df2") else (PVAL if s == "p" else ICC_TOL),
            )
            for s in ("icc", "F", "df1", "df2", "p", "lower", "upper")
        ),
    )
)


# more steps (lasso, auc, roc.test, dca, calibration, validation) register themselves into REGISTRY
from nenaudit.parity import steps as _more_steps  # noqa: E402,F401
