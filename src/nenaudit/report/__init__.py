"""Tables, figures and the HTML/Markdown reproduction report; the audit report."""

import pkgutil as _pkgutil

# the package's public modules (import them by name: ``import nenaudit.report.NAME``)
__all__ = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
