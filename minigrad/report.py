"""Text for a terminal and for Markdown: tables of numbers and generated sections.

Small and free of the rest of minigrad, so that every layer above may use it:
:mod:`minigrad.diagnostics` prints its tables with it, the demos (:mod:`minigrad.demos`) their
tables, and docs/make_demos.py and the benchmarks write the README's sections.

>>> print(Table(["layer", "grad norm"], [["layers.0", 3.1e-9], ["layers.2", 0.25]]).text())
layer     grad norm
--------  ---------
layers.0  3.1e-09
layers.2  0.25
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any


def number(x: object) -> str:
    """A cell's text: floats in three significant digits, scientific when small or large.

    Examples
    --------
    >>> number(0.123456), number(3.1e-9), number(123456.0), number(7)
    ('0.123', '3.1e-09', '1.2e+05', '7')
    """
    if isinstance(x, bool) or not isinstance(x, float):
        return str(x)
    if x == 0 or x != x or abs(x) == float("inf"):
        return "0" if x == 0 else str(x)
    return f"{x:.3g}" if 1e-3 <= abs(x) < 1e5 else f"{x:.1e}"


def percent(fraction: float) -> str:
    """A fraction as a whole percentage.

    Examples
    --------
    >>> percent(0.256)
    '26 %'
    """
    return f"{100 * fraction:.0f} %"


class Table:
    """Rows of cells under named columns, as aligned text, Markdown or HTML.

    Cells are written by :func:`number` when the table is made.

    Examples
    --------
    >>> table = Table(["activation", "dead"], [["relu", 0.91], ["gelu", 0.0]], title="after training")
    >>> print(table.text())
    after training
    activation  dead
    ----------  ----
    relu        0.91
    gelu        0
    """

    def __init__(self, columns: Iterable[str], rows: Iterable[Iterable[object]], title: str | None = None) -> None:
        self.columns = list(columns)
        self.rows = [[number(cell) for cell in row] for row in rows]
        self.title = title

    def text(self) -> str:
        """The table as aligned plain text, for a terminal, under its title.

        Examples
        --------
        >>> print(Table(["x", "x^2"], [[3, 9]]).text())
        x  x^2
        -  ---
        3  9
        """
        widths = [max(len(str(c)), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        lines = [self.title] if self.title else []
        for row in [self.columns, ["-" * w for w in widths], *self.rows]:
            lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
        return "\n".join(lines)

    def markdown(self) -> str:
        """The table in Markdown (without its title).

        Examples
        --------
        >>> print(Table(["x", "x^2"], [[3, 9]]).markdown())
        | x | x^2 |
        |---|---|
        | 3 | 9 |
        """
        lines = ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)

    def html(self) -> str:
        """The table as an HTML ``<table>``, every cell escaped.

        Examples
        --------
        >>> Table(["x"], [["<3"]]).html()
        '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>&lt;3</td></tr></tbody></table>'
        """
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data, for a JSON file.

        Examples
        --------
        >>> Table(["x", "x^2"], [[0.5, 0.25]], title="T").to_dict()
        {'title': 'T', 'columns': ['x', 'x^2'], 'rows': [['0.5', '0.25']]}
        """
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


def replace_section(text: str, name: str, section: str) -> str:
    r"""``text`` with what stands between its ``<!-- NAME:start ... -->`` and ``<!-- NAME:end -->``
    markers replaced by ``section``: how generated tables are kept in the README.

    Examples
    --------
    >>> replace_section("a <!-- x:start (made by hand) -->old<!-- x:end --> b", "x", "new")
    'a <!-- x:start (made by hand) -->\nnew\n<!-- x:end --> b'
    """
    start = text.index(f"<!-- {name}:start")
    start = text.index("-->", start) + len("-->")
    end = text.index(f"<!-- {name}:end -->")
    return f"{text[:start]}\n{section.strip()}\n{text[end:]}"
