"""The one door to R: start the embedded R once, source ``reference_r/`` scripts, move data.

rpy2 3.5.17 is pinned (3.6.x fails against Debian 12's R 4.2.2). Vectors are passed as
``FloatVector``/``IntVector``: a 1-d numpy array would arrive in R with a ``dim``
attribute, which some R functions (glmnet) refuse.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from nenaudit.exceptions import RUnavailable, Terminated

__all__ = [
    "reference_r_dir",
    "r_available",
    "r_unavailable_reason",
    "r",
    "source",
    "fvec",
    "ivec",
    "svec",
    "matrix",
    "call",
    "to_py",
    "interruptible",
]


def reference_r_dir() -> Path:
    """The directory of the R reference scripts: the package data ``nenaudit.reference_r`` (what a wheel
    installs, found through importlib.resources), else the checkout's top-level ``reference_r/`` (an
    editable install, where setup.py's mapping of that package is not importable)."""
    d = (
        resources.files("nenaudit") / "reference_r"
    )  # nenaudit is a regular package: a real directory
    if isinstance(d, Path) and (d / "compare.R").is_file():
        return d
    return Path(__file__).resolve().parents[3] / "reference_r"


REFERENCE_R = reference_r_dir()


def r_unavailable_reason() -> str | None:
    """None when R can be used from here; else why not, in words a report can print: R itself is
    absent (no ``Rscript`` on PATH), or R is there but rpy2 (the test extra) is not installed."""
    # rpy2 is imported inside the functions that use it (noqa: PLC0415 below): it is optional (the
    # test extra), and importing rpy2.robjects starts R
    if shutil.which("Rscript") is None:
        return "R is not installed on this machine (no Rscript on PATH)"
    try:
        import rpy2  # noqa: F401, PLC0415
    except ImportError:
        return "rpy2 is not installed (it comes with the test extra: pip install 'nenaudit[test]')"
    return None


def r_available() -> bool:
    """True when Rscript is on PATH and rpy2 imports."""
    return r_unavailable_reason() is None


@lru_cache(maxsize=1)
def r():
    """The embedded R session (``rpy2.robjects.r``), started once.

    Starting R sets ``LD_LIBRARY_PATH`` to R's library directories (``/usr/lib/R/lib:
    /usr/lib/x86_64-linux-gnu:...``) in this process's environment. R no longer needs it once
    loaded, and child processes must not inherit it: a Python that is not the system's (pyenv)
    would then load the system's ``libpython3.11.so`` through an extension module and mix two
    interpreter versions (seen as ``'_thread.RLock' object has no attribute '_recursion_count'``
    in a child started by ``subprocess``). It is restored to its value before R started.
    """
    os.environ.setdefault("TZ", "UTC")
    saved = os.environ.get("LD_LIBRARY_PATH")
    try:
        import rpy2.robjects as ro  # noqa: PLC0415
        from rpy2.rinterface_lib import callbacks  # noqa: PLC0415
    except Exception as exc:  # pragma: no cover - depends on the machine
        raise RUnavailable(f"rpy2 cannot start R: {exc}") from exc
    finally:
        if saved is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = saved
    callbacks.consolewrite_warnerror = lambda s: None  # R's "Waiting for profiling" etc.
    return ro.r


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt_r() -> None:
    """Ask the embedded R to stop at its next interrupt check (R's own Ctrl-C: ``R_interrupts_pending``)."""
    try:
        from rpy2.rinterface_lib import openrlib  # noqa: PLC0415

        openrlib.rlib.R_interrupts_pending = 1
    except Exception:  # noqa: BLE001 - a signal handler's best effort: R not loaded, or no rpy2  # pragma: no cover
        pass


def _raise_for(signum: int):
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


@contextlib.contextmanager
def interruptible():
    """Run R code so that SIGINT and SIGTERM stop it: while R runs, a signal is recorded and R is asked to stop
    (R's own interrupt, checked by R's loops and long computations); once R returns, or fails because it was
    interrupted, the signal is raised in Python (``KeyboardInterrupt`` or :class:`~nenaudit.exceptions.Terminated`),
    so the run stops (exit 130/143) instead of rpy2 printing the exception from a callback and going on.
    Outside the main thread, or nested, it does nothing of its own."""
    if threading.current_thread() is not threading.main_thread() or getattr(
        _state, "active", False
    ):
        yield
        return
    got: list[int] = []

    def handler(signum, frame):  # never raises: it may run inside one of rpy2's callbacks from R
        got.append(signum)
        _interrupt_r()

    old = {s: signal.getsignal(s) for s in _SIGNALS}
    for s in _SIGNALS:
        signal.signal(s, handler)
    _state.active = True
    try:
        yield
    except BaseException:
        if got:
            _raise_for(got[0])  # R's "interrupted" error is the signal's doing
        raise
    finally:
        _state.active = False
        for s, h in old.items():
            signal.signal(s, h)
    if got:
        _raise_for(got[0])


_state = threading.local()


@cache
def source(script: str) -> None:
    """Source ``reference_r/<script>`` into R's global environment (once per session)."""
    path = REFERENCE_R / script
    if not path.is_file():
        raise FileNotFoundError(f"reference_r/{script} does not exist")
    with interruptible():
        r()(f'source("{path.as_posix()}")')


def fvec(x: Sequence[float] | np.ndarray):
    """A plain R double vector (no dim attribute)."""
    from rpy2.robjects import FloatVector  # noqa: PLC0415

    return FloatVector(np.asarray(x, dtype=float).ravel().tolist())


def ivec(x: Sequence[int] | np.ndarray):
    """A plain R integer vector (no dim attribute)."""
    from rpy2.robjects import IntVector  # noqa: PLC0415

    return IntVector(np.asarray(x, dtype=int).ravel().tolist())


def svec(x: Sequence[str]):
    """A plain R character vector."""
    from rpy2.robjects import StrVector  # noqa: PLC0415

    return StrVector(list(x))


def matrix(a: np.ndarray):
    """A numeric R matrix with the same shape (column-major copy)."""
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"matrix() needs a 2-d array, got shape {a.shape}")
    rm = r()["matrix"]
    return rm(fvec(a.ravel(order="F")), nrow=a.shape[0], ncol=a.shape[1])


def call(fname: str, *args: Any, **kwargs: Any):
    """Call an R function by name with already-converted arguments."""
    with interruptible():
        return r()[fname](*args, **kwargs)


def to_py(obj: Any) -> Any:
    """Convert an R result (named list / vector / NULL) into plain Python recursively."""
    from rpy2 import rinterface as ri  # noqa: PLC0415
    from rpy2.robjects import vectors  # noqa: PLC0415

    if obj is ri.NULL or obj is None:
        return None
    if isinstance(obj, (vectors.ListVector, ri.ListSexpVector)):
        names = list(obj.names) if obj.names is not ri.NULL else None
        items = [to_py(v) for v in obj]
        if names is not None and all(n not in ("", None) for n in names):
            return dict(zip(names, items))
        return items
    if isinstance(
        obj,
        (ri.FloatSexpVector, ri.IntSexpVector, ri.BoolSexpVector, ri.StrSexpVector, vectors.Vector),
    ):
        vals = []
        for v in obj:
            if v is ri.NA_Real or v is ri.NA_Integer or v is ri.NA_Logical or v is ri.NA_Character:
                vals.append(None)
            else:
                vals.append(v)
        names = obj.names if obj.names is not ri.NULL else None
        if names is not None and len(vals) > 1 and all(n not in ("", None) for n in names):
            return dict(zip(list(names), vals))
        if len(vals) == 1 and names is None:
            return vals[0]
        return vals
    return obj
