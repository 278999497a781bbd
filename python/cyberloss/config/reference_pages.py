"""The field reference of the documentation, generated from the schema so it cannot drift.

:func:`pages` returns Markdown pages (file name -> text) for the profile document (its
organisation, terms, quote, simulation, variants, scenario and overrides tables), the
portfolio columns, the reinsurance programme and the simulate spec: one table per document
with every field :func:`cyberloss.config.check` accepts, its kind,
unit, range, default and where the default comes from, and its English and Japanese names.
"""
from __future__ import annotations

from . import documents
from .schema import Node, reference

_NUMBERS = ("Amounts take numbers or texts such as \"5000万円\" or \"5千万円\"; other numbers take a "
            "number or a text of digits, full-width or with thousands separators (\"２\", "
            "\"1,200\"), a share, a probability or a rate also a percentage (\"80%\", \"150%\").")
_KEYS = ("Tables and keys are written as in the field column; the 日本語 column gives their "
         "Japanese names for reading only: a table or key written in Japanese ({example}) is "
         "refused as unknown.")

#: (file name, title, node, what it is, prefix of the dotted names)
DOCUMENTS = (
    ("profile.md", "Profile (TOML)", documents.PROFILE,
     "One file serves `cyberloss quote`, `bcp` and `scenario`: `[organisation]` (also "
     "`cyberloss.Profile(...)`), `[terms]` (`cyberloss.CoverageTerms`), `[quote]`, "
     "`[simulation]`, `[[variants]]`, `[scenario]`, `[overrides]`. Industry and size take their "
     "keys, Japanese labels (製造業, 中小企業) or English in any case; amounts take numbers or "
     "texts such as \"30億円\", \"5000万\", \"5千万円\", \"5000千円\", \"１億円\", \"800,000,000\"; every "
     "other number or count (integer, count, seed included) takes a number or a text of digits, "
     "full-width or with thousands separators (\"１２０\", \"1,200\"); counts, headcounts, "
     "records and days also as Japanese write them (\"20万\", \"120人\", \"2万件\", \"14日\", "
     "\"12時間\"), shares, probabilities and rates (kind `rate`: a loading, a downtime scale) "
     "as percentages (\"80%\"), yes/no as はい/いいえ. "
     "Keys are written as in the field column, except that a control and a section of the "
     "policy may also be named by their Japanese names, quoted as TOML needs "
     "(`\"オフラインバックアップ\" = true` under "
     "`[organisation.controls]`, `[terms.sections.\"費用損害\"]`); elsewhere the 日本語 column "
     "gives the Japanese names for reading only, and a key written in Japanese is refused as "
     "unknown."),
    ("portfolio.md", "Portfolio columns (CSV / Parquet)", documents.PORTFOLIO_COLUMNS,
     "One row per policy of `cyberloss portfolio BOOK.csv` or `cyberloss.Portfolio.read`. "
     "A CSV may be UTF-8 (with or without BOM) or CP932 from Japanese Excel (detected; "
     "`--encoding` names another); a header may be the field or its Japanese name (日本語 "
     "below); amounts may be written \"5000万円\", other numbers \"1,200\", headcounts "
     "\"1,200人\" or \"2万\". UTF-16 (Excel's "
     "Unicode text) is read with `--encoding utf-16`. An empty cell takes the default; in a "
     "Parquet file a null is empty and a NaN is refused, as \"nan\" is in a CSV."),
    ("reinsurance.md", "Reinsurance programme (TOML)", documents.REINSURANCE,
     "`cyberloss portfolio --reinsurance FILE.toml`; contracts inure in the order listed. " + _NUMBERS
     + " " + _KEYS.format(example="`[\"リスクエクセスロス\"]`, `\"保有額\" = \"5000万円\"`")),
    ("spec.md", "Simulate spec (TOML)", documents.SPEC, "`cyberloss simulate SPEC.toml`. " + _NUMBERS
     + " " + _KEYS.format(example="`\"年間発生率\" = 0.5`")),
)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(node: Node) -> str:
    """The Markdown table of every field under ``node``."""
    head = ("| field | kind | unit | range | default | default from | choices | meaning | 日本語 |\n"
            "|---|---|---|---|---|---|---|---|---|")
    rows = [f"| `{r['field']}` | {r['kind']} | {_cell(r['unit'])} | {_cell(r['bounds'])} | "
            f"{_cell(r['default'])} | {_cell(r['default_from'])} | {_cell(r['choices'])} | "
            f"{_cell(r['help'])} | {_cell(r['label_ja'])} |" for r in reference(node)]
    return "\n".join([head, *rows])


def pages() -> dict[str, str]:
    out = {}
    for name, title, node, about in DOCUMENTS:
        out[name] = (f"# {title}\n\n{about}\n\nGenerated from `cyberloss.config.documents` "
                     "(the schema every loader checks against): fields not listed here are "
                     "refused by name.\n\n" + table(node) + "\n")
    return out
