"""Zhang et al. 2019 (J Immunol Res, PMC6914921, CC BY): three outcome groups (N0, N1, N2), row percentages,
a polytomous regression table, an AUC of N2 against N0 + N1. Each printed fact recomputed in R
(tests/specs/pmc6914921_ln_n0n1n2.R) must have the audit's verdict; see tests/paperfacts.py for how a fact is
found among the findings, and tests/papers/pmc6914921/README.md for the known disagreements marked here.
"""

from __future__ import annotations

import pytest

from paperfacts import agrees, audit, check_stored_is_live, fact_key, fact_params, finding_for, stored

STEM = "pmc6914921_ln_n0n1n2"
DOC = stored(STEM)
FACTS = [f for f in DOC["facts"]]
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def findings():
    return audit(STEM)  # asserts no traceback, strict JSON


def test_r_verified_enough_facts():
    assert DOC["n_facts"] == len(DOC["facts"]) and len(DOC["facts"]) >= 25
    assert len({fact_key(f) for f in DOC["facts"]}) == len(DOC["facts"])
    assert {f["verdict"] for f in DOC["facts"]} <= {"consistent", "inconsistent", "not-reproducible"}


def test_stored_r_output_is_current(tmp_path):
    check_stored_is_live(STEM, tmp_path)


@pytest.mark.parametrize("fact", fact_params(FACTS, KNOWN))
def test_audit_agrees_with_r(fact, findings):
    ok, what = agrees(fact, finding_for(fact, findings))
    assert ok, what
