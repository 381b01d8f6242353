"""Shared fixtures. R parity tests skip only where R is absent and CI is not set."""

from __future__ import annotations

import os

import pytest

from nenaudit.parity import rbridge


@pytest.fixture(scope="session")
def R():
    """The embedded R session; a missing R is a failure under CI, a skip elsewhere."""
    if not rbridge.r_available():
        if os.environ.get("CI"):
            pytest.fail("R parity tests need R and rpy2, and CI is set: run `make setup`")
        pytest.skip("R or rpy2 not available (allowed only outside CI)")
    return rbridge


@pytest.fixture(autouse=True)
def keep_the_locale():
    """Restore the process locale after each test.

    Importing SimpleITK/pyradiomics (tests/test_radiomics_extract.py) resets LC_CTYPE to "C", so
    that later ``subprocess.run(..., text=True)`` calls decode a child's UTF-8 output as ASCII.
    """
    import locale

    saved = {cat: locale.setlocale(cat) for cat in (locale.LC_CTYPE, locale.LC_NUMERIC)}
    yield
    for cat, value in saved.items():
        if locale.setlocale(cat) != value:
            locale.setlocale(cat, value)
