"""Real papers transcribed into specs (tests/specs/<stem>.json), and R's verdicts on their printed facts.

``tests/specs/<stem>.R`` recomputes printed facts of the paper in base R and writes them to the file named by its
first argument (default ``tests/specs/<stem>.r.json``, the stored output): ``Rscript tests/specs/<stem>.R``
regenerates it. One parametrized test file (tests/test_papers.py) asks, fact by fact, whether the audit's finding on
that fact has R's verdict; ``check_stored_is_live`` reruns the script when ``Rscript`` is present (a failure under
CI without it) and requires the stored file to equal the live output, so the stored verdicts cannot go stale.

A fact names the audit finding that judges it in one of two ways:

* ``id``: the finding's id as ``nenaudit audit --json`` writes it (the paper's own R script wrote it);
* ``kind`` plus fields (scripts built on tests/specs/spec_facts.R), mapped here:

  percent      arith.percent:<table>:<variable>:<level>:<group>
  group_sum    arith.sum:<table>:<variable>:<group>
  categorical  test.categorical:<table>:<variable>
  continuous   test.continuous:<table>:<variable>
  wald_p       triple.implied_p:<variable>[: <level>][ [<outcome level>]]:<column>, or an id that contains that
               label and ends with the column (a later table's ids carry its table id)
  count        design.counts:<cohort>:<quantity> (a count over several cohorts: design.counts:<quantity>, or an
               id naming every cohort)
  auc_hm       auc.ci:<model>:... -- agreement means the audit's predicted CIs include a Hanley-McNeil interval
               equal to R's (1e-6), i.e. the audit counted the events and non-events the spec's groups make

A fact whose finding is absent disagrees (the audit did not check it), and so does a count that the audit compared
with nothing ('in all 1 places').
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from clirun import nenaudit

SPECS = Path(__file__).resolve().parent / "specs"


def spec_path(stem: str) -> Path:
    return SPECS / f"{stem}.json"


def stored(stem: str) -> dict:
    """The stored output of tests/specs/<stem>.R."""
    return json.loads((SPECS / f"{stem}.r.json").read_text(encoding="utf-8"))


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
        assert math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300), (
            f"{path}: stored {a}, live R {b}"
        )
    else:
        assert a == b, f"{path}: stored {a!r}, live R {b!r}"


def check_stored_is_live(stem: str, tmp_path: Path) -> None:
    """Rerun tests/specs/<stem>.R and compare its output with the stored .r.json (all but r_version)."""
    if shutil.which("Rscript") is None:
        if os.environ.get("CI"):
            pytest.fail("the paper's R verification needs Rscript, and CI is set: run `make setup`")
        pytest.skip(
            "Rscript not available (allowed only outside CI); the per-fact tests read the stored output"
        )
    out = tmp_path / f"{stem}.r.json"
    run = subprocess.run(
        ["Rscript", str(SPECS / f"{stem}.R"), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    live = json.loads(out.read_text(encoding="utf-8"))
    old = stored(stem)
    live.pop("r_version"), old.pop("r_version")
    _same(old, live, stem)


def audit(stem: str) -> list[dict]:
    """``nenaudit audit --study tests/specs/<stem>.json --json`` as a user runs it: no traceback, strict JSON,
    unique finding ids; the findings as dicts."""
    run = nenaudit("audit", "--study", spec_path(stem), "--json")
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.returncode in (0, 1), run.stderr[-2000:]
    findings = json.loads(run.stdout)
    ids = [f["id"] for f in findings]
    assert len(ids) == len(set(ids)), "finding ids are not unique"
    return findings


def fact_key(f: dict) -> str:
    """A fact's test id: the finding id its script named, else one built from its kind and fields."""
    if "id" in f:
        return f["id"]
    k = f["kind"]
    if k == "percent":
        return f"percent:{f['table']}:{f['variable']}:{f['level']}:{f['group']}"
    if k == "group_sum":
        return f"group_sum:{f['table']}:{f['variable']}:{f['group']}"
    if k in ("categorical", "continuous"):
        return f"{k}:{f['table']}:{f['variable']}"
    if k == "wald_p":
        lv = f":{f['level']}" if f.get("level") else ""
        out = f"[{f['outcome']}]" if f.get("outcome") else ""
        return f"wald_p:{f['table']}:{f['variable']}{lv}:{f['column']}{out}"
    if k == "count":
        return f"count:{f['cohort']}:{f['quantity']}"
    if k == "auc_hm":
        return f"auc_hm:{f['index']}"
    raise ValueError(f"unknown fact kind {k!r}")


def finding_for(f: dict, findings: list[dict]) -> dict | None:
    """The audit's finding on fact ``f`` (None when the audit has none)."""
    by_id = {x["id"]: x for x in findings}
    if "id" in f:
        return by_id.get(f["id"])
    k = f["kind"]
    if k == "percent":
        return by_id.get(f"arith.percent:{f['table']}:{f['variable']}:{f['level']}:{f['group']}")
    if k == "group_sum":
        return by_id.get(f"arith.sum:{f['table']}:{f['variable']}:{f['group']}")
    if k in ("categorical", "continuous"):
        return by_id.get(f"test.{k}:{f['table']}:{f['variable']}")
    if k == "count":
        hit = by_id.get(f"design.counts:{f['cohort']}:{f['quantity']}")
        if hit is None and "+" in f["cohort"]:
            parts = f["cohort"].split("+")
            hits = [
                x
                for x in findings
                if x["id"].startswith("design.counts")
                and x["id"].endswith(f":{f['quantity']}")
                and (
                    x["id"] == f"design.counts:{f['quantity']}" or all(c in x["id"] for c in parts)
                )
            ]
            hit = hits[0] if hits else None
        return hit
    if k == "wald_p":
        head = (
            f["variable"]
            + (f": {f['level']}" if f.get("level") else "")
            + (f" [{f['outcome']}]" if f.get("outcome") else "")
        )
        exact = by_id.get(f"triple.implied_p:{head}:{f['column']}")
        if exact is not None:
            return exact
        hits = [
            x
            for x in findings
            if x["id"].startswith("triple.implied_p:")
            and head in x["id"]
            and x["id"].split(":")[-1] == f["column"]
        ]
        return hits[0] if hits else None
    if k == "auc_hm":
        hits = [x for x in findings if x["id"].startswith(f"auc.ci:{f['model']}:")]
        return hits[0] if hits else None
    raise ValueError(k)


def agrees(f: dict, finding: dict | None) -> tuple[bool, str]:
    """Whether the audit's finding has R's verdict on the fact; the second item says what each said."""
    if finding is None:
        return (
            False,
            f"R: {f['verdict']} ({f.get('detail', '')}); the audit has no finding on this fact",
        )
    if f["kind"] == "auc_hm":
        rec = finding.get("recomputed")
        pred = (rec.get("predicted_ci") or {}) if isinstance(rec, dict) else {}
        want = f["r_value"]
        hm = {k: v for k, v in pred.items() if k.startswith("Hanley-McNeil")}
        ok = any(abs(v[0] - want[0]) < 1e-6 and abs(v[1] - want[1]) < 1e-6 for v in hm.values())
        return ok, (
            f"R: Hanley-McNeil CI {want[0]:.4f}-{want[1]:.4f} ({f['n_events']} events vs "
            f"{f['n_nonevents']}); the audit: "
            f"{', '.join(f'{k} {v[0]:.4f}-{v[1]:.4f}' for k, v in hm.items()) or 'none'}"
        )
    what = (
        f"R: {f['verdict']} ({f.get('detail', '')}); the audit: {finding['verdict']} "
        f"({finding['id']}: {finding.get('detail', '')[:300]})"
    )
    if f["kind"] == "count" and finding.get("recomputed") == 1:
        return False, what + " -- compared the count with nothing ('in all 1 places')"
    return finding["verdict"] == f["verdict"], what


def fact_params(facts: list[dict], known: dict[str, str] | None = None) -> list:
    """pytest params, one per fact, id'd by ``fact_key``; a key in ``known`` (a disagreement the paper's README
    explains) is marked xfail(strict=True) with its reason, so it fails the day the audit agrees."""
    known = known or {}
    assert set(known) <= {fact_key(f) for f in facts}, "a known disagreement names no fact"
    return [
        pytest.param(
            f, id=fact_key(f), marks=pytest.mark.xfail(strict=True, reason=known[fact_key(f)])
        )
        if fact_key(f) in known
        else pytest.param(f, id=fact_key(f))
        for f in facts
    ]
