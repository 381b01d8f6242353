"""The common intermediate every reader produces: paragraphs and tables, each with its place in the paper."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Paragraph", "RawTable", "Document"]


@dataclass
class Paragraph:
    """One paragraph of running text and where it is (the section heading above it, if any)."""

    text: str
    where: str


@dataclass
class RawTable:
    """A table as read: its label (``Table N``), caption, rows of cell texts (header rows first) and footnotes.

    ``header_rows`` is how many leading rows are header rows when the format says so (HTML ``<thead>``,
    JATS ``<thead>``); None when the reader cannot tell (plain text) and the recognisers decide.
    """

    label: str
    caption: str
    rows: list[list[str]]
    footnotes: list[str] = field(default_factory=list)
    header_rows: int | None = None
    notes: list[str] = field(
        default_factory=list
    )  # how the reader had to guess (cells run together, ...)


@dataclass
class Document:
    """A paper reduced to paragraphs and tables; ``kind`` is the input format (text, html, jats)."""

    kind: str
    paragraphs: list[Paragraph]
    tables: list[RawTable]
    title: str = ""
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        """All running text, paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)
