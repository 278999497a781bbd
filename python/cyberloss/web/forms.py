"""The page's inputs: form fields built from the profile schema, read back into a profile
document and validated by the code the CLI runs.

Every input is named by its dotted path in the profile (``organisation.revenue``,
``terms.sections.response.limit``, ``quote.loads.expense_ratio``), so the query string of a
page is the profile itself and doubles as the shareable URL.  A text typed into a numeric
field is read as TOML would read it unquoted (``-5`` is the integer -5, ``1e12`` a float) and
anything else as a text (``"30億円"``, ``"１２０"``, ``"1,200"``, which the profile reader
takes as a file's texts), so a value refused on the page is refused with the words
``cyberloss quote`` uses for the same value in a file.  Fields left empty are left out
of the document and take the default the schema (or the data, by industry and size) gives.
"""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import Any

from .. import _validate, config, stats
from ..calibration import load as load_calibration
from ..config import documents
from ..insurance import quote as quote_mod
from ..insurance import terms as terms_mod
from ..organisation import bcp as bcp_mod
from ..organisation import profile as org_profile
from ..report import language, money

NUMERIC_KINDS = config.types.NUMERIC_KINDS
MAX_FIELDS = 400
MAX_VALUE_CHARS = 200
_NUMBER = re.compile(r"^[+-]?(?:inf|nan|[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?)$")
# Between a list's values: 、, spaces, or a comma that is not a thousands separator (one between
# a digit and exactly three digits: "100万円, 1,000万円" is two amounts, "0.99,0.995" two levels).
_LIST_SPLIT = re.compile(r"、\s*|(?<!\d)[,，]\s*|[,，](?!\d{3}(?!\d))\s*|\s+")
#: A missing or unknown key, as config.check_table and OneOf refuse it: "organisation: field 'industry'
#: is required", "quote.decision.principle: unknown field 'loading'; known: name, lam".
_KEY = re.compile(r"^([\w.]+): (?:\w+ '(\w+)' is required|unknown \w+ '(\w+)')")
#: A bound on fields of one table together, named by their keys: "expense_ratio + profit_ratio must be < 1".
_JOINT = re.compile(r"^(\w+(?: \+ \w+)+) must ")


@dataclasses.dataclass(frozen=True)
class Input:
    """One form field: its dotted path in the profile and its schema field."""

    path: str
    field: config.Field
    group: str

    @property
    def is_list(self) -> bool:
        return self.field.kind == "list"


def _inputs(node: config.Node, group: str, prefix: str = "", skip: tuple[str, ...] = ()) -> list[Input]:
    out = []
    for name, field in config.walk(node, prefix):
        if "<" in name or "[]" in name or any(name.startswith(s) for s in skip):
            continue
        out.append(Input(name, field, group))
    return out


def _principle_inputs() -> list[Input]:
    """The decision's premium principle: its name, then every option's parameters (those of
    the chosen name are read)."""
    node = documents.DECISION.node("principle")
    assert isinstance(node, config.OneOf)
    out = [Input("quote.decision.principle.name", next(iter(node.options.values())).field("name"), "pricing")]
    for option in node.options.values():
        out += [Input(f"quote.decision.principle.{f.key}", f, "pricing")
                for f in option.fields if isinstance(f, config.Field) and f.key != "name"]
    return out


def _applies(path: str) -> bool:
    """Whether a terms field applies to its section: sublimits on the components the section
    pays, waiting and indemnity periods on business interruption only."""
    parts = path.split(".")
    if len(parts) < 4 or parts[1] != "sections":
        return True
    section, key = parts[2], parts[3]
    if key == "sublimits":
        return parts[4] in terms_mod.section_components(section, True)
    return key not in ("waiting_period_days", "indemnity_period_days") or section == "business_interruption"


_QUOTE = config.Table("quote", tuple(f for f in documents.QUOTE.fields if f.key in ("years", "seed", "levels")))
_DECISION = config.Table("decision", tuple(f for f in documents.DECISION.fields if f.key != "principle"))

INPUTS: tuple[Input, ...] = (
    *_inputs(documents.ORGANISATION, "organisation"),
    *_inputs(_QUOTE, "simulation"),
    *(i for i in _inputs(documents.TERMS, "terms") if _applies(i.path)),
    *_inputs(documents.LOADS, "pricing", "quote"),
    *_principle_inputs(),
    *_inputs(_DECISION, "pricing", "quote"),
    *_inputs(documents.SIMULATION, "bcp", skip=("simulation.basis", "simulation.period")),
)
BY_PATH = {i.path: i for i in INPUTS}
GROUPS = ("organisation", "simulation", "terms", "pricing", "bcp")
PRINCIPLE_NAME = "quote.decision.principle.name"
#: The decision's premium principle when its name is left empty.
DEFAULT_PRINCIPLE: str = quote_mod.DecisionSettings.principle
#: The principle each parameter input belongs to.
PRINCIPLE_OF = {f"quote.decision.principle.{f.key}": name
                for name, option in documents.PRINCIPLE.options.items() for f in option.fields if f.key != "name"}
#: A section's 補償の有無 left empty (as a new page starts): covered, its placeholder's default.
INITIAL = {f"terms.sections.{s}.covered": "true" for s in ("response", "liability", "business_interruption")}


def japanese_choices() -> dict[str, dict[str, str]]:
    """Japanese labels of the industries and sizes (calibration data) and of the premium
    principles -> their keys."""
    cal = load_calibration().data
    return {"organisation.industry": {label: key for key, label in cal.industry_labels.items()},
            "organisation.size": {label: key for key, label in cal.size_labels.items()},
            PRINCIPLE_NAME: {language.PRINCIPLES_JA[key]: key for key in documents.PRINCIPLE_NAMES}}


def choice_labels(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The form's suggestions (value, description) of the industries, sizes and premium
    principles: on a Japanese page the Japanese label with the key, on an English one the key
    with the industry's or size's Japanese label (the survey's categories are Japanese)."""
    ja = lang == "ja"
    return {path: [(label, key) if ja else (key, "" if path == PRINCIPLE_NAME else label)
                   for label, key in labels.items()]
            for path, labels in japanese_choices().items()}


def shown_choice(path: str, key: str, lang: str) -> str:
    """A choice's key as the page's form shows it: its Japanese label on a Japanese page."""
    labels = {k: label for label, k in japanese_choices()[path].items()}
    return labels.get(key, key) if lang == "ja" else key


@dataclasses.dataclass
class Inputs:
    """What the page was given: the texts by path, the profile document built from them and
    the refusals, by path ("" for those that name no field): ``errors`` in the CLI's English,
    ``errors_ja`` the sentences ``--lang ja`` prints for those it can say in Japanese
    (:func:`japanese`)."""

    texts: dict[str, str]
    document: dict[str, Any]
    errors: dict[str, str]
    errors_ja: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def query(self) -> list[tuple[str, str]]:
        """The given texts, in form order: the query string of a shareable URL."""
        return [(i.path, self.texts[i.path]) for i in INPUTS if self.texts.get(i.path)]


def untouched(params: Mapping[str, str]) -> bool:
    """Whether ``params`` are a form nobody has filled in: no input given, or only those a new
    page starts with (``INITIAL``)."""
    return all(not str(v).strip() or INITIAL.get(p) == str(v).strip() for p, v in params.items() if p in BY_PATH)


def read(params: Mapping[str, str], run: str = "quote", checked: bool = True) -> Inputs:
    """The inputs among ``params`` (other keys are ignored) checked field by field, then, if
    each is acceptable, the whole document as ``cyberloss quote`` checks it, and as ``cyberloss
    bcp`` does too when the page runs the comparison (``run == "bcp"``); not at all unless
    ``checked`` (a form shown before it is submitted: an empty one would be refused for what
    it has not been given yet)."""
    texts = {path: str(value).strip() for path, value in params.items() if path in BY_PATH}
    errors: dict[str, str] = {}
    errors_ja: dict[str, str] = {}
    values: dict[str, Any] = {}
    for path, text in texts.items():
        if len(text) > MAX_VALUE_CHARS and checked:
            errors[path] = f"{path} must be at most {MAX_VALUE_CHARS} characters, got {len(text)}"
            errors_ja[path] = (f"{path}（{config.label_ja(path)}）には {MAX_VALUE_CHARS} 文字以内を指定する"
                               f"（入力: {len(text)} 文字）")
            continue
        if text == "":
            continue
        item = BY_PATH[path]
        values[path] = _value(item, text)
        if not checked:
            continue
        try:
            item.field.parse(values[path], path)
        except ValueError as exc:
            errors[path] = str(exc)
            said = japanese(exc)
            if said is not None:
                errors_ja[path] = said
    document = _document(values)
    if checked and not errors:
        for path, (english, said) in refusals(document, run).items():
            errors[path] = english
            if said is not None:
                errors_ja[path] = said
    return Inputs(texts, document, errors, errors_ja)


def japanese(exc: BaseException) -> str | None:
    """A refusal as ``cyberloss ... --lang ja`` says it (``_validate.InputError.japanese``), the
    profile it names left out as the English message leaves it out (the page is the profile);
    None for one with no Japanese (the CLI prints those in English too). A run too large for
    memory says so in Japanese as the CLI does (``_validate.OutOfMemory``, the core's
    ``language.MEMORY_ERRORS_JA``)."""
    if isinstance(exc, _validate.InJapaneseToo):
        return exc.japanese()
    if isinstance(exc, MemoryError):
        return language.memory_words(str(exc))
    if not isinstance(exc, _validate.InputError):
        return None
    inner = exc.replaced(context=tuple(c for c in exc.context if c[0] != "profile"))
    return inner.japanese(config.label_ja)


def _value(item: Input, text: str) -> Any:
    """A text typed into the field, as the profile TOML would hold it."""
    f = item.field
    if f.kind == "list":
        assert f.item is not None
        value: Any = [_scalar(f.item, t) for t in _LIST_SPLIT.split(text) if t]
    else:
        value = _scalar(f, text)
        value = japanese_choices().get(item.path, {}).get(value, value)
    return value


def _scalar(f: config.Field, text: str) -> Any:
    if f.kind == "bool":
        return {"true": True, "false": False}.get(text.lower(), text)
    if f.kind in NUMERIC_KINDS and _NUMBER.match(text):
        body = text.replace("_", "")
        number = float(body)
        if re.fullmatch(r"[+-]?[0-9]+", body):
            return int(body)
        return number
    return text


def _document(values: Mapping[str, Any]) -> dict[str, Any]:
    """The profile document of the given values (dotted paths -> nested tables)."""
    doc: dict[str, Any] = {}
    name = values.get("quote.decision.principle.name")
    for path, value in values.items():
        if path.startswith("quote.decision.principle."):
            continue
        table = doc
        *parents, key = path.split(".")
        for p in parents:
            table = table.setdefault(p, {})
        table[key] = value
    # every parameter given goes in, as in a file: one the principle does not take (or given
    # with no principle named) is refused, not left out of a run the page shows it in
    params = {p.rsplit(".", 1)[1]: v for p, v in values.items()
              if p.startswith("quote.decision.principle.") and p != PRINCIPLE_NAME}
    if params:
        doc.setdefault("quote", {}).setdefault("decision", {})["principle"] = (
            {"name": name, **params} if name is not None else params)
    elif name is not None:
        doc.setdefault("quote", {}).setdefault("decision", {})["principle"] = name
    return doc


def refusals(document: Mapping[str, Any], run: str = "quote") -> dict[str, tuple[str, str | None]]:
    """The refusals of the document by ``cyberloss quote``'s checks (and the memory a quote
    would need), and for ``run == "bcp"`` also ``cyberloss bcp``'s (the variants and the memory
    the comparison would need: a page that only quotes is not refused for it), keyed by the
    field they name, in English and in Japanese (:func:`japanese`; None for none)."""
    try:
        quote_mod.prepare_document(document, "profile")
    except MemoryError as exc:
        return {"quote.years": _memory_refusal("quote.years", exc)}
    except ValueError as exc:
        return _at_fields(exc)
    if run != "bcp":
        return {}
    try:
        bcp_mod.check_memory(bcp_mod.BcpPlan.from_document(document))
    except MemoryError as exc:
        return {"simulation.years": _memory_refusal("simulation.years", exc)}
    except ValueError as exc:
        return _at_fields(exc)
    return {}


def _memory_refusal(path: str, exc: MemoryError) -> tuple[str, str | None]:
    """A run too large for memory, refused at the field of its years: in Japanese named by the
    field, as the other refusals are (the message itself names none)."""
    said = japanese(exc)
    return str(exc), None if said is None else f"{path}（{config.label_ja(path)}）: {said}"


def _at_fields(exc: ValueError) -> dict[str, tuple[str, str | None]]:
    """A refusal (English, Japanese) keyed by the inputs it concerns: each of the fields a bound
    on several names by their keys (when each key is that of one input only), else the one
    ``field_of`` finds."""
    message = str(exc).removeprefix("profile: ")
    said = (message, japanese(exc))
    joint = _JOINT.match(message)
    if joint:
        keys = joint[1].split(" + ")
        paths = [[p for p in BY_PATH if p.rsplit(".", 1)[1] == k] for k in keys]
        if all(len(p) == 1 for p in paths):
            return {p[0]: said for p in paths}
    return {field_of(message): said}


def field_of(message: str) -> str:
    """The input a refusal names: the longest path it starts with, the field a "<table>: field
    'key' is required" refusal asks for or an "unknown field" refusal names, or "" for none (the
    page shows it with the form, not under a field it does not name)."""
    best = ""
    for path in BY_PATH:
        if (message.startswith(path + " ") or message.startswith(path + ":")
                or message.startswith(path + ".") or message.startswith(path + "[")) and len(path) > len(best):
            best = path
    key = _KEY.match(message)
    if not best and key:
        path = f"{key[1]}.{key[2] or key[3]}"
        return path if path in BY_PATH else ""
    return best


def defaults_for(texts: Mapping[str, str], unknown: str = "unknown") -> dict[str, str]:
    """The default each empty organisation field will take for the given industry and size
    (the data's value, ``unknown`` where the data has none), where those two are valid;
    otherwise none."""
    industry, size = texts.get("organisation.industry", ""), texts.get("organisation.size", "")
    choices = japanese_choices()
    industry = choices["organisation.industry"].get(industry, industry)
    size = choices["organisation.size"].get(size, size)
    try:
        profile = org_profile.OrganisationProfile(industry=industry, size=size)
    except ValueError:
        return {}
    out = {}
    for key in ("revenue", "gross_margin", "employees", "personal_records", "card_records", "ec_share",
                "labour_cost_month", "it_dependency"):
        value = getattr(profile, key)
        out[f"organisation.{key}"] = unknown if value is None else _shown(value, BY_PATH[f"organisation.{key}"].field)
    return out


def _shown(value: Any, f: config.Field) -> str:
    if f.kind == "amount" and isinstance(value, (int, float)) and math.isfinite(value):
        return money.format_yen(value)
    # The kinds that read "30%" as 0.3 are shown as percents: 0.99 is "99%", as the CLI names a level.
    if f.kind in config.types.PERCENT_KINDS and isinstance(value, (int, float)):
        return stats.level_label(value)
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value:,}" if isinstance(value, int) else str(value)
