"""HTML for notebooks and reports: one way to show an object's table, one report template.

Every object with a ``describe()`` table shows in a notebook through :class:`Described` (a
title line above the table).  Reports people keep are rendered by :func:`render` from the
packaged Jinja2 template ``templates/report.html.j2`` and style sheet ``templates/report.css``:
a title, a line of facts (version, seed, date, ...), and sections of blocks built here —
:func:`text`, :func:`items`, :func:`figure` and :func:`table` (columns from :func:`column`,
numbers right-aligned, the unit in the column's heading).  Money in tables is formatted by
the caller (``report.money``) before it gets here.
"""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .. import _core
from .._extras import require

#: The report template and its style sheet (reused by the web page).
TEMPLATES = Path(__file__).resolve().parent / "templates"


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


def package_version() -> str:
    """cyberloss's version, as reports state it: the one compiled into the core, which the
    installed package's metadata also carries (importlib.metadata would add 0.05 s to every
    command's start-up)."""
    return _core.__version__


def column(label: str, unit: str = "", align: str = "num") -> dict[str, str]:
    """A table column: its heading, unit (shown under the heading) and alignment ("num":
    right-aligned figures, "text": left-aligned words)."""
    return {"label": label, "unit": unit, "align": align}


def table(columns: Sequence[dict[str, str]], rows: Sequence[Sequence[Any]], caption: str = "",
          note: str = "", flags: Sequence[str] | None = None) -> dict[str, Any]:
    """A table block; ``flags`` marks rows (e.g. "default" for a defaulted profile field)."""
    flags = flags if flags is not None else [""] * len(rows)
    return {"kind": "table", "columns": list(columns), "caption": caption, "note": note,
            "rows": [{"cells": [str(c) for c in r], "flag": f} for r, f in zip(rows, flags)]}


def text(body: str, note: bool = False) -> dict[str, Any]:
    return {"kind": "text", "text": body, "note": note}


def items(lines: Iterable[str]) -> dict[str, Any]:
    return {"kind": "list", "items": list(lines)}


def figure(fig, alt: str, caption: str = "", dpi: int = 110) -> dict[str, Any]:
    return {"kind": "image", "png": png(fig, dpi), "alt": alt, "caption": caption}


def section(id: str, heading: str, blocks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"id": id, "heading": heading, "blocks": list(blocks)}


def render(title: str, sections: Sequence[dict[str, Any]], *, lang: str = "en", subtitle: str = "",
           meta: Sequence[tuple[str, str]] = (), footer: str = "", version: str = "",
           template: str = "report.html.j2") -> str:
    """A self-contained UTF-8 HTML page from the packaged template (text escaped there)."""
    jinja2 = require("jinja2", "HTML reports", "HTML レポート")  # loaded when a report is written

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template(template).render(
        title=title, sections=sections, lang=lang, subtitle=subtitle, meta=list(meta),
        footer=footer, version=version, css=css)
