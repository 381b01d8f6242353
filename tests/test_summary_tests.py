"""Tests from printed summaries (stats.summary_tests, stats.categorical_or) against R.

R references: ``reference_r/summary_tests.R`` (base-R G test and linear-by-linear test;
``t.test``, ``oneway.test``, ``aov`` on data constructed to have the printed means and SDs;
``glm`` with treatment contrasts and ``confint``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.stats.categorical_or import treatment_contrast_ors
from nenaudit.stats.contingency import chisq_test
from nenaudit.stats.summary_tests import (
    chisq_p,
    g_test,
    linear_by_linear,
    oneway_from_summary,
    t_test_from_summary,
)

TABLES = [
    np.array([[10, 14], [17, 90]]),  # Feng 2025 Table 2, NSE
    np.array([[3, 10], [16, 36], [4, 9], [4, 49]]),  # Feng 2025 Table 2, Grade
    np.array([[24, 62], [3, 35], [0, 7]]),  # a zero row cell
    np.array([[5, 0, 3], [2, 8, 1], [0, 4, 6]]),  # 3 x 3
]


@pytest.mark.parity
@pytest.mark.parametrize("m", TABLES, ids=lambda m: "x".join(map(str, m.shape)))
def test_g_and_linear_by_linear_match_base_r(R, m):
    R.source("summary_tests.R")
    g = R.to_py(R.call("ref_g_test", R.matrix(m)))
    py = g_test(m)
    # the same closed form in double precision on both sides
    assert py.statistic == pytest.approx(g["statistic"], rel=1e-12)
    assert py.p == pytest.approx(g["p"], rel=1e-10)
    assert py.df == g["df"]
    lbl = R.to_py(R.call("ref_linear_by_linear", R.matrix(m)))
    py2 = linear_by_linear(m)
    assert py2.statistic == pytest.approx(lbl["statistic"], rel=1e-10)
    assert py2.p == pytest.approx(lbl["p"], rel=1e-9)


def test_g_test_hand_worked_and_identities():
    # 2 x 2 with a = 10, b = 14, c = 17, d = 90: G = 2 sum O log(O/E), E from the margins
    m = np.array([[10, 14], [17, 90]], dtype=float)
    e = np.outer(m.sum(1), m.sum(0)) / m.sum()
    assert g_test(m).statistic == pytest.approx(2 * np.sum(m * np.log(m / e)), rel=1e-14)
    # linear-by-linear on a 2 x 2 is (N-1)/N x Pearson's uncorrected chi-square (Agresti 2013, 3.4.1)
    x2 = chisq_test(m, correct=False).statistic
    assert linear_by_linear(m).statistic == pytest.approx(x2 * (m.sum() - 1) / m.sum(), rel=1e-12)
    with pytest.raises(NenauditError):
        g_test([[1, 2]])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=2, max_size=4).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_g_test_is_invariant_to_transposition_and_nonnegative(rows):
    m = np.array(rows)
    mm = m[m.sum(1) > 0][:, m.sum(0) > 0]
    if min(mm.shape) < 2:
        with pytest.raises(NenauditError):
            g_test(m)
        return
    a, b = g_test(m), g_test(m.T)
    assert a.statistic >= 0 and a.statistic == pytest.approx(b.statistic, rel=1e-9, abs=1e-12)
    assert a.p == pytest.approx(b.p, rel=1e-9, abs=1e-15)


SUMMARIES = [
    (57.45, 9.69, 29, 61.30, 10.66, 70),  # PMC7907291 Table 2, age, training set
    (61.08, 9.33, 13, 63.16, 9.13, 37),  # the same, validation set
    (1.0, 0.1, 5, 3.0, 2.5, 40),  # very unequal variances
]


@pytest.mark.parity
@pytest.mark.parametrize("s", SUMMARIES)
@pytest.mark.parametrize("equal_var", [True, False])
def test_t_from_summary_matches_r_t_test_on_constructed_data(R, s, equal_var):
    R.source("summary_tests.R")
    r = R.to_py(R.call("ref_t_summary", *[float(v) for v in s], equal_var))
    py = t_test_from_summary(*s, equal_var=equal_var)
    # R's constructed sample reproduces the mean and SD to ~1e-15; t, df and p agree to ~1e-12
    assert py.statistic == pytest.approx(r["statistic"], rel=1e-10)
    assert py.df == pytest.approx(r["df"], rel=1e-10)
    assert py.p == pytest.approx(r["p"], rel=1e-9)


@pytest.mark.parity
@pytest.mark.parametrize("equal_var", [True, False])
def test_oneway_from_summary_matches_r(R, equal_var):
    R.source("summary_tests.R")
    means, sds, ns = [10.2, 11.5, 13.1, 12.0], [2.1, 2.8, 3.5, 1.9], [12, 15, 9, 20]
    r = R.to_py(R.call("ref_oneway_summary", R.fvec(means), R.fvec(sds), R.fvec(ns), equal_var))
    py = oneway_from_summary(means, sds, ns, equal_var=equal_var)
    assert py.statistic == pytest.approx(r["statistic"], rel=1e-10)
    assert py.p == pytest.approx(r["p"], rel=1e-9)
    assert list(py.df) == pytest.approx(r["df"], rel=1e-10)
    if equal_var:
        assert py.p == pytest.approx(r["p_aov"], rel=1e-9)


def test_oneway_with_two_groups_is_the_t_test_squared():
    s = SUMMARIES[0]
    f = oneway_from_summary([s[0], s[3]], [s[1], s[4]], [s[2], s[5]], equal_var=True)
    t = t_test_from_summary(*s, equal_var=True)
    assert f.statistic == pytest.approx(t.statistic**2, rel=1e-12) and f.p == pytest.approx(
        t.p, rel=1e-10
    )
    w = oneway_from_summary([s[0], s[3]], [s[1], s[4]], [s[2], s[5]], equal_var=False)
    tw = t_test_from_summary(*s, equal_var=False)
    assert w.p == pytest.approx(tw.p, rel=1e-10)


@pytest.mark.parity
@pytest.mark.parametrize(
    "levels,events,non_events,ref",
    [
        (["a", "b", "c"], [5, 10, 12], [20, 15, 9], "a"),
        (["White", "Black", "Other"], [30, 12, 4], [50, 9, 6], "White"),
        (["T1", "T2"], [2, 30], [40, 48], "T1"),
        (["x", "y", "z"], [5, 10, 12], [20, 15, 9], "z"),  # reference not first
    ],
)
def test_treatment_contrast_ors_match_glm(R, levels, events, non_events, ref):
    R.source("summary_tests.R")
    r = R.to_py(R.call("ref_dummy_or", R.svec(levels), R.ivec(events), R.ivec(non_events), ref))
    py = treatment_contrast_ors(levels, events, non_events, ref)
    names = r["names"] if isinstance(r["names"], list) else [r["names"]]
    assert [lv.level for lv in py] == names
    as_list = {k: (v if isinstance(v, list) else [v]) for k, v in r.items()}
    for i, lv in enumerate(py):
        # glm's IRLS stop rule is followed exactly: estimates agree far below its 1e-8 tolerance
        assert lv.odds_ratio == pytest.approx(as_list["or"][i], rel=1e-9)
        assert lv.p_wald == pytest.approx(as_list["p_wald"][i], rel=1e-7)
        assert lv.ci_wald == pytest.approx(
            (as_list["ci_wald_lo"][i], as_list["ci_wald_hi"][i]), rel=1e-9
        )
        # MASS's profile grid + spline, reproduced step by step
        assert lv.ci_profile == pytest.approx(
            (as_list["ci_profile_lo"][i], as_list["ci_profile_hi"][i]), rel=1e-7
        )


@pytest.mark.parity
@pytest.mark.parametrize(
    "levels,events,non_events,ref",
    [
        (["a", "b", "c"], [5, 10, 12], [20, 15, 9], "a"),
        (
            ["L0", "L1"],
            [19, 37],
            [2, 7],
            "L0",
        ),  # small cell: glm's default stop is 1e-4 away from the optimum
        (["x", "y", "z"], [5, 10, 12], [20, 15, 9], "z"),
    ],
)
def test_exact_wald_ci_is_glm_run_to_the_optimum(R, levels, events, non_events, ref):
    R.source("summary_tests.R")
    r = R.to_py(
        R.call("ref_dummy_or_converged", R.svec(levels), R.ivec(events), R.ivec(non_events), ref)
    )
    lo = r["lo"] if isinstance(r["lo"], list) else [r["lo"]]
    hi = r["hi"] if isinstance(r["hi"], list) else [r["hi"]]
    for i, lv in enumerate(treatment_contrast_ors(levels, events, non_events, ref)):
        assert lv.ci_wald_exact == pytest.approx((lo[i], hi[i]), rel=1e-10)


def test_chisq_p_is_pchisq_upper_tail():
    # Hosmer-Lemeshow style: chi-square 8.0 on 8 df has p = exp(-4) sum_{j<4} 4^j/j! (even df closed form)
    closed = np.exp(-4.0) * sum(4.0**j / np.prod(range(1, j + 1)) for j in range(4))
    assert chisq_p(8.0, 8) == pytest.approx(closed, rel=1e-12)
    with pytest.raises(NenauditError):
        chisq_p(-1.0, 8)
