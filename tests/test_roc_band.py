"""ROC confidence band (pROC's ci.se on shared resamples) and the one-column Table 1 summary, against R."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nenaudit.stats.discrimination import (
    bootstrap_indices,
    roc_curve,
    sensitivity_at,
    sensitivity_band,
)
from nenaudit.stats.table1 import summarize_overall


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(2)
    y = np.r_[np.zeros(60), np.ones(40)]
    return y, np.round(rng.normal(size=100) + y, 1)  # rounded: tied scores make vertical steps


@pytest.mark.parity
def test_sensitivity_at_specificities_is_pROC_coords(R, scored):
    y, s = scored
    sp = np.round(np.arange(0, 1.0001, 0.02), 12)
    R.source("roc_band.R")
    for direction in ("<", ">"):
        ref = R.to_py(
            R.call("band_sensitivity_at", R.fvec(y), R.fvec(s), R.fvec(sp), direction=direction)
        )
        np.testing.assert_allclose(
            sensitivity_at(roc_curve(y, s, direction), sp), ref, rtol=0, atol=1e-12
        )


@pytest.mark.parity
def test_band_is_ci_se_on_the_same_resamples(R, scored):
    y, s = scored
    sp = np.round(np.arange(0, 1.0001, 0.05), 12)
    idx = bootstrap_indices(y, 80, seed=3)
    band = sensitivity_band(y, s, sp, indices=idx)
    R.source("roc_band.R")
    ref = R.to_py(R.call("band_ref", R.fvec(y), R.fvec(s), R.matrix(idx + 1), R.fvec(sp)))
    for k in ("lower", "median", "upper"):
        np.testing.assert_allclose(getattr(band, k), ref[k], rtol=0, atol=1e-12)
    assert np.all(band.lower <= band.median) and np.all(band.median <= band.upper)


def test_band_is_seeded():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(30), np.ones(20)]
    s = rng.normal(size=50) + y
    a, b = sensitivity_band(y, s, n_boot=30, seed=4), sensitivity_band(y, s, n_boot=30, seed=4)
    assert np.array_equal(a.lower, b.lower) and a.n_boot == 30


@pytest.mark.parity
def test_summarize_overall_is_r_quantile_mean_sd_and_table(R):
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {"age": rng.normal(60, 11, 76).round(), "sex": rng.choice(["Male", "Female"], 76)}
    )
    df.loc[3, "age"] = np.nan
    out = {v.variable: v for v in summarize_overall(df)}
    x = df["age"].dropna().to_numpy()
    r = R.r()
    c = out["age"].cells[0]
    assert c.n == x.size
    q = np.asarray(r["quantile"](R.fvec(x), R.fvec([0.25, 0.5, 0.75])))
    assert [c.q1, c.median, c.q3] == pytest.approx(list(q), abs=1e-12)
    assert c.mean == pytest.approx(r["mean"](R.fvec(x))[0], rel=1e-14)
    assert c.sd == pytest.approx(r["sd"](R.fvec(x))[0], rel=1e-12)
    counts = {cell.level: (cell.count, cell.percent) for cell in out["sex"].cells}
    tab = r["table"](R.svec(df["sex"].tolist()))
    for name, n in zip(tab.names[0], tab):
        assert counts[name] == (n, pytest.approx(100 * n / 76))
