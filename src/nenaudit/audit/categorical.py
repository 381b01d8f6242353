"""Group-comparison p-values recomputed from the printed counts."""

from __future__ import annotations

import warnings

import numpy as np

from nenaudit.audit.findings import Finding
from nenaudit.exceptions import StatisticalWarning
from nenaudit.stats.compare import chisq_test, fisher_test
from nenaudit.study.schema import Row, Study, Table

__all__ = ["counts_matrix", "variants", "check_categorical_tests", "check_continuous_tests"]


# Candidate rules a paper may have followed to pick the test of each table.
RULES = {
    "chi-square (Yates for 2x2)": lambda v: v["chisq_yates"] if "chisq_yates" in v else v["chisq"],
    "chi-square, no correction": lambda v: v["chisq"],
    "Fisher for all": lambda v: v["fisher"],
    "Fisher if an expected count < 5, else chi-square (Yates for 2x2)": lambda v: v["fisher"]
    if v["min_expected"] < 5 else (v["chisq_yates"] if "chisq_yates" in v else v["chisq"]),
    "Fisher if an expected count < 5, else chi-square without correction": lambda v: v["fisher"]
    if v["min_expected"] < 5 else v["chisq"],
}
LABELS = {"chisq": "Pearson chi-square", "chisq_yates": "chi-square with Yates correction", "fisher": "Fisher's exact"}


def counts_matrix(table: Table, row: Row) -> np.ndarray:
    """Levels x groups matrix of the printed counts."""
    return np.array([[lv.cells[g.id].count for g in table.groups] for lv in row.levels], dtype=int)


def variants(m: np.ndarray) -> dict[str, float]:
    """p-values of the test variants that apply to this table (Yates only for 2 x 2, as chisq.test).

    The small-expected-count warning of the chi-square test is not re-raised here: the
    smallest expected count is returned and the rule finding reports where it is below 5.
    """
    keep_r = m.sum(axis=1) > 0
    keep_c = m.sum(axis=0) > 0
    mm = m[keep_r][:, keep_c]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        chi = chisq_test(mm, correct=False)
        out = {"chisq": float(chi.p), "fisher": float(fisher_test(mm).p), "min_expected": float(np.min(chi.expected))}
        if mm.shape == (2, 2):
            out["chisq_yates"] = float(chisq_test(mm, correct=True).p)
    return out


def _rows_with_p(study: Study):
    for t in study.tables:
        if len(t.groups) < 2:
            continue
        for row in t.rows:
            if row.p is not None:
                yield t, row


def check_categorical_tests(study: Study) -> list[Finding]:
    """Each printed p of a categorical comparison: which test variants reproduce it."""
    out = []
    stated = study.methods_tests.get("categorical")
    per_table: list[tuple[str, dict[str, float], object]] = []
    for t, row in _rows_with_p(study):
        where = t.where(row, column="p")
        fid = f"test.categorical:{t.id}:{row.variable}"
        if row.kind != "categorical":
            continue
        if row.p.malformed:
            out.append(Finding(fid, "categorical tests", where, f"p = {row.p.raw}", row.p.raw, None,
                               "not-reproducible", "the printed p-value is not a number"))
            continue
        v = variants(counts_matrix(t, row))
        ok = [k for k in ("chisq", "chisq_yates", "fisher") if k in v and row.p.agrees(v[k])]
        per_table.append((row.variable, v, row.p))
        shown = "; ".join(f"{LABELS[k]} {v[k]:.4g}" for k in ("chisq", "chisq_yates", "fisher") if k in v)
        out.append(Finding(
            id=fid, check="categorical tests", where=where,
            claim=f"p = {row.p.raw} for {row.variable} ({len(row.levels)} x {len(t.groups)} table)",
            published=row.p.raw,
            recomputed={k: v[k] for k in ("chisq", "chisq_yates", "fisher") if k in v},
            verdict="consistent" if ok else "inconsistent",
            detail=(f"reproduced by {', '.join(LABELS[k] for k in ok)}" if ok else "no test variant reproduces it")
            + f" (smallest expected count {v['min_expected']:.2f}; {shown})",
        ))
    if per_table:
        explained = {name: all(p.agrees(rule(v)) for _, v, p in per_table) for name, rule in RULES.items()}
        winners = [n for n, ok in explained.items() if ok]
        misses = {n: [var for var, v, p in per_table if not p.agrees(RULES[n](v))] for n in RULES}
        stated_txt = ", ".join(stated.value) if stated else "not stated"
        if winners:
            plain = winners[0] in ("chi-square (Yates for 2x2)", "chi-square, no correction")
            verdict = "consistent" if plain else "note"
            detail = (f"explains all {len(per_table)} printed p-values: " + " | ".join(winners)
                      + f". The methods state: {stated_txt}"
                      + ("" if plain else "; the printed p-values need Fisher's test where expected counts are small, "
                         "which the methods do not mention"))
        else:
            verdict = "inconsistent"
            detail = ("no single rule explains all printed p-values; misses per rule: "
                      + " | ".join(f"{n}: {', '.join(m)}" for n, m in misses.items())
                      + f". The methods state: {stated_txt}")
        out.append(Finding(
            id="test.categorical.rule", check="categorical tests",
            where=(study.methods_tests["categorical"].where if stated else "methods"),
            claim=f"one test rule produced the {len(per_table)} categorical p-values",
            published=stated.value if stated else None,
            recomputed=winners, verdict=verdict, detail=detail,
        ))
    return out


def check_continuous_tests(study: Study) -> list[Finding]:
    """Printed p-values of continuous comparisons: not recomputable from summaries (said so)."""
    out = []
    stated = study.methods_tests.get("continuous_nonnormal")
    for t, row in _rows_with_p(study):
        if row.kind == "categorical":
            continue
        test = ", ".join(stated.value) if stated else "a rank or t test"
        out.append(Finding(
            id=f"test.continuous:{t.id}:{row.variable}", check="categorical tests",
            where=t.where(row, column="p"),
            claim=f"p = {row.p.raw} for {row.variable} ({test})",
            published=row.p.raw, recomputed=None, verdict="not-reproducible",
            detail=("a rank test needs the data, not its median and quartiles; "
                    "a synthetic cohort that reproduces these summaries allows a re-run"),
        ))
    return out


CHECKS = [check_categorical_tests, check_continuous_tests]
