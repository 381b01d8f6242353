"""Writing outputs safely: checked before the computation, never half-written, never over a user's files.

Every verb that writes files goes through this module.

Files (:func:`check_file`, :class:`FileTarget`): the path is checked before any computation
(an empty name, a directory, a block device or socket, a directory nobody can write into are
refused with one line). A regular file (or an absent one) is written to a temporary sibling
and renamed over the target, so it is never seen half-written; a symlink is followed and its
target replaced the same way (the link stays a link). A FIFO or a character device
(``/dev/null``) is written in place; ``-``, ``/dev/stdout``, ``/dev/stderr`` and
``/dev/fd/N`` write to the open stream. If the run fails before the file is written, a
previous regular file at the path is renamed ``NAME.stale.EXT``: nothing stale looks current.

Directories (:func:`check_dir`, :class:`OutputDir`): ``/``, the home directory, the current
directory and every directory above it are always refused, and so is a directory that is or holds
one of the run's inputs (``reproduce mycohort --out mycohort``). An output directory belongs to the
verb and the folder that made it: the marker :data:`MARKER` records the verb, a run id, the folder's
own identity (real path, device, inode: a copied folder's marker does not count) and every file it
wrote with its sha256. An existing non-empty directory is used only if its marker is this verb's
and this folder's, or with ``force``; a file is replaced or moved only if this verb's run wrote it
there and it is unchanged since (same hash); any other file under one of the verb's output names
is refused, even with ``force``. A lock file (``.nenaudit-lock``, flock) is held from the check to
the end of the run: a second run into the same directory is refused in one line and touches
nothing. The files of the previous run are moved into ``.nenaudit-previous/`` at the start, the new
ones are written into a staging directory and moved into place at the end; ``.nenaudit-previous``
is removed only once the new run is complete. A failed or interrupted run leaves the marker saying
``"state": "failed"`` and the previous outputs in ``.nenaudit-previous``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nenaudit import __version__
from nenaudit.exceptions import OutputError

__all__ = [
    "MARKER",
    "FileTarget",
    "OutputDir",
    "check_file",
    "check_dir",
    "write_atomic",
    "stale_name",
    "output_dir",
    "Outputs",
    "refuse_never_dir",
]

MARKER = ".nenaudit-output"
PREVIOUS = ".nenaudit-previous"
STAGING = ".nenaudit-staging-"
LOCK = ".nenaudit-lock"
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
        raise OutputError(
            f"{option} {given}: cannot write in {d} ({_why(exc)}); choose a writable place"
        ) from None
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
                raise OutputError(
                    f"{self.option} {self.given}: cannot open ({_why(exc)})"
                ) from None
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
            raise OutputError(
                f"{self.option} {self.given}: cannot write in {p.parent} ({_why(exc)})"
            ) from None
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
        raise OutputError(
            f"{option} {given}: a directory; give a file name (e.g. {given.rstrip('/') or '.'}/out.json)"
        )
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
        raise OutputError(
            f"{option} {given}: is a directory; give a file name (e.g. {given.rstrip('/')}/out.json)"
        )
    if stat.S_ISFIFO(mode):
        return FileTarget(option, given, "fifo", path=p)
    if stat.S_ISCHR(mode):
        return FileTarget(option, given, "chardev", path=p)
    if stat.S_ISBLK(mode):
        raise OutputError(
            f"{option} {given}: is a block device; nenaudit does not write onto disks"
        )
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
        out.setdefault(
            str(a), "the current directory" if a == cwd else "a directory above the current one"
        )
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
        raise OutputError(
            f"{option} {given}: {why} ({p}) is never used as an output directory; "
            "give a new directory, e.g. results"
        )
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


def _identity(p: Path) -> dict:
    """The directory's own identity: its real path, device and inode (a copy or a new folder has others)."""
    st = os.stat(p)
    return {"path": str(p), "device": st.st_dev, "inode": st.st_ino}


def _sha256_file(f: Path) -> str:
    h = hashlib.sha256()
    with open(f, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def content_hash(p: Path) -> str | None:
    """sha256 of a file, or of a directory tree (each relative path and its file's sha256, sorted);
    None for anything else (a symlink, a socket, a vanished entry)."""
    try:
        if p.is_symlink():
            return None
        if p.is_file():
            return _sha256_file(p)
        if p.is_dir():
            h = hashlib.sha256(b"tree\0")
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).as_posix()
                if f.is_symlink() or not (f.is_file() or f.is_dir()):
                    return None
                h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
                h.update((_sha256_file(f) if f.is_file() else "dir").encode() + b"\0")
            return h.hexdigest()
    except OSError:
        return None
    return None


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _same_path(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _holds_input(p: Path, inputs: Iterable) -> str | None:
    """The first input that is ``p`` itself or lies inside ``p`` (the run reads it), else None."""
    for given in inputs:
        if given is None:
            continue
        q = Path(os.path.realpath(os.fspath(given)))
        if q == p or p in q.parents or _same_path(q, p):
            return os.fspath(given)
    return None


@dataclass
class _Ownership:
    """What the marker of an existing directory gives this run: the files it may move aside (unchanged since
    nenaudit wrote them) and why the marker does not count, if it does not."""

    marker: dict | None
    ours: dict[str, str] = field(default_factory=dict)  # name -> sha256 as recorded
    why_not: str | None = None  # the marker exists but does not make the files this verb's


def _ownership(p: Path, verb: str) -> _Ownership:
    marker = _read_marker(p)
    if marker is None:
        return _Ownership(None)
    files = marker.get("files")
    if marker.get("dir") != _identity(p) or not isinstance(files, dict):
        return _Ownership(
            marker,
            why_not="its marker was written for another directory (a copy?), so its files "
            "are not nenaudit's to replace",
        )
    other = marker.get("verb")
    if other != verb:
        return _Ownership(
            marker,
            why_not=f"it holds the outputs of `nenaudit {other}`, which `nenaudit {verb}` "
            "does not replace",
        )
    ours = {str(k): v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
    return _Ownership(marker, ours)


class _Lock:
    """``.nenaudit-lock`` in the output directory, held (flock) from the check to the end of the run: a second
    run into the same directory is refused and touches nothing of the first's."""

    def __init__(self, d: Path, option: str, given: str) -> None:
        self.path = d / LOCK
        self.fd: int | None = None
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{option} {given}: cannot write in the directory ({_why(exc)}); "
                    "choose a writable place"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                try:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                except OSError:  # pragma: no cover
                    holder = ""
                os.close(fd)
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise OutputError(
                    f"{option} {given}: another nenaudit run{who} is writing into this directory; "
                    "wait for it to end or choose another directory"
                ) from None
            try:  # the file may have been unlinked by the run that held it: lock the one at the path
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
                self.fd = fd
                return
            os.close(fd)
        raise OutputError(
            f"{option} {given}: another nenaudit run is writing into this directory; "  # pragma: no cover
            "wait for it to end or choose another directory"
        )

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None


@dataclass
class OutputDir:
    """An output directory, checked, locked and marked; write into :attr:`staging`, then :meth:`commit`."""

    option: str
    given: str
    path: Path
    verb: str
    names: tuple[str, ...]
    previous: dict[str, str] = field(default_factory=dict)  # name -> sha256 of the files set aside
    created: bool = False  # made by this run: removed again if the run fails
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _staging: Path | None = None
    _lock: _Lock | None = None
    done: bool = False

    def _marker(self, state: str, files: dict[str, str] | None = None) -> None:

        data = {
            "nenaudit": __version__,
            "verb": self.verb,
            "run": self.run_id,
            "state": state,
            "pid": os.getpid(),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "dir": _identity(self.path),
            "files": dict(sorted((files or {}).items())),
        }
        if state != "complete" and self.previous:
            data["previous"] = {"dir": PREVIOUS, "files": dict(sorted(self.previous.items()))}
        text = json.dumps(data, indent=1) + "\n"
        tmp = self.path / f"{MARKER}.part-{os.getpid()}"
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path / MARKER)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise OutputError(
                f"{self.option} {self.given}: cannot write in the directory ({_why(exc)}); "
                "choose a writable place"
            ) from None

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
                raise OutputError(
                    f"{self.option} {self.given}: {dest} appeared during the run and was not "
                    "written by nenaudit; move it away and run again"
                )
        hashes = {name: content_hash(s / name) or "" for name in entries}
        for name in entries:
            os.rename(s / name, self.path / name)
        s.rmdir()
        self._staging = None
        self._marker("complete", hashes)
        _remove(self.path / PREVIOUS)
        self.previous = {}
        self.done = True
        self._release()
        return self.path

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def fail(self) -> None:
        """The run failed: remove the staging directory; the marker says so; the previous run stays aside.

        A directory this run created (holding nothing but the marker) is removed again."""
        if self.done:
            return
        self.done = True
        try:
            if self._staging is not None:
                _remove(self._staging)
                self._staging = None
            if self.created and {e.name for e in self.path.iterdir()} <= {MARKER, LOCK}:
                _remove(self.path / MARKER)
                self._release()
                with contextlib.suppress(OSError):
                    self.path.rmdir()
                return
            with contextlib.suppress(OutputError):
                self._marker("failed")
        finally:
            self._release()

    @contextlib.contextmanager
    def writing(self):
        """``with d.writing() as staging:`` write the files into ``staging``; committed at the end, failed on error."""
        try:
            yield self.staging
            self.commit()
        except BaseException:
            self.fail()
            raise


def output_dir(
    out,
    *,
    verb: str,
    names: Iterable[str],
    force: bool = False,
    option: str = "--out",
    inputs: Iterable = (),
) -> OutputDir:
    """``out`` itself if already an :class:`OutputDir` (checked by the caller), else :func:`check_dir` of it."""
    return (
        out
        if isinstance(out, OutputDir)
        else check_dir(out, option, verb=verb, names=names, force=force, inputs=inputs)
    )


def _decide(
    p: Path, given: str, option: str, verb: str, names: tuple[str, ...], force: bool
) -> _Ownership:
    """The read-only part of the check of an existing directory: refuses, or returns what the run may set aside."""
    own = _ownership(p, verb)
    entries = [e.name for e in p.iterdir() if e.name not in (LOCK,)]
    if own.why_not is not None or own.marker is None:
        theirs = [
            n for n in entries if not (n == MARKER or n.startswith(STAGING) or n.endswith(".part"))
        ]
        if theirs and not force:
            shown = ", ".join(sorted(theirs)[:3]) + (", ..." if len(theirs) > 3 else "")
            why = own.why_not or "was not made by nenaudit"
            if own.why_not is not None:
                why = own.why_not
            raise OutputError(
                f"{option} {given}: the directory is not empty ({shown}) and {why}; give a new "
                "directory, or --force to add nenaudit's files to it (no file in it is replaced "
                "or removed)"
            )
        own = _Ownership(own.marker if own.why_not is None else None, {}, own.why_not)
    for n in names:
        q = p / n
        if not os.path.lexists(q):
            continue
        if n not in own.ours:
            raise OutputError(
                f"{option} {given}: {q} was not written by nenaudit and would be replaced; move it "
                "away or choose another directory"
            )
        if content_hash(q) != own.ours[n]:
            raise OutputError(
                f"{option} {given}: {q} has changed since nenaudit wrote it and would be replaced; "
                "move it away or choose another directory"
            )
    return own


def check_dir(
    given: str | os.PathLike,
    option: str = "--out",
    *,
    verb: str,
    names: Iterable[str],
    force: bool = False,
    inputs: Iterable = (),
) -> OutputDir:
    """Check (and prepare) an output directory before the computation; see the module docstring.

    ``names`` are the top-level entries the verb writes; ``inputs`` the paths the run reads (a directory
    that is or holds one of them is refused). Returns a locked :class:`OutputDir` whose marker is written and
    whose previous outputs (this verb's, unchanged since) are moved to ``.nenaudit-previous``.
    """
    given = os.fspath(given)
    names = tuple(names)
    if given.strip() == "":
        raise OutputError(f"{option} '': an empty path; give a directory name")
    p = refuse_never_dir(given, option)
    held = _holds_input(p, inputs)
    if held is not None:
        what = "is" if Path(os.path.realpath(held)) == p else "holds"
        raise OutputError(
            f"{option} {given}: the directory {what} this run's input ({held}); an input folder is "
            "never an output folder; give a new directory, e.g. results"
        )
    if os.path.lexists(p) and not p.is_dir():
        raise OutputError(f"{option} {given}: exists and is not a directory; choose another path")
    created = False
    if not p.exists():
        _probe_dir(_existing_ancestor(p.parent, option, given), option, given)
        try:
            p.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(
                f"{option} {given}: cannot create the directory ({_why(exc)})"
            ) from None
        created = True
    else:
        _decide(
            p, given, option, verb, names, force
        )  # read-only: a refused directory gets no lock file
    try:
        lock = _Lock(p, option, given)
    except OutputError:
        if created:
            with contextlib.suppress(OSError):
                p.rmdir()
        raise
    out = OutputDir(option, given, p, verb, names, created=created, _lock=lock)
    try:
        own = (
            _Ownership(None) if created else _decide(p, given, option, verb, names, force)
        )  # again, under the lock
        for (
            e
        ) in p.iterdir():  # nenaudit's own leftovers of killed runs (the lock says none is running)
            if e.name.startswith(STAGING) or (e.name.startswith(f"{MARKER}.part-")):
                _remove(e)
        out._marker("running")
        prev_files = {
            n: h
            for n, h in sorted(own.ours.items())
            if os.path.lexists(p / n) and not n.startswith(RESERVED) and content_hash(p / n) == h
        }
        if prev_files:
            prev = p / PREVIOUS
            _remove(prev)
            prev.mkdir()
            for n in prev_files:
                os.rename(p / n, prev / n)
            out.previous = prev_files
            out._marker("running")
    except BaseException:
        out.done = True
        if created:
            _remove(p / MARKER)
        out._release()
        if created:
            with contextlib.suppress(OSError):
                p.rmdir()
        raise
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

    def __enter__(self) -> Outputs:
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
