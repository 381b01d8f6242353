"""CLI verbs, one module each.

Every module here defines ``ORDER`` (an int, the verb's place in ``--help``) and
``register(subparsers)``, which adds its sub-parser and sets ``func`` to a callable
``(args) -> int``. Heavy imports happen inside that callable, so ``nenaudit --help``
stays fast. :mod:`nenaudit.cli` discovers the modules; adding a verb touches no other file.
"""

__all__ = ["add_na_option", "na_tokens"]


def add_na_option(parser) -> None:
    """``--na TOKEN,...``: extra missing-value tokens for every CSV the verb reads (R's ``na.strings``)."""
    parser.add_argument(
        "--na",
        metavar="TOKEN,...",
        default=None,
        help='extra missing-value tokens (comma-separated, e.g. --na ".,-99"); by default only '
        '"NA" and the empty field are missing, as in R\'s read.csv',
    )


def na_tokens(args) -> list[str]:
    """The ``--na`` tokens of parsed ``args`` (an empty list when not given)."""
    text = getattr(args, "na", None)
    return [] if not text else [t for t in text.split(",")]
