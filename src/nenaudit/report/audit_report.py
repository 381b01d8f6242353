"""Render audit findings: a terminal table grouped by verdict, Markdown, JSON."""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Iterable

from tabulate import tabulate

from nenaudit.audit.findings import VERDICTS, Finding
from nenaudit.audit.run import summary
from nenaudit.io import dumps_json
from nenaudit.report.document import Folded, Para, Table

__all__ = ["summary_line", "text_report", "markdown_report", "json_report", "folded_consistent"]


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
        table = [
            [
                f.check,
                textwrap.fill(f.where, 28),
                textwrap.fill(f.claim, 40),
                textwrap.fill(_short(f.published, 40), 24),
                textwrap.fill(f.detail, wrap),
            ]
            for f in rows
        ]
        parts.append(
            tabulate(
                table,
                headers=["check", "where", "claim", "published", "detail"],
                tablefmt="simple_grid",
            )
        )
        parts.append("")
    parts.append(summary_line(findings))
    return "\n".join(parts)


def _by_check(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f)
    return out


def _compared_text(f: Finding) -> str:
    return "; ".join(f"{w} {_short(v, 40)} ({o})" for w, v, o in f.compared)


def folded_consistent(findings: list[Finding]) -> list:
    """The consistent findings as report blocks: one line with their count per check class, then one
    folded table per check class (HTML ``<details>``), so that the findings that matter come first."""
    cons = [f for f in findings if f.verdict == "consistent"]
    if not cons:
        return []
    groups = _by_check(cons)
    blocks: list = [
        Para(
            f"consistent ({len(cons)}), folded by check class: "
            + ", ".join(f"{c} {len(fs)}" for c, fs in groups.items())
        )
    ]
    for c, fs in groups.items():
        rows = [[f.where, f.claim, _compared_text(f)] for f in fs]
        blocks.append(
            Folded(
                f"{c}: {len(fs)} consistent",
                (
                    Table(
                        f"audit-consistent-{c.replace(' ', '-')}",
                        f"{c}: consistent ({len(fs)})",
                        ["where", "claim", "compared"],
                        rows,
                    ),
                ),
            )
        )
    return blocks


def markdown_report(findings: list[Finding], study_label: str) -> str:
    """The findings as a Markdown document: inconsistent, not-reproducible and notes as tables, then the
    consistent ones folded (``<details>``, no script) per check class with their count; the summary line first."""

    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    parts = [f"# Audit of {study_label}", "", summary_line(findings), ""]
    for v in VERDICTS:
        rows = [f for f in findings if f.verdict == v]
        if not rows:
            continue
        parts += [f"## {v} ({len(rows)})", ""]
        if v == "consistent":
            groups = _by_check(rows)
            parts += [
                "By check class: " + ", ".join(f"{c} {len(fs)}" for c, fs in groups.items()),
                "",
            ]
            for c, fs in groups.items():
                table = [[esc(f.where), esc(f.claim), esc(_compared_text(f))] for f in fs]
                parts += [
                    f"<details><summary>{html.escape(c)}: {len(fs)} consistent</summary>",
                    "",
                    tabulate(table, headers=["where", "claim", "compared"], tablefmt="github"),
                    "",
                    "</details>",
                    "",
                ]
            continue
        table = [
            [esc(f.check), esc(f.where), esc(f.claim), esc(_short(f.published, 60)), esc(f.detail)]
            for f in rows
        ]
        parts.append(
            tabulate(
                table, headers=["check", "where", "claim", "published", "detail"], tablefmt="github"
            )
        )
        parts.append("")
    return "\n".join(parts)


def json_report(findings: Iterable[Finding]) -> str:
    """The findings as strict JSON (a list of objects with the Finding fields)."""
    return dumps_json([f.to_dict() for f in findings], ensure_ascii=False)
