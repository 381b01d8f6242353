"""The Finding: one checked claim of a paper, with what was printed and what was recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nenaudit.stats.result import Result

__all__ = ["Finding", "fmt"]


VERDICTS = ("inconsistent", "not-reproducible", "note", "consistent")


@dataclass(frozen=True)
class Finding(Result):
    """One audited claim.

    ``verdict`` is one of ``consistent`` (the recomputation agrees at the printed
    precision), ``inconsistent`` (it cannot agree), ``not-reproducible`` (the paper does
    not give what a recomputation needs) and ``note`` (a fact a reader should know that
    is neither). ``check`` names the check class that produced it.
    """

    id: str
    check: str
    where: str
    claim: str
    published: Any
    recomputed: Any
    verdict: str
    detail: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")


def fmt(x: Any, digits: int = 4) -> Any:
    """Round a float for display in a finding (the full value stays in ``recomputed``)."""
    if isinstance(x, float):
        return float(f"{x:.{digits}g}")
    return x
