"""The schema language of cyberloss's inputs, and the one reader that checks a document.

A document (a TOML file, a JSON file, a CSV row, a dict from Python) is described by nodes:

* :class:`Field`: one value of a kind (``number``, ``amount`` in JPY, ``share`` in [0, 1],
  ``probability`` in (0, 1), ``integer``, ``count`` (>= 1), ``seed``, ``bool``, ``choice``,
  ``text``, ``list`` of a field), with its unit, default and where the default comes from,
  bounds, English help and Japanese label;
* :class:`Table`: named fields (unknown keys refused, required ones named); ``other`` gives
  the node of keys that are data (overrides by path, severities by attack type);
* :class:`ListOf`: a list of tables (``[[variants]]``, ``[[attack_type]]``);
* :class:`OneOf`: a table whose kind is chosen by a tag field (``distribution = "poisson"``).

:func:`check` validates a document against a node and returns it parsed (amount texts become
JPY floats, integers ints); every refusal is one line naming the dotted path and the value,
e.g. ``terms.sections.response.limit must be an amount in JPY > 0 (inf: unlimited), got 'x'``.
Defaults are not filled in here: the model fills them, because some depend on data (an
industry's gross margin); :func:`reference` lists every field with its default and source.
"""
from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Union

from .. import _validate
from . import labels, types

REQUIRED = types.REQUIRED


@dataclasses.dataclass(frozen=True)
class Field:
    """One value.  ``kind`` is one of ``types.KINDS``; ``label`` is a short English name (forms,
    tables; the key by default) beside ``help``; ``lo``/``hi`` (``lo_open``/``hi_open``:
    strictly), ``allow_inf`` and ``cap`` bound numbers; ``choices`` lists a choice's values
    (empty: the model checks them against its data, named by ``choices_from``); ``vocabulary``
    ("industries", "sizes", "attack_types") lets a choice be written as its Japanese label or in
    English of any case (:mod:`.labels`), and ``choices_ja`` (the Japanese names of ``choices``, in
    order) lets one be written by its Japanese name (公表事例, 累計, 期待値原理); ``item`` is the
    element of a ``list``; ``help_ja`` is ``help`` in Japanese (the fields of the web form have it)."""

    key: str
    kind: str
    help: str
    label_ja: str = ""
    unit: str = ""
    label: str = ""
    default: Any = REQUIRED
    default_from: str = ""
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    allow_inf: bool = False
    cap: float | None = None
    choices: tuple[str, ...] = ()
    choices_from: str = ""
    choices_ja: tuple[str, ...] = ()
    vocabulary: str = ""
    item: "Field | None" = None
    min_items: int = 0
    help_ja: str = ""

    def __post_init__(self) -> None:
        if self.kind not in types.KINDS:
            raise ValueError(f"field {self.key}: unknown kind {self.kind!r}")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def parse(self, value: Any, where: str | None = None) -> Any:
        """``value`` checked and converted; ValueError naming ``where`` (default the key)."""
        return types.parse(self, value, self.key if where is None else where)


@dataclasses.dataclass(frozen=True)
class Table:
    """Named fields.  ``noun`` names the keys in refusals ("field", "control", "contract");
    with ``japanese_keys`` a key may also be written as its node's Japanese label, NFKC and
    case aside (a policy's sections as 費用損害, 賠償責任, 利益損害; controls as EDR,
    オフラインバックアップ): tables whose keys name things a user picks, not fields."""

    key: str
    fields: tuple["Node", ...]
    help: str = ""
    label_ja: str = ""
    required: bool = False
    noun: str = "field"
    other: "Node | None" = None
    japanese_keys: bool = False

    def node(self, key: str) -> "Node":
        for f in self.fields:
            if f.key == key:
                return f
        if self.other is not None:
            return self.other
        raise KeyError(key)

    def field(self, key: str) -> Field:
        """The field called ``key`` (a table, list or tagged table is not a field)."""
        node = self.node(key)
        if not isinstance(node, Field):
            raise TypeError(f"{self.key}.{key} is not a field")
        return node

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def key_of(self, name: Any) -> Any:
        """The key ``name`` names: itself, or with ``japanese_keys`` the key whose node's
        Japanese label it is; anything else unchanged (for the caller to refuse)."""
        if not self.japanese_keys or not isinstance(name, str) or name in self.keys:
            return name
        by_label = {labels.normal(f.label_ja): f.key for f in self.fields if f.label_ja}
        return by_label.get(labels.normal(name), name)


@dataclasses.dataclass(frozen=True)
class ListOf:
    """A list of ``item`` (a table or a field), at least ``min_items`` long."""

    key: str
    item: "Node"
    help: str = ""
    label_ja: str = ""
    min_items: int = 0
    required: bool = False


@dataclasses.dataclass(frozen=True)
class OneOf:
    """A table whose ``tag`` field (e.g. ``distribution``) picks one of ``options``; with
    ``bare`` a plain text is read as the tag alone (``principle = "wang"``)."""

    key: str
    tag: str
    options: Mapping[str, Table]
    help: str = ""
    label_ja: str = ""
    required: bool = False
    bare: bool = False


Node = Union[Field, Table, "ListOf", "OneOf"]


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _table(value: Any, where: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise _validate.InputError(f"{where or 'the document'} must be a table, got {_validate.shown(value)}",
                                   _validate.Need("table"), where, value)
    return value


def check(value: Any, node: Node, where: str = "") -> Any:
    """``value`` validated against ``node`` and parsed; refusals name the dotted path."""
    if isinstance(node, Field):
        return node.parse(value, where or node.key)
    if isinstance(node, Table):
        return check_table(value, node, where)
    if isinstance(node, ListOf):
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            raise _validate.InputError(f"{where} must be a list, got {_validate.shown(value)}",
                                       _validate.Need("list"), where, value, label_ja=node.label_ja)
        if len(value) < node.min_items:
            raise _validate.InputError(f"{where} must list at least {node.min_items} item(s), got "
                                       f"{_validate.shown(list(value))}",
                                       _validate.Need("list_min", count=node.min_items), where, list(value),
                                       label_ja=node.label_ja)
        return [check(v, node.item, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(node, OneOf):
        if node.bare and isinstance(value, str):
            value = {node.tag: value}
        table = _table(value, where)
        if node.tag not in table:
            raise _validate.InputError(f"{where}: field {node.tag!r} is required (one of "
                                       f"{', '.join(node.options)}), got {_validate.shown(value)}",
                                       _validate.Need("missing_tag", key=node.tag, noun="field",
                                                      choices=tuple(node.options)), where, value)
        tag = table[node.tag]
        name = next(iter(node.options.values())).node(node.tag)
        if isinstance(tag, str) and isinstance(name, Field) and name.choices_ja:     # ワング変換 -> wang
            tag = labels.choice(name.choices, name.choices_ja, tag) or tag
            table = {**table, node.tag: tag}
            value = table
        if not isinstance(tag, str) or tag not in node.options:
            raise _validate.InputError(f"{_join(where, node.tag)} must be one of {', '.join(node.options)}, "
                                       f"got {_validate.shown(tag)}",
                                       _validate.Need("choice", choices=tuple(node.options), choices_ja=tuple(
                                           dict(zip(name.choices, name.choices_ja)).get(o, "") for o in node.options)
                                           if isinstance(name, Field) else ()),
                                       _join(where, node.tag), tag,
                                       label_ja=name.label_ja if isinstance(name, Field) else "")
        return check_table(value, node.options[tag], where)
    raise TypeError(f"not a schema node: {node!r}")


def check_table(value: Any, table: Table, where: str = "") -> dict[str, Any]:
    """The given keys of a table, each checked; unknown keys and missing required ones are
    refused by name.  Keys left out stay out (the model supplies their defaults)."""
    data = _table(value, where)
    if table.japanese_keys:
        keys = [table.key_of(k) for k in data]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            spellings = ', '.join(repr(k) for k in data if table.key_of(k) == twice[0])
            raise _validate.InputError(f"{where or 'the document'}: {table.noun} {twice[0]!r} is given more than "
                                       f"once (as {spellings})",
                                       _validate.Need("twice", key=twice[0], noun=table.noun, detail=spellings), where)
        data = dict(zip(keys, data.values()))
    for k in data:
        if k not in table.keys and table.other is None:
            raise _validate.InputError(f"{where or 'the document'}: unknown {table.noun} {k!r}; known: "
                                       f"{', '.join(table.keys)}",
                                       _validate.Need("unknown", key=str(k), noun=table.noun, choices=table.keys),
                                       where, label_ja=table.label_ja)
    for f in table.fields:
        if getattr(f, "required", False) and f.key not in data:
            label = f"（{f.label_ja}）" if f.label_ja else ""
            raise _validate.InputError(f"{where or 'the document'}: {table.noun} {f.key!r} is required",
                                       _validate.Need("missing", key=f.key, noun=table.noun, detail=label),
                                       where, label_ja=table.label_ja)
    return {k: check(v, table.node(k), _join(where, k)) for k, v in data.items()}


def column_names(table: Table) -> dict[str, str]:
    """Header -> column key for a CSV whose columns are ``table``'s fields: each key and its
    Japanese label (``policy_id`` or ``証券番号``), as spreadsheets from either language name them."""
    names = {f.key: f.key for f in table.fields}
    names.update({f.label_ja: f.key for f in table.fields if isinstance(f, Field) and f.label_ja})
    return names


def _at(place: str) -> tuple[tuple[str, str], ...]:
    return ((place, _validate.in_japanese(place)),)


def column_keys(table: Table, headers: list[str], what: str) -> list[str]:
    """The column key each header names (:func:`column_names`; headers stripped and read
    NFKC-normalised, as cells are: ``１事故支払限度額``, ``ｐｏｌｉｃｙ＿ｉｄ``).  A header
    naming no column, a column named twice (by its key and its Japanese label, say) and a
    missing required column are refused, naming ``what``: "portfolio has column(s)
    ['policy_id'] more than once (headers ['policy_id', '証券番号'])"."""
    names = {unicodedata.normalize("NFKC", n): k for n, k in column_names(table).items()}
    read = [unicodedata.normalize("NFKC", h).strip() for h in headers]
    keys = list(table.keys)
    unknown = [h for h, r in zip(headers, read) if r not in names]     # as written
    if unknown:
        raise _validate.InputError(f"{what} has unknown column(s) {unknown}; known: {keys} or their "
                                   f"Japanese names {[n for n in names if n not in keys]}",
                                   _validate.Need("unknown_columns", key=", ".join(map(repr, unknown)),
                                                  choices=tuple(keys)), context=_at(what))
    columns = [names[r] for r in read]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        given = [h for h, c in zip(headers, columns) if c in twice]
        raise _validate.InputError(f"{what} has column(s) {twice} more than once (headers {given})",
                                   _validate.Need("twice_columns", key=", ".join(map(repr, twice)),
                                                  detail=", ".join(map(repr, given))), context=_at(what))
    required = [f.key for f in table.fields if isinstance(f, Field) and f.required]
    missing = [c for c in required if c not in columns]
    if missing:
        raise _validate.InputError(f"{what} is missing column(s) {missing}; required: {required}, "
                                   f"optional: {[k for k in keys if k not in required]}",
                                   _validate.Need("missing_columns", key=", ".join(map(repr, missing)),
                                                  choices=tuple(required)), context=_at(what))
    return columns


def walk(node: Node, prefix: str = ""):
    """Every field under ``node`` as (dotted name, Field, its enclosing node), depth first;
    ``[]`` marks list items and ``<key>`` data keys."""
    name = _join(prefix, node.key) if node.key else prefix
    if isinstance(node, Field):
        yield name, node
    elif isinstance(node, Table):
        for f in node.fields:
            yield from walk(f, name)
        if node.other is not None:
            yield from walk(dataclasses.replace(node.other, key=f"<{node.noun}>"), name)
    elif isinstance(node, ListOf):
        yield from walk(dataclasses.replace(node.item, key="[]"), name)
    elif isinstance(node, OneOf):
        for tag, option in node.options.items():
            yield from walk(dataclasses.replace(option, key=f"<{node.tag}={tag}>"), name)


def reference(node: Node) -> list[dict[str, Any]]:
    """One row per field under ``node``: dotted name, kind, unit, bounds, default and its
    source, choices, English help and Japanese label (the source of the field reference)."""
    rows = []
    for name, f in walk(node):
        rows.append({
            "field": name.replace(".[]", "[]"),
            "kind": f.kind if f.item is None else f"list of {f.item.kind}",
            "unit": f.unit,
            "bounds": types.describe_bounds(f),
            "default": "required" if f.required else types.show_default(f.default),
            "default_from": f.default_from,
            "choices": ", ".join(f"{c} ({ja})" if ja else c for c, ja in
                                 zip(f.choices, f.choices_ja or ("",) * len(f.choices))) or f.choices_from,
            "label": f.label or f.key,
            "help": f.help,
            "label_ja": f.label_ja,
        })
    return rows


def defaults(table: Table) -> dict[str, Any]:
    """The fields of ``table`` with a fixed default (not REQUIRED, not data-dependent None)."""
    return {f.key: f.default for f in table.fields
            if isinstance(f, Field) and not f.required and not (f.default is None and f.default_from)
            and not (isinstance(f.default, float) and math.isnan(f.default))}


def label_of(path: str, *nodes: Node) -> str:
    """The Japanese label of the field, table or list at the dotted ``path`` of a document
    ("organisation.employees", "terms.sections.response.limit", "attack_type[0].frequency.rate")
    in the first of ``nodes`` (documents' roots) that has one; "" for none.  For refusals raised
    by a model's own checks, which do not know the field they check."""
    parts = re.sub(r"\[\d+\]", ".[]", path).split(".")
    for node in nodes:
        if node.key:
            if parts[0] != node.key:
                continue
            found = _label_at(node, parts[1:])
        else:
            found = _label_at(node, parts)
        if found:
            return found
    return ""


def _label_at(node: Node, parts: list[str]) -> str:
    if not parts:
        return node.label_ja
    head, rest = parts[0], parts[1:]
    if isinstance(node, Table):
        key = node.key_of(head)
        if key in node.keys or node.other is not None:
            return _label_at(node.node(key), rest)
    elif isinstance(node, ListOf) and head == "[]":
        return _label_at(node.item, rest) or (node.label_ja if not rest else "")
    elif isinstance(node, OneOf):
        return next((found for option in node.options.values() if (found := _label_at(option, parts))), "")
    elif isinstance(node, Field) and node.item is not None and head == "[]" and not rest:
        return node.item.label_ja or node.label_ja
    return ""
