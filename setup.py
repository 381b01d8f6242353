"""Only what pyproject.toml cannot say: ``reference_r/`` (top level, R's side of every parity test) is also
the package ``nenaudit.reference_r``, so that a wheel ships the R scripts as package data
(found through importlib.resources by ``nenaudit.parity.rbridge``)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "nenaudit.reference_r"],
    package_dir={"": "src", "nenaudit.reference_r": "reference_r"},
)
