"""Shared fixtures. R parity tests skip only where R is absent and CI is not set."""

from __future__ import annotations

import functools
import gc
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nenaudit.parity import rbridge


@pytest.fixture(scope="session")
def R():
    """The embedded R session; a missing R is a failure under CI, a skip elsewhere."""
    if not rbridge.r_available():
        if os.environ.get("CI"):
            pytest.fail("R parity tests need R and rpy2, and CI is set: run `make setup`")
        pytest.skip("R or rpy2 not available (allowed only outside CI)")
    return rbridge


@pytest.fixture(autouse=True)
def keep_the_locale():
    """Restore the process locale after each test.

    Importing SimpleITK/pyradiomics (tests/test_radiomics_extract.py) resets LC_CTYPE to "C", so
    that later ``subprocess.run(..., text=True)`` calls decode a child's UTF-8 output as ASCII.
    """
    import locale

    saved = {cat: locale.setlocale(cat) for cat in (locale.LC_CTYPE, locale.LC_NUMERIC)}
    yield
    for cat, value in saved.items():
        if locale.setlocale(cat) != value:
            locale.setlocale(cat, value)


# ---------------------------------------------------------------------------------------------------------
# Test tiers (issue 25). Three markers, registered in pyproject.toml, are set here at collection so that the
# test files themselves stay as they are:
#
#   r       the test runs R: it uses the ``R`` fixture or the ``parity`` marker, runs ``Rscript`` (itself or
#           through a fixture or tests/papercheck.py), or runs ``nenaudit reproduce``/``crosscheck`` with
#           the R crosscheck on; or it needs the rpy2 module (NEEDS_RPY2);
#   slow    a whole-pipeline run, a simulation, a cohort regeneration, a venv or wheel build, the browser,
#           radiomics extraction, or any test measured at 1.4 s of CPU or more on its own (SLOW below);
#   serial  depends on timing, so cannot share the machine with other tests (SERIAL below): signals sent
#           at a moment chosen by sleeping or answered within a deadline, and one race by design.
#
# `make test` runs everything: the tests not marked serial on pytest-xdist workers (--dist loadfile: a file's
# module fixtures are built once), then the serial ones on two workers, one file each (-n 2 --dist loadfile:
# such a test shares the machine with one other serial test at most; measured 3 of 3 runs green, 45 s
# instead of 60-65 s in one process). `make check` is the fast tier,
# -m "not slow and not r and not serial", in a venv without rpy2 and the radiomics extra. A new test is fast
# and parallel unless a rule or a list here says otherwise: add it to SLOW/SERIAL when it is not. To see
# what a test costs: `pytest --durations=30` (wall time; on a loaded machine compare CPU time instead).

# file -> None (every test of the file) or the test names (without parameters) that are serial: what cannot
# share the machine with other tests because it depends on timing, each for the reason given. Everything else
# runs on the parallel workers, the Dask clusters (random ports, no dashboard), the browser (its own profile
# folder), the venv and wheel builds (in tmp_path) and the killed workers (the test's own children) included.
SERIAL = {
    # signals sent to a run and answered within a 5 s deadline, or at a moment chosen by sleeping
    "test_interrupt.py": (
        "test_reproduce_jobs_2_interrupted",
        "test_validate_jobs_2_interrupted",
        "test_ctrl_c_without_workers_is_one_line",
        "test_extract_jobs_2_interrupted",
    ),
    # signals sent while R is at a given step, reached by sleeping 0.5-1 s
    "test_signals_r.py": None,
    # SIGTERM at a given replicate of a running simulation
    "test_simulate.py": ("test_sigterm_then_resume_gives_the_uninterrupted_store",),
    # a race by design: the first run must still be running when the second one starts
    "test_output_ownership.py": (
        "test_second_run_into_the_same_folder_is_refused_and_the_first_completes",
    ),
}

# file -> None (every test) or the test names (without parameters) in the full tier only
SLOW = {
    "test_interrupt.py": None,
    "test_quickstart.py": None,
    "test_wheel.py": None,
    "test_simulate.py": None,  # whole simulations
    "test_simulate_modes.py": None,
    "test_report.py": None,  # a whole pipeline run (module fixture) and the browser
    "test_synth.py": ("test_default_cohort_regenerates_byte_for_byte",),
    # the CLI under faults: Dask schedulers that are not, connect timeouts, full disks under reproduce and synth
    "test_faults.py": None,
    # every BLAS kernel: synth, simulate and validate in a child process per kernel
    "test_blas_independence.py": None,
    # measured at 20-70 s on a loaded machine (a hypothesis search over whole audits, the audit CLI on every table)
    "test_audit.py": ("test_reordering_rows_changes_nothing",),
    "test_cli.py": (
        "test_other_study_via_study_path",
        "test_audit_text_markdown_and_summary",
        # 1.4 s of CPU or more (list below)
        "test_bad_spec_is_one_line_exit_2",
        "test_audit_json_file",
        "test_audit_json_on_embedded_study",
    ),
    # measured at 20 s or more (all parameters together) in the fast tier at load 10 on 2 cores (2026-12-06):
    # mostly CLI subprocesses on error paths, each one a full interpreter start
    "test_cohort_input.py": (
        "test_validate_bad_value_is_one_line_with_column_and_line",
        "test_validate_published_on_a_separating_or_singular_model_is_one_line_as_harrell",
        "test_malformed_manifests_are_one_line",
        "test_cohort_verbs_run_without_variables_and_print_the_inference",
        "test_select_fold_seed_draws_the_folds",
        "test_identifier_or_outcome_as_predictor_is_refused",
        "test_bad_values_in_an_inferred_cohort_are_refused_with_column_and_line",
        "test_validate_uses_the_final_model_of_study",
        "test_a_null_variable_is_inferred",
    ),
    "test_cli_perf.py": ("test_bad_input_is_one_line_exit_2", "test_auc_bootstrap_and_compare"),
    "test_cli_stats.py": (
        "test_bad_input_is_one_line_exit_2",
        "test_compare_text_output",  # CLI children of 1.15-1.4 s of CPU (list below)
        "test_missing_file_is_one_line_exit_2",
    ),
    "test_cli_lasso.py": (
        "test_lasso_bad_input_exits_2",
        "test_select_on_the_synthetic_cohort",
        "test_select_missing_cohort_exits_2",
    ),
    "test_samplesize.py": (
        "test_r2cs_bounded_by_max_and_symmetric_in_prevalence",
        "test_r2cs_increases_with_c",
    ),
    "test_reading.py": (
        "test_numeric_column_with_a_stray_token_is_refused",
        "test_a_directory_given_as_a_csv_is_one_line",
        "test_compare_leaves_identifier_columns_out",
        "test_a_directory_given_as_a_cohort_file_is_one_line",
        "test_categorical_option_exempts_a_column",
    ),
    "test_json_strict.py": (
        "test_phantom_and_extract_json_are_strict",
        "test_audit_json_file_is_strict",
        "test_auc_youden_at_infinity_is_null_with_a_note",
        "test_logit_or_ci_under_separation_is_null_with_a_note",
    ),
    "test_spec_fuzz.py": (
        "test_audit_study_hostile_files_exit_2_in_one_line",
        "test_mutated_spec_is_accepted_or_refused_in_one_line_with_the_field_path",
        "test_mutated_v2_spec_is_accepted_or_refused_in_one_line_with_the_field_path",
        "test_v2_specs_are_accepted_unmutated",
    ),
    "test_discrimination.py": (
        "test_summary_se_symmetric_under_class_swap",
        "test_placement_variance_equals_bivariate_normal_identity",
    ),
    # 1.4 s of CPU or more each (all parameters together), measured in the fast tier on 2 cores (AMD EPYC,
    # 2026-12-06, per-test CPU of the worker and its children): whole audits of every shipped spec, hypothesis
    # searches over specs, the CLI on the embedded study; 29 tests that were 100 s of the tier's 180 s of CPU.
    # Also CLI children of 1.15-1.4 s (the property tests of that cost stay in the fast tier)
    "test_spec_closed.py": (
        "test_any_unknown_key_anywhere_is_refused_naming_it",  # 24 s
        "test_a_key_given_twice_is_refused_at_parse_time",
        "test_a_5000_digit_number_is_one_line",
        "test_a_lone_surrogate_is_refused_naming_the_field",
    ),
    "test_stale_outputs.py": (
        "test_audit_markdown_over_a_users_file_needs_force",
        "test_an_invalid_spec_renames_the_previous_audit_json",
    ),
    "test_instability.py": ("test_validate_pipeline_reports_the_instability_whatever_the_workers",),
    "test_draft.py": (
        "test_draft_out_check_and_audit_paper",
        "test_audit_of_the_draft_finds_the_hand_written_specs_inconsistencies",
    ),
    "test_verdict_discipline.py": ("test_every_consistent_finding_names_what_it_compared",),
    "test_outputs.py": (
        "test_audit_json_through_a_symlink_keeps_the_link",
        "test_foreign_non_empty_directory_is_refused",  # one parameter runs phantom (radiomics, below)
    ),
    "test_audit_v2.py": (
        "test_any_k_by_2_table_with_a_reference_level_recomputes_its_own_ors",
        "test_a_cohort_set_never_triggers_a_cross_cohort_count_finding",
        "test_spec_template_writes_a_skeleton_that_loads_and_audits_clean",
    ),
    "test_structure.py": ("test_error_classes_are_imported_from_exceptions_only",),
    "test_logit_scaled.py": (
        "test_validate_predictors_named_twice_is_refused",
        "test_logit_cli_fits_a_1e300_predictor",
        "test_a_predictor_named_twice_is_refused",
    ),
    "test_api.py": ("test_help_lists_the_api",),
    "test_import_cost.py": ("test_the_check_sees_a_heavy_import",),
    "test_audit_groups.py": ("test_a_k_group_table_never_pairs_groups_the_spec_did_not_name",),
    "test_readme.py": ("test_readme_python_session_runs_as_a_doctest",),
    "test_twin.py": (
        "test_audit_without_the_option_says_how_to_run_the_noise_twin",
        "test_audit_noise_twin_percentiles_are_the_twins_ecdf",
    ),
    # radiomics extraction (also _RADIOMICS below) needs the radiomics extra (pyradiomics, SimpleITK), which
    # make check's venv leaves out, and takes seconds per case
    "test_radiomics_extract.py": None,
    "test_catalogue.py": ("test_json_equals_what_the_generator_produces_now",),
}

# r without running R: the tests that need the rpy2 module itself, which make check's venv leaves out
NEEDS_RPY2 = {
    "test_crosscheck.py": ("test_reproduce_runs_its_crosscheck_with_the_fold_seed",),
}
# whole-pipeline work in a test or in one of its fixtures: a pipeline run, a synthetic cohort, a simulation,
# the reproduce verb (its error paths too: they start it in a subprocess), the R crosscheck
_HEAVY = re.compile(
    r"""run_pipeline\(|run_simulation\(|\bgenerate\(|\brealize\(|run_crosscheck\(|"""
    r"""["'](?:synth|reproduce|crosscheck|simulate)["']\s*,(?![^\n]*--help)"""
)

# the radiomics extra in a test or its fixtures: the phantom and extract verbs, their modules, pyradiomics
_RADIOMICS = re.compile(
    r"""importorskip\(\s*["'](?:radiomics|SimpleITK)|["'](?:phantom|extract)["']\s*,|"""
    r"""nenaudit\.radiomics\.phantom\b"""
)

# a command line that runs R: Rscript, or the papers' stored-vs-live check (tests/papercheck.py). Tests that run
# R inside a verb (reproduce's crosscheck) take seconds and are in SLOW by their measured time.
_RSCRIPT = re.compile(r"""\[\s*["']Rscript["']|check_stored_is_live\(""")


@functools.cache
def _source(fn) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _functions(item) -> list:
    """The test function and every fixture function it uses."""
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        funcs += [d.func for defs in info.name2fixturedefs.values() for d in defs]
    return [f for f in funcs if f is not None]


def _bodies(item) -> list[str]:
    out = []
    for fn in _functions(item):
        src = _source(fn)
        out.append(
            src[src.find("def ") :]
        )  # not the decorators (parametrize lists name verbs and commands)
    return out


def _heavy(item) -> bool:
    return any(_HEAVY.search(body) for body in _bodies(item))


def _radiomics(item) -> bool:
    return any(_RADIOMICS.search(body) for body in _bodies(item))


def _runs_r(item) -> bool:
    if "R" in getattr(item, "fixturenames", ()) or item.get_closest_marker("parity"):
        return True
    if _listed(NEEDS_RPY2, item):
        return True
    return any(_RSCRIPT.search(body) for body in _bodies(item))


def _listed(table: dict, item) -> bool:
    name = Path(str(item.fspath)).name
    if name not in table:
        return False
    names = table[name]
    return names is None or getattr(item, "originalname", item.name) in names


# The files that take longest on their worker, longest first (the sums of their tests' --durations on 2 cores,
# AMD EPYC, 2026-12-06: 64 s for test_synth.py down to 10 s; the others take less): `make test` runs xdist with
# --no-loadscope-reorder, so that --dist loadfile hands the files out in this order (xdist's own order is by the
# number of tests in a file, which put the one-test files of 20-50 s last, each leaving the other worker idle
# at the end of the run); the longest first and the short ones last pack the two workers evenly.
LONGEST_FIRST = (
    "test_synth.py",
    "test_blas_independence.py",
    "test_cli_perf.py",
    "test_simulate.py",
    "test_json_strict.py",
    "test_faults.py",
    "test_cohort_input.py",
    "test_crosscheck.py",
    "test_radiomics_extract.py",
    "test_quickstart.py",
    "test_pipeline.py",
    "test_twin.py",
    "test_lognet_lanes.py",
    "test_cli_stats.py",
    "test_samplesize.py",
    "test_synth_faithful.py",
    "test_lasso.py",
    "test_cli_lasso.py",
    "test_report.py",
    "test_instability.py",
    "test_validation.py",
    "test_audit.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))  # stable
    for item in items:
        if _listed(SERIAL, item):
            item.add_marker(pytest.mark.serial)
        if _listed(SLOW, item) or _heavy(item) or _radiomics(item):
            item.add_marker(pytest.mark.slow)
        if _runs_r(item):
            item.add_marker(pytest.mark.r)


# ---------------------------------------------------------------------------------------------------------
# Speed of the parallel tiers (issue 25), changing no test.
#
# Garbage collection: the test modules build large constant structures at import (test_spec_fuzz.py's spec
# mutations are about 8 million objects), and each full collection walks every live object. Collecting with
# the collector on made the collection of that one file take 39 s instead of 4 (most of it in gc, repeated as
# the heap grew, and again at interpreter exit). So the collector is off while test files are imported and
# what they built is then frozen (gc.freeze: never scanned again, as it lives to the end of the session);
# garbage made by the tests themselves is collected as usual.


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        gc.enable()


# The LASSO kernel (stats/_lognet.py) is compiled by numba on first use and cached on disk (cache=True),
# about 5 s. Without a cache, each xdist worker and each CLI child process that reaches the LASSO before
# the cache is written compiles it again. The controller of a parallel run starts one compile in a child
# process as the session begins; the workers start and collect meanwhile (a warm cache makes it ~1 s).
_WARM = (
    "import numpy as np\n"
    "from nenaudit.stats.lasso import lasso_path\n"
    "x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [2.0, 1.0], [1.0, 2.0]])\n"
    "lasso_path(x, np.array([0, 1, 1, 0, 1, 0]))\n"
)
_warm_up: subprocess.Popen | None = None


def pytest_configure(config):
    global _warm_up
    controller = not hasattr(config, "workerinput")
    parallel = getattr(config.option, "numprocesses", None) not in (None, 0)
    if controller and parallel and not config.option.collectonly:
        _warm_up = subprocess.Popen(
            [sys.executable, "-c", _WARM], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


def pytest_unconfigure(config):
    if _warm_up is not None:
        _warm_up.wait()
