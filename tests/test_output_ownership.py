"""An output folder belongs to the verb and the run that made it (issue 21, data loss).

The three commands that deleted a user's data, run with the real CLI on copies of the committed
default cohort; every input file must be byte-identical afterwards. And two runs into one folder
at once: the second is refused, the first's report and marker stay complete.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import nenaudit
from nenaudit.cohort import default_cohort_path
from nenaudit.exceptions import OutputError
from nenaudit.outputs import LOCK, MARKER, check_dir, content_hash
from nenaudit.report.reproduction import REPORT_FILES


def listing(d: Path) -> dict[str, bytes]:
    """Every file under ``d`` (dot files too) with its bytes."""
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def one_error_line(p, needle: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:"), p.stderr
    assert needle in lines[0], lines[0]


@pytest.fixture
def mycohort(tmp_path) -> Path:
    """``cp -r synthetic/default mycohort`` (its synth marker comes along)."""
    d = tmp_path / "mycohort"
    shutil.copytree(default_cohort_path(), d)
    assert (d / MARKER).is_file()
    return d


def test_reproduce_into_its_own_input_folder_is_refused(mycohort, tmp_path):
    before = listing(mycohort)
    p = nenaudit(
        "reproduce",
        "mycohort",
        "--out",
        "mycohort",
        "--boot",
        "1",
        "--no-crosscheck",
        "--quiet",
        cwd=tmp_path,
    )
    one_error_line(p, "this run's input (mycohort)")
    assert listing(mycohort) == before
    # and a folder that holds the input, under another spelling
    p = nenaudit(
        "reproduce",
        str(mycohort / "sub" / ".."),
        "--out",
        str(tmp_path),
        "--boot",
        "1",
        "--no-crosscheck",
        "--quiet",
        "--force",
        cwd=mycohort,
    )
    assert p.returncode == 2 and listing(mycohort) == before


def test_phantom_into_a_copied_cohort_with_the_users_patients_is_refused(mycohort, tmp_path):
    (mycohort / "patients.csv").write_text(
        (mycohort / "patients.csv").read_text() + "\n"
    )  # the user's own
    before = listing(mycohort)
    p = nenaudit("phantom", "--cohort", default_cohort_path(), "--out", mycohort, "--lesions", "1")
    one_error_line(p, "a copy?")
    assert listing(mycohort) == before
    p = nenaudit(
        "phantom", "--cohort", default_cohort_path(), "--out", mycohort, "--lesions", "1", "--force"
    )
    one_error_line(
        p, "was not written by nenaudit"
    )  # manifest.json: never replaced, even with --force
    assert listing(mycohort) == before


def fake_report_dir(d: Path) -> dict[str, bytes]:
    """A folder marked as made by `nenaudit reproduce` in place (the real marker, through the real API)."""
    out = check_dir(d, verb="reproduce", names=REPORT_FILES)
    with out.writing() as staging:
        for name in ("report.html", "report.md", "results.json"):
            (staging / name).write_text(f"{name} of the run\n")
        (staging / "roc.png").write_bytes(b"\x89PNG fake")
    return listing(d)


def test_synth_into_a_reproduce_folder_is_refused(tmp_path):
    d = tmp_path / "results"
    before = fake_report_dir(d)
    p = nenaudit("synth", "--out", d, "--budget", "20,2,20,4")
    one_error_line(p, "holds the outputs of `nenaudit reproduce`")
    assert listing(d) == before


def test_a_copied_output_folder_is_not_nenaudits(tmp_path):
    d = tmp_path / "results"
    fake_report_dir(d)
    c = tmp_path / "copy"
    shutil.copytree(d, c)
    before = listing(c)
    with pytest.raises(OutputError, match="a copy"):
        check_dir(c, verb="reproduce", names=REPORT_FILES)
    assert listing(c) == before
    # the original is still its own: the same verb re-runs into it, the unchanged files set aside
    out = check_dir(d, verb="reproduce", names=REPORT_FILES)
    assert sorted(out.previous) == ["report.html", "report.md", "results.json", "roc.png"]
    out.fail()


def test_marker_records_verb_run_folder_and_hashes(tmp_path):
    d = tmp_path / "results"
    fake_report_dir(d)
    m = json.loads((d / MARKER).read_text())
    st = d.stat()
    assert m["verb"] == "reproduce" and m["state"] == "complete" and len(m["run"]) == 32
    assert m["dir"] == {"path": str(d.resolve()), "device": st.st_dev, "inode": st.st_ino}
    assert m["files"] == {
        n: content_hash(d / n) for n in ("report.html", "report.md", "results.json", "roc.png")
    }
    assert not (d / LOCK).exists()


def test_second_run_into_the_same_folder_is_refused_and_the_first_completes(mycohort, tmp_path):
    out = tmp_path / "res"
    env_cmd = [
        sys.executable,
        "-m",
        "nenaudit",
        "reproduce",
        str(mycohort),
        "--out",
        str(out),
        "--boot",
        "2",
        "--no-crosscheck",
        "--quiet",
    ]
    first = subprocess.Popen(env_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while not (out / LOCK).exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() - t0 < 60
            time.sleep(0.05)
        second = nenaudit(
            "reproduce",
            mycohort,
            "--out",
            out,
            "--boot",
            "1",
            "--no-crosscheck",
            "--quiet",
            "--force",
        )
        one_error_line(second, "another nenaudit run")
        assert first.poll() is None, (
            "the first run ended before the second was refused: make it longer"
        )
        so, se = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, se
    m = json.loads((out / MARKER).read_text())
    assert m["state"] == "complete" and m["pid"] == first.pid
    assert sorted(m["files"]) == sorted(REPORT_FILES)
    assert all(content_hash(out / n) == h for n, h in m["files"].items())
    assert sorted(x.name for x in out.iterdir()) == sorted([*REPORT_FILES, MARKER])
    # and the folder is usable again afterwards
    again = nenaudit(
        "reproduce", mycohort, "--out", out, "--boot", "1", "--no-crosscheck", "--quiet"
    )
    assert again.returncode == 0, again.stderr
