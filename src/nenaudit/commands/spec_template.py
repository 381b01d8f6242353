"""``nenaudit spec-template``: write a commented skeleton of a study spec (spec version 2)."""

from __future__ import annotations

import argparse
import json
import os

from nenaudit.exceptions import OutputError
from nenaudit.outputs import Outputs

__all__ = ["TEMPLATE", "run", "register"]

ORDER = 11

#: The skeleton: a small, valid spec whose "_help" keys (ignored by the loader) say what goes where.
TEMPLATE = {
    "_help": "A study spec: the published numbers of one paper, each copied exactly as printed (errors included). "
    "Keys starting with '_' are comments. Check it with: nenaudit audit --study THIS_FILE. "
    "The JSON Schema is nenaudit/study/spec.schema.json; README 'Writing a spec' walks through an example.",
    "spec_version": 2,
    "study": {
        "id": "mypaper2024",
        "citation": "Author A, Author B. Title. Journal 2024;1:1.",
        "doi": "10.0000/replace-me",
        "license": "CC BY 4.0",
    },
    "cohorts": [
        {
            "_help": "one entry per cohort; counts are compared only within a cohort",
            "id": "training",
            "label": "training cohort",
            "where": "Methods 2.1",
        },
        {"id": "validation", "label": "validation cohort", "where": "Methods 2.1"},
    ],
    "outcome": {
        "description": "what the outcome groups are",
        "where": "Methods 2.1",
        "groups": {"event": "with the outcome", "no_event": "without the outcome"},
    },
    "design": {
        "alpha": {
            "value": 0.05,
            "where": "Statistical analysis: 'P < 0.05 was considered significant'",
        }
    },
    "methods_tests": {
        "categorical": {"value": ["chi-square", "fisher"], "where": "Statistical analysis"}
    },
    "stated_counts": [
        {
            "_help": "quantity: unit + 's' (patients) or unit + 's_' + outcome group (patients_event)",
            "quantity": "patients",
            "value": "60",
            "where": "Abstract",
            "cohort": "training",
        },
        {"quantity": "patients", "value": "30", "where": "Abstract", "cohort": "validation"},
    ],
    "tables": [
        {
            "_help": "one table per cohort; groups are the columns; give outcome_group when a column is an "
            "outcome group; "
            "percent_of: 'column' (default), 'row' or 'total', what the printed percentages divide by",
            "id": "table1_training",
            "cohort": "training",
            "title": "Table 1 Characteristics of the training cohort",
            "unit": "patient",
            "groups": [
                {"id": "event", "label": "Event (n = 20)", "n": 20, "outcome_group": "event"},
                {
                    "id": "no_event",
                    "label": "No event (n = 40)",
                    "n": 40,
                    "outcome_group": "no_event",
                },
            ],
            "rows": [
                {
                    "_help": "cells: 'n (%)', 'n/N (%)', 'n/N' or 'n'; test (optional): the test the paper names "
                    "for the row; "
                    "statistic (optional): a printed chi2/t/F/z with its df",
                    "variable": "Sex",
                    "kind": "categorical",
                    "p": "0.464",
                    "test": "chi-square",
                    "statistic": {"name": "chi2", "value": "0.54", "df": "1"},
                    "levels": [
                        {"level": "Male", "cells": {"event": "12 (60.0)", "no_event": "20 (50.0)"}},
                        {
                            "level": "Female",
                            "cells": {"event": "8 (40.0)", "no_event": "20 (50.0)"},
                        },
                    ],
                },
                {
                    "_help": "mean_sd cells: '61.9 ± 11.2' or '61.9 (11.2)'",
                    "variable": "Age",
                    "kind": "mean_sd",
                    "p": "0.020",
                    "test": "t-test",
                    "cells": {"event": "65.0 ± 9.0", "no_event": "59.0 ± 9.0"},
                },
                {
                    "_help": "median_iqr: '4.6 [2.7, 10.2]' or '4.6 (2.7–10.2)'; "
                    "a median with its range is kind median_range",
                    "variable": "CRP",
                    "kind": "median_iqr",
                    "p": "0.041",
                    "cells": {"event": "12.0 [6.1, 20.3]", "no_event": "8.2 [4.0, 15.0]"},
                },
            ],
        }
    ],
    "regression": {
        "_help": "a categorical predictor printed against a reference level: 'levels', the reference marked; several "
        "tables: a list of these, each with kind univariable|multivariable|final|other; ci_method wald|profile "
        "when the paper says how its CIs were computed (survey-weighted models in Stata: wald)",
        "id": "table2",
        "title": "Table 2 Univariable and multivariable logistic regression",
        "unit": "patient",
        "cohort": "training",
        "counts_table": "table1_training",
        "rows": [
            {
                "variable": "Sex",
                "levels": [
                    {"level": "Female", "reference": True},
                    {
                        "level": "Male",
                        "univariable": {"estimate_ci": "1.500 (0.505–4.454)", "p": "0.465"},
                    },
                ],
            },
            {
                "variable": "Age",
                "univariable": {"estimate_ci": "1.08 (1.01–1.15)", "p": "0.023"},
                "multivariable": {"estimate_ci": "1.07 (1.01–1.14)", "p": "0.049"},
            },
        ],
    },
    "text_values": [
        {
            "_help": "a value the abstract repeats; cell addresses its twin in a table, the regression or the AUCs",
            "where": "Abstract",
            "quote": "age (OR 1.07, P = 0.049)",
            "printed": "0.049",
            "cell": "table2/Age/multivariable/p",
        },
    ],
    "auc": [
        {
            "_help": "with more than two outcome groups add event_groups / reference_groups (outcome group ids); "
            "se: the SE printed beside the AUC ('0.832 ± 0.062'); event_n/control_n: the AUC's own counts "
            "when its groups are not the study's outcome groups (relapse vs no relapse)",
            "model": "nomogram",
            "kind": "apparent",
            "estimate": "0.80",
            "ci": "0.69–0.91",
            "where": "Results 3.3",
            "cohort": "training",
        }
    ],
    "diagnostic_accuracy": [
        {
            "_help": "at a cut-off; give counts {tp, fp, fn, tn} if printed, else n_positive/n_negative if known",
            "model": "nomogram",
            "cohort": "training",
            "cutoff": "0.35",
            "where": "Table 3",
            "scale": "percent",
            "sensitivity": "75.0",
            "specificity": "80.0",
        },
    ],
    "calibration": [
        {
            "model": "nomogram",
            "cohort": "training",
            "where": "Results 3.3",
            "hosmer_lemeshow": {"chisq": "6.21", "df": 8, "p": "0.624"},
            "brier": "0.160",
        },
    ],
}


def run(args: argparse.Namespace) -> int:
    """Print the skeleton, or write it to a new FILE (an existing file is refused, never replaced)."""
    text = json.dumps(TEMPLATE, indent=2, ensure_ascii=False) + "\n"
    if args.file in (None, "-"):
        print(text, end="")
        return 0
    if os.path.lexists(args.file):
        raise OutputError(
            f"spec-template {args.file}: the file exists; nenaudit never overwrites a spec you may have "
            "edited: give a new file name"
        )
    with Outputs() as outs:
        target = outs.file(args.file, "FILE")
        target.write(text)
    if args.json:
        print(json.dumps({"wrote": args.file, "spec_version": TEMPLATE["spec_version"]}))
    else:
        print(f"wrote {args.file}: edit it, then check it with: nenaudit audit --study {args.file}")
    return 0


def register(sub) -> None:
    """Add the ``spec-template`` verb to the CLI."""
    a = sub.add_parser(
        "spec-template", help="write a commented skeleton of a study spec (spec version 2)"
    )
    a.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        default=None,
        help="where to write it (a new file; default: print to stdout)",
    )
    a.add_argument(
        "--json",
        action="store_true",
        help="with FILE, report what was written as JSON on stdout (without FILE the skeleton is JSON anyway)",
    )
    a.set_defaults(func=run)
