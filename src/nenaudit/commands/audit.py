"""``nenaudit audit``: check the published numbers of a study against each other."""

from __future__ import annotations

import argparse

from nenaudit import options
from nenaudit.outputs import Outputs

__all__ = ["run", "register"]


ORDER = 10


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.audit.run import run_audit
    from nenaudit.report.audit_report import json_report, markdown_report, summary_line, text_report
    from nenaudit.study.schema import load

    study = load(args.study)
    with Outputs() as outs:  # output paths checked before the audit runs
        md = outs.file(args.markdown, "--markdown")
        js = outs.file(args.json, "--json") if args.json not in (None, "-") else None
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
    return 0


def _noise_twin(study, args) -> list:
    """``--noise-twin N``: the forensic findings (audit/noise_twin.py); without it, the note saying how to run it."""
    from nenaudit.audit.noise_twin import noise_twin_findings, noise_twin_hint

    n = getattr(args, "noise_twin", None)
    if not n:
        return [noise_twin_hint(study)]
    return noise_twin_findings(study, n, study_path=args.study, boot=args.twin_boot, seed=args.twin_seed,
                               jobs=args.jobs, quiet=args.quiet)


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser("audit", help="check the published numbers of a study against each other")
    a.add_argument("--study", metavar="PATH", default=None, help="study spec JSON (default: the embedded feng2025)")
    a.add_argument("--json", metavar="FILE", nargs="?", const="-", default=None,
                   help="write the findings as a JSON list (to stdout when FILE is omitted)")
    a.add_argument("--markdown", metavar="FILE", default=None, help="also write a Markdown report")
    a.add_argument("--noise-twin", type=options.int_range(1, None, "a number of twins"),
                   metavar="N", default=None,
                   help="also run N noise twins of the design (simulate null from the spec's pipeline section) and "
                        "set each printed AUC against them: percentile, expected optimism, whether the 'validated' "
                        "AUC can be optimism-corrected (off by default: minutes, not seconds)")
    a.add_argument("--twin-boot", type=options.int_range(1, None, "a number of resamples"), default=10, metavar="B",
                   help="whole-pipeline resamples per twin for the expected optimism (default 10)")
    a.add_argument("--twin-seed", type=options.seed, default=20250611, metavar="N", help="seed of the twins")
    a.add_argument("--jobs", type=options.int_range(1, None, "a number of workers"), default=1, metavar="N", help="worker processes for the twins (default 1)")
    a.add_argument("--quiet", action="store_true", help="no progress of the twins on stderr")
    a.set_defaults(func=run)
