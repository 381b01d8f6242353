"""The CLI tests' children forked from the zygote (tests/clirun.py) behave as new interpreters do.

The same command lines run both ways give the same exit code, stdout and stderr: success, the help,
a one-line error (exit 2), a leaked warning under ``PYTHONWARNINGS=error``, a relative path resolved
in the call's working directory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=60)
    y = (x + rng.normal(size=60) > 0).astype(int)
    p = tmp_path / "d.csv"
    pd.DataFrame({"x": x, "y": y, "g": np.where(rng.random(60) < 0.5, "a", "b")}).to_csv(
        p, index=False
    )
    return p


CASES = {
    "help": (["--help"], "ignore"),
    "verb help": (["logit", "--help"], "ignore"),
    "logit": (["logit", "CSV", "--outcome", "y", "--predictors", "x", "--json"], "error"),
    "compare": (["compare", "CSV", "--group", "y"], "error"),
    "missing file": (
        ["logit", "/nonexistent/d.csv", "--outcome", "y", "--predictors", "x"],
        "ignore",
    ),
    "bad column": (["auc", "CSV", "--outcome", "y", "--score", "nope"], "ignore"),
    "relative path": (["logit", "d.csv", "--outcome", "y", "--predictors", "x"], "ignore"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_forked_child_answers_as_a_new_interpreter(case, csv):
    argv, warn = CASES[case]
    argv = [str(csv) if a == "CSV" else a for a in argv]
    forked = nenaudit(*argv, warnings=warn, cwd=csv.parent)
    new = nenaudit(*argv, warnings=warn, cwd=csv.parent, fresh=True)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        new.returncode,
        new.stdout,
        new.stderr,
    )
    if case in ("missing file", "bad column"):
        assert forked.returncode == 2 and forked.stderr.count("\n") == 1
