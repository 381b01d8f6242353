"""Outputs never delete or overwrite what nenaudit did not write (issue 10, items 1, 4 and 14).

Directories: a non-empty directory without nenaudit's marker is refused (exit 2, untouched) unless
--force; '/', home, '.', '..' and every directory above the current one are always refused; in a
nenaudit-made directory only nenaudit's files are replaced. Files: checked before the computation;
symlinks, FIFOs, devices and /dev/stdout written in place; stale outputs renamed when a run fails.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest

from clirun import nenaudit
from nenaudit.cli import main
from nenaudit.exceptions import OutputError
from nenaudit.outputs import MARKER, Outputs, check_dir, check_file, write_atomic
from nenaudit.synth import generate, write_cohort


class Run:
    """The result of ``nenaudit.cli.main(argv)`` run in this process (as the console script does)."""

    def __init__(self, capsys, *argv):
        self.returncode = main([str(a) for a in argv])
        cap = capsys.readouterr()
        self.stdout, self.stderr = cap.out, cap.err


def listing(d: Path) -> dict[str, bytes]:
    """Every file under ``d`` with its content (the directory's state, to compare before and after)."""
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def one_error_line(p, needle: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:"), p.stderr
    assert needle in lines[0], lines[0]


@pytest.fixture(scope="module")
def small_cohort():
    return generate(None, 1, with_features=False, evaluate_results=False)


# ------------------------------------------------------------------------------ directories (item 1)


def test_reproduce_refuses_a_foreign_directory_and_leaves_it_untouched(tmp_path):
    """The acceptance case of issue 10: `reproduce --out DIR` once deleted DIR whatever it held."""
    d = tmp_path / "mine"
    d.mkdir()
    (d / "thesis.tex").write_text("\\chapter{One}\n")
    (d / "sub").mkdir()
    (d / "sub" / "data.csv").write_text("a\n1\n")
    before = listing(d)
    p = nenaudit("reproduce", "--boot", "2", "--quiet", "--out", d)
    one_error_line(p, "not made by nenaudit")
    assert listing(d) == before and sorted(x.name for x in d.iterdir()) == ["sub", "thesis.tex"]


def test_reproduce_out_dotdot_is_refused(tmp_path):
    """`--out ..` once deleted every file under the parent directory, then crashed."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    (tmp_path / "thesis.tex").write_text("mine")
    before = listing(tmp_path)
    p = nenaudit("reproduce", "--boot", "2", "--quiet", "--out", "..", cwd=cwd)
    one_error_line(p, "is never used as an output directory")
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    "verb", [["reproduce", "--boot", "2", "--quiet"], ["synth"], ["phantom", "--cohort", "C"]]
)
def test_foreign_non_empty_directory_is_refused(tmp_path, capsys, verb):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "thesis.tex").write_text("mine")
    (tmp_path / "C").mkdir()
    pd.DataFrame({"lesion_id": ["L1"], "patient_id": ["P1"], "outcome": [1]}).to_csv(
        tmp_path / "C" / "lesions.csv", index=False
    )
    verb = [str(tmp_path / "C") if a == "C" else a for a in verb]
    one_error_line(Run(capsys, *verb, "--out", d), "not made by nenaudit")
    assert listing(d) == {"thesis.tex": b"mine"}


@pytest.mark.parametrize("out", ["..", ".", "./x/..", "../..", "~", "HOME", "up-link", "root-link"])
def test_never_an_output_directory(tmp_path, capsys, monkeypatch, out):
    """'.', '..', '/', home and every directory above the current one, whatever the spelling or symlink."""
    parent = tmp_path / "parent"
    cwd = parent / "work"
    (cwd / "x").mkdir(parents=True)
    (parent / "thesis.tex").write_text("mine")
    (cwd / "notes.txt").write_text("mine too")
    (cwd / "up-link").symlink_to(parent)
    (cwd / "root-link").symlink_to("/")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    out = str(home) if out == "HOME" else out
    before = listing(tmp_path)
    for verb in (["reproduce", "--boot", "2", "--quiet", "--force"], ["synth", "--force"]):
        one_error_line(Run(capsys, *verb, "--out", out), "is never used as an output directory")
    assert listing(tmp_path) == before


def test_force_adds_files_and_keeps_foreign_ones(tmp_path, small_cohort):
    d = tmp_path / "shared"
    d.mkdir()
    (d / "thesis.tex").write_text("mine")
    with pytest.raises(OutputError, match="not made by nenaudit"):
        write_cohort(small_cohort, d)
    write_cohort(small_cohort, d, force=True)
    assert (d / "thesis.tex").read_text() == "mine"
    marker = json.loads((d / MARKER).read_text())
    assert marker["state"] == "complete" and set(marker["files"]) == set(small_cohort.files)
    assert "thesis.tex" not in marker["files"]
    # a file under one of nenaudit's names that nenaudit did not write is never replaced, even with --force
    other = tmp_path / "other"
    other.mkdir()
    (other / "lesions.csv").write_text("my own lesions\n")
    with pytest.raises(OutputError, match="was not written by nenaudit"):
        write_cohort(small_cohort, other, force=True)
    assert listing(other) == {"lesions.csv": b"my own lesions\n"}


def test_rerun_replaces_only_nenaudits_unchanged_files(tmp_path, small_cohort):
    d = tmp_path / "c"
    write_cohort(small_cohort, d)
    (d / "notes.txt").write_text("added by the user")
    write_cohort(small_cohort, d)  # nenaudit's files, unchanged since (same sha256): replaced
    assert (d / "notes.txt").read_text() == "added by the user"
    assert (d / "lesions.csv").read_text() == small_cohort.files["lesions.csv"]
    assert sorted(x.name for x in d.iterdir()) == sorted([*small_cohort.files, "notes.txt", MARKER])
    (d / "lesions.csv").write_text(
        "edited by the user"
    )  # listed in the marker, but changed since: kept
    before = listing(d)
    with pytest.raises(OutputError, match="lesions.csv has changed since nenaudit wrote it"):
        write_cohort(small_cohort, d)
    assert listing(d) == before


def test_failed_run_leaves_nothing_that_looks_current(tmp_path, small_cohort):
    d = tmp_path / "c"
    write_cohort(small_cohort, d)
    (d / "notes.txt").write_text("mine")
    target = check_dir(d, verb="synth", names=small_cohort.files)
    with pytest.raises(RuntimeError), target.writing() as staging:
        (staging / "lesions.csv").write_text("half")
        raise RuntimeError("the computation failed")
    marker = json.loads((d / MARKER).read_text())
    assert marker["state"] == "failed" and marker["files"] == {}
    assert not any((d / n).exists() for n in small_cohort.files)  # no previous output in place
    prev = d / marker["previous"]["dir"]
    assert sorted(x.name for x in prev.iterdir()) == sorted(
        small_cohort.files
    )  # kept aside, not lost
    assert (d / "notes.txt").read_text() == "mine"
    assert sorted(x.name for x in d.iterdir()) == sorted([MARKER, "notes.txt", prev.name])
    write_cohort(small_cohort, d)  # a complete run removes the previous outputs it set aside
    assert not prev.exists() and (d / "notes.txt").exists()


def test_a_new_directory_of_a_failed_run_is_removed(tmp_path, small_cohort):
    with pytest.raises(RuntimeError), Outputs() as outs:
        outs.dir(tmp_path / "new" / "c", verb="synth", names=small_cohort.files)
        assert (tmp_path / "new" / "c" / MARKER).is_file()  # marked at the start
        raise RuntimeError("failed")
    assert not (tmp_path / "new" / "c").exists()


def test_out_on_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "a-file"
    f.write_text("mine")
    one_error_line(
        Run(capsys, "reproduce", "--boot", "2", "--quiet", "--out", f), "not a directory"
    )
    one_error_line(Run(capsys, "synth", "--out", f), "not a directory")
    assert f.read_text() == "mine"


# ------------------------------------------------------------------------------- files (items 4, 14)


@pytest.mark.parametrize("bad", ["DIR", ".", "", "DIR/"])
def test_json_to_a_directory_or_empty_name_is_refused_before_running(
    tmp_path, capsys, monkeypatch, bad
):
    d = tmp_path / "DIR"
    d.mkdir()
    monkeypatch.chdir(tmp_path)
    p = Run(capsys, "audit", "--json", bad.replace("DIR", str(d)))
    one_error_line(p, "--json")
    assert p.stdout == ""  # the audit did not run
    assert (
        sorted(x.name for x in tmp_path.iterdir()) == ["DIR"] and list(d.iterdir()) == []
    )  # no .part


def test_audit_json_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    p = nenaudit("audit", "--json", link)
    assert p.returncode == 0, p.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert isinstance(json.loads(target.read_text()), list)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_symlink_stays_a_symlink(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["link.txt", "real.txt"]  # no .part left


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("text", fifo.read_text()))
    reader.start()
    write_atomic(fifo, "[1, 2]")
    reader.join(10)
    assert got["text"] == "[1, 2]"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a regular file
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pipe"]


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A private character device node with the numbers of /dev/null (1, 3) or /dev/full (1, 7)."""
    dev = tmp_path / name
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except OSError:
        pytest.skip(
            "cannot make a device node here (not root); /dev itself is never used as a test target"
        )
    return dev


def test_character_device_is_written_in_place(tmp_path):
    """As root, --markdown /dev/full used to replace the device node with a regular file."""
    null = device(tmp_path, "null", 3)
    write_atomic(null, "text")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    full = device(tmp_path, "full", 7)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(full, "text")
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["full", "null"]


@pytest.mark.parametrize("dest", ["/dev/stdout", "-"])
def test_json_to_stdout(dest):
    """`--json /dev/stdout` failed as non-root (it tried to create /dev/stdout.part)."""
    import subprocess
    import sys

    p = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from nenaudit.outputs import write_atomic; write_atomic({dest!r}, '[1]')",
        ],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0 and p.stdout == "[1]", p.stderr


def test_audit_json_to_dev_stdout(capfd):
    assert main(["audit", "--json", "/dev/stdout"]) == 0
    assert isinstance(json.loads(capfd.readouterr().out), list)


def unwritable_dirs(tmp_path: Path) -> list[Path]:
    """A directory nobody can create files in (/proc, also for root) and, when not root, a mode-555 one."""
    out = [Path("/proc/nenaudit-no-such-dir")]
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        out.append(ro)
    return out


def test_unwritable_output_fails_before_the_computation(tmp_path, capsys):
    for d in unwritable_dirs(tmp_path):
        # without --quiet every step prints a progress line: none may come before the error
        p = Run(capsys, "reproduce", "--boot", "2", "--out", d / "report")
        one_error_line(p, "cannot write in")
        p = Run(capsys, "audit", "--json", d / "a.json")
        one_error_line(p, "cannot write in")
        assert p.stdout == ""


def test_unwritable_check_is_immediate():
    with pytest.raises(OutputError, match="cannot write in /proc"):
        check_file("/proc/nenaudit-no-such-dir/x.json", "--json")


def extraction(complete: bool, value: float):
    from nenaudit.radiomics.extract import ExtractionResult, Failure

    table = pd.DataFrame({"lesion_id": ["L1"], "observer": [1], "repeat": [1], "f": [value]})
    fails = () if complete else (Failure("L2", 1, 1, "i.nii.gz", "m.nii.gz", "empty mask"),)
    return ExtractionResult(
        table=table,
        failures=fails,
        feature_names=("f",),
        params="p.yaml",
        settings={},
        jobs=1,
        seconds=0.0,
        n_cases=1 + len(fails),
        cpu_seconds=0.0,
    )


def test_failed_extract_rerun_leaves_no_current_looking_table(tmp_path):
    from nenaudit.radiomics.extract import save_extraction

    out = tmp_path / "f.csv"
    save_extraction(extraction(True, 1.5), out)
    written = save_extraction(extraction(False, 2.5), out)
    assert not out.exists()  # the previous complete table no longer looks current
    assert written["stale"] == str(tmp_path / "f.stale.csv")
    assert pd.read_csv(tmp_path / "f.stale.csv")["f"].tolist() == [1.5]  # renamed, not lost
    assert pd.read_csv(written["partial"])["f"].tolist() == [2.5]


def test_interrupted_run_renames_the_previous_file(tmp_path):
    old = tmp_path / "audit.json"
    old.write_text("[]")
    with pytest.raises(KeyboardInterrupt), Outputs() as outs:
        outs.file(old, "--json")
        raise KeyboardInterrupt
    assert not old.exists() and (tmp_path / "audit.stale.json").read_text() == "[]"


def test_extract_out_directory_is_refused_before_extracting(tmp_path):
    pytest.importorskip("radiomics")
    from nenaudit.radiomics.phantom import ScanModel, write_phantom

    (tmp_path / "cohort").mkdir()
    pd.DataFrame({"lesion_id": ["L1"], "patient_id": ["P1"], "outcome": [1]}).to_csv(
        tmp_path / "cohort" / "lesions.csv", index=False
    )
    ph = tmp_path / "ph"
    write_phantom(
        tmp_path / "cohort",
        ph,
        scan=ScanModel(size=(120, 120, 12), liver_semi_axes_mm=(36.0, 34.0, 28.0)),
        resegment=0,
    )
    d = tmp_path / "outdir"
    d.mkdir()
    p = nenaudit("extract", "--images", ph / "images", "--masks", ph / "masks", "--out", d)
    one_error_line(p, "is a directory")
    assert "cases extracted" not in p.stdout and list(d.iterdir()) == []
