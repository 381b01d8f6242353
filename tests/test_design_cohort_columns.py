"""A table whose columns are the cohorts (tests/specs/wjgo2024_16_1849_rectal_ln.json, Table 1: training vs
validation) gives each cohort's count as the column sum of its first categorical row, and a stated per-cohort count
is compared with it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from nenaudit.audit.design import check_stated_counts
from nenaudit.study.schema import validate

RAW = json.loads(
    (Path(__file__).parent / "specs" / "wjgo2024_16_1849_rectal_ln.json").read_text(
        encoding="utf-8"
    )
)


def _column_sums(raw) -> dict:
    t = next(t for t in raw["tables"] if t.get("cohort") is None)
    row = next(
        r
        for r in t["rows"]
        if r.get("levels")
        and all(
            isinstance(lv["cells"].get(g["id"]), str) for lv in r["levels"] for g in t["groups"]
        )
    )
    return {
        g["id"]: sum(int(lv["cells"][g["id"]].split("(")[0].split("/")[0]) for lv in row["levels"])
        for g in t["groups"]
    }


def _by_id(raw):
    return {f.id: f for f in check_stated_counts(validate(raw))}


def test_each_cohorts_stated_count_meets_its_column_sum():
    sums, got = _column_sums(RAW), _by_id(RAW)
    for c in RAW["cohorts"]:
        f = got[f"design.counts:{c['id']}:patients"]
        stated = next(
            int(s["value"])
            for s in RAW["stated_counts"]
            if s.get("cohort") == c["id"] and s["quantity"] == "patients"
        )
        assert f.verdict == ("consistent" if stated == sums[c["id"]] else "inconsistent")
        assert sums[c["id"]] in [v for _, v, _ in f.compared]


def test_a_misstated_cohort_count_is_inconsistent():
    raw = copy.deepcopy(RAW)
    s = next(
        s
        for s in raw["stated_counts"]
        if s.get("cohort") == "training" and s["quantity"] == "patients"
    )
    s["value"] = str(int(s["value"]) + 1)
    assert _by_id(raw)["design.counts:training:patients"].verdict == "inconsistent"
