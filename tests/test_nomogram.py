"""Nomogram scales against rms::nomogram, and their invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.parity.rbridge import fvec
from nenaudit.stats.nomogram import nomogram


def _data(seed: int, n: int = 131):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "radscore": rng.normal(1.5, 1.0, n),
            "ki67": rng.gamma(2, 6, n).round(0),
            "mets": rng.integers(1, 4, n).astype(float),
            "extra": rng.integers(0, 2, n).astype(float),
        }
    )
    lp = -2 + 1.2 * d.radscore + 0.03 * d.ki67 + 0.5 * d.mets + 1.0 * d.extra
    d["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-lp))).astype(float)
    return d


@pytest.mark.parametrize("seed", [1, 7])
def test_points_match_rms_nomogram(R, seed):
    d = _data(seed)
    vars_ = ["radscore", "ki67", "mets", "extra"]
    axes = {
        "radscore": np.arange(-2.0, 5.5, 0.5),
        "ki67": np.arange(0.0, 70.0, 10.0),
        "mets": np.array([1.0, 2.0, 3.0]),
        "extra": np.array([0.0, 1.0]),
    }
    probs = [0.1, 0.3, 0.5, 0.7, 0.9]
    R.source("nomogram.R")
    rdf = R.r()["data.frame"](**{c: fvec(d[c]) for c in [*vars_, "y"]})
    ref = R.to_py(
        R.call(
            "nomogram_points",
            rdf,
            R.svec(vars_),
            R.r()["list"](**{k: fvec(v) for k, v in axes.items()}),
            probs=fvec(probs),
        )
    )
    coef = dict(zip(ref["names"], ref["coef"]))
    nom = nomogram({v: coef[v] for v in vars_}, coef["Intercept"], axes)
    # rms computes the same closed-form quantities in double precision: agreement to rounding
    assert nom.scale == pytest.approx(ref["sc"], rel=1e-12)
    assert nom.intercept_adjusted == pytest.approx(ref["intercept"], rel=1e-12)
    for v, pts, vals in zip(vars_, ref["points"], ref["values"]):
        scale = next(s for s in nom.variables if s.name == v)
        np.testing.assert_allclose(scale.values, vals, rtol=0, atol=0)
        np.testing.assert_allclose(scale.points, pts, rtol=1e-12, atol=1e-10)
    # rms keeps only the probability ticks inside the total-points axis, and places them by
    # linear interpolation of plogis over a grid of linear-predictor values
    # (``approx(fu, xseq, fat)`` in nomogram.R), not by the closed-form logit used here: its
    # positions carry that interpolation error, ~1e-5 points on a 0-100 scale.
    got = nom.points_at_probability(probs)
    for x in ref["prob_points"]:
        assert np.min(np.abs(got - x)) < 1e-4


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_total_points_reproduce_the_linear_predictor(seed):
    rng = np.random.default_rng(seed)
    beta = {"a": rng.normal(), "b": rng.normal() * 3, "c": rng.normal() * 0.1}
    axes = {k: np.sort(rng.uniform(-5, 5, 6)) for k in beta}
    b0 = rng.normal()
    nom = nomogram(beta, b0, axes)
    x = {k: rng.uniform(-5, 5) for k in beta}
    lp = b0 + sum(beta[k] * x[k] for k in beta)
    assert nom.linear_predictor(nom.total_points(x)) == pytest.approx(lp, rel=1e-12, abs=1e-12)
    assert max(float(np.ptp(v.points)) for v in nom.variables) == pytest.approx(100.0)
    assert all(np.min(v.points) == pytest.approx(0.0, abs=1e-12) for v in nom.variables)
    p = nom.probability(nom.points_at_probability([0.2, 0.8]))
    np.testing.assert_allclose(p, [0.2, 0.8], rtol=1e-12)


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"coefficients": {}, "intercept": 0, "values": {}}, "no predictors"),
        ({"coefficients": {"a": 1.0}, "intercept": 0, "values": {}}, "no axis values for 'a'"),
        ({"coefficients": {"a": float("nan")}, "intercept": 0, "values": {"a": [0, 1]}}, "finite"),
        ({"coefficients": {"a": 0.0}, "intercept": 0, "values": {"a": [0, 1]}}, "nothing to scale"),
    ],
)
def test_bad_input(kw, msg):
    with pytest.raises(NenauditError, match=msg):
        nomogram(**kw)
