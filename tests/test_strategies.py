"""nenaudit.strategies: each strategy delivers what its docstring promises, for any drawn example.

The spec strategies are checked against the whole audit: a consistent spec has no inconsistent
finding, and a planted inconsistency of each kind is flagged by the finding the planter names.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import nenaudit as na
from nenaudit.builders import categorical_p
from nenaudit.exceptions import ConvergenceWarning, SeparationWarning, StatisticalWarning
from nenaudit.strategies import (
    PLANTS,
    binary_datasets,
    cohorts,
    contingency_tables,
    expected_counts,
    inconsistent_specs,
    scored_outcomes,
    study_specs,
)
from nenaudit.study.schema import validate

SLOW = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@settings(max_examples=60, **SLOW)
@given(contingency_tables(rows=(2, 4), cols=(2, 3), min_expected=5))
def test_tables_with_min_expected_5_are_in_the_chi_square_regime(m):
    assert m.dtype.kind == "i" and (m >= 0).all()
    assert (m.sum(axis=0) > 0).all() and (m.sum(axis=1) > 0).all()
    assert expected_counts(m).min() >= 5
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatisticalWarning)  # chisq.test warns only below 5
        res = na.chisq_test(m, correct=False)
    assert np.allclose(res.expected, expected_counts(m), rtol=1e-13)


@settings(max_examples=60, **SLOW)
@given(contingency_tables(rows=2, cols=2, max_min_expected=4.99))
def test_sparse_tables_are_in_the_fisher_regime(m):
    assert m.shape == (2, 2) and expected_counts(m).min() < 5
    # the consistent specs' rule then prints Fisher's p
    assert categorical_p(m) == pytest.approx(na.fisher_test(m).p, rel=1e-15)


@settings(max_examples=40, **SLOW)
@given(contingency_tables(rows=(3, 5), cols=2, empty_rows=True))
def test_empty_rows_keep_two_non_empty_levels(m):
    assert (m.sum(axis=1) > 0).sum() >= 2 and (m.sum(axis=0) > 0).all()


@settings(max_examples=30, **SLOW)
@given(binary_datasets(n=(30, 80), n_predictors=(1, 3), prevalence=(0.2, 0.8), separation="none"))
def test_unseparated_data_sets_have_an_ml_estimate(d):
    n = d.y.size
    assert d.X.shape == (n, d.coef.size)
    assert d.y.sum() == min(max(round(n * d.prevalence), d.coef.size + 1), n - d.coef.size - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        fit = na.fit_logistic(d.X, d.y, profile=False)
    assert fit.converged and not fit.separation


@settings(max_examples=30, **SLOW)
@given(
    binary_datasets(n=(30, 80), n_predictors=(1, 3), separation="complete"),
    binary_datasets(n=(30, 80), n_predictors=(1, 3), separation="quasi"),
)
def test_separated_data_sets_are_diagnosed_as_glm_does(complete, quasi):
    for d in (complete, quasi):
        with warnings.catch_warnings(), pytest.warns(SeparationWarning):
            warnings.simplefilter(
                "ignore", ConvergenceWarning
            )  # glm also stops at maxit on such data
            fit = na.fit_logistic(d.X, d.y, profile=False)
        assert fit.separation
    # complete: column 0 alone orders every event above every non-event; quasi: one tie at the boundary
    x0, y = complete.X[:, 0], complete.y
    assert x0[y == 1].min() > x0[y == 0].max()
    x0, y = quasi.X[:, 0], quasi.y
    assert x0[y == 1].min() == x0[y == 0].max()


def test_effect_sizes_move_the_events():
    # over many draws, a large positive coefficient puts the events at high values of its column
    @settings(max_examples=20, database=None, derandomize=True, deadline=None)
    @given(
        binary_datasets(
            n=(200, 200), n_predictors=1, effect=(2.0, 2.0), prevalence=0.5, separation="any"
        )
    )
    def check(d):
        assert d.X[d.y == 1, 0].mean() > d.X[d.y == 0, 0].mean()

    check()


@settings(max_examples=80, **SLOW)
@given(scored_outcomes(n=(6, 40), distinct=(1, 3)))
def test_scored_outcomes_have_ties_and_both_classes(data):
    y, s = data
    assert set(np.unique(y)) == {0, 1} and min((y == 1).sum(), (y == 0).sum()) >= 2
    assert np.unique(s).size <= 3 < s.size  # at most 3 distinct values among >= 4 scores: ties


# the README's example property test (my AUC against nenaudit's on scores with ties) runs in tests/test_readme.py


@settings(max_examples=40, **SLOW)
@given(study_specs())
def test_consistent_specs_have_no_inconsistent_finding(raw):
    findings = na.run_audit(validate(raw, "strategies"))
    bad = [(f.id, f.detail) for f in findings if f.verdict == "inconsistent"]
    assert not bad
    # and the checks did look: every count, percentage and p has its finding
    ids = {f.id for f in findings}
    for row in raw["tables"][0]["rows"]:
        if row["kind"] == "categorical":
            assert f"test.categorical:t:{row['variable']}" in ids
            assert f"arith.sum:t:{row['variable']}:a" in ids


@pytest.mark.parametrize("kind", PLANTS)
def test_each_planted_kind_is_found_by_its_check(kind):
    @settings(max_examples=15, database=None, derandomize=True, **SLOW)
    @given(inconsistent_specs(kinds=[kind]))
    def check(case):
        raw, k, fid = case
        findings = {f.id: f for f in na.run_audit(validate(raw, "planted"))}
        assert k == kind and findings[fid].verdict == "inconsistent", findings[fid]

    check()


def test_plant_refuses_a_spec_without_the_row_it_needs():
    from nenaudit.builders import consistent_spec, plant

    raw = consistent_spec([[[3, 4], [5, 6]]])
    with pytest.raises(ValueError, match="grim"):
        plant(raw, "grim")
    with pytest.raises(ValueError, match="unknown kind"):
        plant(raw, "typo")


@settings(max_examples=8, **SLOW)
@given(cohorts())
def test_cohorts_match_their_spec(sc):
    m = sc.cohort.manifest["achieved"]
    assert m["counts_reproduced"] == m["counts_published"]
    les = pd.read_csv(__import__("io").StringIO(sc.cohort.files["lesions.csv"]))
    kmax = sc.spec["design"]["max_lesions_per_patient"]["value"]
    assert les.groupby("patient_id").size().max() <= kmax
    assert len(les) == sum(g["n"] for g in sc.spec["tables"][1]["groups"])


def test_without_hypothesis_the_import_error_says_what_to_install():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import nenaudit.strategies\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == (
        "nenaudit.strategies needs hypothesis, which is not installed: "
        "pip install 'nenaudit[strategies]' (or pip install hypothesis)"
    )
