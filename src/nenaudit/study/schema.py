"""Load and validate a study spec: the published numbers of one paper, as printed.

A spec is a JSON file (see ``feng2025.json``). Every printed value is kept as the
string the paper printed, and parsed here into a :class:`Printed` that remembers its
precision (decimals), a comparator (``<0.001``), trailing marks (``0.005*``) and
whether it was malformed (``0.00s0*``). Structural errors (missing field, wrong type,
a count cell that is not ``n (pct)``) raise :class:`~nenaudit.exceptions.SpecError`
naming the field path; malformed p-values and estimates are kept and audited.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from nenaudit.exceptions import NenauditError, SpecError
from nenaudit.radiomics.catalogue import load_catalogue  # it knows pyradiomics' image types
from nenaudit.study.pipeline_spec import parse_pipeline

__all__ = [
    "Printed",
    "parse_number",
    "parse_p",
    "CountPct",
    "MeanSD",
    "MedianIQR",
    "Interval",
    "EstimateCI",
    "parse_count_pct",
    "parse_mean_sd",
    "parse_median_iqr",
    "parse_interval",
    "parse_estimate_ci",
    "table_label",
    "Fact",
    "Group",
    "Level",
    "Row",
    "Table",
    "RegressionRow",
    "Regression",
    "AUCEntry",
    "StatedCount",
    "TextValue",
    "Claim",
    "Study",
    "validate",
    "load",
    "MedianRange",
    "parse_median_range",
    "RegressionLevel",
    "Cohort",
    "Diagnostic",
    "Calibration",
    "TESTS",
    "KINDS_V2",
    "SPEC_VERSIONS",
    "json_schema",
    "check_against_schema",
    "TestStatistic",
    "parse_statistic",
    "STATISTICS",
    "PERCENT_OF",
    "REGRESSION_KINDS",
]


DEFAULT_STUDY = "feng2025"
_NUM = r"[-+−]?(?:\d+(?:\.\d*)?|\.\d+)"
_DASH = r"\s*(?:–|—|-|to)\s*"


# --------------------------------------------------------------------- printed values
@dataclass(frozen=True)
class Printed:
    """One number as printed: its text, value, decimals, comparator and marks."""

    raw: str
    value: float | None
    decimals: int | None
    comparator: str = "="
    mark: str = ""
    malformed: bool = False
    impossible: bool = (
        False  # a p-value outside [0, 1] (``1.2``, ``-0.01``, ``>1.000``): malformed too
    )

    @property
    def half_unit(self) -> float:
        """Half a unit in the last printed place: the rounding interval's half-width."""
        return 0.5 * 10.0 ** (-(self.decimals or 0))

    def agrees(self, x: float) -> bool:
        """True when ``x`` rounds to this printed value at its printed precision.

        ``<0.001`` agrees with any x < 0.001 (and with x that rounds to 0.001 from below).
        A tiny slack (1e-9 of a unit) absorbs binary representation of the printed value.
        """
        if self.value is None or x is None:
            return False
        slack = 1e-9 * 10.0 ** (-(self.decimals or 0))
        if self.comparator == "<":
            return x < self.value + slack
        if self.comparator == ">":
            return x > self.value - slack
        return abs(x - self.value) <= self.half_unit + slack

    def to_dict(self) -> str:
        return self.raw


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def _decimals(text: str) -> int:
    t = text.strip().lstrip("+-−<>=≤≥ ")
    return len(t.split(".", 1)[1]) if "." in t else 0


def parse_number(text: str) -> Printed:
    """A plain printed number (``0.928``, ``62``); malformed text keeps value None."""
    t = text.strip()
    if re.fullmatch(_NUM, t):
        return Printed(t, _num(t), _decimals(t))
    return Printed(t, None, None, malformed=True)


#: scientific notation as papers print it: ``5.87 × 10−5``, ``5.87 x 10^-5``, ``5.87 * 10^-5``, ``5.87E-05``
_SCI = re.compile(
    r"("
    + _NUM
    + r")\s*(?:(?:×|x|\*|·)\s*10\s*\^?\s*\(?\s*([-+−–]?\s*\d+)\s*\)?|[eE]\s*([-+−–]?\d+))"
)


def _sci(text: str) -> tuple[float, int] | None:
    """``(value, decimals)`` of a number in scientific notation; decimals counts the places of
    the mantissa shifted by the exponent (``5.87E-05`` has 7: its last printed place is 1e-7)."""
    m = _SCI.fullmatch(text.strip())
    if not m:
        return None
    mant = m.group(1)
    exp = int(re.sub(r"\s+", "", m.group(2) or m.group(3)).replace("−", "-").replace("–", "-"))
    return _num(mant) * 10.0**exp, _decimals(mant) - exp


def parse_p(text: str) -> Printed:
    """A printed p-value: ``0.010``, ``<0.001``, ``0.005*``, ``0``, ``p < 0.001``, ``P = 0.03``, scientific
    notation (``5.87 × 10−5``, ``5.87 * 10^-5``, ``5.87E-05``, ``<2.2e-16``) ... or a malformed one."""
    t = text.strip()
    body = re.sub(r"^[pP]\s*(?=[<>≤≥=])", "", t)
    m = re.fullmatch(r"(<|>|≤|≥|=)?\s*(.+?)\s*(\**)", body)
    if m and re.fullmatch(_NUM, m.group(2)):
        value, decimals = _num(m.group(2)), _decimals(m.group(2))
    elif m and _sci(m.group(2)) is not None:
        value, decimals = _sci(m.group(2))
    else:
        marks = "".join(ch for ch in t if ch == "*")
        return Printed(t, None, None, mark=marks, malformed=True)
    comp = {"≤": "<", "≥": ">", None: "=", "=": "="}.get(m.group(1), m.group(1))
    bad = (
        not (0.0 <= value <= 1.0)
        or (comp == ">" and value >= 1.0)
        or (comp == "<" and value <= 0.0)
    )
    return Printed(t, value, decimals, comp, m.group(3), bad, bad)


@dataclass(frozen=True)
class CountPct:
    """A count cell: ``n (%)``, ``n/N (%)``, ``n/N`` or ``n`` alone (then ``percent`` is None).

    ``denominator`` is the printed N of ``n/N`` (a group with missing values), else None.
    """

    count: int
    percent: Printed | None
    denominator: int | None = None
    reading: str | None = (
        None  # how an unusual printed form was read (``42.9 (21/49)``: percent first)
    )
    misprint: bool = False  # True when the text is a typesetting error that was read as ``reading``


@dataclass(frozen=True)
class MeanSD:
    """A printed ``mean ± SD`` cell."""

    mean: Printed
    sd: Printed


@dataclass(frozen=True)
class MedianIQR:
    """A printed ``median [Q1, Q3]`` cell."""

    median: Printed
    q1: Printed
    q3: Printed


@dataclass(frozen=True)
class MedianRange:
    """``median (min–max)``: a range, never read as quartiles."""

    median: Printed
    lo: Printed
    hi: Printed


@dataclass(frozen=True)
class Interval:
    """A printed interval ``lo–hi``."""

    lo: Printed
    hi: Printed
    reading: str | None = (
        None  # how a misprinted interval was read (``0.746, 0. 896`` -> 0.746–0.896)
    )
    misprint: bool = False


@dataclass(frozen=True)
class EstimateCI:
    """A printed estimate with its CI and p (``raw``: the text as printed; ``where``: its place in the paper)."""

    estimate: Printed
    ci: Interval | None
    p: Printed | None
    where: str
    raw: str


_COUNT_FORMS = (
    (re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*\(\s*(" + _NUM + r")\s*%?\s*\)\s*"), ("n", "N", "pct")),
    (re.compile(r"\s*(\d+)\s*\(\s*(" + _NUM + r")\s*%?\s*\)\s*"), ("n", "pct")),
    (re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*"), ("n", "N")),
    (re.compile(r"\s*(\d+)\s*"), ("n",)),
)


def parse_count_pct(text: str, path: str) -> CountPct:
    """``10 (37.04)``, ``10 (37.04%)``, ``10/27 (37.04)``, ``10/27`` or ``10``."""
    for rx, names in _COUNT_FORMS:
        m = rx.fullmatch(text)
        if m:
            got = dict(zip(names, m.groups()))
            n_den = int(got["N"]) if "N" in got else None
            if n_den is not None and int(got["n"]) > n_den:
                raise SpecError(
                    f"{path}: {text!r} has a count above its denominator; write 'n/N' with n <= N"
                )
            return CountPct(
                int(got["n"]), parse_number(got["pct"]) if "pct" in got else None, n_den
            )
    m = re.fullmatch(r"\s*(" + _NUM + r")\s*%?\s*\(\s*(\d+)\s*(?:/\s*(\d+)\s*)?\)\s*", text)
    if m and "." in m.group(
        1
    ):  # ``42.9 (21/49)``: the percent printed first, the count in brackets
        n, den = int(m.group(2)), (int(m.group(3)) if m.group(3) else None)
        if den is not None and n > den:
            raise SpecError(
                f"{path}: {text!r} has a count above its denominator; write 'n/N' with n <= N"
            )
        return CountPct(
            n,
            parse_number(m.group(1)),
            den,
            f"percent first: read as {n}{'/' + str(den) if den is not None else ''} ({m.group(1)}%)",
        )
    raise SpecError(
        f"{path}: {text!r} is not 'n (%)', 'n/N (%)', 'n/N' or 'n'; write it as e.g. '10 (37.04)'"
    )


def parse_mean_sd(text: str, path: str) -> MeanSD:
    """``61.88 ± 11.15`` (also ``+/-``) or ``61.88 (11.15)``."""
    m = re.fullmatch(
        r"\s*(" + _NUM + r")\s*(?:±|\+/-|\\pm)\s*(" + _NUM + r")\s*", text
    ) or re.fullmatch(r"\s*(" + _NUM + r")\s*\(\s*(?:SD\s*[:=]?\s*)?(" + _NUM + r")\s*\)\s*", text)
    if not m:
        raise SpecError(
            f"{path}: {text!r} is not 'mean ± SD' or 'mean (SD)'; write it as e.g. '61.88 ± 11.15'"
        )
    return MeanSD(parse_number(m.group(1)), parse_number(m.group(2)))


_SPREAD = re.compile(
    r"\s*(" + _NUM + r")\s*[\[(]\s*(" + _NUM + r")\s*(?:,|;|–|—|-|to)\s*(" + _NUM + r")\s*[\])]\s*"
)


def parse_median_iqr(text: str, path: str) -> MedianIQR:
    """``4.60 [2.72, 10.20]``, ``4.60 (2.72–10.20)``, ``4.60 (2.72, 10.20)``: median and quartiles."""
    m = _SPREAD.fullmatch(text)
    if not m:
        raise SpecError(
            f"{path}: {text!r} is not 'median [Q1, Q3]' or 'median (Q1–Q3)'; write it as e.g. '4.60 [2.72, 10.20]'"
        )
    return MedianIQR(*(parse_number(m.group(i)) for i in (1, 2, 3)))


def parse_median_range(text: str, path: str) -> MedianRange:
    """``62 (35–81)`` or ``62 [35, 81]`` for a row of kind ``median_range``: median, minimum, maximum."""
    m = _SPREAD.fullmatch(text)
    if not m:
        raise SpecError(
            f"{path}: {text!r} is not 'median (min–max)'; write it as e.g. '62 (35–81)'"
        )
    return MedianRange(*(parse_number(m.group(i)) for i in (1, 2, 3)))


_SEP = r"\s*(?:–|—|-|~|to|,|;)\s*"
_SPACED = r"[-+−]?\d+\.\s+\d+"  # ``0. 896``: a number broken by a stray space


def parse_interval(text: str, path: str) -> Interval:
    """Parse a printed interval ``lo–hi`` (en dash, em dash, hyphen, "to", ``~``, or ``lo, hi``);
    ``path`` names the field. A number broken by a stray space (``0.746, 0. 896``) loads as a
    misprint, with the reading recorded on the Interval."""
    t = text.strip()
    if t[:1] in "[(" and t[-1:] in "])":
        t = t[1:-1]
    m = re.fullmatch(r"\s*(" + _NUM + r")" + _SEP + r"(" + _NUM + r")\s*", t)
    if m:
        return Interval(parse_number(m.group(1)), parse_number(m.group(2)))
    m = re.fullmatch(
        r"\s*(" + _NUM + "|" + _SPACED + r")" + _SEP + r"(" + _NUM + "|" + _SPACED + r")\s*", t
    )
    if m:
        lo, hi = (re.sub(r"\s+", "", g) for g in m.groups())
        return Interval(
            parse_number(lo),
            parse_number(hi),
            f"a number broken by a space: read as {lo}–{hi}",
            True,
        )
    raise SpecError(f"{path}: {text!r} is not an interval 'lo–hi'; write it as e.g. '0.885–0.971'")


def _split_glued(glued: str, rest: str) -> tuple[str, str, str] | None:
    """``0.7910.636`` + ``-0.946``: the estimate and the lower bound printed without the bracket between
    them. The split is the one whose estimate has the upper bound's decimals and lies inside the CI."""
    m = re.fullmatch(_SEP + r"(" + _NUM + r")\s*\)?\s*", rest)
    if not m:
        return None
    hi = m.group(1)
    for i in range(1, len(glued)):
        est, lo = glued[:i], glued[i:]
        if not (re.fullmatch(_NUM, est) and re.fullmatch(_NUM, lo)):
            continue
        if _decimals(est) == _decimals(hi) and _num(lo) <= _num(est) <= _num(hi):
            return est, lo, hi
    return None


def parse_estimate_ci(text: str, path: str) -> tuple[Printed, Interval]:
    """Parse a printed ``estimate (lo–hi)`` (also ``estimate [lo, hi]``, ``estimate (lo~hi)``); ``path`` names
    the field in the error. A misprint such as ``0.7910.636-0.946)`` (the bracket lost, estimate and lower
    bound run together) loads with the reading recorded on the Interval (``misprint`` True)."""
    m = re.fullmatch(r"\s*(" + _NUM + r")\s*([(\[].*[)\]])\s*", text)
    if m:
        return parse_number(m.group(1)), parse_interval(m.group(2), path)
    m = re.fullmatch(r"\s*(\d+\.\d+\.\d+)(.*)", text)
    split = _split_glued(m.group(1), m.group(2)) if m else None
    if split is not None:
        est, lo, hi = split
        return parse_number(est), Interval(
            parse_number(lo), parse_number(hi), f"bracket missing: read as {est} ({lo}–{hi})", True
        )
    raise SpecError(
        f"{path}: {text!r} is not 'estimate (lo–hi)'; write it as e.g. '3.782 (1.425–9.941)'"
    )


#: names of printed test statistics (``statistic.name``) and the df fields each needs
STATISTICS = {"chi2": ("df",), "t": ("df",), "F": ("df1", "df2"), "z": ()}


@dataclass(frozen=True)
class TestStatistic:
    """A printed test statistic: its name (chi2, t, F, z), value as printed and degrees of freedom."""

    name: str
    value: Printed
    df: tuple[float, ...]  # () for z, (df,) for chi2 and t, (df1, df2) for F

    @property
    def label(self) -> str:
        sym = {"chi2": "χ²", "t": "t", "F": "F", "z": "z"}[self.name]
        return (
            f"{sym}({', '.join(f'{d:g}' for d in self.df)}) = {self.value.raw}"
            if self.df
            else f"{sym} = {self.value.raw}"
        )


def parse_statistic(d: Any, path: str) -> TestStatistic:
    """``{"name": "chi2", "value": "12.3", "df": "2"}`` (``df1``/``df2`` for F; no df for z)."""
    if not isinstance(d, Mapping):
        raise SpecError(
            f'{path}: expected an object like {{"name": "chi2", "value": "12.3", "df": "2"}}'
        )
    name = d.get("name")
    if name not in STATISTICS:
        raise SpecError(f"{path}.name: {_short(name)} is not one of {', '.join(STATISTICS)}")
    val = d.get("value")
    pv = (
        parse_number(str(val).replace("−", "-"))
        if isinstance(val, (str, int, float)) and not isinstance(val, bool)
        else None
    )
    if pv is None or pv.malformed:
        raise SpecError(
            f"{path}.value: {_short(val)} is not a number; copy the statistic as printed, e.g. '12.3'"
        )
    if name in ("chi2", "F") and pv.value < 0:
        raise SpecError(f"{path}.value: a {name} statistic cannot be negative, got {pv.raw}")
    dfs = []
    for k in STATISTICS[name]:
        raw = d.get(k)
        try:
            df = (
                float(raw)
                if isinstance(raw, (str, int, float)) and not isinstance(raw, bool)
                else None
            )
        except ValueError:
            df = None
        if df is None or not df > 0:
            raise SpecError(
                f"{path}.{k}: {_short(raw)} is not a positive number of degrees of freedom; a {name} statistic "
                f"needs {', '.join(STATISTICS[name])}"
            )
        dfs.append(df)
    extra = [k for k in ("df", "df1", "df2") if k in d and k not in STATISTICS[name]]
    if extra:
        raise SpecError(
            f"{path}.{extra[0]}: a {name} statistic takes "
            + (", ".join(STATISTICS[name]) or "no df")
        )
    return TestStatistic(name, pv, tuple(dfs))


def table_label(title: str, fallback: str) -> str:
    """``"TABLE 3 Univariate ..."`` -> ``"Table 3"``; a title without a leading "Table N" gives itself (or
    ``fallback`` if empty)."""
    m = re.match(r"\s*(table)\s+(\S+)", title, flags=re.IGNORECASE)
    if m:
        return f"Table {m.group(2)}"
    return title.strip() or fallback


# --------------------------------------------------------------------- spec objects
@dataclass(frozen=True)
class Fact:
    """A design fact of the spec (alpha, stay p, counts...) and where the paper states it."""

    value: Any
    where: str


@dataclass(frozen=True)
class Group:
    """A column group of a table: id, label, size ``n`` and, for outcome groups, the outcome it is."""

    id: str
    label: str
    n: int
    outcome_group: str | None = None


@dataclass(frozen=True)
class Level:
    """One level of a categorical row: its label and a CountPct per group."""

    level: str
    cells: Mapping[str, CountPct]
    outcome_group: str | None = None


@dataclass(frozen=True)
class Row:
    """A table row: a variable with its kind (categorical, mean_sd, median_iqr), cells or levels and printed p."""

    variable: str
    kind: str  # categorical | mean_sd | median_iqr
    p: Printed | None
    levels: tuple[Level, ...] = ()
    cells: Mapping[str, Any] = field(default_factory=dict)
    integer_valued: bool = False
    outcome: bool = False
    scores: tuple[float, ...] | None = None
    test: str | None = None  # the test the paper names for this row (one of TESTS)
    percent_of: str | None = None  # column | row | total (None: the table's)
    statistic: TestStatistic | None = None  # a printed test statistic for this row's p


@dataclass(frozen=True)
class Table:
    """A printed table: id, title, unit, groups and rows."""

    id: str
    title: str
    unit: str
    groups: tuple[Group, ...]
    rows: tuple[Row, ...]
    cohort: str | None = None
    cohort_label: str | None = None
    percent_of: str = "column"  # what the printed percentages divide by: column | row | total

    def row(self, variable: str) -> Row | None:
        key = label_key(variable)
        for r in self.rows:
            if label_key(r.variable) == key:
                return r
        return None

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)

    @property
    def label(self) -> str:
        """Short name for findings: ``"Table 2"`` from ``"TABLE 2 Baseline ..."`` (:func:`table_label`),
        with the cohort when the table has one (``"Table 2 (validation set)"``)."""
        base = table_label(self.title, self.id)
        return f"{base} ({self.cohort_label})" if self.cohort_label else base

    def where(
        self,
        row: Row,
        level: Level | None = None,
        group: Group | None = None,
        column: str | None = None,
    ) -> str:
        parts = [self.label, row.variable]
        if level is not None:
            parts.append(level.level)
        if group is not None:
            parts.append(group.label)
        if column is not None:
            parts.append(column)
        return ", ".join(parts)


@dataclass(frozen=True)
class RegressionLevel:
    """One level of a categorical predictor printed against a reference level."""

    level: str
    univariable: EstimateCI | None
    multivariable: EstimateCI | None
    by_outcome: tuple[
        tuple[str, str, EstimateCI], ...
    ] = ()  # polytomous: (outcome level, column, estimate)


@dataclass(frozen=True)
class RegressionRow:
    """A predictor: one estimate per column, or (``levels``) one per non-reference level."""

    variable: str
    univariable: EstimateCI | None
    multivariable: EstimateCI | None
    levels: tuple[RegressionLevel, ...] = ()
    reference: str | None = None
    by_outcome: tuple[
        tuple[str, str, EstimateCI], ...
    ] = ()  # polytomous: (outcome level, column, estimate)

    def estimates(self):
        """``(label, column, EstimateCI)`` of every printed estimate; label is ``variable``, ``variable: level``,
        and for a polytomous table ``variable [outcome level]`` / ``variable: level [outcome level]``."""
        for col in ("univariable", "multivariable"):
            if getattr(self, col) is not None:
                yield self.variable, col, getattr(self, col)
        for ol, col, e in self.by_outcome:
            yield f"{self.variable} [{ol}]", col, e
        for lv in self.levels:
            for col in ("univariable", "multivariable"):
                if getattr(lv, col) is not None:
                    yield f"{self.variable}: {lv.level}", col, getattr(lv, col)
            for ol, col, e in lv.by_outcome:
                yield f"{self.variable}: {lv.level} [{ol}]", col, e


@dataclass(frozen=True)
class Regression:
    """The regression table: rows, the significance mark and its threshold, the final model, the counts table."""

    id: str
    title: str
    unit: str
    counts_table: str | None
    mark: str
    mark_threshold: float
    mark_where: str
    final_model: tuple[str, ...]
    final_model_where: str
    rows: tuple[RegressionRow, ...]
    cohort: str | None = None
    kind: str = "other"  # univariable | multivariable | final | other
    event_groups: tuple[
        str, ...
    ] = ()  # outcome groups that make the event (needed with > 2 outcome groups)
    reference_groups: tuple[str, ...] = ()
    outcome_levels: tuple[
        str, ...
    ] = ()  # polytomous (multinomial) table: the outcome levels with estimates
    reference_outcome: str | None = None
    ci_method: str | None = (
        None  # "wald" | "profile": how the table's CIs were computed, when the paper says
    )


#: how a regression table's CIs may be computed (a spec's ``ci_method``)
CI_METHODS = ("wald", "profile")


@dataclass(frozen=True)
class AUCEntry:
    """A printed AUC: model, kind (apparent, bootstrap, ...), estimate and CI, and where it is printed."""

    model: str
    kind: str  # apparent | bootstrap | ...
    estimate: Printed
    ci: Interval | None
    where: str
    cohort: str | None = None
    event_groups: tuple[str, ...] = ()
    reference_groups: tuple[str, ...] = ()
    se: Printed | None = None  # the standard error printed beside the AUC ('0.832 +- 0.062')
    event_n: int | None = (
        None  # the AUC's own event / non-event counts, when its groups are not the outcome groups
    )
    control_n: int | None = None


@dataclass(frozen=True)
class StatedCount:
    """A count stated in the text (patients, lesions, events...) and where; ``cohort`` "all" or
    ``sum_of_cohorts`` for a count over several cohorts (1018 = 712 training + 306 validation)."""

    quantity: str
    value: Printed
    where: str
    cohort: str | None = None
    sum_of_cohorts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextValue:
    """A value repeated in the abstract or text; ``cell`` addresses its twin (see :func:`validate`)."""

    where: str
    quote: str
    printed: Printed
    cell: str


@dataclass(frozen=True)
class Cohort:
    """A cohort of the paper (training, validation, ...): its id, the paper's label and where it is defined."""

    id: str
    label: str
    where: str = ""


@dataclass(frozen=True)
class Diagnostic:
    """Accuracy of a model at a cut-off, as printed (percentages or proportions), with counts if given."""

    model: str
    where: str
    cohort: str | None
    cutoff: str | None
    scale: float  # 100 for percentages, 1 for proportions
    measures: Mapping[str, Printed]  # sensitivity, specificity, accuracy, ppv, npv
    counts: Mapping[str, int] | None  # tp, fp, fn, tn
    n_positive: int | None
    n_negative: int | None
    event_groups: tuple[str, ...] = ()
    reference_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Calibration:
    """Calibration statistics of a model as printed."""

    model: str
    where: str
    cohort: str | None
    hl_chisq: Printed | None
    hl_df: int | None
    hl_p: Printed | None
    slope: Printed | None
    intercept: Printed | None
    brier: Printed | None
    event_groups: tuple[str, ...] = ()
    reference_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A claim in the text that variables differ (or not) significantly, with the table and column it refers to."""

    where: str
    quote: str
    table: str
    claim: str  # significant | not significant
    variables: tuple[str, ...]
    column: str | None = None
    statistic: TestStatistic | None = None
    outcome_levels: tuple[
        str, ...
    ] = ()  # a polytomous table: the outcome levels the claim is about (all when empty)


@dataclass(frozen=True)
class Study:
    """A validated study spec. ``raw`` is the JSON as loaded; ``sha256`` its digest."""

    id: str
    citation: str
    doi: str
    source: str
    sha256: str
    raw: Mapping[str, Any]
    outcome_groups: Mapping[str, str]
    design: Mapping[str, Fact]
    methods_tests: Mapping[str, Fact]
    stated_counts: tuple[StatedCount, ...]
    derived_counts: tuple[Mapping[str, Any], ...]
    text_values: tuple[TextValue, ...]
    tables: tuple[Table, ...]
    claims: tuple[Claim, ...]
    regression: Regression | None
    auc: tuple[AUCEntry, ...]
    radiomics: Mapping[str, Any] | None
    version: int = 1
    cohorts: tuple[Cohort, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    calibrations: tuple[Calibration, ...] = ()
    regressions: tuple[Regression, ...] = ()  # every regression table (``regression`` is the first)
    pipeline: Any = None  # study.pipeline_spec.PipelineSpec (spec_version 2), or None

    def cohort_label(self, cid: str | None) -> str | None:
        return next((c.label for c in self.cohorts if c.id == cid), cid)

    def table(self, tid: str) -> Table:
        for t in self.tables:
            if t.id == tid:
                return t
        raise KeyError(tid)

    def fact(self, name: str, default: Any = None) -> Any:
        f = self.design.get(name)
        return default if f is None else f.value


_SYMBOLS = {
    "≤": " le ",
    "<=": " le ",
    "≥": " ge ",
    ">=": " ge ",
    "<": " lt ",
    ">": " gt ",
    "+": " plus ",
}


def label_key(name: str) -> str:
    """Case- and punctuation-insensitive key of a label; comparison signs are kept (``≤100`` != ``>100``)."""
    s = name.lower()
    for sym, word in _SYMBOLS.items():
        s = s.replace(sym, word)
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


# --------------------------------------------------------------------- validation helpers
_MISSING = object()


def _get(
    d: Mapping[str, Any], key: str, typ: type | tuple[type, ...], path: str, default: Any = _MISSING
) -> Any:
    if not isinstance(d, Mapping):
        raise SpecError(f"{path}: expected an object, got {type(d).__name__}")
    if key not in d:
        if default is _MISSING:
            raise SpecError(f"{path}.{key}: required field is missing")
        return default
    v = d[key]
    if typ is float:
        typ = (int, float)
    if v is None and default is None:
        return None
    if not isinstance(v, typ) or (isinstance(v, bool) and typ in (int, (int, float))):
        want = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
        raise SpecError(f"{path}.{key}: expected {want}, got {type(v).__name__} {_short(v)}")
    return v


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlevel = 60, 60, 3


def _short(v: Any) -> str:
    """A one-line, bounded repr of a spec value for an error message."""
    return _REPR.repr(v).replace("\n", " ")


MAX_DEPTH = 32  # the embedded spec nests 6 deep


MAX_INT_DIGITS = (
    30  # a count, n or df with more digits is refused where it is read (10^30 is no paper's)
)
MAX_INT_BITS = 100  # 2^100 ~ 1.3e30


def _printable(k: Any) -> str:
    """A key as one printable line: control characters JSON-escaped (``\\n``), a lone surrogate as ``\\udXXX``."""
    k = str(k)
    if not k.isprintable():
        k = json.dumps(k, ensure_ascii=False)[1:-1]
    return k.encode("utf-8", "backslashreplace").decode("utf-8")


def _valid_text(text: str, path: str) -> None:
    """Every string of a spec is valid Unicode (no lone surrogate such as \\ud800, which cannot be written out)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise SpecError(
            f"{path}: holds the lone surrogate \\u{ord(bad):04x} (character {exc.start + 1}), which is "
            "not Unicode text; remove it or write the character it stood for"
        ) from None


class _DupDict(dict):
    """A JSON object read with a key given twice: :func:`_check_depth` refuses it naming the path."""

    duplicates: list


def _object_pairs(pairs):
    d = {}
    dups = []
    for k, v in pairs:
        if k in d:
            dups.append((k, d[k], v))
        d[k] = v
    if dups:
        out = _DupDict(d)
        out.duplicates = dups
        return out
    return d


def parse_spec_json(text: str):
    """``json.loads`` for a spec: strict JSON (no NaN/Infinity), a key given twice in one object is kept for
    :func:`validate` to refuse, a whole number of more than :data:`MAX_INT_DIGITS` digits is refused."""
    return json.loads(
        text, parse_constant=_no_constant, object_pairs_hook=_object_pairs, parse_int=_parse_int
    )


def _parse_int(s: str) -> int:
    if len(s.lstrip("-")) > MAX_INT_DIGITS:
        raise SpecError(
            f"spec: a whole number of {len(s.lstrip('-'))} digits ({s[:12]}...); no count or size in a "
            f"paper is that large (at most {MAX_INT_DIGITS} digits)"
        )
    return int(s)


def _check_depth(raw: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH (iteratively: no recursion on hostile input), naming the path."""
    stack = [(raw, "spec", 0)]
    while stack:
        x, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError(
                f"{path}: nested more than {MAX_DEPTH} levels deep; a study spec is a shallow JSON object"
            )
        if isinstance(x, Mapping):
            dups = getattr(x, "duplicates", None)
            if dups:
                k, first, second = dups[0]
                raise SpecError(
                    f"{path}.{_printable(k)}: the key appears twice in one object ({_short(first)}, then "
                    f"{_short(second)}); give each key once"
                )
            for k in x:
                if isinstance(k, str):
                    _valid_text(k, f"{path}: the key {_printable(k)}")
            stack.extend((v, f"{path}.{_printable(k)}", depth + 1) for k, v in x.items())
        elif isinstance(x, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(x))
        elif isinstance(x, str):
            _valid_text(x, path)
        elif isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > MAX_INT_BITS:
            raise SpecError(
                f"{path}: a whole number of {len(str(abs(x))) if x.bit_length() < 13000 else 'thousands of'}"
                f" digits; no count or size in a paper is that large (at most {MAX_INT_DIGITS} digits)"
            )


def _whole(v: Any, path: str, lo: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise SpecError(f"{path}: expected a whole number >= {lo}, got {_short(v)}")
    return v


def _number(
    v: Any, path: str, lo: float, hi: float, *, open_lo: bool = False, open_hi: bool = False
) -> float:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi
    ok = ok and not (open_lo and v == lo) and not (open_hi and v == hi)
    if not ok:
        span = ("(" if open_lo else "[") + f"{lo:g}, {hi:g}" + (")" if open_hi else "]")
        raise SpecError(f"{path}: expected a number in {span}, got {_short(v)}")
    return float(v)


def _strings(v: Any, path: str, *, nonempty: bool = False, unique: bool = False) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise SpecError(f"{path}: expected a list of strings, got {_short(v)}")
    if nonempty and not v:
        raise SpecError(f"{path}: the list is empty; give at least one name")
    if unique:
        dup = next((x for x in v if v.count(x) > 1), None)
        if dup is not None:
            raise SpecError(f"{path}: {dup!r} is listed twice")
    return v


def _unique(labels: list[str], path: str, what: str) -> None:
    """Labels that must differ (case- and punctuation-insensitively, as the checks compare them)."""
    seen: dict[str, str] = {}
    for lab in labels:
        k = label_key(lab)
        if k in seen:
            raise SpecError(
                f"{path}: {what} {lab!r} appears twice"
                + (f" (as {seen[k]!r})" if seen[k] != lab else "")
            )
        seen[k] = lab


# Design facts the checks compute with, and the value each must have (other facts are free text).
_FACT_RULES = {
    "max_lesions_per_patient": lambda v, p: _whole(v, p, 1),
    "resegmented_lesions": lambda v, p: _whole(v, p, 0),
    "observers": lambda v, p: _whole(v, p, 1),
    "bootstrap_resamples": lambda v, p: _whole(v, p, 1),
    "cv_folds": lambda v, p: _whole(v, p, 2),
    "icc_threshold": lambda v, p: _number(v, p, 0.0, 1.0),
    "spearman_threshold": lambda v, p: _number(v, p, 0.0, 1.0),
    "alpha": lambda v, p: _number(v, p, 0.0, 1.0, open_lo=True, open_hi=True),
    "univariable_entry_p": lambda v, p: _number(v, p, 0.0, 1.0, open_lo=True),
    "stay_p": lambda v, p: _number(v, p, 0.0, 1.0, open_lo=True),
    "bootstrap_refits_model": lambda v, p: _typed(v, p, bool),
    "analysis_unit": lambda v, p: _typed(v, p, str),
    "bootstrap_summary": lambda v, p: _typed(v, p, str),
    "stepwise": lambda v, p: _typed(v, p, str),
    "software": lambda v, p: _typed(v, p, str),
    "event_groups": lambda v, p: _strings(v, p, nonempty=True, unique=True),
    "reference_groups": lambda v, p: _strings(v, p, nonempty=True, unique=True),
}


def _typed(v: Any, path: str, typ: type) -> Any:
    if not isinstance(v, typ):
        raise SpecError(f"{path}: expected {typ.__name__}, got {type(v).__name__} {_short(v)}")
    return v


def _facts(
    d: Mapping[str, Any], path: str, rules: Mapping[str, Any] | None = None
) -> dict[str, Fact]:
    out = {}
    for k, v in d.items():
        p = f"{path}.{k}"
        if not isinstance(v, Mapping) or "value" not in v:
            raise SpecError(f"{p}: expected an object with 'value' and 'where'")
        if rules and k in rules:
            rules[k](v["value"], f"{p}.value")
        out[k] = Fact(v["value"], _get(v, "where", str, p))
    return out


def _estimate_ci(d: Mapping[str, Any], path: str, where: str) -> EstimateCI:
    text = _get(d, "estimate_ci", str, path)
    est, ci = parse_estimate_ci(text, f"{path}.estimate_ci")
    p = _get(d, "p", str, path, None)
    return EstimateCI(est, ci, parse_p(p) if p is not None else None, where, text)


_KINDS = ("categorical", "mean_sd", "median_iqr")
KINDS_V2 = _KINDS + ("median_range",)
#: Tests a row's ``test`` field may name (spec version 2).
TESTS = (
    "chi-square",
    "chi-square-yates",
    "fisher",
    "g-test",
    "linear-by-linear",
    "t-test",
    "welch-t-test",
    "anova",
    "welch-anova",
    "mann-whitney",
    "kruskal-wallis",
)
_CELL_PARSERS = {
    "mean_sd": parse_mean_sd,
    "median_iqr": parse_median_iqr,
    "median_range": parse_median_range,
}


def _table(
    t: Mapping[str, Any], path: str, version: int = 1, cohorts: Mapping[str, str] | None = None
) -> Table:
    tid = _get(t, "id", str, path)
    cohort = _get(t, "cohort", str, path, None)
    if cohort is not None:
        _need_v2(version, f"{path}.cohort")
        if cohort not in (cohorts or {}):
            raise SpecError(
                f"{path}.cohort: {cohort!r} is not a cohort of the spec; list it in spec.cohorts "
                f"(cohorts: {', '.join(sorted(cohorts or {})) or 'none'})"
            )
    groups = []
    for i, g in enumerate(_get(t, "groups", list, path)):
        gp = f"{path}.groups[{i}]"
        n = _get(g, "n", int, gp)
        if n <= 0:
            raise SpecError(f"{gp}.n: group size must be positive, got {n}")
        groups.append(
            Group(
                _get(g, "id", str, gp),
                _get(g, "label", str, gp),
                n,
                _get(g, "outcome_group", str, gp, None),
            )
        )
    if not groups:
        raise SpecError(f"{path}.groups: at least one group is needed")
    gids = [g.id for g in groups]
    if len(set(gids)) != len(gids):
        raise SpecError(f"{path}.groups: group ids must be unique, got {gids}")
    tpct = _percent_of(t, path, version) or "column"
    kinds = KINDS_V2 if version >= 2 else _KINDS
    rows = []
    for i, r in enumerate(_get(t, "rows", list, path)):
        rp = f"{path}.rows[{i}]"
        var = _get(r, "variable", str, rp)
        kind = _get(r, "kind", str, rp)
        if kind not in kinds:
            hint = " (median_range needs spec_version 2)" if kind == "median_range" else ""
            raise SpecError(f"{rp}.kind: {kind!r} is not one of {', '.join(kinds)}{hint}")
        p = _get(r, "p", str, rp, None)
        test = _get(r, "test", str, rp, None)
        if test is not None:
            _need_v2(version, f"{rp}.test")
            if test not in TESTS:
                raise SpecError(f"{rp}.test: {test!r} is not one of {', '.join(TESTS)}")
        levels: list[Level] = []
        cells: dict[str, Any] = {}
        if kind == "categorical":
            for j, lv in enumerate(_get(r, "levels", list, rp)):
                lp = f"{rp}.levels[{j}]"
                lc = _get(lv, "cells", dict, lp)
                parsed = {}
                for gid in gids:
                    if gid not in lc:
                        raise SpecError(f"{lp}.cells.{gid}: missing cell for group {gid!r}")
                    parsed[gid] = parse_count_pct(
                        _get(lc, gid, str, f"{lp}.cells"), f"{lp}.cells.{gid}"
                    )
                extra = set(lc) - set(gids)
                if extra:
                    raise SpecError(
                        f"{lp}.cells: unknown group(s) {sorted(extra)}; groups are {gids}"
                    )
                levels.append(
                    Level(
                        _get(lv, "level", str, lp), parsed, _get(lv, "outcome_group", str, lp, None)
                    )
                )
            if len(levels) < 2:
                raise SpecError(f"{rp}.levels: a categorical row needs at least 2 levels")
            _unique([lv.level for lv in levels], f"{rp}.levels", "level")
        else:
            rc = _get(r, "cells", dict, rp)
            parse = _CELL_PARSERS[kind]
            for gid in gids:
                if gid not in rc:
                    raise SpecError(f"{rp}.cells.{gid}: missing cell for group {gid!r}")
                cells[gid] = parse(_get(rc, gid, str, f"{rp}.cells"), f"{rp}.cells.{gid}")
        scores = _get(r, "scores", list, rp, None)
        if scores is not None and (
            len(scores) != len(levels) or not all(isinstance(s, (int, float)) for s in scores)
        ):
            raise SpecError(f"{rp}.scores: need one number per level ({len(levels)})")
        rows.append(
            Row(
                var,
                kind,
                parse_p(p) if p is not None else None,
                tuple(levels),
                cells,
                bool(_get(r, "integer_valued", bool, rp, False)),
                bool(_get(r, "outcome", bool, rp, False)),
                tuple(float(s) for s in scores) if scores else None,
                test,
                _percent_of(r, rp, version),
                parse_statistic(r["statistic"], f"{rp}.statistic")
                if r.get("statistic") is not None
                else None,
            )
        )
    _unique([r.variable for r in rows], f"{path}.rows", "variable")
    return Table(
        tid,
        _get(t, "title", str, path),
        _get(t, "unit", str, path),
        tuple(groups),
        tuple(rows),
        cohort,
        (cohorts or {}).get(cohort) if cohort else None,
        tpct,
    )


PERCENT_OF = ("column", "row", "total")


def _percent_of(d: Mapping[str, Any], path: str, version: int) -> str | None:
    v = _get(d, "percent_of", str, path, None)
    if v is None:
        return None
    _need_v2(version, f"{path}.percent_of")
    if v not in PERCENT_OF:
        raise SpecError(f"{path}.percent_of: {_short(v)} is not one of {', '.join(PERCENT_OF)}")
    return v


def _group_refs(
    d: Mapping[str, Any], path: str, known: set[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``event_groups`` / ``reference_groups``: outcome group ids (``outcome.groups`` keys or table groups'
    ``outcome_group``), disjoint; each names what the event is when the outcome has more than two groups."""
    out = []
    for key in ("event_groups", "reference_groups"):
        v = _get(d, key, list, path, None)
        if v is None:
            out.append(())
            continue
        _strings(v, f"{path}.{key}", nonempty=True, unique=True)
        bad = next((x for x in v if x not in known), None)
        if bad is not None:
            raise SpecError(
                f"{path}.{key}: {bad!r} is not an outcome group of the spec (outcome groups: "
                f"{', '.join(sorted(known)) or 'none'}); use the ids of outcome.groups"
            )
        out.append(tuple(v))
    both = set(out[0]) & set(out[1])
    if both:
        raise SpecError(f"{path}: {sorted(both)[0]!r} is both an event group and a reference group")
    return out[0], out[1]


def _need_v2(version: int, path: str) -> None:
    if version < 2:
        raise SpecError(
            f'{path}: this field needs spec_version 2; set "spec_version": 2 at the top of the file'
        )


def _cohort_ref(
    d: Mapping[str, Any],
    path: str,
    version: int,
    cohorts: Mapping[str, str],
    allow_all: bool = False,
) -> str | None:
    c = _get(d, "cohort", str, path, None)
    if c is None:
        return None
    _need_v2(version, f"{path}.cohort")
    if allow_all and c == "all":
        return c
    if c not in cohorts:
        raise SpecError(
            f"{path}.cohort: {c!r} is not a cohort of the spec (cohorts: {', '.join(sorted(cohorts)) or 'none'}); "
            "list it in spec.cohorts"
        )
    return c


SPEC_VERSIONS = (1, 2)


def _cohorts(raw: Mapping[str, Any], version: int) -> tuple[Cohort, ...]:
    items = _get(raw, "cohorts", list, "spec", None)
    if items is None:
        return ()
    _need_v2(version, "spec.cohorts")
    out = []
    for i, c in enumerate(items):
        p = f"spec.cohorts[{i}]"
        out.append(
            Cohort(
                _get(c, "id", str, p), _get(c, "label", str, p), _get(c, "where", str, p, "") or ""
            )
        )
    ids = [c.id for c in out]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup is not None:
        raise SpecError(f"spec.cohorts: cohort id {dup!r} is used twice; cohort ids must be unique")
    return tuple(out)


REGRESSION_KINDS = ("univariable", "multivariable", "final", "other")


def _regression(
    reg_raw: Mapping[str, Any],
    rp: str,
    version: int,
    cmap: Mapping[str, str],
    tids: set[str],
    known_groups: set[str],
) -> Regression:
    """One regression table (``spec.regression`` or an item of its list)."""
    rows = []
    if not _get(reg_raw, "rows", list, rp):
        raise SpecError(f"{rp}.rows: the list is empty; a regression table needs at least one row")
    kind = _get(reg_raw, "kind", str, rp, None)
    if kind is not None:
        _need_v2(version, f"{rp}.kind")
        if kind not in REGRESSION_KINDS:
            raise SpecError(
                f"{rp}.kind: {_short(kind)} is not one of {', '.join(REGRESSION_KINDS)}"
            )
    levels = tuple(
        _strings(
            _get(reg_raw, "outcome_levels", list, rp, None) or [],
            f"{rp}.outcome_levels",
            unique=True,
        )
    )
    ref_out = _get(reg_raw, "reference_outcome", str, rp, None)
    if levels or ref_out is not None:
        _need_v2(version, f"{rp}.outcome_levels")
        if not levels or ref_out is None:
            raise SpecError(
                f"{rp}: a polytomous (multinomial) table needs both outcome_levels (the levels with "
                "estimates) and reference_outcome (the level they are compared with)"
            )
        if ref_out in levels:
            raise SpecError(
                f"{rp}.reference_outcome: {ref_out!r} is also in outcome_levels; the reference level has "
                "no estimates of its own"
            )
    ci_method = _get(reg_raw, "ci_method", str, rp, None)
    if ci_method is not None and ci_method not in CI_METHODS:
        raise SpecError(
            f"{rp}.ci_method: {_short(ci_method)} is not one of {', '.join(CI_METHODS)}"
        )
    tname = table_label(_get(reg_raw, "title", str, rp), _get(reg_raw, "id", str, rp))
    for i, r in enumerate(_get(reg_raw, "rows", list, rp)):
        rows.append(_regression_row(r, f"{rp}.rows[{i}]", tname, version, levels))
    _unique([r.variable for r in rows], f"{rp}.rows", "variable")
    mark = _get(reg_raw, "significance_mark", dict, rp, None) or {}
    mp = f"{rp}.significance_mark"
    if "mark" in mark and (not isinstance(mark["mark"], str) or not mark["mark"]):
        raise SpecError(
            f"{mp}.mark: expected a non-empty string such as '*', got {_short(mark['mark'])}"
        )
    if "threshold" in mark:
        _number(mark["threshold"], f"{mp}.threshold", 0.0, 1.0, open_lo=True, open_hi=True)
    _get(mark, "where", str, mp, "")
    fm = _get(reg_raw, "final_model", dict, rp, None) or {}
    if "variables" in fm:
        _strings(fm["variables"], f"{rp}.final_model.variables", unique=True)
    _get(fm, "where", str, f"{rp}.final_model", "")
    ct = _get(reg_raw, "counts_table", str, rp, None)
    if ct is not None and ct not in tids:
        raise SpecError(f"{rp}.counts_table: {ct!r} is not a table of the spec ({sorted(tids)})")
    ev, ref = _group_refs(reg_raw, rp, known_groups)
    return Regression(
        _get(reg_raw, "id", str, rp),
        _get(reg_raw, "title", str, rp),
        _get(reg_raw, "unit", str, rp),
        ct,
        mark.get("mark", "*"),
        float(mark.get("threshold", 0.05)),
        mark.get("where", ""),
        tuple(fm.get("variables", [])),
        fm.get("where", ""),
        tuple(rows),
        _cohort_ref(reg_raw, rp, version, cmap),
        kind or "other",
        ev,
        ref,
        levels,
        ref_out,
        ci_method,
    )


def _by_outcome(d: Mapping[str, Any], p: str, where: str, levels: tuple[str, ...]) -> tuple:
    """A polytomous row's ``outcome_levels``:
    ``{"N1": {"estimate_ci", "p"} | {"univariable": .., "multivariable": ..}}``."""
    bo = _get(d, "outcome_levels", dict, p, None)
    if bo is None:
        return ()
    if not levels:
        raise SpecError(
            f"{p}.outcome_levels: estimates per outcome level need the table's outcome_levels and "
            "reference_outcome"
        )
    out = []
    for ol, cell in bo.items():
        op = f"{p}.outcome_levels.{ol}"
        if ol not in levels:
            raise SpecError(
                f"{op}: {ol!r} is not one of the table's outcome_levels ({', '.join(levels)})"
            )
        if isinstance(cell, Mapping) and "estimate_ci" in cell:
            out.append((ol, "multivariable", _estimate_ci(cell, op, f"{where} [{ol}]")))
            continue
        for col in ("univariable", "multivariable"):
            c = _get(cell, col, dict, op, None)
            if c:
                out.append((ol, col, _estimate_ci(c, f"{op}.{col}", f"{where} [{ol}], {col}")))
    return tuple(out)


def _regression_row(
    r: Mapping[str, Any], p: str, tname: str, version: int, outcome_levels: tuple[str, ...] = ()
) -> RegressionRow:
    var = _get(r, "variable", str, p)
    uni = _get(r, "univariable", dict, p, None)
    multi = _get(r, "multivariable", dict, p, None)
    lv_raw = _get(r, "levels", list, p, None)
    if lv_raw is None:
        bo = _by_outcome(r, p, f"{tname}, {var}", outcome_levels)
        if outcome_levels and not bo:
            raise SpecError(
                f"{p}.outcome_levels: a row of a polytomous table gives its estimates per outcome level"
            )
        return RegressionRow(
            var,
            _estimate_ci(uni, f"{p}.univariable", f"{tname}, {var}, univariable") if uni else None,
            _estimate_ci(multi, f"{p}.multivariable", f"{tname}, {var}, multivariable")
            if multi
            else None,
            by_outcome=bo,
        )
    _need_v2(version, f"{p}.levels")
    if uni or multi:
        raise SpecError(
            f"{p}: a row with 'levels' carries its estimates per level; move 'univariable'/'multivariable' "
            "into the non-reference levels"
        )
    levels, refs = [], []
    for j, lv in enumerate(lv_raw):
        lp = f"{p}.levels[{j}]"
        name = _get(lv, "level", str, lp)
        if _get(lv, "reference", bool, lp, False):
            refs.append(name)
            if "univariable" in lv or "multivariable" in lv or "outcome_levels" in lv:
                raise SpecError(
                    f"{lp}: the reference level has no estimate of its own; leave out univariable/multivariable"
                )
            continue
        u = _get(lv, "univariable", dict, lp, None)
        m = _get(lv, "multivariable", dict, lp, None)
        levels.append(
            RegressionLevel(
                name,
                _estimate_ci(u, f"{lp}.univariable", f"{tname}, {var}: {name}, univariable")
                if u
                else None,
                _estimate_ci(m, f"{lp}.multivariable", f"{tname}, {var}: {name}, multivariable")
                if m
                else None,
                _by_outcome(lv, lp, f"{tname}, {var}: {name}", outcome_levels),
            )
        )
    if len(refs) != 1:
        raise SpecError(
            f"{p}.levels: mark exactly one level with \"reference\": true (the paper's 'Reference' or "
            f"'1.00' row), found {len(refs)}"
        )
    if not levels:
        raise SpecError(
            f"{p}.levels: besides the reference, at least one level with an estimate is needed"
        )
    _unique(refs + [lv.level for lv in levels], f"{p}.levels", "level")
    return RegressionRow(var, None, None, tuple(levels), refs[0])


_MEASURE_NAMES = ("sensitivity", "specificity", "accuracy", "ppv", "npv")


def _opt_whole(d: Mapping[str, Any], key: str, path: str, lo: int = 0) -> int | None:
    v = _get(d, key, int, path, None)
    return None if v is None else _whole(v, f"{path}.{key}", lo)


def _diagnostics(
    raw: Mapping[str, Any],
    version: int,
    cmap: Mapping[str, str],
    known_groups: set[str] = frozenset(),
) -> tuple[Diagnostic, ...]:
    items = _get(raw, "diagnostic_accuracy", list, "spec", None)
    if items is None:
        return ()
    _need_v2(version, "spec.diagnostic_accuracy")
    out = []
    for i, d in enumerate(items):
        p = f"spec.diagnostic_accuracy[{i}]"
        scale = _get(d, "scale", str, p, "percent") or "percent"
        if scale not in ("percent", "proportion"):
            raise SpecError(
                f"{p}.scale: {_short(scale)} must be 'percent' (93.8) or 'proportion' (0.938)"
            )
        top = 100.0 if scale == "percent" else 1.0
        measures = {}
        for m in _MEASURE_NAMES:
            t = _get(d, m, str, p, None)
            if t is None:
                continue
            pv = parse_number(t.rstrip("% "))
            if pv.malformed or not (0 <= pv.value <= top):
                raise SpecError(
                    f"{p}.{m}: {_short(t)} is not a {scale} in [0, {top:g}]; write it as printed, e.g. "
                    + ("'93.8'" if top == 100 else "'0.938'")
                )
            measures[m] = pv
        if not measures:
            raise SpecError(f"{p}: give at least one of {', '.join(_MEASURE_NAMES)}")
        counts = None
        cr = _get(d, "counts", dict, p, None)
        if cr is not None:
            counts = {
                k: _whole(_get(cr, k, int, f"{p}.counts"), f"{p}.counts.{k}")
                for k in ("tp", "fp", "fn", "tn")
            }
        out.append(
            Diagnostic(
                _get(d, "model", str, p),
                _get(d, "where", str, p),
                _cohort_ref(d, p, version, cmap),
                _get(d, "cutoff", str, p, None),
                top,
                measures,
                counts,
                _opt_whole(d, "n_positive", p, 1),
                _opt_whole(d, "n_negative", p, 1),
                *_group_refs(d, p, known_groups),
            )
        )
    return tuple(out)


def _calibrations(
    raw: Mapping[str, Any],
    version: int,
    cmap: Mapping[str, str],
    known_groups: set[str] = frozenset(),
) -> tuple[Calibration, ...]:
    items = _get(raw, "calibration", list, "spec", None)
    if items is None:
        return ()
    _need_v2(version, "spec.calibration")
    out = []
    for i, d in enumerate(items):
        p = f"spec.calibration[{i}]"

        def num(key, where=d, path=p):
            t = _get(where, key, str, path, None)
            if t is None:
                return None
            v = parse_number(t)
            if v.malformed:
                raise SpecError(
                    f"{path}.{key}: {_short(t)} is not a number; copy it as printed, e.g. '0.85'"
                )
            return v

        hl = _get(d, "hosmer_lemeshow", dict, p, None) or {}
        hp = f"{p}.hosmer_lemeshow"
        hl_p = _get(hl, "p", str, hp, None)
        out.append(
            Calibration(
                _get(d, "model", str, p),
                _get(d, "where", str, p),
                _cohort_ref(d, p, version, cmap),
                num("chisq", hl, hp),
                _opt_whole(hl, "df", hp, 1),
                parse_p(hl_p) if hl_p is not None else None,
                num("slope"),
                num("intercept"),
                num("brier"),
                *_group_refs(d, p, known_groups),
            )
        )
    return tuple(out)


SCHEMA_FILE = "spec.schema.json"


COMMENT_KEY = "^_"  # keys starting with '_' are comments (``_about``, ``_source``, ``_note``, ...)


WHERE_KEY = {
    "type": "string",
    "description": "where the paper prints this item (table and row, or the sentence)",
}


def close_schema(schema: Any) -> Any:
    """Close every object of ``schema`` in place: an object subschema that declares ``properties`` and says
    nothing of ``additionalProperties`` gets ``additionalProperties: false`` (a key not declared is an error)
    and the comment keys (``_...``) allowed; ``where`` (provenance, a string) is allowed on every such
    object. Objects that are maps (their own ``additionalProperties``) are kept."""
    stack = [schema]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if isinstance(x.get("properties"), dict) and "additionalProperties" not in x:
                x["additionalProperties"] = False
                x["properties"].setdefault(
                    "where", WHERE_KEY
                )  # provenance may be given on any item
                x.setdefault("patternProperties", {}).setdefault(COMMENT_KEY, {})
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return schema


def json_schema() -> dict:
    """The published JSON Schema of a study spec (shipped as ``nenaudit/study/spec.schema.json``), closed:
    every object refuses a key it does not declare (:func:`close_schema`), comments (``_...``) aside."""
    return close_schema(
        json.loads(
            resources.files("nenaudit.study").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
        )
    )


def nearest_key(key: str, valid) -> str | None:
    """The declared key a misspelt ``key`` most likely meant (same letters in another case, a close spelling,
    or the first word of ``key``), else None."""
    valid = sorted(valid)
    for k in valid:
        if k.lower() == key.lower():
            return k
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6) or difflib.get_close_matches(
        key.lower(), [k.lower() for k in valid], n=1, cutoff=0.6
    )
    if close:
        return next(k for k in valid if k.lower() == close[0].lower())
    head = re.split(r"[_\W]+", key.lower())[0]
    return next((k for k in valid if head and k.lower() == head), None)


def _unknown_key_message(err) -> str:
    declared = set(err.schema.get("properties") or {})
    inst = err.instance if isinstance(err.instance, Mapping) else {}
    unknown = next((k for k in inst if k not in declared and not str(k).startswith("_")), "?")
    shown_key = _printable(unknown)
    path = _field([*err.absolute_path, shown_key])
    near = nearest_key(str(unknown), declared)
    if near is not None:
        return f"{path}: `{shown_key}`: unknown key; did you mean `{near}`?"
    shown = ", ".join(f"`{k}`" for k in sorted(declared)[:12]) + (
        ", ..." if len(declared) > 12 else ""
    )
    return f"{path}: `{shown_key}`: unknown key; the keys here are {shown} (a comment key starts with '_')"


def _unknown_key_errors(errors):
    """Every ``additionalProperties`` error, also those inside a ``oneOf``/``anyOf`` branch."""
    stack = list(errors)
    while stack:
        e = stack.pop(0)
        if e.validator == "additionalProperties" and e.validator_value is False:
            yield e
        stack.extend(e.context or ())


_VALIDATOR = None


def _field(path) -> str:
    return "spec" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _schema_message(err) -> str:
    """One line: the field path, what is wrong, and what to write there (the schema's description)."""
    path = _field(err.absolute_path)
    desc = err.schema.get("description", "") if isinstance(err.schema, Mapping) else ""
    v = err.validator
    if v == "required":
        missing = next((k for k in err.validator_value if k not in err.instance), "?")
        path += f".{missing}"
        problem = "required field is missing"
        desc = ((err.schema.get("properties") or {}).get(missing) or {}).get("description", "")
    elif v == "type":
        want = (
            err.validator_value
            if isinstance(err.validator_value, str)
            else "/".join(err.validator_value)
        )
        problem = f"expected {want}, got {type(err.instance).__name__} {_short(err.instance)}"
    elif v == "enum":
        problem = f"{_short(err.instance)} is not one of " + ", ".join(
            repr(x) for x in err.validator_value if x is not None
        )
    elif v == "minItems":
        problem = "the list is empty; give at least one entry"
    elif v == "minimum":
        problem = f"expected a number >= {err.validator_value}, got {_short(err.instance)}"
    elif v == "oneOf" and list(err.absolute_path) == ["regression"]:
        problem = (
            f"expected a regression table object or a list of them, got {_short(err.instance)}"
        )
    elif v == "oneOf":
        problem = (
            'expected an object like {"estimate_ci": "3.782 (1.425–9.941)", "p": "0.007"} or null, '
            f"got {_short(err.instance)}"
        )
        desc = ""
    else:  # pragma: no cover - the schema uses only the keywords above
        problem = f"{_short(err.instance)} fails the schema's {v!r} rule"
    desc = desc if len(desc) <= 200 else desc[:197] + "..."
    return f"{path}: {problem}" + (f" (what goes here: {desc})" if desc else "")


def check_against_schema(raw: Mapping[str, Any]) -> None:
    """Validate ``raw`` against :func:`json_schema`; the first error is raised as one line naming its field path."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(json_schema())
    errors = list(_VALIDATOR.iter_errors(raw))
    unknown = sorted(_unknown_key_errors(errors), key=lambda e: len(e.absolute_path))
    # an unknown key first: a misspelt key is also the cause of the 'required' error beside it
    if unknown:
        raise SpecError(_unknown_key_message(unknown[0]))
    err = best_match(errors)
    if err is not None:
        raise SpecError(_schema_message(err))


def validate(raw: Mapping[str, Any], source: str = "<dict>") -> Study:
    """Validate a loaded spec and build a :class:`Study`; raise SpecError naming the field path.

    First the published JSON Schema (structure, types, allowed words), then the values
    (printed numbers, cross-references between fields), each error one line.
    """
    if not isinstance(raw, Mapping):
        raise SpecError("spec: the top level must be a JSON object")
    _check_depth(raw)
    check_against_schema(raw)
    version = _get(raw, "spec_version", int, "spec")
    if version not in SPEC_VERSIONS:
        raise SpecError(
            f"spec.spec_version: {version} is not supported; this nenaudit reads versions 1 and 2"
        )
    cohorts = _cohorts(raw, version)
    cmap = {c.id: c.label for c in cohorts}
    st = _get(raw, "study", dict, "spec")
    outcome = _get(raw, "outcome", dict, "spec", {}) or {}
    ogroups = _get(outcome, "groups", dict, "spec.outcome", {}) or {}
    design = _facts(_get(raw, "design", dict, "spec", {}) or {}, "spec.design", _FACT_RULES)
    mt_raw = _get(raw, "methods_tests", dict, "spec", {}) or {}
    mtests = _facts(
        mt_raw,
        "spec.methods_tests",
        {k: lambda v, p: _strings(v, p, nonempty=True) for k in mt_raw},
    )
    counts = []
    for i, c in enumerate(_get(raw, "stated_counts", list, "spec", []) or []):
        p = f"spec.stated_counts[{i}]"
        pv = parse_number(_get(c, "value", str, p))
        if pv.malformed or not float(pv.value).is_integer() or pv.value < 0:
            raise SpecError(f"{p}.value: {_short(c['value'])} is not a count (a whole number >= 0)")
        soc = tuple(
            _strings(
                _get(c, "sum_of_cohorts", list, p, None) or [], f"{p}.sum_of_cohorts", unique=True
            )
        )
        for j, cid in enumerate(soc):
            if cid not in cmap:
                raise SpecError(
                    f"{p}.sum_of_cohorts[{j}]: {cid!r} is not a cohort of the spec (cohorts: "
                    f"{', '.join(sorted(cmap)) or 'none'})"
                )
        if soc and c.get("cohort") is not None:
            raise SpecError(f"{p}: give either cohort or sum_of_cohorts, not both")
        if len(soc) == 1:
            raise SpecError(
                f'{p}.sum_of_cohorts: name at least two cohorts (for one cohort write "cohort")'
            )
        counts.append(
            StatedCount(
                _get(c, "quantity", str, p),
                pv,
                _get(c, "where", str, p),
                _cohort_ref(c, p, version, cmap, allow_all=True),
                soc,
            )
        )
    derived = []
    for i, c in enumerate(_get(raw, "derived_counts", list, "spec", []) or []):
        p = f"spec.derived_counts[{i}]"
        _get(c, "quantity", str, p)
        _strings(_get(c, "sum_of", list, p), f"{p}.sum_of", nonempty=True)
        derived.append(c)
    tables = tuple(
        _table(t, f"spec.tables[{i}]", version, cmap)
        for i, t in enumerate(_get(raw, "tables", list, "spec", []) or [])
    )
    tids = {t.id for t in tables}
    if len(tids) != len(tables):
        dup = next(t.id for t in tables if sum(u.id == t.id for u in tables) > 1)
        raise SpecError(f"spec.tables: table id {dup!r} is used twice; table ids must be unique")
    claims = []
    reg_items = raw.get("regression")
    if isinstance(reg_items, list):
        _need_v2(version, "spec.regression")
        if not reg_items:
            raise SpecError(
                "spec.regression: the list is empty; give at least one regression table (or leave it out)"
            )
        reg_paths = [(r, f"spec.regression[{i}]") for i, r in enumerate(reg_items)]
    else:
        reg_raw = _get(raw, "regression", dict, "spec", None)
        reg_paths = [] if reg_raw is None else [(reg_raw, "spec.regression")]
    reg_ids = [_get(r, "id", str, rp) for r, rp in reg_paths]
    reg_id = reg_ids[0] if reg_ids else None
    known_groups = (
        set(ogroups)
        | {g.outcome_group for t in tables for g in t.groups if g.outcome_group}
        | {lv.outcome_group for t in tables for r in t.rows for lv in r.levels if lv.outcome_group}
    )
    texts = []
    for i, tv in enumerate(_get(raw, "text_values", list, "spec", []) or []):
        p = f"spec.text_values[{i}]"
        cell = _get(tv, "cell", str, p)
        head = cell.split("/", 1)[0]
        known = tids | (
            {"auc"} | (set(reg_ids) | {"regression"} if reg_id else set())
            if version >= 2
            else set()
        )
        if head not in known:
            raise SpecError(
                f"{p}.cell: {cell!r} names a table that is not in the spec ({sorted(known)}); write "
                "'table/variable/level/group/count|percent', 'table/variable/group/mean|sd|median|q1|q3'"
                + (
                    ", 'regression/variable[/level]/univariable|multivariable/estimate|lo|hi|p' or "
                    "'auc/index/estimate|lo|hi'"
                    if version >= 2
                    else ""
                )
            )
        text = _get(tv, "printed", str, p)
        printed = parse_p(text) if cell.rsplit("/", 1)[-1] == "p" else parse_number(text)
        if printed.value is None:
            raise SpecError(
                f"{p}.printed: {_short(text)} is not a number; copy the number as the text prints it"
            )
        texts.append(TextValue(_get(tv, "where", str, p), _get(tv, "quote", str, p), printed, cell))
    for i, c in enumerate(_get(raw, "significance_claims", list, "spec", []) or []):
        p = f"spec.significance_claims[{i}]"
        cl = _get(c, "claim", str, p)
        if cl not in ("significant", "not significant"):
            raise SpecError(f"{p}.claim: {_short(cl)} must be 'significant' or 'not significant'")
        table = _get(c, "table", str, p)
        known = sorted(tids | set(reg_ids))
        if table not in known:
            raise SpecError(
                f"{p}.table: {_short(table)} names no table of the spec (tables: {', '.join(known)})"
            )
        column = _get(c, "column", str, p, None)
        if column is not None and column not in ("univariable", "multivariable"):
            raise SpecError(
                f"{p}.column: {_short(column)} must be 'univariable' or 'multivariable'"
            )
        variables = _strings(
            _get(c, "variables", list, p), f"{p}.variables", nonempty=True, unique=True
        )
        stat = (
            parse_statistic(c["statistic"], f"{p}.statistic")
            if c.get("statistic") is not None
            else None
        )
        ols = tuple(
            _strings(
                _get(c, "outcome_levels", list, p, None) or [], f"{p}.outcome_levels", unique=True
            )
        )
        claims.append(
            Claim(
                _get(c, "where", str, p),
                _get(c, "quote", str, p),
                table,
                cl,
                tuple(variables),
                column,
                stat,
                ols,
            )
        )
    regressions = tuple(
        _regression(r, rp, version, cmap, tids, known_groups) for r, rp in reg_paths
    )
    _unique(list(reg_ids), "spec.regression", "table id")
    clash = next((x for x in reg_ids if x in tids), None)
    if clash is not None:
        raise SpecError(
            f"spec.regression: id {clash!r} is also a table id; regression and table ids must differ"
        )
    regression = regressions[0] if regressions else None
    for i, c in enumerate(claims):
        reg = next((r for r in regressions if r.id == c.table), None)
        bad = next(
            (x for x in c.outcome_levels if reg is None or x not in reg.outcome_levels), None
        )
        if bad is not None:
            raise SpecError(
                f"spec.significance_claims[{i}].outcome_levels: {bad!r} is not an outcome level of the "
                f"polytomous table {c.table!r}"
                + (f" ({', '.join(reg.outcome_levels)})" if reg else "")
            )
    aucs = []
    for i, a in enumerate(_get(raw, "auc", list, "spec", []) or []):
        p = f"spec.auc[{i}]"
        est = parse_number(_get(a, "estimate", str, p))
        if est.malformed or not (0 <= est.value <= 1):
            raise SpecError(f"{p}.estimate: {a['estimate']!r} is not an AUC in [0, 1]")
        ci = _get(a, "ci", str, p, None)
        se_raw = _get(a, "se", str, p, None)
        se = parse_number(se_raw) if se_raw is not None else None
        if se is not None and (se.malformed or se.value is None or not se.value > 0):
            raise SpecError(
                f"{p}.se: {se_raw!r} is not a standard error (a positive number as printed, e.g. '0.062')"
            )
        ev_n, ct_n = _opt_whole(a, "event_n", p, 1), _opt_whole(a, "control_n", p, 1)
        if (ev_n is None) != (ct_n is None):
            raise SpecError(
                f"{p}: event_n and control_n go together (the AUC's own event and non-event counts); "
                "give both or neither"
            )
        aucs.append(
            AUCEntry(
                _get(a, "model", str, p),
                _get(a, "kind", str, p),
                est,
                parse_interval(ci, f"{p}.ci") if ci is not None else None,
                _get(a, "where", str, p),
                _cohort_ref(a, p, version, cmap),
                *_group_refs(a, p, known_groups),
                se,
                ev_n,
                ct_n,
            )
        )
    rad = _get(raw, "radiomics", dict, "spec", None)
    if rad is not None:
        _validate_radiomics(rad, "spec.radiomics")
    pipe = _get(raw, "pipeline", dict, "spec", None)
    if pipe is not None:
        _need_v2(version, "spec.pipeline")
        pipe = parse_pipeline(pipe, cmap, {a.model for a in aucs})
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()
    return Study(
        id=_get(st, "id", str, "spec.study"),
        citation=_get(st, "citation", str, "spec.study"),
        doi=_get(st, "doi", str, "spec.study", ""),
        source=source,
        sha256=hashlib.sha256(text).hexdigest(),
        raw=raw,
        outcome_groups=ogroups,
        design=design,
        methods_tests=mtests,
        stated_counts=tuple(counts),
        derived_counts=tuple(derived),
        text_values=tuple(texts),
        tables=tables,
        claims=tuple(claims),
        regression=regression,
        auc=tuple(aucs),
        radiomics=rad,
        version=version,
        cohorts=cohorts,
        diagnostics=_diagnostics(raw, version, cmap, known_groups),
        calibrations=_calibrations(raw, version, cmap, known_groups),
        regressions=regressions,
        pipeline=pipe,
    )


def _validate_radiomics(rad: Mapping[str, Any], path: str) -> None:
    """The radiomics block, every field the checks read: counts, names, the Radscore formula."""
    for name in ("n_features", "n_after_filters"):
        fact = _get(rad, name, dict, path, None)
        if fact is not None:
            _whole(_get(fact, "value", int, f"{path}.{name}"), f"{path}.{name}.value", 1)
            _get(fact, "where", str, f"{path}.{name}")
    it = _get(rad, "image_types", dict, path, None)
    if it is not None:
        types = _strings(
            _get(it, "value", list, f"{path}.image_types"),
            f"{path}.image_types.value",
            nonempty=True,
            unique=True,
        )
        try:
            load_catalogue().expected_counts(types)
        except NenauditError as exc:
            raise SpecError(f"{path}.image_types.value: {exc}") from None
        _get(it, "where", str, f"{path}.image_types", "")
    cc = _get(rad, "class_counts", dict, path, None)
    if cc is not None:
        cp = f"{path}.class_counts"
        _get(cc, "where", str, cp, "")
        orig = _get(cc, "original", dict, cp, {}) or {}
        for k, v in orig.items():
            _whole(v, f"{cp}.original.{k}", 0)
        for k, v in cc.items():
            if k not in ("where", "original"):
                _whole(v, f"{cp}.{k}", 0)
    listed = _get(rad, "selected_features_text", dict, path, None)
    if listed is not None:
        lp = f"{path}.selected_features_text"
        _strings(_get(listed, "names", list, lp), f"{lp}.names")
        _get(listed, "where", str, lp, "")
    rs = _get(rad, "radscore", dict, path, None)
    if rs is not None:
        rp = f"{path}.radscore"
        _get(rs, "where", str, rp, "")
        _get(rs, "standardization", str, rp, "")
        intercept = _get(rs, "intercept", str, rp, None)
        if intercept is not None and parse_number(intercept).malformed:
            raise SpecError(
                f"{rp}.intercept: {_short(intercept)} is not a number (or null: no intercept)"
            )
        row = _get(rs, "summary_row", str, rp, None)
        if row is not None and "/" not in row:
            raise SpecError(f"{rp}.summary_row: {_short(row)} is not 'table/variable'")
        for i, term in enumerate(_get(rs, "terms", list, rp)):
            tp = f"{rp}.terms[{i}]"
            _get(term, "feature", str, tp)
            c = parse_number(_get(term, "coefficient", str, tp))
            if c.malformed:
                raise SpecError(f"{tp}.coefficient: {_short(term['coefficient'])} is not a number")


# --------------------------------------------------------------------- loading
def load(path: str | Path | None = None) -> Study:
    """Load a spec: the embedded default when ``path`` is None, else a JSON file."""
    if path is None:
        ref = resources.files("nenaudit.study").joinpath(f"{DEFAULT_STUDY}.json")
        text, source = ref.read_text(encoding="utf-8"), f"embedded:{DEFAULT_STUDY}.json"
    else:
        p = Path(path)
        if not p.is_file():
            raise SpecError(f"--study {path}: no such file; give the path of a study spec JSON")
        try:
            text, source = p.read_text(encoding="utf-8"), str(p)
        except UnicodeDecodeError as exc:
            raise SpecError(
                f"--study {path}: not UTF-8 text (byte {exc.start}); save the spec as UTF-8 JSON"
            ) from None
        except OSError as exc:
            raise SpecError(f"--study {path}: cannot read it ({exc.strerror})") from None
    try:
        raw = parse_spec_json(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SpecError(
            f"{source}: nested too deeply to read; a study spec is a shallow JSON object"
        ) from None
    return validate(raw, source)


def _no_constant(name: str):
    raise SpecError(
        f"spec: {name} is not JSON (strict JSON has no NaN or Infinity); write a number or null"
    )
