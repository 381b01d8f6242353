"""The pyradiomics feature catalogue: which features a default 3-D extraction yields, and how they are named.

The data live in ``pyradiomics_features.json`` beside this module, written by
``tools/make_feature_catalogue.py`` from the installed ``radiomics`` package and
checked there against a real extraction. Nothing here imports ``radiomics``.

pyradiomics names each feature ``<image type>_<class>_<feature>``, e.g.
``original_shape_Sphericity`` or ``wavelet-LLH_glcm_Correlation``. Papers
usually drop the class and change the case and separators
(``Wavelet_LLH_ClusterShade``); :func:`parse_published_name` maps such a name
back onto the catalogue and lists whatever does not fit, without raising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from nenaudit.exceptions import NenauditError

__all__ = [
    "CATALOGUE_FILE",
    "ExpectedCounts",
    "FeatureCatalogue",
    "ParsedName",
    "Problem",
    "classes_of",
    "expected_counts",
    "feature_key",
    "load_catalogue",
    "parse_published_name",
]

CATALOGUE_FILE = "pyradiomics_features.json"

# Problem codes returned by parse_published_name.
EMPTY = "empty"
MALFORMED_PREFIX = "malformed_prefix"
MISSING_IMAGE_TYPE = "missing_image_type"
NON_DEFAULT_IMAGE_TYPE = "non_default_image_type"
NON_DEFAULT_WAVELET_LEVEL = "non_default_wavelet_level"
MISSING_DECOMPOSITION = "missing_decomposition"
UNKNOWN_DECOMPOSITION = "unknown_decomposition"
UNKNOWN_FEATURE = "unknown_feature"
FEATURE_CASE = "feature_case"
DEPRECATED_FEATURE = "deprecated_feature"
NON_DEFAULT_CLASS = "non_default_class"
FEATURE_NOT_IN_CLASS = "feature_not_in_class"
SHAPE_NOT_ON_FILTERED_IMAGE = "shape_not_on_filtered_image"
AMBIGUOUS_CLASS = "ambiguous_class"

_SPLIT = re.compile(r"[\s_\-.]+")
_WAVELET_PREFIX = re.compile(r"wavelet(\d*)", re.IGNORECASE)
_LH = re.compile(r"[LH]+", re.IGNORECASE)
# Tokens that follow a non-default image type's name in pyradiomics keys: log-sigma-3-0-mm-3D, lbp-3D-m1, lbp-3D-k
_IMAGE_TYPE_ARGS = re.compile(r"sigma|mm|\d+|[23]d|m\d+|k", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One way a published name departs from the catalogue: a stable ``code`` and a one-line ``detail``."""

    code: str
    detail: str


@dataclass(frozen=True)
class ParsedName:
    """What :func:`parse_published_name` made of one name.

    ``image_type`` is the family in lower case (``"original"``, ``"wavelet"``, ``"log"``...) or None;
    ``decomposition`` the wavelet letters as written (upper-cased), or None; ``classes`` the catalogue
    classes the feature can belong to here (one when resolved, several when ambiguous, none when unknown);
    ``feature`` the canonical pyradiomics spelling when known, else the text as written; ``key`` the
    pyradiomics feature key when everything resolved to a single default feature, else None.
    """

    text: str
    image_type: str | None = None
    decomposition: str | None = None
    wavelet_level: int | None = None
    stated_class: str | None = None
    classes: tuple[str, ...] = ()
    feature: str | None = None
    key: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)

    @property
    def image_name(self) -> str | None:
        """pyradiomics' name of the image: ``original``, ``wavelet-LLH``; None for other or broken prefixes."""
        if self.image_type == "original":
            return "original"
        if self.image_type == "wavelet" and self.decomposition:
            level = "" if self.wavelet_level in (None, 1) else str(self.wavelet_level)
            return f"wavelet{level}-{self.decomposition}"
        return None


@dataclass(frozen=True)
class ExpectedCounts:
    """Feature counts that a default extraction yields for the requested image types."""

    by_image_type: Mapping[str, int]
    by_class: Mapping[str, int]
    total: int


def _frozen_lists(raw: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({k: tuple(v) for k, v in raw.items()})


@dataclass(frozen=True)
class FeatureCatalogue:
    """The catalogue as read from the JSON; immutable. Build it with :func:`load_catalogue`."""

    package: str
    version: str
    image_types: Mapping[str, tuple[str, ...]]
    classes: Mapping[str, tuple[str, ...]]
    deprecated: Mapping[str, tuple[str, ...]]
    other_classes: Mapping[str, tuple[str, ...]]
    shape_only_on_original: bool
    counts: Mapping[str, Any]
    total_default_3d: int
    available_image_types: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    # ------------------------------------------------------------ building
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureCatalogue:
        """Build from the decoded JSON; a missing or mistyped section is a :class:`NenauditError`."""
        try:
            source = data["source"]
            image_types = data["image_types"]
            if set(image_types) != {"original", "wavelet"}:
                raise NenauditError(
                    f"image_types: expected 'original' and 'wavelet', got {sorted(image_types)}"
                )
            other = {
                name: list(v.get("features", []))
                for name, v in data.get("other_classes", {}).items()
            }
            return cls(
                package=str(source["package"]),
                version=str(source["version"]),
                image_types=_frozen_lists(image_types),
                classes=_frozen_lists(data["classes"]),
                deprecated=_frozen_lists(data["deprecated"]),
                other_classes=_frozen_lists(other),
                shape_only_on_original=bool(data["shape_only_on_original"]),
                counts=MappingProxyType(dict(data["counts"])),
                total_default_3d=int(data["total_default_3d"]),
                available_image_types=tuple(data.get("available_image_types", ())),
                raw=MappingProxyType(dict(data)),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if isinstance(exc, NenauditError):
                raise
            raise NenauditError(
                f"{CATALOGUE_FILE}: malformed catalogue ({type(exc).__name__}: {exc})"
            ) from None

    # ------------------------------------------------------------ lookups
    @property
    def wavelet_decompositions(self) -> tuple[str, ...]:
        """The decomposition letters, e.g. ``("LLL", "LLH", ...)``."""
        return tuple(name.split("-", 1)[1] for name in self.image_types["wavelet"])

    @property
    def image_names(self) -> tuple[str, ...]:
        """Every pyradiomics image name in the default extraction: ``original``, ``wavelet-LLL``, ..."""
        return self.image_types["original"] + self.image_types["wavelet"]

    def _classes_on(self, image_name: str) -> tuple[str, ...]:
        if image_name == "original" or not self.shape_only_on_original:
            return tuple(self.classes)
        return tuple(c for c in self.classes if c != "shape")

    def _expand_image_types(self, image_types: str | Iterable[str]) -> dict[str, tuple[str, ...]]:
        if isinstance(image_types, str):
            image_types = [image_types]
        by_name = {n.lower(): n for n in self.image_names}
        out: dict[str, tuple[str, ...]] = {}
        for requested in image_types:
            low = str(requested).strip().lower()
            if low in self.image_types:
                out[low] = self.image_types[low]
            elif low in by_name:
                out[by_name[low]] = (by_name[low],)
            else:
                raise NenauditError(
                    f"image type {requested!r} is not in the catalogue; use 'original', 'wavelet' "
                    f"or one of {', '.join(self.image_types['wavelet'])}"
                )
        return out

    def expected_counts(
        self, image_types: str | Iterable[str] = ("original", "wavelet")
    ) -> ExpectedCounts:
        """Counts per requested image type and per class, and the total, for a default extraction.

        ``image_types`` holds families (``"original"``, ``"wavelet"``: all 8 decompositions) or single
        image names (``"wavelet-LLH"``); case does not matter. An image counted twice (``"wavelet"`` and
        ``"wavelet-LLH"``) is counted once in ``by_class`` and ``total``.
        """
        groups = self._expand_image_types(image_types)
        by_image_type: dict[str, int] = {}
        by_class: dict[str, int] = {c: 0 for c in self.classes}
        seen: set[str] = set()
        for label, names in groups.items():
            by_image_type[label] = sum(
                len(self.classes[c]) for n in names for c in self._classes_on(n)
            )
            for n in names:
                if n in seen:
                    continue
                seen.add(n)
                for c in self._classes_on(n):
                    by_class[c] += len(self.classes[c])
        by_class = {c: v for c, v in by_class.items() if v}
        return ExpectedCounts(
            by_image_type=MappingProxyType(by_image_type),
            by_class=MappingProxyType(by_class),
            total=sum(by_class.values()),
        )

    def feature_keys(
        self, image_types: str | Iterable[str] = ("original", "wavelet")
    ) -> tuple[str, ...]:
        """Every pyradiomics feature key a default extraction yields for ``image_types``, in a stable order."""
        names: list[str] = []
        for group in self._expand_image_types(image_types).values():
            names += [n for n in group if n not in names]
        return tuple(
            f"{n}_{c}_{f}" for n in names for c in self._classes_on(n) for f in self.classes[c]
        )

    def feature_key(self, image_type: str, cls: str, name: str) -> str:
        """The pyradiomics key, e.g. ``feature_key("wavelet-LLH", "glcm", "Correlation")``.

        ``image_type`` is ``original`` or a wavelet image name (``wavelet-LLH``), any case. Raises
        :class:`NenauditError` for anything a default 3-D extraction does not produce.
        """
        by_name = {n.lower(): n for n in self.image_names}
        image = by_name.get(str(image_type).strip().lower())
        if image is None:
            raise NenauditError(
                f"image type {image_type!r}: expected 'original' or one of {', '.join(self.image_types['wavelet'])}"
            )
        if cls not in self.classes:
            raise NenauditError(f"feature class {cls!r}: expected one of {', '.join(self.classes)}")
        if name not in self.classes[cls]:
            hint = (
                " (deprecated, not extracted by default)"
                if name in self.deprecated.get(cls, ())
                else ""
            )
            raise NenauditError(f"{cls} has no default feature {name!r}{hint}")
        if cls not in self._classes_on(image):
            raise NenauditError(
                f"{cls} features are computed on the original image only, not on {image}"
            )
        return f"{image}_{cls}_{name}"

    def classes_of(self, name: str, include_deprecated: bool = False) -> tuple[str, ...]:
        """The classes having a default feature spelled exactly ``name``; e.g. ``Contrast`` -> glcm, ngtdm."""
        found = [c for c, names in self.classes.items() if name in names]
        if include_deprecated:
            found += [c for c, names in self.deprecated.items() if name in names and c not in found]
        return tuple(found)

    # ------------------------------------------------------------ parsing
    def _lookup_feature(self, word: str) -> tuple[str, dict[str, str], list[Problem]]:
        """Canonical spelling, {class: kind} with kind in default/deprecated/other, and problems."""
        pools = [
            ("default", self.classes),
            ("deprecated", self.deprecated),
            ("other", self.other_classes),
        ]
        for exact in (True, False):
            hits: dict[str, str] = {}
            canonical = word
            for kind, pool in pools:
                for c, names in pool.items():
                    for n in names:
                        if (n == word) if exact else (n.lower() == word.lower()):
                            hits.setdefault(c, kind)
                            canonical = n
                if hits:
                    break
            if hits:
                problems = []
                if not exact:
                    problems.append(
                        Problem(FEATURE_CASE, f"{word!r} is spelled {canonical!r} in pyradiomics")
                    )
                return canonical, hits, problems
        return word, {}, [Problem(UNKNOWN_FEATURE, f"{word!r} is not a pyradiomics feature name")]

    def parse_published_name(self, text: str) -> ParsedName:
        """Map a paper-style feature name onto the catalogue; never raises.

        Accepts pyradiomics keys (``wavelet-LLH_glcm_Imc1``) and the usual published variants
        (``Original_RootMeanSquared``, ``Wavelet_LLH_ClusterShade``, ``Wavelet-LLH-GLCM-Imc1``).
        The last token is the feature; before it come the image type, for wavelets the
        decomposition letters, and optionally the class. Everything that departs from a default
        3-D extraction is listed in ``problems``.
        """
        if not isinstance(text, str):
            return ParsedName(
                text=repr(text),
                problems=(Problem(EMPTY, f"expected a name, got {type(text).__name__}"),),
            )
        if not text.strip():
            return ParsedName(text=text, problems=(Problem(EMPTY, "no feature name given"),))
        tokens = [t for t in _SPLIT.split(text.strip()) if t]
        if not tokens:
            return ParsedName(text=text, problems=(Problem(EMPTY, f"{text!r} has no name in it"),))
        *head, word = tokens
        problems: list[Problem] = []
        image_type: str | None = None
        decomposition: str | None = None
        level: int | None = None
        class_names = {c.lower(): c for c in (*self.classes, *self.other_classes)}
        other_types = {t.lower() for t in self.available_image_types} - {"original", "wavelet"}
        if {"lbp2d", "lbp3d"} & other_types:
            other_types.add("lbp")  # keys are written lbp-2D, lbp-3D-m1, lbp-3D-k

        rest = list(head)
        if not rest:
            problems.append(
                Problem(MISSING_IMAGE_TYPE, f"{text!r} names no image type (original, wavelet-...)")
            )
        else:
            first = rest.pop(0)
            low = first.lower()
            wavelet = _WAVELET_PREFIX.fullmatch(first)
            if low == "original":
                image_type = "original"
            elif wavelet or low.startswith("wavelet"):
                image_type = "wavelet"
                if wavelet:
                    level = int(wavelet.group(1)) if wavelet.group(1) else 1
                    if level != 1:
                        problems.append(
                            Problem(
                                NON_DEFAULT_WAVELET_LEVEL,
                                f"{first!r}: wavelet level {level}; the default extraction has level 1 only",
                            )
                        )
                else:
                    level = 1
                    problems.append(
                        Problem(MALFORMED_PREFIX, f"{first!r} is not a wavelet image-type prefix")
                    )
                letters = []
                while rest and _LH.fullmatch(rest[0]):
                    letters.append(rest.pop(0).upper())
                if not letters:
                    problems.append(
                        Problem(
                            MISSING_DECOMPOSITION,
                            f"{text!r}: wavelet without decomposition letters",
                        )
                    )
                else:
                    decomposition = letters[-1]
                    if len(letters) > 1:
                        problems.append(
                            Problem(
                                MALFORMED_PREFIX,
                                f"{text!r}: several decomposition-like parts {letters}",
                            )
                        )
                    if decomposition not in self.wavelet_decompositions:
                        n = (
                            len(self.wavelet_decompositions[0])
                            if self.wavelet_decompositions
                            else 3
                        )
                        problems.append(
                            Problem(
                                UNKNOWN_DECOMPOSITION,
                                f"{decomposition!r} is not a 3-D wavelet decomposition "
                                f"({len(decomposition)} letters; 3-D wavelets have {n}: "
                                f"{', '.join(self.wavelet_decompositions)})",
                            )
                        )
            elif low in other_types:
                image_type = low
                while rest and _IMAGE_TYPE_ARGS.fullmatch(rest[0]):
                    rest.pop(0)
                problems.append(
                    Problem(
                        NON_DEFAULT_IMAGE_TYPE,
                        f"{first!r} images are not part of the original + wavelet extraction",
                    )
                )
            elif "".join([first, *rest]).lower() in class_names:
                rest.insert(0, first)
                problems.append(
                    Problem(
                        MISSING_IMAGE_TYPE, f"{text!r} names no image type (original, wavelet-...)"
                    )
                )
            else:
                problems.append(Problem(MALFORMED_PREFIX, f"{first!r} is not an image type"))

        stated_class: str | None = None
        if rest:
            joined = "".join(rest).lower()
            if joined in class_names:
                stated_class = class_names[joined]
            else:
                problems.append(
                    Problem(
                        MALFORMED_PREFIX,
                        f"{text!r}: unexpected {'_'.join(rest)!r} before the feature",
                    )
                )

        feature, hits, feature_problems = self._lookup_feature(word)
        problems += feature_problems
        candidates = list(hits)
        if stated_class is not None and hits:
            if stated_class in hits:
                candidates = [stated_class]
            else:
                problems.append(
                    Problem(
                        FEATURE_NOT_IN_CLASS,
                        f"{feature!r} is not a {stated_class} feature (it is in {', '.join(hits)})",
                    )
                )
        if image_type is not None and image_type != "original" and self.shape_only_on_original:
            if candidates and all(c.startswith("shape") for c in candidates):
                problems.append(
                    Problem(
                        SHAPE_NOT_ON_FILTERED_IMAGE,
                        f"{feature!r} is a shape feature, computed on the original image only",
                    )
                )
            else:
                candidates = [c for c in candidates if not c.startswith("shape")]
        kinds = {hits[c] for c in candidates if c in hits}
        if "deprecated" in kinds and "default" not in kinds:
            problems.append(
                Problem(
                    DEPRECATED_FEATURE,
                    f"{feature!r} is deprecated in pyradiomics and not extracted by default",
                )
            )
        if "other" in kinds and "default" not in kinds:
            problems.append(
                Problem(
                    NON_DEFAULT_CLASS,
                    f"{feature!r} belongs only to {', '.join(candidates)}, not enabled for 3-D images",
                )
            )
        if len(candidates) > 1:
            problems.append(
                Problem(
                    AMBIGUOUS_CLASS,
                    f"{feature!r} is a feature of {', '.join(candidates)}; the name does not say which",
                )
            )

        parsed = ParsedName(
            text=text,
            image_type=image_type,
            decomposition=decomposition,
            wavelet_level=level,
            stated_class=stated_class,
            classes=tuple(candidates),
            feature=feature,
            problems=tuple(problems),
        )
        key = None
        blocking = {MALFORMED_PREFIX, FEATURE_NOT_IN_CLASS, NON_DEFAULT_WAVELET_LEVEL}
        if (
            len(candidates) == 1
            and hits.get(candidates[0]) == "default"
            and parsed.image_name in self.image_names
            and not blocking & set(parsed.problem_codes)
            and candidates[0] in self._classes_on(parsed.image_name)
        ):
            key = f"{parsed.image_name}_{candidates[0]}_{feature}"
        return replace(parsed, key=key)


@lru_cache(maxsize=1)
def load_catalogue() -> FeatureCatalogue:
    """The catalogue shipped with nenaudit (read once)."""
    ref = resources.files("nenaudit.radiomics").joinpath(CATALOGUE_FILE)
    try:
        data = json.loads(ref.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NenauditError(
            f"{CATALOGUE_FILE} is missing: run tools/make_feature_catalogue.py"
        ) from None
    except json.JSONDecodeError as exc:
        raise NenauditError(
            f"{CATALOGUE_FILE}: not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    return FeatureCatalogue.from_dict(data)


def expected_counts(image_types: str | Iterable[str] = ("original", "wavelet")) -> ExpectedCounts:
    """:meth:`FeatureCatalogue.expected_counts` on the shipped catalogue."""
    return load_catalogue().expected_counts(image_types)


def feature_key(image_type: str, cls: str, name: str) -> str:
    """:meth:`FeatureCatalogue.feature_key` on the shipped catalogue."""
    return load_catalogue().feature_key(image_type, cls, name)


def classes_of(name: str, include_deprecated: bool = False) -> tuple[str, ...]:
    """:meth:`FeatureCatalogue.classes_of` on the shipped catalogue."""
    return load_catalogue().classes_of(name, include_deprecated)


def parse_published_name(text: str) -> ParsedName:
    """:meth:`FeatureCatalogue.parse_published_name` on the shipped catalogue."""
    return load_catalogue().parse_published_name(text)
