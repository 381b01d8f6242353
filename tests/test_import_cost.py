"""What ``import nenaudit`` and ``nenaudit --help`` load: the rule behind the imports at module top.

Imports sit at the top of each module (ruff PLC0415) except where they would make these two quick
things slow: the verbs (src/nenaudit/commands/) import their work inside the handler, and
``nenaudit/__init__.py`` loads its names on first use. This file is the test that shows which imports
must stay lazy. It asserts on the set of modules a fresh interpreter has loaded (``python -X
importtime``), not on a time, so it holds on a loaded machine and any CPU; a failure names the
nenaudit module through which the heavy one came in.

Import costs of the heavy set measured with ``python -X importtime`` (cumulative, one warm run on a
loaded 2-core Intel Xeon, issue 25): statsmodels.api 3.7 s, sklearn 2.4 s, scipy.stats 2.3 s,
python-glmnet 1.9 s, rpy2.robjects 1.4 s (and it starts R), matplotlib.pyplot 0.8 s, distributed
0.6 s, radiomics 0.3 s, pandas 0.3 s, SimpleITK 0.3 s, numba 0.24 s, hypothesis 0.2 s, dask 0.2 s,
jsonschema 0.12 s, numpy 0.1 s, lxml.html 0.07 s; ``nenaudit --help`` as a whole about 0.9 s.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

# top-level packages that neither ``import nenaudit`` nor ``nenaudit --help`` may load
HEAVY = frozenset(
    {
        "numpy",
        "pandas",
        "scipy",
        "matplotlib",
        "dask",
        "distributed",
        "numba",
        "llvmlite",
        "lxml",
        "jsonschema",
        "rpy2",
        "sklearn",
        "glmnet",
        "glmnet_rs",
        "statsmodels",
        "hypothesis",
        "radiomics",
        "SimpleITK",
        "threadpoolctl",
    }
)

# ``nenaudit --help`` loads numpy and pandas today: every verb module imports nenaudit.io (pandas) at
# its top for dumps_json, and cli.main imports nenaudit.processes, which reaches numpy through
# stats.workers -> stats._checks (about 0.4 s of the 0.9 s). Taking them out is open work; everything
# else heavy stays out.
HELP_ALLOWS = frozenset({"numpy", "pandas"})

_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)$")


def _imports(*args: str) -> list[tuple[int, str, int]]:
    """(depth, module, cumulative microseconds) of each import, in ``-X importtime`` order (a module
    after the modules it imported)."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    p = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    rows = []
    for line in p.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            rows.append((len(m.group(2)) // 2, m.group(3), int(m.group(1))))
    assert any(name == "nenaudit" for _, name, _ in rows), "nenaudit was not imported"
    return rows


def _importer(rows: list[tuple[int, str, int]], i: int) -> str:
    """The nenaudit module whose import brought in rows[i]: the first shallower row after it that
    belongs to nenaudit (importtime prints a module after everything it imported)."""
    depth = rows[i][0]
    for d, name, _ in rows[i + 1 :]:
        if d < depth:
            if name.split(".")[0] == "nenaudit":
                return name
            depth = d
    return "?"


def _heavy_loaded(rows, allowed=frozenset()) -> dict[str, str]:
    """Heavy top-level package -> 'via <nenaudit module>, <ms> ms' (the package's cumulative time)."""
    found: dict[str, str] = {}
    for i, (_, name, _) in enumerate(rows):
        top = name.split(".")[0]
        if top in HEAVY and top not in allowed and top not in found:
            ms = next((c / 1000 for _, n, c in rows[i:] if n == top), float("nan"))
            found[top] = f"via {_importer(rows, i)}, {ms:.0f} ms"
    return found


def test_import_nenaudit_loads_nothing_heavy():
    rows = _imports("-c", "import nenaudit")
    assert _heavy_loaded(rows) == {}


@pytest.mark.parametrize(
    "argv", [["--help"], ["simulate", "--help"], ["reproduce", "--help"]], ids=" ".join
)
def test_help_loads_nothing_heavy(argv):
    rows = _imports("-m", "nenaudit", *argv)
    assert _heavy_loaded(rows, allowed=HELP_ALLOWS) == {}


def test_the_check_sees_a_heavy_import():
    """The parser and the walk to the importer on a case with a known answer: nenaudit.stats.logistic
    imports numpy and scipy at its top."""
    rows = _imports("-c", "import nenaudit.stats.logistic")
    found = _heavy_loaded(rows)
    assert {"numpy", "scipy"} <= set(found)
    assert found["scipy"].startswith("via nenaudit.")
