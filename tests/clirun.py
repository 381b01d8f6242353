"""Running the ``nenaudit`` command in a child process, as a user would (shared by the CLI tests).

Each call runs ``python -m nenaudit ARGS`` in a new process and returns its exit code, stdout and
stderr. A new interpreter spends about 1.2 s of CPU importing numpy, pandas, scipy and numba before
nenaudit runs; the suite starts hundreds of such children, so by default they are forked from a
*zygote* instead: one clean interpreter per test process (``python -c ZYGOTE``: no pytest in it,
the test process's environment less ``PYTHONWARNINGS``) that imports those libraries once, then
forks one child per call. The child takes the call's environment, working directory and warnings
filter (``PYTHONWARNINGS``, as the interpreter applies it at start-up), stdin from /dev/null and
stdout/stderr to files, imports nenaudit afresh and runs its ``__main__`` as ``python -m`` does
(:func:`runpy.run_module`), then ends as the interpreter ends: ``SystemExit``'s code, an uncaught
exception's traceback on stderr and exit 1, non-daemon threads joined, ``atexit`` handlers run,
the streams flushed. What the zygote cannot stand in for starts a real interpreter: a call whose
environment differs from the zygote's in what is read at start-up or at import (``PYTHON*``,
locale, BLAS and numba settings), or any call when ``NENAUDIT_TEST_FRESH=1``. Tests of what only a
new interpreter shows (import cost, signals, venvs and wheels, full disks) start their own.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

__all__ = ["nenaudit"]

# read by the interpreter at start-up or by a preloaded library at import: a call that sets them differently
# from the zygote's environment gets a fresh interpreter
_STARTUP = ("PYTHON", "LANG", "LC_", "OPENBLAS", "OMP_", "MKL_", "NPY_", "NUMBA_", "NUMEXPR")
_PER_CALL = ("PYTHONWARNINGS", "PYTEST_CURRENT_TEST")

ZYGOTE = r"""
import ctypes, io, json, os, runpy, signal, sys, tempfile, threading, time, traceback, warnings, atexit

try:  # the zygote dies with its test process
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
except Exception:
    pass
startup_filters = list(warnings.filters)
import numpy, pandas, scipy.stats, scipy.optimize, scipy.integrate, scipy.special, numba  # noqa
library_filters = [f for f in warnings.filters if f not in startup_filters]
# the protocol on its own descriptors; the zygote's fds 0 and 1 point at /dev/null and stderr
req_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
rep_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 0)
os.dup2(2, 1)
os.close(null)
enc, errs = sys.stdout.encoding, sys.stdout.errors
err_enc = sys.stderr.encoding


def child(req):
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    time.tzset()
    tempfile.tempdir = None  # TMPDIR is read again, as in a new interpreter
    for fd, path in ((1, req["stdout"]), (2, req["stderr"])):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    req_in.close()
    rep_out.close()
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=enc, errors=errs)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=enc, errors=errs)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding=err_enc, errors="backslashreplace",
        line_buffering=True,
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    opts = [o for o in os.environ.get("PYTHONWARNINGS", "").split(",") if o]
    sys.warnoptions[:] = opts
    warnings.filters[:] = startup_filters
    warnings._processoptions(opts)
    warnings.filters[:0] = library_filters
    warnings._filters_mutated()
    sys.path[0] = os.getcwd()  # python -m puts the working directory first
    sys.argv[:] = ["-m", *req["args"]]  # runpy sets argv[0] to the module's path, as python -m does
    code = 0
    try:
        runpy.run_module("nenaudit", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        c = exc.code
        if c is None:
            code = 0
        elif isinstance(c, int):
            code = c & 0xFF
        else:
            print(c, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            code = 120
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


rep_out.write("ready\n")
rep_out.flush()
for line in req_in:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(req)
        finally:
            os._exit(70)
    rep_out.write(json.dumps({"pid": pid}) + "\n")
    rep_out.flush()
    _, status = os.waitpid(pid, 0)
    rep_out.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
    rep_out.flush()
"""


def _startup_env(env: dict) -> dict:
    return {k: v for k, v in env.items() if k.startswith(_STARTUP) and k not in _PER_CALL}


class _Zygote:
    """The forking interpreter of this test process (started on first use, gone with the process)."""

    def __init__(self) -> None:
        self.env = {k: v for k, v in os.environ.items() if k not in _PER_CALL}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
            bufsize=0,
        )
        self.buf = b""
        self.tmp = tempfile.mkdtemp(prefix="nenaudit-clirun-")
        self.lock = threading.Lock()
        if self.line(120.0) != "ready":
            raise RuntimeError("the CLI zygote did not start")

    def usable_for(self, env: dict) -> bool:
        return self.proc.poll() is None and _startup_env(env) == _startup_env(self.env)

    def run(self, args: list[str], env: dict, cwd, timeout) -> subprocess.CompletedProcess:
        with self.lock:
            out, err = os.path.join(self.tmp, "stdout"), os.path.join(self.tmp, "stderr")
            req = {
                "args": args,
                "env": env,
                "cwd": os.path.abspath(cwd if cwd is not None else os.getcwd()),
                "stdout": out,
                "stderr": err,
            }
            self.proc.stdin.write((json.dumps(req) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
            pid = json.loads(self.line(None))["pid"]
            try:
                code = json.loads(self.line(timeout))["code"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self.line(None)
                raise subprocess.TimeoutExpired(["nenaudit", *args], timeout) from None
            return subprocess.CompletedProcess(
                [sys.executable, "-m", "nenaudit", *args], code, _text(out), _text(err)
            )

    def line(self, timeout: float | None) -> str:
        """The zygote's next reply line (unbuffered reads, so that select sees every byte not yet taken)."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            if timeout is not None and not select.select([fd], [], [], timeout)[0]:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the CLI zygote ended")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _text(path: str) -> str:
    """The file decoded as ``subprocess.run(text=True)`` decodes a pipe (locale encoding, universal newlines)."""
    with open(path, "rb") as fh:
        data = fh.read()
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


_zygote: _Zygote | None = None


def _get_zygote() -> _Zygote | None:
    global _zygote
    if _zygote is None or _zygote.proc.poll() is not None:
        try:
            _zygote = _Zygote()
        except (OSError, RuntimeError, TimeoutError):
            _zygote = None
            return None
        atexit.register(_zygote.close)
    return _zygote


def nenaudit(
    *args, warnings: str = "ignore", cwd=None, timeout: float | None = None, fresh: bool = False
) -> subprocess.CompletedProcess:
    """``python -m nenaudit ARGS`` with ``PYTHONWARNINGS=warnings``; ``"error"`` turns a leaked
    Python warning into a failure (a verb must report its warnings itself). ``fresh``: in a new
    interpreter, not a fork of the zygote."""
    env = dict(os.environ, PYTHONWARNINGS=warnings)
    argv = [str(a) for a in args]
    if not fresh and os.environ.get("NENAUDIT_TEST_FRESH") != "1":
        z = _get_zygote()
        if z is not None and z.usable_for(env):
            return z.run(argv, env, cwd, timeout)
    return subprocess.run(
        [sys.executable, "-m", "nenaudit", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
