"""nenaudit: audit and reproduce the statistics of a clinical-radiomics study, step by step, against R."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from nenaudit import __version__
from nenaudit.exceptions import NenauditError

__all__ = ["Parser", "build_parser", "main"]


def _command_modules():
    import nenaudit.commands as pkg

    mods = [importlib.import_module(f"nenaudit.commands.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]
    return sorted((m for m in mods if hasattr(m, "register")), key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


class Parser(argparse.ArgumentParser):
    """argparse with the project's error format: one line ``nenaudit: error: ...``, exit code 2."""

    def error(self, message: str):
        verb = self.prog.split()[1:]
        hint = f" (see nenaudit {verb[0]} --help)" if verb else " (see nenaudit --help)"
        self.exit(2, f"nenaudit: error: {message}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every verb (one sub-parser each, from ``nenaudit.commands``)."""
    p = Parser(prog="nenaudit", description=__doc__)
    p.add_argument("--version", action="version", version=f"nenaudit {__version__}")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    for mod in _command_modules():
        mod.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one verb. Bad input: one line, exit 2. Ctrl-C / SIGTERM: ``nenaudit: interrupted``, exit 130 / 143
    (workers and outputs are cleaned up first, see :mod:`nenaudit.processes`)."""
    from nenaudit.processes import Terminated, handle_signals, quiet_exit_signals

    try:
        with handle_signals():
            parser = build_parser()
            args = parser.parse_args(argv)
            try:
                return args.func(args)
            except NenauditError as exc:
                print(f"nenaudit: error: {exc}", file=sys.stderr)
                return 2
            except BrokenPipeError:  # pragma: no cover
                return 0
            except OSError as exc:
                # a file the verb could not open (no permission, a directory where a file belongs, ...) that no
                # check before named: still one line, exit 2
                if exc.filename is None:
                    raise
                print(f"nenaudit: error: {exc.filename}: {exc.strerror or exc}; check the path and its permissions",
                      file=sys.stderr)
                return 2
    except (KeyboardInterrupt, Terminated) as exc:
        quiet_exit_signals()
        print("nenaudit: interrupted", file=sys.stderr, flush=True)
        return 128 + int(exc.signum) if isinstance(exc, Terminated) else 130  # 143 for SIGTERM


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
