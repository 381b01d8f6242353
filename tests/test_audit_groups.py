"""The audit on the forms of issue 22: row percentages, more than two outcome groups, skewed rows,
printed test statistics, polytomous and several regression tables, counts over cohorts, p-values in
scientific notation, misprinted cells and CIs. The constructed spec is tests/groups_spec.py."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from groups_spec import SMOKING, groups_spec
from nenaudit.audit import arithmetic, auc, categorical, design
from nenaudit.audit.run import run_audit
from nenaudit.exceptions import SpecError
from nenaudit.stats.consistency import p_from_statistic, statistic_p_range
from nenaudit.study.schema import (
    parse_count_pct,
    parse_estimate_ci,
    parse_interval,
    parse_p,
    validate,
)


def by_id(findings, fid):
    hit = [f for f in findings if f.id == fid]
    assert len(hit) == 1, (fid, [f.id for f in findings])
    return hit[0]


@pytest.fixture(scope="module")
def findings():
    return run_audit(validate(groups_spec()))


# ------------------------------------------------------------------ printed forms
@pytest.mark.parametrize(
    "text, value, decimals, comp",
    [
        ("5.87 × 10−5", 5.87e-5, 7, "="),
        ("5.87 * 10^-5", 5.87e-5, 7, "="),
        ("5.87E-05", 5.87e-5, 7, "="),
        ("5.87e-5", 5.87e-5, 7, "="),
        ("<2.2e-16", 2.2e-16, 17, "<"),
        ("p < 0.001", 0.001, 3, "<"),
        ("P = 0.03", 0.03, 2, "="),
        ("1.2 x 10^-3", 1.2e-3, 4, "="),
    ],
)
def test_p_values_as_papers_print_them(text, value, decimals, comp):
    p = parse_p(text)
    assert not p.malformed and p.comparator == comp and p.decimals == decimals
    assert math.isclose(p.value, value, rel_tol=1e-12)
    assert p.agrees(value)


def test_cells_and_cis_load_as_printed():
    est, ci = parse_estimate_ci("0.7910.636-0.946)", "x")
    assert (est.raw, ci.lo.raw, ci.hi.raw, ci.misprint) == ("0.791", "0.636", "0.946", True)
    est, ci = parse_estimate_ci("1.32 [1.05, 1.65]", "x")
    assert (est.raw, ci.lo.raw, ci.hi.raw, ci.misprint) == ("1.32", "1.05", "1.65", False)
    assert (parse_interval("1.05~1.65", "x").hi.raw, parse_interval("1.05~1.65", "x").misprint) == (
        "1.65",
        False,
    )
    iv = parse_interval("0.746, 0. 896", "x")
    assert (iv.lo.raw, iv.hi.raw, iv.misprint) == ("0.746", "0.896", True)
    c = parse_count_pct("42.9 (21/49)", "x")
    assert (c.count, c.denominator, c.percent.raw, c.misprint) == (
        21,
        49,
        "42.9",
        False,
    ) and c.reading
    with pytest.raises(SpecError):
        parse_estimate_ci("1.32 (1.05 1.65)", "x")  # no separator: not readable


def test_misprints_become_typesetting_findings(findings):
    f = by_id(findings, "typesetting:multi:Age [N2]:multivariable")
    assert f.verdict == "inconsistent" and "0.791 (0.636–0.946)" in f.detail
    assert by_id(findings, "typesetting:auc:0").verdict == "inconsistent"
    # and the misprinted values are audited as read
    assert by_id(findings, "triple.ci_vs_p:multi:Age [N2]:multivariable").verdict == "consistent"


# ------------------------------------------------------------------ row percentages
def test_row_percentages_give_one_note_and_flag_only_misrounded_cells():
    raw = groups_spec()
    lv = raw["tables"][0]["rows"][0]["levels"][0]
    lv["cells"]["n1"] = lv["cells"]["n1"].replace(
        "(20.7)", "(20.9)"
    )  # one misrounded row percentage
    fs = [
        f for f in arithmetic.check_percentages(validate(raw)) if f.id.startswith("arith.percent")
    ]
    notes = [f for f in fs if f.verdict == "note"]
    assert (
        len(notes) == 1
        and notes[0].id == "arith.percent_of:t1"
        and "row percentages" in notes[0].detail
    )
    assert [f.id for f in fs if f.verdict == "inconsistent"] == [
        "arith.percent:t1:Smoking:Never:n1"
    ]


def test_declared_row_percentages_need_no_note():
    raw = groups_spec()
    raw["tables"][0]["percent_of"] = "row"
    fs = arithmetic.check_percentages(validate(raw))
    assert not [f for f in fs if f.verdict != "consistent"]
    raw["tables"][0]["percent_of"] = "rows"
    with pytest.raises(SpecError, match=r"percent_of"):
        validate(raw)


def test_row_percentage_reading_counts_match_r(R):
    """The note's count of agreeing cells per reading equals R's count over the same printed matrix."""
    R.source("consistency.R")
    m = np.array(list(SMOKING.values()), dtype=float)
    printed = np.round(
        100 * m / m.sum(axis=1, keepdims=True), 1
    )  # the cells of groups_spec (row %, 1 decimal)
    want = R.to_py(R.call("ref_percent_agrees", R.matrix(m), R.matrix(printed), 1))
    note = by_id(arithmetic.check_percentages(validate(groups_spec())), "arith.percent_of:t1")
    want = dict(want) if isinstance(want, dict) else dict(zip(("column", "row", "total"), want))
    assert note.recomputed == {k: int(v) for k, v in want.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(
        st.lists(st.integers(0, 300), min_size=2, max_size=4), min_size=2, max_size=5
    ).filter(lambda m: len({len(r) for r in m}) == 1),
    decimals=st.integers(0, 2),
)
def test_any_row_percentage_table_is_recognised_and_never_flagged(counts, decimals):
    m = np.array(counts)
    assume((m.sum(axis=1) > 0).all() and (m.sum(axis=0) > 0).all())
    gids = [f"g{j}" for j in range(m.shape[1])]
    rowp = 100 * m / m.sum(axis=1, keepdims=True)
    table = {
        "id": "t",
        "title": "Table 1",
        "unit": "patient",
        "groups": [{"id": g, "label": g, "n": int(m[:, j].sum())} for j, g in enumerate(gids)],
        "rows": [
            {
                "variable": "X",
                "kind": "categorical",
                "levels": [
                    {
                        "level": f"L{i}",
                        "cells": {
                            g: f"{m[i, j]} ({rowp[i, j]:.{decimals}f})" for j, g in enumerate(gids)
                        },
                    }
                    for i in range(m.shape[0])
                ],
            }
        ],
    }
    fs = arithmetic.check_percentages(
        validate({"spec_version": 2, "study": {"id": "p", "citation": "c"}, "tables": [table]})
    )
    assert not [f for f in fs if f.verdict == "inconsistent"], [
        f.detail for f in fs if f.verdict == "inconsistent"
    ]
    notes = [f for f in fs if f.verdict == "note"]
    # recognised: either the default (column) reading already fits every cell, or one note names row percentages
    assert len(notes) <= 1
    assert all(f.verdict == "consistent" for f in fs) or "row percentages" in notes[0].detail


# ------------------------------------------------------------------ more than two outcome groups
def test_three_group_auc_epv_and_sample_size_use_the_named_groups(findings):
    a = by_id(findings, "auc.ci:nomogram:apparent:0")  # N2 vs N0 + N1 as the spec names them
    n0, n1, n2 = (sum(v[j] for v in SMOKING.values()) for j in range(3))
    assert all(f"({n2} vs {n0 + n1})" in k for k in a.recomputed["predicted_ci"])
    epv = by_id(
        findings, "design.epv:clinical candidates (regression table, one df per printed estimate)"
    )
    assert epv.claim.startswith(f"{n1 + n2} events (N1+N2 vs N0")
    ss = by_id(findings, "design.sample_size:final model predictors")
    assert f"prevalence {(n1 + n2) / (n0 + n1 + n2):.3f}" in ss.detail


def test_three_groups_without_event_groups_are_not_reproducible_naming_the_field(findings):
    for fid in ("auc.ci:nomogram:validation:1", "diagnostic:nomogram:0"):
        f = by_id(findings, fid)
        assert f.verdict == "not-reproducible" and "event_groups" in f.detail
    raw = groups_spec()
    for reg in raw["regression"]:
        reg.pop("event_groups"), reg.pop("reference_groups")
    fs = design.check_events_per_variable(validate(raw)) + design.check_sample_size(validate(raw))
    assert fs and all(f.verdict == "not-reproducible" and "event_groups" in f.detail for f in fs)


def test_event_groups_must_be_outcome_groups():
    raw = groups_spec()
    raw["auc"][0]["event_groups"] = ["N3"]
    with pytest.raises(
        SpecError, match=r"spec\.auc\[0\]\.event_groups: 'N3' is not an outcome group"
    ):
        validate(raw)
    raw["auc"][0]["event_groups"] = ["N2"]
    raw["auc"][0]["reference_groups"] = ["N2"]
    with pytest.raises(SpecError, match="both an event group and a reference group"):
        validate(raw)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(5, 200), min_size=3, max_size=5), data=st.data())
def test_a_k_group_table_never_pairs_groups_the_spec_did_not_name(sizes, data):
    ids = [f"G{i}" for i in range(len(sizes))]
    named = data.draw(st.sets(st.sampled_from(ids), min_size=1, max_size=len(ids) - 1))
    raw = {
        "spec_version": 2,
        "study": {"id": "k", "citation": "c"},
        "tables": [
            {
                "id": "t",
                "title": "Table 1",
                "unit": "patient",
                "groups": [
                    {"id": g, "label": g, "n": n, "outcome_group": g} for g, n in zip(ids, sizes)
                ],
                "rows": [],
            }
        ],
        "auc": [
            {
                "model": "m",
                "kind": "apparent",
                "estimate": "0.800",
                "ci": "0.700–0.900",
                "where": "Fig",
            },
            {
                "model": "m2",
                "kind": "apparent",
                "estimate": "0.800",
                "ci": "0.700–0.900",
                "where": "Fig",
                "event_groups": sorted(named),
            },
        ],
    }
    fs = auc.check_auc_ci(validate(raw))
    unnamed, named_f = fs
    assert unnamed.verdict == "not-reproducible" and unnamed.recomputed["predicted_ci"] == {}
    ev = sum(n for g, n in zip(ids, sizes) if g in named)
    assert named_f.recomputed["predicted_ci"] and all(
        f"({ev} vs {sum(sizes) - ev})" in k for k in named_f.recomputed["predicted_ci"]
    )


# ------------------------------------------------------------------ skewed rows
def test_skewed_mean_sd_row_is_not_reproducible_with_the_reason(findings):
    f = by_id(findings, "test.continuous:t1:Pack-years")
    assert f.verdict == "not-reproducible" and "SD 14.2 exceeds the mean 6.1" in f.detail
    raw = groups_spec()
    raw["tables"][0]["rows"][1]["test"] = (
        "anova"  # the paper names ANOVA: a mismatch stays a mismatch
    )
    f = by_id(categorical.check_continuous_tests(validate(raw)), "test.continuous:t1:Pack-years")
    assert f.verdict == "inconsistent"


# ------------------------------------------------------------------ printed test statistics
def test_printed_statistics_against_p_and_counts(findings):
    for fid in (
        "test.statistic:t1:Smoking",
        "test.statistic:t1:Smoking:counts",
        "test.statistic:t2:Age",
        "test.statistic:t2:Age:summaries",
        "test.statistic:claim:1",
    ):
        assert by_id(findings, fid).verdict == "consistent", by_id(findings, fid).detail
    raw = groups_spec()
    raw["tables"][0]["rows"][0]["statistic"]["df"] = "3"  # a 3 x 3 table has 4 df
    fs = categorical.check_test_statistics(validate(raw))
    assert by_id(fs, "test.statistic:t1:Smoking:counts").verdict == "inconsistent"
    assert (
        by_id(fs, "test.statistic:t1:Smoking").verdict == "inconsistent"
    )  # p of chi2 on 3 df is not the p printed
    bad = groups_spec()
    bad["tables"][0]["rows"][0]["statistic"] = {"name": "F", "value": "2.1", "df1": "2"}
    with pytest.raises(SpecError, match=r"statistic\.df2"):
        validate(bad)


_DF = {
    "chi2": st.tuples(st.integers(1, 20)),
    "t": st.tuples(st.integers(2, 400)),
    "F": st.tuples(st.integers(1, 10), st.integers(5, 400)),
    "z": st.just(()),
}


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(sorted(_DF)), x=st.floats(0.05, 30), dec=st.integers(1, 3), data=st.data()
)
def test_a_statistic_and_the_p_it_implies_agree_and_a_p_off_by_more_than_rounding_does_not(
    name, x, dec, data
):
    df = data.draw(_DF[name])
    xs = f"{x:.{dec}f}"
    p = p_from_statistic(name, float(xs), df)
    assume(p >= 1e-4)
    printed = f"{p:.4f}"
    row = {
        "variable": "X",
        "kind": "median_iqr",
        "p": printed,
        "cells": {"a": "1 (0, 2)", "b": "1 (0, 2)"},
        "statistic": {
            "name": name,
            "value": xs,
            **{
                k: str(v)
                for k, v in zip(
                    {"chi2": ["df"], "t": ["df"], "F": ["df1", "df2"], "z": []}[name], df
                )
            },
        },
    }
    raw = {
        "spec_version": 2,
        "study": {"id": "s", "citation": "c"},
        "tables": [
            {
                "id": "t",
                "title": "Table 1",
                "unit": "patient",
                "groups": [{"id": "a", "label": "A", "n": 20}, {"id": "b", "label": "B", "n": 20}],
                "rows": [row],
            }
        ],
    }
    assert (
        by_id(categorical.check_test_statistics(validate(raw)), "test.statistic:t:X").verdict
        == "consistent"
    )
    r = statistic_p_range(name, float(xs), 0.5 * 10**-dec, df)
    off = (
        r.p_max + 0.002 if r.p_max + 0.002 <= 1 else r.p_min - 0.002
    )  # beyond the rounding of p and statistic
    assume(0 < off < 1)
    row["p"] = f"{off:.4f}"
    assert (
        by_id(
            categorical.check_test_statistics(validate(copy.deepcopy(raw))), "test.statistic:t:X"
        ).verdict
        == "inconsistent"
    )


# ------------------------------------------------------------------ regression tables, claims, cohorts
def test_several_regression_tables_and_a_polytomous_one_do_not_inflate_candidates():
    s = validate(groups_spec())
    assert [r.id for r in s.regressions] == ["uni", "multi"] and s.regressions[
        1
    ].outcome_levels == ("N1", "N2")
    fs = design.check_events_per_variable(s)
    cand = by_id(
        fs, "design.epv:clinical candidates (regression table, one df per printed estimate)"
    )
    assert cand.published == 3  # Age + 2 levels of clinical N stage in the univariable table
    raw = groups_spec()
    raw["regression"] = [
        raw["regression"][1]
    ]  # the multinomial table alone: 2 rows, 4 printed estimates
    raw["significance_claims"] = raw["significance_claims"][1:]
    cand = [f for f in design.check_events_per_variable(validate(raw)) if "candidates" in f.id][0]
    assert cand.published == 2
    raw["spec_version"] = 1
    with pytest.raises(SpecError, match="spec_version 2"):
        validate(raw)


def test_a_claim_about_a_k_level_predictor_is_judged_on_every_level(findings):
    assert by_id(findings, "claim.significance:uni:Clinical N stage").verdict == "consistent"
    raw = groups_spec()
    raw["regression"][0]["rows"][1]["levels"][1]["univariable"] = {
        "estimate_ci": "1.40 (0.80–2.45)",
        "p": "0.24",
    }
    fs = run_audit(validate(raw))
    assert by_id(fs, "claim.significance:uni:Clinical N stage").verdict == "note"


def test_counts_over_cohorts_and_aucs_without_cohort(findings):
    f = by_id(findings, "design.counts:training+validation:patients")
    assert f.verdict == "consistent" and "sum over" in f.where
    raw = groups_spec()
    raw["stated_counts"][2]["value"] = "191"
    fs = design.check_stated_counts(validate(raw))
    assert by_id(fs, "design.counts:training+validation:patients").verdict == "inconsistent"
    note = by_id(findings, "auc.cohort:nomogram:apparent:2")
    assert note.verdict == "note" and "cohort" in note.detail
    raw["stated_counts"][2]["sum_of_cohorts"] = ["training", "test"]
    with pytest.raises(SpecError, match=r"sum_of_cohorts\[1\]"):
        validate(raw)


def test_univariable_ors_from_a_three_group_table_use_the_named_groups_only():
    from nenaudit.audit.regression import check_univariable_logistic
    from nenaudit.stats.categorical_or import treatment_contrast_ors

    raw = groups_spec()
    reg = raw["regression"][0]
    reg["counts_table"] = "t1"
    reg["rows"].append(
        {
            "variable": "Smoking",
            "levels": [
                {"level": "Never", "reference": True},
                {
                    "level": "Current",
                    "univariable": {"estimate_ci": "5.28 (2.00–14.0)", "p": "<0.001"},
                },
            ],
        }
    )
    fs = check_univariable_logistic(validate(raw))
    f = by_id(fs, "logit.univariable:Smoking: Current")
    ev = [
        SMOKING[lv][1] + SMOKING[lv][2] for lv in ("Never", "Current")
    ]  # N1 + N2, as the spec names them
    ne = [SMOKING[lv][0] for lv in ("Never", "Current")]  # against N0
    want = treatment_contrast_ors(["Never", "Current"], ev, ne, "Never")[0].odds_ratio
    assert f.recomputed["or"] == pytest.approx(want, rel=1e-12)
    assert "the spec names 'N1 + N2' as the event" in by_id(fs, "logit.event_coding").detail
    reg.pop("event_groups"), reg.pop("reference_groups")
    fs = check_univariable_logistic(validate(raw))
    assert fs and all(f.verdict == "not-reproducible" and "event_groups" in f.detail for f in fs)


def test_a_claim_on_a_polytomous_table_is_judged_on_the_outcome_levels_it_names():
    raw = groups_spec()
    raw["significance_claims"].append(
        {
            "where": "Results",
            "quote": "smoking predicted N2",
            "table": "multi",
            "claim": "significant",
            "variables": ["Smoking"],
            "outcome_levels": ["N2"],
        }
    )
    raw["regression"][1]["rows"][1]["outcome_levels"]["N1"]["p"] = (
        "0.40"  # N1 not significant: not claimed
    )
    raw["regression"][1]["rows"][1]["outcome_levels"]["N1"]["estimate_ci"] = "1.10 (0.88–1.38)"
    f = by_id(run_audit(validate(raw)), "claim.significance:multi:Smoking")
    assert f.verdict == "consistent" and f.published == "0.002"
    raw["significance_claims"][-1]["outcome_levels"] = ["N1", "N2"]
    assert by_id(run_audit(validate(raw)), "claim.significance:multi:Smoking").verdict == "note"
    raw["significance_claims"][-1]["outcome_levels"] = ["N3"]
    with pytest.raises(SpecError, match=r"significance_claims\[2\]\.outcome_levels: 'N3'"):
        validate(raw)
