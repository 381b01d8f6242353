"""nenaudit simulate family and n-sweep on fresh synthetic cohorts (one tiny replicate each)."""

from __future__ import annotations

import json

import pytest

from nenaudit.simulate import SimulationSpec
from nenaudit.simulate.replicate import build_cohort
from nenaudit.simulate.seeds import replicate_seeds
from nenaudit.simulate.store import Store


def test_family_cohorts_are_the_generator_output_unpermuted(monkeypatch):
    """family: the faithful generator's cohort as it is; null: the same cohort with its features permuted."""
    import nenaudit.simulate.replicate as rep
    from nenaudit.cohort import load_cohort

    base = load_cohort(None)
    asked = []

    def fake(study, seed, *, faithful):
        asked.append((seed, faithful))
        return base

    monkeypatch.setattr(rep, "synthetic_cohort", fake)
    fam = SimulationSpec(mode="family", cohorts=3, boot=2, signal="faithful")
    got, seeds = build_cohort(fam, 2)
    assert seeds == replicate_seeds(fam.seed, 2) and asked == [(seeds.cohort[0], True)]
    assert got is base
    nul, _ = build_cohort(SimulationSpec(mode="null", cohorts=3, boot=2), 2)
    assert asked[-1] == (seeds.cohort[0], False)  # the same cohort seed, the generator's quick mode
    assert not nul.features.equals(base.features) and nul.lesions.equals(base.lesions)


def test_n_sweep_scales_the_design_and_summarises_each_scale(tmp_path):
    from nenaudit.cli import main

    out = tmp_path / "sweep"
    from nenaudit.cohort import load_cohort

    rc = main(
        [
            "simulate",
            "n-sweep",
            "--cohorts",
            "1",
            "--scales",
            "2",
            "--boot",
            "2",
            "--max-features",
            "30",
            "--seed",
            "3",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    one = load_cohort(None)  # a synthetic cohort of the design at its own size
    s = json.loads((out / "summary.json").read_text())
    assert [v["n_lesions"] for v in s["scales"].values()] == [2 * len(one.lesions)]
    with Store(out, create=False) as st:
        rows = list(st.rows())
    assert [(r["idx"], r["scale"]) for r in rows] == [(0, 2)]
    assert rows[0]["details"]["n_events"] == 2 * int(one.outcome.sum())  # same prevalence
    assert (out / "simulation.png").is_file()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["null", "--cohorts", "0"], "--cohorts"),
        (["null", "--boot", "0"], "--boot"),
        (["n-sweep", "--scales", "2,x"], "--scales"),
        (["n-sweep", "--scales", "2,2"], "--scales"),
        (["null", "--jobs", "0"], "--jobs"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, args, needle):
    from nenaudit.cli import main

    assert main(["simulate", *args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert not (tmp_path / "x").exists()
