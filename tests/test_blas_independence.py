"""Same seed -> same bytes under any BLAS kernel and CPU (issue 20).

OpenBLAS picks its kernel, hence its summation order, by CPU; ``OPENBLAS_CORETYPE`` forces one, so
one machine can run the kernels of older and newer CPUs (numpy and scipy each bundle an OpenBLAS;
both read it). ``NPY_DISABLE_CPU_FEATURES`` switches numpy's AVX-512 loops (exp, log, power) off, as
on a CPU without AVX-512 (and its AVX2 loops, as on a Sandy Bridge). Each setting runs in its own
process the small-budget generator (stages A, B
and C and the evaluation, whose pipeline validation runs every scheme), a short ``simulate null`` and
``validate --json`` of the committed cohort, and the bytes must be the same. A second test plants the
old BLAS-dependent decision back (the searches' losses compared unrounded, the fits in the rows'
order) and checks that the first test's comparison catches it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# one process: synth (small budget, evaluated), simulate null (2 cohorts) and validate --json (two schemes);
# prints {output: sha256}. NENAUDIT_TEST_PLANT=1 puts back the decision issue 20 found (see the module docstring).
SCRIPT = r"""
import contextlib, hashlib, io, json, os, sys, tempfile
import numpy
from nenaudit.synth import faithful as fa, generate

if os.environ.get("NENAUDIT_TEST_PLANT") == "1":
    class _RowOrder:  # np for faithful.py, whose lexsort keeps the rows' order: no canonical order
        def __getattr__(self, k):
            return getattr(numpy, k)
        def lexsort(self, keys):
            return numpy.arange(len(keys[0]))
    fa.np = _RowOrder()
    fa.settle = float  # losses compared to the last bit
out = {}
sha = lambda t: hashlib.sha256(t if isinstance(t, bytes) else t.encode()).hexdigest()
c = generate(None, int(sys.argv[1]), budget={"a": 200, "b": 2, "c": 200, "boot": 3, "retries": 0},
             evaluate_results=sys.argv[2] == "full")
out.update({"synth/" + k: sha(v) for k, v in c.files.items()})
if sys.argv[2] == "full":
    from nenaudit.cli import main
    from nenaudit.cohort import default_cohort_path
    from nenaudit.simulate import SimulationSpec, run_simulation
    from nenaudit.simulate.store import Store
    with tempfile.TemporaryDirectory() as tmp:
        spec = SimulationSpec(mode="null", cohorts=2, boot=3, seed=7, cohort=str(default_cohort_path()),
                              max_features=40)
        run_simulation(spec, tmp, quiet=True)
        with Store(tmp, create=False) as st:
            rows = [{k: v for k, v in r.items() if k not in ("seconds", "finished_utc", "worker")} for r in st.rows()]
        out["simulate/store"] = sha(json.dumps(rows, sort_keys=True))
        out["simulate/summary.json"] = sha(open(os.path.join(tmp, "summary.json"), "rb").read())
    for scheme, boot in (("harrell", "20"), ("cluster", "20")):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = main(["validate", "--scheme", scheme, "--boot", boot, "--json"])
        out[f"validate/{scheme}"] = sha(buf.getvalue()) if rc == 0 else f"exit {rc}"
print(json.dumps(out))
"""


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def settings() -> list[tuple[str, dict[str, str]]]:
    """(label, environment) of each kernel/CPU setting this machine can run."""
    flags = cpu_flags()
    avx512 = "avx512f" in flags
    # on an AVX-512 CPU, numpy's loops of the newer levels are switched off as the emulated CPU lacks them
    # (numpy's own baseline, SSE4.2, stays: numpy does not run on a Prescott)
    out = [
        ("Prescott", {"OPENBLAS_CORETYPE": "Prescott"}),
        (
            "Sandybridge",
            {"OPENBLAS_CORETYPE": "Sandybridge"}
            | (
                {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"}
                if avx512
                else {}
            ),
        ),
    ]
    if {"avx2", "fma"} <= flags:
        out.append(
            (
                "Haswell",
                {"OPENBLAS_CORETYPE": "Haswell"}
                | ({"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"} if avx512 else {}),
            )
        )
    if avx512:
        out.append(("SkylakeX", {"OPENBLAS_CORETYPE": "SkylakeX"}))
    return out


def run(env_extra: dict[str, str], seed: int, what: str, plant: bool = False) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NENAUDIT_TEST_PLANT")
    }
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["OPENBLAS_NUM_THREADS"] = "1"
    if plant:
        env["NENAUDIT_TEST_PLANT"] = "1"
    p = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(seed), what],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_same_bytes_under_every_blas_kernel():
    """synth (stages A, B, C, evaluation), simulate null and validate --json: the same bytes under every
    setting of :func:`settings` (at least Prescott, Sandybridge and Haswell on any AVX2 CPU)."""
    runs = {label: run(env, 7, "full") for label, env in settings()}
    assert len(runs) >= 3 or not {"avx2", "fma"} <= cpu_flags()
    first, *rest = runs
    assert len(runs[first]) == 9  # 5 synth files, the store, the summary, 2 validations
    for label in rest:
        differ = sorted(k for k in runs[first] if runs[label][k] != runs[first][k])
        assert not differ, f"{label} vs {first}: {differ} differ"


@pytest.mark.skipif(
    not {"avx2", "fma"} <= cpu_flags(), reason="needs a CPU that runs OpenBLAS's Haswell kernel"
)
def test_planted_blas_dependent_decision_is_caught():
    """The same comparison, with the searches' losses compared to the last bit and fitted in the rows' order
    (the code before issue 20): Prescott and Haswell give different cohorts, so the test above can fail."""
    a = run({"OPENBLAS_CORETYPE": "Prescott"}, 7, "synth", plant=True)
    b = run({"OPENBLAS_CORETYPE": "Haswell"}, 7, "synth", plant=True)
    assert a != b  # (without the plant, the test above shows that these two kernels agree)
