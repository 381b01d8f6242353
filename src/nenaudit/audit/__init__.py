"""Checks of a paper's printed numbers against each other: each check a function ``(Study) -> list[Finding]``;
:func:`nenaudit.audit.run.run_audit` runs them all."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.audit.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
