"""A real CC BY radiomics paper the audit was not built on: the abstract of "The development and
validation of a radiomic nomogram for the preoperative prediction of lung adenocarcinoma" (BMC Cancer
2020, doi:10.1186/s12885-020-07017-7; LASSO radiomic signature + CT signs in a nomogram, 147 training
(94 malignant) and 63 validation (39 malignant) nodules; tests/papers/bmccancer2020_spn_radiomic/).

tests/specs/bmccancer2020_spn_radiomic.R verifies in base R: no 2 x 2 table with the validation
dataset's 39 malignant / 24 benign nodules gives the printed sensitivity, specificity and accuracy of
any of the three models (sensitivity and specificity are no k/39 and k/24; every accuracy is a k/63;
41 malignant / 22 benign gives all nine values); the three AUC CIs are symmetric but their cohort is
not stated, so their width cannot be judged. Each of these facts is compared with the audit's finding.
"""

from __future__ import annotations

import pytest

from paperfacts import agrees, audit, check_stored_is_live, fact_key, fact_params, finding_for, stored

STEM = "bmccancer2020_spn_radiomic"
DOC = stored(STEM)
FACTS = [f for f in DOC["facts"] if f["kind"] != "measure"]
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def findings():
    return audit(STEM)  # asserts no traceback, strict JSON


def test_r_verified_enough_facts():
    assert len(DOC["facts"]) + len(DOC["unaudited"]) >= 25
    assert len({fact_key(f) for f in DOC["facts"]}) == len(DOC["facts"])
    assert {f["verdict"] for f in DOC["facts"]} <= {"consistent", "inconsistent", "not-reproducible"}


def test_stored_r_output_is_current(tmp_path):
    check_stored_is_live(STEM, tmp_path)


@pytest.mark.parametrize("fact", fact_params(FACTS, KNOWN))
def test_audit_agrees_with_r(fact, findings):
    ok, what = agrees(fact, finding_for(fact, findings))
    assert ok, what


@pytest.mark.parametrize("fact", [f for f in DOC["facts"] if f["kind"] == "measure"], ids=lambda f: f["id"])
def test_audit_names_exactly_the_measures_r_finds_unattainable(fact, findings):
    """One measure of a joint diagnostic finding: the audit's detail names it as 'no k/n' iff R finds
    no k/n for its denominator."""
    fid, measure = fact["id"].split("#")
    got = finding_for({"id": fid}, findings)
    assert got is not None, f"the audit has no finding {fid}"
    named = f"{measure} {fact['printed']} is no k/n" in got["detail"]
    assert named == (fact["verdict"] == "inconsistent"), f"R: {fact['detail']}; audit detail: {got['detail']}"
