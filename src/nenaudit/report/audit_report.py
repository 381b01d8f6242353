"""Render audit findings: a terminal table grouped by verdict, Markdown, JSON."""

from __future__ import annotations

import json
import textwrap
from typing import Iterable

from tabulate import tabulate

from nenaudit.audit.findings import VERDICTS, Finding
from nenaudit.io import dumps_json
from nenaudit.audit.run import summary

__all__ = ["summary_line", "text_report", "markdown_report", "json_report"]


def _short(x, width: int) -> str:
    s = x if isinstance(x, str) else json.dumps(x, ensure_ascii=False, default=str)
    return s if len(s) <= width else s[: width - 1] + "…"


def summary_line(findings: list[Finding]) -> str:
    """One line: how many findings of each verdict."""
    s = summary(findings)
    return f"{len(findings)} findings: " + ", ".join(f"{s[v]} {v}" for v in VERDICTS)


def text_report(findings: list[Finding], study_label: str, wrap: int = 60) -> str:
    """Tables grouped by verdict (inconsistent first), then the summary line."""
    parts = [f"nenaudit audit of {study_label}", ""]
    for v in VERDICTS:
        rows = [f for f in findings if f.verdict == v]
        if not rows:
            continue
        parts.append(f"== {v} ({len(rows)}) ==")
        table = [[f.check, textwrap.fill(f.where, 28), textwrap.fill(f.claim, 40),
                  textwrap.fill(_short(f.published, 40), 24), textwrap.fill(f.detail, wrap)] for f in rows]
        parts.append(tabulate(table, headers=["check", "where", "claim", "published", "detail"], tablefmt="simple_grid"))
        parts.append("")
    parts.append(summary_line(findings))
    return "\n".join(parts)


def markdown_report(findings: list[Finding], study_label: str) -> str:
    """The findings as a Markdown document, grouped by verdict, then the summary line."""
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    parts = [f"# Audit of {study_label}", "", summary_line(findings), ""]
    for v in VERDICTS:
        rows = [f for f in findings if f.verdict == v]
        if not rows:
            continue
        parts += [f"## {v} ({len(rows)})", ""]
        table = [[esc(f.check), esc(f.where), esc(f.claim), esc(_short(f.published, 60)), esc(f.detail)] for f in rows]
        parts.append(tabulate(table, headers=["check", "where", "claim", "published", "detail"], tablefmt="github"))
        parts.append("")
    return "\n".join(parts)


def json_report(findings: Iterable[Finding]) -> str:
    """The findings as strict JSON (a list of objects with the Finding fields)."""
    return dumps_json([f.to_dict() for f in findings], ensure_ascii=False)
