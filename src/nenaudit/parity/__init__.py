"""The same step in Python and in R (rpy2): the bridge, the step registry and the crosscheck of a cohort."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.parity.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
