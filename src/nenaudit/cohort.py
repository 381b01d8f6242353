"""Load a cohort directory: patients, lesions, radiomics features, observer readings, manifest.

A cohort directory (written by ``nenaudit synth``, or assembled from real data) holds

``patients.csv``
    ``patient_id`` (unique), ``n_lesions``, ``outcome`` (1 = ineffective SD+PD, 0 = effective CR+PR)
    and the patient-level (Table 1) variables, columns named exactly as the study spec's rows.
``lesions.csv``
    ``lesion_id`` (unique), ``patient_id`` (present in patients.csv), ``outcome`` (0/1, equal to the
    patient's) and the lesion-level variables (Table 2, plus the Table 1 variables the regression uses).
``features.csv``
    ``lesion_id`` + one column per radiomics feature, named by pyradiomics key
    (``original_firstorder_Median``, ``wavelet-LLH_glcm_Imc1``); observer 1, first reading.
``observers.csv``
    ``lesion_id``, ``observer``, ``repeat`` + the same feature columns, for the re-segmented subset
    (observer 1 repeat 2 and observer 2 repeat 1).
``manifest.json``
    provenance (study spec hash, seed, generator version) and, optionally, ``variables``: an
    object ``{column: {"kind": "categorical" | "continuous", "levels": [labels] | null}}`` whose
    level lists define the numeric codes. A real cohort's manifest may be ``{}``: a column that
    ``variables`` does not describe (or describes as ``null``) has its type inferred as R's
    ``read.csv`` + ``factor()`` would: numeric if every non-missing value is a number, else
    categorical with its distinct labels sorted (code 0 = first). ``Cohort.notes`` says what was
    inferred; the CLI prints it on stderr (as pROC prints "Setting levels: ...").

Categorical variables are stored as their printed level labels. ``Cohort.coded_lesions()`` gives
the lesion table with each categorical variable replaced by its level index (0, 1, ... in the
order of ``manifest["variables"][name]["levels"]``), which is the coding under which Table 3's
per-variable odds ratios were computed.

The default cohort (``path=None``) is ``synthetic/default/`` of the repository. It is found (1)
from the environment variable ``NENAUDIT_COHORT`` if set, else (2) relative to this file, two
levels above the package (``<repo>/src/nenaudit/cohort.py`` -> ``<repo>/synthetic/default``),
which is where it is for the editable install (``pip install -e .``) used in development, else
(3) relative to the current working directory. A non-editable install must pass a path or set
``NENAUDIT_COHORT``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nenaudit.exceptions import DataError
from nenaudit.io import numeric_column, read_csv, read_csv_text, require_columns

__all__ = ["FILES", "Cohort", "default_cohort_path", "load_cohort", "cohort_from_texts"]

FILES = ("patients.csv", "lesions.csv", "features.csv", "observers.csv", "manifest.json")
DEFAULT_SUBDIR = Path("synthetic") / "default"


@dataclass(frozen=True)
class Cohort:
    """A loaded cohort; ``features`` and the feature columns of ``observers`` share their columns."""

    patients: pd.DataFrame
    lesions: pd.DataFrame
    features: pd.DataFrame  # indexed by lesion_id, lesions' order
    observers: pd.DataFrame
    manifest: Mapping[str, Any]
    path: Path
    #: every described column, from the manifest or inferred: {name: {"kind": ..., "levels": [...] | None}}
    variables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: lines saying what was inferred (empty when the manifest describes every column)
    notes: tuple[str, ...] = ()

    @property
    def feature_names(self) -> list[str]:
        return list(self.features.columns)

    @property
    def outcome(self) -> np.ndarray:
        """Lesion outcome (1 = ineffective), in the order of ``lesions``."""
        return self.lesions["outcome"].to_numpy(dtype=float)

    def levels(self, variable: str) -> list[str] | None:
        """Level labels of a categorical variable in code order (manifest or inferred), or None."""
        v = self.variables.get(variable)
        return list(v["levels"]) if v and v.get("levels") else None

    def coded_lesions(self) -> pd.DataFrame:
        """The lesion table with categorical variables replaced by level index 0..k-1 (manifest order).

        A missing label stays missing (the column is then float with NaN)."""
        out = self.lesions.copy()
        for name, spec in self.variables.items():
            if name in out.columns and spec.get("levels"):
                codes = {lv: i for i, lv in enumerate(spec["levels"])}
                col = out[name].map(codes)
                out[name] = col.astype(int) if col.notna().all() else col.astype(float)
        return out

    def numeric_lesions(self, columns, what: str = "model") -> pd.DataFrame:
        """The coded lesion columns ``columns`` as floats; a missing, infinite or non-numeric value, an id
        column or the outcome is refused with the column and the line of lesions.csv."""

        src = str(self.path / "lesions.csv")
        cols = list(columns)
        require_columns(self.lesions, cols, src)
        for c in cols:
            if c in ID_COLUMNS or c == "outcome":
                raise DataError(
                    f"{src}: {c!r} cannot be a {what} variable ("
                    + (
                        "an identifier, one value per lesion/patient"
                        if c in ID_COLUMNS
                        else "it is the outcome"
                    )
                    + "); name clinical columns"
                )
        coded = self.coded_lesions()
        return pd.DataFrame({c: numeric_column(coded, c, src) for c in cols}, index=coded.index)


ID_COLUMNS = ("lesion_id", "patient_id")
#: columns of patients.csv / lesions.csv that are not variables (Response: the outcome's label)
NOT_VARIABLES = ("lesion_id", "patient_id", "outcome", "n_lesions", "Response")


def default_cohort_path() -> Path:
    """Where the committed default cohort is (see the module docstring for the search order)."""
    env = os.environ.get("NENAUDIT_COHORT")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    repo = here.parents[2] / DEFAULT_SUBDIR
    if (repo / "manifest.json").is_file():
        return repo
    cwd = Path.cwd() / DEFAULT_SUBDIR
    if (cwd / "manifest.json").is_file():
        return cwd
    raise DataError(
        f"no default cohort found at {repo} or {cwd}; pass a cohort directory or set NENAUDIT_COHORT "
        "(create one with `nenaudit synth --out DIR`)"
    )


def _unique_ids(df: pd.DataFrame, col: str, source: str) -> None:
    dup = df[col][df[col].duplicated()]
    if len(dup):
        line = int(dup.index[0]) + 2
        raise DataError(
            f"{source}: column {col!r}, line {line}: duplicate id {dup.iloc[0]!r}; ids must be unique"
        )


def _check_outcome(df: pd.DataFrame, source: str) -> None:
    vals = pd.to_numeric(df["outcome"], errors="coerce")
    bad = ~vals.isin([0, 1])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{source}: column 'outcome', line {i + 2}: {df['outcome'].iloc[i]!r} is not 0 or 1 "
            "(1 = ineffective SD+PD, 0 = effective CR+PR)"
        )


def _numeric_block(df: pd.DataFrame, cols: list[str], source: str) -> None:
    block = df[cols].apply(pd.to_numeric, errors="coerce")
    bad = block.isna().to_numpy() | ~np.isfinite(block.to_numpy(dtype=float))
    if bad.any():
        r, c = (int(a[0]) for a in np.nonzero(bad))
        raise DataError(
            f"{source}: column {cols[c]!r}, line {r + 2}: {df[cols[c]].iloc[r]!r} is not a finite number"
        )


def load_cohort(path: str | os.PathLike | None = None, na=None) -> Cohort:
    """Read and validate a cohort directory; ``None`` loads the committed default cohort.

    Every problem is a one-line :class:`~nenaudit.exceptions.DataError` naming the file, column, line or
    value: a missing file, a missing id/outcome column, duplicate ids, a lesion whose patient is
    unknown, an outcome that is not 0/1 or disagrees with its patient's, feature columns that
    differ between features.csv and observers.csv, a non-numeric feature value, a malformed
    ``variables`` in manifest.json, a label not among its variable's levels. ``na`` adds
    missing-value tokens to R's "NA" and "" (:func:`nenaudit.io.read_csv`). Columns the manifest
    does not describe get inferred types (see the module docstring and ``Cohort.notes``).
    """
    root = default_cohort_path() if path is None else Path(path)
    if not root.is_dir():
        raise DataError(
            f"{root}: no such cohort directory; give a directory holding {', '.join(FILES)}"
        )
    for f in FILES:
        if not (root / f).is_file():
            raise DataError(f"{root}: missing {f}; a cohort directory holds {', '.join(FILES)}")
    mpath = root / "manifest.json"
    try:
        text = mpath.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{mpath}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise DataError(
            f"{mpath}: cannot be read ({exc.strerror or exc}); check the path and its permissions"
        ) from None
    return _checked_cohort(root, text, lambda name: read_csv(str(root / name), na=na))


def cohort_from_texts(files: Mapping[str, str], root: str | os.PathLike, na=None) -> Cohort:
    """A cohort held in memory as the texts of its files (``{"patients.csv": text, ...}``, as
    :func:`nenaudit.synth.generate` returns them), checked as :func:`load_cohort` checks a directory:
    the same reader (:func:`nenaudit.io.read_csv_text`, the same parser as for a file, so the same
    text gives the same table) and every one of its refusals. ``root`` is the cohort's name, used
    as its ``path`` and in the messages (``root/lesions.csv: ...``)."""
    root = Path(root)
    for f in FILES:
        if f not in files:
            raise DataError(f"{root}: missing {f}; a cohort holds {', '.join(FILES)}")
    return _checked_cohort(
        root,
        files["manifest.json"],
        lambda name: read_csv_text(files[name], str(root / name), na=na),
    )


def _checked_cohort(root: Path, manifest_text: str, read) -> Cohort:
    """The cohort whose manifest is ``manifest_text`` and whose tables ``read(file name)`` gives (read in
    the order of :data:`FILES`), every check of :func:`load_cohort` applied."""
    mpath = root / "manifest.json"
    try:
        manifest = json.loads(manifest_text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{mpath}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(manifest, dict):
        raise DataError(f"{mpath}: the top level must be a JSON object")
    described = _manifest_variables(manifest, mpath)

    ps, ls, fs, os_ = (str(root / f) for f in FILES[:4])
    patients = read(FILES[0])
    require_columns(patients, ["patient_id", "outcome"], ps)
    patients["patient_id"] = patients["patient_id"].astype(str)
    _unique_ids(patients, "patient_id", ps)
    _check_outcome(patients, ps)

    lesions = read(FILES[1])
    require_columns(lesions, ["lesion_id", "patient_id", "outcome"], ls)
    lesions["lesion_id"] = lesions["lesion_id"].astype(str)
    lesions["patient_id"] = lesions["patient_id"].astype(str)
    _unique_ids(lesions, "lesion_id", ls)
    _check_outcome(lesions, ls)
    known = set(patients["patient_id"])
    orphan = ~lesions["patient_id"].isin(known)
    if orphan.any():
        i = int(np.flatnonzero(orphan.to_numpy())[0])
        raise DataError(
            f"{ls}: column 'patient_id', line {i + 2}: {lesions['patient_id'].iloc[i]!r} is not in "
            "patients.csv; every lesion needs its patient"
        )
    pout = patients.set_index("patient_id")["outcome"].astype(int)
    clash = lesions["outcome"].astype(int).to_numpy() != pout.loc[lesions["patient_id"]].to_numpy()
    if clash.any():
        i = int(np.flatnonzero(clash)[0])
        raise DataError(
            f"{ls}: column 'outcome', line {i + 2}: lesion {lesions['lesion_id'].iloc[i]!r} has outcome "
            f"{lesions['outcome'].iloc[i]} but its patient has {pout.loc[lesions['patient_id'].iloc[i]]}; "
            "a lesion's response is its patient's"
        )

    feats = read(FILES[2])
    require_columns(feats, ["lesion_id"], fs)
    feats["lesion_id"] = feats["lesion_id"].astype(str)
    _unique_ids(feats, "lesion_id", fs)
    fcols = [c for c in feats.columns if c != "lesion_id"]
    if not fcols:
        raise DataError(
            f"{fs}: no feature columns; expected lesion_id plus one column per radiomics feature"
        )
    missing = set(lesions["lesion_id"]) ^ set(feats["lesion_id"])
    if missing:
        lid = min(missing)
        where = (
            "lesions.csv but not features.csv"
            if lid in set(lesions["lesion_id"])
            else "features.csv but not lesions.csv"
        )
        raise DataError(f"{fs}: lesion {lid!r} is in {where}; both files need the same lesions")
    _numeric_block(feats, fcols, fs)
    features = feats.set_index("lesion_id").loc[lesions["lesion_id"]].astype(float)

    obs = read(FILES[3])
    require_columns(obs, ["lesion_id", "observer", "repeat"], os_)
    obs["lesion_id"] = obs["lesion_id"].astype(str)
    ocols = [c for c in obs.columns if c not in ("lesion_id", "observer", "repeat")]
    if ocols != fcols:
        extra = [c for c in ocols if c not in fcols] or [c for c in fcols if c not in ocols]
        what = repr(extra[0]) if extra else "the column order"
        raise DataError(
            f"{os_}: feature columns differ from features.csv ({what}); both need the same columns"
        )
    unknown = ~obs["lesion_id"].isin(set(lesions["lesion_id"]))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(
            f"{os_}: column 'lesion_id', line {i + 2}: {obs['lesion_id'].iloc[i]!r} is not in lesions.csv"
        )
    _numeric_block(obs, ["observer", "repeat"] + ocols, os_)
    dup = obs.duplicated(["lesion_id", "observer", "repeat"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError(
            f"{os_}: line {i + 2}: lesion {obs['lesion_id'].iloc[i]!r} observer {obs['observer'].iloc[i]} "
            f"repeat {obs['repeat'].iloc[i]} appears twice"
        )
    variables, notes = _describe(described, patients, lesions, mpath)
    for name, spec in variables.items():
        if spec.get(
            "levels"
        ):  # categorical: printed labels, even when they look like numbers ("1".."4")
            for df, src in ((patients, ps), (lesions, ls)):
                if name in df.columns:
                    df[name] = _labels(df[name])
                    bad = df[name].notna() & ~df[name].isin(spec["levels"])
                    if bad.any():
                        i = int(np.flatnonzero(bad.to_numpy())[0])
                        raise DataError(
                            f"{src}: column {name!r}, line {i + 2}: {df[name].iloc[i]!r} is not one of "
                            f"the levels {spec['levels']} listed in manifest.json"
                        )
    return Cohort(patients, lesions, features, obs, manifest, root, variables, tuple(notes))


def _manifest_variables(manifest: Mapping[str, Any], mpath: Path) -> dict[str, dict[str, Any]]:
    """``manifest["variables"]`` checked: ``{name: {"kind": ..., "levels": [str, ...] | None}}``; a
    ``null`` entry (or no ``variables`` at all) leaves the column to inference."""
    raw = manifest.get("variables")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DataError(
            f"{mpath}: 'variables' must be an object {{column: {{\"levels\": [...]}}}}, got a "
            f"{type(raw).__name__}; fix it or remove it to let nenaudit infer the column types"
        )
    out: dict[str, dict[str, Any]] = {}
    for name, spec in raw.items():
        where = f"{mpath}: variables[{name!r}]"
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise DataError(
                f'{where} must be an object such as {{"levels": ["No", "Yes"]}} or null, '
                f"got {spec!r}"
            )
        levels = spec.get("levels")
        if levels is not None:
            if not isinstance(levels, list):
                raise DataError(
                    f'{where}.levels must be a list of labels such as ["No", "Yes"], got {levels!r}'
                )
            bad = [lv for lv in levels if not isinstance(lv, (str, int)) or isinstance(lv, bool)]
            if bad or not levels:
                what = f"{bad[0]!r} is not a label" if bad else "empty"
                raise DataError(f"{where}.levels: {what}; give a non-empty list of strings")
            labels = [str(lv) for lv in levels]
            if len(set(labels)) != len(labels):
                dup = next(lv for lv in labels if labels.count(lv) > 1)
                raise DataError(f"{where}.levels: {dup!r} is listed twice")
            levels = labels
        kind = spec.get("kind", "categorical" if levels else "continuous")
        out[str(name)] = {**spec, "kind": kind, "levels": levels}
    return out


def _labels(col: pd.Series) -> pd.Series:
    """Labels of a categorical column as strings; numbers print as integers when whole ("3", not "3.0")."""

    def one(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return col.map(one, na_action="ignore").astype(str)


def _describe(described: dict, patients: pd.DataFrame, lesions: pd.DataFrame, mpath: Path):
    """The manifest's variables plus an inferred entry for every other column of patients/lesions."""
    variables = dict(described)
    lines: list[str] = []
    names = [
        c for c in dict.fromkeys([*lesions.columns, *patients.columns]) if c not in NOT_VARIABLES
    ]
    for name in names:
        if name in variables:
            continue
        cols = [df[name] for df in (lesions, patients) if name in df.columns]
        if all(
            pd.api.types.is_numeric_dtype(c) and not pd.api.types.is_bool_dtype(c) for c in cols
        ):
            vals = set(pd.concat(cols).dropna().unique().tolist())
            what = "binary 0/1" if vals <= {0, 1} and len(vals) == 2 else "numeric"
            variables[name] = {"kind": "continuous", "levels": None, "inferred": what}
            lines.append(f"{name}: {what}")
        else:
            levels = sorted(set(_labels(pd.concat(cols)).dropna()))
            variables[name] = {"kind": "categorical", "levels": levels, "inferred": "categorical"}
            lines.append(
                f"{name}: categorical, levels "
                + " < ".join(levels)
                + f" (coded 0..{len(levels) - 1})"
            )
    if lines:
        head = (
            f"{mpath} describes no 'variables'"
            if not described
            else f"{mpath} does not describe {len(lines)} column(s)"
        )
        lines = [
            f"{head}; inferred column types (numeric if every value is a number, else categorical with "
            "sorted levels; describe them in manifest.json to choose the coding):"
        ] + [f"  {x}" for x in lines]
    return variables, lines
