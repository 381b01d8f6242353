"""nenaudit simulate: seeds, null cohorts, store, resume, backends (local pool and Dask), summary.

Quick by construction: the committed default cohort is permuted (no generator run), 40 random feature
columns, 3 resamples per scheme, 4 replicates. One reference run (local, one worker) is computed
once; every other way of running the same spec must give the same rows (bit for bit).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from clirun import nenaudit
from nenaudit.cohort import default_cohort_path, load_cohort
from nenaudit.exceptions import NenauditError
from nenaudit.simulate import SimulationSpec, run_simulation
from nenaudit.simulate.cohorts import keep_features, merge_cohorts, null_cohort
from nenaudit.simulate.seeds import replicate_seeds
from nenaudit.simulate.store import STORE_NAME, Store, row_key
from nenaudit.simulate.summary import printed_aucs

M, B, P = 4, 3, 40
COHORT = str(default_cohort_path())
SPEC = SimulationSpec(mode="null", cohorts=M, boot=B, seed=7, cohort=COHORT, max_features=P)


def cli_args(out, *extra):
    return [
        "simulate",
        "null",
        "--cohorts",
        str(M),
        "--boot",
        str(B),
        "--seed",
        "7",
        "--cohort",
        COHORT,
        "--max-features",
        str(P),
        "--quiet",
        "--out",
        str(out),
        *extra,
    ]


def keys(folder) -> list[tuple]:
    with Store(folder, create=False) as s:
        return [row_key(r) for r in s.rows()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "ref"
    summary = run_simulation(SPEC, out, backend="local", jobs=1, quiet=True)
    return out, summary


# --- seeds and null cohorts ------------------------------------------------------------------


def test_replicate_seed_is_the_spawned_child_of_the_run_seed():
    children = np.random.SeedSequence(7).spawn(5)
    for i, child in enumerate(children):
        s = replicate_seeds(7, i)
        want = np.random.SeedSequence(
            child.entropy, spawn_key=child.spawn_key + (2,)
        ).generate_state(1)[0]
        assert s.label == f"SeedSequence(7, spawn_key=({i},))"
        assert s.pipeline == int(want)
    assert len({replicate_seeds(7, i).pipeline for i in range(50)}) == 50


@pytest.fixture(scope="module")
def cohort():
    return load_cohort(COHORT)


def test_null_cohort_moves_whole_lesions_and_keeps_the_icc(cohort):
    from nenaudit.pipeline import observer_readings
    from nenaudit.stats.features import icc_filter

    rng = np.random.default_rng(3)
    small = keep_features(cohort, 30, rng)
    nul = null_cohort(small, np.random.default_rng(4), "clinical-only")
    assert nul.feature_names == small.feature_names
    # the same feature vectors, on other lesions
    a = small.features.to_numpy()
    b = nul.features.to_numpy()
    assert not np.array_equal(a, b)
    assert np.array_equal(a[np.lexsort(a.T[::-1])], b[np.lexsort(b.T[::-1])])

    # each lesion's re-readings travel with its first reading: the reading differences are the same set
    def diffs(c):
        f = c.features
        o = c.observers
        return np.sort(
            [
                float(
                    np.sum(
                        np.abs(
                            o.iloc[k][c.feature_names].to_numpy(float)
                            - f.loc[o.iloc[k]["lesion_id"]].to_numpy()
                        )
                    )
                )
                for k in range(len(o))
            ]
        )

    assert np.array_equal(diffs(small), diffs(nul))
    # ICCs do not depend on which lesion a reading set belongs to
    i0 = icc_filter(observer_readings(small)).icc
    i1 = icc_filter(observer_readings(nul)).icc
    for design in i0:
        for f in small.feature_names:
            assert i1[design][f] == pytest.approx(i0[design][f], abs=1e-12)
    # clinical data and outcome untouched with clinical-only
    assert nul.lesions.equals(small.lesions) and nul.patients.equals(small.patients)


def test_null_signal_none_permutes_outcome_keeping_event_counts(cohort):
    nul = null_cohort(cohort, np.random.default_rng(5), "none")
    assert not np.array_equal(nul.outcome, cohort.outcome)
    assert nul.outcome.sum() == cohort.outcome.sum()
    assert nul.patients["outcome"].sum() == cohort.patients["outcome"].sum()
    out = dict(zip(nul.patients["patient_id"], nul.patients["outcome"]))
    assert all(out[p] == y for p, y in zip(nul.lesions["patient_id"], nul.lesions["outcome"]))
    # clinical variables unchanged: only the outcome moved
    other = [c for c in cohort.lesions.columns if c != "outcome"]
    assert nul.lesions[other].equals(cohort.lesions[other])


def test_merged_cohorts_scale_the_design(cohort):
    big = merge_cohorts([cohort, cohort])
    assert len(big.lesions) == 2 * len(cohort.lesions)
    assert big.lesions["lesion_id"].is_unique and big.patients["patient_id"].is_unique
    assert big.outcome.mean() == pytest.approx(cohort.outcome.mean())
    assert len(big.observers) == 2 * len(cohort.observers)


# --- the run, the store, the summary ---------------------------------------------------------


def test_reference_run_stores_every_replicate_with_seed_and_version(reference):
    from nenaudit.simulate import build_id

    out, summary = reference
    with Store(out, create=False) as s:
        rows = list(s.rows())
    assert [r["idx"] for r in rows] == list(range(M))
    assert all(
        r["version"] == build_id() and r["seed"] == replicate_seeds(7, r["idx"]).label for r in rows
    )
    st = summary["scales"]["1"]["status"]
    assert sum(st.values()) == M and summary["complete"]
    # each replicate keeps the whole-pipeline instability (Riley & Collins): MAPE and the selection stability
    assert any(r["status"] == "ok" for r in rows)
    for r in rows:
        if r["status"] == "ok":
            assert (
                0 <= r["metrics"]["mape_pipeline"] <= 1
                and 0 <= r["metrics"]["selection_stability"] <= 1
            )
    assert st == {k: sum(r["status"] == k for r in rows) for k in st}


def test_summary_is_strict_json_with_the_printed_values_from_the_spec(reference):
    from nenaudit.stats.quantile import quantile7
    from nenaudit.study.schema import load

    out, summary = reference

    def no_constants(name):
        raise AssertionError(f"non-strict JSON constant {name}")

    on_disk = json.loads((out / "summary.json").read_text(), parse_constant=no_constants)
    assert on_disk == summary
    spec_aucs = {f"{a.model}:{a.kind}": float(a.estimate.raw) for a in load().auc}
    assert summary["printed"] == {
        "radscore": spec_aucs["radscore:apparent"],
        "fusion": spec_aucs["fusion:apparent"],
    }
    assert printed_aucs(load()) == summary["printed"]
    with Store(out, create=False) as s:
        rows = list(s.rows())
    sc = summary["scales"]["1"]
    for key, metric in (("radscore", "auc_radscore"), ("fusion", "auc_fusion")):
        have = [r for r in rows if r["metrics"][metric] is not None]
        hits = sum(r["metrics"][metric] >= summary["printed"][key] for r in have)
        assert sc["shares"][key]["reaching"] == hits and sc["shares"][key]["of_with_model"] == len(
            have
        )
        assert sc["shares"][key]["share_of_finished"] == hits / len(rows)
    # an empty LASSO selection: no Radscore AUC, the clinical final model's AUC as the fusion AUC
    for r in rows:
        assert (r["metrics"]["auc_radscore"] is None) == (r["status"] == "empty_selection")
    x = [r["metrics"]["auc_fusion"] for r in rows if r["metrics"]["auc_fusion"] is not None]
    if x:
        assert sc["metrics"]["auc_fusion"]["q50"] == pytest.approx(
            float(quantile7(x, [0.5])[0]), abs=0
        )
    assert (out / "simulation.png").stat().st_size > 10_000
    assert "finished: 4 of 4" in (out / "run.log").read_text()


def test_empty_lasso_selection_is_a_counted_outcome(monkeypatch, tmp_path):
    import nenaudit.pipeline as pl
    from nenaudit.exceptions import FitFailure
    from nenaudit.simulate.replicate import run_replicate

    def empty(*a, **k):
        raise FitFailure("error", "LASSO-CV selected no feature at lambda.min")

    monkeypatch.setattr(pl, "run_pipeline", empty)
    row = run_replicate(SPEC, 0)
    assert row["status"] == "empty_selection" and row["metrics"]["auc_fusion"] is None
    assert row["details"]["n_lesions"] == 131


def test_two_local_workers_give_the_same_store(reference, tmp_path):
    run_simulation(SPEC, tmp_path / "j2", backend="local", jobs=2, quiet=True)
    assert keys(tmp_path / "j2") == keys(reference[0])


def test_dask_local_cluster_gives_the_same_store(reference, tmp_path):
    from nenaudit.cli import main

    assert main(cli_args(tmp_path / "dask", "--backend", "dask", "--jobs", "2")) == 0
    assert keys(tmp_path / "dask") == keys(reference[0])
    assert json.loads((tmp_path / "dask" / "summary.json").read_text()) == reference[1]


def test_killed_dask_worker_costs_only_its_replicate(reference, tmp_path):
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    killed = {}
    try:
        client = Client(cluster)
        pids = client.run(os.getpid)

        def kill_a_busy_worker(row):
            if killed:
                return
            for addr, tasks in client.processing().items():
                if tasks:
                    killed.update(pid=pids[addr], keys=list(tasks))
                    os.kill(pids[addr], signal.SIGKILL)
                    return

        run_simulation(
            SPEC,
            tmp_path / "k",
            backend="dask",
            scheduler=cluster.scheduler_address,
            quiet=True,
            on_row=kill_a_busy_worker,
        )
        client.close()
    finally:
        cluster.close()
    assert killed, "no worker was busy when the first replicate finished"
    with Store(tmp_path / "k", create=False) as s:
        rows = list(s.rows())
    assert [r["idx"] for r in rows] == list(range(M))  # every replicate, once
    assert keys(tmp_path / "k") == keys(reference[0])
    lost = [int(k.split("-")[2]) for k in killed["keys"]]
    assert all(
        rows[i]["worker"].split(":")[1] != str(killed["pid"]) for i in lost
    )  # re-run elsewhere


def test_sigterm_then_resume_gives_the_uninterrupted_store(reference, tmp_path, capsys):
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nenaudit", *cli_args(out, "--jobs", "1")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    db = out / STORE_NAME
    deadline = time.monotonic() + 300
    n = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.is_file():
            with sqlite3.connect(db) as c:
                try:
                    n = c.execute("SELECT COUNT(*) FROM replicates").fetchone()[0]
                except sqlite3.OperationalError:
                    n = 0
            if n >= 1:
                break
        time.sleep(0.2)
    assert proc.poll() is None and 1 <= n < M, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err.strip().splitlines()[-1] == "nenaudit: interrupted"
    log = (out / "run.log").read_text()
    assert "stopped by SIGTERM" in log and "--resume" in log
    assert not (out / "summary.json").exists()  # no summary of a run that did not finish
    partial = keys(out)
    ref = keys(reference[0])
    assert 1 <= len(partial) < M and all(k in ref for k in partial)  # complete rows only
    from nenaudit.cli import main

    assert (
        main(["simulate", "null", "--status", "--out", str(out)]) == 0
    )  # partial results, read only
    assert "run not finished" in capsys.readouterr().out and not (out / "summary.json").exists()
    assert main(["simulate", "null", "--status", "--json", "--out", str(out)]) == 0
    status = json.loads(
        capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}")
    )
    assert status["complete"] is False and status["finished"] == len(partial)
    assert main(cli_args(out, "--resume")) == 0
    assert keys(out) == keys(reference[0])
    assert "resumed" in (out / "run.log").read_text()


def test_ranges_name_the_unfinished_replicates():
    from nenaudit.simulate import ranges

    assert ranges([]) == "none"
    assert ranges([7, 0, 1, 2, 5, 8]) == "0-2, 5, 7-8"


def test_store_refuses_a_restart_and_another_spec(reference, tmp_path):
    from nenaudit.cli import main

    out = reference[0]
    with pytest.raises(NenauditError, match="--resume"):
        run_simulation(SPEC, out, quiet=True)
    other = SimulationSpec(**{**SPEC.to_dict(), "boot": B + 1, "scales": SPEC.scales})
    with pytest.raises(NenauditError, match="boot"):
        run_simulation(other, out, resume=True, quiet=True)
    with pytest.raises(NenauditError, match="no simulation.sqlite"):
        run_simulation(SPEC, tmp_path / "nothing", resume=True, quiet=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "summary.json").write_text("{}")
    assert main(cli_args(tmp_path / "mine")) == 2
    assert (tmp_path / "mine" / "summary.json").read_text() == "{}"  # never overwritten


def test_code_fingerprint_follows_the_code_and_not_the_caches(tmp_path):
    from nenaudit.simulate import code_fingerprint

    pkg = tmp_path / "pkg"
    (pkg / "sub" / "__pycache__").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "spec.json").write_text("{}")
    first = code_fingerprint(str(pkg))
    (pkg / "sub" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0compiled")
    (pkg / "notes.txt").write_text("not code")
    code_fingerprint.cache_clear()
    assert code_fingerprint(str(pkg)) == first  # compiled caches and other files do not count
    (pkg / "a.py").write_text("x = 2\n")
    code_fingerprint.cache_clear()
    assert code_fingerprint(str(pkg)) != first
    import shutil

    shutil.copytree(pkg, tmp_path / "copy")
    assert code_fingerprint(str(tmp_path / "copy")) == code_fingerprint(
        str(pkg)
    )  # content, not location


def test_resume_with_other_code_is_refused_in_one_line(reference, tmp_path, capsys):
    """The package version alone does not change when a checkout's code does: the store's build (version and
    code fingerprint) must match, or rows of two builds would mix."""
    import shutil

    from nenaudit.cli import main

    out = tmp_path / "older"
    shutil.copytree(reference[0], out)
    with Store(out, create=False) as s:
        s.set_meta("created_by", "0.1.0 (code 000000000000)")
    before = keys(out)
    assert main(cli_args(out, "--resume")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1
        and "started by nenaudit 0.1.0 (code 000000000000)" in err[0]
        and "--out" in err[0]
    )
    assert keys(out) == before


def test_a_row_computed_by_other_code_is_refused():
    from nenaudit.simulate import build_id, check_row_origin

    check_row_origin(
        {"idx": 3, "version": build_id(), "worker": "w1"}, build_id()
    )  # the same build: taken
    with pytest.raises(
        NenauditError,
        match=r"replicate 3 was computed on worker w1 by nenaudit 0\.0\.9 .*install "
        r"the same nenaudit on every worker",
    ):
        check_row_origin(
            {"idx": 3, "version": "0.0.9 (code 123456789abc)", "worker": "w1"}, build_id()
        )


def test_resume_of_a_finished_run_recomputes_nothing(reference, tmp_path):
    import shutil

    out = tmp_path / "again"
    shutil.copytree(reference[0], out)
    before = keys(out)
    s = run_simulation(SPEC, out, resume=True, quiet=True)
    assert keys(out) == before and s == reference[1]
    assert (
        "0 to run" in (out / "run.log").read_text().splitlines()[-2]
    )  # nothing recomputed (no timing asserted)


def test_a_scheme_refusing_the_full_data_is_a_counted_outcome(monkeypatch):
    import nenaudit.pipeline as pl
    from nenaudit.simulate.replicate import run_replicate

    def refuse(*a, **k):
        raise NenauditError(
            "the procedure fails on the full data (non_convergence: convergence for 86th lambda "
            "value not reached after maxit=100000 iterations)"
        )

    monkeypatch.setattr(pl, "run_pipeline", refuse)
    row = run_replicate(SPEC, 1)
    assert row["status"] == "non_convergence" and "86th lambda" in row["detail"]


def test_bad_cohort_is_refused_once_before_any_replicate(tmp_path, capsys):
    from nenaudit.cli import main

    bad = tmp_path / "bad"
    bad.mkdir()
    assert (
        main(["simulate", "null", "--cohort", str(bad), "--out", str(tmp_path / "o"), "--quiet"])
        == 2
    )
    assert "missing patients.csv" in capsys.readouterr().err


# --- stores of the three-engine nenaudit ----------------------------------------------------


@pytest.mark.parametrize("engine", [None, "fortran", "rust", "numba"])
def test_a_store_of_the_engine_era_is_refused_on_resume_in_one_line(reference, tmp_path, engine):
    """A store of format 1 was made while nenaudit had three LASSO engines (its spec names the engine, or
    none: the Fortran). --resume refuses it in one line naming the build and the engine, and says to start
    a new store; the store is left as it was. --status still reads it."""
    import shutil

    out = tmp_path / "old"
    shutil.copytree(reference[0], out)
    with Store(out, create=False) as s:
        spec = s.spec()
        assert "engine" not in spec  # the one engine is not an option: this nenaudit records none
        if engine is not None:
            spec["engine"] = engine
        s.set_meta("spec", json.dumps(spec))
        s.set_meta("format", "nenaudit simulation store 1")
        s.set_meta("created_by", "0.1.0 (code 0123456789ab)")
    before = keys(out)
    r = nenaudit(*cli_args(out, "--resume"))
    assert r.returncode == 2, r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in r.stderr, r.stderr
    named = "fortran (python-glmnet; the store names none)" if engine is None else repr(engine)
    assert f"made by nenaudit 0.1.0 (code 0123456789ab) with the LASSO engine {named}" in err[0], (
        err[0]
    )
    assert "start a new store (choose another --out, without --resume)" in err[0]
    assert keys(out) == before
    status = nenaudit(*cli_args(out, "--status", "--json"))
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["finished"] == M


def test_engine_is_no_option_of_simulate(tmp_path):
    r = nenaudit(*cli_args(tmp_path / "x", "--engine", "numba"))
    assert r.returncode == 2 and "unrecognized arguments: --engine numba" in r.stderr
