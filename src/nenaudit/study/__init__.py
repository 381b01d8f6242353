"""Published numbers as data: the study spec schema, its loader and the embedded default spec."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.study.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
