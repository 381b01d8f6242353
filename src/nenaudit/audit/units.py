"""Where a spec's analysis units (patients, lesions) and their outcome counts are found."""

from __future__ import annotations

from dataclasses import dataclass

from nenaudit.study.schema import Study

__all__ = ["UnitCounts", "outcome_counts"]


@dataclass(frozen=True)
class UnitCounts:
    """Counts of one unit (lesion, patient, ...) by outcome group, as the spec states them, with where."""

    unit: str  # "lesion", "patient", ...
    by_outcome: dict[str, int]  # outcome group -> count
    where: str

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())


def outcome_counts(study: Study) -> list[UnitCounts]:
    """Outcome counts per analysis unit: from table groups tagged with an outcome group,
    or from an outcome row (``"outcome": true``) of a one-group table."""
    out = []
    for t in study.tables:
        tagged = [g for g in t.groups if g.outcome_group]
        if len(tagged) >= 2:
            out.append(UnitCounts(t.unit, {g.outcome_group: g.n for g in tagged}, f"{t.id} group sizes"))
            continue
        for row in t.rows:
            if row.outcome and all(lv.outcome_group for lv in row.levels) and len(t.groups) == 1:
                gid = t.groups[0].id
                out.append(UnitCounts(t.unit, {lv.outcome_group: lv.cells[gid].count for lv in row.levels},
                                      f"{t.id}, {row.variable}"))
    return out
