"""Design checks on a polytomous (multinomial) regression table (tests/specs/pmc6914921_ln_n0n1n2.json, N0/N1/N2):
the outcome levels and the reference outcome name every outcome group, so EPV uses the smallest category without
`event_groups`; Riley's binary sample size says why it does not apply. With `event_groups` named, they win."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from nenaudit.audit.design import check_events_per_variable, check_sample_size
from nenaudit.study.schema import validate

RAW = json.loads(
    (Path(__file__).parent / "specs" / "pmc6914921_ln_n0n1n2.json").read_text(encoding="utf-8")
)


def _group_sizes(raw) -> dict:
    t = next(t for t in raw["tables"] if all(g.get("outcome_group") for g in t["groups"]))
    return {g["outcome_group"]: g["n"] for g in t["groups"]}


def test_epv_of_a_multinomial_table_uses_its_smallest_outcome_category():
    sizes = _group_sizes(RAW)
    smallest = min(sizes, key=sizes.get)
    found = check_events_per_variable(validate(RAW))
    assert found and all(f.verdict == "note" for f in found)
    for f in found:
        k = f.published
        assert f.recomputed == round(sizes[smallest] / k, 3)
        assert f"smallest outcome category {smallest}" in f.claim


def test_riley_sample_size_is_not_applied_to_a_multinomial_model():
    found = check_sample_size(validate(RAW))
    assert found and all(
        f.verdict == "not-reproducible" and "multinomial" in f.detail for f in found
    )


def test_named_event_groups_win_over_the_smallest_category():
    raw = copy.deepcopy(RAW)
    regs = raw["regression"] if isinstance(raw["regression"], list) else [raw["regression"]]
    sizes = _group_sizes(raw)
    regs[0]["event_groups"] = [max(sizes, key=sizes.get)]
    found = check_events_per_variable(validate(raw))
    assert found and all("smallest outcome category" not in f.claim for f in found)
    assert {f.recomputed for f in found} == {
        round(max(sizes.values()) / f.published, 3) for f in found
    }
