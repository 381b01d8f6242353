"""The lane sums of the lasso kernel (stats/_lognet.py): the same bits on every CPU.

The kernel's inner products are summed in a fixed number of lanes written as one LLVM vector (see the
comment above ``_lane_codegen``). These tests re-implement that order in plain Python floats and demand
the same bits, check the elementwise updates against numpy, and compile the kernel afresh for other CPU
models (``NUMBA_CPU_NAME``: generic x86-64 with SSE2 only, and Haswell, AVX2 without AVX-512) in a
subprocess that must return the host's paths bit for bit. Agreement of the paths with glmnet's Fortran
and with R is tests/test_lasso.py's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nenaudit.stats import _lognet

SIZES = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 64, 117, 118, 119, 131, 1000]


def lanes_sum(terms, width: int) -> float:
    """The kernel's order in Python floats: term i to lane i mod width over the whole blocks, the rest
    to lane 0 in order, then the fixed tree of lane additions."""
    n = len(terms)
    full = n - n % width
    lane = [0.0] * width
    for i in range(full):
        lane[i % width] += terms[i]
    for i in range(full, n):
        lane[0] += terms[i]
    if width == 8:
        return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + (
            (lane[2] + lane[6]) + (lane[3] + lane[7])
        )
    return (lane[0] + lane[1]) + (lane[2] + lane[3])


def _vectors(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Values over 30 orders of magnitude and both signs: any change of summation order shows."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-15, 15, n)
    b = rng.standard_normal(n) * 10.0 ** rng.integers(-15, 15, n)
    return a, b


@pytest.mark.parametrize("n", SIZES)
def test_lane_sums_are_the_written_order_bit_for_bit(n):
    for seed in range(5):
        a, b = _vectors(n, seed)
        dot = _lognet.dot8(a, b, n)
        assert dot == lanes_sum([float(x) * float(y) for x, y in zip(a, b)], 8)
        assert _lognet.sum8(a, n) == lanes_sum([float(x) for x in a], 8)
        w = np.abs(a)
        assert _lognet.wdot2(w, b, n) == lanes_sum(
            [float(v) * (float(x) * float(x)) for v, x in zip(w, b)], 4
        )


@pytest.mark.parametrize("n", [16, 118, 1000])
def test_the_lane_order_is_not_the_plain_order(n):
    """The data above tell the orders apart (else the bit-for-bit test could not fail): the kernel's
    sums differ from the left-to-right sum for some of them."""
    differs = 0
    for seed in range(5):
        a, b = _vectors(n, seed)
        plain = 0.0
        for x, y in zip(a, b):
            plain += float(x) * float(y)
        differs += _lognet.dot8(a, b, n) != plain
    assert differs > 0


def test_lane_sums_use_only_the_first_n_elements():
    a, b = _vectors(40, 7)
    for n in (0, 9, 33):
        assert _lognet.dot8(a, b, n) == lanes_sum(
            [float(x) * float(y) for x, y in zip(a[:n], b[:n])], 8
        )
        assert _lognet.sum8(a, n) == lanes_sum([float(x) for x in a[:n]], 8)


@pytest.mark.parametrize("n", SIZES)
def test_elementwise_updates_match_numpy(n):
    rng = np.random.default_rng(n)
    r, v, x = (rng.standard_normal(n + 3) for _ in range(3))
    d = float(rng.standard_normal())
    got = r.copy()
    _lognet.residual_update(got, d, v, x, n)
    want = r.copy()
    want[:n] = r[:n] - (d * v[:n]) * x[:n]
    assert np.array_equal(got, want)  # the 3 elements past n untouched
    got = r.copy()
    _lognet.scaled_sub(got, d, v, n)
    want = r.copy()
    want[:n] = r[:n] - d * v[:n]
    assert np.array_equal(got, want)
    got = r.copy()
    _lognet.axpy(got, d, x, n)
    want = r.copy()
    want[:n] = r[:n] + d * x[:n]
    assert np.array_equal(got, want)


_CHILD = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from nenaudit.stats._lognet import lognet_path
    out = []
    for n, p, seed in json.loads(sys.argv[1]):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p)) * rng.lognormal(0, 2, p)
        y = (rng.random(n) < 0.3).astype(float)
        y[:2] = [0.0, 1.0]
        X[:, :4] += np.outer(y, rng.uniform(-1, 1, 4))
        lam, a0, coef, dev, nulldev, nlp, jerr = lognet_path(
            np.ascontiguousarray(X.T), y, flmin=0.01 if n < p else 1e-4, ulam=None, nlam=100,
            thresh=1e-7, maxit=100000,
        )
        out.append([a.tobytes().hex() for a in (lam, a0, coef, dev)] + [nulldev.hex(), nlp, jerr])
    print(json.dumps(out))
    """
)
_SHAPES = [[131, 60, 1], [118, 60, 2], [131, 200, 3], [37, 9, 4]]


def _paths(env_extra: dict[str, str], cache: str) -> list:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, **env_extra)
    p = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(_SHAPES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("cpu", ["generic", "haswell"])
def test_paths_are_the_same_bits_compiled_for_another_cpu(cpu, tmp_path):
    """The kernel compiled for another CPU model (fresh cache) gives the host's paths bit for bit."""
    host = _paths({}, str(tmp_path / "host"))
    other = _paths({"NUMBA_CPU_NAME": cpu, "NUMBA_CPU_FEATURES": ""}, str(tmp_path / cpu))
    assert other == host
