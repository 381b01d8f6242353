"""Where a spec's analysis units (patients, lesions) and their outcome counts are found."""

from __future__ import annotations

from dataclasses import dataclass

from nenaudit.study.schema import Study

__all__ = [
    "UnitCounts",
    "outcome_counts",
    "counts_for",
    "analysis_cohort",
    "binary_split",
    "model_groups",
]


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
            out.append(
                UnitCounts(
                    t.unit, {g.outcome_group: g.n for g in tagged}, f"{t.id} group sizes", t.cohort
                )
            )
            continue
        for row in t.rows:
            if row.outcome and all(lv.outcome_group for lv in row.levels) and len(t.groups) == 1:
                gid = t.groups[0].id
                out.append(
                    UnitCounts(
                        t.unit,
                        {lv.outcome_group: lv.cells[gid].count for lv in row.levels},
                        f"{t.id}, {row.variable}",
                        t.cohort,
                    )
                )
    return out


def counts_for(study: Study, cohort: str | None, unit: str | None = None) -> list[UnitCounts]:
    """Outcome counts of one cohort (None: the tables without a cohort), optionally of one unit.

    Counts are never pooled across cohorts: a training and a validation cohort are different
    patients, so an AUC or a sample size is judged against its own cohort's counts only.
    """
    return [
        u for u in outcome_counts(study) if u.cohort == cohort and (unit is None or u.unit == unit)
    ]


def analysis_cohort(study: Study) -> str | None:
    """The cohort the model was developed in: the regression table's cohort, else the first cohort
    that has outcome counts, else None (a spec without cohorts)."""
    if study.regression is not None and study.regression.cohort is not None:
        return study.regression.cohort
    with_counts = [u.cohort for u in outcome_counts(study)]
    if None in with_counts or not with_counts:
        return None
    return next((c.id for c in study.cohorts if c.id in with_counts), with_counts[0])


def binary_split(
    u: UnitCounts,
    events: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    owner: str = "this entry",
) -> tuple[int, int] | str:
    """``(n_events, n_non_events)`` of a unit's outcome counts, or why they cannot be formed.

    With ``events`` (outcome group ids; ``references`` default to every other group) the groups
    are summed as named. Without them a two-group outcome gives (smaller, larger) group, as
    before; an outcome of three or more groups is never paired silently: the reason names the
    missing field (``event_groups`` / ``reference_groups`` on ``owner``).
    """
    groups = u.by_outcome
    if events:
        refs = references or tuple(g for g in groups if g not in events)
        missing = [g for g in (*events, *refs) if g not in groups]
        if missing:
            return (
                f"{u.where} has no {', '.join(missing)} group (its outcome groups: {', '.join(groups)}); "
                f"fix event_groups/reference_groups on {owner}"
            )
        return sum(groups[g] for g in events), sum(groups[g] for g in refs)
    if len(groups) == 2:
        a, b = sorted(groups.values())
        return a, b
    return (
        f"the outcome has {len(groups)} groups in {u.where} ({', '.join(groups)}): say which make the event with "
        f"event_groups (and reference_groups) on {owner}; the audit does not pair groups the spec does not name"
    )


def model_groups(study: Study) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Event and reference groups of the model the design statements (EPV, sample size) describe: the
    first regression table's, else the design facts ``event_groups``/``reference_groups``; and where to name them."""
    for reg in study.regressions:
        if reg.event_groups:
            return reg.event_groups, reg.reference_groups, f"regression {reg.id}"
    ev = study.fact("event_groups") or ()
    ref = study.fact("reference_groups") or ()
    return tuple(ev), tuple(ref), "the regression table (or design.event_groups)"
