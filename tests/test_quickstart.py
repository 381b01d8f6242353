"""The README's first command on a machine without R (issue 20).

`make reproduce` used to install the test extras, whose rpy2 cannot be built without R: the first
command a newcomer typed ended in a build error. This test builds the venv exactly as
`make reproduce` does (the Makefile's own `venv-run` target, into a temporary folder) with R hidden
from PATH, checks that rpy2 is not in it, and runs the main job there with a small number of
resamples: it must exit 0, write the report, and say in one line that the R crosscheck was not
run because R is absent.

R is hidden by building a PATH of folders of symbolic links to every program on the real PATH
except R and Rscript, so everything else (python3, make, pip's compilers) is found as usual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HIDDEN = {"R", "Rscript"}

pytestmark = pytest.mark.slow


def path_without_r(tmp: Path) -> str:
    """A PATH with every program of the current PATH except R's, one link folder per PATH entry
    (so the first-found order is kept)."""
    dirs = []
    for i, d in enumerate(p for p in os.environ.get("PATH", "").split(os.pathsep) if p):
        src = Path(d)
        if not src.is_dir():
            continue
        dst = tmp / f"bin{i:02d}"
        dst.mkdir()
        for f in src.iterdir():
            if f.name in HIDDEN or not os.access(f, os.X_OK) or f.is_dir():
                continue
            (dst / f.name).symlink_to(f)
        dirs.append(str(dst))
    return os.pathsep.join(dirs)


def run(cmd, env, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        **kw,
    )


def test_make_reproduce_venv_and_main_job_without_r(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "R_HOME", "LD_LIBRARY_PATH")
    }
    env["PATH"] = path_without_r(tmp_path)
    assert (
        shutil.which("Rscript", path=env["PATH"]) is None
        and shutil.which("R", path=env["PATH"]) is None
    )
    assert shutil.which("make", path=env["PATH"]) is not None

    venv = tmp_path / "venv"
    p = run(["make", "-C", REPO, "venv-run", f"VENV={venv}"], env, timeout=1800)
    assert p.returncode == 0, (
        f"make venv-run without R: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    )
    py = venv / "bin" / "python"
    no_rpy2 = run([py, "-c", "import importlib.util as u; print(u.find_spec('rpy2') is None)"], env)
    assert no_rpy2.stdout.strip() == "True", "the main job's venv must not install rpy2"

    out = tmp_path / "out"
    p = run(
        [venv / "bin" / "nenaudit", "reproduce", "--boot", "20", "--jobs", "1", "--out", out],
        env,
        cwd=tmp_path,
        timeout=1800,
    )
    assert p.returncode == 0, (
        f"nenaudit reproduce without R: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    )
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    line = "Not checked against R in this run: R is not installed on this machine"
    assert line in md and line in html.replace("\n", " ")
    assert (out / "results.json").is_file()
