"""The Finding: one checked claim of a paper, with what was printed and what was recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nenaudit.stats.result import Result

__all__ = ["Finding", "fmt", "compared", "vacuous", "RECOMPUTED"]


VERDICTS = ("inconsistent", "not-reproducible", "note", "consistent")


@dataclass(frozen=True)
class Finding(Result):
    """One audited claim.

    ``verdict`` is one of ``consistent`` (the recomputation agrees at the printed
    precision), ``inconsistent`` (it cannot agree), ``not-reproducible`` (the paper does
    not give what a recomputation needs) and ``note`` (a fact a reader should know that
    is neither). ``check`` names the check class that produced it.

    ``compared`` lists the numbers a verdict rests on, each ``(what, value, origin)``; ``origin`` is
    the place the number is printed, or :data:`RECOMPUTED` for a number the audit computed from
    others. A ``consistent`` finding compares at least two, from two places or one recomputed
    (:func:`vacuous` finds those that do not).
    """

    id: str
    check: str
    where: str
    claim: str
    published: Any
    recomputed: Any
    verdict: str
    detail: str
    compared: tuple[tuple[str, Any, str], ...] = ()

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")


def fmt(x: Any, digits: int = 4) -> Any:
    """Round a float for display in a finding (the full value stays in ``recomputed``)."""
    if isinstance(x, float):
        return float(f"{x:.{digits}g}")
    return x


#: the origin of a number the audit computed (see :attr:`Finding.compared`)
RECOMPUTED = "recomputed"


def compared(*items: tuple[str, Any, str]) -> tuple[tuple[str, Any, str], ...]:
    """``compared(("printed %", "37.04", "Table 1"), ("100 x 10/27", 37.037, RECOMPUTED))``: the tuple
    a Finding's ``compared`` takes (None values are left out)."""
    return tuple((str(w), v, str(o)) for w, v, o in items if v is not None)


def vacuous(f: Finding) -> bool:
    """True for a ``consistent`` finding that compared nothing: fewer than two numbers, or two printed
    in one place with nothing recomputed. Every other verdict is never vacuous."""
    if f.verdict != "consistent":
        return False
    origins = [o for _, _, o in f.compared]
    return len(f.compared) < 2 or not (RECOMPUTED in origins or len(set(origins)) >= 2)
