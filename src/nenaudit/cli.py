"""Command line: one verb per capability; every verb has --json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nenaudit import __version__
from nenaudit.exceptions import NenauditError


def _write(path: str, text: str) -> None:
    """Write atomically: a half-written file never looks complete."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)


def cmd_audit(args: argparse.Namespace) -> int:
    from nenaudit.audit.run import run_audit
    from nenaudit.report.audit_report import json_report, markdown_report, summary_line, text_report
    from nenaudit.study.schema import load

    study = load(args.study)
    findings = run_audit(study)
    label = f"{study.id} ({study.source})"
    if args.markdown:
        _write(args.markdown, markdown_report(findings, label))
    if args.json is not None:
        text = json_report(findings)
        if args.json == "-":
            print(text)
            return 0
        _write(args.json, text)
        print(summary_line(findings))
        return 0
    print(text_report(findings, label))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nenaudit", description=__doc__)
    p.add_argument("--version", action="version", version=f"nenaudit {__version__}")
    sub = p.add_subparsers(dest="verb", required=True)
    a = sub.add_parser("audit", help="check the published numbers of a study against each other")
    a.add_argument("--study", metavar="PATH", default=None, help="study spec JSON (default: the embedded feng2025)")
    a.add_argument("--json", metavar="FILE", nargs="?", const="-", default=None,
                   help="write the findings as a JSON list (to stdout when FILE is omitted)")
    a.add_argument("--markdown", metavar="FILE", default=None, help="also write a Markdown report")
    a.set_defaults(func=cmd_audit)
    return p




def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except NenauditError as exc:
        print(f"nenaudit: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
