"""Shared by tests/test_papers_*.py: a real paper's spec (tests/specs/<stem>.json) audited, and each
fact its R script (tests/specs/<stem>.R) verified by hand, compared with the audit's finding on it.

The R script writes ``{"facts": [{"id", "kind", "printed", "r", "verdict", "detail"}, ...]}``; ``id``
is the id of the audit finding that judges the same printed fact. The stored output
(tests/specs/<stem>.r.json) is what the per-fact tests read; ``check_stored_is_live`` reruns the
script when Rscript is present (and fails under CI without it) so the stored file cannot go stale.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nenaudit.audit.run import run_audit
from nenaudit.study.schema import load

SPECS = Path(__file__).resolve().parent / "specs"


def _has_skewness_rule() -> bool:
    try:
        from nenaudit.stats.consistency import skewness_signal  # noqa: F401 - issue 22's rule
    except ImportError:
        return False
    return True


def _has_cohort_sums() -> bool:
    import dataclasses

    from nenaudit.study.schema import StatedCount

    return "sum_of_cohorts" in {f.name for f in dataclasses.fields(StatedCount)}


def _has_regression_list() -> bool:
    import nenaudit.study.schema as schema

    doc = json.loads(Path(schema.__file__).with_name("spec.schema.json").read_text(encoding="utf-8"))
    return "oneOf" in doc["properties"]["regression"]  # issue 22: `regression` may be a list of tables


#: capabilities of the code base under test that decide whether a known disagreement (README of the
#: paper) is expected: the xfail marks apply only where the capability is missing, and are strict
HAS_SKEWNESS_RULE = _has_skewness_rule()
HAS_COHORT_SUMS = _has_cohort_sums()
HAS_REGRESSION_LIST = _has_regression_list()


def spec_path(stem: str) -> Path:
    return SPECS / f"{stem}.json"


def stored_facts(stem: str) -> list[dict]:
    return json.loads((SPECS / f"{stem}.r.json").read_text(encoding="utf-8"))["facts"]


def findings_by_id(stem: str) -> dict:
    found = run_audit(load(spec_path(stem)))
    ids = [f.id for f in found]
    assert len(ids) == len(set(ids)), "finding ids are not unique"
    return {f.id: f for f in found}


def _same(a, b, path: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert not isinstance(a, bool) and not isinstance(b, bool)
        assert math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300), f"{path}: stored {a}, live R {b}"
    else:
        assert a == b, f"{path}: stored {a!r}, live R {b!r}"


def check_stored_is_live(stem: str, tmp_path: Path) -> None:
    """Rerun tests/specs/<stem>.R and compare its output with the stored .r.json (all but r_version)."""
    if shutil.which("Rscript") is None:
        if os.environ.get("CI"):
            pytest.fail("the paper's R verification needs Rscript, and CI is set: run `make setup`")
        pytest.skip("Rscript not available (allowed only outside CI); the per-fact tests read the stored output")
    out = tmp_path / f"{stem}.r.json"
    run = subprocess.run(["Rscript", str(SPECS / f"{stem}.R"), str(out)], capture_output=True, text=True,
                         env={**os.environ, "TZ": "UTC"})
    assert run.returncode == 0, run.stderr
    live = json.loads(out.read_text(encoding="utf-8"))
    stored = json.loads((SPECS / f"{stem}.r.json").read_text(encoding="utf-8"))
    live.pop("r_version"), stored.pop("r_version")
    _same(stored, live, stem)
