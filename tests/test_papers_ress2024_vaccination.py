"""A real CC BY paper obtained as an HTML article page: Boing et al., Epidemiol Serv Saude 2024;33(spe2):e20231216
(doi:10.1590/S2237-96222024v33e20231216.especial2.en), child vaccination and maternal race/skin color, 37,801
children, five logistic regressions with crude and adjusted ORs (tests/papers/ress2024_vaccination/source.html, the
SciELO article page as rendered by SciELO's own HTML generator). Every printed fact that
tests/specs/ress2024_vaccination.R verifies in base R (Table 1 block sums, each OR against the log-centre of its
printed CI over the rounding) is compared with the audit's finding on the same numbers.
Known disagreements: tests/papers/ress2024_vaccination/README.md.
"""

from __future__ import annotations

import pytest

from paperfacts import agrees, audit, check_stored_is_live, fact_key, fact_params, finding_for, stored

STEM = "ress2024_vaccination"
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
