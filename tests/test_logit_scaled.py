"""`logit` fits predictors scaled by 1e300 or 1e-300 as R's glm does (issue 21); the estimates are R's."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.stats.logistic import fit_logistic


def data(scale: float):
    rng = np.random.default_rng(7)
    n = 80
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = (1.2 * x1 - 0.7 * x2 + rng.normal(size=n) > 0).astype(int)
    return pd.DataFrame({"big": x1 * scale, "x2": x2, "y": y})


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_scaled_predictor_matches_r_glm(R, scale):
    df = data(scale)
    fit = fit_logistic(df[["big", "x2"]], df["y"])
    r = R.r()
    r["assign"]("d", r["data.frame"](big=R.fvec(df["big"]), x2=R.fvec(df["x2"]), y=R.fvec(df["y"])))
    rc = np.array(r("coef(glm(y ~ big + x2, family = binomial, data = d))"))
    assert np.all(np.isfinite(rc)) and abs(rc[1]) > 0
    np.testing.assert_allclose(fit.coef, rc, rtol=1e-10)
    # R's vcov squares the SE (1e-600 or 1e+600: under/overflows to 0 or Inf), so the SE is compared with R's
    # SE of the unscaled predictor, divided by the scale
    r(f"d$big <- d$big / {scale!r}")
    rse = np.array(r("sqrt(diag(vcov(glm(y ~ big + x2, family = binomial, data = d))))"))
    rse[1] /= scale
    np.testing.assert_allclose(fit.se, rse, rtol=1e-8)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_scaled_predictor_is_the_unscaled_fit_rescaled(scale):
    ref = fit_logistic(data(1.0)[["big", "x2"]], data(1.0)["y"])
    got = fit_logistic(data(scale)[["big", "x2"]], data(scale)["y"])
    np.testing.assert_allclose(got.coef[1] * scale, ref.coef[1], rtol=1e-12)
    np.testing.assert_allclose(got.ci_profile[1] * scale, ref.ci_profile[1], rtol=1e-9)
    np.testing.assert_allclose(got.z, ref.z, rtol=1e-12)
    assert got.deviance == pytest.approx(ref.deviance, rel=1e-14)


def test_logit_cli_fits_a_1e300_predictor(tmp_path):
    f = tmp_path / "d.csv"
    data(1e300).to_csv(f, index=False)
    p = nenaudit("logit", f, "--outcome", "y", "--predictors", "big,x2", "--json")
    assert p.returncode == 0, p.stderr
    assert "linear combination" not in p.stderr
    out = json.loads(p.stdout)
    assert "big" in json.dumps(out)


def test_a_predictor_named_twice_is_refused(tmp_path):
    f = tmp_path / "d.csv"
    data(1.0).to_csv(f, index=False)
    p = nenaudit("logit", f, "--outcome", "y", "--predictors", "big,big")
    assert (
        p.returncode == 2 and "named twice" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    )


def test_validate_predictors_named_twice_is_refused():
    """`validate --predictors Ki67,Ki67` once exited 0 reporting variables ["Ki67"]."""
    p = nenaudit("validate", "--scheme", "harrell", "--predictors", "Ki67,Ki67", "--boot", "2")
    assert (
        p.returncode == 2
        and "'Ki67' is named twice" in p.stderr
        and len(p.stderr.strip().splitlines()) == 1
    )
