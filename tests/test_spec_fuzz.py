"""Hostile study specs: the loader and the full audit accept a spec or refuse it in one line naming the field.

Mutations of the embedded spec (nenaudit.builders: drop a field, null it, change its type,
empty a list, repeat an element, nest deeply, replace a string) are run through
``schema.validate`` and ``run_audit``. The audit's pure numerical helpers are memoised
(tests/memo.py) so that hundreds of full audits fit in a few seconds; that changes no control flow.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import memo
import nenaudit.builders as sm
from clirun import nenaudit
from nenaudit.audit.run import run_audit
from nenaudit.exceptions import NenauditError
from nenaudit.study.schema import load, validate

RAW = sm.embedded_raw()
MUTATIONS = list(sm.mutations(RAW))
FIELD_PATH = re.compile(r"spec[.\[]")


@pytest.fixture(scope="module", autouse=True)
def memoised_numerics():
    with pytest.MonkeyPatch.context() as mp:
        memo.install(mp)
        yield


def outcome(raw) -> str | None:
    """None when the spec is accepted and audited; the error message when it is refused cleanly."""
    try:
        run_audit(validate(raw, "fuzz"))
    except NenauditError as exc:
        return str(exc)
    return None


def assert_clean(msg: str | None) -> None:
    if msg is None:
        return
    assert "\n" not in msg and len(msg) < 400, msg
    assert FIELD_PATH.search(msg), f"no field path in {msg!r}"


@settings(
    max_examples=250,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(picks=st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=2))
def test_mutated_spec_is_accepted_or_refused_in_one_line_with_the_field_path(picks):
    assert_clean(outcome(sm.apply_all(RAW, [(path, new) for path, _, new in picks])))


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("NENAUDIT_SLOW"),
    reason="exhaustive sweep: set NENAUDIT_SLOW=1 (about 4 min)",
)
def test_every_single_field_mutation_is_accepted_or_refused_cleanly():
    crashes = []
    for path, kind, new in MUTATIONS:
        try:
            assert_clean(outcome(sm.apply(RAW, path, new)))
        except Exception as exc:  # noqa: BLE001 - collect every crash site, then report them all
            crashes.append(f"{sm.dotted(path)} {kind}: {type(exc).__name__}: {str(exc)[:100]}")
    assert not crashes, f"{len(crashes)} of {len(MUTATIONS)} mutations crash:\n" + "\n".join(
        crashes[:40]
    )


def _mutated(path, value):
    return sm.apply(RAW, path, value)


@pytest.mark.parametrize(
    "path,value,field",
    [
        (("tables", 0, "title"), "Demographics", None),  # one word: accepted, labelled by the title
        (("significance_claims", 0, "table"), "table9", "spec.significance_claims[0].table"),
        (
            ("regression", "significance_mark", "threshold"),
            "p<0.05",
            "spec.regression.significance_mark.threshold",
        ),
        (("design", "alpha", "value"), "p<0.05", "spec.design.alpha.value"),
        (("regression", "rows"), [], "spec.regression.rows"),
        (
            ("design", "max_lesions_per_patient", "value"),
            "3",
            "spec.design.max_lesions_per_patient.value",
        ),
        (("radiomics", "n_features", "value"), 0, "spec.radiomics.n_features.value"),
        (("significance_claims", 0, "variables", 0), None, "spec.significance_claims[0].variables"),
        (("methods_tests", "categorical", "value"), None, "spec.methods_tests.categorical.value"),
        (("study",), sm.deep(), "nested more than"),
    ],
)
def test_issue_10_spec_crash_sites_are_one_line_errors(path, value, field):
    msg = outcome(_mutated(path, value))
    if field is None:
        assert msg is None
        return
    assert msg is not None and field in msg and "\n" not in msg


def test_duplicated_table_is_refused():
    raw = json.loads(json.dumps(RAW))
    raw["tables"].append(raw["tables"][0])
    msg = outcome(raw)
    assert msg and "spec.tables" in msg and "twice" in msg


def test_same_variable_claimed_twice_is_audited_twice():
    raw = json.loads(json.dumps(RAW))
    raw["significance_claims"].append(raw["significance_claims"][0])
    ids = [
        f.id for f in run_audit(validate(raw)) if f.id.startswith("claim.significance:table2:AFP")
    ]
    assert ids == ["claim.significance:table2:AFP", "claim.significance:table2:AFP#2"]


def _cli_audit(tmp_path, text: bytes | str):
    p = tmp_path / "spec.json"
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return nenaudit("audit", "--study", p, "--json")


def test_audit_study_hostile_files_exit_2_in_one_line(tmp_path):
    cases = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "latin1": json.dumps(RAW)
        .replace("Feng M", "F\\u00e9ng M")
        .replace("\\u00e9", "\u00e9")
        .encode("latin-1"),
        "nan": json.dumps(RAW).replace('"value": 0.05', '"value": NaN', 1),
    }
    for name, text in cases.items():
        r = _cli_audit(tmp_path, text)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("nenaudit: error:"), (
            name,
            r.stderr,
        )
    r = _cli_audit(tmp_path, json.dumps(_mutated(("regression", "rows"), [])))
    assert r.returncode == 2 and "spec.regression.rows" in r.stderr and "Traceback" not in r.stderr


def test_embedded_spec_still_loads_unchanged():
    assert load().sha256 == validate(RAW).sha256


# ------------------------------------------------------------------ spec version 2 (tests/specs, the template)
def _v2_raws():
    from pathlib import Path

    from nenaudit.commands.spec_template import TEMPLATE

    specs = Path(__file__).resolve().parent / "specs"
    # <stem>.r.json beside a spec is its R script's stored output (tests/paperfacts.py), not a spec
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(specs.glob("*.json"))
        if not p.name.endswith(".r.json")
    ] + [json.loads(json.dumps(TEMPLATE))]


V2 = _v2_raws()
V2_MUTATIONS = [(i, path, new) for i, raw in enumerate(V2) for path, _, new in sm.mutations(raw)]


@settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(picks=st.lists(st.sampled_from(V2_MUTATIONS), min_size=1, max_size=2))
def test_mutated_v2_spec_is_accepted_or_refused_in_one_line_with_the_field_path(picks):
    i = picks[0][0]
    assert_clean(outcome(sm.apply_all(V2[i], [(path, new) for j, path, new in picks if j == i])))


def test_v2_specs_are_accepted_unmutated():
    assert len(V2) >= 3 and all(outcome(raw) is None for raw in V2)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("NENAUDIT_SLOW"),
    reason="exhaustive sweep: set NENAUDIT_SLOW=1 (about 4 min)",
)
def test_every_single_field_mutation_of_the_v2_specs_is_accepted_or_refused_cleanly():
    crashes = []
    for i, path, new in V2_MUTATIONS:  # 5174 mutations when written
        try:
            assert_clean(outcome(sm.apply(V2[i], path, new)))
        except Exception as exc:  # noqa: BLE001 - collect every crash site, then report them all
            crashes.append(f"spec {i} {sm.dotted(path)}: {type(exc).__name__}: {str(exc)[:100]}")
    assert not crashes, f"{len(crashes)} of {len(V2_MUTATIONS)} mutations crash:\n" + "\n".join(
        crashes[:40]
    )
