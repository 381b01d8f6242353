"""glmnet's own Fortran ``lognet`` (python-glmnet) as an independent oracle of the LASSO in the tests.

nenaudit's solver is :mod:`nenaudit.stats._lognet` (glmnet's iterations, written here and compiled by
numba). python-glmnet ships glmnet's Fortran core compiled; it is not a dependency of nenaudit, only of
the ``test`` extra. Only its compiled extension ``glmnet._glmnet`` is loaded (its ``__init__`` imports
scikit-learn for estimator classes not used here), and ``lognet`` is called with the arguments R's
``glmnet()``/``lognet()`` pass: ``ne = nvars + 1``, ``nx = nvars``, unit penalty factors, bounds of
+-9.9e35, ``isd = 1``, ``intr = 1``, ``kopt = 0``, the response as R builds it (column 1 = class "1",
column 2 = class "0"), and the first lambda of a default grid repaired as ``glmnet:::fix.lam``.

Missing python-glmnet is a failure under CI and a skip elsewhere, as a missing R is (tests/conftest.py).
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import math
import os
from pathlib import Path

import numpy as np
import pytest

_BIG = 9.9e35  # glmnet.control()$big


@functools.lru_cache(maxsize=1)
def _load():
    spec = importlib.util.find_spec("glmnet")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        for so in sorted(Path(loc).glob("_glmnet*")):
            if not any(so.name.endswith(sfx) for sfx in importlib.machinery.EXTENSION_SUFFIXES):
                continue
            loader = importlib.machinery.ExtensionFileLoader("glmnet._glmnet", str(so))
            mspec = importlib.util.spec_from_loader("glmnet._glmnet", loader)
            mod = importlib.util.module_from_spec(mspec)
            loader.exec_module(mod)
            return mod.lognet
    return None


def lognet():
    """glmnet's Fortran ``lognet``; fails under CI and skips elsewhere when python-glmnet is absent."""
    fn = _load()
    if fn is None:
        if os.environ.get("CI"):
            pytest.fail(
                "the LASSO oracle needs python-glmnet (the test extra), and CI is set: pip install -e '.[test]'"
            )
        pytest.skip(
            "python-glmnet (the LASSO oracle of the test extra) is not installed (allowed only outside CI)"
        )
    return fn


def fortran_path(
    X,
    y,
    *,
    lambdas=None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    thresh: float = 1e-7,
    maxit: int = 100_000,
) -> dict:
    """``glmnet(x, y, family = "binomial")`` by glmnet's Fortran: lambdas, intercept, coef (L, p) on the
    features' scale, dev_ratio, nulldev, npasses and the solver's error code ``jerr``."""
    fn = lognet()
    x = np.array(X, dtype=float, order="F", copy=True)  # the solver overwrites it
    y = np.asarray(y, dtype=float)
    n, p = x.shape
    yy = np.empty((n, 2), dtype=float, order="F")
    yy[:, 0] = y  # R's lognet: y = diag(2)[factor(y), ][, c(2, 1)]
    yy[:, 1] = 1.0 - y
    offset = np.zeros((n, 2), dtype=float, order="F")
    cl = np.empty((2, p), dtype=float, order="F")
    cl[0], cl[1] = -_BIG, _BIG
    if lambdas is None:
        flmin = (0.01 if n < p else 1e-4) if lambda_min_ratio is None else float(lambda_min_ratio)
        ulam, nlam = np.zeros(nlambda, dtype=float), nlambda
    else:
        flmin = 1.0
        ulam = np.ascontiguousarray(np.sort(np.asarray(lambdas, dtype=float))[::-1])
        nlam = ulam.size
    lmu, a0, ca, ia, nin, dev0, dev, alm, nlp, jerr = fn(
        1.0,
        1,
        x,
        yy,
        offset,
        np.zeros(1, dtype=np.int32),
        np.ones(p),
        cl,
        p,
        flmin,
        ulam,
        float(thresh),
        ne=p + 1,
        nlam=nlam,
        isd=1,
        intr=1,
        maxit=int(maxit),
        kopt=0,
    )
    lmu = int(lmu)
    coef = np.zeros((lmu, p), dtype=float)
    for l in range(lmu):
        k = int(nin[l])
        if k:
            coef[l, ia[:k] - 1] = ca[:k, 0, l]
    lam = np.array(alm[:lmu], dtype=float)
    if lambdas is None and lmu > 2:  # glmnet:::fix.lam
        llam = np.log(lam)
        lam[0] = math.exp(2.0 * llam[1] - llam[2])
    return {
        "lambdas": lam,
        "intercept": np.array(a0[0, :lmu], dtype=float),
        "coef": coef,
        "dev_ratio": np.array(dev[:lmu], dtype=float),
        "nulldev": float(dev0[0]),
        "npasses": int(nlp),
        "jerr": int(jerr),
    }
