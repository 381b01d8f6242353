"""Option bounds (nenaudit/options.py): a bad value is refused by the parser in one line, exit 2, naming the option."""

from __future__ import annotations

import pytest

from nenaudit.cli import main

CSV = "data.csv"  # never read: the parser refuses the value first


@pytest.mark.parametrize(
    "argv,option",
    [
        (["auc", CSV, "--outcome", "y", "--score", "s", "--seed", "-1"], "--seed"),
        (["lasso", CSV, "--outcome", "y", "--seed", "-1"], "--seed"),
        (["select", "--fold-seed", "-1"], "--fold-seed"),
        (["validate", "--scheme", "harrell", "--seed", "-1"], "--seed"),
        (["reproduce", "--seed", "-1"], "--seed"),
        (["phantom", "--cohort", "c", "--out", "o", "--seed", "-1"], "--seed"),
        (["synth", "--seed", "-1"], "--seed"),
        (["compare", CSV, "--group", "g", "--digits", "-3"], "--digits"),
        (["auc", CSV, "--outcome", "y", "--score", "s", "--boot", "1000000000"], "--boot"),
        (["auc", CSV, "--outcome", "y", "--score", "s", "--boot", "0"], "--boot"),
        (["auc", CSV, "--outcome", "y", "--score", "s", "--level", "1.5"], "--level"),
        (["select", "--icc-threshold", "nan"], "--icc-threshold"),
        (["select", "--icc-threshold", "-0.2"], "--icc-threshold"),
        (["select", "--icc-threshold", "1.01"], "--icc-threshold"),
        (["select", "--cutoff", "inf"], "--cutoff"),
        (["compare", CSV, "--group", "g", "--normality-alpha", "0"], "--normality-alpha"),
        (
            ["logit", CSV, "--outcome", "y", "--predictors", "x", "--backward-wald", "nan"],
            "--backward-wald",
        ),
        (["validate", "--scheme", "pipeline", "--entry", "-1"], "--entry"),
        (["auc", CSV, "--outcome", "y", "--score", "s", "--seed", "one"], "--seed"),
    ],
)
def test_out_of_range_option_is_one_line_exit_2(argv, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nenaudit: error: argument "), err
    # the option is named as argparse names it; one with a short form shows as e.g. "-o/--option"
    named = err[0][len("nenaudit: error: argument ") :].split(":")[0].split("/")
    assert option in named, err


@pytest.mark.parametrize(
    "argv",
    [
        [
            "auc",
            CSV,
            "--outcome",
            "y",
            "--score",
            "s",
            "--seed",
            "0",
            "--boot",
            "10000000",
            "--level",
            "0.9",
        ],
        ["select", "--icc-threshold", "0", "--cutoff", "1"],
        ["select", "--icc-threshold", "1"],
        ["compare", CSV, "--group", "g", "--digits", "0"],
    ],
)
def test_values_at_the_bounds_are_accepted(argv):
    from nenaudit.cli import build_parser

    build_parser().parse_args(argv)  # raises SystemExit on refusal
