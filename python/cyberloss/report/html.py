"""HTML for notebooks and reports: one way to show an object's table, one page builder.

Every object with a ``describe()`` table shows in a notebook through :class:`Described` (a
title line above the table); reports are pages built by :func:`page` from titled sections.
Money in tables is formatted by the caller (``report.money``) before it gets here.
"""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable


def escape(text: object) -> str:
    return html.escape(str(text))


def card(title: str, table, note: str = "") -> str:
    """A bold title (HTML allowed, the caller escapes user text), an optional note and a table
    (a DataFrame, or HTML text)."""
    body = table if isinstance(table, str) else table.to_html()
    extra = f"<p>{note}</p>" if note else ""
    return f"<p><b>{title}</b></p>{extra}{body}"


class Described:
    """Mixin: ``_repr_html_`` from ``_html_title()`` and ``_html_table()`` (by default the
    object's ``describe()``), so every object of the package shows the same way in a notebook."""

    def _html_title(self) -> str:
        return escape(type(self).__name__)

    def _html_note(self) -> str:
        return ""

    def _html_table(self):
        return self.describe()  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        return card(self._html_title(), self._html_table(), self._html_note())


def png(fig, dpi: int = 100) -> str:
    """The figure as a base64 PNG (for an <img src="data:image/png;base64,...">)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def image(fig, dpi: int = 100) -> str:
    return f"<img src='data:image/png;base64,{png(fig, dpi)}'>"


def page(title: str, sections: Iterable[tuple[str, str]], intro: str = "") -> str:
    """A self-contained UTF-8 HTML page: ``title`` (escaped here) and (heading, HTML) sections."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
             "</head><body>", f"<h1>{escape(title)}</h1>"]
    if intro:
        parts.append(f"<p>{intro}</p>")
    for heading, body in sections:
        parts.append(f"<h2>{escape(heading)}</h2>{body}")
    parts.append("</body></html>")
    return "".join(parts)
