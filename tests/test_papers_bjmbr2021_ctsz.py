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
# R calls a centred CI whose width is within a factor 2 of Hanley-McNeil's for the group sizes consistent; the audit,
# given the counts (event_n/control_n: 4 relapses vs 20), reports that plausibility band as a note (DeLong's width
# depends on the score distributions), as it does on every other spec. See tests/papers/bjmbr2021_ctsz/README.md.
KNOWN: dict[str, str] = {
    "auc.ci:CTSZ mRNA in blood (biochemical relapse vs no relapse, PCa patients):reported:1": (
        "known disagreement: R consistent (centred, 0.74 x Hanley-McNeil for 4 vs 20, a factor-2 plausibility band); "
        "the audit gives a note: a width within a band is no recomputation"),
}


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
