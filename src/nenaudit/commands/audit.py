"""``nenaudit audit``: check the published numbers of a study against each other."""

from __future__ import annotations

import argparse

from nenaudit import options
from nenaudit.outputs import Outputs, check_file

__all__ = ["run", "register"]


ORDER = 10


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.audit.run import run_audit
    from nenaudit.report.audit_report import json_report, markdown_report, summary_line, text_report
    from nenaudit.study.schema import load

    path = args.paper if args.paper is not None else args.study
    if args.paper is not None and args.study is not None:
        from nenaudit.exceptions import NenauditError

        raise NenauditError("give the paper (or spec) once: either PAPER or --study PATH")
    review = None
    with Outputs() as outs:  # output paths checked before the spec is read and the audit runs
        md = check_file(args.markdown, "--markdown") if args.markdown is not None else None
        if md is not None:
            if not args.force:
                refuse_foreign_markdown(
                    md, args.markdown
                )  # before it is registered: a refused file is not renamed
            outs.targets.append(md)
        js = outs.file(args.json, "--json") if args.json not in (None, "-") else None
        # an invalid spec (or an unreadable paper) fails the run: a previous --json/--markdown file is renamed .stale
        if path is not None and not str(path).lower().endswith(".json"):
            study, review = _drafted(path)
        else:
            study = load(path)
        findings = run_audit(study)
        findings += _noise_twin(study, args)
        label = f"{study.id} ({study.source})"
        if md is not None:
            md.write(markdown_report(findings, label))
        if args.json is not None:
            text = json_report(findings)
            if js is None:
                print(text)
                return 0
            js.write(text + "\n" if js.kind == "stream" and not text.endswith("\n") else text)
            if js.kind != "stream" or js.fd != 1:
                print(summary_line(findings))
            return 0
    print(text_report(findings, label))
    if review is not None:
        print(review_report(review, findings))
    return 0


def _drafted(path):
    """Draft the spec of a paper (not a .json spec) and load it: (study, the draft's _review list)."""
    from nenaudit.draft import draft_paper
    from nenaudit.study.schema import validate

    spec = draft_paper(path)
    return validate(spec, f"drafted from {path}"), spec.get("_review", [])


def review_report(review: list[dict], findings) -> str:
    """The draft's _review items, each with the findings that rest on it (same table, row or AUC)."""
    lines = [
        f"The spec was drafted from the paper by nenaudit draft: {len(review)} reading(s) to confirm "
        "(write it out with `nenaudit draft PAPER --out SPEC.json`, check, then audit --study SPEC.json):"
    ]
    for r in review:
        item = str(r.get("item", ""))
        if item.startswith("AUC") and " (" in item:  # an AUC: the findings printed at its paragraph
            head, rest = item.split(" (", 1)[1].split(":", 1)[0].strip(), ""
        else:
            head = item.split(" (", 1)[0].split(",", 1)[0].strip()
            rest = item.split(",", 1)[1].strip() if "," in item else ""
        hits = [
            f
            for f in findings
            if f.verdict == "inconsistent"
            and head
            and head in f.where
            and (not rest or rest.split(",")[0] in f.where)
        ]
        lines.append(f"  - {item}: {r.get('what', '')} ({r.get('why', '')})")
        for f in hits[:5]:
            lines.append(f"      rests on it: {f.id} [{f.verdict}]")
    return "\n".join(lines)


def refuse_foreign_markdown(target, given: str) -> None:
    """An existing ``--markdown`` file is replaced only if it is an audit report nenaudit wrote (``# Audit of``
    and the summary line), else refused in one line (``--force`` replaces it)."""
    import re

    from nenaudit.exceptions import OutputError

    if target.kind != "regular" or target.path is None:
        return
    try:
        head = target.path.read_text(encoding="utf-8", errors="replace")[:2000].splitlines()
    except OSError:
        head = []
    ours = (
        len(head) >= 3
        and head[0].startswith("# Audit of ")
        and re.match(r"^\d+ findings: ", head[2] or "")
    )
    if not ours:
        raise OutputError(
            f"--markdown {given}: the file exists and is not an audit report written by nenaudit; "
            "choose another name, or --force to replace it"
        )


def _noise_twin(study, args) -> list:
    """``--noise-twin N``: the forensic findings (audit/noise_twin.py); without it, the note saying how to run it."""
    from nenaudit.audit.noise_twin import noise_twin_findings, noise_twin_hint

    n = getattr(args, "noise_twin", None)
    if not n:
        return [noise_twin_hint(study)]
    path = args.paper if args.paper is not None else args.study
    if path is not None and not str(path).lower().endswith(".json"):
        from nenaudit.exceptions import NenauditError

        raise NenauditError(
            "--noise-twin needs a spec file with a pipeline section: write the draft out with "
            "`nenaudit draft PAPER --out SPEC.json`, add its `pipeline`, then "
            "`nenaudit audit --study SPEC.json --noise-twin N`"
        )
    return noise_twin_findings(
        study,
        n,
        study_path=path,
        boot=args.twin_boot,
        seed=args.twin_seed,
        jobs=args.jobs,
        quiet=args.quiet,
    )


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser("audit", help="check the published numbers of a study against each other")
    a.add_argument(
        "paper",
        metavar="PAPER",
        nargs="?",
        default=None,
        help="a study spec (.json) or a paper (.txt, .html, .xml) to draft the spec from first",
    )
    a.add_argument(
        "--study",
        metavar="PATH",
        default=None,
        help="study spec JSON, or a paper whose suffix is not .json (drafted first; default: the embedded feng2025)",
    )
    a.add_argument(
        "--json",
        metavar="FILE",
        nargs="?",
        const="-",
        default=None,
        help="write the findings as a JSON list (to stdout when FILE is omitted)",
    )
    a.add_argument(
        "--markdown",
        metavar="FILE",
        default=None,
        help="also write a Markdown report (an existing file that is not nenaudit's audit report is "
        "refused unless --force)",
    )
    a.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --markdown file nenaudit did not write",
    )
    a.add_argument(
        "--noise-twin",
        type=options.int_range(1, None, "a number of twins"),
        metavar="N",
        default=None,
        help="also run N noise twins of the design (simulate null from the spec's pipeline section) and "
        "set each printed AUC against them: percentile, expected optimism, whether the 'validated' "
        "AUC can be optimism-corrected (off by default: minutes, not seconds)",
    )
    a.add_argument(
        "--twin-boot",
        type=options.int_range(1, None, "a number of resamples"),
        default=10,
        metavar="B",
        help="whole-pipeline resamples per twin for the expected optimism (default 10)",
    )
    a.add_argument(
        "--twin-seed", type=options.seed, default=20250611, metavar="N", help="seed of the twins"
    )
    a.add_argument(
        "--jobs",
        type=options.int_range(1, None, "a number of workers"),
        default=1,
        metavar="N",
        help="worker processes for the twins (default 1)",
    )
    a.add_argument("--quiet", action="store_true", help="no progress of the twins on stderr")
    a.set_defaults(func=run)
