"""A real CC BY paper the audit was not built on: Table 1 of PMC9013452 (Respir Res 2022;23:96,
doi:10.1186/s12931-022-02016-7), preinvasive vs invasive lung lesions, 712 training + 306 validation
lesions (tests/papers/pmc9013452_invasive_lesions/). Every printed fact that
tests/specs/pmc9013452_invasive_lesions.R verifies in base R (percentages, column sums, 2 x 2
chi-square/Fisher p, t-test p from mean +- SD over their rounding, one test rule, cohort totals)
is compared with the audit's finding on it. Known disagreements: tests/papers/.../README.md.
"""

from __future__ import annotations

import pytest

from paperfacts import agrees, audit, check_stored_is_live, fact_key, fact_params, finding_for, stored

STEM = "pmc9013452_invasive_lesions"
DOC = stored(STEM)
FACTS = [f for f in DOC["facts"]]
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def findings():
    return audit(STEM)  # asserts no traceback, strict JSON


def test_r_verified_enough_facts():
    assert len(DOC["facts"]) >= 25
    assert len({fact_key(f) for f in DOC["facts"]}) == len(DOC["facts"])
    assert {f["verdict"] for f in DOC["facts"]} <= {"consistent", "inconsistent", "not-reproducible"}


def test_stored_r_output_is_current(tmp_path):
    check_stored_is_live(STEM, tmp_path)


@pytest.mark.parametrize("fact", fact_params(FACTS, KNOWN))
def test_audit_agrees_with_r(fact, findings):
    ok, what = agrees(fact, finding_for(fact, findings))
    assert ok, what
