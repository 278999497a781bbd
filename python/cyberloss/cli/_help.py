"""A command's ``--help`` from its module docstring, as plain text.  Apart from ``_args``
(typed values, which load numpy) because ``cyberloss --help`` and ``--version`` load this."""
from __future__ import annotations

import argparse
import re

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def plain(doc: str) -> str:
    """reST of a docstring as plain text for ``--help``: ``code`` and :func:`name` lose their
    markup, paragraphs stay."""
    return _ROLE.sub(r"\1", doc).replace("``", "").strip()


def document(parser: argparse.ArgumentParser, doc: str | None) -> None:
    """Give a command's parser its module docstring: the first paragraph as the description
    (unless it has one), the rest after the options, reST markup removed."""
    if not doc:
        return
    first, _, rest = doc.strip().partition("\n\n")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    if not parser.description:
        parser.description = plain(" ".join(first.split()))
    parser.epilog = plain(rest) or None
