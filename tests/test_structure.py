"""The house drawn from the imports (issue 12): no circle, no private name shared, stats/ at the floor.

The imports are read with ``ast`` from every module of ``src/nenaudit``, those inside functions
included (a deferred import is still a dependency). The house rules:

* no import circle between modules (strongly connected components of the module graph);
* a name with a leading underscore (``_x``; dunders such as ``__version__`` are not private) is
  never imported from another module, nor read as ``module._x`` from an imported module;
* a module whose own name has a leading underscore (``stats/_checks.py``) is shared inside its
  package only (``nenaudit.stats._checks`` may be imported by ``nenaudit.stats.*``), and then
  only its public names;
* ``nenaudit.stats`` imports nothing of the project outside ``nenaudit.stats`` and
  ``nenaudit.exceptions``: numerics are the floor;
* ``nenaudit.study`` (published numbers as data) imports nothing above itself (not the audit that
  reads it): only ``nenaudit.study``, ``nenaudit.exceptions`` and the radiomics catalogue.

Each rule is also run on a small planted package, so that a check that cannot fail is caught.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
FLOOR = "nenaudit.stats"
FLOOR_MAY_IMPORT = ("nenaudit.stats", "nenaudit.exceptions")


@dataclass(frozen=True)
class Imp:
    """One imported thing: ``target`` the module it comes from, ``name`` the name taken from it
    (None when the module itself is bound), ``line`` where."""

    importer: str
    target: str
    name: str | None
    line: int


def module_names(root: Path, package: str = "nenaudit") -> dict[str, tuple[Path, bool]]:
    """``dotted name -> (file, is_package)`` for every module under ``root/package``."""
    out = {}
    for p in sorted((root / package).rglob("*.py")):
        parts = list(p.relative_to(root).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (p, is_pkg)
    return out


def _absolute(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_pkg:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def read_imports(root: Path, package: str = "nenaudit"):
    """Every project import (``Imp``) and every ``module._x`` attribute read on an imported module."""
    mods = module_names(root, package)
    imports: list[Imp] = []
    private_attrs: list[tuple[str, str, str, int]] = []
    for mod, (path, is_pkg) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        bound: dict[str, str] = {}  # local name -> project module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == package or a.name.startswith(package + "."):
                        imports.append(Imp(mod, a.name, None, node.lineno))
                        if a.asname:
                            bound[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(mod, is_pkg, node)
                if not (target == package or target.startswith(package + ".")):
                    continue
                for a in node.names:
                    sub = f"{target}.{a.name}"
                    if sub in mods:  # `from pkg import module`
                        imports.append(Imp(mod, sub, None, node.lineno))
                        bound[a.asname or a.name] = sub
                    else:
                        imports.append(Imp(mod, target, a.name, node.lineno))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and is_private(node.attr):
                base = _dotted(node.value)
                if base in bound:
                    private_attrs.append((mod, bound[base], node.attr, node.lineno))
                elif base in mods:  # `import nenaudit.stats.x` then `nenaudit.stats.x._y`
                    private_attrs.append((mod, base, node.attr, node.lineno))
    return mods, imports, private_attrs


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def import_circles(mods, imports) -> list[list[str]]:
    """Strongly connected components (Tarjan) of more than one module, and modules importing themselves."""
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for i in imports:
        if i.target in mods and i.target != i.importer:
            edges[i.importer].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # iterative enough for this tree's depth
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for m in sorted(mods):
        if m not in index:
            visit(m)
    return circles


def private_module_owner(target: str) -> str | None:
    """The package inside which ``target`` may be imported, when a component of it is private."""
    parts = target.split(".")
    for k, part in enumerate(parts):
        if is_private(part):
            return ".".join(parts[:k])
    return None


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def private_violations(mods, imports, private_attrs) -> list[str]:
    out = []
    for i in imports:
        where = f"{i.importer} line {i.line}"
        if i.name is not None and is_private(i.name):
            out.append(f"{where}: imports the private name {i.name} from {i.target}")
        owner = private_module_owner(i.target)
        if owner is not None and not inside(i.importer, owner):
            out.append(f"{where}: imports the private module {i.target} from outside {owner}")
    for mod, target, attr, line in private_attrs:
        if target != mod:
            out.append(f"{mod} line {line}: reads the private name {target}.{attr}")
    return out


def floor_violations(imports, floor: str = FLOOR, allowed=FLOOR_MAY_IMPORT) -> list[str]:
    return [
        f"{i.importer} line {i.line}: imports {i.target}" + (f".{i.name}" if i.name else "")
        for i in imports
        if inside(i.importer, floor) and not any(inside(i.target, a) for a in allowed)
    ]


# --------------------------------------------------------------------------------------
# The project
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def house():
    return read_imports(SRC)


def test_the_walk_sees_the_project(house):
    mods, imports, _ = house
    assert "nenaudit.stats.logistic" in mods and "nenaudit.pipeline" in mods
    assert any(i.importer == "nenaudit.pipeline" and inside(i.target, FLOOR) for i in imports)
    assert len(imports) > 200


def test_no_import_circle(house):
    mods, imports, _ = house
    assert import_circles(mods, imports) == []


def test_no_private_name_crosses_a_module(house):
    assert private_violations(*house) == []


def test_stats_imports_only_stats_and_exceptions(house):
    _, imports, _ = house
    assert floor_violations(imports) == []


# study/ (published numbers as data) is read by the audit, the draft, synth and the report; it reads none
# of them (issue 25: the spec builders, which plant what the audit must flag, moved to nenaudit.builders)
STUDY = "nenaudit.study"
STUDY_MAY_IMPORT = ("nenaudit.study", "nenaudit.exceptions", "nenaudit.radiomics.catalogue")


def test_study_imports_nothing_above_itself(house):
    _, imports, _ = house
    assert any(i.importer == "nenaudit.study.schema" for i in imports)
    assert floor_violations(imports, STUDY, STUDY_MAY_IMPORT) == []


def test_the_study_rule_catches_a_planted_upward_import(tmp_path):
    for rel, text in {
        "nenaudit/__init__.py": "",
        "nenaudit/exceptions.py": "",
        "nenaudit/study/__init__.py": "",
        "nenaudit/study/schema.py": "from nenaudit.exceptions import E\n",
        "nenaudit/study/builders.py": "def f():\n    from nenaudit.audit.categorical import variants\n",
        "nenaudit/audit/__init__.py": "",
        "nenaudit/audit/categorical.py": "variants = 1\n",
    }.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    _, imports, _ = read_imports(tmp_path)
    assert floor_violations(imports, STUDY, STUDY_MAY_IMPORT) == [
        "nenaudit.study.builders line 2: imports nenaudit.audit.categorical.variants"
    ]


# --------------------------------------------------------------------------------------
# The checks can fail: a planted package breaking each rule
# --------------------------------------------------------------------------------------


PLANTED = {
    "nenaudit/__init__.py": "__version__ = '0'\n",
    "nenaudit/exceptions.py": "class E(Exception):\n    pass\n",
    "nenaudit/io.py": "from nenaudit import __version__\n",
    "nenaudit/stats/__init__.py": "",
    "nenaudit/stats/_checks.py": "def as_matrix(x):\n    return x\n\ndef _hidden():\n    pass\n",
    "nenaudit/stats/a.py": """
        from nenaudit.stats._checks import as_matrix
        from nenaudit.exceptions import E

        def f():
            from nenaudit.stats import b
            return b.g()
        """,
    "nenaudit/stats/b.py": """
        from nenaudit.stats import _checks

        def g():
            from nenaudit.stats.a import f
            from nenaudit import io
            return _checks._hidden()
        """,
    "nenaudit/pipeline.py": """
        import nenaudit.stats.a
        from nenaudit.stats._checks import as_matrix
        from nenaudit.stats.a import _private

        def h():
            return nenaudit.stats.a._other
        """,
}


def test_the_rules_catch_a_planted_package(tmp_path):
    for rel, text in PLANTED.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    mods, imports, attrs = read_imports(tmp_path)
    assert import_circles(mods, imports) == [["nenaudit.stats.a", "nenaudit.stats.b"]]
    found = private_violations(mods, imports, attrs)
    assert sorted(found) == sorted(
        [
            "nenaudit.stats.b line 7: reads the private name nenaudit.stats._checks._hidden",
            "nenaudit.pipeline line 3: imports the private module nenaudit.stats._checks from outside nenaudit.stats",
            "nenaudit.pipeline line 4: imports the private name _private from nenaudit.stats.a",
            "nenaudit.pipeline line 7: reads the private name nenaudit.stats.a._other",
        ]
    )
    assert floor_violations(imports) == ["nenaudit.stats.b line 6: imports nenaudit.io"]


# --------------------------------------------------------------------------------------
# Every error and warning class lives in exceptions.py
# --------------------------------------------------------------------------------------


def _exception_classes(root: Path) -> list[str]:
    out = []
    for mod, (path, _) in module_names(root).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {_dotted(b) for b in node.bases}
                if any(
                    b and (b.endswith(("Error", "Exception", "Warning", "Failure", "Unavailable")))
                    for b in bases
                ):
                    out.append(f"{mod}.{node.name}")
    return out


def test_error_and_warning_classes_live_in_exceptions():
    classes = _exception_classes(SRC)
    assert (
        "nenaudit.exceptions.FitFailure" in classes and "nenaudit.exceptions.Terminated" in classes
    )
    assert [c for c in classes if not c.startswith("nenaudit.exceptions.")] == []


def foreign_error_paths(
    sources: dict[str, str], errors: set[str], home: str = "nenaudit.exceptions"
) -> list[str]:
    """Every place an error or warning class is taken from a module other than ``home``.

    ``sources`` maps a file's label to its text. Refused: ``from nenaudit.x import E``, ``x.E`` on
    a bound ``nenaudit.x`` module, and an ``__all__`` outside ``home`` that lists ``E``."""
    out = []
    for label, text in sources.items():
        tree = ast.parse(text)
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] == "nenaudit"
            ):
                for a in node.names:
                    if a.name in errors and node.module != home:
                        out.append(f"{label} line {node.lineno}: {a.name} from {node.module}")
                    bound[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "nenaudit":
                        bound[a.asname or a.name.split(".")[0]] = a.asname and a.name or "nenaudit"
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                listed = [
                    e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)
                ]
                out += [
                    f"{label} line {node.lineno}: __all__ lists {n}" for n in listed if n in errors
                ]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in errors:
                base = _dotted(node.value)
                module = (
                    bound.get(base.split(".")[0], "") + base[len(base.split(".")[0]) :]
                    if base
                    else ""
                )
                if module and module != home:
                    out.append(f"{label} line {node.lineno}: {node.attr} from {module}")
    return out


def _project_sources() -> dict[str, str]:
    root = SRC.parent
    files = [
        p for d in ("src/nenaudit", "tests", "benchmarks") for p in sorted((root / d).rglob("*.py"))
    ]
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in files
        if p != root / "src/nenaudit/exceptions.py"
    }


def test_error_classes_are_imported_from_exceptions_only():
    from nenaudit import exceptions

    errors = set(exceptions.__all__)
    assert {"DataError", "FitFailure", "Terminated", "FAILURE_REASONS"} <= errors
    sources = _project_sources()
    assert len(sources) > 100 and any(
        "from nenaudit.exceptions import" in t for t in sources.values()
    )
    assert foreign_error_paths(sources, errors) == []


def test_the_error_path_rule_catches_old_paths():
    planted = {
        "a.py": "from nenaudit.io import DataError\nfrom nenaudit.exceptions import FitFailure\n",
        "b.py": "from nenaudit.stats import validation as v\ntry:\n    pass\nexcept v.FitFailure:\n    pass\n",
        "c.py": "import nenaudit.processes\nx = nenaudit.processes.Terminated\n",
        "d.py": "from nenaudit.exceptions import CaseError\n__all__ = ['CaseError', 'run']\n",
        "e.py": "from nenaudit import exceptions as E\nx = E.DataError\n",
    }
    assert foreign_error_paths(planted, {"DataError", "FitFailure", "Terminated", "CaseError"}) == [
        "a.py line 1: DataError from nenaudit.io",
        "b.py line 4: FitFailure from nenaudit.stats.validation",
        "c.py line 2: Terminated from nenaudit.processes",
        "d.py line 2: __all__ lists CaseError",
    ]


def test_a_duplicate_finding_id_is_an_audit_definition_error(monkeypatch):
    from nenaudit.audit import run
    from nenaudit.exceptions import AuditDefinitionError
    from nenaudit.study.schema import load

    study = load()
    checks = run.all_checks()
    monkeypatch.setattr(
        run, "all_checks", lambda: [*checks, checks[0]]
    )  # one check run twice: its ids twice
    assert checks[0](study), "the first check finds something on the default spec"
    with pytest.raises(AuditDefinitionError, match="duplicate finding ids"):
        run.run_audit(study)


# --------------------------------------------------------------------------------------
# One name per view: to_dict() (plain Python) and to_frame() (a DataFrame)
# --------------------------------------------------------------------------------------


def test_table_views_are_to_frame_and_the_old_names_are_gone():
    import numpy as np
    import pandas as pd

    from nenaudit.selection import Selection
    from nenaudit.stats.dca import decision_curve
    from nenaudit.stats.logistic import fit_logistic
    from nenaudit.stats.validation import harrell_optimism

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y = (rng.random(80) < 1 / (1 + np.exp(-(0.3 + X.a - 0.5 * X.b)))).astype(float)
    fit = fit_logistic(X, y, profile=False)
    frame = fit.to_frame("wald")
    assert list(frame.index) == ["(Intercept)", "a", "b"]
    assert frame.loc["a", "estimate"] == fit.coefficient("a")
    val = harrell_optimism(X, y, n_boot=5, seed=1)
    assert list(val.to_frame().index) == ["C", "Dxy", "Intercept", "Slope", "Brier"]
    p = 1 / (1 + np.exp(-(0.3 + X.a - 0.5 * X.b)))
    dc = decision_curve(y, p.to_numpy())
    df = dc.to_frame()
    assert len(df) == len(dc.thresholds) and list(df["model"]) == list(dc.model)
    # one name for each view: the 0.1.0 names summary/table/rows/report are gone (CHANGELOG.md)
    old = {
        "LogisticResult.summary": (fit, "summary"),
        "BootstrapValidation.table": (val, "table"),
        "DecisionCurve.rows": (dc, "rows"),
        "Selection.report": (Selection, "report"),
    }
    assert [k for k, (o, n) in old.items() if hasattr(o, n)] == []
