"""The names users write for industries, sizes and attack types, mapped to the keys the model uses.

A field of kind ``choice`` with a ``vocabulary`` ("industries", "sizes", "attack_types") accepts, besides its
key (``manufacturing``), the key in any case and with spaces or hyphens (``Manufacturing``,
``Wholesale Retail``), the Japanese label of the calibration data (``製造業``, ``中小企業``,
``卸売業，小売業``) and each part of a label that lists several (``卸売業``, ``小売業``,
``その他``).  Texts are NFKC-normalised first, so full-width and half-width forms are one, and
the separators Japanese writers use between the parts of a label (，、・/) are one, so
``医療、福祉`` and ``医療・福祉`` name ``医療，福祉``; a label whose leading parts end in 業 is also
known by its usual short form, those 業 dropped (``卸売・小売業``, ``運輸・郵便業``), and every
label without separators (``医療福祉``, ``卸売小売業``).  Attack types are also known by the
names the JNSA report and the press give them (``ランサムウェア``, ``Emotet``, ``エモテット (Emotet)
感染``, ``ウェブサイト改ざん``, ``DDoS攻撃``: :data:`_OTHER_NAMES`); a name that fits two types
(``ウェブサイトからの情報漏えい``, card or personal data) names none.
The labels are read from the packaged calibration data (``data/jnsa2025.json``, keys
``industries``, ``sizes`` and ``attack_types``), where each carries ``label_ja``.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "jnsa2025.json"
VOCABULARIES = ("industries", "sizes", "attack_types")
#: Names users write besides the keys and labels (vocabulary -> key -> spellings): English
#: names of the size classes; the attack types as the JNSA report words them (its four
#: classes: "ランサムウェア感染", "ウェブサイトからの情報漏えい", "エモテット (Emotet) 感染" and
#: "その他", which holds "ウェブサイトの改ざん、DDoS攻撃、...アカウントの乗っ取り" and incidents
#: reported only as "不正アクセス"), short and English, and the model's minor incidents.
_OTHER_NAMES = {
    "sizes": {"sme": ("small and medium", "small and medium enterprise", "small and medium-sized"),
              "large": ("large enterprise", "large company"),
              "organisation": ("organization", "organisations")},
    "attack_types": {
        "ransomware": ("ランサムウェア", "ランサムウェア被害", "ランサムウェア攻撃"),
        "emotet": ("エモテット", "Emotet", "Emotet感染", "エモテット(Emotet)感染", "エモテット (Emotet) 感染",
                   "エモテット（Emotet）"),
        "web_leak_card": ("クレジットカード情報の漏えい", "カード情報の漏えい", "カード情報漏えい", "web leak card"),
        "web_leak_personal": ("web leak personal",),
        "other": ("ウェブサイトの改ざん", "ウェブサイト改ざん", "DDoS攻撃", "アカウントの乗っ取り",
                  "アカウント乗っ取り", "不正アクセス"),
        "minor": ("軽微なインシデント", "minor incident", "minor incidents"),
    },
}


_SEPARATORS = r"[,、・/]"   # between the parts of a label, after NFKC (，-> , and ／-> /)


def normal(text: str) -> str:
    """NFKC, stripped, case-folded, with runs of spaces, hyphens and underscores made one '_'
    and the list separators ，、・/ one ','."""
    text = re.sub(_SEPARATORS, ",", unicodedata.normalize("NFKC", text).strip())
    return re.sub(r"[\s_\-]+", "_", text).casefold()


def _short_forms(label: str) -> set[str]:
    """A listing label's forms without separators and, where its leading parts end in 業, with
    those 業 dropped (卸売業，小売業 -> 卸売・小売業, 卸売小売業)."""
    parts = [p.strip() for p in re.split(_SEPARATORS, label)]
    if len(parts) < 2 or not all(parts):
        return set()
    short = [p[:-1] if p.endswith("業") and len(p) > 1 else p for p in parts[:-1]] + parts[-1:]
    return {"".join(parts), ",".join(short), "".join(short)}


@functools.cache
def labels(vocabulary: str) -> Mapping[str, str]:
    """Key -> Japanese label of the packaged calibration data's ``industries``, ``sizes`` or
    ``attack_types``."""
    if vocabulary not in VOCABULARIES:
        raise ValueError(f"vocabulary must be one of {', '.join(VOCABULARIES)}, got {vocabulary!r}")
    with DATA.open(encoding="utf-8") as f:
        return {e["key"]: e.get("label_ja", "") for e in json.load(f)[vocabulary]}


def japanese_names(vocabulary: str, keys) -> tuple[str, ...]:
    """The Japanese labels of ``keys`` of a vocabulary ("" for a key it lacks), for refusals that
    list the choices to a Japanese reader."""
    names = labels(vocabulary)
    return tuple(names.get(k, "") for k in keys)


@functools.cache
def _spellings(vocabulary: str) -> Mapping[str, str]:
    others = _OTHER_NAMES.get(vocabulary, {})
    # keys the model has beyond the calibration's (the minor incidents) are known by their names
    return _spelling_table(tuple((key, label, others.get(key, ()))
                                 for key, label in {**dict.fromkeys(others, ""), **labels(vocabulary)}.items()))


@functools.cache
def _spelling_table(entries: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Mapping[str, str]:
    """Spelling (:func:`normal`) -> key of (key, Japanese label, other names) entries: each key,
    label, other name, part of a label and short form; a spelling two keys share names none."""
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key, label, other_names in entries:
        names = {key, label, *other_names} - {""}
        whole = unicodedata.normalize("NFKC", label)
        names.update(p for p in re.split(r"[,、（）()・]", whole) if p.strip())
        names.update(_short_forms(whole))
        for name in names:
            n = normal(name)
            if n in out and out[n] != key:
                ambiguous.add(n)
            out[n] = key
    return {n: k for n, k in out.items() if n not in ambiguous}


def canonical(vocabulary: str, text: str) -> str | None:
    """The key ``text`` names in ``vocabulary``, or None when it names none."""
    return _spellings(vocabulary).get(normal(text))


def choice(choices: tuple[str, ...], labels_ja: tuple[str, ...], text: str) -> str | None:
    """The one of ``choices`` (whose Japanese names are ``labels_ja``, in the same order) that
    ``text`` names, spelled as :func:`canonical` reads a vocabulary's; None when it names none."""
    return _spelling_table(tuple((c, ja, ()) for c, ja in zip(choices, labels_ja))).get(normal(text))
