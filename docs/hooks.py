"""MkDocs hooks (mkdocs.yml ``hooks``): the Japanese pages say they are Japanese.

The theme writes one ``<html lang>`` for the whole site (``theme.language``: en). A page under
``ja/`` (docs/site/ja) gets ``lang="ja"``, so that browsers pick Japanese glyph forms and
fonts for its text (not the Chinese forms of the same code points) and screen readers a
Japanese voice.
"""
from __future__ import annotations

import re
from typing import Any

JAPANESE_PAGES = "ja/"


def on_post_page(output: str, page: Any, config: Any) -> str:
    if page.file.src_uri.startswith(JAPANESE_PAGES):
        return re.sub(r'<html lang="[^"]*"', '<html lang="ja"', output, count=1)
    return output
