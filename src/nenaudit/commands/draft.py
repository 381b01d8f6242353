"""``nenaudit draft``: write a study spec from a paper's own text (plain text, HTML or JATS XML)."""

from __future__ import annotations

import argparse
import json
import sys

from nenaudit.outputs import Outputs

__all__ = ["run", "register"]

ORDER = 9


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import time

    from nenaudit.draft import draft_paper

    if args.check is not None:
        return _check(args)
    with Outputs() as outs:
        out = outs.file(args.out, "--out") if args.out not in (None, "-") else None
        t0 = time.perf_counter()
        spec = draft_paper(args.paper)
        took = time.perf_counter() - t0
        text = json.dumps(spec, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            return 0
        out.write(text)
    n_tab = len(spec.get("tables", []))
    n_reg = len((spec.get("regression") or {}).get("rows", []))
    print(
        f"drafted {args.out}: {n_tab} table(s), {n_reg} regression row(s), {len(spec.get('auc', []))} AUC(s), "
        f"{len(spec.get('stated_counts', []))} stated count(s); {len(spec['_review'])} item(s) to confirm in _review "
        f"({took:.2f} s)"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from nenaudit.draft import draft_paper
    from nenaudit.draft.compare import compare
    from nenaudit.exceptions import NenauditError, SpecError
    from nenaudit.study.schema import load

    try:
        gold = dict(load(args.check).raw)
    except (
        SpecError
    ) as exc:  # a spec of a newer schema (or with errors) is still compared item by item
        try:
            with open(args.check, encoding="utf-8") as fh:
                gold = json.load(fh)
        except (OSError, ValueError):
            raise exc from None
        if not isinstance(gold, dict):
            raise NenauditError(f"{args.check}: not a JSON object; give a study spec") from None
        print(f"note: {args.check} does not validate here ({exc}); compared item by item anyway")
    draft = draft_paper(args.paper)
    same, total, diffs = compare(gold, draft)
    print(
        f"{args.check} vs the draft of {args.paper}: {same} of {total} items identical"
        + (f" ({100 * same / total:.1f}%)" if total else "")
    )
    for key, g, d in diffs:
        if g is None:
            print(f"  only in the draft:  {key} = {d}")
        elif d is None:
            print(f"  missing from draft: {key} = {g}")
        else:
            print(f"  differs:            {key}: spec {g!r}, draft {d!r}")
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "draft", help="write a study spec from a paper's text, HTML page or JATS XML"
    )
    a.add_argument(
        "paper",
        metavar="PAPER",
        help="the paper: plain text (.txt), an HTML article page or JATS XML",
    )
    a.add_argument(
        "--out", metavar="SPEC.json", default=None, help="write the spec here (default: stdout)"
    )
    a.add_argument(
        "--check",
        metavar="SPEC.json",
        default=None,
        help="compare this hand-written spec with the draft and list every difference",
    )
    a.set_defaults(func=run)
