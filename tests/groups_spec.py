"""A constructed spec_version 2 study with the forms of issue 22: three outcome groups (N0, N1, N2),
row percentages, a skewed mean ± SD row, printed test statistics, a polytomous regression table next
to a univariable one, a count over two cohorts, AUCs with and without event groups and cohort,
misprinted cells and CIs. The printed numbers are derived here from the counts (rounded as a paper
prints them), so the spec is right by construction except where a test plants an error."""

from __future__ import annotations

import copy

from scipy import stats

#: level -> counts in (N0, N1, N2) for the 'Smoking' row of the training table
SMOKING = {"Never": (40, 12, 6), "Former": (22, 14, 9), "Current": (8, 9, 10)}
GROUPS = ("n0", "n1", "n2")


def _row_pct(counts: dict[str, tuple[int, ...]], decimals: int = 1) -> dict[str, dict[str, str]]:
    """Cells printed as row percentages (each count over its level's total across the groups)."""
    out = {}
    for level, cs in counts.items():
        tot = sum(cs)
        out[level] = {g: f"{c} ({100 * c / tot:.{decimals}f})" for g, c in zip(GROUPS, cs)}
    return out


def _pearson(counts: dict[str, tuple[int, ...]]) -> tuple[float, int]:
    res = stats.chi2_contingency([list(v) for v in counts.values()], correction=False)
    return float(res[0]), int(res[2])


def _anova_f(groups: list[tuple[float, float, int]]) -> float:
    """One-way ANOVA F from means, SDs and sizes (between / within mean squares)."""
    n = sum(g[2] for g in groups)
    grand = sum(m * k for m, _, k in groups) / n
    between = sum(k * (m - grand) ** 2 for m, _, k in groups) / (len(groups) - 1)
    within = sum((k - 1) * s**2 for _, s, k in groups) / (n - len(groups))
    return between / within


def groups_spec() -> dict:
    sizes = [sum(v[j] for v in SMOKING.values()) for j in range(3)]
    cells = _row_pct(SMOKING)
    chi2, df = _pearson(SMOKING)
    p_chi2 = stats.chi2.sf(round(chi2, 2), df)
    age = {"v0": (61.2, 9.1, 30), "v1": (63.0, 8.7, 18), "v2": (66.9, 9.9, 12)}
    f_val = round(_anova_f(list(age.values())), 2)
    p_f = stats.f.sf(f_val, 2, 57)
    return copy.deepcopy(
        {
            "spec_version": 2,
            "study": {"id": "groups3", "citation": "constructed for tests (issue 22 forms)"},
            "cohorts": [
                {"id": "training", "label": "training cohort"},
                {"id": "validation", "label": "validation cohort"},
            ],
            "outcome": {"groups": {"N0": "no nodal metastasis", "N1": "N1", "N2": "N2"}},
            "stated_counts": [
                {
                    "quantity": "patients",
                    "value": str(sum(sizes)),
                    "where": "Methods",
                    "cohort": "training",
                },
                {"quantity": "patients", "value": "60", "where": "Methods", "cohort": "validation"},
                {
                    "quantity": "patients",
                    "value": str(sum(sizes) + 60),
                    "where": "Abstract",
                    "sum_of_cohorts": ["training", "validation"],
                },
            ],
            "tables": [
                {
                    "id": "t1",
                    "title": "Table 1 Patients by nodal stage",
                    "unit": "patient",
                    "cohort": "training",
                    "groups": [
                        {"id": g, "label": g.upper(), "n": n, "outcome_group": g.upper()}
                        for g, n in zip(GROUPS, sizes)
                    ],
                    "rows": [
                        {
                            "variable": "Smoking",
                            "kind": "categorical",
                            "p": f"{p_chi2:.2e}".replace("e-0", "E-0"),
                            "statistic": {"name": "chi2", "value": f"{chi2:.2f}", "df": str(df)},
                            "levels": [{"level": lv, "cells": cells[lv]} for lv in SMOKING],
                        },
                        {
                            "variable": "Pack-years",
                            "kind": "mean_sd",
                            "p": "0.001",
                            "cells": {"n0": "6.1 ± 14.2", "n1": "9.8 ± 19.5", "n2": "12.4 ± 22.0"},
                        },
                    ],
                },
                {
                    "id": "t2",
                    "title": "Table 2 Validation cohort",
                    "unit": "patient",
                    "cohort": "validation",
                    "groups": [
                        {"id": "v0", "label": "N0", "n": 30, "outcome_group": "N0"},
                        {"id": "v1", "label": "N1", "n": 18, "outcome_group": "N1"},
                        {"id": "v2", "label": "N2", "n": 12, "outcome_group": "N2"},
                    ],
                    "rows": [
                        {
                            "variable": "Age",
                            "kind": "mean_sd",
                            "p": f"{p_f:.3f}",
                            "statistic": {
                                "name": "F",
                                "value": f"{f_val:.2f}",
                                "df1": "2",
                                "df2": "57",
                            },
                            "cells": {g: f"{m} ± {s}" for g, (m, s, _) in age.items()},
                        }
                    ],
                },
            ],
            "regression": [
                {
                    "id": "uni",
                    "title": "Table 3 Univariable analysis",
                    "unit": "patient",
                    "cohort": "training",
                    "kind": "univariable",
                    "event_groups": ["N1", "N2"],
                    "reference_groups": ["N0"],
                    "rows": [
                        {
                            "variable": "Age",
                            "univariable": {"estimate_ci": "1.32 [1.05, 1.65]", "p": "0.018"},
                        },
                        {
                            "variable": "Clinical N stage",
                            "levels": [
                                {"level": "cN0", "reference": True},
                                {
                                    "level": "cN1",
                                    "univariable": {
                                        "estimate_ci": "4.10 (2.20–7.64)",
                                        "p": "<0.001",
                                    },
                                },
                                {
                                    "level": "cN2",
                                    "univariable": {
                                        "estimate_ci": "9.80 (4.31–22.28)",
                                        "p": "5.87 × 10−5",
                                    },
                                },
                            ],
                        },
                    ],
                },
                {
                    "id": "multi",
                    "title": "Table 4 Multinomial model",
                    "unit": "patient",
                    "cohort": "training",
                    "kind": "final",
                    "outcome_levels": ["N1", "N2"],
                    "reference_outcome": "N0",
                    "event_groups": ["N1", "N2"],
                    "reference_groups": ["N0"],
                    "final_model": {"variables": ["Age", "Smoking"], "where": "Table 4"},
                    "rows": [
                        {
                            "variable": "Age",
                            "outcome_levels": {
                                "N1": {"estimate_ci": "1.21 (1.02–1.44)", "p": "0.030"},
                                "N2": {"estimate_ci": "0.7910.636-0.946)", "p": "0.010"},
                            },
                        },
                        {
                            "variable": "Smoking",
                            "outcome_levels": {
                                "N1": {"estimate_ci": "1.32 (1.05~1.65)", "p": "0.018"},
                                "N2": {"estimate_ci": "2.10 (1.30–3.39)", "p": "0.002"},
                            },
                        },
                    ],
                },
            ],
            "significance_claims": [
                {
                    "where": "Results",
                    "quote": "clinical N stage was an independent predictor",
                    "table": "uni",
                    "claim": "significant",
                    "variables": ["Clinical N stage"],
                },
                {
                    "where": "Results",
                    "quote": "smoking differed by nodal stage (χ2 = ...)",
                    "table": "t1",
                    "claim": "significant",
                    "variables": ["Smoking"],
                    "statistic": {"name": "chi2", "value": f"{chi2:.2f}", "df": str(df)},
                },
            ],
            "auc": [
                {
                    "model": "nomogram",
                    "kind": "apparent",
                    "estimate": "0.812",
                    "ci": "0.746, 0. 878",
                    "where": "Figure 3",
                    "cohort": "training",
                    "event_groups": ["N2"],
                    "reference_groups": ["N0", "N1"],
                },
                {
                    "model": "nomogram",
                    "kind": "validation",
                    "estimate": "0.790",
                    "ci": "0.671–0.909",
                    "where": "Figure 4",
                    "cohort": "validation",
                },
                {"model": "nomogram", "kind": "apparent", "estimate": "0.812", "where": "Abstract"},
            ],
            "diagnostic_accuracy": [
                {
                    "model": "nomogram",
                    "cohort": "validation",
                    "where": "Table 5",
                    "sensitivity": "80.0",
                    "specificity": "70.0",
                }
            ],
        }
    )
