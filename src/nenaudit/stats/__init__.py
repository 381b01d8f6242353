"""Pure numerics: arrays in, frozen result dataclasses out. No I/O, no plotting."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.stats.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
