#!/usr/bin/env python3
"""Write ``src/nenaudit/radiomics/pyradiomics_features.json`` from the installed ``radiomics`` package.

The catalogue says which features pyradiomics extracts for a 3-D image with the
image types ``Original`` and ``Wavelet`` enabled and every feature class enabled
with its default feature list (all non-deprecated features), which is what a
typical parameter file does. It is built from the package's own introspection
(``getFeatureClasses()`` and each class's ``getFeatureNames()`` with its
deprecation flags, ``imageoperations.getWaveletImage`` for the decomposition
names) and then checked against a real extraction from a small synthetic 3-D
SimpleITK image and mask: every extracted key must be predicted and every
predicted key extracted, otherwise this script stops with an error.

Usage::

    python tools/make_feature_catalogue.py            # (re)write the JSON
    python tools/make_feature_catalogue.py --check    # exit 1 if the JSON differs
    python tools/make_feature_catalogue.py --stdout   # print, write nothing

Needs ``pip install pyradiomics-bhklab`` (the ``radiomics`` module, with wheels
or an sdist that builds against numpy 2). The output holds no timings or
feature values, so it is the same on every run with the same package version.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "src" / "nenaudit" / "radiomics" / "pyradiomics_features.json"

#: Feature classes computed for every image type (shape is computed once, on the original).
CLASS_ORDER = ("shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm")
#: The image types this catalogue covers, as pyradiomics names them in settings.
ENABLED_IMAGE_TYPES = ("Original", "Wavelet")
KEY_FORMAT = "{image_type}_{feature_class}_{feature}"
#: pyradiomics' wavelet defaults (checked against an explicit run in ``_introspect``).
WAVELET_DEFAULTS = {"wavelet": "coif1", "level": 1, "start_level": 0}
DIAGNOSTICS_PREFIX = "diagnostics_"


def _decomposition_sort_key(name: str) -> tuple:
    """Order wavelet decompositions as binary numbers with L=0, H=1: LLL, LLH, LHL, ..., HHH."""
    return (len(name), name.replace("L", "0").replace("H", "1"))


def _image_type_sort_key(name: str) -> tuple:
    if name == "original":
        return (0, "")
    decomposition = name.split("-", 1)[1] if "-" in name else name
    return (1, _decomposition_sort_key(decomposition))


def _distribution_of(module_name: str) -> tuple[str, str]:
    """(distribution name, distribution version) that provides ``module_name``."""
    from importlib import metadata

    dists = sorted(set(metadata.packages_distributions().get(module_name, [])))
    if not dists:
        return ("unknown", "unknown")
    name = dists[0]
    return (name, metadata.version(name))


def _synthetic_case():
    """A 21x20x19 image of noisy gray levels with a blob-shaped mask (label 1)."""
    import numpy as np
    import SimpleITK as sitk

    rng = np.random.default_rng(20250101)
    shape = (19, 20, 21)  # z, y, x as numpy orders them; odd sizes exercise the wavelet padding
    zz, yy, xx = np.indices(shape)
    centre = np.array(shape) / 2.0
    r2 = (
        ((zz - centre[0]) / 6.0) ** 2
        + ((yy - centre[1]) / 7.0) ** 2
        + ((xx - centre[2]) / 5.0) ** 2
    )
    mask = (r2 <= 1.0).astype(np.uint8)
    image = rng.normal(100.0, 40.0, size=shape) + 60.0 * mask + 3.0 * xx
    image_itk = sitk.GetImageFromArray(image.astype(np.float32))
    mask_itk = sitk.GetImageFromArray(mask)
    for im in (image_itk, mask_itk):
        im.SetSpacing((0.8, 0.8, 1.5))
        im.SetOrigin((0.0, 0.0, 0.0))
    return image_itk, mask_itk


def _introspect():
    """Feature lists, deprecations and wavelet names straight from the package's API."""
    import radiomics
    from radiomics import featureextractor, imageoperations

    feature_classes = radiomics.getFeatureClasses()
    missing = [c for c in CLASS_ORDER if c not in feature_classes]
    if missing:
        raise SystemExit(f"radiomics has no feature class {missing}: cannot build the catalogue")

    extractor = featureextractor.RadiomicsFeatureExtractor()
    default_classes = sorted(extractor.enabledFeatures)
    default_image_types = sorted(extractor.enabledImagetypes)

    enabled: dict[str, list[str]] = {}
    deprecated: dict[str, list[str]] = {}
    for cls in CLASS_ORDER:
        names = feature_classes[cls].getFeatureNames()  # {name: is_deprecated}
        enabled[cls] = sorted(n for n, dep in names.items() if not dep)
        deprecated[cls] = sorted(n for n, dep in names.items() if dep)
    other_classes = {
        cls: {
            "features": sorted(
                n for n, dep in feature_classes[cls].getFeatureNames().items() if not dep
            ),
            "deprecated": sorted(
                n for n, dep in feature_classes[cls].getFeatureNames().items() if dep
            ),
        }
        for cls in sorted(feature_classes)
        if cls not in CLASS_ORDER
    }

    image, mask = _synthetic_case()
    default_run = list(imageoperations.getWaveletImage(image, mask))
    wavelet_names = sorted((name for _img, name, _kw in default_run), key=_image_type_sort_key)
    # The wavelet settings are keyword defaults inside imageoperations, not in extractor.settings:
    # confirm that running with WAVELET_DEFAULTS spelled out gives the very same images.
    import numpy as np
    import SimpleITK as sitk

    explicit_run = {
        name: img
        for img, name, _kw in imageoperations.getWaveletImage(image, mask, **WAVELET_DEFAULTS)
    }
    for img, name, _kw in default_run:
        if name not in explicit_run or not np.array_equal(
            sitk.GetArrayViewFromImage(img), sitk.GetArrayViewFromImage(explicit_run[name])
        ):
            raise SystemExit(f"wavelet defaults are not {WAVELET_DEFAULTS}: {name} differs")
    return {
        "enabled": enabled,
        "deprecated": deprecated,
        "other_classes": other_classes,
        "wavelet_names": wavelet_names,
        "extractor_default_classes": default_classes,
        "extractor_default_image_types": default_image_types,
        "available_image_types": sorted(radiomics.getImageTypes()),
    }


def _extract():
    """Run the real extractor (Original + Wavelet, all classes) and return the feature keys in order."""
    from radiomics import featureextractor

    extractor = featureextractor.RadiomicsFeatureExtractor()
    extractor.disableAllImageTypes()
    for image_type in ENABLED_IMAGE_TYPES:
        extractor.enableImageTypeByName(image_type)
    extractor.enableAllFeatures()  # every class except shape2D, each with its default (non-deprecated) features
    image, mask = _synthetic_case()
    result = extractor.execute(image, mask, label=1)
    keys = [k for k in result if not k.startswith(DIAGNOSTICS_PREFIX)]
    diagnostics = [k for k in result if k.startswith(DIAGNOSTICS_PREFIX)]
    return keys, diagnostics


def _split_key(key: str) -> tuple[str, str, str]:
    image_type, cls, feature = key.split("_", 2)
    return image_type, cls, feature


def build_catalogue() -> dict:
    """The catalogue as a JSON-ready dict; raises SystemExit if introspection and extraction disagree."""
    import radiomics

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    radiomics.setVerbosity(logging.ERROR)

    info = _introspect()
    enabled = info["enabled"]
    wavelet_names = info["wavelet_names"]
    if len(wavelet_names) != 8 or not all(
        n.startswith("wavelet-") and len(n) == len("wavelet-") + 3 for n in wavelet_names
    ):
        raise SystemExit(f"unexpected 3-D wavelet decompositions: {wavelet_names}")

    # What the introspection predicts the extractor will return.
    predicted: list[str] = []
    for image_type in ["original", *wavelet_names]:
        for cls in CLASS_ORDER:
            if cls == "shape" and image_type != "original":
                continue
            predicted += [
                KEY_FORMAT.format(image_type=image_type, feature_class=cls, feature=f)
                for f in enabled[cls]
            ]

    keys, diagnostics = _extract()
    if len(set(keys)) != len(keys):
        dupes = [k for k, n in Counter(keys).items() if n > 1]
        raise SystemExit(f"extractor returned duplicate keys: {dupes[:5]}")
    unexpected = sorted(set(keys) - set(predicted))
    absent = sorted(set(predicted) - set(keys))
    if unexpected or absent:
        raise SystemExit(
            "extraction disagrees with introspection: "
            f"{len(unexpected)} unexpected (e.g. {unexpected[:5]}), {len(absent)} missing (e.g. {absent[:5]})"
        )

    observed_image_types = sorted({_split_key(k)[0] for k in keys}, key=_image_type_sort_key)
    per_image_type = Counter(_split_key(k)[0] for k in keys)
    per_class = Counter(_split_key(k)[1] for k in keys)
    shape_image_types = sorted({_split_key(k)[0] for k in keys if _split_key(k)[1] == "shape"})

    class_counts = {cls: len(enabled[cls]) for cls in CLASS_ORDER}
    per_filtered_image = sum(n for cls, n in class_counts.items() if cls != "shape")
    original_total = class_counts["shape"] + per_filtered_image
    wavelet_total = per_filtered_image * len(wavelet_names)

    dist_name, dist_version = _distribution_of("radiomics")
    return {
        "source": {
            "package": dist_name,
            "version": dist_version,
            "module": "radiomics",
            "module_version": str(radiomics.__version__),
            "generated_by": "tools/make_feature_catalogue.py",
        },
        "dimension": 3,
        "image_types": {
            "original": ["original"],
            "wavelet": wavelet_names,
        },
        "wavelet": {
            **WAVELET_DEFAULTS,
            "letters_per_decomposition": 3,
            "name_format": "wavelet-{decomposition}",
            "note": "3-D stationary wavelet: one letter (L low-pass, H high-pass) per axis; "
            "LLL is the approximation. Levels above 1 would be named wavelet2-..., etc.",
        },
        "classes": {cls: enabled[cls] for cls in CLASS_ORDER},
        "deprecated": {cls: info["deprecated"][cls] for cls in CLASS_ORDER},
        "other_classes": info["other_classes"],
        "shape_only_on_original": shape_image_types == ["original"],
        "counts": {
            "classes": class_counts,
            "per_filtered_image": per_filtered_image,
            "original": original_total,
            "wavelet_per_decomposition": per_filtered_image,
            "wavelet": wavelet_total,
            "by_class_original_plus_wavelet": {
                cls: (n if cls == "shape" else n * (1 + len(wavelet_names)))
                for cls, n in class_counts.items()
            },
        },
        "total_default_3d": original_total + wavelet_total,
        "extractor_defaults": {
            "image_types": info["extractor_default_image_types"],
            "feature_classes": info["extractor_default_classes"],
            "note": "RadiomicsFeatureExtractor() with no parameter file enables only Original "
            f"({original_total} features); total_default_3d assumes Wavelet is enabled too, "
            "as common parameter files do. shape2D is never enabled by default.",
        },
        "available_image_types": info["available_image_types"],
        "observed": {
            "synthetic_image": "21x20x19 float32 noise + ellipsoid mask, spacing (0.8, 0.8, 1.5)",
            "enabled_image_types": list(ENABLED_IMAGE_TYPES),
            "feature_keys": len(keys),
            "diagnostics_keys_excluded": len(diagnostics) > 0,
            "key_format": KEY_FORMAT,
            "key_examples": [
                "original_shape_" + enabled["shape"][0],
                "original_firstorder_" + enabled["firstorder"][0],
                "wavelet-LLH_glcm_Correlation",
            ],
            "image_types": observed_image_types,
            "per_image_type": {it: per_image_type[it] for it in observed_image_types},
            "per_class": {cls: per_class[cls] for cls in CLASS_ORDER},
            "shape_image_types": shape_image_types,
        },
    }


def render(catalogue: dict) -> str:
    return json.dumps(catalogue, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check", action="store_true", help="compare with --output; exit 1 if it differs"
    )
    group.add_argument("--stdout", action="store_true", help="print the JSON instead of writing it")
    args = parser.parse_args(argv)

    text = render(build_catalogue())
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is out of date: run tools/make_feature_catalogue.py",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    cat = json.loads(text)
    print(
        f"wrote {args.output}: {cat['total_default_3d']} features "
        f"(observed {cat['observed']['feature_keys']} keys) from {cat['source']['package']} {cat['source']['version']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
