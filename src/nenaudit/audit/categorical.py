"""Group-comparison p-values recomputed from the printed counts."""

from __future__ import annotations

import warnings

import numpy as np

from nenaudit.audit.findings import RECOMPUTED, Finding, compared
from nenaudit.exceptions import NenauditError, StatisticalWarning
from nenaudit.stats.consistency import skewness_signal, statistic_p_range
from nenaudit.stats.contingency import chisq_test, fisher_test
from nenaudit.stats.summary_tests import (
    g_test,
    linear_by_linear,
    oneway_from_summary,
    t_test_from_summary,
)
from nenaudit.study.schema import Printed, Row, Study, Table, TestStatistic

__all__ = [
    "counts_matrix",
    "variants",
    "mean_test_range",
    "check_categorical_tests",
    "check_continuous_tests",
    "count_statistics",
    "check_test_statistics",
]


# Candidate rules a paper may have followed to pick the test of each table.
RULES = {
    "chi-square (Yates for 2x2)": lambda v: v["chisq_yates"] if "chisq_yates" in v else v["chisq"],
    "chi-square, no correction": lambda v: v["chisq"],
    "Fisher for all": lambda v: v["fisher"],
    "Fisher if an expected count < 5, else chi-square (Yates for 2x2)": lambda v: (
        v["fisher"]
        if v["min_expected"] < 5
        else (v["chisq_yates"] if "chisq_yates" in v else v["chisq"])
    ),
    "Fisher if an expected count < 5, else chi-square without correction": lambda v: (
        v["fisher"] if v["min_expected"] < 5 else v["chisq"]
    ),
    "likelihood-ratio (G) chi-square for all": lambda v: v["g"],
    "Fisher if an expected count < 5, else likelihood-ratio (G) chi-square": lambda v: (
        v["fisher"] if v["min_expected"] < 5 else v["g"]
    ),
    "linear-by-linear (trend) test for all": lambda v: v["lbl"],
}
#: rules that are what a methods section saying "chi-square test" means
PLAIN_RULES = ("chi-square (Yates for 2x2)", "chi-square, no correction")
LABELS = {
    "chisq": "Pearson chi-square",
    "chisq_yates": "chi-square with Yates correction",
    "fisher": "Fisher's exact",
    "g": "likelihood-ratio (G) chi-square",
    "lbl": "linear-by-linear (trend)",
}
VARIANTS = ("chisq", "chisq_yates", "fisher", "g", "lbl")
#: a row's ``test`` field -> the variant it names
NAMED = {
    "chi-square": "chisq",
    "chi-square-yates": "chisq_yates",
    "fisher": "fisher",
    "g-test": "g",
    "linear-by-linear": "lbl",
}


def counts_matrix(table: Table, row: Row) -> np.ndarray:
    """Levels x groups matrix of the printed counts."""
    return np.array([[lv.cells[g.id].count for g in table.groups] for lv in row.levels], dtype=int)


def variants(m: np.ndarray, row_scores=None) -> dict[str, float]:
    """p-values of the test variants that apply to this table (Yates only for 2 x 2, as chisq.test):
    Pearson, Yates, Fisher, the likelihood-ratio G test and the linear-by-linear test (levels
    scored 1..k in printed order or by ``row_scores``, groups 1..c).

    The small-expected-count warning of the chi-square test is not re-raised here: the
    smallest expected count is returned and the rule finding reports where it is below 5.
    """
    keep_r = m.sum(axis=1) > 0
    keep_c = m.sum(axis=0) > 0
    mm = m[keep_r][:, keep_c]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        chi = chisq_test(mm, correct=False)
        out = {
            "chisq": float(chi.p),
            "fisher": float(fisher_test(mm).p),
            "min_expected": float(np.min(chi.expected)),
        }
        if mm.shape == (2, 2):
            out["chisq_yates"] = float(chisq_test(mm, correct=True).p)
    out["g"] = float(g_test(mm).p)
    scores = None if row_scores is None else np.asarray(row_scores, dtype=float)[keep_r]
    out["lbl"] = float(linear_by_linear(mm, scores).p)
    return out


def _rows_with_p(study: Study):
    for t in study.tables:
        if len(t.groups) < 2:
            continue
        for row in t.rows:
            if row.p is not None:
                yield t, row


def _p_problem(row: Row) -> str | None:
    if row.p.impossible:
        return f"the printed p-value {row.p.raw} is impossible (a p-value lies in [0, 1])"
    if row.p.malformed:
        return "the printed p-value is not a number"
    return None


def _cohort_tables(study: Study):
    """Table groups the 'which rule' finding is judged over: one per cohort (all tables when no cohorts)."""
    keys = []
    for t, _ in _rows_with_p(study):
        if t.cohort not in keys:
            keys.append(t.cohort)
    return keys


def check_categorical_tests(study: Study) -> list[Finding]:
    """Each printed p of a categorical comparison: which test variants reproduce it.

    A row that names its test (``test``, spec version 2) is judged against that test only;
    the others are judged over the menu (Pearson with and without Yates, Fisher, G,
    linear-by-linear), and one finding says which single rule explains all of them.
    """
    out = []
    stated = study.methods_tests.get("categorical")
    per_table: list[tuple[str, dict[str, float], Printed]] = []
    for t, row in _rows_with_p(study):
        where = t.where(row, column="p")
        fid = f"test.categorical:{t.id}:{row.variable}"
        if row.kind != "categorical":
            continue
        problem = _p_problem(row)
        if problem:
            out.append(
                Finding(
                    fid,
                    "categorical tests",
                    where,
                    f"p = {row.p.raw}",
                    row.p.raw,
                    None,
                    "inconsistent" if row.p.impossible else "not-reproducible",
                    problem,
                )
            )
            continue
        if row.test is not None and row.test not in NAMED:
            out.append(
                Finding(
                    fid,
                    "categorical tests",
                    where,
                    f"p = {row.p.raw} ({row.test})",
                    row.p.raw,
                    None,
                    "not-reproducible",
                    f"the row names {row.test}, a test of continuous values; from counts only "
                    + ", ".join(NAMED)
                    + " can be recomputed",
                )
            )
            continue
        try:
            v = variants(counts_matrix(t, row), row.scores)
        except NenauditError as exc:
            # e.g. every count in one level or one group: no 2 x 2 table left
            out.append(
                Finding(
                    fid,
                    "categorical tests",
                    where,
                    f"p = {row.p.raw} for {row.variable}",
                    row.p.raw,
                    None,
                    "not-reproducible",
                    f"no test of independence from these counts: {exc}",
                )
            )
            continue
        shown = "; ".join(f"{LABELS[k]} {v[k]:.4g}" for k in VARIANTS if k in v)
        rec = {k: v[k] for k in VARIANTS if k in v}
        claim = f"p = {row.p.raw} for {row.variable} ({len(row.levels)} x {len(t.groups)} table)"
        if row.test is not None:
            k = NAMED[row.test]
            if k not in v:
                out.append(
                    Finding(
                        fid,
                        "categorical tests",
                        where,
                        claim + f", {row.test}",
                        row.p.raw,
                        rec,
                        "not-reproducible",
                        f"{LABELS[k]} applies to 2 x 2 tables only ({shown})",
                    )
                )
                continue
            ok = row.p.agrees(v[k])
            others = [LABELS[x] for x in VARIANTS if x in v and x != k and row.p.agrees(v[x])]
            out.append(
                Finding(
                    id=fid,
                    check="categorical tests",
                    where=where,
                    claim=claim + f", {row.test} as the paper states",
                    published=row.p.raw,
                    recomputed=rec,
                    verdict="consistent" if ok else "inconsistent",
                    compared=compared(
                        ("printed p", row.p.raw, where),
                        (f"{LABELS[k]} p from the counts", v[k], RECOMPUTED),
                    ),
                    detail=(
                        f"the stated {LABELS[k]} gives {v[k]:.4g}"
                        + (
                            ""
                            if ok
                            else "; "
                            + (
                                f"printed p is what {', '.join(others)} gives"
                                if others
                                else "no test variant gives it"
                            )
                        )
                        + f" (smallest expected count {v['min_expected']:.2f}; {shown})"
                    ),
                )
            )
            continue
        ok = [k for k in VARIANTS if k in v and row.p.agrees(v[k])]
        per_table.append((t.where(row), v, row.p))
        out.append(
            Finding(
                id=fid,
                check="categorical tests",
                where=where,
                claim=claim,
                published=row.p.raw,
                recomputed=rec,
                verdict="consistent" if ok else "inconsistent",
                compared=compared(
                    ("printed p", row.p.raw, where),
                    (
                        "p of "
                        + (", ".join(LABELS[k] for k in ok) if ok else "every test variant")
                        + " from the counts",
                        [v[k] for k in (ok or [k for k in VARIANTS if k in v])],
                        RECOMPUTED,
                    ),
                ),
                detail=(
                    f"reproduced by {', '.join(LABELS[k] for k in ok)}"
                    if ok
                    else "no test variant reproduces it"
                )
                + f" (smallest expected count {v['min_expected']:.2f}; {shown})",
            )
        )
    if per_table:
        # rows that no variant reproduces have their own inconsistent finding; the rule is sought over the others
        orphans = [
            var for var, v, p in per_table if not any(p.agrees(v[k]) for k in VARIANTS if k in v)
        ]
        judged = [x for x in per_table if x[0] not in orphans] or per_table
        explained = {
            name: all(p.agrees(rule(v)) for _, v, p in judged) for name, rule in RULES.items()
        }
        winners = [n for n, ok in explained.items() if ok]
        misses = {n: [var for var, v, p in judged if not p.agrees(RULES[n](v))] for n in RULES}
        stated_txt = ", ".join(stated.value) if stated else "not stated"
        if winners:
            plain = winners[0] in PLAIN_RULES
            # a rule that explains only the p-values some test reproduces does not explain "all": a note
            verdict = "consistent" if plain and not orphans else "note"
            if plain:
                extra = ""
            elif "G" in winners[0] and not any("G" not in w and "trend" not in w for w in winners):
                extra = (
                    "; the printed p-values are likelihood-ratio (G) chi-square p-values (SPSS's 'Likelihood Ratio' "
                    "row), not Pearson's chi-square, which the methods do not say"
                )
            elif "trend" in winners[0]:
                extra = (
                    "; the printed p-values are linear-by-linear (trend) test p-values, which the methods "
                    "do not say"
                )
            else:
                extra = (
                    "; the printed p-values need Fisher's test where expected counts are small, "
                    "which the methods do not mention"
                )
            detail = (
                f"explains all {len(judged)} printed p-values"
                + (" that some test reproduces" if orphans else "")
                + ": "
                + " | ".join(winners)
                + f". The methods state: {stated_txt}"
                + extra
                + (
                    f". No test reproduces {len(orphans)} of the {len(per_table)}: {'; '.join(orphans)}"
                    if orphans
                    else ""
                )
            )
        else:
            verdict = "inconsistent"
            detail = (
                "no single rule explains all printed p-values; misses per rule: "
                + " | ".join(f"{n}: {', '.join(m)}" for n, m in misses.items())
                + f". The methods state: {stated_txt}"
            )
        out.append(
            Finding(
                id="test.categorical.rule",
                check="categorical tests",
                where=(study.methods_tests["categorical"].where if stated else "methods"),
                claim=f"one test rule produced the {len(per_table)} categorical p-values",
                published=stated.value if stated else None,
                recomputed=winners,
                verdict=verdict,
                detail=detail,
                compared=compared(
                    ("printed p-values", [p.raw for _, _, p in judged], "the tables"),
                    (
                        f"p-values of the rule '{winners[0]}'"
                        if winners
                        else "p-values of every rule",
                        [RULES[winners[0]](v) for _, v, _ in judged] if winners else None,
                        RECOMPUTED,
                    ),
                ),
            )
        )
    return out


_MEAN_TESTS = {
    "t-test": "Student's t",
    "welch-t-test": "Welch's t",
    "anova": "one-way ANOVA",
    "welch-anova": "Welch's one-way test",
}


#: up to this many groups every corner of the rounding box is evaluated (4^k of them)
MAX_CORNER_GROUPS = 4


def mean_test_range(
    means: list[Printed], sds: list[Printed], ns: list[int], test: str
) -> tuple[float, float, float]:
    """p of a test of means at the printed values, and its range over the rounding intervals.

    Means and SDs are printed rounded; the p of Student's/Welch's t (two groups) or of the
    (Welch) one-way ANOVA is evaluated at every corner of the box of values that round to the
    printed ones (the statistic is monotone in each mean difference and SD within the box).
    """

    def p_of(m, s):
        if test in ("t-test", "welch-t-test") and len(m) == 2:
            return t_test_from_summary(
                m[0], s[0], ns[0], m[1], s[1], ns[1], equal_var=test == "t-test"
            ).p
        return oneway_from_summary(m, s, ns, equal_var=test in ("anova", "t-test")).p

    mid = p_of([x.value for x in means], [x.value for x in sds])
    ps = [mid]
    k = len(means)
    if k <= MAX_CORNER_GROUPS:
        corners = [[(c >> j) & 1 for j in range(2 * k)] for c in range(2 ** (2 * k))]
    else:  # 4^k corners would be too many: move every mean toward / away from the grand mean, every SD up / down
        grand = sum(x.value for x in means) / k
        away = [1 if x.value >= grand else 0 for x in means]
        corners = [
            [a if out else 1 - a for a in away] + [up] * k for out in (0, 1) for up in (0, 1)
        ]
    for bits in corners:
        m = [x.value + (x.half_unit if b else -x.half_unit) for x, b in zip(means, bits[:k])]
        s = [
            max(x.value + (x.half_unit if b else -x.half_unit), 1e-12)
            for x, b in zip(sds, bits[k:])
        ]
        ps.append(p_of(m, s))
    return mid, min(ps), max(ps)


def _overlaps(p: Printed, lo: float, hi: float) -> bool:
    if p.comparator == "<":
        return lo < p.value
    if p.comparator == ">":
        return hi > p.value
    return lo <= p.value + p.half_unit and hi >= p.value - p.half_unit


def check_continuous_tests(study: Study) -> list[Finding]:
    """Printed p-values of continuous comparisons.

    Rows of mean ± SD: Student's and Welch's t (two groups) or one-way ANOVA and Welch's test
    (more groups) recomputed from the means, SDs and group sizes, over the rounding of the
    printed values; a row that names its test is judged against that test. Rows of medians
    need the data for a rank test (or carry no means for a t test): not-reproducible, saying why.
    """
    out = []
    stated = study.methods_tests.get("continuous_nonnormal")
    for t, row in _rows_with_p(study):
        if row.kind == "categorical":
            continue
        fid = f"test.continuous:{t.id}:{row.variable}"
        where = t.where(row, column="p")
        problem = _p_problem(row)
        if problem:
            out.append(
                Finding(
                    fid,
                    "categorical tests",
                    where,
                    f"p = {row.p.raw}",
                    row.p.raw,
                    None,
                    "inconsistent" if row.p.impossible else "not-reproducible",
                    problem,
                )
            )
            continue
        if row.kind == "mean_sd" and row.test not in ("mann-whitney", "kruskal-wallis"):
            out.append(_mean_finding(t, row, fid, where))
            continue
        test = row.test or (", ".join(stated.value) if stated else "a rank or t test")
        if row.test in _MEAN_TESTS:
            why = (
                f"the paper names {_MEAN_TESTS[row.test]}, but the row prints "
                f"{'medians and quartiles' if row.kind == 'median_iqr' else 'medians and ranges'}, not means and SDs"
            )
        elif row.kind == "mean_sd":
            why = "a rank test needs the data, not its mean and SD"
        else:
            why = (
                "a rank test needs the data, not its median and "
                + ("quartiles" if row.kind == "median_iqr" else "range")
                + "; a synthetic cohort that reproduces these summaries allows a re-run"
            )
        out.append(
            Finding(
                id=fid,
                check="categorical tests",
                where=where,
                claim=f"p = {row.p.raw} for {row.variable} ({test})",
                published=row.p.raw,
                recomputed=None,
                verdict="not-reproducible",
                detail=why,
            )
        )
    return out


def _mean_finding(t: Table, row: Row, fid: str, where: str) -> Finding:
    means = [row.cells[g.id].mean for g in t.groups]
    sds = [row.cells[g.id].sd for g in t.groups]
    ns = [g.n for g in t.groups]
    two = len(t.groups) == 2
    menu = (
        [row.test]
        if row.test
        else (["t-test", "welch-t-test"] if two else ["anova", "welch-anova"])
    )
    rec, hits, txt = {}, [], []
    try:
        for test in menu:
            mid, lo, hi = mean_test_range(means, sds, ns, test)
            rec[test] = {"p": mid, "range": [lo, hi]}
            txt.append(
                f"{_MEAN_TESTS[test]} {mid:.4g} (over the rounding of means and SDs {lo:.4g}-{hi:.4g})"
            )
            if _overlaps(row.p, lo, hi):
                hits.append(_MEAN_TESTS[test])
    except NenauditError as exc:
        return Finding(
            fid,
            "categorical tests",
            where,
            f"p = {row.p.raw} for {row.variable}",
            row.p.raw,
            None,
            "not-reproducible",
            f"a test of means cannot be computed from these summaries: {exc}",
        )
    named = f", {_MEAN_TESTS[row.test]} as the paper states" if row.test else ""
    claim = f"p = {row.p.raw} for {row.variable} (mean ± SD in {len(ns)} groups of {', '.join(map(str, ns))}{named})"
    skew = [
        f"{g.label}: {why}"
        for g, m, sd in zip(t.groups, means, sds)
        if (why := skewness_signal(m.value, sd.value))
    ]
    if not hits and skew and row.test is None:
        return Finding(
            id=fid,
            check="categorical tests",
            where=where,
            claim=claim,
            published=row.p.raw,
            recomputed=rec,
            verdict="not-reproducible",
            detail=(
                "no test of means reproduces it, and the data look skewed ("
                + "; ".join(skew)
                + "), which a "
                "quantity that cannot be negative is when its SD is that large: the paper probably used a rank "
                "test (Mann-Whitney / Kruskal-Wallis), which needs the data, not the mean and SD: "
                + "; ".join(txt)
            ),
        )
    return Finding(
        id=fid,
        check="categorical tests",
        where=where,
        claim=claim,
        published=row.p.raw,
        recomputed=rec,
        verdict="consistent" if hits else "inconsistent",
        detail=(f"reproduced by {', '.join(hits)}" if hits else "no test of means reproduces it")
        + ": "
        + "; ".join(txt),
        compared=compared(
            ("printed p", row.p.raw, where),
            (
                "p range over the rounding of the printed means and SDs",
                [v["range"] for v in rec.values()],
                RECOMPUTED,
            ),
        ),
    )


def count_statistics(m: np.ndarray) -> dict[str, tuple[float, float]]:
    """``variant -> (statistic, df)`` of the chi-square-type tests of a count table (empty rows and columns
    dropped, as :func:`variants`): Pearson (R's ``chisq.test(m, correct = FALSE)$statistic``), Yates for
    2 x 2 (``chisq.test(m)$statistic``) and the likelihood-ratio G."""
    keep_r, keep_c = m.sum(axis=1) > 0, m.sum(axis=0) > 0
    mm = m[keep_r][:, keep_c]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        chi = chisq_test(mm, correct=False)
        out = {"chisq": (float(chi.statistic), float(chi.df))}
        if mm.shape == (2, 2):
            y = chisq_test(mm, correct=True)
            out["chisq_yates"] = (float(y.statistic), float(y.df))
    g = g_test(mm)
    out["g"] = (float(g.statistic), float(g.df))
    return out


def _mean_statistics(t: Table, row: Row) -> dict[str, tuple[float, float, float]]:
    """``test -> (statistic at the printed values, min, max over the rounding corners)`` for a mean ± SD row
    (|t| for two groups, F for more)."""
    means = [row.cells[g.id].mean for g in t.groups]
    sds = [row.cells[g.id].sd for g in t.groups]
    ns = [g.n for g in t.groups]
    k = len(means)
    out = {}
    for test in ["t-test", "welch-t-test"] if k == 2 else ["anova", "welch-anova"]:

        def stat(m, s, test=test):
            if k == 2:
                return abs(
                    t_test_from_summary(
                        m[0], s[0], ns[0], m[1], s[1], ns[1], equal_var=test == "t-test"
                    ).statistic
                )
            return oneway_from_summary(m, s, ns, equal_var=test == "anova").statistic

        mid = stat([x.value for x in means], [x.value for x in sds])
        vals = [mid]
        if k <= MAX_CORNER_GROUPS:
            for c in range(2 ** (2 * k)):
                bits = [(c >> j) & 1 for j in range(2 * k)]
                m = [
                    x.value + (x.half_unit if b else -x.half_unit) for x, b in zip(means, bits[:k])
                ]
                sd = [
                    max(x.value + (x.half_unit if b else -x.half_unit), 1e-12)
                    for x, b in zip(sds, bits[k:])
                ]
                vals.append(stat(m, sd))
        out[test] = (mid, min(vals), max(vals))
    return out


def _statistic_findings(
    fid: str,
    where: str,
    st: TestStatistic,
    p: Printed | None,
    what: str,
    t: Table | None = None,
    row: Row | None = None,
) -> list[Finding]:
    out = []
    try:
        r = statistic_p_range(st.name, st.value.value, st.value.half_unit, st.df)
    except ValueError as exc:
        return [
            Finding(
                fid,
                "test statistics",
                where,
                f"{st.label} ({what})",
                st.value.raw,
                None,
                "inconsistent",
                f"the printed statistic cannot be a {st.name} statistic: {exc}",
            )
        ]
    rec = r.to_dict()
    call = r.r_call.replace(f"({st.value.value:g}", f"({st.value.raw}", 1).replace(
        f"abs({st.value.value:g})", f"abs({st.value.raw})", 1
    )
    if p is None or p.value is None or p.impossible:
        out.append(
            Finding(
                fid,
                "test statistics",
                where,
                f"{st.label} ({what})",
                st.value.raw,
                rec,
                "note",
                f"{call} = {r.p:.4g} (over the statistic's rounding {r.p_min:.4g}-{r.p_max:.4g}); "
                "no usable printed p to compare it with",
            )
        )
    else:
        ok = _overlaps(p, r.p_min, r.p_max)
        out.append(
            Finding(
                fid,
                "test statistics",
                where,
                f"{st.label}, p = {p.raw} ({what})",
                {"statistic": st.value.raw, "p": p.raw},
                rec,
                "consistent" if ok else "inconsistent",
                f"{call} = {r.p:.4g}, {r.p_min:.4g}-{r.p_max:.4g} over the rounding of {st.value.raw}; the printed p "
                + (f"{p.raw} lies in it" if ok else f"{p.raw} is off by more than rounding"),
                compared(
                    ("printed p", p.raw, where),
                    (f"p implied by {st.label}", [r.p_min, r.p_max], RECOMPUTED),
                ),
            )
        )
    if t is None or row is None:
        return out
    if row.kind == "categorical" and st.name == "chi2":
        try:
            cs = count_statistics(counts_matrix(t, row))
        except NenauditError as exc:
            return out + [
                Finding(
                    fid + ":counts",
                    "test statistics",
                    where,
                    f"{st.label} from the counts of {row.variable}",
                    st.value.raw,
                    None,
                    "not-reproducible",
                    f"no chi-square from these counts: {exc}",
                )
            ]
        hits = [
            k
            for k, (x, df) in cs.items()
            if abs(x - st.value.value) <= st.value.half_unit + 1e-9 * max(1, x)
        ]
        df_ok = any(abs(df - st.df[0]) < 1e-9 for _, df in cs.values())
        ok = bool(hits) and df_ok
        shown = "; ".join(f"{LABELS[k]} {x:.4g} on {df:g} df" for k, (x, df) in cs.items())
        out.append(
            Finding(
                fid + ":counts",
                "test statistics",
                where,
                f"{st.label} from the counts of {row.variable}",
                st.value.raw,
                {k: {"statistic": x, "df": df} for k, (x, df) in cs.items()},
                "consistent" if ok else "inconsistent",
                (
                    (
                        f"reproduced by {', '.join(LABELS[k] for k in hits)}"
                        if hits
                        else "no chi-square variant gives it"
                    )
                    + (
                        ""
                        if df_ok
                        else f"; a {len(row.levels)} x {len(t.groups)} table has no {st.df[0]:g} df"
                    )
                    + f" ({shown})"
                ),
                compared(
                    ("printed statistic", st.value.raw, where),
                    ("statistics from the counts", [x for x, _ in cs.values()], RECOMPUTED),
                ),
            )
        )
    elif (
        row.kind == "mean_sd" and st.name in ("t", "F") and (st.name == "t") == (len(t.groups) == 2)
    ):
        try:
            ms = _mean_statistics(t, row)
        except NenauditError as exc:
            return out + [
                Finding(
                    fid + ":summaries",
                    "test statistics",
                    where,
                    f"{st.label} from the means and SDs",
                    st.value.raw,
                    None,
                    "not-reproducible",
                    f"cannot be computed from these summaries: {exc}",
                )
            ]
        x = abs(st.value.value)
        hits = [
            k
            for k, (_, lo, hi) in ms.items()
            if lo - st.value.half_unit <= x <= hi + st.value.half_unit
        ]
        shown = "; ".join(
            f"{_MEAN_TESTS[k]} {mid:.4g} ({lo:.4g}-{hi:.4g})" for k, (mid, lo, hi) in ms.items()
        )
        out.append(
            Finding(
                fid + ":summaries",
                "test statistics",
                where,
                f"{st.label} from the means, SDs and group sizes of {row.variable}",
                st.value.raw,
                {k: list(v) for k, v in ms.items()},
                "consistent" if hits else "inconsistent",
                (
                    f"reproduced by {', '.join(_MEAN_TESTS[k] for k in hits)}"
                    if hits
                    else "no test of means gives it"
                )
                + f" over the rounding of the printed summaries ({shown})",
                compared(
                    ("printed statistic", st.value.raw, where),
                    ("statistics from the summaries", [list(v) for v in ms.values()], RECOMPUTED),
                ),
            )
        )
    return out


def check_test_statistics(study: Study) -> list[Finding]:
    """Printed test statistics (χ², t, F, z with their df) recomputed to p and compared with the printed p;
    where the counts or the means and SDs exist, the statistic itself recomputed from them.

    p is R's ``pchisq(x, df, lower.tail = FALSE)``, ``2 * pt(|t|, df, lower.tail = FALSE)``,
    ``pf(F, df1, df2, lower.tail = FALSE)`` or ``2 * pnorm(|z|, lower.tail = FALSE)`` over the rounding
    interval of the printed statistic (statcheck's rule, Nuijten et al. 2016).
    """
    out = []
    for t in study.tables:
        for row in t.rows:
            if row.statistic is not None:
                out.extend(
                    _statistic_findings(
                        f"test.statistic:{t.id}:{row.variable}",
                        t.where(row, column="statistic"),
                        row.statistic,
                        row.p,
                        row.variable,
                        t,
                        row,
                    )
                )
    for i, c in enumerate(study.claims):
        if c.statistic is None:
            continue
        p = None
        var = c.variables[0]
        if c.table in {tb.id for tb in study.tables}:
            r = study.table(c.table).row(var)
            p = r.p if r is not None else None
        out.extend(
            _statistic_findings(
                f"test.statistic:claim:{i}", c.where, c.statistic, p, f"{var}, {c.where}"
            )
        )
    return out


CHECKS = [check_categorical_tests, check_continuous_tests, check_test_statistics]
