"""Phantoms, pyradiomics extraction with the paper's settings, failures, observer ICC, CLI.

Reference values: the feature names and counts come from the committed catalogue (checked against
pyradiomics itself in test_catalogue.py); geometric quantities from the analytic sphere; nothing is
typed in. Small phantoms keep the file to well under a minute on two cores.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sitk = pytest.importorskip("SimpleITK", reason="pip install 'nenaudit[radiomics]'")
pytest.importorskip("radiomics", reason="pip install 'nenaudit[radiomics]'")

from clirun import nenaudit  # noqa: E402
from nenaudit.exceptions import DataError, NenauditError  # noqa: E402
from nenaudit.radiomics.catalogue import expected_counts, load_catalogue  # noqa: E402
from nenaudit.radiomics.extract import (  # noqa: E402
    ID_COLUMNS,
    Case,
    check_pair,
    default_params_path,
    extract,
    find_cases,
    observer_icc,
    read_image,
    save_extraction,
    split_readings,
)
from nenaudit.radiomics.phantom import (  # noqa: E402
    DEFAULT_SPACING,
    ObserverModel,
    ResponseModel,
    ScanModel,
    perturb_mask,
    sphere_case,
    write_phantom,
)

# A small field of view and small lesions: the paper's voxel size (~0.7 x 0.7 x 5 mm), seconds to extract.
SCAN = ScanModel(size=(150, 150, 18), liver_semi_axes_mm=(46.0, 42.0, 38.0))
# a strong enhancement contrast so that 6 lesions show the outcome link for any seed (defaults are milder)
RESPONSE = ResponseModel(
    diameter_median_mm=15.0,
    diameter_range_mm=(10.0, 24.0),
    enhancement_hu=(150.0, 100.0),
    enhancement_sd_hu=8.0,
)
LESIONS = pd.DataFrame(
    {
        "lesion_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "patient_id": ["P1", "P1", "P2", "P3", "P3", "P4"],
        "outcome": [0, 0, 1, 1, 1, 0],
    }
)
CATALOGUE_KEYS = load_catalogue().feature_keys(("original", "wavelet"))


def _cohort(tmp: Path) -> Path:
    d = tmp / "cohort"
    d.mkdir()
    LESIONS.to_csv(d / "lesions.csv", index=False)
    return d


def _phantom(tmp: Path, name: str = "ph", seed: int = 7, **kw) -> Path:
    out = tmp / name
    write_phantom(tmp / "cohort", out, seed=seed, scan=SCAN, response=RESPONSE, resegment=4, **kw)
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("radiomics")
    _cohort(tmp)
    ph = _phantom(tmp)
    cases = find_cases(ph / "images", ph / "masks")
    res = extract(cases, jobs=1)
    return tmp, ph, cases, res


def _array(path) -> np.ndarray:
    return sitk.GetArrayFromImage(sitk.ReadImage(str(path)))


# ------------------------------------------------------------------------------------------ phantom


def test_phantom_layout_and_geometry(base):
    tmp, ph, cases, _ = base
    img = sitk.ReadImage(str(ph / "images" / "P1.nii.gz"))
    assert (
        img.GetSpacing() == SCAN.spacing
    )  # exact: 45/64 mm survives NIfTI's float32 (see DEFAULT_SPACING)
    assert img.GetSize() == SCAN.size
    assert img.GetPixelID() == sitk.sitkInt16  # HU
    index = pd.read_csv(ph / "masks" / "index.csv", dtype={"lesion_id": str})
    assert list(index.columns) == ["lesion_id", "observer", "repeat", "image", "mask"]
    assert set(index["lesion_id"]) == set(LESIONS["lesion_id"])
    reseg = index[index["observer"] == 2]["lesion_id"]
    assert len(reseg) == 4 and set(index[index["repeat"] == 2]["lesion_id"]) == set(reseg)
    assert len(cases) == 6 + 2 * 4
    truth = pd.read_csv(ph / "truth.csv")
    vox = float(np.prod(SCAN.spacing))
    for row in truth.itertuples():
        m = _array(ph / "masks" / f"{row.lesion_id}_o1r1.nii.gz")
        assert set(np.unique(m)) == {0, 1}
        assert int(m.sum()) == row.reference_voxels
        # the reference mask is the voxels whose centre is inside the ellipsoid: its volume is within one
        # voxel layer of the analytic one (semi-axes +- the half voxel diagonal bound it)
        h = 0.5 * math.sqrt(sum(s * s for s in SCAN.spacing))
        a, b, c = row.semi_axis_x_mm, row.semi_axis_y_mm, row.semi_axis_z_mm
        lo = 4 / 3 * math.pi * max(a - h, 0) * max(b - h, 0) * max(c - h, 0)
        hi = 4 / 3 * math.pi * (a + h) * (b + h) * (c + h)
        assert lo <= m.sum() * vox <= hi


def test_phantom_lesions_enhance_by_outcome(base):
    """Lesions are brighter than the liver and, on average, brighter when the response was effective."""
    _, ph, _, _ = base
    truth = pd.read_csv(ph / "truth.csv", dtype={"patient_id": str})
    means = {}
    for row in truth.itertuples():
        img = _array(ph / "images" / f"{row.patient_id}.nii.gz").astype(float)
        m = _array(ph / "masks" / f"{row.lesion_id}_o1r1.nii.gz").astype(bool)
        means[row.lesion_id] = img[m].mean()
        assert img[m].mean() > SCAN.liver_hu
    by = truth.assign(hu=truth["lesion_id"].map(means)).groupby("outcome")["hu"].mean()
    assert by[0] > by[1]


def test_phantom_same_seed_same_files_other_seed_differs(base, tmp_path):
    tmp, ph, _, _ = base
    again = _phantom(tmp, name="ph_again")
    other = _phantom(tmp, name="ph_other", seed=8)
    for rel in ("images/P2.nii.gz", "masks/L4_o1r2.nii.gz", "masks/L4_o2r1.nii.gz"):
        assert np.array_equal(_array(ph / rel), _array(again / rel))
    assert not np.array_equal(_array(ph / "images/P2.nii.gz"), _array(other / "images/P2.nii.gz"))
    pd.testing.assert_frame_equal(pd.read_csv(ph / "truth.csv"), pd.read_csv(again / "truth.csv"))


def test_phantom_patient_does_not_depend_on_other_patients(base):
    tmp, ph, _, _ = base
    sub = tmp / "ph_sub"
    write_phantom(
        tmp / "cohort", sub, seed=7, scan=SCAN, response=RESPONSE, resegment=0, n_lesions=1
    )
    assert sorted(p.name for p in (sub / "images").iterdir()) == ["P1.nii.gz"]
    assert np.array_equal(_array(ph / "images/P1.nii.gz"), _array(sub / "images/P1.nii.gz"))
    assert np.array_equal(_array(ph / "masks/L1_o1r1.nii.gz"), _array(sub / "masks/L1_o1r1.nii.gz"))
    assert not (sub / "masks" / "L2_o1r1.nii.gz").exists()


def test_phantom_refuses_bad_input(base, tmp_path):
    tmp, ph, _, _ = base
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("mine")
    with pytest.raises(NenauditError, match="not empty.*not made by nenaudit"):
        write_phantom(tmp / "cohort", foreign, seed=1, scan=SCAN)
    assert [p.name for p in foreign.iterdir()] == ["thesis.tex"]
    bad = tmp_path / "bad"
    bad.mkdir()
    LESIONS.drop(columns="outcome").to_csv(bad / "lesions.csv", index=False)
    with pytest.raises(DataError, match="outcome"):
        write_phantom(bad, tmp_path / "o1", scan=SCAN)
    LESIONS.assign(outcome=[0, 1, 2, 1, 1, 0]).to_csv(bad / "lesions.csv", index=False)
    with pytest.raises(DataError, match="'outcome', line 4"):
        write_phantom(bad, tmp_path / "o1", scan=SCAN)
    LESIONS.assign(lesion_id=["L/1", "L2", "L3", "L4", "L5", "L6"]).to_csv(
        bad / "lesions.csv", index=False
    )
    with pytest.raises(DataError, match="line 2.*file name"):
        write_phantom(bad, tmp_path / "o2", scan=SCAN)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_perturb_mask_models():
    _, mask_img, _ = sphere_case(6.0, DEFAULT_SPACING, margin_mm=6.0)
    m = sitk.GetArrayFromImage(mask_img)
    rng = np.random.default_rng(1)
    same = perturb_mask(
        m, rng, ObserverModel(edge_prob=0, max_shift_px=0, end_slice_prob=0, bias_px=0)
    )
    assert np.array_equal(same, m)
    from scipy.ndimage import binary_dilation

    wider = perturb_mask(
        m, rng, ObserverModel(edge_prob=0, max_shift_px=0, end_slice_prob=0, bias_px=1)
    )
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    assert np.array_equal(
        wider, np.stack([binary_dilation(s, cross) for s in m.astype(bool)]).astype(np.uint8)
    )
    harsh = ObserverModel(edge_prob=1.0, max_shift_px=2, end_slice_prob=1.0, bias_px=-3)
    for seed in range(20):
        a = perturb_mask(m, np.random.default_rng(seed), harsh)
        assert a.any()
        assert np.array_equal(a, perturb_mask(m, np.random.default_rng(seed), harsh))


# ------------------------------------------------------------------------------------------ extraction


def test_feature_names_and_counts_match_catalogue(base):
    _, _, _, res = base
    assert res.complete
    assert tuple(res.table.columns) == ID_COLUMNS + CATALOGUE_KEYS
    counts = expected_counts(("original", "wavelet"))
    assert len(res.feature_names) == counts.total == 851  # 851: the paper's count (section 3.2)
    cls = pd.Series([k.split("_")[1] for k in res.feature_names]).value_counts().to_dict()
    assert cls == dict(counts.by_class)
    img = (
        pd.Series([k.split("_")[0].split("-")[0] for k in res.feature_names])
        .value_counts()
        .to_dict()
    )
    assert img == dict(counts.by_image_type)
    assert np.isfinite(res.table[list(res.feature_names)].to_numpy()).all()


def test_settings_are_the_papers_and_the_open_ones_are_explicit(base):
    _, _, _, res = base
    s = res.settings
    assert s["resampledPixelSpacing"] == [1, 1, 1]  # stated in section 2.3
    text = Path(default_params_path()).read_text(encoding="utf-8")
    for key in ("binWidth", "interpolator", "normalize", "padDistance", "wavelet", "label"):
        assert f"\n  {key}:" in text, f"{key} is left open by the paper and must be set explicitly"
    from radiomics.featureextractor import RadiomicsFeatureExtractor

    ex = RadiomicsFeatureExtractor(default_params_path())
    assert set(ex.enabledImagetypes) == {"Original", "Wavelet"}
    assert set(ex.enabledFeatures) == {
        "shape",
        "firstorder",
        "glcm",
        "glrlm",
        "glszm",
        "gldm",
        "ngtdm",
    }


def test_features_deterministic_for_seed_and_independent_of_jobs(base):
    tmp, ph, cases, res = base
    two = extract(cases, jobs=2)
    pd.testing.assert_frame_equal(res.table, two.table, check_exact=True)
    again = tmp / "ph_again" if (tmp / "ph_again").exists() else _phantom(tmp, name="ph_again")
    res2 = extract(find_cases(again / "images", again / "masks"), jobs=1)
    pd.testing.assert_frame_equal(res.table, res2.table, check_exact=True)


def test_csv_round_trip_is_exact(base, tmp_path):
    _, _, _, res = base
    written = save_extraction(res, tmp_path / "features.csv")
    assert written == {"table": str(tmp_path / "features.csv")}
    back = pd.read_csv(tmp_path / "features.csv", dtype={"lesion_id": str})
    assert np.array_equal(
        back[list(res.feature_names)].to_numpy(), res.table[list(res.feature_names)].to_numpy()
    )


def _sphere_bounds(radius: float, spacing) -> dict[str, tuple[float, float]]:
    """Bounds that follow from the voxel size alone (derivation in the test docstring)."""
    vol = lambda r: 4.0 / 3.0 * math.pi * max(r, 0.0) ** 3  # noqa: E731
    h0 = 0.0 if tuple(spacing) == (1.0, 1.0, 1.0) else 0.5 * math.sqrt(sum(s * s for s in spacing))
    h1 = math.sqrt(3) / 2  # half diagonal of a 1 mm voxel
    return {
        "original_shape_VoxelVolume": (vol(radius - h0 - h1), vol(radius + h0 + h1)),
        "original_shape_MeshVolume": (vol(radius - h0 - 2 * h1), vol(radius + h0 + 2 * h1)),
        "original_shape_Maximum3DDiameter": (
            2 * math.sqrt((radius - h0) ** 2 - 0.5) - 1,
            2 * (radius + h0 + 0.5),
        ),
    }


@pytest.mark.parametrize(
    "spacing,radius",
    [
        ((1.0, 1.0, 1.0), 10.0),
        ((1.0, 1.0, 1.0), 20.0),
        (DEFAULT_SPACING, 12.0),
        (DEFAULT_SPACING, 20.0),
    ],
)
def test_sphere_shape_features_within_voxel_tolerance(tmp_path, spacing, radius):
    """Volume and maximum 3-D diameter of a voxelised sphere agree with 4/3 pi R^3 and 2R.

    Tolerance, from the voxel size only. The mask holds the voxels whose centre is within R of the
    sphere's centre. pyradiomics resamples it to 1 mm (nearest neighbour): a 1 mm voxel is labelled
    iff its centre lies in a labelled acquisition voxel, so labelled 1 mm centres are within
    R + h0 and unlabelled ones beyond R - h0, with h0 the half diagonal of the acquisition voxel
    (0 when it is already 1 mm: then nothing is resampled). Hence
    * VoxelVolume (labelled 1 mm cubes, half diagonal h1 = sqrt(3)/2): between V(R - h0 - h1) and V(R + h0 + h1);
    * MeshVolume: the marching-cubes surface lies in 1 mm cells with a labelled and an unlabelled
      corner, so within 2 h1 (a cell diagonal) of both: between V(R - h0 - 2 h1) and V(R + h0 + 2 h1);
    * Maximum3DDiameter: mesh vertices are midpoints of 1 mm edges joining a labelled and an
      unlabelled centre, so at most R + h0 + 1/2 from the centre (D <= 2R + 2 h0 + 1); on the grid
      line nearest the centre (offset <= sqrt(1/2)) the labelled run spans at least the chord of the
      ball of radius R - h0, so D >= 2 sqrt((R - h0)^2 - 1/2) - 1.
    For 1 mm voxels the volume is also exactly the number of labelled voxels.
    """
    img, mask, spec = sphere_case(radius, spacing)
    sitk.WriteImage(img, str(tmp_path / "s.nii.gz"))
    sitk.WriteImage(mask, str(tmp_path / "m.nii.gz"))
    res = extract([Case("s", 1, 1, str(tmp_path / "s.nii.gz"), str(tmp_path / "m.nii.gz"))])
    assert res.complete
    row = res.table.iloc[0]
    for key, (lo, hi) in _sphere_bounds(radius, spacing).items():
        # 1e-9 relative: the bound itself is attained in the isotropic case (D = 2R + 1)
        assert lo * (1 - 1e-9) <= row[key] <= hi * (1 + 1e-9), (key, row[key], lo, hi)
    if tuple(spacing) == (1.0, 1.0, 1.0):
        assert row["original_shape_VoxelVolume"] == sitk.GetArrayViewFromImage(mask).sum()


def _write(img, path) -> str:
    sitk.WriteImage(img, str(path), True)
    return str(path)


def test_failing_masks_are_reported_and_the_rest_go_on(base, tmp_path):
    _, ph, cases, res = base
    good = cases[:3]
    ref = read_image(good[0].mask)
    empty = sitk.Image(ref)
    empty *= 0
    moved = sitk.Image(ref)
    moved.SetOrigin(
        tuple(o + 40.0 * s for o, s in zip(ref.GetOrigin(), (0.0, 1.0, 0.0)))
    )  # 40 mm off in y
    shifted = sitk.Image(ref)
    o = list(ref.GetOrigin())
    o[1] += 140 * ref.GetSpacing()[1]  # the lesion leaves the image (150 rows)
    shifted.SetOrigin(o)
    single = sitk.Image(ref)
    single *= 0
    single[10, 10, 5] = 1
    respaced = sitk.Image(ref)
    respaced.SetSpacing((0.8, 0.8, 5.0))  # the image has DEFAULT_SPACING
    bad = [
        Case("E1", 1, 1, good[0].image, _write(empty, tmp_path / "empty.nii.gz")),
        Case("O1", 1, 1, good[0].image, _write(shifted, tmp_path / "outside.nii.gz")),
        Case("G1", 1, 1, good[0].image, _write(respaced, tmp_path / "spacing.nii.gz")),
        Case("G2", 1, 1, good[0].image, _write(moved, tmp_path / "moved.nii.gz")),
        Case("F1", 1, 1, good[0].image, str(tmp_path / "missing.nii.gz")),
        Case("V1", 1, 1, good[0].image, _write(single, tmp_path / "single.nii.gz")),
    ]
    # G2: shifted by 40 mm = 56.89 voxels, not a whole number of voxels
    mixed = [good[0], bad[0], good[1], bad[1], bad[2], bad[3], bad[4], bad[5], good[2]]
    out = extract(mixed, jobs=2)
    assert list(out.table["lesion_id"]) == [c.lesion_id for c in good]
    pd.testing.assert_frame_equal(
        out.table, res.table.iloc[:3].reset_index(drop=True), check_exact=True
    )
    reasons = {f.lesion_id: f.reason for f in out.failures}
    assert list(reasons) == ["E1", "O1", "G1", "G2", "F1", "V1"]
    assert reasons["E1"].startswith("empty mask")
    assert reasons["O1"].startswith("mask outside the image")
    assert reasons["G1"].startswith("mismatched geometry") and "spacing" in reasons["G1"]
    assert reasons["G2"].startswith("mismatched geometry") and "origin" in reasons["G2"]
    assert "no such file" in reasons["F1"]
    assert (
        reasons["V1"].startswith("pyradiomics:") and "1 segmented voxel" in reasons["V1"]
    )  # its own check

    target = tmp_path / "out" / "features.csv"
    written = save_extraction(out, target)
    assert not target.exists()  # never a complete-looking file with lesions missing
    failures = pd.read_csv(written["failures"])
    assert list(failures["lesion_id"]) == ["E1", "O1", "G1", "G2", "F1", "V1"]
    assert len(pd.read_csv(written["partial"])) == 3
    # a later complete run writes the file and removes the stale partial/failure files
    save_extraction(res, target)
    assert (
        target.exists()
        and not Path(written["partial"]).exists()
        and not Path(written["failures"]).exists()
    )


def test_cropped_mask_on_the_image_grid_gives_the_same_features(base, tmp_path):
    _, _, cases, res = base
    mask = read_image(cases[0].mask)
    arr = sitk.GetArrayViewFromImage(mask)
    z, y, x = np.nonzero(arr)
    lo = [int(x.min()) - 3, int(y.min()) - 3, int(z.min()) - 1]
    size = [int(x.max()) - lo[0] + 4, int(y.max()) - lo[1] + 4, int(z.max()) - lo[2] + 2]
    crop = sitk.RegionOfInterest(mask, size, lo)
    assert crop.GetSize() != mask.GetSize()
    back = check_pair(read_image(cases[0].image), crop)
    assert np.array_equal(sitk.GetArrayViewFromImage(back), arr)
    out = extract(
        [Case(cases[0].lesion_id, 1, 1, cases[0].image, _write(crop, tmp_path / "crop.nii.gz"))]
    )
    pd.testing.assert_frame_equal(out.table, res.table.iloc[:1], check_exact=True)


def _write_dicom_series(img, directory: Path) -> None:
    directory.mkdir()
    writer = sitk.ImageFileWriter()
    writer.KeepOriginalImageUIDOn()
    uid = "1.2.826.0.1.3680043.2.1125.1.424242"
    for k in range(img.GetDepth()):
        s = img[:, :, k]
        pos = "\\".join(f"{v:.6f}" for v in img.TransformIndexToPhysicalPoint((0, 0, k)))
        for tag, val in (
            ("0008|0060", "CT"),
            ("0020|000d", uid + ".1"),
            ("0020|000e", uid + ".2"),
            ("0020|0013", str(k + 1)),
            ("0020|0032", pos),
            ("0020|0037", "1\\0\\0\\0\\1\\0"),
            ("0018|0050", f"{img.GetSpacing()[2]:g}"),
        ):
            s.SetMetaData(tag, val)
        writer.SetFileName(str(directory / f"slice{k:03d}.dcm"))
        writer.Execute(s)


def test_nifti_nrrd_and_dicom_series_give_the_same_features(tmp_path):
    img, mask, _ = sphere_case(9.0, DEFAULT_SPACING, margin_mm=8.0, seed=3)
    img.SetOrigin(
        (-20.25, 11.875, -35.0)
    )  # exact in float32 (NIfTI) and in DICOM's decimal strings
    mask.CopyInformation(img)
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    _write(img, images / "nii.nii.gz")
    _write(mask, masks / "nii.nii.gz")
    _write(img, images / "nrrd.nrrd")
    _write(mask, masks / "nrrd.nrrd")
    _write_dicom_series(img, images / "dcm")
    _write(mask, masks / "dcm.nii.gz")
    cases = find_cases(images, masks)
    assert [(c.lesion_id, Path(c.image).name) for c in cases] == [
        ("dcm", "dcm"),
        ("nii", "nii.nii.gz"),
        ("nrrd", "nrrd.nrrd"),
    ]
    res = extract(cases)
    assert res.complete
    vals = res.table[list(res.feature_names)].to_numpy()
    # the same voxels and the same geometry (binary-exact spacing and origin, see DEFAULT_SPACING) -> identical
    assert np.array_equal(vals[0], vals[1]) and np.array_equal(vals[1], vals[2])


def test_observer_icc_through_stats_icc(base, tmp_path):
    tmp, ph, cases, res = base
    icc = observer_icc(res.table)
    for design in ("intra", "inter"):
        b = icc[design]
        assert b.features == CATALOGUE_KEYS and set(b.n_subjects) == {4}
    # observer 1's repeat drawn identical to the first reading: ICC3 is 1 for every feature that varies
    same = res.table[(res.table["observer"] == 1) & (res.table["repeat"] == 1)].copy()
    same["repeat"] = 2
    perfect = observer_icc(
        pd.concat([res.table[res.table["repeat"] == 1], same], ignore_index=True)
    )["intra"]
    vals = perfect.values()["ICC3"]
    varies = same[list(CATALOGUE_KEYS)].nunique() > 1
    assert int(varies.sum()) > 800
    np.testing.assert_allclose(
        vals[varies.to_numpy()], 1.0, rtol=0, atol=1e-12
    )  # exact up to rounding


def test_split_readings_loads_as_a_cohort(base, tmp_path):
    _, _, _, res = base
    feats, obs = split_readings(res.table)
    d = tmp_path / "cohort"
    d.mkdir()
    LESIONS.to_csv(d / "lesions.csv", index=False)
    LESIONS.groupby("patient_id", as_index=False).agg(
        outcome=("outcome", "first"), n_lesions=("lesion_id", "size")
    ).to_csv(d / "patients.csv", index=False)
    feats.to_csv(d / "features.csv", index=False)
    obs.to_csv(d / "observers.csv", index=False)
    (d / "manifest.json").write_text("{}")
    from nenaudit.cohort import load_cohort

    c = load_cohort(d)
    assert list(c.features.columns) == list(CATALOGUE_KEYS)
    assert len(c.observers) == 8


# ------------------------------------------------------------------------------------------ CLI


def _cli(*args):
    return nenaudit(*args)


def test_cli_phantom_then_extract(base, tmp_path):
    tmp, _, _, _ = base
    r = _cli(
        "phantom",
        "--cohort",
        str(tmp / "cohort"),
        "--out",
        str(tmp_path / "ph"),
        "--lesions",
        "3",
        "--seed",
        "5",
        "--resegment",
        "2",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert (
        summary["n_lesions"] == 3
        and summary["n_masks"] == 3 + 2 * 2
        and summary["spacing"] == list(DEFAULT_SPACING)
    )
    r = _cli(
        "extract",
        "--images",
        str(tmp_path / "ph/images"),
        "--masks",
        str(tmp_path / "ph/masks"),
        "--jobs",
        "2",
        "--out",
        str(tmp_path / "f.csv"),
        "--icc",
        str(tmp_path / "icc.csv"),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["n_extracted"] == 7 and s["n_failed"] == 0 and s["n_features"] == 851
    table = pd.read_csv(tmp_path / "f.csv")
    assert table.shape == (7, 3 + 851)
    icc = pd.read_csv(tmp_path / "icc.csv")
    assert set(icc["design"]) == {"intra", "inter"} and len(icc) == 2 * 6 * 851
    assert s["icc_at_least_0.75"]["intra"]["n_lesions"] == 2


def test_cli_failure_exit_1_and_bad_input_exit_2(base, tmp_path):
    _, ph, cases, _ = base
    masks = tmp_path / "masks"
    masks.mkdir()
    pd.DataFrame(
        [
            dict(lesion_id="L1", observer=1, repeat=1, image="P1.nii.gz", mask="L1_o1r1.nii.gz"),
            dict(lesion_id="Lx", observer=1, repeat=1, image="P1.nii.gz", mask="nope.nii.gz"),
        ]
    ).to_csv(masks / "index.csv", index=False)
    import shutil

    shutil.copy(ph / "masks" / "L1_o1r1.nii.gz", masks)
    r = _cli(
        "extract",
        "--images",
        str(ph / "images"),
        "--masks",
        str(masks),
        "--out",
        str(tmp_path / "f.csv"),
    )
    assert r.returncode == 1
    assert "lesion Lx" in r.stderr and "no such file" in r.stderr
    assert not (tmp_path / "f.csv").exists() and (tmp_path / "f.failures.csv").exists()
    r = _cli(
        "extract",
        "--images",
        str(tmp_path / "nowhere"),
        "--masks",
        str(masks),
        "--out",
        str(tmp_path / "g.csv"),
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such directory" in r.stderr
    r = _cli("phantom", "--cohort", str(tmp_path / "nowhere"), "--out", str(tmp_path / "p"))
    assert (
        r.returncode == 2 and r.stderr.count("\n") == 1 and "no such cohort directory" in r.stderr
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("setting:\n  binWidth: -3\n")
    r = _cli(
        "extract",
        "--images",
        str(ph / "images"),
        "--masks",
        str(ph / "masks"),
        "--params",
        str(bad),
        "--out",
        str(tmp_path / "h.csv"),
    )
    assert r.returncode == 2 and "not a valid pyradiomics parameter file" in r.stderr


def test_phantom_lesion_size_follows_the_cohorts_diameter_column(tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    labels = ["1–3 cm", "<1 cm", "12 mm", "1–3 cm", None, "2.5 cm"]
    LESIONS.assign(**{"Diameter of the hepatic metastasis": labels}).to_csv(
        d / "lesions.csv", index=False
    )
    write_phantom(d, tmp_path / "ph", seed=3, scan=SCAN, response=RESPONSE, resegment=0)
    truth = pd.read_csv(tmp_path / "ph" / "truth.csv").set_index("lesion_id")["max_diameter_mm"]
    ranges = {"L1": (10, 30), "L2": (5, 10), "L3": (12, 12), "L4": (10, 30), "L6": (25, 25)}
    for lid, (lo, hi) in ranges.items():
        assert lo - 1e-9 <= truth[lid] <= hi + 1e-9, (lid, truth[lid])
    lo, hi = RESPONSE.diameter_range_mm  # no label: drawn from the response model
    assert lo <= truth["L5"] <= hi
    LESIONS.assign(**{"Diameter of the hepatic metastasis": ["huge"] * 6}).to_csv(
        d / "lesions.csv", index=False
    )
    with pytest.raises(DataError, match="line 2: 'huge' is not a diameter"):
        write_phantom(d, tmp_path / "ph2", scan=SCAN)
