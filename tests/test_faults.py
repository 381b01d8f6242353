"""Faults are one line, never a traceback, a hang or a store left behind (issue 21): --scheduler addresses
and peers, sizes beyond the machine, a full disk, a hand-edited store row."""

from __future__ import annotations

import http.server
import socket
import sqlite3
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from clirun import nenaudit


def one_error_line(p, needle: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nenaudit: error:"), p.stderr
    assert needle in lines[0], lines[0]


SIM = [
    "simulate",
    "null",
    "--cohorts",
    "2",
    "--boot",
    "2",
    "--max-features",
    "20",
    "--quiet",
    "--backend",
    "dask",
]


@pytest.mark.parametrize(
    "address, needle",
    [
        ("notaurl", "not an address"),
        ("tcp://[::1", "not an address"),
        ("ucx://10.0.0.1:8786", "the scheme 'ucx' is not supported"),
        ("inproc://x", "the scheme 'inproc' is not supported"),
        ("tls://10.0.0.1:8786", "tls:// needs certificates"),
        ("tcp://127.0.0.1:1", "cannot connect"),
    ],
)
def test_bad_scheduler_addresses_leave_nothing_behind(tmp_path, address, needle):
    out = tmp_path / "sim"
    one_error_line(nenaudit(*SIM, "--scheduler", address, "--out", out), needle)
    assert not out.exists()  # no empty store that would block the retry


def _serve(handler_sock):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def loop():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            handler_sock(c)

    threading.Thread(target=loop, daemon=True).start()
    return srv


def test_an_ssh_server_is_not_a_scheduler(tmp_path):
    def banner(c):
        c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        c.close()

    srv = _serve(banner)
    try:
        out = tmp_path / "sim"
        p = nenaudit(*SIM, "--scheduler", f"tcp://127.0.0.1:{srv.getsockname()[1]}", "--out", out)
        one_error_line(p, "is not a Dask scheduler (it began with b'SSH-2.0-'")
        assert not out.exists()
    finally:
        srv.close()


def test_an_http_server_is_not_a_scheduler_and_does_not_hang(tmp_path):
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        out = tmp_path / "sim"
        p = subprocess.run(
            [
                sys.executable,
                "-m",
                "nenaudit",
                *SIM,
                "--scheduler",
                f"tcp://127.0.0.1:{httpd.server_address[1]}",
                "--connect-timeout",
                "2",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        one_error_line(p, "is not a Dask scheduler (it sent nothing)")
        assert not out.exists()
    finally:
        httpd.shutdown()


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["simulate", "null", "--cohorts", "100000000"], "--cohorts 100000000: "),
        (["simulate", "null", "--cohorts", str(10**23)], f"--cohorts {10**23}: "),
        (["simulate", "null", "--boot", "1000000000"], "--boot 1000000000: "),
        (["reproduce", "--boot", "1000000000"], "--boot 1000000000: "),
    ],
)
def test_sizes_beyond_the_machine_are_refused_up_front_with_the_estimate(tmp_path, argv, needle):
    p = nenaudit(*argv, "--out", tmp_path / "o")
    one_error_line(p, needle)
    assert "of memory, more than this machine has available" in p.stderr
    assert not (tmp_path / "o").exists()


def test_a_hand_edited_store_row_is_one_line_naming_it(tmp_path):
    from nenaudit.simulate import run_simulation
    from test_simulate import SPEC

    out = tmp_path / "s"
    run_simulation(SPEC, out, backend="local", jobs=1, quiet=True)
    db = sqlite3.connect(out / "simulation.sqlite")
    db.execute("UPDATE replicates SET metrics = '{\"auc\": 0.9' WHERE idx = 2")
    db.commit()
    db.close()
    p = nenaudit("simulate", "null", "--status", "--out", out)
    one_error_line(p, "replicate 2: the column 'metrics' is not valid JSON")


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    rng = np.random.default_rng(5)
    n = 60
    x = rng.normal(size=n)
    y = (x + rng.normal(size=n) > 0).astype(int)
    f = tmp_path_factory.mktemp("d") / "d.csv"
    pd.DataFrame(
        {"y": y, "x": x, "p": 1 / (1 + np.exp(-x)), "g": rng.choice(["a", "b"], n)}
    ).to_csv(f, index=False)
    return f


@pytest.mark.parametrize(
    "argv",
    [
        ["audit"],
        ["audit", "--json"],
        ["compare", "CSV", "--group", "y"],
        ["logit", "CSV", "--outcome", "y", "--predictors", "x"],
        ["auc", "CSV", "--outcome", "y", "--score", "x"],
        ["dca", "CSV", "--outcome", "y", "--prob", "p"],
    ],
)
def test_a_full_stdout_is_one_line(csv, argv):
    argv = [str(csv) if a == "CSV" else a for a in argv]
    with open("/dev/full", "w") as full:
        p = subprocess.run(
            [sys.executable, "-m", "nenaudit", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    one_error_line(p, "no space left on the device")


@pytest.mark.parametrize("option", ["--json", "--markdown"])
def test_a_full_output_file_is_one_line(option):
    one_error_line(nenaudit("audit", option, "/dev/full"), "No space left on device")


def _small_files(limit: int):
    import resource

    def pre():  # writes beyond `limit` bytes fail with EFBIG (Python ignores SIGXFSZ), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return pre


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce", "--boot", "2", "--no-crosscheck", "--quiet", "--out", "OUT"],
        ["synth", "--budget", "20,2,20,4", "--quiet", "--out", "OUT"],
    ],
)
def test_a_full_disk_under_an_output_folder_is_one_line_and_leaves_nothing_half_written(
    tmp_path, argv
):
    out = tmp_path / "o"
    argv = [str(out) if a == "OUT" else a for a in argv]
    p = subprocess.run(
        [sys.executable, "-m", "nenaudit", *argv],
        capture_output=True,
        text=True,
        preexec_fn=_small_files(20_000),
    )
    one_error_line(p, "no space left on the device")
    assert (
        not out.exists()
    )  # the folder this run created is removed again: nothing that looks like a result
