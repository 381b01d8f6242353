"""``nenaudit simulate null|family|n-sweep``: the paper's whole pipeline on many cohorts, resumable.

See :mod:`nenaudit.simulate`. Output folder: ``simulation.sqlite`` (one row per finished
replicate), ``run.log``, and once every replicate is done ``summary.json`` and ``simulation.png``.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 48

DEFAULT_SCALES = "2,5,10"


def _scales(text: str):
    from nenaudit.exceptions import NenauditError

    try:
        ks = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise NenauditError(
            f"--scales {text!r}: give whole factors separated by commas, e.g. 1,2,5,10"
        ) from None
    if not ks or any(k < 1 for k in ks) or len(set(ks)) != len(ks):
        raise NenauditError(
            f"--scales {text!r}: give distinct factors of at least 1, e.g. 1,2,5,10"
        )
    return ks


def _spec(args):
    from nenaudit.exceptions import NenauditError
    from nenaudit.simulate import SimulationSpec
    from nenaudit.study.schema import load

    if args.cohorts < 1:
        raise NenauditError(f"--cohorts must be at least 1, got {args.cohorts}")
    if args.boot < 1:
        raise NenauditError(f"--boot must be a positive number of resamples, got {args.boot}")
    if args.max_features is not None and args.max_features < 2:
        raise NenauditError(f"--max-features must be at least 2, got {args.max_features}")
    from nenaudit.stats.workers import check_memory

    # the summary reads every stored row back (about 4 KB each with the run's bookkeeping); each resample of a
    # replicate holds one row index per lesion of the cohort (about 131, 8 bytes each) in every validation scheme
    check_memory("--cohorts", args.cohorts, 4096, f"{args.cohorts} replicates' rows")
    check_memory("--boot", args.boot, 131 * 8 * 4, f"{args.boot} resamples per scheme")
    mode = args.mode
    signal_ = args.signal
    cohort = getattr(args, "cohort", None)
    if mode == "null":
        signal_ = signal_ or "clinical-only"
        if signal_ not in ("clinical-only", "none"):
            raise NenauditError(f"simulate null --signal {signal_}: choose clinical-only or none")
        scales = (1,)
    elif mode == "family":
        signal_, scales = "faithful", (1,)
    else:
        signal_ = signal_ or "clinical-only"
        scales = _scales(args.scales)
    study = load(args.study)
    twin = bool(getattr(args, "twin", False))
    if mode == "null" and not twin and cohort is None and study.pipeline is not None:
        from nenaudit.synth.realize import design_of

        try:
            design_of(study)
        except NenauditError:  # no lesion-level table for synth: the spec-only noise twin
            twin = True
    if twin:
        from nenaudit.simulate.twin import can_twin

        if mode != "null" or cohort is not None:
            raise NenauditError(
                "--twin is a null simulation from the spec alone: no --cohort, mode null"
            )
        if not can_twin(study):
            raise NenauditError(
                f"{study.source}: the noise twin needs a 'pipeline' section (spec_version 2); "
                "see 'Writing a spec' in the README"
            )
        signal_ = "none"
    return SimulationSpec(
        mode=mode,
        cohorts=args.cohorts,
        boot=args.boot,
        seed=args.seed,
        signal=signal_,
        scales=scales,
        study=args.study,
        study_sha256=study.sha256,
        cohort=None if cohort is None else str(cohort),
        max_features=args.max_features,
        twin=twin,
    )


def _print_summary(s: dict) -> None:
    from nenaudit.simulate.summary import quantile_table

    for sc in s["scales"].values():
        st = {k: n for k, n in sc["status"].items() if n}
        head = f"x{sc['scale']}: " if len(s["scales"]) > 1 else ""
        print(
            f"{head}{sc['finished']} cohorts of {sc['n_lesions']} lesions; outcomes: "
            + ", ".join(f"{k} {n}" for k, n in st.items())
        )
        for key, sh in sc["shares"].items():
            label = ("Radscore" if key.startswith("radscore") else "fusion model") + (
                " (independent validation cohort)" if key.endswith("_validation") else ""
            )
            pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"  # noqa: E731
            print(
                f"{head}{'' if key.endswith('_validation') else 'apparent '}{label} AUC >= printed "
                f"{sh['printed']:g}: {sh['reaching']} of {sh['of_finished']} "
                f"cohorts ({pct(sh['share_of_finished'])}; {pct(sh['share_of_with_model'])} of the "
                f"{sh['of_with_model']} with a {label})"
            )
        fus = sc["metrics"]["auc_fusion"]
        if fus["n"] and s["printed"].get("fusion") is not None:
            print(
                f"{head}apparent fusion AUC over the {fus['n']} cohorts with a final model: median {fus['q50']:.3f}, "
                f"95th percentile {fus['q95']:.3f} (printed {s['printed']['fusion']:g})"
            )
    print(
        "quantiles over the cohorts that have the metric (no Radscore after an empty LASSO selection):"
    )
    print(quantile_table(s))


def _command(spec, args) -> str:
    """The command line that repeats this run (the run log's "continue with")."""
    parts = [
        "nenaudit",
        "simulate",
        spec.mode,
        "--cohorts",
        str(spec.cohorts),
        "--boot",
        str(spec.boot),
        "--seed",
        str(spec.seed),
    ]
    if spec.mode != "family":
        parts += ["--signal", spec.signal]
    if spec.mode == "n-sweep":
        parts += ["--scales", ",".join(map(str, spec.scales))]
    if spec.twin:
        parts.append("--twin")
    for opt, val in (
        ("--study", spec.study),
        ("--cohort", spec.cohort),
        ("--max-features", spec.max_features),
    ):
        if val is not None:
            parts += [opt, str(val)]
    parts += ["--backend", args.backend, "--jobs", str(args.jobs)]
    if args.scheduler:
        parts += ["--scheduler", args.scheduler]
    parts += ["--out", str(args.out)]
    return " ".join(shlex.quote(p) for p in parts)


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    from nenaudit.exceptions import Terminated
    from nenaudit.simulate import run_simulation, stored_summary

    if args.status:
        summary, _ = stored_summary(args.out)
        if args.json:
            print(dumps_json(summary, indent=1))
            return 0
        print(
            f"{args.out}: {summary['finished']} of {summary['planned']} replicates stored"
            + (
                ""
                if summary["complete"]
                else " (run not finished: partial results, continue with --resume)"
            )
        )
        _print_summary(summary)
        return 0
    spec = _spec(args)
    command = _command(spec, args)
    try:
        summary = run_simulation(
            spec,
            args.out,
            backend=args.backend,
            jobs=args.jobs,
            scheduler=args.scheduler,
            connect_timeout=args.connect_timeout,
            resume=args.resume,
            quiet=args.quiet,
            command=command,
        )
    except (KeyboardInterrupt, Terminated) as exc:
        print("nenaudit: interrupted", file=sys.stderr, flush=True)
        return 143 if isinstance(exc, Terminated) and exc.signum == signal.SIGTERM else 130
    if args.json:
        print(dumps_json(summary, indent=1))
        return 0
    _print_summary(summary)
    print(
        f"store: {args.out}/simulation.sqlite; summary: {args.out}/summary.json; figure: {args.out}/simulation.png"
    )
    return 0


def _common(a, mode: str, cohorts: int) -> None:
    a.add_argument(
        "--study", metavar="PATH", default=None, help="study spec (default: the embedded feng2025)"
    )
    a.add_argument(
        "--cohorts",
        type=int,
        default=cohorts,
        metavar="M",
        help=f"cohorts{' per scale' if mode == 'n-sweep' else ''} (default {cohorts})",
    )
    a.add_argument(
        "--boot",
        type=int,
        default=200,
        metavar="B",
        help="resamples per validation scheme (default 200)",
    )
    a.add_argument(
        "--seed",
        type=options.seed,
        default=20250611,
        metavar="N",
        help="seed of the run; replicate i uses SeedSequence(N, spawn_key=(i,))",
    )
    a.add_argument(
        "--backend",
        choices=("local", "dask"),
        default="local",
        help="local process pool (default) or a dask.distributed cluster",
    )
    a.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="local workers, or the workers of the Dask LocalCluster (default 1); numbers do not depend on it",
    )
    a.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Dask scheduler address (tcp://host:8786); without it --backend dask starts a LocalCluster",
    )
    a.add_argument(
        "--connect-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds to reach --scheduler before giving up (default 30)",
    )
    a.add_argument(
        "--out",
        metavar="DIR",
        default=f"simulation-{mode}",
        help=f"output folder: store, run log, summary, figure (default simulation-{mode})",
    )
    a.add_argument(
        "--resume",
        action="store_true",
        help="continue the run stored in --out; finished replicates are skipped",
    )
    a.add_argument(
        "--status",
        action="store_true",
        help="print what the store in --out holds so far (partial results of an unfinished run); runs nothing",
    )
    a.add_argument(
        "--max-features",
        type=int,
        default=None,
        metavar="P",
        help="keep P random feature columns of each cohort (quick runs; default: all)",
    )
    a.add_argument("--quiet", action="store_true", help="no progress on stderr")
    a.add_argument("--json", action="store_true", help="print summary.json to stdout")


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    p = sub.add_parser(
        "simulate",
        help="the paper's pipeline on many null or faithful cohorts (local pool or Dask)",
    )
    s = p.add_subparsers(dest="mode", required=True, metavar="MODE")
    a = s.add_parser("null", help="cohorts whose radiomics features carry no outcome signal")
    _common(a, "null", 200)
    a.add_argument(
        "--signal",
        choices=("clinical-only", "none"),
        default="clinical-only",
        help="clinical-only: clinical variables keep their association (default); none: outcome "
        "permuted against them too",
    )
    a.add_argument(
        "--twin",
        action="store_true",
        help="the noise twin from the spec alone: cohorts of the pipeline section's design, features "
        "with the shipped extraction's correlation and ICC structure, no signal at all (the default "
        "for a spec with a pipeline section but no lesion-level table for synth)",
    )
    a.add_argument(
        "--cohort",
        metavar="DIR",
        default=None,
        help="permute this cohort's features (a permutation null of your data) instead of fresh "
        "synthetic cohorts",
    )
    b = s.add_parser(
        "family", help="faithful synthetic cohorts: the seed spread of what the paper did not print"
    )
    _common(b, "family", 100)
    b.set_defaults(signal=None)
    c = s.add_parser("n-sweep", help="the design at k times the sample size (same prevalence)")
    _common(c, "n-sweep", 50)
    c.add_argument(
        "--scales",
        default=DEFAULT_SCALES,
        metavar="K,K",
        help=f"sample-size factors (default {DEFAULT_SCALES})",
    )
    c.add_argument(
        "--signal",
        choices=("clinical-only", "none", "faithful"),
        default="clinical-only",
        help="features nulled (clinical-only, default; none: outcome permuted too) or faithful",
    )
    p.set_defaults(func=run)
    for x in (a, b, c):
        x.set_defaults(func=run)
