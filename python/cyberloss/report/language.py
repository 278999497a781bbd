"""The language of what people read: Japanese or English, chosen once.

``--lang ja|en`` on the command line and ``lang=`` in the Python API name it; left out, it is
Japanese when the locale is Japanese (``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with
``ja``, as POSIX looks them up) and English otherwise.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("ja", "en")


def resolve(lang: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``lang`` checked ("ja" or "en"), or the locale's language when it is None."""
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        return lang
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
