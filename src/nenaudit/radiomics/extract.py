"""Radiomics features from images and masks with pyradiomics, with the paper's settings, in parallel.

Pipeline for one case (a lesion's mask as drawn by one observer in one reading):

1. read the image and the mask through SimpleITK (:func:`read_image`: a NIfTI/NRRD/MHA file, or a
   directory holding one DICOM series);
2. check the pair (:func:`check_pair`): the mask must hold the label, lie inside the image, and be
   on the image's voxel grid (same spacing and direction, origin an integer number of voxels away;
   a cropped label map is put back on the image grid, exactly, by nearest-neighbour resampling);
3. ``radiomics.featureextractor.RadiomicsFeatureExtractor(params).execute(image, mask)``; with the
   packaged :data:`DEFAULT_PARAMS` (``params_feng2025.yaml``) this gives the 851 features of the
   catalogue (:func:`nenaudit.radiomics.catalogue.load_catalogue`), in catalogue order.

:func:`extract` runs the cases over a ``concurrent.futures.ProcessPoolExecutor`` (``jobs``
processes from :func:`nenaudit.stats.workers.worker_pool`, which die with their parent, each with one
SimpleITK thread, so that ``jobs`` lesions run on ``jobs`` cores). A case that fails is recorded as a
:class:`Failure` with its id and a one-line reason; the others go on. The table's rows follow the
input order, whatever the number of workers, and pyradiomics is deterministic, so the numbers do not
depend on ``jobs``.

:func:`save_extraction` writes the table atomically; with any failure it writes
``<name>.partial.csv`` and ``<name>.failures.csv`` instead of the requested file, so that no
file that looks complete is missing lesions. :func:`observer_icc` computes the intra- and
inter-observer ICC of every feature through :mod:`nenaudit.stats.icc`.

pyradiomics: van Griethuysen JJM et al. Computational radiomics system to decode the radiographic
phenotype. Cancer Res. 2017;77:e104-7. doi:10.1158/0008-5472.CAN-17-0339
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import CaseError, DataError, NenauditError
from nenaudit.io import read_csv, require_columns
from nenaudit.outputs import check_file
from nenaudit.radiomics.catalogue import load_catalogue
from nenaudit.stats.icc import icc_two_readings
from nenaudit.stats.result import Result, plain
from nenaudit.stats.workers import worker_pool

__all__ = [
    "DEFAULT_PARAMS",
    "ID_COLUMNS",
    "IMAGE_SUFFIXES",
    "Case",
    "ExtractionResult",
    "Failure",
    "check_pair",
    "default_params_path",
    "extract",
    "extract_case",
    "find_cases",
    "observer_icc",
    "read_image",
    "save_extraction",
    "split_readings",
]

DEFAULT_PARAMS = "params_feng2025.yaml"
ID_COLUMNS = ("lesion_id", "observer", "repeat")
IMAGE_SUFFIXES = (".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd")
#: Relative tolerance on spacing and absolute tolerance on direction cosines and on the origin offset
#: in voxels: label maps saved by other software round these to ~6 significant digits.
GEOMETRY_TOL = 1e-4


@dataclass(frozen=True)
class Case:
    """One extraction: a lesion's mask (one observer, one reading) on its image."""

    lesion_id: str
    observer: int
    repeat: int
    image: str
    mask: str


@dataclass(frozen=True)
class Failure(Result):
    """A case that produced no features, and why."""

    lesion_id: str
    observer: int
    repeat: int
    image: str
    mask: str
    reason: str


@dataclass(frozen=True)
class ExtractionResult(Result):
    """The feature table (lesion_id, observer, repeat, features...) and the failed cases."""

    table: pd.DataFrame = field(repr=False)
    failures: tuple[Failure, ...]
    feature_names: tuple[str, ...]
    params: str
    settings: Mapping[str, Any]
    jobs: int
    seconds: float
    n_cases: int
    cpu_seconds: float = math.nan

    @property
    def complete(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_cases": self.n_cases,
            "n_extracted": int(len(self.table)),
            "n_failed": len(self.failures),
            "n_features": len(self.feature_names),
            "params": self.params,
            "settings": plain(dict(self.settings)),
            "jobs": self.jobs,
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "failures": [f.to_dict() for f in self.failures],
        }


# ---------------------------------------------------------------------------------------------
# Finding cases and reading images
# ---------------------------------------------------------------------------------------------


def default_params_path() -> str:
    """Path of the packaged parameter file (``params_feng2025.yaml``)."""
    return str(resources.files("nenaudit.radiomics").joinpath(DEFAULT_PARAMS))


def _stem(name: str) -> str | None:
    low = name.lower()
    for suf in IMAGE_SUFFIXES:
        if low.endswith(suf):
            return name[: -len(suf)]
    return None


def find_cases(images_dir: str | os.PathLike, masks_dir: str | os.PathLike) -> list[Case]:
    """The cases to extract, from ``masks_dir/index.csv`` if present, else by matching file names.

    ``index.csv`` (what :func:`nenaudit.radiomics.phantom.write_phantom` writes) has columns
    lesion_id, image (relative to ``images_dir``), mask (relative to ``masks_dir``) and optionally
    observer and repeat (default 1). Without it, every mask file ``<id>.<ext>`` (ext one of
    :data:`IMAGE_SUFFIXES`) pairs with the image ``<id>.<ext>`` or the DICOM series directory
    ``<id>/`` in ``images_dir``; ``<id>`` becomes the lesion id, observer 1, reading 1.
    Missing files are not refused here: they become per-case failures in :func:`extract`.
    """
    images, masks = Path(images_dir), Path(masks_dir)
    for p, what in ((images, "--images"), (masks, "--masks")):
        if not p.is_dir():
            raise DataError(f"{p}: no such directory ({what} needs a directory)")
    index = masks / "index.csv"
    if index.is_file():
        df = read_csv(index)
        require_columns(df, ["lesion_id", "image", "mask"], str(index))
        cases = []
        for i, row in enumerate(df.itertuples(index=False)):
            vals = row._asdict()
            for col in ("lesion_id", "image", "mask"):
                if pd.isna(vals[col]) or str(vals[col]).strip() == "":
                    raise DataError(
                        f"{index}: column {col!r}, line {i + 2}: empty; every case needs one"
                    )
            try:
                o = int(vals.get("observer", 1)) if not pd.isna(vals.get("observer", 1)) else 1
                r = int(vals.get("repeat", 1)) if not pd.isna(vals.get("repeat", 1)) else 1
            except (TypeError, ValueError):
                raise DataError(
                    f"{index}: line {i + 2}: observer and repeat must be integers"
                ) from None
            cases.append(
                Case(
                    str(vals["lesion_id"]),
                    o,
                    r,
                    str(images / str(vals["image"])),
                    str(masks / str(vals["mask"])),
                )
            )
        keys = [(c.lesion_id, c.observer, c.repeat) for c in cases]
        dup = next((k for k in keys if keys.count(k) > 1), None)
        if dup:
            raise DataError(
                f"{index}: lesion {dup[0]!r} observer {dup[1]} repeat {dup[2]} is listed twice"
            )
        return cases
    by_stem: dict[str, Path] = {}
    for p in sorted(images.iterdir()):
        s = p.name if p.is_dir() else _stem(p.name)
        if s is not None:
            by_stem.setdefault(s, p)
    cases = []
    for p in sorted(masks.iterdir()):
        s = _stem(p.name)
        if s is None or p.is_dir():
            continue
        img = by_stem.get(s, images / p.name)
        cases.append(Case(s, 1, 1, str(img), str(p)))
    if not cases:
        raise DataError(f"{masks}: no mask files ({', '.join(IMAGE_SUFFIXES)}) and no index.csv")
    return cases


def read_image(path: str | os.PathLike):
    """A SimpleITK image from a file (NIfTI, NRRD, MHA...) or a directory holding one DICOM series."""
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    p = Path(path)
    if p.is_dir():
        ids = sitk.ImageSeriesReader.GetGDCMSeriesIDs(str(p))
        if not ids:
            raise CaseError(f"{p}: no DICOM series in this directory")
        if len(ids) > 1:
            raise CaseError(
                f"{p}: {len(ids)} DICOM series in this directory; keep one series per directory"
            )
        reader = sitk.ImageSeriesReader()
        reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(p), ids[0]))
        return reader.Execute()
    if not p.is_file():
        raise CaseError(f"{p}: no such file")
    try:
        return sitk.ReadImage(str(p))
    except RuntimeError as exc:
        msg = str(exc).strip().splitlines()
        raise CaseError(
            f"{p}: not readable by SimpleITK ({msg[-1] if msg else 'unknown error'})"
        ) from None


def check_pair(image, mask, label: int = 1):
    """The mask on the image's grid, or :class:`CaseError` saying why the pair cannot be used.

    Refused: a non-3-D image or mask; spacing (relative) or direction differing by more than
    :data:`GEOMETRY_TOL`; a mask origin that is not a whole number of voxels from the image's
    (grids not aligned: the mask would have to be interpolated); a mask without a voxel equal to
    ``label`` ("empty mask"); labelled voxels outside the image ("mask outside the image"). A mask
    on a cropped or padded version of the image grid is resampled (nearest neighbour, exact on an
    aligned grid) onto the image grid.
    """
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    if image.GetDimension() != 3 or mask.GetDimension() != 3:
        raise CaseError(
            f"mismatched geometry: image is {image.GetDimension()}-D and mask "
            f"{mask.GetDimension()}-D; both must be 3-D"
        )
    if image.GetNumberOfComponentsPerPixel() != 1 or mask.GetNumberOfComponentsPerPixel() != 1:
        raise CaseError("image and mask must be scalar (one value per voxel)")
    isp, msp = np.array(image.GetSpacing()), np.array(mask.GetSpacing())
    if np.any(np.abs(isp - msp) > GEOMETRY_TOL * isp):
        raise CaseError(
            f"mismatched geometry: mask spacing {tuple(np.round(msp, 4))} differs from the image's "
            f"{tuple(np.round(isp, 4))}; draw the mask on the image grid"
        )
    idir, mdir = np.array(image.GetDirection()), np.array(mask.GetDirection())
    if np.any(np.abs(idir - mdir) > GEOMETRY_TOL):
        raise CaseError(
            "mismatched geometry: mask direction differs from the image's; draw the mask on the image grid"
        )
    arr = sitk.GetArrayViewFromImage(mask)
    where = np.argwhere(arr == label)
    if where.size == 0:
        present = np.unique(arr)
        present = present[present != 0]
        extra = (
            f" (labels present: {', '.join(map(str, present[:5].tolist()))})"
            if present.size
            else ""
        )
        raise CaseError(f"empty mask: no voxel with label {label}{extra}")
    # Mask voxel -> image continuous index through the physical space
    offset = np.array(image.TransformPhysicalPointToContinuousIndex(mask.GetOrigin()))
    if np.any(np.abs(offset - np.rint(offset)) > 1e-3):
        raise CaseError(
            f"mismatched geometry: mask origin is {tuple(np.round(offset, 3))} voxels from the image "
            "origin, not a whole number; the mask grid is not the image grid"
        )
    shift = np.rint(offset).astype(int)  # x, y, z
    lo = where.min(axis=0)[::-1] + shift  # z,y,x -> x,y,z
    hi = where.max(axis=0)[::-1] + shift
    size = np.array(image.GetSize())
    if np.any(lo < 0) or np.any(hi >= size):
        raise CaseError(
            f"mask outside the image: labelled voxels span image index {tuple(lo.tolist())}.."
            f"{tuple(hi.tolist())}, the image has size {tuple(size.tolist())}"
        )
    if np.all(shift == 0) and tuple(mask.GetSize()) == tuple(image.GetSize()):
        out = mask
    else:
        out = sitk.Resample(
            mask, image, sitk.Transform(), sitk.sitkNearestNeighbor, 0, mask.GetPixelID()
        )
    out = sitk.Cast(out, sitk.sitkUInt8) if arr.max() <= 255 and arr.min() >= 0 else out
    out.CopyInformation(image)
    return out


# ---------------------------------------------------------------------------------------------
# Extraction (worker side)
# ---------------------------------------------------------------------------------------------

_EXTRACTOR = None
_EXTRACTOR_PARAMS: str | None = None


def _extractor(params: str):
    """The process's RadiomicsFeatureExtractor for ``params`` (built once per process)."""
    global _EXTRACTOR, _EXTRACTOR_PARAMS
    if _EXTRACTOR is None or params != _EXTRACTOR_PARAMS:
        # optional (the radiomics extra), and slow to import
        import radiomics  # noqa: PLC0415 - optional (the radiomics extra)
        from radiomics.featureextractor import RadiomicsFeatureExtractor  # noqa: PLC0415 - optional

        radiomics.setVerbosity(logging.ERROR)
        logging.getLogger("radiomics").setLevel(logging.ERROR)
        _EXTRACTOR = RadiomicsFeatureExtractor(params)
        _EXTRACTOR_PARAMS = params
    return _EXTRACTOR


def _init_worker(params: str) -> None:
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(1)
    _extractor(params)


def extract_case(case: Case, params: str | None = None) -> dict[str, float]:
    """Features of one case (pyradiomics key -> value, diagnostics dropped); :class:`CaseError` if it fails."""
    params = params or default_params_path()
    ex = _extractor(params)
    image = read_image(case.image)
    mask = read_image(case.mask)
    label = int(ex.settings.get("label", 1))
    mask = check_pair(image, mask, label)
    try:
        out = ex.execute(image, mask)
    except (ValueError, RuntimeError, AssertionError, IndexError, ZeroDivisionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CaseError(f"pyradiomics: {first}") from None
    return {k: float(v) for k, v in out.items() if not k.startswith("diagnostics_")}


def _run_case(
    i: int, case: Case, params: str
) -> tuple[int, dict[str, float] | None, str | None, float]:
    """(index, features or None, reason or None, CPU seconds of this process spent on the case)."""
    cpu = time.process_time()
    try:
        return i, extract_case(case, params), None, time.process_time() - cpu
    except CaseError as exc:
        return i, None, str(exc), time.process_time() - cpu
    except Exception as exc:  # noqa: BLE001 - any other failure of one case is reported, the rest go on
        first = (str(exc).strip().splitlines() or [""])[0]
        return i, None, f"{type(exc).__name__}: {first}", time.process_time() - cpu


# ---------------------------------------------------------------------------------------------
# Extraction (driver)
# ---------------------------------------------------------------------------------------------


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _expected_names(params: str) -> tuple[str, ...] | None:
    """The catalogue's 851 names when ``params`` is the packaged file, else None (order as extracted)."""
    if os.path.abspath(params) != os.path.abspath(default_params_path()):
        return None
    return load_catalogue().feature_keys(("original", "wavelet"))


def extract(
    cases: Sequence[Case],
    params: str | os.PathLike | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractionResult:
    """Extract every case; failures recorded, rows in input order, numbers independent of ``jobs``.

    ``params``: a pyradiomics parameter file (YAML/JSON); default :data:`DEFAULT_PARAMS`. ``jobs``:
    worker processes (1 = in this process). ``progress(done, total)`` is called after each case.
    With the packaged parameters, the extracted names are checked against the catalogue (851).
    """
    import SimpleITK as sitk  # noqa: PLC0415 - optional (the radiomics extra)

    params = str(params) if params is not None else default_params_path()
    if not Path(params).is_file():
        raise NenauditError(f"{params}: no such parameter file")
    if jobs < 1:
        raise NenauditError(f"jobs must be >= 1, got {jobs}")
    if not cases:
        raise NenauditError("no cases to extract")
    try:
        settings = dict(_extractor(params).settings)
    except Exception as exc:  # noqa: BLE001 - what pyradiomics' YAML/pykwalify reading raises has no base
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise NenauditError(f"{params}: not a valid pyradiomics parameter file ({first})") from None
    n = len(cases)
    results: list[dict[str, float] | None] = [None] * n
    reasons: list[str | None] = [None] * n
    t0 = time.perf_counter()
    done = 0
    cpu = 0.0
    if jobs == 1:
        before = sitk.ProcessObject_GetGlobalDefaultNumberOfThreads()
        sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(1)
        try:
            for i, case in enumerate(cases):
                _, results[i], reasons[i], c = _run_case(i, case, params)
                cpu += c
                done += 1
                if progress:
                    progress(done, n)
        finally:
            sitk.ProcessObject_SetGlobalDefaultNumberOfThreads(before)
    else:
        # forkserver (spawn off Linux): workers never fork a parent that runs ITK threads; the server
        # imports pyradiomics once and each worker starts from it, so start-up costs ~0.1 s, not ~1 s
        ctx = mp.get_context("spawn" if sys.platform != "linux" else "forkserver")
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(
                ["nenaudit.radiomics.extract", "radiomics.featureextractor", "SimpleITK"]
            )
        with worker_pool(
            min(jobs, n), mp_context=ctx, initializer=_init_worker, initargs=(params,)
        ) as pool:
            # largest masks first (file size as a proxy for lesion size): no big lesion left for the end
            order = sorted(range(n), key=lambda i: -_file_size(cases[i].mask))
            futs = {pool.submit(_run_case, i, cases[i], params): i for i in order}
            for fut in as_completed(futs):
                i = futs[fut]
                try:
                    _, results[i], reasons[i], c = fut.result()
                    cpu += c
                except BrokenProcessPool:
                    reasons[i] = (
                        "worker process died (out of memory? when calling extract() from a script, "
                        "guard it with if __name__ == '__main__')"
                    )
                done += 1
                if progress:
                    progress(done, n)
    seconds = time.perf_counter() - t0

    expected = _expected_names(params)
    names: tuple[str, ...] | None = expected
    for i, r in enumerate(results):
        if r is None:
            continue
        if names is None:
            names = tuple(r)
        if set(r) != set(names):
            missing = sorted(set(names) - set(r))
            extra = sorted(set(r) - set(names))
            results[i], reasons[i] = (
                None,
                (
                    f"extracted features differ from the expected {len(names)}: "
                    + (f"missing {missing[0]!r}" if missing else f"unexpected {extra[0]!r}")
                    + f" ({len(missing)} missing, {len(extra)} unexpected)"
                ),
            )
    names = names or ()
    rows, failures = [], []
    for case, r, why in zip(cases, results, reasons):
        if r is None:
            failures.append(
                Failure(
                    case.lesion_id,
                    case.observer,
                    case.repeat,
                    case.image,
                    case.mask,
                    why or "no features",
                )
            )
        else:
            rows.append([case.lesion_id, case.observer, case.repeat] + [r[k] for k in names])
    table = pd.DataFrame(rows, columns=list(ID_COLUMNS) + list(names))
    table["observer"] = table["observer"].astype(int)
    table["repeat"] = table["repeat"].astype(int)
    return ExtractionResult(
        table=table,
        failures=tuple(failures),
        feature_names=tuple(names),
        params=params,
        settings=settings,
        jobs=int(jobs),
        seconds=float(seconds),
        n_cases=n,
        cpu_seconds=float(cpu),
    )


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _sibling(path: Path, tag: str) -> Path:
    name = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{name}.{tag}.csv")


def save_extraction(result: ExtractionResult, out: str | os.PathLike) -> dict[str, str]:
    """Write the table; returns ``{"table": path}`` or ``{"partial": ..., "failures": ...[, "stale": ...]}``.

    Complete: ``out`` is written atomically (temporary file + rename) and stale
    ``<name>.partial.csv`` / ``<name>.failures.csv`` from an earlier run are removed. With failures,
    ``out`` is NOT written: the extracted rows go to ``<name>.partial.csv`` and the failed cases
    (lesion_id, observer, repeat, image, mask, reason) to ``<name>.failures.csv``, and a previous
    complete ``out`` is renamed ``<name>.stale.csv`` (``"stale"``), so nothing stale looks current.
    """
    out = Path(out)
    partial, failed = _sibling(out, "partial"), _sibling(out, "failures")
    targets = [check_file(p, "--out") for p in (out, partial, failed)]
    # repr round-trips doubles exactly: a re-read table equals the extracted one
    text = result.table.to_csv(index=False, float_format=None, lineterminator="\n")
    if result.complete:
        targets[0].write(text)
        for stale in (partial, failed):
            if stale.is_file():
                stale.unlink()
        return {"table": str(out)}
    targets[1].write(text)
    fail = pd.DataFrame(
        [f.to_dict() for f in result.failures],
        columns=["lesion_id", "observer", "repeat", "image", "mask", "reason"],
    )
    targets[2].write(fail.to_csv(index=False, lineterminator="\n"))
    written = {"partial": str(partial), "failures": str(failed)}
    moved = targets[0].fail()
    if moved is not None:
        written["stale"] = str(moved)
    return written


def output_paths(out: str | os.PathLike) -> tuple[Path, Path, Path]:
    """``(out, <name>.partial.csv, <name>.failures.csv)``: every file :func:`save_extraction` may write."""
    out = Path(out)
    return out, _sibling(out, "partial"), _sibling(out, "failures")


def split_readings(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features, observers) in the cohort's format: observer 1 reading 1 without the observer/repeat
    columns (``features.csv``), and every other reading with them (``observers.csv``)."""
    first = (table["observer"] == 1) & (table["repeat"] == 1)
    feats = table.loc[first].drop(columns=["observer", "repeat"]).reset_index(drop=True)
    others = table.loc[~first].reset_index(drop=True)
    return feats, others


def observer_icc(
    table: pd.DataFrame, *, alpha: float = 0.05, nan_policy: str = "propagate"
) -> dict[str, Any]:
    """Per-feature ICCs of the re-segmented lesions, through :func:`nenaudit.stats.icc.icc_two_readings`.

    ``"intra"``: observer 1 reading 1 vs observer 1 reading 2; ``"inter"``: observer 1 reading 1 vs
    observer 2 reading 1; each over the lesions with both readings (None when fewer than 2 lesions).
    All six Shrout-Fleiss forms are returned (``psych::ICC``); which one filters at 0.75 is the
    pipeline's choice (the paper does not name its form).
    """
    feats = [c for c in table.columns if c not in ID_COLUMNS]
    tab = table.assign(lesion_id=table["lesion_id"].astype(str))

    def reading(o: int, r: int) -> pd.DataFrame:
        sub = tab[(tab["observer"] == o) & (tab["repeat"] == r)]
        return sub.drop_duplicates("lesion_id").set_index("lesion_id")[feats]

    ref = reading(1, 1)
    out: dict[str, Any] = {}
    for design, (o, r) in (("intra", (1, 2)), ("inter", (2, 1))):
        other = reading(o, r)
        common = [i for i in ref.index if i in other.index]
        out[design] = (
            icc_two_readings(ref.loc[common], other.loc[common], alpha=alpha, nan_policy=nan_policy)
            if len(common) >= 2
            else None
        )
    return out
