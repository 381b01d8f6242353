"""Riley et al. sample size, C-statistic -> Cox-Snell R^2, heuristic shrinkage (stats/samplesize.py).

Reference values come from reference_r/samplesize.R run through rpy2 (pmsampsize is not
installed, so its formulas are written there in base R, with integrate()).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.stats.samplesize import (
    cstat_to_r2cs,
    heuristic_shrinkage,
    lr_per_observation,
    max_r2cs,
    riley_sample_size,
)

CASES = [(0.6, 0.1), (0.7, 0.174), (0.8, 0.2), (0.9, 0.5), (0.95, 0.05), (0.75, 0.77)]


@pytest.mark.parity
@pytest.mark.parametrize("c,prev", CASES)
def test_cstat_to_r2cs_matches_r_integrate(R, c, prev):
    R.source("samplesize.R")
    ref = R.to_py(R.call("ss_cstat_to_r2cs", c, prev))
    # both sides integrate the same smooth integrand with relative tolerance 1e-12
    # (scipy QUADPACK vs R's QUADPACK port); 1e-9 leaves room for the different subdivisions
    assert cstat_to_r2cs(c, prev) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parity
@pytest.mark.slow
@pytest.mark.parametrize("c,prev", [(0.8, 0.2), (0.9, 0.5)])
def test_cstat_to_r2cs_matches_riley_simulation_in_r(R, c, prev):
    # Riley, Van Calster & Collins (2021) simulate 1e6 rows and fit glm(y ~ LP); R does that here
    R.source("samplesize.R")
    sim = R.to_py(R.call("ss_cstat_to_r2cs_sim", c, prev, n=1e6, seed=20240601))
    # Monte Carlo error only: 4 standard errors of the simulated R2 (computed in R from the spread
    # of the per-row likelihood-ratio contributions) gives a false-alarm rate below 1e-4
    assert abs(cstat_to_r2cs(c, prev) - sim["r2cs"]) < 4 * sim["mc_se"]


@pytest.mark.parity
@pytest.mark.parametrize(
    "prev,k,r2",
    [
        (0.174, 24, 0.288),
        (0.174, 24, 0.55),
        (0.174, 36, 0.288),
        (0.25, 24, 0.288),
        (0.05, 10, 0.1),
        (0.5, 5, 0.3),
    ],
)
@pytest.mark.parametrize("rounding", [True, False])
def test_riley_sample_size_matches_r(R, prev, k, r2, rounding):
    R.source("samplesize.R")
    ref = R.to_py(R.call("ss_riley", prev, k, r2, rounding=rounding))
    res = riley_sample_size(prev, k, r2cs=r2, pmsampsize_rounding=rounding)
    # sample sizes are integers after ceiling(): exact equality
    assert [c.n for c in res.criteria] == [int(v) for v in ref["n"]]
    assert res.n_min == int(ref["n_min"])
    # the remaining numbers are a few floating-point operations on the same inputs
    assert [c.shrinkage for c in res.criteria] == pytest.approx(ref["shrinkage"], rel=1e-12)
    assert [c.epp for c in res.criteria] == pytest.approx(ref["epp_criteria"], rel=1e-12)
    assert res.events == pytest.approx(ref["events"], rel=1e-12)
    assert res.epp == pytest.approx(ref["epp"], rel=1e-12)
    assert res.max_r2_cs == pytest.approx(ref["max_r2cs"], rel=1e-12)
    assert res.final_shrinkage == pytest.approx(ref["final_shrinkage"], rel=1e-12)


@pytest.mark.parity
def test_riley_from_c_statistic_matches_r(R):
    R.source("samplesize.R")
    r2 = R.to_py(R.call("ss_cstat_to_r2cs", 0.81, 0.3))
    ref = R.to_py(R.call("ss_riley", 0.3, 12, r2))
    res = riley_sample_size(0.3, 12, c_statistic=0.81)
    assert res.r2_cs == pytest.approx(r2, rel=1e-9)  # quadrature tolerance, as above
    assert res.n_min == int(ref["n_min"])
    assert res.to_dict()["criteria"][0]["name"] == "shrinkage"


@pytest.mark.parity
def test_heuristic_shrinkage_matches_r(R):
    R.source("samplesize.R")
    # one subtraction and one division: identical in double precision
    assert heuristic_shrinkage(57.3, 12) == pytest.approx(
        R.to_py(R.call("ss_heuristic_shrinkage", 57.3, 12)), rel=1e-15
    )


@settings(max_examples=60, deadline=None)
@given(c=st.floats(0.52, 0.98), prev=st.floats(0.02, 0.98))
def test_r2cs_bounded_by_max_and_symmetric_in_prevalence(c, prev):
    r2 = cstat_to_r2cs(c, prev)
    assert 0 < r2 < max_r2cs(prev)
    # relabelling events and non-events (and reflecting the linear predictor) leaves the mutual
    # information unchanged, so phi and 1 - phi give the same R2; quadrature error ~1e-12
    assert r2 == pytest.approx(cstat_to_r2cs(c, 1 - prev), rel=1e-8, abs=1e-12)
    # C and 1 - C are the same discrimination with the score negated
    assert r2 == pytest.approx(cstat_to_r2cs(1 - c, prev), rel=1e-8, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(prev=st.floats(0.05, 0.95), c1=st.floats(0.55, 0.9), dc=st.floats(0.01, 0.08))
def test_r2cs_increases_with_c(prev, c1, dc):
    assert cstat_to_r2cs(c1 + dc, prev) > cstat_to_r2cs(c1, prev)


def test_r2cs_is_zero_at_chance():
    assert lr_per_observation(0.5, 0.3) == pytest.approx(0.0, abs=1e-12)  # quadrature noise only


@settings(max_examples=60, deadline=None)
@given(prev=st.floats(0.03, 0.6), k=st.integers(1, 60), frac=st.floats(0.05, 0.9))
def test_riley_minimum_meets_every_criterion(prev, k, frac):
    r2 = frac * round(max_r2cs(prev), 2)
    if r2 <= 0:
        return
    res = riley_sample_size(prev, k, r2cs=r2)
    assert res.n_min == max(c.n for c in res.criteria)
    # criterion (i) is the smallest whole n with 1 + p / (n ln(1 - R2/S)) >= S (S = 0.9)
    n1 = res.criteria[0].n
    assert 1 + k / (n1 * math.log(1 - r2 / 0.9)) >= 0.9 - 1e-12
    assert n1 == 1 or 1 + k / ((n1 - 1) * math.log(1 - r2 / 0.9)) < 0.9 + 1e-12
    assert res.events == pytest.approx(res.n_min * prev)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(1.0, 1e4), df=st.integers(1, 50))
def test_heuristic_shrinkage_below_one(lr, df):
    s = heuristic_shrinkage(lr, df)
    assert s < 1 and s == pytest.approx(1 - df / lr)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(prevalence=1.2, n_parameters=5, r2cs=0.1),
        dict(prevalence=0.2, n_parameters=0, r2cs=0.1),
        dict(prevalence=0.2, n_parameters=5),
        dict(prevalence=0.2, n_parameters=5, r2cs=0.1, c_statistic=0.8),
        dict(prevalence=0.2, n_parameters=5, r2cs=0.9),
    ],
)
def test_riley_refuses_bad_input(kwargs):
    with pytest.raises(NenauditError):
        riley_sample_size(**kwargs)


def test_bad_input_messages_are_one_line():
    for call in (
        lambda: cstat_to_r2cs(80, 0.2),
        lambda: heuristic_shrinkage(-1, 2),
        lambda: cstat_to_r2cs(0.8, 0),
    ):
        with pytest.raises(NenauditError) as ei:
            call()
        assert "\n" not in str(ei.value)
