"""Table 1/2 assembly: per-variable summaries by group and the test a stated rule picks.

The tests are :mod:`nenaudit.stats.contingency` and :mod:`nenaudit.stats.twosample`; the
quantiles are R's type 7 (:func:`nenaudit.stats._rbase.quantile7`). Display strings follow the
paper's tables (``n (%)``, ``median (Q1, Q3)``, ``mean +- SD``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nenaudit.exceptions import LeftOutWarning, NenauditError, StatisticalWarning
from nenaudit.stats._checks import warn_and_record
from nenaudit.stats.contingency import chisq_test, expected_counts, fisher_test
from nenaudit.stats.quantile import quantile7
from nenaudit.stats.result import Result
from nenaudit.stats.twosample import mann_whitney, shapiro_wilk, t_test

__all__ = [
    "SelectionRule",
    "DEFAULT_RULE",
    "GroupCell",
    "VariableComparison",
    "GroupComparison",
    "summarize",
    "summarize_overall",
]


def _left_out(msg: str, bucket: list[str] | None = None, stacklevel: int = 4) -> None:
    warnings.warn(msg, LeftOutWarning, stacklevel=stacklevel)
    if bucket is not None:
        bucket.append(msg)


# --------------------------------------------------------------------------------------
# Table 1/2: per-variable summaries by group and the test a stated rule picks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionRule(Result):
    """How a Table 1 picks its summaries and tests (one rule for every variable).

    Continuous variables are "normal" when Shapiro-Wilk (R's ``shapiro.test``) gives
    ``p > normality_alpha`` in every group; normal ones are shown as mean ± SD and
    compared by ``normal_test`` ("welch" or "student"), the others as median [Q1, Q3]
    (R's quantile type 7) and compared by the Mann-Whitney test. Categorical variables
    are shown as n (%) and compared by Fisher's exact test when any expected count is
    below ``small_expected`` (``categorical_test="auto"``), else by the chi-square test
    (Yates-corrected for 2 x 2 tables when ``yates``); "chisq" or "fisher" force one test.
    """

    normality_alpha: float = 0.05
    normal_test: str = "welch"
    small_expected: float = 5.0
    yates: bool = True
    categorical_test: str = "auto"

    def __post_init__(self):
        if self.normal_test not in ("welch", "student"):
            raise NenauditError(
                f"SelectionRule: normal_test = {self.normal_test!r}; use 'welch' or 'student'"
            )
        if self.categorical_test not in ("auto", "chisq", "fisher"):
            raise NenauditError(
                f"SelectionRule: categorical_test = {self.categorical_test!r}; use 'auto', 'chisq' or 'fisher'"
            )
        if not (0 < self.normality_alpha < 1):
            raise NenauditError(
                f"SelectionRule: normality_alpha = {self.normality_alpha} must lie in (0, 1)"
            )

    def describe(self) -> str:
        cat = {
            "auto": f"Fisher's exact test if any expected count < {self.small_expected:g}, else chi-square"
            + (" (Yates for 2x2)" if self.yates else " (no continuity correction)"),
            "chisq": "chi-square"
            + (" (Yates for 2x2)" if self.yates else " (no continuity correction)"),
            "fisher": "Fisher's exact test",
        }[self.categorical_test]
        return (
            f"continuous: mean ± SD and {'Welch' if self.normal_test == 'welch' else 'Student'} t test when "
            f"Shapiro-Wilk p > {self.normality_alpha:g} in every group, else median [Q1, Q3] and Mann-Whitney; "
            f"categorical: n (%) and {cat}"
        )


DEFAULT_RULE = SelectionRule()


@dataclass(frozen=True)
class GroupCell(Result):
    """One group's summary of one variable (one level of it, for a categorical variable)."""

    group: str
    n: int  # non-missing values of the variable in this group
    level: str | None = None
    count: int | None = None
    percent: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    shapiro_p: float | None = None


@dataclass(frozen=True)
class VariableComparison(Result):
    """A variable's summaries by group and the test the rule picked for it."""

    variable: str
    kind: str  # "categorical" or "continuous"
    summary: str  # "n (%)", "mean ± SD" or "median [Q1, Q3]"
    cells: tuple[GroupCell, ...]
    test: str | None  # "chisq", "chisq_yates", "fisher", "welch", "student", "mann-whitney"
    method: str | None  # the test's method string, as R prints it
    statistic: float | None
    p: float | None
    normal: bool | None = None
    min_expected: float | None = None
    warnings: tuple[str, ...] = ()
    missing: int = (
        0  # rows of the compared groups left out: missing, non-numeric or infinite values
    )


@dataclass(frozen=True)
class GroupComparison(Result):
    """Table 1/2 comparison of groups: one ``VariableComparison`` per variable."""

    group: str
    groups: tuple[str, ...]
    rule: SelectionRule
    variables: tuple[VariableComparison, ...]
    missing_group: int = 0  # rows left out because their group is missing

    def to_frame(self, digits: int = 1):
        """Tidy view: one row per variable x level x group, with a formatted ``display``."""
        rows = []
        for v in self.variables:
            for c in v.cells:
                if v.kind == "categorical":
                    disp = (
                        f"{c.count} ({c.percent:.{digits}f}%)"
                        if c.percent is not None
                        else f"{c.count} (-)"
                    )
                elif v.summary == "mean ± SD":
                    disp = _fmt_pair(c.mean, c.sd, digits, "{a} ± {b}")
                else:
                    disp = (
                        f"{c.median:.{digits}f} [{c.q1:.{digits}f}, {c.q3:.{digits}f}]"
                        if c.median is not None
                        else "-"
                    )
                rows.append(
                    {
                        "variable": v.variable,
                        "kind": v.kind,
                        "level": c.level,
                        "group": c.group,
                        "n": c.n,
                        "count": c.count,
                        "percent": c.percent,
                        "mean": c.mean,
                        "sd": c.sd,
                        "median": c.median,
                        "q1": c.q1,
                        "q3": c.q3,
                        "shapiro_p": c.shapiro_p,
                        "summary": v.summary,
                        "display": disp,
                        "test": v.test,
                        "statistic": v.statistic,
                        "p": v.p,
                    }
                )
        return pd.DataFrame(rows)


def _fmt_pair(a, b, digits, pattern):
    if a is None:
        return "-"
    bs = "NA" if b is None or (isinstance(b, float) and math.isnan(b)) else f"{b:.{digits}f}"
    return pattern.format(a=f"{a:.{digits}f}", b=bs)


def _is_categorical(series) -> bool:
    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(series)
        or not pd.api.types.is_numeric_dtype(series)
    )


def _levels(series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique(), key=lambda v: (str(type(v)), v))


def _run_quiet(fn, *args, **kwargs):
    """Call a test; its StatisticalWarnings are re-emitted by the caller via the result's tuple."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        return fn(*args, **kwargs)


def _compare_categorical(name, col, grp, groups, rule: SelectionRule) -> VariableComparison:
    levels = _levels(col)
    ok = col.notna()
    counts = np.array(
        [[int(((col == lv) & (grp == g) & ok).sum()) for g in groups] for lv in levels], dtype=int
    )
    n_g = counts.sum(axis=0) if counts.size else np.zeros(len(groups), dtype=int)
    cells = []
    for i, lv in enumerate(levels):
        for j, g in enumerate(groups):
            pct = 100.0 * counts[i, j] / n_g[j] if n_g[j] > 0 else None
            cells.append(GroupCell(str(g), int(n_g[j]), str(lv), int(counts[i, j]), pct))
    w: list[str] = []
    missing = int((~ok).sum())
    if missing:
        _left_out(f"{name}: {missing} row(s) with a missing value left out", w)
    m = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0] if counts.size else counts
    if m.ndim != 2 or min(m.shape) < 2:
        warn_and_record(f"{name}: fewer than 2 observed levels or groups; no test", w)
        return VariableComparison(
            name,
            "categorical",
            "n (%)",
            tuple(cells),
            None,
            None,
            None,
            None,
            None,
            None,
            tuple(w),
            missing,
        )
    e = expected_counts(m)
    min_e = float(e.min())
    use_fisher = rule.categorical_test == "fisher" or (
        rule.categorical_test == "auto" and min_e < rule.small_expected
    )
    if use_fisher:
        res = fisher_test(m)
        test = "fisher"
    else:
        res = _run_quiet(chisq_test, m, correct=rule.yates)
        test = "chisq_yates" if (rule.yates and m.shape == (2, 2)) else "chisq"
        for msg in res.warnings:
            warn_and_record(f"{name}: {msg}", w)
    stat = None if math.isnan(res.statistic) else float(res.statistic)
    return VariableComparison(
        name,
        "categorical",
        "n (%)",
        tuple(cells),
        test,
        res.method,
        stat,
        float(res.p),
        None,
        min_e,
        tuple(w),
        missing,
    )


def _compare_continuous(name, col, grp, groups, rule: SelectionRule) -> VariableComparison:
    w: list[str] = []
    samples = []
    for g in groups:
        vals = pd.to_numeric(col[(grp == g) & col.notna()], errors="coerce").to_numpy(dtype=float)
        samples.append(vals[np.isfinite(vals)])
    missing = int(len(col) - sum(x.size for x in samples))
    if missing:
        _left_out(
            f"{name}: {missing} row(s) with a missing, non-numeric or infinite value left out", w
        )
    normal = True
    sw_p = []
    for g, s in zip(groups, samples):
        try:
            p = shapiro_wilk(s).p
        except NenauditError as exc:
            warn_and_record(
                f"{name}, group {g}: normality not testable ({exc}); treated as non-normal", w
            )
            p = None
        sw_p.append(p)
        normal = normal and p is not None and p > rule.normality_alpha
    cells = []
    for g, s, p in zip(groups, samples, sw_p):
        if s.size:
            q = quantile7(s, [0.25, 0.5, 0.75])
            sd = float(s.std(ddof=1)) if s.size > 1 else math.nan
            cells.append(
                GroupCell(
                    str(g),
                    int(s.size),
                    None,
                    None,
                    None,
                    float(s.mean()),
                    sd,
                    float(q[1]),
                    float(q[0]),
                    float(q[2]),
                    p,
                )
            )
        else:
            cells.append(GroupCell(str(g), 0, shapiro_p=p))
    summary = "mean ± SD" if normal else "median [Q1, Q3]"
    if len(groups) != 2:
        raise NenauditError(
            f"summarize: continuous variable {name!r} needs exactly 2 groups, found {len(groups)}; "
            "subset the data to two groups"
        )
    try:
        if normal:
            res = t_test(samples[0], samples[1], equal_var=rule.normal_test == "student")
            test = rule.normal_test
        else:
            res = _run_quiet(mann_whitney, samples[0], samples[1])
            test = "mann-whitney"
    except NenauditError as exc:
        warn_and_record(f"{name}: no test ({exc})", w)
        return VariableComparison(
            name,
            "continuous",
            summary,
            tuple(cells),
            None,
            None,
            None,
            None,
            normal,
            None,
            tuple(w),
            missing,
        )
    for msg in res.warnings:
        warn_and_record(f"{name}: {msg}", w)
    return VariableComparison(
        name,
        "continuous",
        summary,
        tuple(cells),
        test,
        res.method,
        float(res.statistic),
        float(res.p),
        normal,
        None,
        tuple(w),
        missing,
    )


def summarize(
    df, group: str, vars=None, rule: SelectionRule = DEFAULT_RULE, categorical=None
) -> GroupComparison:
    """Table 1/2: summarise each variable by group and test it by one stated rule.

    Categorical variables (non-numeric, boolean or pandas categorical columns, plus
    any named in ``categorical``) are summarised as n (%) of the non-missing values in
    each group; continuous ones as mean ± SD or median [Q1, Q3] (quantile type 7),
    and tested, according to ``rule`` (default: Shapiro-Wilk p > 0.05 in every
    group -> mean ± SD and Welch t test, else median [Q1, Q3] and Mann-Whitney;
    Fisher's exact test if any expected count < 5, else chi-square with Yates for
    2 x 2). Missing values are dropped per variable; rows with a missing group are
    dropped. Group order is the sorted (or categorical) order of the group column; the
    two-sample tests compare the first group (x) with the second (y). What is left out is
    counted (``missing`` of each variable, ``missing_group``) and said in a :class:`LeftOutWarning`.

    The tests are ``chisq_test``, ``fisher_test`` (:mod:`nenaudit.stats.contingency`), ``t_test``,
    ``mann_whitney`` and ``shapiro_wilk`` (:mod:`nenaudit.stats.twosample`), i.e. R's ``chisq.test``, ``fisher.test``,
    ``t.test``, ``wilcox.test`` and ``shapiro.test`` with their defaults, and R's
    ``quantile`` (type 7). This is the convention of e.g. ``tableone::CreateTableOne``
    with ``nonnormal`` chosen by Shapiro-Wilk; see Hyndman & Fan 1996
    (doi:10.1080/00031305.1996.10473566) for the quartiles and the references of each test.

    Parameters
    ----------
    df : pandas.DataFrame
    group : str
        Column holding the group (at least 2 levels; exactly 2 when a continuous
        variable is present).
    vars : sequence of str, optional
        Variables in table order; default every column except ``group``.
    rule : SelectionRule, default DEFAULT_RULE
    categorical : sequence of str, optional
        Numeric columns to treat as categorical (e.g. 0/1 codes).

    Returns
    -------
    GroupComparison
        Frozen; ``.to_frame()`` gives the tidy DataFrame view.
    """
    if not isinstance(df, pd.DataFrame):
        raise NenauditError(
            "summarize: df must be a pandas DataFrame; build one from your data first"
        )
    if not df.columns.is_unique:
        dup = next(str(c) for c in df.columns if (df.columns == c).sum() > 1)
        raise NenauditError(
            f"summarize: the column name {dup!r} appears more than once; column names must be unique "
            "(rename one, e.g. with df.columns = [...])"
        )
    if group not in df.columns:
        raise NenauditError(
            f"summarize: group column {group!r} is not in the data; pass one of {list(df.columns)}"
        )
    no_group = int(df[group].isna().sum())
    if no_group:
        _left_out(f"{no_group} row(s) with a missing group ({group!r}) left out", stacklevel=3)
    data = df[df[group].notna()]
    grp = data[group]
    groups = _levels(grp)
    if len(groups) < 2:
        raise NenauditError(
            f"summarize: group column {group!r} has {len(groups)} level(s); it needs at least 2"
        )
    names = [c for c in df.columns if c != group] if vars is None else list(vars)
    force_cat = set(categorical or ())
    for v in list(names) + list(force_cat):
        if v not in df.columns:
            raise NenauditError(
                f"summarize: variable {v!r} is not in the data; check the vars/categorical lists"
            )
        if v == group:
            raise NenauditError(f"summarize: {v!r} is the group column; leave it out of vars")
    out = []
    for v in names:
        col = data[v]
        if v in force_cat or _is_categorical(col):
            out.append(_compare_categorical(v, col, grp, groups, rule))
        else:
            out.append(_compare_continuous(v, col, grp, groups, rule))
    return GroupComparison(group, tuple(str(g) for g in groups), rule, tuple(out), no_group)


def summarize_overall(df, vars=None, categorical=None) -> tuple[VariableComparison, ...]:
    """A one-column Table 1 ("(Total) N = ..."): each variable summarised over all rows, no test.

    The same summaries as :func:`summarize` with one group named ``"total"``: n (%) of the
    non-missing values per level for categorical variables (non-numeric columns, plus any
    named in ``categorical``), and for continuous ones the mean, SD (``sd``, n - 1), median
    and quartiles (R's ``quantile`` type 7), from which the caller shows the statistic the
    paper prints. ``summary`` is ``"n (%)"`` or ``"continuous"``; ``test`` and ``p`` are None.
    This is ``tableone::CreateTableOne(vars, data = df)`` without ``strata``.
    """
    if not isinstance(df, pd.DataFrame):
        raise NenauditError(
            "summarize_overall: df must be a pandas DataFrame; build one from your data first"
        )
    names = list(df.columns) if vars is None else list(vars)
    force_cat = set(categorical or ())
    out = []
    for v in names:
        if v not in df.columns:
            raise NenauditError(
                f"summarize_overall: variable {v!r} is not in the data; check the vars list"
            )
        col = df[v]
        if v in force_cat or _is_categorical(col):
            ok = col.dropna()
            n = int(ok.size)
            cells = tuple(
                GroupCell(
                    "total",
                    n,
                    str(lv),
                    int((ok == lv).sum()),
                    100.0 * int((ok == lv).sum()) / n if n else None,
                )
                for lv in _levels(col)
            )
            out.append(VariableComparison(v, "categorical", "n (%)", cells, None, None, None, None))
            continue
        s = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        s = s[np.isfinite(s)]
        if s.size:
            q = quantile7(s, [0.25, 0.5, 0.75])
            cell = GroupCell(
                "total",
                int(s.size),
                None,
                None,
                None,
                float(s.mean()),
                float(s.std(ddof=1)) if s.size > 1 else math.nan,
                float(q[1]),
                float(q[0]),
                float(q[2]),
            )
        else:
            cell = GroupCell("total", 0)
        out.append(
            VariableComparison(v, "continuous", "continuous", (cell,), None, None, None, None)
        )
    return tuple(out)
