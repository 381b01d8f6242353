"""Every file output follows the README's rules (issue 21): an empty name refused, a failing run leaves no
stale file looking current (renamed NAME.stale.EXT), a user's file is not replaced unless --force."""

from __future__ import annotations

import json

from clirun import nenaudit

JUNIT_OK = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nenaudit crosscheck" tests="1" failures="0">'
    "</testsuites>\n"
)


def one_error_line(p, needle: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:"), p.stderr
    assert needle in lines[0], lines[0]


def test_crosscheck_junit_empty_name_is_refused():
    one_error_line(nenaudit("crosscheck", "--junit", ""), "an empty path")


def test_a_failing_crosscheck_renames_the_previous_junit(tmp_path):
    j = tmp_path / "j.xml"
    j.write_text(JUNIT_OK)
    p = nenaudit("crosscheck", tmp_path / "no-such-cohort", "--junit", j)
    assert p.returncode == 2
    assert not j.exists() and (tmp_path / "j.stale.xml").read_text() == JUNIT_OK


def test_an_invalid_spec_renames_the_previous_audit_json(tmp_path):
    prev = tmp_path / "prev.json"
    assert nenaudit("audit", "--json", prev).returncode == 0
    before = prev.read_text()
    spec = tmp_path / "bad.json"
    spec.write_text(
        json.dumps({"spec_version": 2, "study": {"id": "x", "citation": "y"}, "tabels": []})
    )
    p = nenaudit("audit", "--study", spec, "--json", prev)
    one_error_line(p, "`tabels`: unknown key; did you mean `tables`?")
    assert not prev.exists() and (tmp_path / "prev.stale.json").read_text() == before


def test_audit_markdown_over_a_users_file_needs_force(tmp_path):
    thesis = tmp_path / "thesis.md"
    thesis.write_text("# My thesis\n\nChapter one.\n")
    one_error_line(
        nenaudit("audit", "--markdown", thesis), "not an audit report written by nenaudit"
    )
    assert thesis.read_text() == "# My thesis\n\nChapter one.\n"
    report = tmp_path / "audit.md"
    assert nenaudit("audit", "--markdown", report).returncode == 0
    assert (
        nenaudit("audit", "--markdown", report).returncode == 0
    )  # nenaudit's own report: replaced
    assert nenaudit("audit", "--markdown", thesis, "--force").returncode == 0
    assert thesis.read_text().startswith("# Audit of ")
