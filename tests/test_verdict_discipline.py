"""The verdict discipline (issue 22): a `consistent` finding names the numbers it compared, at least
two, printed in two places or one recomputed from others. Checked over every finding of every spec in
tests/specs/, the embedded study and the constructed specs; a planted finding that compares nothing
fails the same check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nenaudit.audit.findings import RECOMPUTED, Finding, compared, vacuous
from nenaudit.audit.run import run_audit
from nenaudit.study.schema import load, validate

SPECS = [
    p
    for p in sorted((Path(__file__).parent / "specs").glob("*.json"))
    if not p.name.endswith(".r.json")
]  # .r.json: R output


def discipline_violations(findings: list[Finding]) -> list[str]:
    """Ids of consistent findings that compared nothing (the test's one rule)."""
    return [f.id for f in findings if vacuous(f)]


def _studies():
    from groups_spec import groups_spec

    yield "embedded", load()
    for p in SPECS:
        yield p.name, load(p)
    yield "groups_spec", validate(groups_spec())


@pytest.mark.parametrize(
    "name, study", list(_studies()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_every_consistent_finding_names_what_it_compared(name, study):
    findings = run_audit(study)
    assert any(f.verdict == "consistent" for f in findings)  # the rule is exercised on this spec
    assert discipline_violations(findings) == [], name


def test_a_planted_finding_that_compares_nothing_fails():
    good = Finding(
        "x",
        "arithmetic",
        "Table 1",
        "10 of 27 is 37.0%",
        "37.0",
        37.037,
        "consistent",
        "",
        compared(("printed percentage", "37.0", "Table 1"), ("100 x 10/27", 37.037, RECOMPUTED)),
    )
    nothing = Finding(
        "planted",
        "design",
        "Abstract",
        "120 patients",
        [120],
        1,
        "consistent",
        "120 in all 1 places",
    )
    one_place = Finding(
        "planted2",
        "design",
        "Abstract",
        "120 patients",
        [120],
        1,
        "consistent",
        "",
        compared(("count", 120, "Abstract"), ("count again", 120, "Abstract")),
    )
    one_number = Finding(
        "planted3",
        "design",
        "Abstract",
        "120 patients",
        [120],
        1,
        "consistent",
        "",
        compared(("count", 120, "Abstract")),
    )
    assert discipline_violations([good]) == []
    assert discipline_violations([good, nothing, one_place, one_number]) == [
        "planted",
        "planted2",
        "planted3",
    ]
    # the same Finding with any other verdict is not a claim of agreement
    for v in ("inconsistent", "not-reproducible", "note"):
        assert discipline_violations([Finding("p", "design", "", "", None, None, v, "")]) == []


def test_vacuous_findings_of_the_old_audit_are_gone():
    # a count stated once and an AUC printed once compared nothing: they no longer appear
    ids = {f.id for f in run_audit(load())}
    assert "design.counts:patients_over_5cm" not in ids
    assert "auc.repeat:radscore:apparent" not in ids
    assert "auc.repeat:fusion:apparent" in ids  # printed in two places: compared
    # a test rule that explains only the p-values some test reproduces is a note, not consistent
    pet = {
        f.id: f
        for f in run_audit(load(SPECS[[p.name for p in SPECS].index("pmc7907291_pet_grade.json")]))
    }
    rule = pet["test.categorical.rule"]
    assert rule.verdict == "note" and "No test reproduces" in rule.detail


def test_compared_is_in_the_json_report():
    from nenaudit.report.audit_report import json_report

    rows = json.loads(json_report(run_audit(load())))
    assert all("compared" in r for r in rows)
    assert all(len(r["compared"]) >= 2 for r in rows if r["verdict"] == "consistent")


def test_reports_put_what_matters_first_and_fold_the_consistent_ones():
    from collections import Counter

    from nenaudit.report.audit_report import folded_consistent, markdown_report
    from nenaudit.report.document import Document, Para, Section, Table
    from nenaudit.report.html import render_html
    from nenaudit.report.reproduction import render_markdown

    fs = run_audit(load())
    per_class = Counter(f.check for f in fs if f.verdict == "consistent")
    md = markdown_report(fs, "feng2025")
    first_details = md.index("<details>")
    assert md.index("## inconsistent") < md.index("## not-reproducible") < first_details
    assert md.count("<details>") == md.count("</details>") == len(per_class)
    for c, n in per_class.items():
        assert f"<summary>{c}: {n} consistent</summary>" in md
    # the HTML page and report.md of the reproduction report: the same folding, and no script
    blocks = folded_consistent(fs)
    assert isinstance(blocks[0], Para) and str(sum(per_class.values())) in blocks[0].text
    doc = Document(
        "t",
        "s",
        [
            Section(
                "audit",
                "Audit",
                [Table("audit-inconsistent", "inconsistent", ["a"], [["x"]]), *blocks],
            )
        ],
    )
    page = render_html(doc, {})
    assert page.count("<details>") == len(per_class) and "<script" not in page
    assert page.index('id="audit-inconsistent"') < page.index("<details>")
    assert render_markdown(doc, {}).count("<details>") == len(per_class)
