"""The parity steps added to the registry (lasso, auc, roc.test, dca, calibration, validation): each runs in
Python and in real R on the same data and agrees within the harness's tolerances; bad options exit 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.parity.harness import REGISTRY, compare
from nenaudit.parity.steps import NEW_STEPS


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 131
    x = rng.normal(size=(n, 8))
    lp = -1.2 + 1.1 * x[:, 0] - 0.8 * x[:, 1] + 0.4 * x[:, 2]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-lp))).astype(float)
    d = pd.DataFrame(x, columns=[f"f{j}" for j in range(8)])
    d["y"] = y
    d["score"] = lp + rng.normal(scale=1.0, size=n)
    d["score2"] = x[:, 0] + rng.normal(scale=1.5, size=n)
    d["prob"] = 1 / (1 + np.exp(-(0.8 * lp + 0.1)))
    return d


CASES = {
    "lasso": dict(outcome="y", predictors="f0,f1,f2,f3,f4,f5,f6,f7", nfolds="10", seed="3"),
    "auc": dict(outcome="y", score="score"),
    "roc.test": dict(outcome="y", score="score", score2="score2"),
    "dca": dict(outcome="y", prob="prob"),
    "calibration": dict(outcome="y", prob="prob"),
    "validation": dict(outcome="y", predictors="f0,f1,f2", B="40", seed="5"),
}


def test_every_new_step_is_registered():
    assert set(NEW_STEPS) == set(CASES) and set(NEW_STEPS) <= set(REGISTRY)


@pytest.mark.parity
@pytest.mark.parametrize("step", list(CASES))
def test_new_step_agrees_with_r(R, data, step):
    table = compare(step, data, **CASES[step])
    assert table.rows and table.all_pass, [r for r in table.rows if not r.passed]
    assert all(np.isfinite(r.abs_diff) for r in table.rows if not r.exact)


@pytest.mark.parity
def test_parity_cli_runs_a_new_step(R, data, tmp_path):
    f = tmp_path / "d.csv"
    data.to_csv(f, index=False)
    p = nenaudit("parity", "auc", f, "-o", "outcome=y", "-o", "score=score")
    assert p.returncode == 0 and "all pass" in p.stdout, p.stdout + p.stderr


@pytest.mark.parametrize(
    "step, opts, needle",
    [
        ("auc", dict(outcome="y"), "score="),
        ("dca", dict(outcome="y", prob="score"), "probabilities"),
        ("validation", dict(outcome="y", B="1"), "B=1"),
        ("lasso", dict(outcome="nope"), "nope"),
    ],
)
def test_bad_options_are_one_line_errors(data, step, opts, needle):
    from nenaudit.exceptions import NenauditError

    with pytest.raises(NenauditError, match=needle):
        REGISTRY[step].prepare(data, dict(opts))
