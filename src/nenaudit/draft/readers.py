"""Readers: plain text, HTML article pages and JATS XML, each to a :class:`~nenaudit.draft.document.Document`.

Plain text is read line by line (tables are tab-, pipe- or space-aligned lines under a "Table N"
caption, as a PDF-to-text tool or a web page gives them); HTML and JATS are parsed with lxml.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from nenaudit.draft.document import Document, Paragraph, RawTable
from nenaudit.draft.glued import glued_table
from nenaudit.exceptions import DraftInputError

__all__ = ["read_paper", "read_text", "read_html", "read_jats", "MAX_BYTES"]

#: The largest paper read (an article's full text is well under 1 MB; its HTML page a few MB).
MAX_BYTES = 20 * 1024 * 1024


# ----------------------------------------------------------------------------- input sniffing
def read_paper(path: str | Path) -> Document:
    """Read a paper: the format from the suffix (.html/.htm, .xml/.nxml, else text) and the first bytes."""
    p = Path(path)
    if not p.is_file():
        raise DraftInputError(
            f"{path}: no such file; give the paper as plain text, HTML or JATS XML"
        )
    size = p.stat().st_size
    if size == 0:
        raise DraftInputError(
            f"{path}: the file is empty; give the paper's text, HTML page or JATS XML"
        )
    if size > MAX_BYTES:
        raise DraftInputError(
            f"{path}: {size / 1e6:.0f} MB is larger than any article ({MAX_BYTES // 2**20} MiB "
            "at most); give the article's own text, HTML page or JATS XML"
        )
    data = p.read_bytes()
    if data.startswith(b"%PDF"):
        raise DraftInputError(
            f"{path}: this is a PDF; convert it to text first (e.g. pdftotext -layout PAPER.pdf "
            "PAPER.txt) or give the article's HTML page or JATS XML"
        )
    if b"\x00" in data[:65536]:
        raise DraftInputError(
            f"{path}: binary data (NUL bytes), not text; give the paper as plain text, HTML or JATS XML"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise DraftInputError(
                f"{path}: not text (undecodable byte at {exc.start}); save the paper as UTF-8 text"
            ) from None
    bad = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if bad > 0.01 * min(len(text), 65536):
        raise DraftInputError(
            f"{path}: mostly control characters, not text; give the paper as plain text, HTML or JATS XML"
        )
    if not text.strip():
        raise DraftInputError(
            f"{path}: only white space; give the paper's text, HTML page or JATS XML"
        )
    suffix = p.suffix.lower()
    head = text.lstrip()[:2000].lower()
    if suffix in (".xml", ".nxml") or (head.startswith("<?xml") and "<article" in head):
        return read_jats(data)
    if (
        suffix in (".html", ".htm", ".xhtml")
        or head.startswith("<!doctype html")
        or head.startswith("<html")
    ):
        return read_html(data)
    return read_text(text)


# ----------------------------------------------------------------------------- plain text
_CAPTION = re.compile(
    r"^\s*[*_#]*\s*(table|tab\.)\s+([A-Z]?\d+[A-Za-z]?|[IVXL]+)\b\s*[.:|]?\s*[*_]*\s*(.*)$", re.I
)
_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s+([A-Z][^.]{0,90})$")
_NAMED = (
    "abstract",
    "background",
    "introduction",
    "methods",
    "materials and methods",
    "patients and methods",
    "results",
    "discussion",
    "conclusion",
    "conclusions",
    "purpose",
    "objective",
    "objectives",
)
_ABSTRACT_PART = re.compile(
    r"^(Background|Purpose|Objectives?|Aims?|Methods?|Materials and methods|Results?|"
    r"Conclusions?|Findings|Interpretation)\s*[:.]\s+",
    re.I,
)
_FOOT_CUE = re.compile(
    r"^\s*(\^?[a-z]\s?[A-Z]|\^\S|[*†‡§¶#]+|Abbreviations?|Note|Data (are|were)|Values|Unless|"
    r"[Pp]\s*[-‐ ]?values?|[Pp]\s*[<≤=]|Continuous|Categorical|Results are|All|The data|"
    r"[A-Z][A-Za-z0-9+/-]*,\s+[a-z]|[A-Z][A-Za-z0-9+/-]*\s*=\s*[a-z])"
)


def _is_table_line(line: str) -> bool:
    return "\t" in line or "|" in line or bool(re.search(r"\S {2,}\S", line.strip()))


def _split(line: str, mode: str) -> list[str]:
    if mode == "pipe":
        s = line.strip()
        s = s[1:] if s.startswith("|") else s
        s = s[:-1] if s.endswith("|") else s
        cells = s.split("|")
    elif mode == "tab":
        cells = line.rstrip("\n").split("\t")
    else:
        cells = re.split(r"\s{2,}", line.strip())
    return [
        c.strip().strip("*").strip() if c.strip().startswith("**") else c.strip() for c in cells
    ]


def _block_rows(lines: list[str]) -> list[list[str]]:
    """Cells of a block of table lines; pipe tables whose rows start with '|' have wrapped cells joined."""
    lines = [ln for ln in lines if ln.strip() and not _SEP.match(ln)]
    if not lines:
        return []
    piped = sum("|" in ln for ln in lines)
    tabbed = sum("\t" in ln for ln in lines)
    mode = "pipe" if piped >= max(tabbed, 1) else "tab" if tabbed else "space"
    if mode == "pipe" and lines[0].lstrip().startswith(
        "|"
    ):  # rows open with '|': other lines continue a cell
        joined: list[str] = []
        for ln in lines:
            if ln.lstrip().startswith("|") or not joined:
                joined.append(ln.strip())
            else:
                joined[-1] = joined[-1].rstrip() + " " + ln.strip()
        lines = joined
    return [_split(ln, mode) for ln in lines]


def read_text(text: str) -> Document:
    """Plain text: paragraphs between blank lines, tables under "Table N" captions (continued tables merged)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs: list[Paragraph] = []
    tables: dict[str, RawTable] = {}
    section, para_no, buf = "Front matter", 0, []
    title = ""

    def flush():
        nonlocal buf, para_no, section
        if not buf:
            return
        txt = " ".join(s.strip() for s in buf).strip()
        buf = []
        m = _ABSTRACT_PART.match(txt)
        if m and section in ("Front matter", "Abstract") or (m and not paragraphs_after_abstract()):
            where = f"Abstract ({m.group(1).capitalize()})"
            section = "Abstract"
        else:
            para_no += 1
            where = f"{section}, paragraph {para_no}"
        paragraphs.append(Paragraph(txt, where))

    def paragraphs_after_abstract():
        return any(not p.where.startswith(("Abstract", "Front matter")) for p in paragraphs)

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        cap = _CAPTION.match(line)
        if cap and len(line) < 400:
            got = _table_at(lines, i, cap)
            if got is not None:
                flush()
                tab, i = got
                key = tab.label.lower()
                if key in tables and re.match(
                    r"(?i)^\s*(cont(inued|\.)?|\(cont)", cap.group(3) or ""
                ):
                    old = tables[key]
                    skip = 1 if tab.rows and old.rows and tab.rows[0] == old.rows[0] else 0
                    old.rows.extend(tab.rows[skip:])
                    old.footnotes.extend(f for f in tab.footnotes if f not in old.footnotes)
                elif key in tables:
                    tables[key + f"#{len(tables)}"] = tab
                else:
                    tables[key] = tab
                continue
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.lower().rstrip(":") in _NAMED or (
            _HEADING.match(stripped) and len(stripped) < 100 and not stripped.endswith((".", ","))
        ):
            flush()
            m = _HEADING.match(stripped)
            section = m.group(1) if m else stripped.rstrip(":").capitalize()
            para_no = 0
            if stripped.lower().rstrip(":") == "abstract":
                section = "Abstract"
        elif stripped in ("(Continued)", "Continued"):
            flush()
        else:
            buf.append(stripped)
            if not title and len(stripped) > 30 and section == "Front matter":
                title = ""
        i += 1
    flush()
    return Document("text", paragraphs, list(tables.values()), title)


def _table_at(lines: list[str], i: int, cap: re.Match) -> tuple[RawTable, int] | None:
    """The table whose caption is line ``i``: (table, index after it), or None when no table lines follow."""
    label = f"Table {cap.group(2)}"
    rest = (cap.group(3) or "").strip(" .:|*_")
    caption = f"{label} {rest}".strip()
    j, n = i + 1, len(lines)
    while j < n and not lines[j].strip():
        j += 1
    if (
        j < n
        and not _is_table_line(lines[j])
        and len(lines[j]) < 300
        and j + 1 < n
        and _is_table_line(lines[j + 1])
    ):
        caption = caption.rstrip(". ") + " " + lines[j].strip()
        j += 1
    block: list[str] = []
    while j < n:
        ln = lines[j]
        if ln.strip() in ("(Continued)", "Continued"):
            break
        if not ln.strip():
            k = j + 1
            while k < n and not lines[k].strip():
                k += 1
            if (
                k < n
                and _is_table_line(lines[k])
                and not _CAPTION.match(lines[k])
                and len(lines[k]) < 400
            ):
                j = k
                continue
            break
        if not _is_table_line(ln) or _CAPTION.match(ln):
            break
        block.append(ln)
        j += 1
    rows = _block_rows(block)
    notes: list[str] = []
    if sum(1 for r in rows if len([c for c in r if c]) >= 2) < 2:
        ahead = lines[i + 1 : i + 60]
        glued = sum(bool(re.search(r"\)\d|[a-z]\d+(?:\.\d+)? ?[(±]", ln)) for ln in ahead) >= 3
        got = (
            (_glued_at(lines, i + 1) or _token_table(lines, i + 1))
            if glued
            else (_token_table(lines, i + 1) or _glued_at(lines, i + 1))
        )
        if got is None:
            return None
        title, rows, j = got
        notes = [r[1] for r in rows if r and r[0] == "\x00note"]
        rows = [r for r in rows if not (r and r[0] == "\x00note")]
        if title:
            caption = (
                f"{label} {rest.rstrip('. ')} {title}".replace("  ", " ").strip()
                if rest
                else f"{label} {title}"
            )
    foot: list[str] = []
    k = j
    blanks = 0
    while k < n and blanks <= 1:
        ln = lines[k].strip()
        if not ln:
            blanks += 1
            k += 1
            continue
        if ln in ("(Continued)", "Continued"):
            k += 1
            break
        if _CAPTION.match(ln) or not _FOOT_CUE.match(ln) or len(ln) > 1500:
            break
        foot.append(ln)
        blanks = 0
        k += 1
    return RawTable(label, caption, rows, foot, None, notes), k


# single-space text (web pages rendered to text): the cells of a line are peeled off from its right end
_V = (
    r"(?:\d+\s*(?:/\s*\d+\s*)?\(\s*[\d.]+\s*%?\s*\)|[-−]?[\d.]+\s*(?:±|\+/-)\s*[\d.]+|"
    r"[-−]?[\d.]+\s*[\[(]\s*[-−]?[\d.]+\s*(?:,|;|–|—|-|to)\s*[-−]?[\d.]+\s*[\])]|Ref(?:erence)?\.?|"
    r"[<>≤≥]\s*0?\.\d+\*?|[-−]?\d+(?:\.\d+)?\s?(?:–|—|-|~|to)\s?[-−]?\d+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?%?\*?|–|—)"
)
_TAIL = re.compile(r"(?:^|\s)(" + _V + r")\s*$")
_GROUP_SEG = re.compile(
    r"(?<=\))\s+(?!\()|\s+(?=[Pp][- ]?values?\b)|(?<=\b[Pp] value)\s+|(?<=\b[Pp]-value)\s+"
)


_HEAD_WORDS = re.compile(
    r"(?i)\bp[- ]?values?\s*$|\bP\s*$|\(%\)|\bgroups?\b|\buni-?variat|\bmulti-?variat|"
    r"\b(?:OR|HR|RR|CI)\b|95\s*%|\bodds ratio|\bhazard ratio"
)


def token_cells(line: str) -> list[str] | None:
    """A single-space table line as cells: the label, then the values peeled from the right; None for prose."""
    s = line.strip()
    vals: list[str] = []
    while True:
        m = _TAIL.search(s)
        if not m:
            break
        vals.insert(0, m.group(1).strip())
        s = s[: m.start(1)].rstrip()
        if not s:
            break
    if not s and vals:  # a numeric label (a grade, a stage): the first token is the label
        s = vals.pop(0)
    if not vals:
        return None
    return [s] + vals


def _header_cells(line: str) -> list[str]:
    return [c.strip() for c in _GROUP_SEG.split(line.strip()) if c and c.strip()]


def _token_table(lines: list[str], j: int) -> tuple[str, list[list[str]], int] | None:
    """A table printed with single spaces: optional title, header lines with '(n = N)' groups, label-and-values rows."""
    n = len(lines)
    while j < n and not lines[j].strip():
        j += 1
    title = ""
    if (
        j < n
        and token_cells(lines[j]) is None
        and "(n" not in lines[j].replace(" ", "").lower()[:0] + lines[j]
        and not re.search(r"\(\s*[nN]\s*=", lines[j])
        and len(lines[j]) < 300
    ):
        title = lines[j].strip()
        j += 1
    rows: list[list[str]] = []
    heads: list[int] = []
    data = 0
    while j < n:
        ln = lines[j]
        if not ln.strip():
            k = j + 1
            while k < n and not lines[k].strip():
                k += 1
            if (
                k < n
                and len(lines[k]) < 400
                and (
                    token_cells(lines[k])
                    or re.search(r"\(\s*[nN]\s*=", lines[k])
                    or (not data and _HEAD_WORDS.search(lines[k]) and token_cells(lines[k]) is None)
                )
            ):
                j = k
                continue
            break
        if _CAPTION.match(ln):
            break
        cells = token_cells(ln)
        if not data and (
            re.search(r"\(\s*[nN]\s*=\s*\d", ln)
            or (cells is None and _HEAD_WORDS.search(ln) and len(rows) < 3)
        ):
            rows.append(_header_cells(ln))
            heads.append(len(rows) - 1)
        elif cells is not None and len(ln) < 400:
            rows.append(cells)
            data += 1
        elif len(ln.strip()) < 120 and not ln.strip().endswith(".") and len(ln.split()) <= 14:
            rows.append([ln.strip()])
        else:
            break
        j += 1
    if data < 2:
        return None
    width = max((len(r) for k, r in enumerate(rows) if k not in heads), default=0)
    for h in (
        heads
    ):  # a header without a cell over the labels: its cells are the value columns' (right-aligned)
        if len(rows[h]) == width - 1 and not re.search(
            r"(?i)^(characteristics?|variables?|factors?|parameters?|items?)\b", rows[h][0]
        ):
            rows[h] = [""] + rows[h]
    return title, rows, j


def _glued_at(lines: list[str], j: int) -> tuple[str, list[list[str]], int] | None:
    """A table whose cells run together (see :mod:`nenaudit.draft.glued`): the lines up to the next caption or blank."""
    n = len(lines)
    while j < n and not lines[j].strip():
        j += 1
    k = j
    while k < n and lines[k].strip() and not _CAPTION.match(lines[k]) and len(lines[k]) < 400:
        k += 1
    got = glued_table(lines[j:k])
    if got is None:
        return None
    rows, ambiguous = got
    note = (
        "the page ran the cells together; each line was split where the printed percentages, decimals and "
        "p-values fit the header's layout best"
        + ("; some lines could be split more than one way" if ambiguous else "")
    )
    return "", rows + [["\x00note", note]], k


# ----------------------------------------------------------------------------- HTML and JATS
def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _text(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _text_outside(el, skip: tuple[str, ...]) -> str:
    """An element's text without the text of descendants named in ``skip`` (their tails kept)."""
    parts: list[str] = []

    def walk(x):
        if x is not el and _local(x) in skip:
            if x.tail:
                parts.append(x.tail)
            return
        if x.text:
            parts.append(x.text)
        for ch in x:
            walk(ch)
        if x is not el and x.tail:
            parts.append(x.tail)

    walk(el)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _is_mark(el) -> bool:
    """A footnote mark: a table-fn cross-reference, or a superscript of one or two letters or symbols."""
    name = _local(el)
    if name == "xref" and (el.get("ref-type") or "") in ("table-fn", "fn"):
        return True
    t = "".join(el.itertext()).strip()
    return name == "sup" and 0 < len(t) <= 2 and bool(re.fullmatch(r"[a-z*†‡§¶#,]+", t))


def _cell_text(cell) -> str:
    """A cell's text without footnote marks (``Age<sup>a</sup>`` reads ``Age``)."""
    parts: list[str] = []

    def walk(el):
        if el is not cell and _is_mark(el):
            if el.tail:
                parts.append(el.tail)
            return
        if el.text:
            parts.append(el.text)
        for ch in el:
            walk(ch)
        if el is not cell and el.tail:
            parts.append(el.tail)

    walk(cell)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _grid(table_el) -> tuple[list[list[str]], int | None]:
    """Rows of cell texts with colspans and rowspans expanded (a spanned cell repeats only in its first place)."""
    rows: list[list[str]] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    head = 0
    for tr in table_el.iter():
        if _local(tr) != "tr":
            continue
        in_head = any(_local(a) == "thead" for a in tr.iterancestors())
        row: list[str] = []
        col = 0
        for cell in tr:
            if _local(cell) not in ("td", "th"):
                continue
            while pending.get(col, 0) > 0:
                pending[col] -= 1
                row.append("")
                col += 1
            txt = _cell_text(cell)
            span = (
                int(cell.get("colspan", "1") or 1) if str(cell.get("colspan", "1")).isdigit() else 1
            )
            rspan = (
                int(cell.get("rowspan", "1") or 1) if str(cell.get("rowspan", "1")).isdigit() else 1
            )
            for s in range(span):
                row.append(txt if s == 0 else "")
                if rspan > 1:
                    pending[col] = rspan - 1
                col += 1
        while pending.get(col, 0) > 0:
            pending[col] -= 1
            row.append("")
            col += 1
        rows.append(row)
        head += in_head
    return rows, (head or None)


def _label_caption(text: str, fallback: str) -> tuple[str, str]:
    m = _CAPTION.match(text)
    return (f"Table {m.group(2)}", text) if m else (fallback, text)


def _drop(el) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def read_html(data: bytes) -> Document:
    """An article's HTML page: ``<table>`` elements (caption from ``<caption>`` or the nearest "Table N" text
    before it, footnotes from ``<tfoot>`` or the table's footer block) and the ``<p>`` paragraphs under headings."""
    root = lxml.html.fromstring(data)
    for bad in root.xpath("//script|//style|//noscript|//nav|//header|//footer"):
        bad.getparent().remove(bad) if bad.getparent() is not None else None
    tables = []
    for k, t in enumerate(root.xpath("//table")):
        if t.xpath("ancestor::table"):
            continue
        rows, head = _grid(t)
        cap_el = t.find("caption")
        caption = _text(cap_el) if cap_el is not None else ""
        if not _CAPTION.match(caption or ""):
            for prev in t.xpath(
                "preceding::*[self::h1 or self::h2 or self::h3 or self::h4 or self::div or self::p "
                "or self::span or self::strong or self::b][position()<=12]"
            ):
                tx = _text(prev)
                if _CAPTION.match(tx) and len(tx) < 600:
                    caption = tx + (" " + caption if caption else "")
                    break
        label, caption = _label_caption(caption, f"Table {k + 1}")
        foot = [_text(f) for f in t.xpath(".//tfoot//td|.//tfoot//th") if _text(f)]
        wrap = t.getparent()
        for _ in range(3):
            if wrap is None:
                break
            cls = (wrap.get("class") or "").lower()
            hits = wrap.xpath(".//*[contains(@class,'foot') or contains(@class,'fn')]")
            if hits:
                foot += [
                    _text(h)
                    for h in hits
                    if _text(h) and _text(h) not in foot and not h.xpath(".//table")
                ]
                break
            if "table" in cls:
                wrap = wrap.getparent()
                continue
            wrap = wrap.getparent()
        rows = [r for r in rows if any(c for c in r)]
        if rows:
            tables.append(RawTable(label, caption, rows, foot, head))
    # citations in running text: superscript reference numbers and the reference texts a page hides beside them
    # for a pop-up (class 'refCtt closed', style 'display:none', the hidden attribute) are not the paper's text
    for el in root.xpath(
        "//p//*[@hidden or contains(translate(@style,' ',''),'display:none') or "
        "contains(concat(' ',normalize-space(@class),' '),' closed ') or "
        "contains(translate(@class,'REFCT','refct'),'refctt')]"
    ):
        if el.getparent() is not None and not el.xpath("ancestor::table"):
            _drop(el)
    for el in root.xpath("//p//sup"):
        if (
            re.fullmatch(r"[\d,\s–—-]+", _text(el) or "x")
            and el.getparent() is not None
            and not el.xpath("ancestor::table")
        ):
            _drop(el)
    paragraphs = []
    section, no = "Front matter", 0
    for el in root.iter():
        name = _local(el)
        if name in ("h1", "h2", "h3", "h4"):
            t = _text(el)
            if t:
                section, no = t[:80], 0
        elif name == "p" and not el.xpath("ancestor::table") and not el.xpath("ancestor::p"):
            t = _text(el)
            if len(t) > 20:
                no += 1
                paragraphs.append(Paragraph(t, f"{section}, paragraph {no}"))
    title = _text(root.find(".//title")) if root.find(".//title") is not None else ""
    return Document("html", paragraphs, tables, title)


def read_jats(data: bytes) -> Document:
    """JATS XML (open-access archives): ``<table-wrap>`` (label, caption, table, footnotes), ``<sec>``/``<p>``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    root = etree.fromstring(data, parser)
    if root is None:
        raise DraftInputError(
            "the XML could not be parsed; give the article's JATS XML as downloaded"
        )
    tables = []
    for k, tw in enumerate(el for el in root.iter() if _local(el) == "table-wrap"):
        lab = next((_text(c) for c in tw if _local(c) == "label"), "")
        cap = next((c for c in tw if _local(c) == "caption"), None)
        caption = (lab + " " + _text(cap)).strip() if cap is not None else lab
        m = re.search(r"(?i)table\s+([A-Z]?\d+[A-Za-z]?|[IVXL]+)", lab or caption)
        label = f"Table {m.group(1)}" if m else f"Table {k + 1}"
        tab = next((el for el in tw.iter() if _local(el) == "table"), None)
        if tab is None:
            continue
        rows, head = _grid(tab)
        foot = [
            _text(f)
            for f in tw.iter()
            if _local(f) in ("fn", "p")
            and any(_local(a) == "table-wrap-foot" for a in f.iterancestors())
            and _text(f)
        ]
        rows = [r for r in rows if any(c for c in r)]
        if rows:
            tables.append(RawTable(label, caption, rows, foot, head))
    paragraphs = []
    for p in (el for el in root.iter() if _local(el) == "p"):
        anc = list(p.iterancestors())
        if any(_local(a) in ("table-wrap", "fn", "ref-list") for a in anc):
            continue
        if any(_local(a) in ("caption", "fig") for a in anc):
            continue
        t = _text_outside(
            p, ("table-wrap", "fig", "disp-formula-group")
        )  # a <p> may hold a table or a figure
        if len(t) <= 20:
            continue
        if any(_local(a) == "abstract" for a in anc):
            sec = next((a for a in anc if _local(a) == "sec"), None)
            head = (
                next((_text(c) for c in sec if _local(c) == "title"), "") if sec is not None else ""
            )
            where = f"Abstract ({head})" if head else "Abstract"
        else:
            sec = next((a for a in anc if _local(a) == "sec"), None)
            head = (
                next((_text(c) for c in sec if _local(c) == "title"), "") if sec is not None else ""
            )
            where = head or "Body"
        paragraphs.append(Paragraph(t, where))
    for fig in (
        el for el in root.iter() if _local(el) == "fig"
    ):  # a figure legend prints AUCs and counts too
        cap = next((c for c in fig if _local(c) == "caption"), None)
        t = _text(cap) if cap is not None else ""
        if len(t) > 20:
            lab = next((_text(c) for c in fig if _local(c) == "label"), "") or "Figure"
            paragraphs.append(Paragraph(t, f"{lab} legend"))
    title = next((_text(el) for el in root.iter() if _local(el) == "article-title"), "")
    return Document("jats", paragraphs, tables, title)
