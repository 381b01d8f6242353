"""A real CC BY paper obtained as JATS XML: Batista et al., Braz J Med Biol Res 2021;54(10):e11439
(doi:10.1590/1414-431X2021e11439), CTSZ mRNA in whole blood as a prostate cancer marker, 20 controls + 30
patients (tests/papers/bjmbr2021_ctsz/source.xml, the SciELO JATS file as obtained). Every printed fact that
tests/specs/bjmbr2021_ctsz.R verifies in base R (Table 1 percentages and sums, the race chi-square p from the
counts, the age t-test p from mean +- SD over their rounding, the 'homogeneous' claim, the two AUC CIs, the
sensitivity/specificity against k/n, the stated counts) is compared with the audit's finding on it.
Known disagreements: tests/papers/bjmbr2021_ctsz/README.md.
"""

from __future__ import annotations

import pytest

from paperfacts import agrees, audit, check_stored_is_live, fact_key, fact_params, finding_for, stored

STEM = "bjmbr2021_ctsz"
DOC = stored(STEM)
FACTS = [f for f in DOC["facts"]]
KNOWN: dict[str, str] = {}  # every fact R verifies agrees with the audit


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
