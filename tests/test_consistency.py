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
    assert math.isclose(
        res.p_symmetric, 2 * stats.norm.sf(abs(log_or) / se), rel_tol=1e-7, abs_tol=1e-300
    )
    assert math.isclose(res.log_asymmetry, 1.0, rel_tol=1e-6) or log_or == 0


def test_grim_skips_large_n_without_enumerating():
    # GRIM can fail only when n * items < 10**decimals (Brown & Heathers 2017): for n = 10**10 and one
    # decimal every mean is attainable; the old code enumerated 10**9 totals (8.9 GB) to find that out.
    res = grim(45.3, 1, 10**10)
    assert res.consistent and not res.applicable and len(res.nearest_totals) == 1
    assert grim(5.19, 2, 99).applicable and not grim(5.19, 2, 100).applicable
    for n in (
        100,
        101,
        250,
        999,
    ):  # the skip never hides an inconsistency: some total rounds to any mean
        for mean in (5.19, 0.01, 3.33):
            t = round(mean * n)
            assert any(round(k / n, 2) == mean for k in (t - 1, t, t + 1))


def test_grim_finding_says_why_it_was_skipped():
    from nenaudit.audit import arithmetic
    from nenaudit.builders import two_group_spec
    from nenaudit.study.schema import validate

    raw = two_group_spec([[300, 400], [500, 600]])
    raw["tables"][0]["rows"].append(
        {
            "variable": "Age",
            "kind": "mean_sd",
            "integer_valued": True,
            "cells": {"a": "5.2 ± 1.0", "b": "5.19 ± 1.00"},
        }
    )
    found = {f.id: f for f in arithmetic.check_grim(validate(raw))}
    a, b = found["arith.grim:t:Age:a"], found["arith.grim:t:Age:b"]
    assert a.verdict == "note" and "GRIM skipped" in a.detail and "Brown & Heathers" in a.detail
    assert b.verdict == "note"  # n = 1,100 >= 100 for two decimals


# ---------------------------------------------------------------- printed statistics and percentages (issue 22)
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nenaudit.stats.consistency import p_from_statistic, percent_table, statistic_p_range  # noqa: E402

_STATS = [
    ("chi2", 12.3, (2,)),
    ("chi2", 0.004, (1,)),
    ("chi2", 85.1, (6,)),
    ("t", -2.1, (30,)),
    ("t", 5.44, (117.3,)),
    ("F", 3.2, (2, 40)),
    ("F", 0.41, (4, 211)),
    ("z", 1.96, ()),
    ("z", -7.3, ()),
]


@pytest.mark.parametrize("name, x, df", _STATS)
def test_p_from_statistic_is_r_pchisq_pt_pf_pnorm(R, name, x, df):
    R.source("consistency.R")
    want = R.to_py(R.call("ref_p_from_statistic", name, float(x), R.fvec([float(d) for d in df])))
    # the same distribution functions (R's nmath and scipy's cephes/boost): agreement to ~1e-12 relative
    assert math.isclose(p_from_statistic(name, x, df), float(want), rel_tol=1e-10, abs_tol=1e-300)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["chi2", "t", "F", "z"]),
    x=st.floats(0, 40),
    d1=st.integers(1, 30),
    d2=st.integers(2, 500),
)
def test_statistic_p_range_brackets_the_p_at_the_printed_value(name, x, d1, d2):
    df = {"chi2": (d1,), "t": (d2,), "F": (d1, d2), "z": ()}[name]
    r = statistic_p_range(name, x, 0.005, df)
    assert r.p_min <= r.p <= r.p_max  # p is monotone in |x| on the rounding interval
    assert r.p_min == pytest.approx(p_from_statistic(name, x + 0.005, df), rel=1e-12, abs=1e-300)


@settings(max_examples=15, deadline=None)
@given(
    m=st.lists(st.lists(st.integers(0, 120), min_size=3, max_size=3), min_size=2, max_size=4),
    how=st.sampled_from(["column", "row", "total"]),
)
def test_percent_table_is_r_prop_table(R, m, how):
    a = np.array(m, dtype=float)
    a[:, 0] += 1  # no empty level or group: every reading has a positive denominator
    a[0, :] += 1
    R.source("consistency.R")
    want = np.asarray(R.call("ref_percent_table", R.matrix(a), how))
    # the same arithmetic (one division, one product): equal to the last bit or one ulp
    np.testing.assert_allclose(percent_table(a, how), want, rtol=1e-14)


def test_skewness_signal_follows_altman_bland_in_its_strict_form():
    from nenaudit.stats.consistency import skewness_signal

    # Altman & Bland (BMJ 1996;313:1200): mean < 2 SD of a non-negative variable signals skew;
    # the audit acts only when the SD exceeds 0.75 of the mean
    assert skewness_signal(6.1, 14.2) and "exceeds" in skewness_signal(6.1, 14.2)
    assert skewness_signal(10.0, 8.0) and "below 0" in skewness_signal(10.0, 8.0)
    assert skewness_signal(10.0, 7.0) is None  # mean < 2 SD, but not far below 0
    assert skewness_signal(61.9, 11.2) is None and skewness_signal(-1.0, 5.0) is None


@pytest.mark.parametrize("m", [1.5, 4.0, 20.0, 44.0, 68.6, 500.0, 40000.0])
def test_poisson_lr_log_asymmetry_is_r_uniroot(R, m):
    from nenaudit.stats.consistency import poisson_lr_log_asymmetry

    R.source("consistency.R")
    want = float(R.to_py(R.call("ref_poisson_lr_log_asymmetry", m)))
    # two root finders to 1e-14 on a smooth monotone function: agreement to ~1e-9 relative
    assert math.isclose(poisson_lr_log_asymmetry(m), want, rel_tol=1e-9)
    assert 0 < want < 1


@pytest.mark.parametrize(
    "e, lo, hi, half",
    [
        (0.52, 0.38, 0.61, 0.005),
        (0.93, 0.68, 1.23, 0.005),
        (1.75, 1.25, 2.45, 0.005),
        (3.1, 1.4, 6.9, 0.05),
    ],
)
def test_ratio_ci_shape_log_centre_is_r(R, e, lo, hi, half):
    from nenaudit.stats.consistency import ratio_ci_shape

    R.source("consistency.R")
    want = np.asarray(R.to_py(R.call("ref_log_centre_range", lo, hi, half)), dtype=float)
    sh = ratio_ci_shape(e, lo, hi, half_units=(half, half, half))
    np.testing.assert_allclose(sh.centre_range, want, rtol=1e-13)
    assert sh.wald_fits == (want[0] <= e + half and e - half <= want[1])


@settings(max_examples=60, deadline=None)
@given(log_or=st.floats(-3, 3), se=st.floats(0.02, 1.2), digits=st.integers(2, 3))
def test_a_rounded_wald_ci_always_fits_and_a_shifted_estimate_does_not(log_or, se, digits):
    from nenaudit.stats.consistency import ratio_ci_shape

    z = stats.norm.ppf(0.975)
    e, lo, hi = (round(math.exp(x), digits) for x in (log_or, log_or - z * se, log_or + z * se))
    half = 0.5 * 10**-digits
    if not (0 < lo < e < hi) or lo - half <= 0:
        return
    assert ratio_ci_shape(e, lo, hi, half_units=(half,) * 3).wald_fits
    # an estimate moved by more than the rounding can explain, and more than a likelihood-ratio CI with
    # 1/se^2 events can be asymmetric, is neither Wald nor likelihood-ratio
    # (only where the printed CI spans at least 10 units of its last digit: a narrower CI printed to 2 places
    # can round the shifted estimate back onto the printed one, e.g. 0.06 (0.05-0.07), and nothing is shifted)
    far = round(math.exp(log_or + 0.45 * (math.log(hi) - math.log(lo))), digits)
    if far < hi and hi - lo >= 20 * half:
        sh = ratio_ci_shape(far, lo, hi, half_units=(half,) * 3)
        assert not sh.wald_fits and not sh.lr_fits


@pytest.mark.parametrize(
    "est, se, he, hs",
    [(0.832, 0.062, 0.0005, 0.0005), (0.763, 0.11, 0.0005, 0.005), (0.5, 0.2, 0, 0)],
)
def test_wald_ci_bound_ranges_are_r_qnorm_corners(R, est, se, he, hs):
    from nenaudit.stats.discrimination import wald_ci_bound_ranges

    R.source("consistency.R")
    want = np.asarray(R.to_py(R.call("ref_wald_ci_bound_ranges", est, se, he, hs)), dtype=float)
    lo, hi = wald_ci_bound_ranges(est, se, he, hs)
    np.testing.assert_allclose([*lo, *hi], want, rtol=1e-13)


# ------------------------------------------------------------------ a printed 0 (a bound that rounds to zero)
@settings(max_examples=100, deadline=None)
@given(log_or=st.floats(math.log(0.001), 1), wider=st.floats(0, 2))
def test_a_lower_bound_that_rounds_to_zero_leaves_the_upper_half(log_or, wider):
    # a Wald CI whose lower bound is printed as 0.000 (below 0.0004), its estimate at least 0.001: the p comes
    # from the upper half of the CI alone, and it is the Wald p of the unrounded CI (a Wald CI is symmetric on
    # the log scale)
    from nenaudit.stats.consistency import ratio_ci_shape

    z = stats.norm.ppf(0.975)
    se = (log_or - math.log(0.0004)) / z + wider
    est, lo, hi = math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)
    half = 0.0005
    whole = implied_p_from_ratio_ci(est, lo, hi)
    res = implied_p_from_ratio_ci(est, 0.0, hi, half_units=(0.0, half, 0.0))
    assert res.rounds_to_zero == "lower" and math.isnan(res.log_asymmetry)
    assert math.isclose(res.se_log, whole.se_log, rel_tol=1e-9)
    assert math.isclose(res.p_symmetric, whole.p_symmetric, rel_tol=1e-7, abs_tol=1e-300)
    assert res.p_near_side == res.p_symmetric
    rounded = implied_p_from_ratio_ci(est, 0.0, hi, half_units=(half, half, half))
    assert rounded.p_min <= res.p_symmetric <= rounded.p_max
    sh = ratio_ci_shape(est, 0.0, hi, half_units=(half, half, half))
    assert sh.rounds_to_zero == "lower" and sh.centre_range[0] == 0.0
    assert (
        sh.wald_fits and sh.lr_fits
    )  # the true lower bound is inside (0, half): the log-centre can be est


def test_an_estimate_that_rounds_to_zero_implies_no_p_and_an_unrounded_zero_is_refused():
    from nenaudit.stats.consistency import ratio_ci_shape

    h = (0.0005,) * 3
    res = implied_p_from_ratio_ci(0.0, 0.0, 0.018, half_units=h)
    assert res.rounds_to_zero == "estimate"
    assert all(math.isnan(v) for v in (res.p_symmetric, res.p_near_side, res.p_min, res.p_max))
    sh = ratio_ci_shape(0.0, 0.0, 0.018, half_units=h)
    assert sh.rounds_to_zero == "estimate" and sh.min_count == 0.0
    # a 0 that is not a rounded number (no half unit) is not a ratio: a caller's error
    with pytest.raises(ValueError, match="rounds to zero"):
        implied_p_from_ratio_ci(0.002, 0.0, 0.018)
    with pytest.raises(ValueError, match="rounds to zero"):
        ratio_ci_shape(0.002, 0.0, 0.018)


def test_the_audit_reports_a_ci_whose_lower_bound_prints_as_zero():
    # hypothesis found nenaudit.strategies.study_specs drawing log OR -6, SE 1: '0.002 (0.000-0.018)', p
    # '<0.001', on which the audit raised ValueError; it is a finding
    from nenaudit.audit.run import run_audit
    from nenaudit.builders import consistent_spec
    from nenaudit.study.schema import validate

    raw = consistent_spec([[[3, 4], [5, 6]]], ratios=[(-6.0, 1.0)])
    cell = raw["regression"]["rows"][0]["univariable"]
    assert cell["estimate_ci"].startswith("0.002 (0.000")  # the case itself
    fid = "triple.implied_p:Z1:univariable"
    f = {f.id: f for f in run_audit(validate(raw))}[fid]
    assert (
        f.verdict == "consistent"
        and "lower bound 0.000 rounds to zero: p from the upper half" in f.detail
    )
    cell["estimate_ci"] = "0.000 (0.000–0.018)"
    f = {f.id: f for f in run_audit(validate(raw))}[fid]
    assert f.verdict == "note" and "rounds to zero" in f.detail and "not checked" in f.detail
    del cell["p"]  # no p: the CI's shape, with the same zero
    cell["estimate_ci"] = "0.010 (0.000–0.018)"
    f = {f.id: f for f in run_audit(validate(raw))}[fid]
    assert f.verdict == "note" and "rounds to zero" in f.detail
