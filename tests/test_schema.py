"""Study spec loading and validation."""

from __future__ import annotations

import json

import pytest

from nenaudit.builders import embedded_raw, mutate
from nenaudit.exceptions import SpecError
from nenaudit.study.schema import load, parse_p, validate


def test_embedded_study_loads_with_its_tables():
    s = load()
    assert s.id == "feng2025"
    assert [t.id for t in s.tables] == ["table1", "table2"]
    assert s.table("table2").group("ineffective").n == 104
    assert len(s.regression.rows) == 14
    # the malformed p-value of Table 3 is kept as printed, flagged, not rejected
    radscore = s.regression.rows[0]
    assert radscore.multivariable.p.raw == "0.00s0*"
    assert radscore.multivariable.p.malformed


def test_spec_from_file(tmp_path):
    p = tmp_path / "spec.json"
    p.write_text(json.dumps(embedded_raw()), encoding="utf-8")
    assert load(p).sha256 == load().sha256


@pytest.mark.parametrize(
    "mutation, path",
    [
        (
            lambda r: r["tables"][1]["rows"][0]["levels"][0]["cells"].__setitem__(
                "effective", "10 (37,04"
            ),
            "spec.tables[1].rows[0].levels[0].cells.effective",
        ),
        (
            lambda r: r["tables"][0]["groups"][0].__setitem__("n", "76"),
            "spec.tables[0].groups[0].n",
        ),
        (
            lambda r: r["tables"][1]["rows"][1].__setitem__("kind", "median"),
            "spec.tables[1].rows[1].kind",
        ),
        (
            lambda r: r["regression"]["rows"][2]["univariable"].__setitem__(
                "estimate_ci", "1.712 (1.138 2.667)"
            ),
            "spec.regression.rows[2].univariable.estimate_ci",
        ),
        (lambda r: r.pop("study"), "spec.study"),
        (lambda r: r["auc"][0].__setitem__("estimate", "1.928"), "spec.auc[0].estimate"),
        (
            lambda r: r["text_values"][0].__setitem__("cell", "table7/Age/total/mean"),
            "spec.text_values[0].cell",
        ),
        (
            lambda r: r["radiomics"]["radscore"]["terms"][0].__setitem__("coefficient", "-0.4.29"),
            "spec.radiomics.radscore.terms[0].coefficient",
        ),
    ],
)
def test_malformed_spec_names_the_field_path(mutation, path):
    with pytest.raises(SpecError) as exc:
        validate(mutate(embedded_raw(), mutation))
    assert str(exc.value).startswith(path)
    assert "\n" not in str(exc.value)


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid JSON"):
        load(bad)


def test_parse_p_variants():
    assert parse_p("<0.001").comparator == "<"
    assert parse_p("0.005*").mark == "*" and parse_p("0.005*").value == 0.005
    assert parse_p("0.00s0*").malformed
    assert parse_p("0").value == 0 and parse_p("0").decimals == 0
    assert parse_p("1.2").malformed  # outside [0, 1]


def test_printed_agrees_is_the_rounding_interval():
    p = parse_p("0.010")
    assert p.agrees(0.0104) and p.agrees(0.0096)
    assert not p.agrees(0.0106) and not p.agrees(0.0094)
    assert parse_p("<0.001").agrees(0.0002) and not parse_p("<0.001").agrees(0.002)


def test_label_keys_keep_comparison_signs():
    # "≤100" and ">100" are different NSE levels (Feng 2025, Tables 1-2); a key that dropped the
    # signs matched both to "100" and made the patient/lesion check compare the wrong levels
    from nenaudit.study.schema import label_key

    assert label_key("≤100") != label_key(">100")
    assert label_key(">5 cm") == label_key(" >5 CM ") and label_key(">5 cm") != label_key("5 cm")
    assert label_key("Surufatinib + octreotide") != label_key("Surufatinib octreotide")
