"""Specs are closed (issue 21): an unknown or repeated key, a lone surrogate or an absurd number is refused
in one line naming the key, never read as something else that changes a verdict.

The typos of the issue are applied to the README's example spec (its baseline audit: 1 inconsistent
finding); each is refused naming the key and the nearest valid one.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nenaudit.builders as sm
from clirun import nenaudit
from nenaudit.exceptions import SpecError
from nenaudit.study.schema import json_schema, load, validate

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> dict:
    """The README's end-to-end example spec (the ```json block after '**Example, end to end.**')."""
    text = README.read_text(encoding="utf-8")
    at = text.index("**Example, end to end.**")
    block = re.search(r"```json\n(.*?)```", text[at:], re.S).group(1)
    return json.loads(block)


def refused(raw, needle: str) -> str:
    with pytest.raises(SpecError) as exc:
        validate(raw, "test")
    msg = str(exc.value)
    assert "\n" not in msg and needle in msg, msg
    return msg


def rename(d: dict, old: str, new: str) -> None:
    items = list(d.items())
    d.clear()
    d.update((new if k == old else k, v) for k, v in items)


def test_the_readme_example_loads_and_the_shipped_specs_too():
    validate(readme_example(), "readme")
    for f in (
        None,
        "tests/specs/bmccancer2021_tongue_mri.json",
        "tests/specs/pmc7907291_pet_grade.json",
    ):
        load(None if f is None else Path(__file__).resolve().parents[1] / f)


@pytest.mark.parametrize(
    "where, old, new, near",
    [
        ((), "tables", "tabels", "tables"),
        (("tables", 0, "rows", 0), "p", "P", "p"),
        (("tables", 0, "rows", 0), "p", "p_value", "p"),
        ((), "stated_counts", "stated_count", "stated_counts"),
        (("tables", 0), "cohort", "cohrt", "cohort"),
        (("stated_counts", 0), "cohort", "cohrt", "cohort"),
    ],
)
def test_issue_typos_are_refused_with_the_nearest_key(where, old, new, near):
    raw = readme_example()
    obj = raw
    for k in where:
        obj = obj[k]
    rename(obj, old, new)
    path = "spec" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where) + f".{new}"
    msg = refused(raw, f"`{new}`: unknown key; did you mean `{near}`?")
    assert msg.startswith(path + ":"), msg


@pytest.mark.parametrize(
    "key, value, near",
    [("Test", "welch-t-test", "test"), ("integer_vlaued", True, "integer_valued")],
)
def test_misspelt_optional_row_keys_are_refused(key, value, near):
    raw = readme_example()
    raw["tables"][0]["rows"][1][key] = value  # the mean +- SD row
    refused(raw, f"spec.tables[0].rows[1].{key}: `{key}`: unknown key; did you mean `{near}`?")
    raw["tables"][0]["rows"][1][near] = raw["tables"][0]["rows"][1].pop(key)
    if near == "test":
        raw["tables"][0]["rows"][1]["test"] = "welch-t-test"
    validate(raw, "test")  # spelt right, it is read


def test_a_key_far_from_every_valid_one_lists_the_valid_keys():
    raw = readme_example()
    raw["study"]["zzz"] = 1
    refused(raw, "spec.study.zzz: `zzz`: unknown key; the keys here are `citation`")


def test_comment_keys_stay_allowed_everywhere():
    raw = readme_example()
    raw["_about"] = "a comment"
    raw["tables"][0]["_review"] = {"by": "me"}
    raw["tables"][0]["rows"][0]["levels"][0]["_note"] = "checked"
    validate(raw, "test")


def test_a_key_given_twice_is_refused_at_parse_time(tmp_path):
    text = json.dumps(readme_example(), indent=1).replace('"n": 29,', '"n": 29, "n": 290,', 1)
    assert text.count('"n": 290') == 1
    f = tmp_path / "dup.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(
        SpecError,
        match=r"^spec\.tables\[0\]\.groups\[0\]\.n: the key appears twice in one object "
        r"\(29, then 290\)",
    ):
        load(f)
    p = nenaudit("audit", "--study", f)
    assert (
        p.returncode == 2
        and len(p.stderr.strip().splitlines()) == 1
        and "appears twice" in p.stderr
    )


def test_a_lone_surrogate_is_refused_naming_the_field(tmp_path):
    text = json.dumps(readme_example()).replace('"Gender"', '"Gen\\ud800der"', 1)
    f = tmp_path / "s.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(
        SpecError,
        match=r"^spec\.tables\[0\]\.rows\[0\]\.variable: holds the lone surrogate \\ud800",
    ):
        load(f)
    p = nenaudit("audit", "--study", f, "--json", tmp_path / "out.json")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "surrogate" in p.stderr
    assert "Traceback" not in p.stderr


def test_a_5000_digit_number_is_one_line(tmp_path):
    text = json.dumps(readme_example()).replace('"n": 29', '"n": ' + "9" * 5000, 1)
    f = tmp_path / "big.json"
    f.write_text(text, encoding="utf-8")
    p = nenaudit("audit", "--study", f)
    assert (
        p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "5000 digits" in p.stderr
    ), p.stderr
    raw = readme_example()
    raw["tables"][0]["groups"][0]["n"] = 10**40  # through the API: the same bound
    refused(raw, "spec.tables[0].groups[0].n: a whole number of 41 digits")


# ------------------------------------------------------------------ any unknown key anywhere (property)

MAPS = {
    "cells",
    "design",
    "methods_tests",
    "class_counts",
    "by_class",
}  # objects keyed by the user's own ids (group ids, fact names, image types, feature classes)


def closed_objects(raw) -> list[tuple]:
    """The paths of every JSON object in ``raw`` whose keys the schema fixes (not a map of the user's ids)."""
    out, stack = [], [((), raw)]
    while stack:
        path, x = stack.pop()
        if isinstance(x, dict):
            is_map = bool(path) and (
                path[-1] in MAPS
                or path == ("outcome", "groups")
                or path[-2:] == ("class_counts", "original")
            )
            if not is_map and not (path and isinstance(path[-1], str) and path[-1].startswith("_")):
                out.append(path)
            stack.extend(((*path, k), v) for k, v in x.items())
        elif isinstance(x, list):
            stack.extend(((*path, i), v) for i, v in enumerate(x))
    return sorted(out, key=repr)


SPECS = {"readme": readme_example(), "feng2025": sm.embedded_raw()}
LOCATIONS = [(name, p) for name, raw in SPECS.items() for p in closed_objects(raw)]
DECLARED = {
    k for s in [json_schema()] for k in re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)":', json.dumps(s))
}


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    where=st.sampled_from(LOCATIONS),
    key=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12),
    value=st.sampled_from([0, "x", None, True, [], {}]),
)
def test_any_unknown_key_anywhere_is_refused_naming_it(where, key, value):
    name, path = where
    raw = copy.deepcopy(SPECS[name])
    obj = raw
    for k in path:
        obj = obj[k]
    if key.startswith("_") or key in obj or key in DECLARED:
        return  # a comment key, or one the schema knows somewhere: not an unknown key here
    obj[key] = value
    with pytest.raises(SpecError) as exc:
        validate(raw, "prop")
    msg = str(exc.value)
    shown = (
        key if key.isprintable() else json.dumps(key, ensure_ascii=False)[1:-1]
    )  # one line: \n etc. escaped
    assert "\n" not in msg and f"`{shown}`: unknown key" in msg, msg


def test_counts_beyond_the_search_make_only_that_row_not_reproducible():
    """10^12 positives once ran for minutes; now that row is not-reproducible with the reason, the audit goes on."""
    import time

    from nenaudit.audit.run import run_audit
    from nenaudit.stats.diagnostic import MAX_SEARCH_N

    raw = readme_example()
    raw["diagnostic_accuracy"] = [
        {
            "model": "m",
            "where": "x",
            "cohort": "training",
            "sensitivity": "81.2",
            "specificity": "73.3",
            "n_positive": 10**12,
            "n_negative": 10**12,
        }
    ]
    t0 = time.monotonic()
    findings = run_audit(validate(raw, "big"))
    assert time.monotonic() - t0 < 30
    row = [f for f in findings if f.id.startswith("diagnostic:")]
    assert (
        len(row) == 1
        and row[0].verdict == "not-reproducible"
        and f"{MAX_SEARCH_N:,}" in row[0].detail
    )
    base = run_audit(validate(readme_example(), "base"))
    assert len(findings) == len(base) + 1  # every other finding is still there
