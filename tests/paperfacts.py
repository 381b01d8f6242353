"""Real papers transcribed into specs (tests/specs/<name>.json) against R's verdicts on their printed facts.

``tests/specs/<name>.R`` recomputes each printed fact in base R and writes ``tests/specs/<name>.r.json``
(regenerate: ``Rscript tests/specs/<name>.R tests/specs``). A test file per paper asks, fact by fact, whether
the audit's finding on that fact has R's verdict. R is run live when ``Rscript`` is on the PATH (and its output
must equal the stored file's verdicts); otherwise the stored file is read, except under CI, where a missing R
is a failure.

How a fact is found among the audit's findings (ids as ``nenaudit audit --json`` writes them):
  percent      arith.percent:<table>:<variable>:<level>:<group>
  group_sum    arith.sum:<table>:<variable>:<group>
  categorical  test.categorical:<table>:<variable>
  continuous   test.continuous:<table>:<variable>
  wald_p       triple.implied_p:<variable>[: <level>][ [<outcome level>]]:<column>  (column: univariable or
               multivariable; the outcome level of a polytomous table in brackets), or an id that contains that label
               and ends with the column (a later table's ids may carry its table id)
  count        design.counts:<cohort>:<quantity> (a count over several cohorts: design.counts:<quantity>, or an id
               naming every cohort); a finding that compared the count with nothing ('in all 1 places') disagrees
  auc_hm       auc.ci:<model>:...  -- agreement means the audit's predicted CIs include a Hanley-McNeil interval
               equal to R's (1e-6), i.e. the audit counted the events and non-events the spec's groups make
A fact whose finding is absent disagrees: the audit did not check it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SPECS = Path(__file__).parent / "specs"


def r_available() -> bool:
    return shutil.which("Rscript") is not None


def stored_facts(name: str) -> dict:
    return json.loads((SPECS / f"{name}.r.json").read_text(encoding="utf-8"))


def live_facts(name: str, tmp: Path) -> dict | None:
    """R's facts computed now, or None when Rscript is absent (a failure under CI)."""
    if not r_available():
        if os.environ.get("CI"):
            pytest.fail("the paper facts need Rscript, and CI is set: run `make setup`")
        return None
    proc = subprocess.run(["Rscript", str(SPECS / f"{name}.R"), str(tmp)], capture_output=True, text=True,
                          env={**os.environ, "TZ": "UTC"})
    if proc.returncode != 0:
        pytest.fail(f"Rscript tests/specs/{name}.R failed:\n{proc.stderr[-2000:]}")
    return json.loads((tmp / f"{name}.r.json").read_text(encoding="utf-8"))


def run_audit(spec: Path) -> tuple[subprocess.CompletedProcess, list | None]:
    proc = subprocess.run([sys.executable, "-m", "nenaudit", "audit", "--study", str(spec), "--json"],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    findings = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc, findings


def fact_id(f: dict) -> str:
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


def finding_for(f: dict, findings: list) -> dict | None:
    k = f["kind"]
    by_id = {x["id"]: x for x in findings}
    if k == "percent":
        return by_id.get(f"arith.percent:{f['table']}:{f['variable']}:{f['level']}:{f['group']}")
    if k == "group_sum":
        return by_id.get(f"arith.sum:{f['table']}:{f['variable']}:{f['group']}")
    if k == "categorical":
        return by_id.get(f"test.categorical:{f['table']}:{f['variable']}")
    if k == "continuous":
        return by_id.get(f"test.continuous:{f['table']}:{f['variable']}")
    if k == "count":
        hit = by_id.get(f"design.counts:{f['cohort']}:{f['quantity']}")
        if hit is None and "+" in f["cohort"]:
            parts = f["cohort"].split("+")
            hits = [x for x in findings if x["id"].startswith("design.counts") and x["id"].endswith(f":{f['quantity']}")
                    and (x["id"] == f"design.counts:{f['quantity']}" or all(c in x["id"] for c in parts))]
            hit = hits[0] if hits else None
        return hit
    if k == "wald_p":
        head = f["variable"] + (f": {f['level']}" if f.get("level") else "") + (f" [{f['outcome']}]" if f.get("outcome") else "")
        exact = by_id.get(f"triple.implied_p:{head}:{f['column']}")
        if exact is not None:
            return exact
        hits = [x for x in findings if x["id"].startswith("triple.implied_p:") and head in x["id"]
                and x["id"].split(":")[-1] == f["column"]]
        return hits[0] if hits else None
    if k == "auc_hm":
        hits = [x for x in findings if x["id"].startswith(f"auc.ci:{f['model']}:")]
        return hits[0] if hits else None
    raise ValueError(k)


def agrees(f: dict, finding: dict | None) -> tuple[bool, str]:
    """Whether the audit's finding has R's verdict on the fact; the second item says what each said."""
    if finding is None:
        return False, f"R: {f['verdict']}; the audit has no finding on this fact"
    if f["kind"] == "auc_hm":
        rec = finding.get("recomputed")
        pred = (rec.get("predicted_ci") or {}) if isinstance(rec, dict) else {}
        want = f["r_value"]
        hm = {k: v for k, v in pred.items() if k.startswith("Hanley-McNeil")}
        ok = any(abs(v[0] - want[0]) < 1e-6 and abs(v[1] - want[1]) < 1e-6 for v in hm.values())
        return ok, (f"R: Hanley-McNeil CI {want[0]:.4f}-{want[1]:.4f} ({f['n_events']} events vs "
                    f"{f['n_nonevents']}); the audit: {', '.join(f'{k} {v[0]:.4f}-{v[1]:.4f}' for k, v in hm.items()) or 'none'}")
    what = f"R: {f['verdict']}; the audit: {finding['verdict']} ({finding['id']}: {finding.get('detail', '')[:120]})"
    if f["kind"] == "count" and finding.get("recomputed") == 1:
        return False, what + " -- compared the count with nothing ('in all 1 places')"
    return finding["verdict"] == f["verdict"], what
