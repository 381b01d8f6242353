"""Render a :class:`~nenaudit.report.document.Document` as one self-contained HTML page.

Figures are embedded as ``data:image/png;base64`` URIs, the style sheet is inline, there is no
script and no link to anything outside the file: the page opens offline, from a mail
attachment or a USB stick, and shows everything.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path

from nenaudit.report.document import (
    MARK_LEGEND,
    MARK_SYMBOL,
    Cell,
    Document,
    Figure,
    Folded,
    Para,
    Table,
)

__all__ = ["render_html"]


CSS = """
:root { --fg: #1d2329; --muted: #5b6770; --line: #d5dbe0; --bg: #ffffff; --band: #f4f6f8;
        --eq: #1a7f37; --ci: #9a6700; --diff: #cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; }
header { background: #0f2a3f; color: #fff; padding: 1.2rem 2rem 1rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.5rem; }
header p { margin: 0; color: #c9d6e0; font-size: .9rem; }
nav { display: flex; flex-wrap: wrap; row-gap: .2rem; padding: .5rem 2rem; background: var(--band);
      border-bottom: 1px solid var(--line); font-size: .85rem; }
nav a { margin-right: .9rem; color: #0b5cad; text-decoration: none; white-space: nowrap; }
main { padding: .5rem 2rem 3rem; max-width: 1400px; }
section { margin-top: 1.6rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .85rem; display: block; max-width: 100%;
        overflow-x: auto; }
td { overflow-wrap: anywhere; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .55rem; text-align: left; vertical-align: top; }
thead th { background: var(--band); border-bottom: 2px solid var(--line); }
tr.variable td:first-child { font-weight: 600; }
tr.level td:first-child { padding-left: 1.6rem; }
td.num { font-variant-numeric: tabular-nums; }
.mark { font-weight: 700; margin-left: .35rem; }
.m-equal { color: var(--eq); } .m-inside-CI { color: var(--ci); } .m-different { color: var(--diff); }
.m-n-a { color: var(--muted); }
td.paper { color: var(--muted); }
p.note { color: var(--muted); font-size: .88rem; }
p.warning { background: #fff4e5; border-left: 4px solid #d97706; padding: .4rem .7rem; }
figure { margin: .8rem 0 1.4rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .85rem; max-width: 60rem; }
.legend { font-size: .85rem; color: var(--muted); }
details { margin: .3rem 0; } details > summary { cursor: pointer; color: var(--eq); }
"""


def esc(s: str) -> str:
    """HTML-escape ``text`` (quotes included)."""
    return html.escape(str(s), quote=True)


def _slug(mark: str) -> str:
    return "m-" + mark.replace(" ", "-").replace("/", "-")


def _cell(c, tag: str = "td", cls: str = "") -> str:
    if isinstance(c, Cell):
        extra = (
            ' class="paper"'
            if c.title == "as printed in the paper"
            else (f' class="{cls}"' if cls else "")
        )
        title = f' title="{esc(c.title)}"' if c.title else ""
        mark = ""
        if c.mark:
            mark = (
                f'<span class="mark {_slug(c.mark)}" title="{esc(c.mark)}" aria-label="{esc(c.mark)}">'
                f"{MARK_SYMBOL[c.mark]}</span>"
            )
        return f"<{tag}{extra}{title}>{esc(c.text)}{mark}</{tag}>"
    return f"<{tag}>{esc(c)}</{tag}>"


def table_html(t: Table) -> str:
    """A document Table as an HTML ``<table>``."""
    out = [f'<table id="{esc(t.id)}"><caption>{esc(t.caption)}</caption><thead>']
    for hr in t.header or [[(c, 1) for c in t.columns]]:
        out.append(
            "<tr>"
            + "".join(
                f'<th colspan="{span}">{esc(text)}</th>' if span > 1 else f"<th>{esc(text)}</th>"
                for text, span in hr
            )
            + "</tr>"
        )
    out.append("</thead><tbody>")
    for i, row in enumerate(t.rows):
        kind = t.row_kinds[i] if i < len(t.row_kinds) else ""
        out.append(f'<tr class="{kind}">' if kind else "<tr>")
        out.append("".join(_cell(c) for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def data_uri(path: Path) -> str:
    """A file's bytes as a ``data:`` URI (figures embedded in the self-contained page)."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render_html(doc: Document, figure_files: Mapping[str, Path]) -> str:
    """The page. ``figure_files`` maps a figure key to its PNG (embedded; a missing key says so)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(doc.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{esc(doc.title)}</h1><p>{esc(doc.subtitle)}</p></header>",
        "<nav>"
        + "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in doc.sections)
        + "</nav><main>",
    ]
    for s in doc.sections:
        parts.append(f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>')
        for b in s.blocks:
            if isinstance(b, Folded):
                parts.append(
                    f"<details><summary>{esc(b.summary)}</summary>"
                    + "".join(
                        table_html(t) if isinstance(t, Table) else f"<p>{esc(t.text)}</p>"
                        for t in b.blocks
                    )
                    + "</details>"
                )
            elif isinstance(b, Table):
                parts.append(table_html(b))
            elif isinstance(b, Para):
                cls = f' class="{b.kind}"' if b.kind else ""
                parts.append(f"<p{cls}>{esc(b.text)}</p>")
            elif isinstance(b, Figure):
                f = figure_files.get(b.key)
                if f is None:
                    parts.append(f'<p class="note">Figure not drawn: {esc(b.alt)}.</p>')
                else:
                    parts.append(
                        f'<figure><img src="{data_uri(f)}" alt="{esc(b.alt)}">'
                        f"<figcaption>{esc(b.caption)}</figcaption></figure>"
                    )
        if s.id == "summary":
            parts.append(f'<p class="legend">{esc(MARK_LEGEND)}</p>')
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
