"""End-to-end: the nenaudit command."""

from __future__ import annotations

import json
import time

from clirun import nenaudit
from nenaudit.builders import embedded_raw

FIELDS = {"id", "where", "claim", "published", "recomputed", "verdict", "detail"}


def run(*args, cwd=None):
    return nenaudit(*args, cwd=cwd)


def test_audit_json_on_embedded_study(tmp_path):
    t0 = time.perf_counter()
    p = run("audit", "--json")
    elapsed = time.perf_counter() - t0
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert isinstance(data, list) and data
    assert all(set(d) >= FIELDS for d in data)
    assert {d["verdict"] for d in data} <= {
        "consistent",
        "inconsistent",
        "not-reproducible",
        "note",
    }
    print(f"cold-start audit --json: {elapsed:.2f} s")  # reported in the issue note, not asserted


def test_audit_text_markdown_and_summary(tmp_path):
    md = tmp_path / "out" / "audit.md"
    p = run("audit", "--markdown", str(md))
    assert p.returncode == 0, p.stderr
    last = p.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{len(json.loads(run('audit', '--json').stdout))} findings:")
    for v in ("consistent", "inconsistent", "not-reproducible", "note"):
        assert f" {v}" in last
    assert md.read_text(encoding="utf-8").startswith("# Audit of feng2025")
    assert not list(md.parent.glob("*.part"))


def test_audit_json_file(tmp_path):
    out = tmp_path / "f.json"
    p = run("audit", "--json", str(out))
    assert p.returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))


def test_bad_spec_is_one_line_exit_2(tmp_path):
    raw = embedded_raw()
    raw["tables"][1]["rows"][0]["levels"][0]["cells"]["effective"] = "ten (37.04)"
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps(raw), encoding="utf-8")
    p = run("audit", "--study", str(spec))
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr
    assert "spec.tables[1].rows[0].levels[0].cells.effective" in lines[0]
    missing = run("audit", "--study", str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_other_study_via_study_path(tmp_path):
    raw = embedded_raw()
    raw["study"]["id"] = "copy"
    spec = tmp_path / "copy.json"
    spec.write_text(json.dumps(raw), encoding="utf-8")
    p = run("audit", "--study", str(spec), "--json")
    assert p.returncode == 0
    assert len(json.loads(p.stdout)) == len(json.loads(run("audit", "--json").stdout))
