"""nenaudit: audit and reproduce the statistics of a clinical-radiomics study, step by step, against R."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import pkgutil
import sys

import nenaudit.commands as pkg
from nenaudit import __version__
from nenaudit.exceptions import NenauditError, Terminated
from nenaudit.processes import handle_signals, quiet_exit_signals

__all__ = ["Parser", "build_parser", "main"]


def _command_modules():

    mods = [
        importlib.import_module(f"nenaudit.commands.{m.name}")
        for m in pkgutil.iter_modules(pkg.__path__)
    ]
    return sorted(
        (m for m in mods if hasattr(m, "register")),
        key=lambda m: (getattr(m, "ORDER", 100), m.__name__),
    )


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


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _disk_full(filename) -> int:
    """One line for a full disk (ENOSPC, a quota, /dev/full); stdout is pointed at /dev/null so that Python's own
    flush at exit does not fail again with a traceback. Outputs are written to temporary files and renamed, so
    nothing half-written is left in place."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    where = f" writing {filename}" if filename else ""
    print(
        f"nenaudit: error: no space left on the device{where}; free some space and run again (no output was left "
        "half-written)",
        file=sys.stderr,
        flush=True,
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run one verb. Bad input: one line, exit 2. Ctrl-C / SIGTERM: ``nenaudit: interrupted``, exit 130 / 143
    (workers and outputs are cleaned up first, see :mod:`nenaudit.processes`)."""

    try:
        with handle_signals():
            parser = build_parser()
            args = parser.parse_args(argv)
            try:
                code = args.func(args)
                sys.stdout.flush()  # a full disk or device under stdout fails here, inside the handlers below
                return code
            except NenauditError as exc:
                print(f"nenaudit: error: {exc}", file=sys.stderr)
                return 2
            except BrokenPipeError:  # pragma: no cover
                return 0
            except OSError as exc:
                if exc.errno in _DISK_FULL:
                    return _disk_full(exc.filename)
                # a file the verb could not open (no permission, a directory where a file belongs, ...) that no
                # check before named: still one line, exit 2
                if exc.filename is None:
                    raise
                print(
                    f"nenaudit: error: {exc.filename}: {exc.strerror or exc}; check the path and its permissions",
                    file=sys.stderr,
                )
                return 2
            except Exception as exc:
                if type(exc).__name__ == "OperationalError" and "disk is full" in str(
                    exc
                ):  # sqlite3 (simulate's store)
                    return _disk_full(None)
                raise
    except (KeyboardInterrupt, Terminated) as exc:
        quiet_exit_signals()
        print("nenaudit: interrupted", file=sys.stderr, flush=True)
        return 128 + int(exc.signum) if isinstance(exc, Terminated) else 130  # 143 for SIGTERM


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
