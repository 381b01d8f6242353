"""Run every check of the audit on a study spec."""

from __future__ import annotations

from collections import Counter

from nenaudit.audit import (
    accuracy,
    arithmetic,
    auc,
    categorical,
    design,
    radiomics,
    regression,
    triples,
    validation,
)
from nenaudit.audit.findings import VERDICTS, Finding
from nenaudit.exceptions import AuditDefinitionError
from nenaudit.study.schema import Study

__all__ = ["all_checks", "run_audit", "summary"]


CHECK_MODULES = (
    arithmetic,
    categorical,
    regression,
    triples,
    auc,
    accuracy,
    design,
    validation,
    radiomics,
)


def all_checks():
    """Every check function, in report order."""
    return [fn for mod in CHECK_MODULES for fn in mod.CHECKS]


def run_audit(study: Study) -> list[Finding]:
    """All findings of all checks on ``study``; ids are unique."""
    findings: list[Finding] = []
    for fn in all_checks():
        findings.extend(fn(study))
    ids = Counter(f.id for f in findings)
    dup = [i for i, c in ids.items() if c > 1]
    if dup:
        raise AuditDefinitionError(f"duplicate finding ids: {dup[:5]}")
    return findings


def summary(findings: list[Finding]) -> dict[str, int]:
    """Counts by verdict, every verdict present (0 when absent)."""
    c = Counter(f.verdict for f in findings)
    return {v: c.get(v, 0) for v in VERDICTS}
