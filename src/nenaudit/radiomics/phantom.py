"""Arterial-phase-CT-like phantoms: a liver with hepatic lesions, label masks, and observer re-segmentations.

What a phantom is
-----------------
One image per patient, in Hounsfield units (int16), with the anisotropic voxels of the paper's
acquisition (~0.7 x 0.7 mm in-plane, 5 mm slices; Feng et al. 2025, section 2.3), of a field of
view around the liver: soft tissue (``background_hu``), a liver ellipsoid (``liver_hu``) and the
patient's lesions (1-2 per patient in the paper). Each lesion is an ellipsoid with its own size,
orientation, arterial enhancement (mean HU), texture (Gaussian-correlated HU fluctuations of a
given SD and correlation length) and, optionally, a hypodense necrotic core. The lesion is drawn
with partial-volume averaging across the slice thickness (``z_subsamples`` sub-slices), the image
is blurred in-plane by a Gaussian point-spread function and CT noise is added.

How lesions carry the response
------------------------------
:class:`ResponseModel` gives the lesion appearance per outcome (0 = effective CR+PR, 1 =
ineffective SD+PD, the cohort's coding): by default ineffective lesions enhance less, are more
heterogeneous (larger, coarser texture) and more often necrotic, so that first-order and texture
features differ between the groups; size does not depend on the outcome (the paper found tumour
diameter not predictive). These are modelling choices for a test bed, not findings. When
lesions.csv has a diameter column (:data:`DIAMETER_COLUMNS`: ``diameter_mm``, or the study's
category "Diameter of the hepatic metastasis" such as "1–3 cm"), each lesion's largest diameter is
drawn within it; otherwise from the log-normal of :class:`ResponseModel`.

Masks and observers
-------------------
The reference mask of a lesion (observer 1, reading 1) is the set of voxels whose centre lies
inside the lesion ellipsoid. Re-segmentations are perturbations of it (:func:`perturb_mask`,
:class:`ObserverModel`): per-slice erosion or dilation of the contour by one pixel, per-slice
in-plane jitter, adding or dropping an end slice, and a systematic dilation/erosion for a
second reader. Observer 1's repeat uses :data:`OBSERVER1_REPEAT`, observer 2 :data:`OBSERVER2`.

Randomness
----------
Only through ``numpy.random.Generator``. Each patient's image and masks come from a generator
seeded by ``SeedSequence([seed, patient position in the cohort])``, so a patient's files do not
depend on which other patients are generated or in which order.

Files (:func:`write_phantom`)
-----------------------------
``images/<patient_id>.nii.gz``, ``masks/<lesion_id>_o<observer>r<repeat>.nii.gz`` (label 1),
``masks/index.csv`` (lesion_id, observer, repeat, image, mask: the pairing read by
:func:`nenaudit.radiomics.extract.find_cases`), ``truth.csv`` (each lesion's drawn parameters and
its analytic volume) and ``manifest.json``. Written into a temporary directory renamed at the end.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.ndimage import binary_dilation, binary_erosion, gaussian_filter

from nenaudit.cohort import FILES, load_cohort
from nenaudit.exceptions import DataError, NenauditError
from nenaudit.io import dumps_json, numeric_column, read_csv, require_columns
from nenaudit.outputs import output_dir
from nenaudit.stats.result import Result

__all__ = [
    "DEFAULT_SPACING",
    "OBSERVER1_REPEAT",
    "OBSERVER2",
    "LesionSpec",
    "ObserverModel",
    "PhantomSummary",
    "ResponseModel",
    "ScanModel",
    "diameter_range_mm",
    "draw_lesions",
    "mask_name",
    "perturb_mask",
    "read_cohort_lesions",
    "reference_mask",
    "render_patient",
    "sphere_case",
    "to_sitk",
    "write_phantom",
]

#: (x, y, z) voxel size in mm of an arterial-phase CT like the paper's: 360 mm field of view on a 512 x 512
#: matrix (0.703125 mm pixels, "0.7 mm"), 5.0 mm slice thickness and increment (stated in section 2.3).
#: 0.703125 = 45/64 is exact in binary: NIfTI stores spacing and origin as float32, and a spacing such as
#: 0.7 would be read back as 0.699999988, which moves pyradiomics' resampling grid and changes features
#: between a NIfTI and an NRRD/DICOM copy of the same image (seen in the tests). With 45/64 all agree.
DEFAULT_SPACING = (0.703125, 0.703125, 5.0)
#: The paper re-segmented 46 of 131 lesions (section 2.3).
PAPER_RESEGMENTED_FRACTION = 46 / 131
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]+$")
#: lesions.csv columns that set a lesion's largest diameter: a number in mm, or the study's printed
#: category ("1–3 cm", "3–5 cm", ">5 cm"), within which the diameter is drawn uniformly.
DIAMETER_COLUMNS = ("diameter_mm", "Diameter of the hepatic metastasis")
_NUM = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(rf"^\s*{_NUM}\s*[–—-]\s*{_NUM}\s*(cm|mm)\s*$")
_ABOVE = re.compile(rf"^\s*(?:>|≥|>=)\s*{_NUM}\s*(cm|mm)\s*$")
_BELOW = re.compile(rf"^\s*(?:<|≤|<=)\s*{_NUM}\s*(cm|mm)\s*$")
_SINGLE = re.compile(rf"^\s*{_NUM}\s*(cm|mm)?\s*$")


# ---------------------------------------------------------------------------------------------
# Models (all frozen; every number is a parameter)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanModel:
    """Acquisition: grid, tissue HU, point-spread function and noise.

    ``size`` is (x, y, z) in voxels; the default 256 x 256 x 30 at 0.703125 x 0.703125 x 5 mm is a
    180 x 180 x 150 mm field of view around the liver. ``liver_semi_axes_mm`` is (x, y, z).
    """

    spacing: tuple[float, float, float] = DEFAULT_SPACING
    size: tuple[int, int, int] = (256, 256, 30)
    background_hu: float = 35.0
    liver_hu: float = 75.0
    liver_texture_sd_hu: float = 6.0
    liver_semi_axes_mm: tuple[float, float, float] = (78.0, 62.0, 62.0)
    noise_sd_hu: float = 12.0
    psf_sigma_mm: float = 0.6
    z_subsamples: int = 5

    def __post_init__(self) -> None:
        if len(self.spacing) != 3 or min(self.spacing) <= 0:
            raise NenauditError(f"spacing must be three positive numbers (mm), got {self.spacing}")
        if len(self.size) != 3 or min(self.size) < 4:
            raise NenauditError(f"size must be three integers >= 4 (voxels), got {self.size}")
        if self.z_subsamples < 1:
            raise NenauditError(f"z_subsamples must be >= 1, got {self.z_subsamples}")

    @property
    def extent_mm(self) -> np.ndarray:
        return np.asarray(self.size, float) * np.asarray(self.spacing, float)

    @property
    def origin_mm(self) -> np.ndarray:
        """Physical position of voxel (0, 0, 0): the field of view is centred on (0, 0, 0)."""
        return -(np.asarray(self.size, float) - 1) / 2 * np.asarray(self.spacing, float)


@dataclass(frozen=True)
class ResponseModel:
    """Lesion appearance per outcome; each pair is (outcome 0 = effective, outcome 1 = ineffective).

    Diameters (largest axis) are log-normal with median ``diameter_median_mm`` and geometric SD
    ``diameter_gsd``, clipped to ``diameter_range_mm`` (the paper's lesions are > 1 cm).
    """

    enhancement_hu: tuple[float, float] = (125.0, 110.0)
    enhancement_sd_hu: float = 15.0
    texture_sd_hu: tuple[float, float] = (12.0, 18.0)
    texture_scale_mm: tuple[float, float] = (1.8, 2.6)
    necrosis_prob: tuple[float, float] = (0.15, 0.3)
    necrosis_hu: float = 35.0
    diameter_median_mm: float = 24.0
    diameter_gsd: float = 1.45
    diameter_range_mm: tuple[float, float] = (10.0, 60.0)
    elongation_range: tuple[float, float] = (0.7, 1.0)


@dataclass(frozen=True)
class ObserverModel:
    """How a re-segmentation departs from the reference mask.

    Per slice: with probability ``edge_prob`` the slice's contour is eroded or dilated by one pixel
    (each half the time); the slice is shifted in-plane by an integer in [-max_shift_px, max_shift_px]
    per axis. Per lesion: with probability ``end_slice_prob`` each end (top, bottom) gains or loses a
    slice; ``bias_px`` dilates (> 0) or erodes (< 0) every slice first (a reader who draws wider).
    """

    edge_prob: float = 0.3
    max_shift_px: int = 1
    end_slice_prob: float = 0.15
    bias_px: int = 0

    def __post_init__(self) -> None:
        for name in ("edge_prob", "end_slice_prob"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise NenauditError(f"ObserverModel.{name} must be in [0, 1], got {v}")
        if self.max_shift_px < 0:
            raise NenauditError(f"ObserverModel.max_shift_px must be >= 0, got {self.max_shift_px}")


#: Observer 1 segmenting again two weeks later: small, unbiased boundary changes.
OBSERVER1_REPEAT = ObserverModel(edge_prob=0.3, max_shift_px=1, end_slice_prob=0.15, bias_px=0)
#: A second observer: larger changes and a systematic one-pixel wider contour.
OBSERVER2 = ObserverModel(edge_prob=0.5, max_shift_px=1, end_slice_prob=0.3, bias_px=1)


@dataclass(frozen=True)
class LesionSpec:
    """One lesion as drawn: geometry in mm (x, y, z), rotation about z in degrees, appearance in HU."""

    lesion_id: str
    patient_id: str
    outcome: int
    centre_mm: tuple[float, float, float]
    semi_axes_mm: tuple[float, float, float]
    rotation_deg: float = 0.0
    enhancement_hu: float = 120.0
    texture_sd_hu: float = 0.0
    texture_scale_mm: float = 2.0
    necrosis_fraction: float = 0.0
    necrosis_hu: float = 35.0

    @property
    def volume_mm3(self) -> float:
        a, b, c = self.semi_axes_mm
        return 4.0 / 3.0 * math.pi * a * b * c

    @property
    def max_diameter_mm(self) -> float:
        return 2.0 * max(self.semi_axes_mm)


@dataclass(frozen=True)
class PhantomSummary(Result):
    """What :func:`write_phantom` wrote."""

    out_dir: str
    seed: int
    n_patients: int
    n_lesions: int
    n_resegmented: int
    n_masks: int
    spacing: tuple[float, float, float]
    size: tuple[int, int, int]
    files: Mapping[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------


def _axes(scan: ScanModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Physical voxel-centre coordinates (x, y, z) in mm."""
    o, s = scan.origin_mm, np.asarray(scan.spacing, float)
    x = o[0] + s[0] * np.arange(scan.size[0])
    y = o[1] + s[1] * np.arange(scan.size[1])
    z = o[2] + s[2] * np.arange(scan.size[2])
    return x, y, z


def _ellipsoid_r2(
    spec: LesionSpec, x: np.ndarray, y: np.ndarray, z: np.ndarray, scale: float = 1.0
) -> np.ndarray:
    """Normalised squared radius of points (z, y, x broadcast) w.r.t. the lesion ellipsoid (<= 1 inside)."""
    cx, cy, cz = spec.centre_mm
    a, b, c = (scale * v for v in spec.semi_axes_mm)
    t = math.radians(spec.rotation_deg)
    dx = x[None, None, :] - cx
    dy = y[None, :, None] - cy
    dz = z[:, None, None] - cz
    u = math.cos(t) * dx + math.sin(t) * dy
    v = -math.sin(t) * dx + math.cos(t) * dy
    return (u / a) ** 2 + (v / b) ** 2 + (dz / c) ** 2


def _bbox(spec: LesionSpec, scan: ScanModel, margin_mm: float) -> tuple[slice, slice, slice]:
    """Index box (z, y, x) holding the lesion plus ``margin_mm``; clipped to the image."""
    r = max(spec.semi_axes_mm) + margin_mm
    rz = spec.semi_axes_mm[2] + margin_mm
    o, s = scan.origin_mm, np.asarray(scan.spacing, float)
    out = []
    for axis, half in ((2, rz), (1, r), (0, r)):
        lo = int(math.floor((spec.centre_mm[axis] - half - o[axis]) / s[axis]))
        hi = int(math.ceil((spec.centre_mm[axis] + half - o[axis]) / s[axis])) + 1
        out.append(slice(max(lo, 0), min(hi, scan.size[axis])))
    return tuple(out)  # type: ignore[return-value]


def reference_mask(spec: LesionSpec, scan: ScanModel) -> np.ndarray:
    """The reference segmentation (z, y, x uint8): voxels whose centre is inside the lesion ellipsoid."""
    x, y, z = _axes(scan)
    mask = np.zeros(scan.size[::-1], np.uint8)
    bz, by, bx = _bbox(spec, scan, margin_mm=max(scan.spacing))
    r2 = _ellipsoid_r2(spec, x[bx], y[by], z[bz])
    mask[bz, by, bx] = r2 <= 1.0
    return mask


def _occupancy(spec: LesionSpec, scan: ScanModel, box, scale: float = 1.0) -> np.ndarray:
    """Fraction of each voxel's slice thickness inside the ellipsoid (partial volume along z)."""
    x, y, z = _axes(scan)
    n = scan.z_subsamples
    offsets = ((np.arange(n) + 0.5) / n - 0.5) * scan.spacing[2]
    bz, by, bx = box
    acc = np.zeros((bz.stop - bz.start, by.stop - by.start, bx.stop - bx.start))
    for d in offsets:
        acc += _ellipsoid_r2(spec, x[bx], y[by], z[bz] + d, scale) <= 1.0
    return acc / n


# ---------------------------------------------------------------------------------------------
# Drawing lesions for a cohort
# ---------------------------------------------------------------------------------------------


def _check_ids(values: pd.Series, col: str, source: str) -> None:
    for i, v in enumerate(values):
        if not _SAFE_ID.match(v):
            raise DataError(
                f"{source}: column {col!r}, line {i + 2}: {v!r} is not usable as a file name; "
                "use letters, digits, '.', '_' or '-'"
            )


def read_cohort_lesions(cohort_dir: str | os.PathLike) -> tuple[pd.DataFrame, list[str] | None]:
    """(lesions with lesion_id, patient_id, outcome as str/str/int; the re-segmented lesion ids or None).

    The lesion table also has ``diameter_lo_mm``/``diameter_hi_mm`` from a column of
    :data:`DIAMETER_COLUMNS` when there is one (NaN where unknown: the diameter is then drawn).

    A complete cohort directory is read through :func:`nenaudit.cohort.load_cohort` (all its checks);
    a directory with only ``lesions.csv`` (and optionally ``observers.csv``) is read directly.
    """
    root = Path(cohort_dir)
    if not root.is_dir():
        raise DataError(f"{root}: no such cohort directory; give a directory holding lesions.csv")
    resegmented: list[str] | None = None
    if all((root / f).is_file() for f in FILES):
        cohort = load_cohort(root)
        lesions, obs = cohort.lesions, cohort.observers
    else:
        src = str(root / "lesions.csv")
        lesions = read_csv(src)
        obs = read_csv(root / "observers.csv") if (root / "observers.csv").is_file() else None
    src = str(root / "lesions.csv")
    require_columns(lesions, ["lesion_id", "patient_id", "outcome"], src)
    y = numeric_column(lesions, "outcome", src)  # NaN / non-numbers refused with their line
    if not np.isin(y, (0.0, 1.0)).all():
        i = int(np.flatnonzero(~np.isin(y, (0.0, 1.0)))[0])
        raise DataError(
            f"{src}: column 'outcome', line {i + 2}: {y[i]:g}; code 1 = ineffective (SD+PD), "
            "0 = effective (CR+PR)"
        )
    out = pd.DataFrame(
        {
            "lesion_id": lesions["lesion_id"].astype(str),
            "patient_id": lesions["patient_id"].astype(str),
            "outcome": y.astype(int),
        }
    )
    for col in ("lesion_id", "patient_id"):
        if lesions[col].isna().any():
            line = int(np.flatnonzero(lesions[col].isna().to_numpy())[0]) + 2
            raise DataError(
                f"{src}: column {col!r}, line {line}: missing id; every lesion needs one"
            )
        _check_ids(out[col], col, src)
    col = next((c for c in DIAMETER_COLUMNS if c in lesions.columns), None)
    out["diameter_lo_mm"] = math.nan
    out["diameter_hi_mm"] = math.nan
    if col is not None:
        for i, v in enumerate(lesions[col].tolist()):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            r = diameter_range_mm(v)
            if r is None:
                raise DataError(
                    f"{src}: column {col!r}, line {i + 2}: {v!r} is not a diameter; use a number of mm "
                    "or a category like '1–3 cm', '>5 cm'"
                )
            out.loc[i, ["diameter_lo_mm", "diameter_hi_mm"]] = r
    dup = out["lesion_id"].duplicated()
    if dup.any():
        raise DataError(
            f"{src}: lesion_id {out['lesion_id'][dup].iloc[0]!r} appears twice; ids must be unique"
        )
    if obs is not None:
        require_columns(obs, ["lesion_id"], str(root / "observers.csv"))
        known = set(out["lesion_id"])
        resegmented = [v for v in dict.fromkeys(obs["lesion_id"].astype(str)) if v in known]
    return out, resegmented


def diameter_range_mm(label: Any, factor: float = 1.3) -> tuple[float, float] | None:
    """(low, high) in mm of a printed diameter category: "1–3 cm" -> (10, 30), ">5 cm" -> (50, 50 * factor),
    "<1 cm" -> (5, 10); a number is taken as mm (low = high); None when the label does not parse."""
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, bool):
        return (float(label), float(label)) if math.isfinite(float(label)) and label > 0 else None
    text = str(label)
    unit = lambda u: 10.0 if u == "cm" else 1.0  # noqa: E731
    if m := _RANGE.match(text):
        return float(m[1]) * unit(m[3]), float(m[2]) * unit(m[3])
    if m := _ABOVE.match(text):
        lo = float(m[1]) * unit(m[2])
        return lo, lo * factor
    if m := _BELOW.match(text):
        hi = float(m[1]) * unit(m[2])
        return hi / 2, hi
    if (m := _SINGLE.match(text)) and float(m[1]) > 0:
        v = float(m[1]) * unit(m[2])
        return v, v
    return None


def _draw_one(row, rng: np.random.Generator, resp: ResponseModel) -> dict[str, Any]:
    k = int(row.outcome)
    lo, hi = getattr(row, "diameter_lo_mm", math.nan), getattr(row, "diameter_hi_mm", math.nan)
    if math.isfinite(lo) and math.isfinite(hi):
        d = float(rng.uniform(lo, hi)) if hi > lo else float(lo)
    else:
        d = float(
            np.exp(rng.normal(math.log(resp.diameter_median_mm), math.log(resp.diameter_gsd)))
        )
        d = float(np.clip(d, *resp.diameter_range_mm))
    e1, e2 = rng.uniform(*resp.elongation_range, size=2)
    a = d / 2
    necrotic = rng.random() < resp.necrosis_prob[k] and d >= 20.0
    return dict(
        lesion_id=row.lesion_id,
        patient_id=row.patient_id,
        outcome=k,
        semi_axes_mm=(a, a * e1, max(a * e2, 5.0)),
        rotation_deg=float(rng.uniform(0, 180)),
        enhancement_hu=float(rng.normal(resp.enhancement_hu[k], resp.enhancement_sd_hu)),
        texture_sd_hu=float(resp.texture_sd_hu[k] * rng.uniform(0.8, 1.25)),
        texture_scale_mm=float(resp.texture_scale_mm[k] * rng.uniform(0.8, 1.25)),
        necrosis_fraction=float(rng.uniform(0.3, 0.5)) if necrotic else 0.0,
        necrosis_hu=resp.necrosis_hu,
    )


def _place(drawn: list[dict], rng: np.random.Generator, scan: ScanModel) -> list[LesionSpec]:
    """Centres uniformly inside the liver (lesion fully inside, 3 mm apart); shrink a lesion that never fits."""
    liver = np.asarray(scan.liver_semi_axes_mm, float)
    placed: list[LesionSpec] = []
    for params in drawn:
        axes = np.asarray(params["semi_axes_mm"], float)
        for attempt in range(2000):
            if attempt and attempt % 200 == 0:
                axes = np.maximum(axes * 0.9, 2.5)
            room = liver - axes.max() - 2.0
            if np.any(room <= 0):
                axes = np.maximum(axes * 0.9, 2.5)
                continue
            u = rng.uniform(-1, 1, size=3)
            if np.sum(u**2) > 1:
                continue
            c = u * room
            if all(
                np.linalg.norm(c - np.asarray(p.centre_mm)) > axes.max() + max(p.semi_axes_mm) + 3.0
                for p in placed
            ):
                break
        else:  # pragma: no cover - only with absurd sizes
            raise NenauditError(
                f"lesion {params['lesion_id']}: could not be placed in the liver; "
                "use a larger liver (ScanModel.liver_semi_axes_mm) or smaller lesions"
            )
        placed.append(
            LesionSpec(
                centre_mm=tuple(float(v) for v in c),
                **{**params, "semi_axes_mm": tuple(float(v) for v in axes)},
            )
        )
    return placed


def draw_lesions(
    lesions: pd.DataFrame,
    rng: np.random.Generator,
    response: ResponseModel = ResponseModel(),
    scan: ScanModel = ScanModel(),
) -> list[LesionSpec]:
    """Draw size, appearance and position for one patient's lesions (rows with lesion_id, patient_id, outcome)."""
    drawn = [_draw_one(row, rng, response) for row in lesions.itertuples(index=False)]
    return _place(drawn, rng, scan)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _texture(
    shape: tuple[int, ...],
    sd: float,
    scale_mm: float,
    spacing_zyx: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Gaussian-correlated noise with standard deviation ``sd`` and correlation length ``scale_mm``."""
    white = rng.standard_normal(shape)
    if sd <= 0:
        return np.zeros(shape)
    f = gaussian_filter(white, sigma=scale_mm / spacing_zyx, mode="reflect")
    s = f.std()
    return f * (sd / s) if s > 0 else f


def render_patient(
    lesions: Sequence[LesionSpec], scan: ScanModel, rng: np.random.Generator, liver: bool = True
) -> np.ndarray:
    """The patient's image as a (z, y, x) int16 array in HU (see the module docstring for the model)."""
    sp = np.asarray(scan.spacing, float)[::-1]  # z, y, x
    shape = scan.size[::-1]
    img = np.full(shape, scan.background_hu, float)
    if liver:
        liv = LesionSpec("liver", "", 0, (0.0, 0.0, 0.0), scan.liver_semi_axes_mm)
        full = (slice(0, shape[0]), slice(0, shape[1]), slice(0, shape[2]))
        occ = _occupancy(liv, scan, full)
        tex = _texture(shape, scan.liver_texture_sd_hu, 3.0, sp, rng)
        img += occ * (scan.liver_hu + tex - scan.background_hu)
    for spec in lesions:
        box = _bbox(spec, scan, margin_mm=max(scan.spacing))
        occ = _occupancy(spec, scan, box)
        sub = img[box]
        tex = _texture(sub.shape, spec.texture_sd_hu, spec.texture_scale_mm, sp, rng)
        hu = spec.enhancement_hu + tex
        if spec.necrosis_fraction > 0:
            core = _occupancy(spec, scan, box, scale=spec.necrosis_fraction)
            hu = hu * (1 - core) + (spec.necrosis_hu + 0.5 * tex) * core
        img[box] = sub * (1 - occ) + hu * occ
    if scan.psf_sigma_mm > 0:
        img = gaussian_filter(
            img, sigma=(0.0, scan.psf_sigma_mm / sp[1], scan.psf_sigma_mm / sp[2])
        )
    if scan.noise_sd_hu > 0:
        noise = gaussian_filter(rng.standard_normal(shape), sigma=(0.0, 0.5, 0.5))
        img += noise * (scan.noise_sd_hu / noise.std())
    return np.clip(np.rint(img), -1024, 3071).astype(np.int16)


def to_sitk(array: np.ndarray, scan: ScanModel):
    """A (z, y, x) array as a SimpleITK image on the scan's grid (spacing, origin; identity direction)."""
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    im = sitk.GetImageFromArray(array)
    im.SetSpacing(tuple(float(v) for v in scan.spacing))
    im.SetOrigin(tuple(float(v) for v in scan.origin_mm))
    return im


def sphere_case(
    radius_mm: float,
    spacing: Sequence[float] = DEFAULT_SPACING,
    *,
    hu: float = 120.0,
    texture_sd_hu: float = 15.0,
    margin_mm: float = 12.0,
    seed: int = 0,
):
    """(image, mask, spec): one spherical lesion centred on a voxel centre, for geometry checks.

    The grid is the smallest odd-sized grid holding the sphere plus ``margin_mm`` on each side, so
    the sphere's centre is the centre voxel's centre and the mask is symmetric about it.
    """
    sp = tuple(float(v) for v in spacing)
    size = tuple(int(2 * math.ceil((radius_mm + margin_mm) / s) + 1) for s in sp)
    scan = ScanModel(spacing=sp, size=size, liver_semi_axes_mm=(1e3, 1e3, 1e3), noise_sd_hu=5.0)
    spec = LesionSpec(
        "sphere", "sphere", 0, (0.0, 0.0, 0.0), (radius_mm,) * 3, 0.0, hu, texture_sd_hu, 2.0
    )
    rng = np.random.default_rng(seed)
    img = render_patient([spec], scan, rng, liver=False)
    mask = reference_mask(spec, scan)
    return to_sitk(img, scan), to_sitk(mask, scan), spec


# ---------------------------------------------------------------------------------------------
# Observer variability
# ---------------------------------------------------------------------------------------------


def _disk() -> np.ndarray:
    return np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)


def _shift2d(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    out = np.zeros_like(a)
    h, w = a.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = a[ys, xs]
    return out


def perturb_mask(mask: np.ndarray, rng: np.random.Generator, model: ObserverModel) -> np.ndarray:
    """A re-segmentation of ``mask`` (z, y, x) by an observer described by ``model``; never empty.

    Steps, in this order, each drawing from ``rng``: systematic ``bias_px`` dilation/erosion per
    slice; per-slice one-pixel erosion or dilation with probability ``edge_prob``; per-slice shift;
    end slices added (a copy of the end slice eroded by one pixel) or dropped. An erosion that
    would empty a slice is skipped; an end slice is dropped only if two or more slices remain.
    """
    m = mask.astype(bool)
    out = np.zeros_like(m)
    slices = [k for k in range(m.shape[0]) if m[k].any()]
    if not slices:
        raise NenauditError("perturb_mask: the mask is empty")
    st = _disk()
    for k in slices:
        s = m[k]
        if model.bias_px > 0:
            s = binary_dilation(s, st, iterations=model.bias_px)
        elif model.bias_px < 0:
            e = binary_erosion(s, st, iterations=-model.bias_px)
            s = e if e.any() else s
        u = rng.random()
        if u < model.edge_prob / 2:
            e = binary_erosion(s, st)
            s = e if e.any() else s
        elif u < model.edge_prob:
            s = binary_dilation(s, st)
        if model.max_shift_px:
            dy, dx = rng.integers(-model.max_shift_px, model.max_shift_px + 1, size=2)
            s = _shift2d(s, int(dy), int(dx))
        out[k] = s
    lo, hi = slices[0], slices[-1]
    for end, step in ((lo, -1), (hi, 1)):
        u = rng.random()
        if u < model.end_slice_prob / 2:
            nxt = end + step
            if 0 <= nxt < m.shape[0]:
                e = binary_erosion(out[end], st)
                out[nxt] = e if e.any() else out[end]
        elif u < model.end_slice_prob and len(slices) > 2:
            out[end] = False
    if not out.any():  # pragma: no cover - excluded by the skips above
        raise NenauditError("perturb_mask produced an empty mask")
    return out.astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Writing a phantom cohort
# ---------------------------------------------------------------------------------------------


def mask_name(lesion_id: str, observer: int, repeat: int) -> str:
    """File name of a lesion's mask: ``<lesion_id>_o<observer>r<repeat>.nii.gz``."""
    return f"{lesion_id}_o{observer}r{repeat}.nii.gz"


def _choose_resegmented(
    ids: list[str], given: list[str] | None, resegment: int | float | None, seed: int
) -> list[str]:
    if given is not None and resegment is None:
        return [i for i in ids if i in set(given)]
    frac = PAPER_RESEGMENTED_FRACTION if resegment is None else resegment
    n = int(round(frac * len(ids))) if isinstance(frac, float) and frac <= 1 else int(frac)
    n = min(max(n, 0), len(ids))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x0B5]))
    pick = set(rng.choice(len(ids), size=n, replace=False).tolist()) if n else set()
    return [i for k, i in enumerate(ids) if k in pick]


PHANTOM_FILES = ("images", "masks", "truth.csv", "manifest.json")


def write_phantom(
    cohort_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    n_lesions: int | None = None,
    seed: int = 0,
    scan: ScanModel = ScanModel(),
    response: ResponseModel = ResponseModel(),
    observers: Mapping[tuple[int, int], ObserverModel] | None = None,
    resegment: int | float | None = None,
    progress=None,
    force: bool = False,
) -> PhantomSummary:
    """Write phantom images and masks for a cohort's lesions (see the module docstring for the layout).

    ``n_lesions`` keeps the first N lesions of lesions.csv (their patients' images still hold all
    of the patient's lesions). ``resegment``: the re-segmented lesions are the cohort's
    observers.csv lesions if it has one, else a seeded random subset of this size (an int) or
    fraction (a float <= 1; default 46/131 as in the paper). ``out_dir`` is a path or a
    :class:`nenaudit.outputs.OutputDir` checked before the run: new, empty, made by nenaudit, or
    ``force``; the files are staged and moved into place; nothing nenaudit did not write is replaced.
    """
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    lesions, given = read_cohort_lesions(cohort_dir)
    if n_lesions is not None:
        if n_lesions < 1:
            raise NenauditError(f"--lesions must be >= 1, got {n_lesions}")
        selected = lesions.iloc[:n_lesions]
    else:
        selected = lesions
    keep = set(selected["lesion_id"])
    observers = (
        dict(observers) if observers is not None else {(1, 2): OBSERVER1_REPEAT, (2, 1): OBSERVER2}
    )
    reseg = set(_choose_resegmented(list(selected["lesion_id"]), given, resegment, seed))

    target = output_dir(
        out_dir, verb="phantom", names=PHANTOM_FILES, force=force, inputs=(cohort_dir,)
    )
    out = target.path
    tmp = target.staging
    (tmp / "images").mkdir()
    (tmp / "masks").mkdir()

    patient_order = list(dict.fromkeys(lesions["patient_id"]))
    patients = [p for p in patient_order if p in set(selected["patient_id"])]
    index_rows, truth_rows = [], []
    try:
        for done, pid in enumerate(patients):
            rng = np.random.default_rng(np.random.SeedSequence([seed, patient_order.index(pid)]))
            rows = lesions[lesions["patient_id"] == pid]
            specs = draw_lesions(rows, rng, response, scan)
            img = render_patient(specs, scan, rng)
            image_file = f"{pid}.nii.gz"
            sitk.WriteImage(to_sitk(img, scan), str(tmp / "images" / image_file), True)
            for spec in specs:
                ref = reference_mask(spec, scan)
                # drawn for every lesion, written for the kept ones: a lesion's masks do not depend on --lesions
                readings = {(1, 1): ref}
                for key, model in observers.items():
                    readings[key] = perturb_mask(ref, rng, model)
                if spec.lesion_id not in keep:
                    continue
                for (o, r), m in readings.items():
                    if (o, r) != (1, 1) and spec.lesion_id not in reseg:
                        continue
                    name = mask_name(spec.lesion_id, o, r)
                    sitk.WriteImage(to_sitk(m, scan), str(tmp / "masks" / name), True)
                    index_rows.append(
                        dict(
                            lesion_id=spec.lesion_id,
                            observer=o,
                            repeat=r,
                            image=image_file,
                            mask=name,
                        )
                    )
                d = asdict(spec)
                truth_rows.append(
                    dict(
                        lesion_id=spec.lesion_id,
                        patient_id=spec.patient_id,
                        outcome=spec.outcome,
                        centre_x_mm=d["centre_mm"][0],
                        centre_y_mm=d["centre_mm"][1],
                        centre_z_mm=d["centre_mm"][2],
                        semi_axis_x_mm=d["semi_axes_mm"][0],
                        semi_axis_y_mm=d["semi_axes_mm"][1],
                        semi_axis_z_mm=d["semi_axes_mm"][2],
                        rotation_deg=spec.rotation_deg,
                        enhancement_hu=spec.enhancement_hu,
                        texture_sd_hu=spec.texture_sd_hu,
                        texture_scale_mm=spec.texture_scale_mm,
                        necrosis_fraction=spec.necrosis_fraction,
                        volume_mm3=spec.volume_mm3,
                        max_diameter_mm=spec.max_diameter_mm,
                        reference_voxels=int(ref.sum()),
                        resegmented=int(spec.lesion_id in reseg),
                    )
                )
            if progress is not None:
                progress(done + 1, len(patients))
        index = pd.DataFrame(
            index_rows, columns=["lesion_id", "observer", "repeat", "image", "mask"]
        )
        index.to_csv(tmp / "masks" / "index.csv", index=False)
        pd.DataFrame(truth_rows).to_csv(tmp / "truth.csv", index=False)
        summary = PhantomSummary(
            out_dir=str(out),
            seed=int(seed),
            n_patients=len(patients),
            n_lesions=len(truth_rows),
            n_resegmented=len(reseg),
            n_masks=len(index_rows),
            spacing=tuple(scan.spacing),
            size=tuple(scan.size),
            files={
                "images": "images/",
                "masks": "masks/",
                "index": "masks/index.csv",
                "truth": "truth.csv",
                "manifest": "manifest.json",
            },
        )
        manifest = {
            "generator": "nenaudit.radiomics.phantom",
            "seed": int(seed),
            "cohort": str(Path(cohort_dir).resolve()),
            "n_lesions_requested": n_lesions,
            "scan": asdict(scan),
            "response": asdict(response),
            "observers": {f"o{o}r{r}": asdict(m) for (o, r), m in observers.items()},
            "resegmented": sorted(reseg),
            "summary": summary.to_dict(),
        }
        (tmp / "manifest.json").write_text(dumps_json(manifest), encoding="utf-8")
        target.commit()
    except BaseException:
        target.fail()
        raise
    return summary
