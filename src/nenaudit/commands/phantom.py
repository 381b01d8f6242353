"""``nenaudit phantom``: arterial-phase-CT-like images and lesion masks (with observer
re-segmentations) for a cohort."""

from __future__ import annotations

import argparse
import sys

from nenaudit import options
from nenaudit.io import dumps_json

__all__ = ["run", "register"]


ORDER = 45


def run(args: argparse.Namespace) -> int:
    """Run the verb on the parsed arguments; returns the exit code."""
    import importlib.util

    from nenaudit.exceptions import NenauditError
    from nenaudit.radiomics.phantom import write_phantom

    if importlib.util.find_spec("SimpleITK") is None:
        raise NenauditError("SimpleITK is not installed; pip install 'nenaudit[radiomics]'")
    if args.resegment is not None and args.resegment < 0:
        raise NenauditError(f"--resegment must be >= 0, got {args.resegment}")

    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if args.json:
            return
        if tty:
            print(
                f"\rphantom: patient {done}/{total}",
                end="\n" if done == total else "",
                file=sys.stderr,
                flush=True,
            )
        elif done == total or done % max(1, total // 10) == 0:
            print(f"phantom: patient {done}/{total}", file=sys.stderr, flush=True)

    from nenaudit.outputs import Outputs
    from nenaudit.radiomics.phantom import PHANTOM_FILES

    with Outputs() as outs:  # checked (and marked) before the images are drawn
        target = outs.dir(
            args.out, verb="phantom", names=PHANTOM_FILES, force=args.force, inputs=(args.cohort,)
        )
        res = write_phantom(
            args.cohort,
            target,
            n_lesions=args.lesions,
            seed=args.seed,
            resegment=args.resegment,
            progress=progress,
        )
    if args.json:
        print(dumps_json(res.to_dict()))
        return 0
    sx, sy, sz = res.spacing
    print(
        f"wrote {res.n_patients} images and {res.n_masks} masks ({res.n_lesions} lesions, "
        f"{res.n_resegmented} re-segmented by observer 1 again and by observer 2) to {res.out_dir}"
    )
    print(
        f"voxels {sx:g} x {sy:g} x {sz:g} mm, grid {' x '.join(map(str, res.size))}, seed {res.seed}"
    )
    print(
        f"next: nenaudit extract --images {res.out_dir}/images --masks {res.out_dir}/masks --out FILE.csv"
    )
    return 0


def register(sub) -> None:
    """Add the verb's sub-parser, with its options, to ``sub``."""
    a = sub.add_parser(
        "phantom",
        help="CT phantoms (HU, 0.7x0.7x5 mm) with lesion masks and observer "
        "re-segmentations for a cohort's lesions",
    )
    a.add_argument(
        "--cohort",
        required=True,
        metavar="DIR",
        help="cohort directory (lesions.csv: lesion_id, patient_id, outcome)",
    )
    a.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output directory: new, empty or made by nenaudit (else refused unless --force)",
    )
    a.add_argument(
        "--force",
        action="store_true",
        help="write into an existing directory that nenaudit did not make (its files are kept)",
    )
    a.add_argument(
        "--lesions",
        type=int,
        default=None,
        metavar="N",
        help="only the first N lesions of lesions.csv",
    )
    a.add_argument(
        "--seed", type=options.seed, default=0, metavar="N", help="random seed (default 0)"
    )
    a.add_argument(
        "--resegment",
        type=int,
        default=None,
        metavar="N",
        help="re-segment N lesions (default: the cohort's observers.csv lesions, else 46/131 of them)",
    )
    a.add_argument("--json", action="store_true", help="print the summary as JSON")
    a.set_defaults(func=run)
