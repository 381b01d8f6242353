"""The public API: ``import nenaudit as na`` and every module's ``__all__``.

Everything a module lists in ``__all__`` is importable and documented; the flat namespace lists the
documented functions (``help(na)`` and ``dir(na)`` show them) and loads nothing heavy until a name is used.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import types

import pytest

import nenaudit
import nenaudit as na

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(nenaudit.__path__, "nenaudit.")
    if m.name != "nenaudit.__main__" and not m.name.rsplit(".", 1)[1].startswith("_")
)


def test_the_walk_finds_the_package():
    assert {
        "nenaudit.stats.logistic",
        "nenaudit.strategies",
        "nenaudit.pipeline",
        "nenaudit.audit.run",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_module_has_an_all_of_documented_importable_names(name):
    mod = importlib.import_module(name)
    assert inspect.getdoc(mod), f"{name} has no module docstring"
    assert hasattr(mod, "__all__"), f"{name} has no __all__"
    assert len(set(mod.__all__)) == len(mod.__all__), f"{name}.__all__ repeats a name"
    for attr in mod.__all__:
        if hasattr(mod, attr):
            obj = getattr(mod, attr)
        else:  # a package lists its modules
            obj = importlib.import_module(f"{name}.{attr}")
        if isinstance(obj, types.ModuleType) or inspect.isclass(obj) or callable(obj):
            assert inspect.getdoc(obj), f"{name}.{attr} has no docstring"
            if inspect.isclass(obj) or inspect.isfunction(obj):
                # documented where it is defined, not only by a base class
                assert obj.__doc__, f"{name}.{attr} has no docstring of its own"
            if inspect.isclass(
                obj
            ):  # a dataclass without a docstring gets its signature as __doc__
                assert not obj.__doc__.startswith(f"{obj.__name__}("), (
                    f"{name}.{attr} has no docstring"
                )


def test_the_flat_namespace_has_the_documented_functions():
    wanted = [
        "fit_logistic",
        "backward_elimination",
        "cv_lasso",
        "ci_auc",
        "delong_test",
        "harrell_optimism",
        "calibration_fit",
        "decision_curve",
        "summarize",
        "load_cohort",
        "load_study",
        "run_pipeline",
        "run_audit",
        "synthesize",
    ]
    assert set(wanted) <= set(na.__all__)
    for name in na.__all__:
        obj = getattr(na, name)
        if name != "__version__":
            assert inspect.getdoc(obj), name
            # the package docstring lists it (help(na) starts with that list)
            assert name in na.__doc__, f"{name} is missing from nenaudit's docstring"
    assert sorted(set(na.__all__) - {"__version__"}) == sorted(
        set(na.__all__) - {"__version__"} & set(dir(na))
    )


def test_one_flat_name_for_each_thing():
    from nenaudit import synth
    from nenaudit.stats import table1
    from nenaudit.study import schema

    names_of: dict[int, list[str]] = {}
    for name in set(na.__all__) - {"__version__"}:
        names_of.setdefault(id(getattr(na, name)), []).append(name)
    assert [sorted(v) for v in names_of.values() if len(v) > 1] == []
    # a flat name that differs from the function's own names the function where it lives
    assert na.summarize is table1.summarize
    assert na.load_study is schema.load
    assert na.synthesize is synth.generate


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_and_class_is_listed_under_its_own_name(name):
    """No second name: a module lists a project function or class only under the name it was defined
    with (``Interrupted = Terminated`` in an ``__all__`` is what this refuses)."""
    mod = importlib.import_module(name)
    renamed = []
    for attr in mod.__all__:
        obj = getattr(mod, attr, None)
        public = (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__.startswith(
            "nenaudit"
        )
        # a factory's product (defined in a function) keeps its own name
        if public and obj.__name__ != attr and "<locals>" not in obj.__qualname__:
            renamed.append(f"{attr} = {obj.__module__}.{obj.__name__}")
    assert renamed == []


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'fit_logistik'"):
        na.fit_logistik  # noqa: B018


def test_help_lists_the_api():
    out = subprocess.run(
        [sys.executable, "-c", "import nenaudit as na; help(na)"],
        capture_output=True,
        text=True,
        check=True,
        env={"PAGER": "cat", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    ).stdout
    assert "FUNCTIONS" in out and "CLASSES" in out
    for name in set(na.__all__) - {"__version__"}:
        assert f"\n    {name}" in out or f" {name}(" in out or f"{name} = " in out, (
            f"help(na) does not list {name}"
        )


def test_import_nenaudit_loads_no_statistics():
    code = (
        "import sys, nenaudit\n"
        "print(sorted(m for m in sys.modules if m.startswith('nenaudit.') or m in ('numpy', 'scipy', 'pandas')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
