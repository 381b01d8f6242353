"""The README's section "From Python": its session runs as a doctest, and its example property test runs."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from hypothesis import settings

README = Path(__file__).resolve().parents[1] / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, f"README has no section '## {title}'"
    return m.group(1)


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_python_session_runs_as_a_doctest():
    (session,) = blocks(section("From Python"), "pycon")
    lineno = README.read_text(encoding="utf-8")[
        : README.read_text(encoding="utf-8").index(session)
    ].count("\n")
    test = doctest.DocTestParser().get_doctest(
        session, {}, "README.md: From Python", str(README), lineno
    )
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0 and res.attempted == len(test.examples)


def test_readme_property_test_runs():
    (code,) = [b for b in blocks(section("From Python"), "python") if "nenaudit.strategies" in b]
    ns: dict = {}
    exec(compile(code, "README.md: From Python (property test)", "exec"), ns)
    tests = [v for k, v in ns.items() if k.startswith("test_") and callable(v)]
    assert len(tests) == 1
    # on a loaded machine the first example (which imports the statistics) can exceed hypothesis'
    # default 200 ms deadline: the suite runs the README's test without one
    settings(deadline=None)(tests[0])()  # hypothesis runs its examples; a disagreement raises


def test_readme_property_test_can_fail():
    """The example would catch an AUC function that mishandles ties (counts a tie as a loss)."""
    (code,) = [b for b in blocks(section("From Python"), "python") if "nenaudit.strategies" in b]
    ns: dict = {}
    exec(
        compile(
            code.replace("0.5 * (diff == 0)", "0.0 * (diff == 0)"),
            "README.md (broken my_auc)",
            "exec",
        ),
        ns,
    )
    with pytest.raises(AssertionError):
        settings(deadline=None)(ns["test_my_auc_agrees_with_nenaudit"])()
