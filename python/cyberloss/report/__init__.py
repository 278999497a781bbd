"""Presentation: money in 万円 / 億円, plots with one font set-up, HTML, progress lines.

A lower utility layer: it imports no domain module, so every result, the CLI and the
notebooks present numbers the same way.
"""
from __future__ import annotations

from .html import Described
from .money import format_limit, format_yen, man_yen, man_yen_table, yen_table

__all__ = ["Described", "format_limit", "format_yen", "man_yen", "man_yen_table", "yen_table"]
