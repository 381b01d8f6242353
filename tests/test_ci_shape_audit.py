"""A ratio printed with its CI and no p (tests/specs/ress2024_vaccination.json, whose tables state Stata svy Wald CIs):
the audit judges the ratio against the log-centre of its CI, strictly when the spec says `ci_method: wald`, and
only beyond what a likelihood-ratio CI can show when it does not."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from nenaudit.audit.triples import check_implied_p
from nenaudit.exceptions import SpecError
from nenaudit.study.schema import validate

RAW = json.loads(
    (Path(__file__).parent / "specs" / "ress2024_vaccination.json").read_text(encoding="utf-8")
)
MISPRINT_FAR = "triple.implied_p:Mother’s schooling (years of study): 13 or over:univariable"  # 0.52 (0.38;0.61)
MISPRINT_NEAR = "triple.implied_p:table3_incomplete_2y:Mother’s age (years): 30-39:univariable"  # 0.93 (0.68;1.23)


def _verdicts(raw):
    return {f.id: f for f in check_implied_p(validate(raw))}


def test_stated_wald_cis_make_both_misprints_inconsistent_and_the_rest_consistent():
    got = _verdicts(RAW)
    assert got[MISPRINT_FAR].verdict == got[MISPRINT_NEAR].verdict == "inconsistent"
    others = {f.verdict for k, f in got.items() if k not in (MISPRINT_FAR, MISPRINT_NEAR)}
    assert others == {"consistent"}
    assert all(len(f.compared) == 2 for f in got.values())


def test_without_a_stated_method_only_the_asymmetry_no_likelihood_ratio_ci_can_show_is_inconsistent():
    raw = copy.deepcopy(RAW)
    for reg in raw["regression"]:
        reg.pop("ci_method")
    got = _verdicts(raw)
    assert (
        got[MISPRINT_FAR].verdict == "inconsistent"
    )  # 0.51:1 with >= 63 events; a LR CI is at most 0.92:1
    assert (
        got[MISPRINT_NEAR].verdict == "note"
    )  # 0.89:1 with >= 42 events; a LR CI can be 0.90:1 (with rounding)
    assert "likelihood-ratio" in got[MISPRINT_NEAR].detail


def test_an_unknown_ci_method_is_refused_naming_the_field():
    raw = copy.deepcopy(RAW)
    raw["regression"][0]["ci_method"] = "bootstrap"
    with pytest.raises(
        SpecError, match=r"regression\[0\]\.ci_method: 'bootstrap' is not one of 'wald', 'profile'"
    ):
        validate(raw)
