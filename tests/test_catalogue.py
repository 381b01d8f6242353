"""The pyradiomics feature catalogue: its JSON, its helpers, and its agreement with the installed package."""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nenaudit.exceptions import NenauditError
from nenaudit.radiomics import catalogue as cat
from nenaudit.radiomics.catalogue import (
    classes_of,
    expected_counts,
    feature_key,
    load_catalogue,
    parse_published_name,
)

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "make_feature_catalogue.py"
CLASSES = ("shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm")


@pytest.fixture(scope="module")
def raw() -> dict:
    text = (
        resources.files("nenaudit.radiomics")
        .joinpath(cat.CATALOGUE_FILE)
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


# ----------------------------------------------------------------- the JSON itself
def test_json_counts_match_its_lists(raw):
    classes = raw["classes"]
    assert tuple(classes) == CLASSES
    counts = raw["counts"]
    assert counts["classes"] == {c: len(v) for c, v in classes.items()}
    per_image = sum(len(v) for c, v in classes.items() if c != "shape")
    n_wavelet = len(raw["image_types"]["wavelet"])
    assert counts["per_filtered_image"] == counts["wavelet_per_decomposition"] == per_image
    assert counts["original"] == len(classes["shape"]) + per_image
    assert counts["wavelet"] == per_image * n_wavelet
    assert raw["total_default_3d"] == counts["original"] + counts["wavelet"]
    assert counts["by_class_original_plus_wavelet"] == {
        c: len(v) if c == "shape" else len(v) * (1 + n_wavelet) for c, v in classes.items()
    }
    assert sum(counts["by_class_original_plus_wavelet"].values()) == raw["total_default_3d"]


def test_json_observed_extraction_matches_prediction(raw):
    obs = raw["observed"]
    assert obs["feature_keys"] == raw["total_default_3d"]
    assert obs["per_class"] == raw["counts"]["by_class_original_plus_wavelet"]
    assert obs["image_types"] == raw["image_types"]["original"] + raw["image_types"]["wavelet"]
    assert obs["per_image_type"]["original"] == raw["counts"]["original"]
    for name in raw["image_types"]["wavelet"]:
        assert obs["per_image_type"][name] == raw["counts"]["wavelet_per_decomposition"]
    assert obs["shape_image_types"] == ["original"]
    assert raw["shape_only_on_original"] is True
    assert obs["key_format"] == "{image_type}_{feature_class}_{feature}"
    assert "wavelet-LLH_glcm_Correlation" in obs["key_examples"]


def test_json_lists_are_sorted_unique_and_disjoint_from_deprecated(raw):
    for c in CLASSES:
        names = raw["classes"][c]
        assert names == sorted(set(names)), c
        assert not set(names) & set(raw["deprecated"][c]), c
        assert all("_" not in n and "-" not in n for n in names), c


def test_json_wavelets_are_the_eight_3d_decompositions(raw):
    assert raw["image_types"]["original"] == ["original"]
    names = raw["image_types"]["wavelet"]
    expected = {"wavelet-" + "".join(p) for p in itertools.product("LH", repeat=3)}
    assert len(names) == 8 and set(names) == expected


def test_json_pins_pyradiomics_known_numbers(raw):
    """The numbers pyradiomics 3.x is known for: 107 original, 93 per filtered image, 851 with wavelets."""
    assert raw["counts"]["classes"] == {
        "shape": 14,
        "firstorder": 18,
        "glcm": 24,
        "glrlm": 16,
        "glszm": 16,
        "gldm": 14,
        "ngtdm": 5,
    }
    assert raw["total_default_3d"] == 851
    assert raw["deprecated"]["firstorder"] == ["StandardDeviation"]
    assert "Homogeneity1" in raw["deprecated"]["glcm"]


# ----------------------------------------------------------------- the loaded object
def test_catalogue_is_frozen_and_cached():
    c = load_catalogue()
    assert c is load_catalogue()
    assert c.package and c.version
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.total_default_3d = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.classes["glcm"] = ()  # type: ignore[index]
    assert isinstance(c.classes["glcm"], tuple)


def test_from_dict_refuses_a_broken_catalogue(raw):
    broken = dict(raw)
    del broken["classes"]
    with pytest.raises(NenauditError, match="malformed"):
        cat.FeatureCatalogue.from_dict(broken)
    with pytest.raises(NenauditError, match="image_types"):
        cat.FeatureCatalogue.from_dict({**raw, "image_types": {"original": ["original"]}})


def test_expected_counts_default_breakdown():
    e = expected_counts(("original", "wavelet"))
    assert dict(e.by_image_type) == {"original": 107, "wavelet": 744}
    assert (
        e.by_class["shape"] == 14 and e.by_class["firstorder"] == 162 and e.by_class["ngtdm"] == 45
    )
    assert e.total == 851 == load_catalogue().total_default_3d
    assert expected_counts("original").total == 107
    assert expected_counts(["Original"]).by_class["glcm"] == 24


def test_expected_counts_single_decomposition_and_overlap():
    one = expected_counts("wavelet-LLH")
    assert one.total == 93 and "shape" not in one.by_class
    both = expected_counts(["wavelet", "WAVELET-llh"])
    assert both.by_image_type == {"wavelet": 744, "wavelet-LLH": 93}
    assert both.total == 744  # LLH is not counted twice


@pytest.mark.parametrize("bad", ["log", "wavelet-LLHH", "wavelet2-LLH", "", "shape"])
def test_expected_counts_refuses_unknown_image_types(bad):
    with pytest.raises(NenauditError, match="not in the catalogue"):
        expected_counts([bad])


def test_feature_keys_enumerate_the_extraction():
    keys = load_catalogue().feature_keys()
    assert len(keys) == len(set(keys)) == 851
    assert "original_shape_Sphericity" in keys
    assert "wavelet-LLH_glcm_Correlation" in keys
    assert not any(k.startswith("wavelet") and "_shape_" in k for k in keys)
    assert len(load_catalogue().feature_keys("wavelet-HHH")) == 93


def test_feature_key():
    assert feature_key("wavelet-LLH", "glcm", "Correlation") == "wavelet-LLH_glcm_Correlation"
    assert feature_key("Original", "shape", "Sphericity") == "original_shape_Sphericity"
    assert feature_key("WAVELET-hhh", "ngtdm", "Contrast") == "wavelet-HHH_ngtdm_Contrast"


@pytest.mark.parametrize(
    "args, message",
    [
        (("wavelet-LLHH", "glcm", "Correlation"), "image type"),
        (("log-sigma-1-0-mm-3D", "glcm", "Correlation"), "image type"),
        (("original", "GLCM", "Correlation"), "feature class"),
        (("original", "glcm", "Busyness"), "no default feature"),
        (("original", "glcm", "Homogeneity1"), "deprecated"),
        (("wavelet-LLH", "shape", "Sphericity"), "original image only"),
    ],
)
def test_feature_key_refuses(args, message):
    with pytest.raises(NenauditError, match=message):
        feature_key(*args)


def test_classes_of():
    assert classes_of("Contrast") == ("glcm", "ngtdm")
    assert classes_of("GrayLevelNonUniformity") == ("glrlm", "glszm", "gldm")
    assert classes_of("GrayLevelNonUniformityNormalized") == ("glrlm", "glszm")
    assert classes_of("GrayLevelNonUniformityNormalized", include_deprecated=True) == (
        "glrlm",
        "glszm",
        "gldm",
    )
    assert classes_of("RootMeanSquared") == ("firstorder",)
    assert classes_of("Homogeneity1") == ()
    assert classes_of("Homogeneity1", include_deprecated=True) == ("glcm",)
    assert classes_of("contrast") == ()  # exact spelling only
    assert classes_of("NoSuchFeature") == ()


# ----------------------------------------------------------------- parsing published names
@pytest.mark.parametrize(
    "text, image_type, decomposition, classes, feature, key",
    [
        (
            "Original_RootMeanSquared",
            "original",
            None,
            ("firstorder",),
            "RootMeanSquared",
            "original_firstorder_RootMeanSquared",
        ),
        (
            "Original_Correlation",
            "original",
            None,
            ("glcm",),
            "Correlation",
            "original_glcm_Correlation",
        ),
        (
            "Original_LongRunLowGrayLevelEmphasis",
            "original",
            None,
            ("glrlm",),
            "LongRunLowGrayLevelEmphasis",
            "original_glrlm_LongRunLowGrayLevelEmphasis",
        ),
        ("Original_Busyness", "original", None, ("ngtdm",), "Busyness", "original_ngtdm_Busyness"),
        (
            "Wavelet_LLH_Median",
            "wavelet",
            "LLH",
            ("firstorder",),
            "Median",
            "wavelet-LLH_firstorder_Median",
        ),
        (
            "Wavelet_LLH_ClusterShade",
            "wavelet",
            "LLH",
            ("glcm",),
            "ClusterShade",
            "wavelet-LLH_glcm_ClusterShade",
        ),
        (
            "Wavelet_LLH_SizeZoneNonUniformityNormalized",
            "wavelet",
            "LLH",
            ("glszm",),
            "SizeZoneNonUniformityNormalized",
            "wavelet-LLH_glszm_SizeZoneNonUniformityNormalized",
        ),
        ("wavelet-LLH_glcm_Imc1", "wavelet", "LLH", ("glcm",), "Imc1", "wavelet-LLH_glcm_Imc1"),
        (
            "original_shape_Sphericity",
            "original",
            None,
            ("shape",),
            "Sphericity",
            "original_shape_Sphericity",
        ),
        (
            "Original_GLCM_Contrast",
            "original",
            None,
            ("glcm",),
            "Contrast",
            "original_glcm_Contrast",
        ),
        (
            "Wavelet-HHH ngtdm Contrast",
            "wavelet",
            "HHH",
            ("ngtdm",),
            "Contrast",
            "wavelet-HHH_ngtdm_Contrast",
        ),
        (
            "Original_First_Order_Mean",
            "original",
            None,
            ("firstorder",),
            "Mean",
            "original_firstorder_Mean",
        ),
        (
            "original_firstorder_10Percentile",
            "original",
            None,
            ("firstorder",),
            "10Percentile",
            "original_firstorder_10Percentile",
        ),
    ],
)
def test_parse_clean_names(text, image_type, decomposition, classes, feature, key):
    p = parse_published_name(text)
    assert p.ok, p.problems
    assert (p.image_type, p.decomposition, p.classes, p.feature, p.key) == (
        image_type,
        decomposition,
        classes,
        feature,
        key,
    )


@pytest.mark.parametrize("text", ["WaveletH_LLHH_RunVariance", "Wavelet_H_LLHH_RunVariance"])
def test_parse_four_letter_decomposition(text):
    p = parse_published_name(text)
    assert p.image_type == "wavelet"
    assert p.decomposition == "LLHH"
    assert p.classes == ("glrlm",) and p.feature == "RunVariance"
    assert set(p.problem_codes) == {cat.MALFORMED_PREFIX, cat.UNKNOWN_DECOMPOSITION}
    assert p.key is None
    detail = next(pr.detail for pr in p.problems if pr.code == cat.UNKNOWN_DECOMPOSITION)
    assert "4 letters" in detail and "3" in detail


@pytest.mark.parametrize(
    "text, codes, classes",
    [
        ("Original_Contrast", {cat.AMBIGUOUS_CLASS}, ("glcm", "ngtdm")),
        ("Wavelet_LLH_GrayLevelVariance", {cat.AMBIGUOUS_CLASS}, ("glrlm", "glszm", "gldm")),
        ("Original_NoSuchThing", {cat.UNKNOWN_FEATURE}, ()),
        ("Wavelet_LLH_Sphericity", {cat.SHAPE_NOT_ON_FILTERED_IMAGE}, ("shape",)),
        ("Original_Compactness1", {cat.DEPRECATED_FEATURE}, ("shape",)),
        ("Original_StandardDeviation", {cat.DEPRECATED_FEATURE}, ("firstorder",)),
        ("Original_Perimeter", {cat.NON_DEFAULT_CLASS}, ("shape2D",)),
        ("original_firstorder_rootmeansquared", {cat.FEATURE_CASE}, ("firstorder",)),
        ("Original_ngtdm_Correlation", {cat.FEATURE_NOT_IN_CLASS}, ("glcm",)),
        ("Wavelet_Mean", {cat.MISSING_DECOMPOSITION}, ("firstorder",)),
        ("Wavelet_LL_Mean", {cat.UNKNOWN_DECOMPOSITION}, ("firstorder",)),
        ("wavelet2-LLH_firstorder_Mean", {cat.NON_DEFAULT_WAVELET_LEVEL}, ("firstorder",)),
        ("log-sigma-3-0-mm-3D_glcm_Contrast", {cat.NON_DEFAULT_IMAGE_TYPE}, ("glcm",)),
        ("Square_Mean", {cat.NON_DEFAULT_IMAGE_TYPE}, ("firstorder",)),
        ("Mean", {cat.MISSING_IMAGE_TYPE}, ("firstorder",)),
        ("GLCM_Contrast", {cat.MISSING_IMAGE_TYPE}, ("glcm",)),
        ("Filtered_Mean", {cat.MALFORMED_PREFIX}, ("firstorder",)),
        ("Original_xyz_Mean", {cat.MALFORMED_PREFIX}, ("firstorder",)),
    ],
)
def test_parse_problems(text, codes, classes):
    p = parse_published_name(text)
    assert set(p.problem_codes) == codes, p.problems
    assert p.classes == classes
    assert not p.ok


def test_parse_case_mismatch_still_resolves_the_key():
    p = parse_published_name("original_firstorder_rootmeansquared")
    assert p.feature == "RootMeanSquared" and p.key == "original_firstorder_RootMeanSquared"


def test_parse_image_name():
    assert parse_published_name("Wavelet_LLH_Median").image_name == "wavelet-LLH"
    assert parse_published_name("Original_Median").image_name == "original"
    assert parse_published_name("wavelet2-LLH_firstorder_Mean").image_name == "wavelet2-LLH"


@pytest.mark.parametrize("text", ["", "   ", "__", None, 3.5])
def test_parse_empty_or_not_text(text):
    p = parse_published_name(text)  # type: ignore[arg-type]
    assert p.problem_codes == (cat.EMPTY,)


def test_every_catalogue_key_parses_back_to_itself():
    for key in load_catalogue().feature_keys():
        p = parse_published_name(key)
        assert p.ok and p.key == key, (key, p.problems)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("LHlhOWavelet_- 0123xyzCM.Original")), max_size=40)
    | st.text(max_size=30)
)
def test_parse_never_raises(text):
    p = parse_published_name(text)
    assert isinstance(p, cat.ParsedName)
    assert p.key is None or p.key in load_catalogue().feature_keys()


# ----------------------------------------------------------------- agreement with the installed package
def _load_tool():
    spec = importlib.util.spec_from_file_location("make_feature_catalogue", TOOL)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    importlib.util.find_spec("radiomics") is None,
    reason="radiomics not installed (pip install pyradiomics-bhklab)",
)
def test_json_equals_what_the_generator_produces_now(raw):
    """Rebuilds the catalogue from the installed ``radiomics`` (including a real extraction) and compares.

    Skipped only when no ``radiomics`` module is installed; one that is installed but fails to import fails here.
    """
    tool = _load_tool()
    fresh = tool.build_catalogue()
    assert fresh["source"] == raw["source"], (
        "installed radiomics differs from the one the JSON was built from"
    )
    assert fresh == raw
    text = (
        resources.files("nenaudit.radiomics")
        .joinpath(cat.CATALOGUE_FILE)
        .read_text(encoding="utf-8")
    )
    assert tool.render(fresh) == text
