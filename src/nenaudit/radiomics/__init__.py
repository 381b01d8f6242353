"""What pyradiomics extracts: the feature catalogue used to check a paper's feature counts and names."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.radiomics.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
