"""Where a spec's analysis units (patients, lesions) and their outcome counts are found."""

from __future__ import annotations

from dataclasses import dataclass

from nenaudit.study.schema import Study

__all__ = ["UnitCounts", "outcome_counts", "counts_for", "analysis_cohort"]


@dataclass(frozen=True)
class UnitCounts:
    """Counts of one unit (lesion, patient, ...) by outcome group, as the spec states them, with where."""

    unit: str  # "lesion", "patient", ...
    by_outcome: dict[str, int]  # outcome group -> count
    where: str
    cohort: str | None = None  # the cohort of the table the counts come from (spec version 2)

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
            out.append(UnitCounts(t.unit, {g.outcome_group: g.n for g in tagged}, f"{t.id} group sizes", t.cohort))
            continue
        for row in t.rows:
            if row.outcome and all(lv.outcome_group for lv in row.levels) and len(t.groups) == 1:
                gid = t.groups[0].id
                out.append(UnitCounts(t.unit, {lv.outcome_group: lv.cells[gid].count for lv in row.levels},
                                      f"{t.id}, {row.variable}", t.cohort))
    return out


def counts_for(study: Study, cohort: str | None, unit: str | None = None) -> list[UnitCounts]:
    """Outcome counts of one cohort (None: the tables without a cohort), optionally of one unit.

    Counts are never pooled across cohorts: a training and a validation cohort are different
    patients, so an AUC or a sample size is judged against its own cohort's counts only.
    """
    return [u for u in outcome_counts(study) if u.cohort == cohort and (unit is None or u.unit == unit)]


def analysis_cohort(study: Study) -> str | None:
    """The cohort the model was developed in: the regression table's cohort, else the first cohort
    that has outcome counts, else None (a spec without cohorts)."""
    if study.regression is not None and study.regression.cohort is not None:
        return study.regression.cohort
    with_counts = [u.cohort for u in outcome_counts(study)]
    if None in with_counts or not with_counts:
        return None
    return next((c.id for c in study.cohorts if c.id in with_counts), with_counts[0])
