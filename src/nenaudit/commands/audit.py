"""``nenaudit audit``: check the published numbers of a study against each other."""

from __future__ import annotations

import argparse

from nenaudit.io import write_atomic

ORDER = 10


def run(args: argparse.Namespace) -> int:
    from nenaudit.audit.run import run_audit
    from nenaudit.report.audit_report import json_report, markdown_report, summary_line, text_report
    from nenaudit.study.schema import load

    study = load(args.study)
    findings = run_audit(study)
    label = f"{study.id} ({study.source})"
    if args.markdown:
        write_atomic(args.markdown, markdown_report(findings, label))
    if args.json is not None:
        text = json_report(findings)
        if args.json == "-":
            print(text)
            return 0
        write_atomic(args.json, text)
        print(summary_line(findings))
        return 0
    print(text_report(findings, label))
    return 0


def register(sub) -> None:
    a = sub.add_parser("audit", help="check the published numbers of a study against each other")
    a.add_argument("--study", metavar="PATH", default=None, help="study spec JSON (default: the embedded feng2025)")
    a.add_argument("--json", metavar="FILE", nargs="?", const="-", default=None,
                   help="write the findings as a JSON list (to stdout when FILE is omitted)")
    a.add_argument("--markdown", metavar="FILE", default=None, help="also write a Markdown report")
    a.set_defaults(func=run)
