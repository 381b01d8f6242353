"""ROC curve coordinates against pROC::roc."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.stats.discrimination import roc_auc, roc_curve


def _data(kind: str):
    rng = np.random.default_rng(11)
    if kind == "ties":
        y = rng.integers(0, 2, 80)
        s = rng.integers(0, 6, 80).astype(float) + y
    elif kind == "continuous":
        y = np.r_[np.ones(27, int), np.zeros(104, int)]
        s = rng.normal(size=131) + 1.1 * y
    else:  # reversed
        y = rng.integers(0, 2, 60)
        s = rng.normal(size=60) - 1.5 * y
    return y, s


@pytest.mark.parametrize("kind", ["ties", "continuous", "reversed"])
@pytest.mark.parametrize("direction", ["auto", "<", ">"])
def test_roc_curve_matches_proc(R, kind, direction):
    R.source("discrimination.R")
    y, s = _data(kind)
    ref = R.to_py(R.call("disc_roc_coords", R.ivec(y), R.fvec(s), direction=direction))
    cur = roc_curve(y, s, direction)
    assert cur.direction == ref["direction"]
    # thresholds are the same midpoints; sensitivities/specificities are exact counts / n
    np.testing.assert_allclose(cur.thresholds, ref["thresholds"], rtol=1e-15, atol=0)
    np.testing.assert_allclose(cur.sensitivities, ref["sensitivities"], rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(cur.specificities, ref["specificities"], rtol=1e-15, atol=1e-15)
    # trapezoids vs pROC's own area: a sum of m + n terms, equal to rounding
    assert cur.auc == pytest.approx(ref["auc"], rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-5, 5)), min_size=4, max_size=40))
def test_curve_area_is_the_auc(pairs):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=float)
    if y.min() == y.max():
        return
    cur = roc_curve(y, s)
    assert cur.auc == pytest.approx(roc_auc(y, s).auc, abs=1e-12)
    assert np.all(np.diff(cur.sensitivities) <= 0) and np.all(np.diff(cur.specificities) >= 0)
