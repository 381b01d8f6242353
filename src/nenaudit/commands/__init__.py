"""CLI verbs, one module each.

Every module here defines ``ORDER`` (an int, the verb's place in ``--help``) and
``register(subparsers)``, which adds its sub-parser and sets ``func`` to a callable
``(args) -> int``. Heavy imports happen inside that callable, so ``nenaudit --help``
stays fast. :mod:`nenaudit.cli` discovers the modules; adding a verb touches no other file.
"""
