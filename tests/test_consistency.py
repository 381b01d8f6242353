"""GRIM and CI-implied p-values (stats/consistency.py)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nenaudit.stats.consistency import grim, implied_p_from_ratio_ci


def test_grim_worked_example_brown_heathers():
    # Brown & Heathers (2017), doi:10.1177/1948550616673876, introduce GRIM with a mean of
    # 5.19 from 28 integer responses: 145/28 = 5.179 and 146/28 = 5.214, so 5.19 is impossible.
    assert not grim(5.19, 2, 28).consistent
    assert grim(5.18, 2, 28).consistent


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 500), total=st.integers(0, 50_000), decimals=st.integers(0, 3))
def test_grim_accepts_every_true_mean(n, total, decimals):
    mean = round(total / n, decimals)
    assert grim(mean, decimals, n).consistent


@settings(max_examples=200, deadline=None)
@given(log_or=st.floats(-3, 3), se=st.floats(0.05, 2))
def test_implied_p_round_trips_a_wald_ci(log_or, se):
    z = stats.norm.ppf(0.975)
    est, lo, hi = math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)
    res = implied_p_from_ratio_ci(est, lo, hi)
    assert math.isclose(res.se_log, se, rel_tol=1e-9)  # exact algebra up to float rounding
    assert math.isclose(res.p_symmetric, 2 * stats.norm.sf(abs(log_or) / se), rel_tol=1e-7, abs_tol=1e-300)
    assert math.isclose(res.log_asymmetry, 1.0, rel_tol=1e-6) or log_or == 0


def test_grim_skips_large_n_without_enumerating():
    # GRIM can fail only when n * items < 10**decimals (Brown & Heathers 2017): for n = 10**10 and one
    # decimal every mean is attainable; the old code enumerated 10**9 totals (8.9 GB) to find that out.
    res = grim(45.3, 1, 10**10)
    assert res.consistent and not res.applicable and len(res.nearest_totals) == 1
    assert grim(5.19, 2, 99).applicable and not grim(5.19, 2, 100).applicable
    for n in (100, 101, 250, 999):  # the skip never hides an inconsistency: some total rounds to any mean
        for mean in (5.19, 0.01, 3.33):
            t = round(mean * n)
            assert any(round(k / n, 2) == mean for k in (t - 1, t, t + 1))


def test_grim_finding_says_why_it_was_skipped():
    from nenaudit.study.builders import two_group_spec

    from nenaudit.audit import arithmetic
    from nenaudit.study.schema import validate

    raw = two_group_spec([[300, 400], [500, 600]])
    raw["tables"][0]["rows"].append({"variable": "Age", "kind": "mean_sd", "integer_valued": True,
                                     "cells": {"a": "5.2 ± 1.0", "b": "5.19 ± 1.00"}})
    found = {f.id: f for f in arithmetic.check_grim(validate(raw))}
    a, b = found["arith.grim:t:Age:a"], found["arith.grim:t:Age:b"]
    assert a.verdict == "note" and "GRIM skipped" in a.detail and "Brown & Heathers" in a.detail
    assert b.verdict == "note"  # n = 1,100 >= 100 for two decimals
