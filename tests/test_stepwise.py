"""Backward elimination and univariable screening (stats/stepwise.py) against plain R loops.

Reference paths come from reference_r/stepwise.R run through rpy2; nothing is typed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.stats.stepwise import backward_elimination, univariable_then_backward


def make_data(seed, n=131):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n),
            "size": rng.gamma(2.0, 1.5, n),
            "ki67": rng.uniform(0, 20, n),
            "male": rng.integers(0, 2, n).astype(float),
            "noise1": rng.normal(size=n),
            "noise2": rng.normal(size=n),
        }
    )
    eta = -6 + 0.05 * d["age"] + 0.5 * d["size"] + 0.08 * d["ki67"] + 0.2 * d["male"]
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return d


CANDIDATES = ["age", "size", "ki67", "male", "noise1", "noise2"]


def r_frame(R, d):
    return R.r()["data.frame"](**{c: R.fvec(d[c].to_numpy()) for c in d.columns})


def r_strs(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def check_path(path, ref):
    assert len(path.steps) == len(ref)
    for step, r in zip(path.steps, ref):
        assert list(step.terms) == r_strs(r["terms"])
        assert list(step.model.names) == r_strs(r["names"])
        # each model is the same glm fit (see test_logistic): rounding-level agreement
        np.testing.assert_allclose(step.model.coef, np.atleast_1d(r["coef"]), rtol=1e-10)
        np.testing.assert_allclose(step.model.se, np.atleast_1d(r["se"]), rtol=1e-10)
        np.testing.assert_allclose(step.model.p, np.atleast_1d(r["p"]), rtol=1e-9)
        if r["removed"] is None:
            assert step.removed is None and step.removed_p is None
        else:
            assert step.removed == r["removed"]
            assert step.removed_p == pytest.approx(r["removed_p"], rel=1e-9)  # as the p above


@pytest.mark.parity
@pytest.mark.parametrize("seed,threshold", [(1, 0.05), (2, 0.1), (3, 0.2), (4, 0.01)])
def test_backward_matches_r_loop(R, seed, threshold):
    R.source("stepwise.R")
    d = make_data(seed)
    ref = R.to_py(R.call("stepwise_backward", r_frame(R, d), "y", R.svec(CANDIDATES), threshold))
    path = backward_elimination(d[CANDIDATES], d["y"], threshold=threshold)
    check_path(path, ref)


@pytest.mark.parity
def test_forced_terms_match_r_loop(R):
    R.source("stepwise.R")
    d = make_data(5)
    forced = ["noise1", "male"]
    ref = R.to_py(
        R.call(
            "stepwise_backward", r_frame(R, d), "y", R.svec(CANDIDATES), 0.05, forced=R.svec(forced)
        )
    )
    path = backward_elimination(d[CANDIDATES], d["y"], threshold=0.05, forced=forced)
    check_path(path, ref)
    assert {"noise1", "male"} <= set(path.selected)


@pytest.mark.parity
@pytest.mark.parametrize("seed,entry,stay", [(1, 0.05, 0.05), (6, 0.2, 0.05), (7, 0.25, 0.1)])
def test_univariable_then_backward_matches_r(R, seed, entry, stay):
    R.source("stepwise.R")
    d = make_data(seed)
    ref = R.to_py(
        R.call("stepwise_uni_backward", r_frame(R, d), "y", R.svec(CANDIDATES), entry, stay)
    )
    res = univariable_then_backward(d, "y", CANDIDATES, entry=entry, stay=stay)
    for s, r in zip(res.univariable, ref["univariable"]):
        assert s.name == r["name"]
        # univariable glm fits: same IRLS as R, rounding-level agreement
        assert s.coef == pytest.approx(r["coef"], rel=1e-10)
        assert s.se == pytest.approx(r["se"], rel=1e-10)
        assert s.p == pytest.approx(r["p"], rel=1e-9)
    assert list(res.entered) == r_strs(ref["entered"])
    check_path(res.backward, ref["backward"])


def test_intercept_only_end_and_api():
    d = make_data(8)
    path = backward_elimination(d[["noise1", "noise2"]], d["y"], threshold=1e-12)
    assert path.selected == ()
    assert path.final.names == ("(Intercept)",)
    assert set(path.removed) == {"noise1", "noise2"}
    assert path.to_dict()["steps"][0]["removed"] in ("noise1", "noise2")


def test_bad_input_refused():
    d = make_data(9)
    with pytest.raises(NenauditError, match="forced term 'nope'"):
        backward_elimination(d[CANDIDATES], d["y"], forced=["nope"])
    with pytest.raises(NenauditError, match="threshold"):
        backward_elimination(d[CANDIDATES], d["y"], threshold=0)
    with pytest.raises(NenauditError, match="column 'missing'"):
        univariable_then_backward(d, "y", ["age", "missing"])


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_column_order_and_row_order_do_not_change_selection(seed):
    # The removal rule depends on p-values only; permuting rows or columns changes them by
    # rounding, which cannot flip a comparison unless two p-values tie to ~1e-12.
    d = make_data(seed, n=90)
    rng = np.random.default_rng(seed)
    cols = list(rng.permutation(CANDIDATES))
    rows = rng.permutation(len(d))
    a = backward_elimination(d[CANDIDATES], d["y"], threshold=0.1)
    b = backward_elimination(d.iloc[rows][cols], d["y"].iloc[rows], threshold=0.1)
    assert set(a.selected) == set(b.selected)
    assert a.removed == b.removed


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.01, 100.0))
def test_rescaling_a_candidate_does_not_change_selection(seed, c):
    # Wald z (hence p) is invariant to rescaling a column
    d = make_data(seed, n=90)
    e = d.copy()
    e["ki67"] = e["ki67"] * c
    a = backward_elimination(d[CANDIDATES], d["y"], threshold=0.1)
    b = backward_elimination(e[CANDIDATES], e["y"], threshold=0.1)
    assert a.removed == b.removed


# --------------------------------------------------------------------------- lean fits (resampling loops)


@pytest.mark.parity
@pytest.mark.parametrize("seed,entry,stay", [(1, 0.05, 0.05), (6, 0.2, 0.05), (7, 0.25, 0.1)])
def test_lean_screen_and_elimination_match_r(R, seed, entry, stay):
    """lean=True decides on the compiled Wald fits: the same screens (to rounding), the same path of removals
    and the same final model as R's loop; the final model is fit_logistic's, the intermediate ones are not kept."""
    R.source("stepwise.R")
    d = make_data(seed)
    ref = R.to_py(
        R.call("stepwise_uni_backward", r_frame(R, d), "y", R.svec(CANDIDATES), entry, stay)
    )
    res = univariable_then_backward(d, "y", CANDIDATES, entry=entry, stay=stay, lean=True)
    for s, r in zip(res.univariable, ref["univariable"]):
        assert s.name == r["name"] and s.model is None
        assert s.coef == pytest.approx(r["coef"], rel=1e-10)
        assert s.se == pytest.approx(r["se"], rel=1e-10)
        assert s.p == pytest.approx(r["p"], rel=1e-9)
    assert list(res.entered) == r_strs(ref["entered"])
    steps, rsteps = res.backward.steps, ref["backward"]
    assert [list(s.terms) for s in steps] == [r_strs(r["terms"]) for r in rsteps]
    assert [s.removed for s in steps] == [r["removed"] for r in rsteps]
    assert all(s.model is None for s in steps[:-1])
    last = rsteps[-1]
    np.testing.assert_allclose(steps[-1].model.coef, np.atleast_1d(last["coef"]), rtol=1e-10)
    full = univariable_then_backward(d, "y", CANDIDATES, entry=entry, stay=stay)
    np.testing.assert_array_equal(
        res.final.coef, full.final.coef
    )  # the kept model is the same full fit


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(20, 200),
    k=st.integers(1, 6),
    strength=st.floats(0.0, 4.0),
    binary=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_wald_table_is_fit_logistics_coefficient_table(n, k, strength, binary, seed):
    """On any design, from no signal to separation: the compiled IRLS gives fit_logistic's coef, se and p
    (the same glm.fit iterations; only the QR and the products are written differently)."""
    import warnings as w

    from nenaudit.stats.logistic import fit_logistic, wald_table

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    if binary:
        X[:, 0] = (rng.random(n) < 0.3).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-strength * X[:, 0] * 3))).astype(float)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    try:
        with w.catch_warnings():
            w.simplefilter("ignore")
            full = fit_logistic(X, y, profile=False)
    except NenauditError as exc:  # an aliased column: the lean table refuses it with the same words
        with pytest.raises(NenauditError, match=str(exc)[:30]):
            wald_table(X, y)
        return
    names, coef, se, p = wald_table(X, y)
    assert names == full.names
    if (
        full.separation or not full.converged
    ):  # diverging estimates: agreement is looser, decisions the same
        np.testing.assert_allclose(coef, full.coef, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(p, full.p, rtol=1e-5, atol=1e-8)
    else:
        np.testing.assert_allclose(coef, full.coef, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(se, full.se, rtol=1e-10)
        np.testing.assert_allclose(p, full.p, rtol=1e-8, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e290, max_value=1e290),
        max_size=60,
    )
)
def test_compiled_fsum_is_math_fsum(xs):
    """The deviance is summed exactly rounded, as math.fsum (R's long-double sum's closest match): bit for bit."""
    import math

    from nenaudit.stats._glm_wald import fsum

    a = np.array(xs, dtype=float)
    want = math.fsum(xs)
    got = fsum(a)
    assert got == want or (math.isnan(got) and math.isnan(want))


def test_lean_elimination_refuses_weights():
    d = make_data(2)
    with pytest.raises(NenauditError, match="lean=True fits without prior weights"):
        backward_elimination(d[CANDIDATES], d["y"], weights=np.ones(len(d)), lean=True)
