"""The language of what people read: Japanese or English, chosen once.

``--lang ja|en`` on the command line and ``lang=`` in the Python API name it; left out, it is
Japanese when the locale is Japanese (``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with
``ja``, as POSIX looks them up) and English otherwise.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

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


def words(lang: str) -> Callable[[str, str], str]:
    """``w(en, ja)`` giving the text in ``lang``: one sentence written in both, side by side."""
    return (lambda en, ja: ja) if lang == "ja" else (lambda en, ja: en)


# Japanese words of the tables people read (the text tables and the HTML report): the
# statistics of a describe() table, the views and columns of the results, a policy's sections
# and the premium's parts.
STATISTICS_JA = {"mean": "期待損失", "std": "標準偏差", "P(loss>0)": "損害発生確率"}
VIEWS_JA = {"annual": "年間合計", "gross": "総額", "ceded": "出再", "net": "保有",
            "insured": "保険金", "retained": "自己負担"}
SECTIONS_JA = {"response": "費用損害", "liability": "賠償責任", "business_interruption": "利益損害",
               "uninsured": "補償対象外", "total": "合計"}
PREMIUM_PARTS_JA = {"expected_loss": "期待保険金", "risk_premium": "リスク保険料",
                    "technical_premium": "営業保険料"}


def statistics_labels(frame, lang: str):
    """A describe() table with its row and column labels in ``lang``: the statistics (mean,
    std, P(loss>0); VaR and TVaR stay), the views and each standard error column
    ("<column> 標準誤差")."""
    if lang != "ja":
        return frame

    def column(c: str) -> str:
        base, se = (c[:-3], True) if c.endswith("_se") else (c, False)
        return VIEWS_JA.get(base, base) + (" 標準誤差" if se else "")
    return frame.rename(index=lambda r: STATISTICS_JA.get(r, r), columns=column).rename_axis("統計量")
