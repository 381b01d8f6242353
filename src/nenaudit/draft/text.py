"""Recognisers for running text: AUCs and accuracies with CIs, stated counts, tests named in the methods,
design facts (bootstrap, folds, thresholds, alpha, lesions per patient) and radiomics facts."""

from __future__ import annotations

import re

from nenaudit.draft.document import Paragraph
from nenaudit.draft.tables import COHORT_WORDS

__all__ = [
    "find_claims",
    "find_text_values",
    "abbreviations",
    "sentences",
    "find_aucs",
    "find_diagnostics",
    "find_counts",
    "find_tests",
    "find_design",
    "find_radiomics",
    "WORD_NUMBERS",
    "to_int",
]

WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


def to_int(tok: str) -> int | None:
    """A count printed as digits (``1,000``) or as a word up to twenty; None otherwise."""
    t = tok.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    return WORD_NUMBERS.get(t)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (a period, then space and a capital or an opening bracket)."""
    parts = re.split(
        r"(?<=[.!?])\s+(?=[A-Z(\[])(?<!\be\.g\.\s)(?<!\bi\.e\.\s)(?<!\bet al\.\s)(?<!\bvs\.\s)",
        text,
    )
    return [p.strip() for p in parts if p.strip()]


def _quote(s: str, limit: int = 160) -> str:
    s = s.strip()
    return s if len(s) <= limit else s[: limit - 3] + "..."


_AUC = re.compile(
    r"(?:\bAUCs?\b|\bAUROC\b|area under the (?:receiver operating characteristic )?(?:\(ROC\) )?curve(?: \(AUC\))?|"
    r"area under the ROC(?: curve)?|"
    r"\bC[- ]index\b|\bC[- ]statistics?\b)"
    r"[^;\d]{0,160}?(?<![\d.])(0?\.\d+|1\.0+)(?![\d.]*%)(?:\s*(?:±|\+/-)\s*0?\.\d+)?"  # an SE after it: 0.832±0.062
    r"(?:\s*[(\[]\s*(?:95\s*%\s*(?:CI|confidence intervals?)(?:\s*\[CI\])?\s*[:,=]?\s*)?"
    r"(0?\.\d+)(\s*(?:–|—|-|‐|to|,)\s*)(0?\.\d+)\s*[)\],;])?"
)
_MODEL = re.compile(
    r"(?i)\b(nomogram|rad[- ]?score|radiomics? score|radiomics? signature|([A-Za-z][\w-]*)\s+model)\b"
)
_GENERIC = {
    "the",
    "a",
    "this",
    "our",
    "final",
    "prediction",
    "predictive",
    "proposed",
    "logistic",
    "regression",
}


def _model_name(s: str, pos: int) -> str | None:
    """The model a sentence is about: its first model mention (the subject), before or after the number."""
    for m in _MODEL.finditer(s):
        word = (m.group(2) or m.group(1)).lower().replace(" ", "").replace("-", "")
        if word in _GENERIC:
            continue
        if word in ("radiomicsscore", "radiomicscore"):
            word = "radscore"
        return "radscore" if word.startswith("radscore") else word
    return None


def find_aucs(paragraphs: list[Paragraph], cohort_of) -> list[dict]:
    """AUCs printed in the running text: estimate, CI as printed, model, kind (apparent/bootstrap/cross-validated/
    validation) and cohort when the sentence names one."""
    out: list[dict] = []
    for p in paragraphs:
        for s in sentences(p.text):
            for m in _AUC.finditer(s):
                est = m.group(1)
                item = {
                    "model": _model_name(s, m.start()) or "",
                    "kind": "apparent",
                    "estimate": est,
                }
                if m.group(2):
                    item["ci"] = m.group(2) + m.group(3) + m.group(4)
                low = s.lower()
                coh = cohort_of(s)
                if "bootstrap" in low:
                    item["kind"] = "bootstrap"
                elif re.search(r"cross[- ]?validat", low):
                    item["kind"] = "cross-validation"
                elif coh and coh[1] != "training":
                    item["kind"] = "validation"
                if coh:
                    item["cohort"] = coh[0]
                item["where"] = f"{p.where}: '{_quote(s)}'"
                out.append(item)
    named: dict[str, str] = {}
    for a in (
        out
    ):  # an AUC printed without a model name: the model an earlier AUC with that estimate had
        if a["model"] and a["model"] not in ("clinicalradiomics",):
            named.setdefault(a["estimate"], a["model"])
    for a in out:
        if (not a["model"] or a["model"] not in named.values()) and a["estimate"] in named:
            a["_guess_model"] = (
                "the sentence names no model; assumed the model of an earlier AUC with this estimate"
            )
            a["model"] = named[a["estimate"]]
        if not a["model"]:
            a["model"] = "model"
            a["_guess_model"] = "the sentence names no model; called it 'model'"
    return out


# 'sensitivity of 63%', 'sensitivity was 0.81', or a few words between: 'specificity is high, achieving 93.3%'
_SENS = re.compile(
    r"(?i)sensitivit(?:y|ies)(?:\s*(?:of|was|were|=|:|,)?\s*|(?=[^\d;%()]{1,45}?\d+(?:\.\d+)?\s*%)[^\d;%()]{1,45}?)"
    r"(\d+(?:\.\d+)?)\s*(%?)"
)
_SPEC = re.compile(
    r"(?i)specificit(?:y|ies)(?:\s*(?:of|was|were|=|:|,)?\s*|(?=[^\d;%()]{1,45}?\d+(?:\.\d+)?\s*%)[^\d;%()]{1,45}?)"
    r"(\d+(?:\.\d+)?)\s*(%?)"
)
_MEASURES = [("sensitivity", _SENS), ("specificity", _SPEC)] + [
    (
        name,
        re.compile(
            r"(?i)\b(?:"
            + rx
            + r")\s*(?:\(\w+\)\s*)?(?:of|was|were|=|:|,)?\s*(\d+(?:\.\d+)?)\s*(%?)"
        ),
    )
    for name, rx in (
        ("accuracy", r"accurac(?:y|ies)"),
        ("ppv", r"positive predictive values?|PPV"),
        ("npv", r"negative predictive values?|NPV"),
    )
]
_CUT = re.compile(
    r"(?i)cut-?\s?off(?: value)?\s*(?:of|was|=|:)?\s*(\d+(?:\.\d+)?\s*(?:points?|%)?)"
)


def find_diagnostics(paragraphs: list[Paragraph], cohort_of) -> list[dict]:
    """Sensitivity, specificity, accuracy, PPV and NPV a sentence prints, with its model, cut-off and cohort."""
    out = []
    for p in paragraphs:
        for s in sentences(p.text):
            found = {name: rx.search(s) for name, rx in _MEASURES}
            found = {k: v for k, v in found.items() if v}
            if not found:
                continue
            first = min(found.values(), key=lambda m: m.start())
            item: dict = {"model": _model_name(s, first.start()) or "model"}
            pct = any(x.group(2) == "%" or float(x.group(1)) > 1 for x in found.values())
            for name, x in found.items():
                item[name] = x.group(1)
            vals = [float(item[k]) for k in found]
            if any(v > 100 for v in vals):
                continue
            if not pct:
                item["scale"] = "proportion"
            c = _CUT.search(s)
            if c:
                item["cutoff"] = c.group(1).strip()
            coh = cohort_of(s)
            if coh:
                item["cohort"] = coh[0]
            item["where"] = f"{p.where}: '{_quote(s)}'"
            out.append(item)
    return out


_UNITS = {
    "patient": r"patients?|participants?|subjects?|cases|individuals|women|men|children",
    "lesion": r"lesions?|nodules?|tumou?rs|metastases|masses",
}
_WERE = re.compile(
    r"\b(\d+)\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?(?:were|was|had|showed|achieved)\s+([A-Za-z][\w-]*)"
)


_ABBREV = re.compile(
    r"\b(?:[a-z-]+\s+){0,3}(?:lesions?|nodules?|tumou?rs?|metastases|masses)\s*\(([A-Z][A-Za-z-]{1,9}?)s?\)"
)


def _unit_words(paragraphs: list[Paragraph]) -> dict[str, str]:
    """Unit words, with the abbreviations the paper defines for lesions (``solid renal masses (SRM)``)."""
    units = dict(_UNITS)
    abbr = {m.group(1) for p in paragraphs for m in _ABBREV.finditer(p.text)}
    if abbr:
        units["lesion"] += "|" + "|".join(
            "(?-i:" + re.escape(a) + ")s?" for a in sorted(abbr, key=len, reverse=True)
        )
    return units


def _unit_of(word: str, units=None) -> str:
    for unit, rx in (units or _UNITS).items():
        if re.fullmatch(rx, word, flags=re.I):
            return unit
    return "patient"


def _near(text: str, pos: int) -> str:
    """The cohort context of a count at ``pos``: its comma segment, narrowed to the nearest cohort mention
    (``500 patients (development group) and 200 patients (validation group)``)."""
    seg = _segment(text, pos)
    a = text.find(seg)
    hits = list(COHORT_WORDS.finditer(seg))
    if len(hits) <= 1:
        return seg
    rel = pos - a
    best = min(hits, key=lambda m: (m.start() - rel) if m.start() >= rel else 3 * (rel - m.end()))
    return best.group(0)


def _segment(text: str, pos: int) -> str:
    """The comma- or semicolon-delimited stretch of ``text`` around ``pos``."""
    a = max(text.rfind(",", 0, pos), text.rfind(";", 0, pos)) + 1
    ends = [e for e in (text.find(",", pos), text.find(";", pos)) if e >= 0]
    return text[a : min(ends) if ends else len(text)]


def find_counts(paragraphs: list[Paragraph], group_ids: list[str], cohort_of) -> list[dict]:
    """Counts the text states: ``88 patients``, ``140 liver lesions``, ``20 were responders`` (an outcome group's
    name from the tables), ``30 out of 88 patients``, ``the validation cohort included 35 patients``,
    ``a training set (n = 120; benign nodules, n = 50)``."""
    units = _unit_words(paragraphs)
    alt = "|".join(units.values())
    count_rx = re.compile(
        r"(?<![\d.,%≥≤<>=±–-])(?<![≥≤<>=]\s)\b(\d{1,3}(?:,\d{3})+|\d+)\b(?!\s*%|\.\d|\s*\(\s*\d)"
        r"((?:\s+[A-Za-z][\w-]*){0,3}?)\s+(" + alt + r")\b",
        re.I,
    )
    out_of = re.compile(r"\b(\d+)\s+(?:out\s+)?of\s+(?:the\s+)?(\d+)\s+(" + alt + r")\b", re.I)
    cohort_n = re.compile(COHORT_WORDS.pattern + r"\s*\(\s*n\s*=\s*(\d[\d,]*)([^)]*)\)", re.I)
    sub_n = re.compile(r"\b([A-Za-z][\w-]*)\s+(" + alt + r")\s*[,:]?\s*n\s*=\s*(\d[\d,]*)", re.I)
    out = []
    gset = {g.lower(): g for g in group_ids}

    def add(q, v, where, coh):
        item = {"quantity": q, "value": v, "where": where}
        if coh:
            item["cohort"] = coh[0]
        out.append(item)

    for p in paragraphs:
        if p.where.startswith("Front matter"):
            continue
        for s in sentences(p.text):
            if re.search(r"(?i)randomly selected|subset of|references?\b|et al", s):
                continue
            where = f"{p.where}: '{_quote(s)}'"
            sent_units = [_unit_of(u.group(0), units) for u in re.finditer(alt, s, flags=re.I)]
            main = sent_units[0] if sent_units else "patient"
            taken = set()
            for m in cohort_n.finditer(s):  # 'a validation set (n = 63; malignant nodules, n = 39)'
                coh = cohort_of(m.group(0))
                add(main + "s", m.group(m.lastindex - 1), where, coh)
                for sm in sub_n.finditer(m.group(m.lastindex)):
                    add(
                        f"{_unit_of(sm.group(2), units)}s_{sm.group(1).lower()}",
                        sm.group(3),
                        where,
                        coh,
                    )
                taken.update(range(m.start(), m.end()))
            clauses = re.split(r"(?i),\s*(?:whereas|while|and)\s+|;\s+|\bwhereas\b", s)
            offset = 0
            for cl in clauses:
                base = s.find(cl, offset)
                offset = max(base, 0)
                for m in out_of.finditer(cl):
                    unit = _unit_of(m.group(3), units)
                    coh = cohort_of(_segment(cl, m.start()))
                    add(unit + "s", m.group(2), where, coh)
                    taken.update({base + m.start(2), base + m.start(1)})
                    before = cl[: m.start()].lower()
                    hit = [g for g in gset if re.search(r"\b" + re.escape(g) + r"\b", before)]
                    if len(hit) == 1:
                        add(f"{unit}s_{gset[hit[0]]}", m.group(1), where, coh)
                for m in count_rx.finditer(cl):
                    if base + m.start(1) in taken:
                        continue
                    mid = m.group(2).strip().lower()
                    if re.search(r"\b(of|with|per|than|years?|months?|days?|features?)\b", mid):
                        continue
                    n = int(m.group(1).replace(",", ""))
                    if 1900 <= n <= 2100 and not mid:
                        continue
                    add(
                        _unit_of(m.group(3), units) + "s",
                        m.group(1).replace(",", ""),
                        where,
                        cohort_of(_near(cl, m.start())),
                    )  # 37,801 as the digits a spec's count holds
                cl_units = [_unit_of(u.group(0), units) for u in re.finditer(alt, cl, flags=re.I)]
                for m in _WERE.finditer(cl):
                    g = m.group(2).lower()
                    if g in gset and cl_units:
                        add(
                            f"{cl_units[0]}s_{gset[g]}",
                            m.group(1),
                            where,
                            cohort_of(_segment(cl, m.start())),
                        )
    return out


def alias_key(text: str) -> str:
    """``AB + CD``, ``AB/CD`` and ``AB and CD`` are one group definition."""
    return "".join(re.findall(r"[a-z0-9]+", re.sub(r"\band\b|\bor\b", " ", text.lower())))


def find_group_aliases(
    paragraphs: list[Paragraph], group_ids: list[str]
) -> dict[str, tuple[str, str]]:
    """An outcome group's definition in parentheses after its name: ``responders (AB + CD)`` -> ``AB + CD``."""
    out: dict[str, tuple[str, str]] = {}
    for p in paragraphs:
        for gid in group_ids:
            word = gid.split("_")[0]
            if gid in out or len(word) < 3:
                continue
            m = re.search(
                r"\b" + re.escape(word) + r"\s*\(([A-Za-z0-9][^()]{0,30}?)\)", p.text, flags=re.I
            )
            if m and re.search(r"[A-Z]{2}", m.group(1)) and not re.search(r"\d", m.group(1)):
                out[gid] = (m.group(1).strip(), f"{p.where}: '{_quote(m.group(0))}'")
    return out


def find_alias_counts(
    paragraphs: list[Paragraph], aliases: dict[str, str], cohort_of
) -> list[dict]:
    """Counts of an outcome group named by its definition: ``AB/CD in 12 (30.00%) patients``."""
    out = []
    for gid, alias in aliases.items():
        toks = re.findall(r"[A-Za-z0-9]+", re.sub(r"\band\b|\bor\b", " ", alias))
        if len(toks) < 2:
            continue
        rx = re.compile(
            r"\b" + r"\s*(?:\+|/|,|and|&)?\s*".join(map(re.escape, toks)) + r"\b\s*(?:in|:|,|=)?\s*"
            r"(\d+)\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(" + "|".join(_UNITS.values()) + r")\b",
            re.I,
        )
        for p in paragraphs:
            for s in sentences(p.text):
                for m in rx.finditer(s):
                    item = {
                        "quantity": f"{_unit_of(m.group(2))}s_{gid}",
                        "value": m.group(1),
                        "where": f"{p.where}: '{_quote(s)}'",
                    }
                    coh = cohort_of(s)
                    if coh:
                        item["cohort"] = coh[0]
                    out.append(item)
    return out


_TESTS = [
    ("chi-square", r"chi[- ]?squared?|χ\s*2|χ²|pearson'?s? chi"),
    ("fisher", r"fisher'?s?(?: exact)?"),
    ("mann-whitney", r"mann[- –]?whitney|wilcoxon rank[- ]sum|rank[- ]sum test"),
    ("welch-t-test", r"welch'?s? t"),
    ("t-test", r"student'?s? t|\bt[- ]tests?\b|independent[- ]samples? t"),
    ("kruskal-wallis", r"kruskal"),
    ("anova", r"\banova\b|analysis of variance"),
]


def find_tests(paragraphs: list[Paragraph]) -> dict:
    """Tests the methods name, keyed by what they compare (categorical, continuous_normal, continuous_nonnormal,
    continuous), each with the sentence."""
    out: dict = {}
    for p in paragraphs:
        for s in sentences(p.text):
            low = s.lower()
            found = [name for name, rx in _TESTS if re.search(rx, low)]
            if "welch-t-test" in found and "t-test" in found:
                found.remove("t-test")
            if not found:
                continue
            if "categor" in low or "proportion" in low:
                key = "categorical" if all(f in ("chi-square", "fisher") for f in found) else None
            elif re.search(
                r"not\s+(?:\w+\s+){0,4}normal|non-?normal|skewed|abnormal distribution|non-?parametric",
                low,
            ):
                key = "continuous_nonnormal"
            elif "normal" in low:
                key = "continuous_normal"
            elif "continuous" in low:
                key = "continuous"
            else:
                key = None
            if key is None:
                cat = [f for f in found if f in ("chi-square", "fisher")]
                con = [f for f in found if f not in cat]
                for k, vals in (("categorical", cat), ("continuous", con)):
                    if vals and (
                        "categor" in low
                        or k == "continuous"
                        and "continuous" in low
                        or len(found) == len(vals)
                    ):
                        out.setdefault(
                            k, {"value": [], "where": f"{p.where}: '{_quote(s)}'", "_guess": True}
                        )
                        out[k]["value"] += [v for v in vals if v not in out[k]["value"]]
                continue
            out.setdefault(key, {"value": [], "where": f"{p.where}: '{_quote(s)}'"})
            out[key]["value"] += [f for f in found if f not in out[key]["value"]]
    return out


def find_design(paragraphs: list[Paragraph]) -> dict:
    """Design facts stated in the text (each as printed, with its sentence)."""
    rules = [
        (
            "max_lesions_per_patient",
            r"(?:maximum of|at most|up to)\s+(\w+)\s+(?:[\w-]+\s+){0,10}?per\s+patient",
            to_int,
        ),
        (
            "bootstrap_resamples",
            r"bootstrap\w*[^.;]{0,60}?\b(\d[\d,]*)\s*(?:iterations|resamples|resampling|replicat\w*|"
            r"times|samples|repetitions)",
            to_int,
        ),
        ("bootstrap_resamples", r"\b(\d[\d,]*)\s+bootstrap", to_int),
        ("cv_folds", r"\b(\d+|ten|five|three)[- ]?fold\s+cross", to_int),
        (
            "icc_threshold",
            r"ICCs?\s*(?:of\s+)?(?:<|less than|lower than|below|<=|≤)\s*(0?\.\d+)",
            float,
        ),
        (
            "spearman_threshold",
            r"correlat\w*[^.;]{0,60}?(?:larger|greater|higher|more|above|exceeding|>|≥)\s*(?:than\s*)?"
            r"(0?\.\d+)",
            float,
        ),
        (
            "alpha",
            r"\b[Pp]\s*[-‐ ]?\s*(?:values?)?\s*\$?\s*(?:<|≤|<=|of less than|less than)\s*\$?\s*(0?\.\d+)\$?\s*"
            r"(?:\(two[- ]sided\)\s*)?(?:was|were|is)\s+(?:considered|regarded|defined)",
            float,
        ),
    ]
    out: dict = {}
    for p in paragraphs:
        if p.where.startswith("Front matter"):
            continue
        for s in sentences(p.text):
            clean = s.replace("$", "")
            for name, rx, conv in rules:
                if name in out:
                    continue
                m = re.search(rx, clean, flags=re.I)
                if m:
                    v = conv(m.group(1).replace(",", ""))
                    if v is None:
                        continue
                    out[name] = {"value": v, "where": f"{p.where}: '{_quote(s)}'"}
            if "stepwise" not in out:
                m = re.search(
                    r"(?i)\b(backward|forward|bidirectional|both[- ]direction)\w*\s+(?:\w+\s+){0,2}?"
                    r"(?:stepwise|elimination|selection)",
                    clean,
                )
                if m:
                    kind = m.group(1).lower()
                    w = re.search(r"(?i)\b(wald|likelihood[- ]ratio|LR|AIC|BIC)\b", clean)
                    out["stepwise"] = {
                        "value": kind + (", " + w.group(1) if w else ""),
                        "where": f"{p.where}: '{_quote(s)}'",
                    }
    return out


_FEATURE = re.compile(
    r"(?i)\b(?:original|wavelet|log[-_]sigma|log|square(?:root)?|exponential|logarithm|gradient|lbp)"
    r"[-_A-Za-z0-9.]*_[A-Za-z0-9_.-]*[A-Za-z0-9]"
)
_CLASSES = [
    ("shape", r"shape(?:[- ]based)?"),
    ("firstorder", r"first[- ]?order|histogram"),
    ("glcm", r"GLCM|co-?occurrence"),
    ("glszm", r"GLSZM|size[- ]zone"),
    ("glrlm", r"GLRLM|run[- ]length"),
    ("ngtdm", r"NGTDM|neighbou?ring gr[ae]y[- ]tone"),
    ("gldm", r"GLDM|dependence matrix"),
]
_FILTERS = [
    ("wavelet", r"wavelet"),
    ("log", r"LoG|laplacian of gaussian"),
    ("square", r"square\b"),
    ("squareroot", r"square[- ]root"),
    ("exponential", r"exponential"),
    ("logarithm", r"logarithm"),
]


def find_radiomics(paragraphs: list[Paragraph]) -> dict:
    """Feature counts (total, by class, after filtering), the selected features' names and a radiomics score formula."""
    out: dict = {}
    num = r"(\d[\d,]*|" + "|".join(WORD_NUMBERS) + r")"
    for p in paragraphs:
        if p.where.startswith("Front matter"):
            continue
        text = p.text
        flat = _delatex(text)
        for s in sentences(flat):
            m = re.search(
                r"(?i)\b(\d[\d,]*)\s+(?:\w+\s+){0,2}?features\s+(?:were|was)\s+(?:extracted|obtained|computed)",
                s,
            )
            if m and "n_features" not in out:
                out["n_features"] = {
                    "value": int(m.group(1).replace(",", "")),
                    "where": f"{p.where}: '{_quote(s)}'",
                }
            m = re.search(
                r"(?i)\b(\d[\d,]*)\s+(?:\w+\s+){0,2}?features\s+(?:were|was)\s+(?:selected|retained|kept|remained)",
                s,
            )
            if m and "n_after_filters" not in out and "lasso" not in s.lower():
                out["n_after_filters"] = {
                    "value": int(m.group(1).replace(",", "")),
                    "where": f"{p.where}: '{_quote(s)}'",
                }
            counts = {}
            for name, rx in _CLASSES + _FILTERS:
                m = re.search(
                    r"(?i)\b"
                    + num
                    + r"\s+(?:[\w-]+\s+){0,5}?(?:"
                    + rx
                    + r")[\w\s()-]{0,40}?features",
                    s,
                )
                m2 = m if m and len(re.findall(r"features", m.group(0))) == 1 else None
                if m2:
                    v = to_int(m2.group(1))
                    if v is not None:
                        counts[name] = v
            if len(counts) >= 3 and "class_counts" not in out:
                orig = {k: v for k, v in counts.items() if k in dict(_CLASSES)}
                cc = {"where": f"{p.where}: '{_quote(s, 100)}'", "original": orig}
                cc.update({k: v for k, v in counts.items() if k not in orig})
                out["class_counts"] = cc
                out["image_types"] = {
                    "value": ["original"] + [k for k in counts if k not in orig],
                    "where": cc["where"],
                }
            names = list(dict.fromkeys(m.group(0) for m in _FEATURE.finditer(s)))
            if len(names) >= 2 and "selected_features_text" not in out and not re.search(r"=", s):
                out["selected_features_text"] = {
                    "where": f"{p.where}: '{_quote(s, 100)}'",
                    "names": names,
                }
        if "radscore" not in out:
            f = _formula(flat)
            if f:
                f["where"] = f"{p.where}: the {f.pop('name')} formula"
                out["radscore"] = f
    return out


def _delatex(text: str) -> str:
    t = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    t = re.sub(r"\\(?:begin|end)\{[a-z*]+\}", " ", t)
    t = (
        t.replace("\\times", "×")
        .replace("\\cdot", "×")
        .replace("\\\\", " ")
        .replace("&", " ")
        .replace("$$", " ")
    )
    t = t.replace("\\_", "_").replace("\\", " ")
    return re.sub(r"\s+", " ", t)


def _formula(text: str) -> dict | None:
    m = re.search(r"(?i)\b(rad[- ]?score|radiomics? score|rad[- ]?signature)\s*=\s*", text)
    if not m:
        return None
    rest = text[m.end() : m.end() + 4000]
    terms = []
    intercept = None
    pos = 0
    first = True
    for t in re.finditer(
        r"([-+−]?)\s*(\d*\.?\d+)\s*(?:×|\*|·|x)\s*([A-Za-z][\w.-]*[A-Za-z0-9])|([-+−]?)\s*(\d*\.?\d+)(?=\s*[-+−]|\s*$)",
        rest,
    ):
        gap = rest[pos : t.start()].strip()
        if gap and not re.fullmatch(r"[\s()]*", gap):
            break
        pos = t.end()
        if t.group(3):
            sign = "-" if t.group(1) in ("-", "−") else ""
            terms.append({"feature": t.group(3), "coefficient": sign + t.group(2)})
        elif first:
            intercept = ("-" if t.group(4) in ("-", "−") else "") + t.group(5)
        else:
            break
        first = False
    if len(terms) < 2:
        return None
    return {"name": m.group(1), "intercept": intercept, "terms": terms}


_NOT_SIG = re.compile(
    r"(?i)\bno (?:statistically )?significant (?:differences?|associations?)|not (?:statistically )?significant"
    r"|(?:did|does|do) not (?:differ|vary) significantly|\bcomparable\b|no differences? was"
)
_SIG = re.compile(
    r"(?i)(?:significantly|substantially|statistically) (?:different|associated|higher|lower)|significant "
    r"differences?|(?:were|was) identified as independent|independent (?:risk )?(?:factors?|predictors?)|"
    r"independently associated"
)


def find_claims(
    paragraphs: list[Paragraph], tables: list[dict], regression: dict | None
) -> list[dict]:
    """Claims that variables differ (or not) significantly, with the table whose rows they name."""
    out = []
    pools = [
        (
            t["id"],
            None,
            [r["variable"] for r in t["rows"]],
            any(r.get("p") is not None for r in t["rows"]),
        )
        for t in tables
    ]
    if regression is not None:
        pools.append(
            (regression["id"], "regression", [r["variable"] for r in regression["rows"]], True)
        )
    for p in paragraphs:
        if p.where.startswith("Front matter"):
            continue
        for s in sentences(p.text):
            neg, pos = _NOT_SIG.search(s), _SIG.search(s)
            if not (neg or pos):
                continue
            claim = (
                "not significant"
                if neg and not (pos and pos.start() < neg.start())
                else "significant"
            )
            low = s.lower()
            independent = bool(re.search(r"(?i)independent|multivariate|multivariable", s))
            best = None
            for tid, kind, names, has_p in pools:
                if kind == "regression" and claim == "significant" and not independent:
                    continue
                if kind is None and independent:
                    continue
                hit = [
                    v
                    for v in names
                    if re.search(r"(?<![a-z0-9])" + re.escape(v.lower()) + r"(?![a-z0-9])", low)
                ]
                named = re.search(
                    r"(?i)\btable\s+" + re.escape(re.sub(r"^table", "", tid).split("_")[0]) + r"\b",
                    s,
                )
                score = (
                    len(hit),
                    bool(named),
                    has_p,
                )  # a claim of difference rests on a table with p-values
                if hit and (best is None or score > best[0]):
                    best = (score, tid, kind, hit)
            if best is None or best[0][0] < 2 and not best[0][1]:
                continue
            item = {
                "where": f"{p.where}",
                "quote": _quote(s, 300),
                "table": best[1],
                "claim": claim,
                "variables": best[3],
            }
            if best[2] == "regression":
                item["column"] = "multivariable" if independent else "univariable"
            out.append(item)
    return out


def abbreviations(texts: list[str]) -> dict[str, str]:
    """Abbreviations a table footnote or the text defines: ``PLD = Paralingual Distance``, ``NSE, neuron-specific
    enolase`` -> {'pld': 'paralingual distance', ...}."""
    out: dict[str, str] = {}
    for t in texts:
        for m in re.finditer(
            r"(?:^|[;,.:]\s*)([A-Z][A-Za-z0-9-]{1,11})\s*(?:=|,|:)\s*([A-Za-z][A-Za-z -]{3,60}?)(?=\s*(?:[;,.]|$))",
            t,
        ):
            out.setdefault(m.group(1).lower(), m.group(2).strip().lower())
    return out


_REG_TEXT = re.compile(
    r"(?:\bORs?\b|\bodds? ratios?\b|\bHRs?\b|\bhazard ratios?\b)(?:\s*\[(?:OR|HR)\])?\s*[:=,]?\s*("
    + r"\d+(?:\.\d+)?"
    + r")"
    r"(?:[^\d;]{0,40}?(?:95\s*%\s*(?:CI|confidence intervals?)(?:\s*\[CI\])?)\s*[:=,]?\s*"
    r"(\d+(?:\.\d+)?)\s*(?:–|—|-|to)\s*"
    r"(\d+(?:\.\d+)?))?(?:[^\d;]{0,20}?\b[Pp]\s*(?:-?value)?\s*([=<>≤])\s*(\d*\.?\d+))?",
    re.I,
)


def find_text_values(
    paragraphs: list[Paragraph], regression: dict | None, abbrev: dict[str, str]
) -> list[dict]:
    """Odds or hazard ratios the text repeats (``tumor size (OR 15.175, 95% CI 1.436–160.329, P = 0.024)``),
    each number tied to its regression cell: the row the text names just before, the column and level whose
    printed estimate it repeats (else the multivariable column when the text says so)."""
    if regression is None:
        return []
    out = []
    rows = regression["rows"]
    names = {}
    for r in rows:
        v = r["variable"].lower()
        names[r["variable"]] = [v] + ([abbrev[v]] if v in abbrev else [])
    for p in paragraphs:
        for s in sentences(p.text):
            low = s.lower()
            for m in _REG_TEXT.finditer(s):
                before = low[max(0, m.start() - 80) : m.start()]
                hits = [
                    (before.rfind(n), var)
                    for var, ns in names.items()
                    for n in ns
                    if re.search(r"(?<![a-z0-9])" + re.escape(n) + r"(?![a-z0-9])", before)
                ]
                if not hits:
                    continue
                var = max(hits)[1]
                row = next(r for r in rows if r["variable"] == var)
                hosts = (
                    [(None, row)]
                    if "levels" not in row
                    else [(lv["level"], lv) for lv in row["levels"] if not lv.get("reference")]
                )
                est = m.group(1)
                cand = [
                    (lvl, col)
                    for lvl, h in hosts
                    for col in ("univariable", "multivariable")
                    if col in h and re.match(re.escape(est) + r"\b", h[col]["estimate_ci"].strip())
                ]
                if not cand:
                    col = (
                        "multivariable"
                        if re.search(r"(?i)multivariat|multivariable|independent|adjusted", p.text)
                        else "univariable"
                    )
                    cand = [(lvl, col) for lvl, h in hosts if col in h]
                if len(cand) != 1:
                    continue
                lvl, col = cand[0]
                base = (
                    f"{regression['id']}/{var}" + (f"/{lvl}" if lvl is not None else "") + f"/{col}"
                )
                quote = _quote(s[max(0, m.start() - 40) : m.end()], 200)
                for field, val in (
                    ("estimate", est),
                    ("lo", m.group(2)),
                    ("hi", m.group(3)),
                    ("p", m.group(5)),
                ):
                    if val is None:
                        continue
                    printed = (m.group(4) if field == "p" and m.group(4) in "<>≤" else "") + val
                    out.append(
                        {
                            "where": p.where,
                            "quote": quote,
                            "printed": printed.replace("≤", "<"),
                            "cell": f"{base}/{field}",
                        }
                    )
    return out
