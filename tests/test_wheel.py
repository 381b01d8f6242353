"""The wheel ships reference_r/ and `nenaudit parity` runs from it, installed outside the checkout (issue 10).

Installed from a wheel (not editable), `nenaudit parity chisq` failed with a traceback: the R
scripts were found through the source tree. This test builds the wheel from a copy of the
project (pip's isolated build takes setuptools from the package registry), checks that every
``reference_r/*.R`` is in it, installs it with ``--no-deps`` into a fresh venv in a temporary
directory (the dependencies, rpy2 included, are made visible through a ``.pth`` file that lists
this interpreter's site-packages: no editable finder is processed from there), and runs the
parity step there, from a directory outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.parity, pytest.mark.slow]


def run(cmd, **kw) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    p = subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        **kw,
    )
    assert p.returncode == 0, f"{cmd}: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p


def test_wheel_ships_reference_r_and_parity_runs_from_it(R, tmp_path):
    src = tmp_path / "project"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".venv*",  # .venv and make check's .venv-check
            ".git",
            "build",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            "results",
            "synthetic",
            "benchmarks",
            "tests",
        ),
    )
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-w", wheels])
    (whl,) = wheels.glob("nenaudit-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    r_files = sorted(p.name for p in (REPO / "reference_r").glob("*.R"))
    assert r_files and [f for f in r_files if f"nenaudit/reference_r/{f}" not in names] == []

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    py = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", whl])
    purelib = Path(
        run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "zz_nenaudit_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))

    where = run(
        [
            py,
            "-c",
            "import nenaudit, nenaudit.parity.rbridge as b; print(nenaudit.__file__); "
            "print(b.REFERENCE_R)",
        ]
    ).stdout.split()
    assert Path(where[0]).resolve() == (purelib / "nenaudit" / "__init__.py").resolve(), (
        where
    )  # not the checkout
    assert Path(where[1]).resolve() == (purelib / "nenaudit" / "reference_r").resolve(), (
        where
    )  # package data

    work = tmp_path / "elsewhere"
    work.mkdir()
    pd.DataFrame(
        {
            "arm": ["a"] * 30 + ["b"] * 30,
            "response": (["yes"] * 12 + ["no"] * 18) + (["yes"] * 21 + ["no"] * 9),
        }
    ).to_csv(work / "counts.csv", index=False)
    p = run(
        [
            venv / "bin" / "nenaudit",
            "parity",
            "chisq",
            "counts.csv",
            "-o",
            "row=arm",
            "-o",
            "col=response",
        ],
        cwd=work,
    )
    assert "all pass" in p.stdout and "Traceback" not in p.stderr, p.stdout
