"""The spec's ``pipeline`` section (spec_version 2): the embedded study's, and bad values refused by field path."""

from __future__ import annotations

import json

import pytest

from nenaudit.exceptions import SpecError
from nenaudit.study.schema import json_schema, load, validate


def _raw():
    return json.loads(json.dumps(load().raw))


def test_the_embedded_study_states_its_pipeline_with_where_for_each_step():
    s = load()
    p = s.pipeline
    assert s.version == 2 and p.development.units == 131 and p.development.events == 104
    assert (
        p.n_features
        == s.radiomics["n_features"]["value"]
        == sum(p.raw["features"]["by_class"].values())
    )
    assert (p.icc_threshold, p.redundancy_threshold) == (
        s.fact("icc_threshold"),
        s.fact("spearman_threshold"),
    )
    assert p.step("lasso").folds == s.fact("cv_folds") and p.claimed_validation == "bootstrap-fixed"
    assert {m.model for m in p.models} <= {a.model for a in s.auc}
    for key in (
        "features",
        "reliability",
        "normalization",
        "redundancy",
        "score",
        "clinical",
        "validation",
    ):
        assert p.raw[key]["where"], key
    assert all(st["where"] for st in p.raw["selection"])


def test_the_schema_declares_every_key_of_the_section():
    sch = json_schema()["properties"]["pipeline"]

    def walk(node, raw, path):
        if isinstance(raw, dict):
            props = node.get("properties")
            if props is not None:
                assert node.get("additionalProperties") is False, path
                for k, v in raw.items():
                    assert k in props, f"{path}.{k}"
                    walk(props[k], v, f"{path}.{k}")
        elif isinstance(raw, list) and "items" in node:
            for i, v in enumerate(raw):
                walk(node["items"], v, f"{path}[{i}]")

    walk(sch, load().raw["pipeline"], "pipeline")


@pytest.mark.parametrize(
    "mutate, start",
    [
        (
            lambda r: r["pipeline"]["sample"][0].__setitem__("events", 131),
            "spec.pipeline.sample[0].events: 131 events",
        ),
        (
            lambda r: r["pipeline"]["sample"][0].__setitem__("role", "validation"),
            "spec.pipeline.sample: exactly one",
        ),
        (
            lambda r: r["pipeline"]["sample"][0].__setitem__("cohort", "training"),
            "spec.pipeline.sample[0].cohort: 'training'",
        ),
        (
            lambda r: r["pipeline"]["models"][0].__setitem__("model", "clinical"),
            "spec.pipeline.models[0].model: 'clinical'",
        ),
        (
            lambda r: r["pipeline"]["redundancy"].__setitem__("threshold", 1.5),
            "spec.pipeline.redundancy.threshold",
        ),
        (
            lambda r: r["pipeline"]["validation"].__setitem__("claimed", "bootstrap"),
            "spec.pipeline.validation.claimed",
        ),
        (
            lambda r: r["pipeline"]["selection"][0].__setitem__("method", "magic"),
            "spec.pipeline.selection[0].method",
        ),
        (
            lambda r: r["pipeline"]["sample"][0].__setitem__("patients", 40),
            "spec.pipeline.sample[0].max_units_per_patient",
        ),
        (lambda r: r["pipeline"].pop("validation"), "spec.pipeline.validation"),
    ],
)
def test_bad_values_are_refused_naming_the_field(mutate, start):
    raw = _raw()
    mutate(raw)
    with pytest.raises(SpecError) as exc:
        validate(raw)
    assert str(exc.value).startswith(start), str(exc.value)
