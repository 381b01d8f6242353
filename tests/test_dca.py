"""Decision curves (stats/dca.py) against the base-R transcription of dcurves (reference_r/dca.R)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from nenaudit.exceptions import NenauditError
from nenaudit.stats.dca import decision_curve, net_benefit, threshold_grid


def data(seed, n=131, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < special.expit(1.3 + 1.5 * x)).astype(float)
    p = special.expit(1.2 + 1.4 * x)
    if ties:
        p = np.round(p, 2)  # ties at the thresholds themselves, and exact 0s and 1s
        p[:3] = [0.0, 1.0, 0.05]
    return y, p


@pytest.mark.parity
@pytest.mark.parametrize("seed,ties", [(1, False), (2, True), (3, True)])
def test_net_benefit_matches_base_r_dcurves_definitions(R, seed, ties):
    R.source("dca.R")
    y, p = data(seed, ties=ties)
    t = threshold_grid(0, 0.99, 0.01)
    ref = R.to_py(R.call("dca_base", R.fvec(y), R.fvec(p), R.fvec(t)))
    d = decision_curve(y, p, t)
    np.testing.assert_array_equal(d.thresholds, ref["threshold"])
    # the same counts, divisions and products in the same order: the 1e-12
    for mine, theirs in [
        (d.model, "model"),
        (d.treat_all, "all"),
        (d.treat_none, "none"),
        (d.standardized_model, "standardized_model"),
        (d.standardized_all, "standardized_all"),
        (d.tp_rate, "tp_rate"),
        (d.fp_rate, "fp_rate"),
    ]:
        np.testing.assert_allclose(mine, ref[theirs], rtol=0, atol=1e-12, err_msg=theirs)
    nia = np.array([np.nan if v is None else v for v in ref["nia"]], dtype=float)
    # t = 0: R divides by 0 (NaN/Inf); here it is reported as undefined (NaN)
    np.testing.assert_allclose(d.net_interventions_avoided[1:], nia[1:], rtol=1e-12, atol=1e-10)
    assert np.isnan(d.net_interventions_avoided[0])
    assert d.prevalence == pytest.approx(ref["prevalence"], rel=1e-15)


@pytest.mark.parity
@pytest.mark.parametrize(
    "grid", [(0, 0.99, 0.01), (0.05, 0.95, 0.05), (0.1, 0.5, 0.03), (0.2, 0.2, 0.1)]
)
def test_threshold_grid_is_r_seq(R, grid):
    R.source("dca.R")
    ref = R.to_py(R.call("dca_seq", *grid))
    np.testing.assert_array_equal(
        threshold_grid(*grid), np.atleast_1d(ref)
    )  # same construction, exact


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), t=st.floats(0.0, 0.98))
def test_treat_none_is_zero_and_perfect_model_earns_the_prevalence(seed, t):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    y = rng.integers(0, 2, n).astype(float)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    d = decision_curve(y, y, [t])  # the perfect model predicts 1 for events, 0 otherwise
    assert d.treat_none[0] == 0.0
    assert d.model[0] == pytest.approx(y.mean(), rel=1e-15)
    assert d.standardized_model[0] == pytest.approx(1.0, rel=1e-15)
    # at t = prevalence treating all has net benefit 0 (Vickers & Elkin 2006)
    assert decision_curve(y, y, [y.mean()]).treat_all[0] == pytest.approx(0.0, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_net_benefit_never_exceeds_prevalence_and_all_equals_model_at_zero(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 50).astype(float)
    y[:2] = [0, 1]
    p = rng.random(50)
    d = decision_curve(y, p)
    assert np.all(d.model <= y.mean() + 1e-15)
    # at t = 0 every risk > 0 is treated: model and treat-all coincide
    assert d.model[0] == pytest.approx(d.treat_all[0], abs=1e-15)


@pytest.mark.parametrize("bad", [1.5, -0.2])
def test_probabilities_outside_unit_interval_are_an_error(bad):
    y, p = data(4)
    p[7] = bad
    with pytest.raises(NenauditError, match=r"prob\[7\].*not a probability"):
        decision_curve(y, p)


def test_nan_probability_is_an_error():
    y, p = data(4)
    p[3] = np.nan
    with pytest.raises(NenauditError, match="NaN"):
        net_benefit(y, p, 0.2)


def test_threshold_of_one_is_an_error():
    y, p = data(4)
    with pytest.raises(NenauditError, match="outside"):
        decision_curve(y, p, [0.5, 1.0])


def test_bad_grid_is_an_error():
    with pytest.raises(NenauditError, match="invalid"):
        threshold_grid(0.5, 0.1, 0.01)
