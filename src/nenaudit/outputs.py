"""Writing outputs safely: checked before the computation, never half-written, never over a user's files.

Every verb that writes files goes through this module (re-exported by :mod:`nenaudit.io`).

Files (:func:`check_file`, :class:`FileTarget`): the path is checked before any computation
(an empty name, a directory, a block device or socket, a directory nobody can write into are
refused with one line). A regular file (or an absent one) is written to a temporary sibling
and renamed over the target, so it is never seen half-written; a symlink is followed and its
target replaced the same way (the link stays a link). A FIFO or a character device
(``/dev/null``) is written in place; ``-``, ``/dev/stdout``, ``/dev/stderr`` and
``/dev/fd/N`` write to the open stream. If the run fails before the file is written, a
previous regular file at the path is renamed ``NAME.stale.EXT``: nothing stale looks current.

Directories (:func:`check_dir`, :class:`OutputDir`): ``/``, the home directory, the current
directory and every directory above it are always refused. An existing non-empty directory is
used only if nenaudit made it (the marker file :data:`MARKER`, written at the start of every
run) or with ``force``; in neither case is a file that nenaudit did not write replaced or
removed (such a file under one of the verb's output names is refused). The files of the
previous run are moved into ``.nenaudit-previous/`` at the start, the new ones are written
into a staging directory and moved into place at the end; ``.nenaudit-previous`` is removed
only once the new run is complete. A failed or interrupted run leaves the marker saying
``"state": "failed"`` and the previous outputs in ``.nenaudit-previous``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from nenaudit.exceptions import OutputError
from nenaudit.stats.workers import pid_gone  # the one liveness rule (a zombie is gone), shared with the workers

__all__ = ["MARKER", "OutputError", "FileTarget", "OutputDir", "check_file", "check_dir", "write_atomic",
           "stale_name", "output_dir", "Outputs",
           "refuse_never_dir"]

MARKER = ".nenaudit-output"
PREVIOUS = ".nenaudit-previous"
STAGING = ".nenaudit-staging-"
RESERVED = ".nenaudit-"  # every entry whose name starts so is nenaudit's own

_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def stale_name(path: Path) -> Path:
    """``f.csv`` -> ``f.stale.csv`` (``f.stale-2.csv``, ... if taken): where a stale output is moved."""
    stem, suffix = (path.stem, path.suffix) if path.suffix else (path.name, "")
    for k in range(1, 1000):
        cand = path.with_name(f"{stem}.stale{'' if k == 1 else f'-{k}'}{suffix}")
        if not os.path.lexists(cand):
            return cand
    raise OutputError(f"{path}: too many stale copies next to it; remove some")  # pragma: no cover


def _probe_dir(d: Path, option: str, given: str) -> None:
    """Create and remove a file in ``d``: the only check that also holds for root and read-only mounts."""
    try:
        fd, name = tempfile.mkstemp(dir=d, prefix=".nenaudit-probe-")
    except OSError as exc:
        raise OutputError(f"{option} {given}: cannot write in {d} ({_why(exc)}); choose a writable place") from None
    os.close(fd)
    os.unlink(name)


def _existing_ancestor(p: Path, option: str, given: str) -> Path:
    a = p
    while not os.path.lexists(a):
        a = a.parent
    if not a.is_dir():
        raise OutputError(f"{option} {given}: {a} is not a directory")
    return a


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


@dataclass
class FileTarget:
    """One output file, checked; :meth:`write` writes it (see the module docstring for each kind)."""

    option: str
    given: str
    kind: str  # "regular", "absent", "stream", "fifo", "chardev"
    path: Path | None = None  # the file to write (a symlink resolved); None for a stream
    fd: int | None = None  # for kind "stream"
    written: bool = False
    stale: Path | None = None

    @property
    def in_place(self) -> bool:
        return self.kind in ("stream", "fifo", "chardev")

    def write(self, data: str | bytes) -> None:
        """Write ``data`` (text is UTF-8) as a whole."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if self.kind == "stream":
            self._write_fd(raw)
        elif self.in_place:
            try:
                fd = os.open(self.path, os.O_WRONLY)
            except OSError as exc:
                raise OutputError(f"{self.option} {self.given}: cannot open ({_why(exc)})") from None
            try:
                self._write_all(fd, raw)
            finally:
                os.close(fd)
        else:
            self.write_with(lambda tmp: Path(tmp).write_bytes(raw))
        self.written = True

    def _write_fd(self, raw: bytes) -> None:
        for s in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                if s.fileno() == self.fd:
                    s.flush()
        self._write_all(self.fd, raw)

    def _write_all(self, fd: int, raw: bytes) -> None:
        view = memoryview(raw)
        try:
            while view:
                n = os.write(fd, view)
                view = view[n:]
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"{self.option} {self.given}: write failed ({_why(exc)})") from None

    def write_with(self, writer: Callable[[str], object], suffix: str = "") -> None:
        """Call ``writer(tmp_path)`` to fill a temporary sibling, then rename it over the target.

        For in-place kinds the file is written to a temporary directory and copied in.
        ``suffix`` is kept at the end of the temporary name (matplotlib picks the format by it).
        """
        if self.in_place:
            with tempfile.TemporaryDirectory(prefix="nenaudit-") as d:
                tmp = os.path.join(d, "out" + suffix)
                writer(tmp)
                self.write(Path(tmp).read_bytes())
            return
        p = self.path
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".part" + suffix)
            os.close(fd)
        except OSError as exc:
            raise OutputError(f"{self.option} {self.given}: cannot write in {p.parent} ({_why(exc)})") from None
        try:
            writer(tmp)
            try:
                mode = stat.S_IMODE(os.stat(p).st_mode)
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(tmp, mode)
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.written = True
        if self.stale is not None:  # a previous failed run's rename: the new file supersedes it
            self.stale = None

    def fail(self) -> Path | None:
        """The run failed before writing: move a previous regular file aside (returns its new path)."""
        if self.written or self.kind != "regular" or self.path is None or not self.path.is_file():
            return None
        dest = stale_name(self.path)
        try:
            os.rename(self.path, dest)
        except OSError:
            return None
        self.stale = dest
        return dest


def check_file(given: str | os.PathLike, option: str = "output") -> FileTarget:
    """Check an output file path before the computation; a :class:`FileTarget` or a one-line :class:`OutputError`."""
    given = os.fspath(given)
    if given == "":
        raise OutputError(f"{option} '': an empty path; give a file name")
    if given in ("-", "/dev/stdout"):
        return FileTarget(option, given, "stream", fd=1)
    if given == "/dev/stderr":
        return FileTarget(option, given, "stream", fd=2)
    m = _FD_PATH.match(given)
    if m:
        fd = int(m.group(1))
        try:
            os.fstat(fd)
        except OSError:
            raise OutputError(f"{option} {given}: file descriptor {fd} is not open") from None
        return FileTarget(option, given, "stream", fd=fd)
    if given.endswith(("/", os.sep)) or os.path.basename(given) in (".", ".."):
        raise OutputError(f"{option} {given}: a directory; give a file name (e.g. {given.rstrip('/') or '.'}/out.json)")
    p = Path(os.path.realpath(given))  # a symlink: its target is written
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{option} {given}: {_why(exc)}") from None
    if st is None:
        _probe_dir(_existing_ancestor(p.parent, option, given), option, given)
        return FileTarget(option, given, "absent", path=p)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"{option} {given}: is a directory; give a file name (e.g. {given.rstrip('/')}/out.json)")
    if stat.S_ISFIFO(mode):
        return FileTarget(option, given, "fifo", path=p)
    if stat.S_ISCHR(mode):
        return FileTarget(option, given, "chardev", path=p)
    if stat.S_ISBLK(mode):
        raise OutputError(f"{option} {given}: is a block device; nenaudit does not write onto disks")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{option} {given}: not a regular file (a socket?); give a file name")
    if not os.access(p, os.W_OK):
        raise OutputError(f"{option} {given}: the file is not writable")
    _probe_dir(p.parent, option, given)
    return FileTarget(option, given, "regular", path=p)


def write_atomic(path: str | os.PathLike, text: str, option: str = "output") -> None:
    """Check ``path`` and write ``text`` there (see :class:`FileTarget`); never half-written."""
    check_file(path, option).write(text)


# ---------------------------------------------------------------------------------------------
# Directories
# ---------------------------------------------------------------------------------------------


def _never_dirs() -> dict[str, str]:
    """Real paths that are never an output directory, with the reason."""
    out = {"/": "the root directory"}
    cwd = Path(os.path.realpath(os.getcwd()))
    for a in (cwd, *cwd.parents):
        out.setdefault(str(a), "the current directory" if a == cwd else "a directory above the current one")
    home = os.path.expanduser("~")
    if home and home != "~":
        h = Path(os.path.realpath(home))
        out[str(h)] = "the home directory"
        for a in h.parents:
            out.setdefault(str(a), "a directory above the home directory")
    return out


def refuse_never_dir(given: str | os.PathLike, option: str = "--out") -> Path:
    """The real path of ``given``; :class:`OutputError` if it is ``/``, the home directory, the current
    directory or a directory above it (however spelled, through symlinks too)."""
    given = os.fspath(given)
    p = Path(os.path.realpath(os.path.expanduser(given)))
    why = _never_dirs().get(str(p))
    if why is not None:
        raise OutputError(f"{option} {given}: {why} ({p}) is never used as an output directory; "
                          "give a new directory, e.g. results")
    return p


def _read_marker(d: Path) -> dict | None:
    m = d / MARKER
    if not m.is_file():
        return None
    try:
        data = json.loads(m.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


@dataclass
class OutputDir:
    """An output directory, checked and marked; write into :attr:`staging`, then :meth:`commit`."""

    option: str
    given: str
    path: Path
    verb: str
    names: tuple[str, ...]
    previous: list[str] = field(default_factory=list)
    created: bool = False  # made by this run: removed again if the run fails
    _staging: Path | None = None
    done: bool = False

    def _marker(self, state: str, files: Iterable[str] = ()) -> None:
        from nenaudit import __version__

        data = {"nenaudit": __version__, "verb": self.verb, "state": state, "pid": os.getpid(),
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": sorted(files)}
        if state != "complete" and self.previous:
            data["previous"] = {"dir": PREVIOUS, "files": sorted(self.previous)}
        text = json.dumps(data, indent=1) + "\n"
        tmp = self.path / f"{MARKER}.part-{os.getpid()}"
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path / MARKER)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise OutputError(f"{self.option} {self.given}: cannot write in the directory ({_why(exc)}); "
                              "choose a writable place") from None

    @property
    def staging(self) -> Path:
        """A fresh empty directory inside the output directory; its entries become the outputs."""
        if self._staging is None:
            s = self.path / f"{STAGING}{os.getpid()}"
            _remove(s)
            s.mkdir()
            self._staging = s
        return self._staging

    def commit(self) -> Path:
        """Move the staged entries into place (none may be a foreign file), mark complete, drop the previous run."""
        s = self.staging
        entries = sorted(e.name for e in s.iterdir())
        for name in entries:
            dest = self.path / name
            if os.path.lexists(dest):
                raise OutputError(f"{self.option} {self.given}: {dest} appeared during the run and was not "
                                  "written by nenaudit; move it away and run again")
        for name in entries:
            os.rename(s / name, self.path / name)
        s.rmdir()
        self._staging = None
        self._marker("complete", entries)
        _remove(self.path / PREVIOUS)
        self.previous = []
        self.done = True
        return self.path

    def fail(self) -> None:
        """The run failed: remove the staging directory; the marker says so; the previous run stays aside.

        A directory this run created (holding nothing but the marker) is removed again."""
        if self.done:
            return
        self.done = True
        if self._staging is not None:
            _remove(self._staging)
            self._staging = None
        if self.created and {e.name for e in self.path.iterdir()} <= {MARKER}:
            _remove(self.path / MARKER)
            with contextlib.suppress(OSError):
                self.path.rmdir()
            return
        with contextlib.suppress(OutputError):
            self._marker("failed")

    @contextlib.contextmanager
    def writing(self):
        """``with d.writing() as staging:`` write the files into ``staging``; committed at the end, failed on error."""
        try:
            yield self.staging
            self.commit()
        except BaseException:
            self.fail()
            raise


def output_dir(out, *, verb: str, names: Iterable[str], force: bool = False, option: str = "--out") -> OutputDir:
    """``out`` itself if already an :class:`OutputDir` (checked by the caller), else :func:`check_dir` of it."""
    return out if isinstance(out, OutputDir) else check_dir(out, option, verb=verb, names=names, force=force)


def check_dir(given: str | os.PathLike, option: str = "--out", *, verb: str, names: Iterable[str],
              force: bool = False) -> OutputDir:
    """Check (and prepare) an output directory before the computation; see the module docstring.

    ``names`` are the top-level entries the verb writes. Returns an :class:`OutputDir` whose
    marker is written and whose previous nenaudit outputs are moved to ``.nenaudit-previous``.
    """
    given = os.fspath(given)
    names = tuple(names)
    if given.strip() == "":
        raise OutputError(f"{option} '': an empty path; give a directory name")
    p = refuse_never_dir(given, option)
    if os.path.lexists(p) and not p.is_dir():
        raise OutputError(f"{option} {given}: exists and is not a directory; choose another path")
    created = False
    if not p.exists():
        _probe_dir(_existing_ancestor(p.parent, option, given), option, given)
        try:
            p.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{option} {given}: cannot create the directory ({_why(exc)})") from None
        created = True
    marker = None if created else _read_marker(p)
    ours: set[str] = set()
    if marker is not None:
        ours = {str(f) for f in marker.get("files", []) if isinstance(f, str)}
    elif not created:
        entries = [e.name for e in p.iterdir()]
        if entries and not force:
            shown = ", ".join(sorted(entries)[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputError(f"{option} {given}: the directory is not empty ({shown}) and was not made by "
                              "nenaudit; give a new directory, or --force to add nenaudit's files to it "
                              "(no file in it is replaced or removed)")
    foreign = [n for n in names if os.path.lexists(p / n) and n not in ours]
    if foreign:
        raise OutputError(f"{option} {given}: {p / foreign[0]} was not written by nenaudit and would be "
                          "replaced; move it away or choose another directory")
    if marker is not None:  # nenaudit's own leftovers of killed runs
        for e in p.iterdir():
            if e.name.startswith(STAGING):
                pid = e.name[len(STAGING):]
                if not (pid.isdigit() and int(pid) != os.getpid() and not pid_gone(int(pid))):
                    _remove(e)
    out = OutputDir(option, given, p, verb, names, created=created)
    try:
        out._marker("running", ())
    except OutputError:
        if created:
            with contextlib.suppress(OSError):
                p.rmdir()
        raise  # also the writability probe
    prev_files = [n for n in sorted(ours) if os.path.lexists(p / n) and not n.startswith(RESERVED)]
    if prev_files:
        prev = p / PREVIOUS
        _remove(prev)
        prev.mkdir()
        for n in prev_files:
            os.rename(p / n, prev / n)
        out.previous = prev_files
        out._marker("running", ())
    return out


class Outputs:
    """The outputs of one run: ``with Outputs() as out:`` ... ``out.file(...)``, ``out.dir(...)``.

    Leaving the block by an exception (an error, Ctrl-C, SIGTERM) fails every target that was
    not written: a previous regular file is renamed ``NAME.stale.EXT``, a directory run is marked
    failed. :meth:`failed` does the same for a run that ends without an exception (extract with
    failed cases).
    """

    def __init__(self) -> None:
        self.targets: list = []

    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, et, ev, tb) -> None:
        if et is not None:
            self.failed()

    def file(self, given: str | os.PathLike | None, option: str) -> FileTarget | None:
        if given is None:
            return None
        t = check_file(given, option)
        self.targets.append(t)
        return t

    def dir(self, given: str | os.PathLike, option: str = "--out", **kw) -> OutputDir:
        t = check_dir(given, option, **kw)
        self.targets.append(t)
        return t

    def failed(self) -> list[tuple[FileTarget, Path]]:
        """Fail every unwritten target; returns the (target, stale path) of renamed files."""
        moved = []
        for t in self.targets:
            if isinstance(t, OutputDir):
                t.fail()
            else:
                dest = t.fail()
                if dest is not None:
                    moved.append((t, dest))
        return moved

