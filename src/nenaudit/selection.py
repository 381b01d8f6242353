"""The paper's feature-selection chain and the published Radscore: orchestration above :mod:`nenaudit.stats`.

* :func:`select_features`: ICC filter -> z-score -> Spearman filter -> LASSO-CV -> Radscore on a
  lesion x feature table, recording what each step removed (Feng et al. 2025, sections
  2.3-2.4). Every number comes from :mod:`nenaudit.stats.features` and
  :mod:`nenaudit.stats.lasso`; this module only chains them (it was ``stats.features`` before
  issue 12: the statistics do not orchestrate each other, so there is no import circle).
* :func:`radscore_from_published`: a Radscore formula as the paper prints it, its feature names
  resolved to pyradiomics keys by :mod:`nenaudit.radiomics.catalogue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import NenauditError
from nenaudit.radiomics.catalogue import parse_published_name
from nenaudit.stats.features import (
    CorrelationFilter,
    ICCFilter,
    Screen,
    ZScore,
    as_matrix,
    fit_zscore,
    icc_filter,
    icc_filter_from_values,
    screen_features,
    spearman_filter,
)
from nenaudit.stats.lasso import RadscoreFormula, cv_lasso, radscore_formula
from nenaudit.stats.result import Result

__all__ = ["SelectionConfig", "Selection", "select_features", "IccMemo", "radscore_from_published"]


@dataclass(frozen=True)
class SelectionConfig(Result):
    """Choices of the selection chain (defaults: the paper's values, the stated conventions)."""

    icc_threshold: float = 0.75
    icc_form: str = "ICC2"
    zscore_ddof: int = 1
    spearman_cutoff: float = 0.9
    spearman_exact: bool | None = None
    nfolds: int = 10
    seed: int | None = 1
    measure: str = "deviance"
    which: str = "min"
    n_jobs: int | None = (
        None  # threads of cv_lasso's K + 1 fits (None: all CPUs); results do not depend on it
    )


@dataclass(frozen=True)
class Selection(Result):
    """What each step of the chain kept and removed, the lasso fit and the Radscore."""

    config: SelectionConfig
    n_input: int
    screen: Screen
    icc: ICCFilter | None
    zscore: ZScore
    correlation: CorrelationFilter
    lasso: Any  # LassoCV
    radscore: Any  # RadscoreFormula
    selected: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A compact JSON-ready account: counts and names removed at each step."""
        return {
            "n_input": self.n_input,
            "removed_nonfinite": list(self.screen.nonfinite),
            "removed_constant": list(self.screen.constant),
            "removed_icc": {} if self.icc is None else dict(self.icc.reasons),
            "removed_correlation": list(self.correlation.dropped),
            "n_after_filters": len(self.correlation.kept),
            "lambda_min": self.lasso.lambda_min,
            "lambda_1se": self.lasso.lambda_1se,
            "which": self.config.which,
            "selected": list(self.selected),
            "radscore": {
                "intercept": self.radscore.intercept,
                "coefficients": dict(self.radscore.coefficients),
            },
            "config": self.config.to_dict(),
            "warnings": list(self.lasso.warnings),
        }


class IccMemo:
    """The last ICC filter computed from precomputed values, kept for the next call of
    :func:`select_features` that passes this memo.

    A bootstrap of the pipeline calls ``select_features`` in every resample with the same ICC values
    (they come from the full reliability subset) and, as a rule, the same screened features: the
    filter is then the same, and this memo gives it back instead of recomputing it. It is made by
    the caller that owns the resamples (:class:`nenaudit.pipeline.PaperProcedure` holds one) and
    passed down; a hit needs equal values, features, threshold and form, so it never changes a
    number. The values are copied, so a mapping changed in place is not mistaken for the old one.
    """

    def __init__(self) -> None:
        self.entry: tuple[dict, tuple, ICCFilter] | None = None

    def icc_filter(
        self,
        kept: list[str],
        names: tuple[str, ...],
        icc_values: Mapping[str, Any],
        cfg: SelectionConfig,
    ) -> ICCFilter:
        """:func:`~nenaudit.stats.features.icc_filter_from_values` of ``kept``, from the memo when it holds it."""
        key = (tuple(kept), tuple(names), float(cfg.icc_threshold), cfg.icc_form)
        plain = all(isinstance(v, Mapping) for v in icc_values.values())
        hit = self.entry
        if plain and hit is not None and hit[1] == key and hit[0] == icc_values:
            return hit[2]  # a bootstrap resample: the same ICC values and screened features
        res = _icc_filter_values(kept, names, icc_values, cfg)
        if plain:
            self.entry = ({d: dict(v) for d, v in icc_values.items()}, key, res)
        return res


def _icc_filter_values(
    kept: list[str], names: tuple[str, ...], icc_values: Mapping[str, Any], cfg: SelectionConfig
) -> ICCFilter:
    """The ICC filter of ``kept`` from precomputed values (mappings ``feature -> ICC``, Series, or arrays
    in the order of ``names``)."""
    vals = {
        d: (
            v
            if isinstance(v, Mapping) or hasattr(v, "loc")
            else dict(zip(names, np.asarray(v, float)))
        )
        for d, v in icc_values.items()
    }
    return icc_filter_from_values(kept, vals, threshold=cfg.icc_threshold, form=cfg.icc_form)


def select_features(
    features: Any,
    outcome: Any,
    *,
    readings: Mapping[str, tuple[Any, Any]] | None = None,
    icc_values: Mapping[str, Any] | None = None,
    foldid: Any = None,
    config: SelectionConfig | None = None,
    icc_memo: IccMemo | None = None,
) -> Selection:
    """The paper's selection chain on a lesion x feature table.

    1. drop non-finite and constant features (listed);
    2. ICC filter from repeated ``readings`` (see :func:`icc_filter`) or precomputed
       ``icc_values``; skipped when neither is given (recorded as ``icc=None``); with
       ``icc_memo`` (:class:`IccMemo`) a filter from values is reused across calls;
    3. z-score fitted on these rows (:func:`fit_zscore`);
    4. Spearman redundancy filter (:func:`spearman_filter`);
    5. ``cv_lasso`` on the kept z-scored features (``foldid`` or ``nfolds`` + ``seed``);
    6. Radscore = linear predictor at lambda.min (or lambda.1se, ``config.which``).

    R: the same chain is ``reference_r/pipeline.R`` (``scale``, ``cor(method = "spearman")``,
    ``caret::findCorrelation``, ``cv.glmnet``). Reference: Feng et al. 2025, sections 2.3-2.4,
    doi:10.3389/fonc.2025.1628054.
    """
    cfg = config or SelectionConfig()
    A, names = as_matrix(features, None, "features")
    col = {n: j for j, n in enumerate(names)}
    screen = screen_features(A, names)
    kept = list(screen.kept)
    icc_res = None
    if readings is not None:

        def frame(t: Any) -> pd.DataFrame:  # arrays carry the feature table's column order
            return (
                t
                if hasattr(t, "columns")
                else pd.DataFrame(np.asarray(t, dtype=float), columns=list(names))
            )

        sub = {d: (frame(a)[kept], frame(b)[kept]) for d, (a, b) in readings.items()}
        icc_res = icc_filter(sub, threshold=cfg.icc_threshold, form=cfg.icc_form)
        kept = list(icc_res.kept)
    elif icc_values is not None:
        icc_res = (
            icc_memo.icc_filter(kept, names, icc_values, cfg)
            if icc_memo is not None
            else _icc_filter_values(kept, names, icc_values, cfg)
        )
        kept = list(icc_res.kept)
    if len(kept) < 2:
        raise NenauditError(
            f"only {len(kept)} feature(s) left after the ICC filter; the lasso needs at least 2"
        )
    # plain arrays from here on (the same arithmetic as through DataFrames, without their overhead)
    Ak = A[:, [col[n] for n in kept]]
    z = fit_zscore(Ak, ddof=cfg.zscore_ddof, names=kept)
    Z = z.transform(Ak)
    corr = spearman_filter(Z, cutoff=cfg.spearman_cutoff, exact=cfg.spearman_exact, names=kept)
    zcol = {n: j for j, n in enumerate(kept)}
    kept = list(corr.kept)
    if len(kept) < 2:
        raise NenauditError(
            f"only {len(kept)} feature(s) left after the Spearman filter; the lasso needs at least 2"
        )
    cv = cv_lasso(
        Z[:, [zcol[n] for n in kept]],
        outcome,
        foldid=foldid,
        nfolds=cfg.nfolds,
        seed=cfg.seed,
        measure=cfg.measure,
        feature_names=kept,
        n_jobs=cfg.n_jobs,
    )
    rs = radscore_formula(cv, cfg.which)
    return Selection(
        config=cfg,
        n_input=len(names),
        screen=screen,
        icc=icc_res,
        zscore=z,
        correlation=corr,
        lasso=cv,
        radscore=rs,
        selected=tuple(cv.selected(cfg.which)),
    )


def radscore_from_published(
    terms: Any,
    *,
    intercept: float | str | None = None,
    resolve_names: bool = True,
    source: str = "published",
) -> RadscoreFormula:
    """A Radscore formula as a paper prints it, ready to apply to a pyradiomics feature table.

    ``terms`` is a list of ``{"feature": name, "coefficient": "-0.429"}`` (the study spec's
    ``radiomics.radscore.terms``) or a mapping ``name -> coefficient``. With
    ``resolve_names`` each published name (``Wavelet_LLH_Imc1``) is mapped to its pyradiomics
    key (``wavelet-LLH_glcm_Imc1``) by :func:`nenaudit.radiomics.catalogue.parse_published_name`;
    a name that does not resolve to one feature is kept as printed and listed in
    ``unresolved`` (applying the formula then names it as a missing column).
    """
    if isinstance(terms, Mapping):
        pairs = list(terms.items())
    else:
        try:
            pairs = [(t["feature"], t["coefficient"]) for t in terms]
        except (TypeError, KeyError):
            raise NenauditError(
                "terms: expected {name: coefficient} or a list of {feature, coefficient}"
            ) from None
    coefs: dict[str, float] = {}
    unresolved: list[str] = []
    for name, c in pairs:
        try:
            value = float(c)
        except (TypeError, ValueError):
            raise NenauditError(f"coefficient of {name!r}: {c!r} is not a number") from None
        key = str(name)
        if resolve_names:
            parsed = parse_published_name(str(name))
            if parsed.key:
                key = parsed.key
            else:
                unresolved.append(str(name))
        if key in coefs:
            raise NenauditError(f"the formula names feature {key!r} twice")
        coefs[key] = value
    a0 = None
    if intercept is not None:
        try:
            a0 = float(intercept)
        except (TypeError, ValueError):
            raise NenauditError(f"intercept: {intercept!r} is not a number") from None
    return RadscoreFormula(
        coefficients=coefs, intercept=a0, source=source, unresolved=tuple(unresolved)
    )
