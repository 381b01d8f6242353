"""Running the ``nenaudit`` command in a child process, as a user would (shared by the CLI tests)."""

from __future__ import annotations

import os
import subprocess
import sys


def nenaudit(*args, warnings: str = "ignore", cwd=None) -> subprocess.CompletedProcess:
    """``python -m nenaudit ARGS`` with ``PYTHONWARNINGS=warnings``; ``"error"`` turns a leaked
    Python warning into a failure (a verb must report its warnings itself)."""
    env = dict(os.environ, PYTHONWARNINGS=warnings)
    return subprocess.run(
        [sys.executable, "-m", "nenaudit", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
