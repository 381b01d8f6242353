"""``nenaudit extract``: pyradiomics features (the paper's settings) for every lesion mask, in parallel."""

from __future__ import annotations

import argparse
import sys

from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 46


def _progress(enabled: bool):
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if not enabled:
            return
        if tty:
            print(
                f"\rextract: {done}/{total} cases",
                end="\n" if done == total else "",
                file=sys.stderr,
                flush=True,
            )
        elif done == total or done % max(1, total // 10) == 0:
            print(f"extract: {done}/{total} cases", file=sys.stderr, flush=True)

    return show


def _icc_table(icc: dict):
    import pandas as pd

    frames = []
    for design, batch in icc.items():
        if batch is None:
            continue
        f = batch.to_frame()
        f.insert(0, "design", design)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else None


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import importlib.util

    from nenaudit.exceptions import NenauditError
    from nenaudit.outputs import Outputs

    if (
        importlib.util.find_spec("radiomics") is None
        or importlib.util.find_spec("SimpleITK") is None
    ):
        raise NenauditError(
            "pyradiomics/SimpleITK not installed; pip install 'nenaudit[radiomics]'"
        )
    from nenaudit.radiomics.extract import extract, find_cases, output_paths, save_extraction

    if args.jobs < 1:
        raise NenauditError(f"--jobs must be >= 1, got {args.jobs}")
    cases = find_cases(args.images, args.masks)
    with Outputs() as outs:  # every output path checked before the extraction
        for p in output_paths(args.out):
            outs.file(p, "--out")
        icc_target = outs.file(args.icc, "--icc")
        res = extract(cases, params=args.params, jobs=args.jobs, progress=_progress(not args.json))
        written = save_extraction(res, args.out)
        _report(args, res, written, icc_target)
    if res.failures:
        stale = (
            f"; the previous {args.out} was renamed {written['stale']}"
            if "stale" in written
            else ""
        )
        print(
            f"nenaudit: {len(res.failures)} of {res.n_cases} cases failed; {args.out} was not written "
            f"(extracted rows: {written['partial']}, failures: {written['failures']}){stale}",
            file=sys.stderr,
        )
        return 1
    return 0


def _report(args, res, written, icc_target) -> None:
    from nenaudit.radiomics.extract import observer_icc

    summary = res.to_dict()
    summary["written"] = written
    icc_counts = {}
    if len(res.table) and ((res.table["observer"] != 1) | (res.table["repeat"] != 1)).any():
        icc = observer_icc(res.table)
        for design, batch in icc.items():
            if batch is None:
                icc_counts[design] = {
                    "n_lesions": None,
                    "note": "fewer than 2 lesions with both readings: no ICC",
                }
                continue
            vals = batch.values()
            icc_counts[design] = {
                "n_lesions": int(batch.n_subjects.max()),
                **{form: int((vals[form] >= 0.75).sum()) for form in batch.forms},
            }
        if args.icc:
            tab = _icc_table(icc)
            if tab is not None:
                icc_target.write(tab.to_csv(index=False, lineterminator="\n"))
                written["icc"] = args.icc
    elif args.icc:
        moved = icc_target.fail()
        print(
            f"nenaudit: no re-segmented readings (observer 1 repeat 2, observer 2) among the cases; "
            f"{args.icc} not written"
            + (f" (the previous one was renamed {moved})" if moved else ""),
            file=sys.stderr,
        )
    summary["icc_at_least_0.75"] = icc_counts
    if args.json:
        print(dumps_json(summary, indent=2, default=str))
    else:
        print(
            f"{summary['n_extracted']}/{res.n_cases} cases extracted, {len(res.feature_names)} features each, "
            f"{res.seconds:.1f} s with {res.jobs} worker(s); parameters {res.params}"
        )
        for design, c in icc_counts.items():
            if c["n_lesions"] is None:
                print(f"{design}-observer ICC: {c['note']}")
                continue
            print(
                f"{design}-observer ICC >= 0.75 ({c['n_lesions']} lesions): "
                + ", ".join(f"{f} {c[f]}" for f in ("ICC1", "ICC2", "ICC3"))
                + f" of {len(res.feature_names)}"
            )
        for key, path in written.items():
            print(f"{key}: {path}")
    for f in res.failures:
        print(
            f"nenaudit: failed: lesion {f.lesion_id} (observer {f.observer}, repeat {f.repeat}): {f.reason}",
            file=sys.stderr,
        )


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "extract",
        help="pyradiomics features (original + wavelet, 1 mm resampling: 851) "
        "for every lesion mask; parallel",
    )
    a.add_argument(
        "--images",
        required=True,
        metavar="DIR",
        help="images (NIfTI/NRRD/MHA files or one DICOM series per sub-directory)",
    )
    a.add_argument(
        "--masks",
        required=True,
        metavar="DIR",
        help="label masks (lesion = 1); masks/index.csv pairs them with images, else same file names",
    )
    a.add_argument(
        "--params",
        default=None,
        metavar="FILE",
        help="pyradiomics parameter file (default: the packaged params_feng2025.yaml)",
    )
    a.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    a.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="feature table CSV (lesion_id, observer, repeat, features); written only if every case "
        "succeeds, else FILE.partial.csv + FILE.failures.csv",
    )
    a.add_argument(
        "--icc",
        default=None,
        metavar="FILE",
        help="also write per-feature intra/inter-observer ICCs (all six forms) to FILE",
    )
    a.add_argument("--json", action="store_true", help="print the summary as JSON")
    a.set_defaults(func=run)
