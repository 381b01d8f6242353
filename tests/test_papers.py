"""Real papers the audit was not built on: every printed fact that a paper's base-R script
(``tests/specs/<stem>.R``, its stored output ``tests/specs/<stem>.r.json``) verifies must have the
audit's verdict. How a fact is found among the findings: tests/paperfacts.py. Each paper's source as
obtained, its licence and its known disagreements: ``tests/papers/<id>/README.md``.

The papers (all CC BY unless marked):

* ``bjmbr2021_ctsz``: Batista et al., Braz J Med Biol Res 2021;54(10):e11439
  (doi:10.1590/1414-431X2021e11439), CTSZ mRNA in whole blood as a prostate cancer marker, 20 controls
  and 30 patients; the SciELO JATS XML. R verifies Table 1's percentages and sums, the race chi-square
  p from the counts, the age t-test p from mean +- SD over their rounding, the 'homogeneous' claim, the
  two AUC CIs, the sensitivity/specificity against k/n and the stated counts.
* ``bmccancer2020_spn_radiomic``: the abstract of "The development and validation of a radiomic
  nomogram for the preoperative prediction of lung adenocarcinoma" (BMC Cancer 2020,
  doi:10.1186/s12885-020-07017-7), 147 training (94 malignant) and 63 validation (39 malignant)
  nodules. R verifies that no 2 x 2 table with 39 malignant / 24 benign nodules gives the printed
  sensitivity, specificity and accuracy of any of the three models (41 / 22 gives all nine), and that
  the three AUC CIs are symmetric but name no cohort, so their width cannot be judged.
* ``pmc6914921_ln_n0n1n2``: Zhang et al. 2019, J Immunol Res (PMC6914921): three outcome groups (N0, N1,
  N2), row percentages, a polytomous regression table, an AUC of N2 against N0 + N1.
* ``pmc9013452_invasive_lesions``: Table 1 of PMC9013452 (Respir Res 2022;23:96,
  doi:10.1186/s12931-022-02016-7), preinvasive vs invasive lung lesions, 712 training and 306
  validation lesions: percentages, column sums, 2 x 2 chi-square/Fisher p, t-test p from mean +- SD,
  one test rule, cohort totals.
* ``ress2024_vaccination``: Boing et al., Epidemiol Serv Saude 2024;33(spe2):e20231216
  (doi:10.1590/S2237-96222024v33e20231216.especial2.en), child vaccination and maternal race/skin
  colour, 37,801 children, five logistic regressions with crude and adjusted ORs; the SciELO HTML page.
  R verifies Table 1's block sums and each OR against the log-centre of its printed CI.
* ``wjgo2024_16_1849_rectal_ln``: Ye et al. 2024, World J Gastrointest Oncol 16(5):1849 (CC BY-NC), MRI
  lymph-node radiomics in rectal cancer: a training-vs-validation table, node-level tables by outcome
  within each cohort, and a count that spans both cohorts (144 = 100 + 44).
"""

from __future__ import annotations

import functools

import pytest

from paperfacts import (
    agrees,
    audit,
    check_stored_is_live,
    fact_key,
    fact_params,
    finding_for,
    stored,
)

# stem -> the facts of that paper the audit is known to disagree with R on, each with the reason its
# README gives (xfail, strict: the test fails the day the audit agrees). None today.
PAPERS: dict[str, dict[str, str]] = {
    "bjmbr2021_ctsz": {},
    "bmccancer2020_spn_radiomic": {},
    "pmc6914921_ln_n0n1n2": {},
    "pmc9013452_invasive_lesions": {},
    "ress2024_vaccination": {},
    "wjgo2024_16_1849_rectal_ln": {},
}
DOCS = {stem: stored(stem) for stem in PAPERS}


def _facts(stem: str) -> list[dict]:
    """The facts judged by a finding's verdict (a joint diagnostic finding's measures are judged by
    its detail instead: test_audit_names_exactly_the_measures_r_finds_unattainable)."""
    return [f for f in DOCS[stem]["facts"] if f["kind"] != "measure"]


def _verdict_params() -> list:
    out = []
    for stem, known in PAPERS.items():
        for p in fact_params(_facts(stem), known):
            out.append(pytest.param(stem, *p.values, id=f"{stem}:{p.id}", marks=p.marks))
    return out


@functools.cache
def _findings(stem: str) -> tuple[dict, ...]:
    return tuple(audit(stem))  # asserts no traceback, strict JSON, unique ids


@pytest.mark.parametrize("stem", PAPERS)
def test_r_verified_enough_facts(stem):
    doc = DOCS[stem]
    facts = doc["facts"]
    assert doc.get("n_facts", len(facts)) == len(facts)
    assert len(facts) + len(doc.get("unaudited", [])) >= 25
    assert len({fact_key(f) for f in facts}) == len(facts)
    assert {f["verdict"] for f in facts} <= {"consistent", "inconsistent", "not-reproducible"}


@pytest.mark.parametrize("stem", PAPERS)
def test_stored_r_output_is_current(stem, tmp_path):
    check_stored_is_live(stem, tmp_path)


@pytest.mark.parametrize(("stem", "fact"), _verdict_params())
def test_audit_agrees_with_r(stem, fact):
    ok, what = agrees(fact, finding_for(fact, list(_findings(stem))))
    assert ok, what


@pytest.mark.parametrize(
    ("stem", "fact"),
    [
        pytest.param(stem, f, id=f"{stem}:{f['id']}")
        for stem in PAPERS
        for f in DOCS[stem]["facts"]
        if f["kind"] == "measure"
    ],
)
def test_audit_names_exactly_the_measures_r_finds_unattainable(stem, fact):
    """One measure of a joint diagnostic finding: the audit's detail names it as 'no k/n' iff R
    finds no k/n for its denominator."""
    fid, measure = fact["id"].split("#")
    got = finding_for({"id": fid}, list(_findings(stem)))
    assert got is not None, f"the audit has no finding {fid}"
    named = f"{measure} {fact['printed']} is no k/n" in got["detail"]
    assert named == (fact["verdict"] == "inconsistent"), (
        f"R: {fact['detail']}; audit detail: {got['detail']}"
    )
