"""The parity registry: what a step is, what a compared value is, and the project's tolerances.

:mod:`nenaudit.parity.harness` (chisq, fisher, wilcox, ttest, glm, firth, icc) and
:mod:`nenaudit.parity.steps` (lasso, auc, roc.test, dca, calibration, validation) both
:func:`register` their steps here; :func:`nenaudit.parity.harness.compare` runs them. Kept apart
from the harness so that the step modules and the harness do not import each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tabulate import tabulate

from nenaudit.stats.result import Result

__all__ = [
    "Statistic",
    "Step",
    "ParityRow",
    "ParityTable",
    "REGISTRY",
    "register",
    "steps",
    "COEF",
    "PVAL",
    "PROFILE",
    "EXACT_NUM",
    "ICC_TOL",
    "rows_text",
]


# ---------------------------------------------------------------------------------------
# Registry entries
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistic:
    """One compared quantity: how to read it from each side, and its tolerance.

    ``python(result)`` and ``r(r_result)`` return a scalar, a sequence (rows ``name[i]``),
    a mapping (rows ``name[key]``) or ``None`` (not applicable; skipped when ``None`` on
    both sides). ``exact`` compares whole values for equality (strings, name tuples).
    """

    name: str
    python: Callable[[Any], Any]
    r: Callable[[Any], Any]
    rtol: float = 0.0
    atol: float = 0.0
    exact: bool = False
    why: str = ""


@dataclass(frozen=True)
class Step:
    """A registered step: input preparation, the Python call, the R call, the statistics."""

    name: str
    description: str
    script: str  # file in reference_r/
    r_function: str
    prepare: Callable[[Any, dict], dict]  # (data, options) -> inputs; refuses bad options
    run_python: Callable[[dict], Any]
    r_args: Callable[[Any, dict], tuple[tuple, dict]]  # (rbridge, inputs) -> (args, kwargs)
    statistics: tuple[Statistic, ...]
    options: tuple[str, ...] = ()


REGISTRY: dict[str, Step] = {}


def register(step: Step) -> Step:
    """Add (or replace) a step in :data:`REGISTRY`."""
    REGISTRY[step.name] = step
    return step


def steps() -> list[str]:
    """Names of the registered steps."""
    return sorted(REGISTRY)


# ---------------------------------------------------------------------------------------
# Tolerances: the project's parity contract
# ---------------------------------------------------------------------------------------

COEF = dict(rtol=1e-6, atol=1e-12, why="coefficients, SE, z, statistics: 1e-6 relative")
PVAL = dict(rtol=1e-4, atol=1e-6, why="p-values: 1e-6 absolute or 1e-4 relative")
PROFILE = dict(rtol=1e-4, atol=1e-8, why="profile CI bounds: 1e-4 relative")
EXACT_NUM = dict(rtol=0.0, atol=0.0, why="integers and rank statistics: identical")
ICC_TOL = dict(rtol=1e-6, atol=1e-12, why="ICC, F and CI: 1e-6 relative (1e-12 absolute near 0)")


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParityRow(Result):
    """One compared value. ``tolerance`` is the allowed absolute difference ``atol + rtol |r|``."""

    statistic: str
    python: Any
    r: Any
    abs_diff: float
    rel_diff: float
    tolerance: float
    rtol: float
    atol: float
    passed: bool
    exact: bool = False


@dataclass(frozen=True)
class ParityTable(Result):
    """Python vs R for one step on one data set (see :func:`compare`)."""

    step: str
    options: dict = field(default_factory=dict)
    rows: tuple[ParityRow, ...] = ()
    python_warnings: tuple[str, ...] = ()

    @property
    def all_pass(self) -> bool:
        return bool(self.rows) and all(r.passed for r in self.rows)

    @property
    def failures(self) -> tuple[ParityRow, ...]:
        return tuple(r for r in self.rows if not r.passed)

    @property
    def max_abs_diff(self) -> float:
        v = [r.abs_diff for r in self.rows if not r.exact and math.isfinite(r.abs_diff)]
        return max(v) if v else float("nan")

    @property
    def max_rel_diff(self) -> float:
        v = [r.rel_diff for r in self.rows if not r.exact and math.isfinite(r.rel_diff)]
        return max(v) if v else float("nan")

    def to_frame(self):
        """Columns: statistic, python, r, abs_diff, rel_diff, tolerance, pass."""
        return pd.DataFrame(
            {
                "statistic": [r.statistic for r in self.rows],
                "python": [r.python for r in self.rows],
                "r": [r.r for r in self.rows],
                "abs_diff": [r.abs_diff for r in self.rows],
                "rel_diff": [r.rel_diff for r in self.rows],
                "tolerance": [r.tolerance for r in self.rows],
                "pass": [r.passed for r in self.rows],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["all_pass"] = self.all_pass
        return d


# ---------------------------------------------------------------------------------------
# The text table (``nenaudit parity`` and ``nenaudit crosscheck``)
# ---------------------------------------------------------------------------------------


def _fmt(x, width: int | None = None) -> str:
    if isinstance(x, float):
        return "NA" if math.isnan(x) else f"{x:.10g}"
    s = str(x)
    return s if width is None or len(s) <= width else s[: width - 1] + "…"


def rows_text(rows) -> str:
    """Parity rows as one text table: [step,] statistic, Python, R, difference, tolerance, pass.

    The step column appears when the rows carry a ``step`` (crosscheck rows); a row that compared
    ``n > 1`` elements (its worst shown) says so after its statistic.
    """
    with_step = any(getattr(r, "step", "") for r in rows)
    out = []
    for r in rows:
        n = getattr(r, "n", 1)
        row = [
            r.statistic if n == 1 else f"{r.statistic} (n={n})",
            _fmt(r.python, 40),
            _fmt(r.r, 40),
            "-" if r.exact else f"{r.abs_diff:.2g}",
            "identical" if r.exact else f"{r.tolerance:.2g}",
            "pass" if r.passed else "FAIL",
        ]
        out.append([r.step, *row] if with_step else row)
    headers = ["statistic", "Python", "R", "difference", "tolerance", "pass"]
    return tabulate(
        out,
        headers=["step", *headers] if with_step else headers,
        tablefmt="simple",
        disable_numparse=True,
    )
