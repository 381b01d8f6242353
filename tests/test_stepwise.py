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
        R.call("stepwise_backward", r_frame(R, d), "y", R.svec(CANDIDATES), 0.05, forced=R.svec(forced))
    )
    path = backward_elimination(d[CANDIDATES], d["y"], threshold=0.05, forced=forced)
    check_path(path, ref)
    assert {"noise1", "male"} <= set(path.selected)


@pytest.mark.parity
@pytest.mark.parametrize("seed,entry,stay", [(1, 0.05, 0.05), (6, 0.2, 0.05), (7, 0.25, 0.1)])
def test_univariable_then_backward_matches_r(R, seed, entry, stay):
    R.source("stepwise.R")
    d = make_data(seed)
    ref = R.to_py(R.call("stepwise_uni_backward", r_frame(R, d), "y", R.svec(CANDIDATES), entry, stay))
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
