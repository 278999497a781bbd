"""Strict JSON, in and out, for every command and file of the package.

Output (``dumps``): every number is finite, so any strict parser reads it.  A field whose
value is not a finite number is written ``null``:

* for limits and capacities (``limit``, ``aggregate_limit``, ``occurrence_limit``,
  ``annual_capacity``, ``indemnity_period_days``, ``reinstatements`` and the entries of
  ``sublimits``) ``null`` means unlimited;
* for anything else (a statistic such as ``mean`` or ``std``) ``null`` means the value is not
  finite, and the document's top-level ``"warnings"`` list names the field, e.g.
  ``"std: not a finite number (inf); written as null"``.

NumPy scalars and arrays become plain numbers and lists; tuples become lists.

Input (``loads``): ``NaN``, ``Infinity``, numbers that overflow to infinity, duplicate keys and
nesting deeper than ``MAX_DEPTH`` are refused with ValueError (:class:`Refusal`, which carries
the parts of its Japanese for the file readers of ``config``) naming the document and the key.
"""
from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

MAX_DEPTH = 64
UNLIMITED_KEYS = frozenset({"limit", "aggregate_limit", "occurrence_limit", "annual_capacity",
                            "indemnity_period_days", "reinstatements"})


def _field(path: str, key: Any) -> str:
    key = str(key)
    return key if not path else f"{path}.{key}"


def _unlimited(path: str) -> bool:
    parts = path.replace("[", ".[").split(".")
    leaf = parts[-1]
    return leaf in UNLIMITED_KEYS or (len(parts) > 1 and parts[-2] == "sublimits")


def plain(obj: Any, warnings: list[str] | None = None, path: str = "") -> Any:
    """A copy of ``obj`` made of JSON types only; non-finite numbers become None (see module
    docstring), with a line in ``warnings`` for each one that is not an unlimited amount."""
    if isinstance(obj, dict):
        return {str(k): plain(v, warnings, _field(path, k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v, warnings, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist(), warnings, path)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if math.isfinite(x):
            return x
        if not (x == math.inf and _unlimited(path)) and warnings is not None:
            warnings.append(f"{path or 'value'}: not a finite number ({x}); written as null")
        return None
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"{path or 'value'}: {type(obj).__name__} is not JSON data")


def document(obj: dict) -> dict:
    """``obj`` as plain JSON data with its ``"warnings"`` list (existing entries kept)."""
    warnings: list[str] = list(obj.get("warnings", []))
    out = plain({k: v for k, v in obj.items() if k != "warnings"}, warnings)
    out["warnings"] = warnings
    return out


def dumps(obj: Any, indent: int | None = 2) -> str:
    """Strict JSON text (UTF-8 characters kept); a dict gets its ``"warnings"`` list."""
    data = document(obj) if isinstance(obj, dict) else plain(obj)
    return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)


class _NotFinite:
    """Stands for NaN, Infinity or an overflowing number while parsing, so that the refusal
    can name where in the document it was written."""

    def __init__(self, text: str):
        self.text = text


def _finite_float(text: str) -> float | _NotFinite:
    x = float(text)
    return x if math.isfinite(x) else _NotFinite(text[:40])


class Refusal(ValueError):
    """A refusal of a JSON document: ``str()`` the English naming the document, ``kind`` and
    ``parts`` the fields of the ``_validate.Need`` that says it in Japanese."""

    def __init__(self, english: str, kind: str, **parts: Any):
        super().__init__(english)
        self.kind, self.parts = kind, parts


#: The json module's words (``JSONDecodeError.msg``) in Japanese; any other is shown as it is.
_SYNTAX_JA = {"Expecting value": "値がない", "Expecting property name enclosed in double quotes":
              "二重引用符で囲んだキーがない", "Expecting ',' delimiter": "区切りの ',' がない",
              "Expecting ':' delimiter": "区切りの ':' がない", "Unterminated string starting at":
              "文字列が閉じられていない", "Extra data": "値の後に余分なデータがある",
              "Invalid control character at": "文字列の中に制御文字がある", "Invalid \\escape": "無効なエスケープ"}


def _unique_keys(where: str):
    def build(pairs: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in pairs:
            if key in out:
                raise Refusal(f"{where}: duplicate key {key!r}", "duplicate_key", key=key)
            out[key] = value
        return out
    return build


def too_deep(obj: Any, limit: int = MAX_DEPTH) -> str | None:
    """The dotted path of a value nested more than ``limit`` lists or tables deep, else None
    (walked without recursion)."""
    return _walk(obj, limit)[0]


def _walk(obj: Any, limit: int) -> tuple[str | None, tuple[str, str] | None]:
    """(path nested too deep, (path, text) of the first non-finite number), each or None."""
    stack, deep, bad = [(obj, 0, "")], None, None
    while stack:
        node, d, path = stack.pop()
        if isinstance(node, _NotFinite):
            bad = bad or (path or "the document", node.text)
            continue
        if isinstance(node, dict):
            children = [(v, _field(path, k)) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        if d + 1 > limit:
            return path or "the document", bad
        stack.extend((c, d + 1, p) for c, p in children)
    return deep, bad


def check_depth(obj: Any, where: str) -> Any:
    path = too_deep(obj)
    if path is not None:
        raise Refusal(f"{where}: {path} is nested more than {MAX_DEPTH} levels deep", "too_deep",
                      count=MAX_DEPTH, detail=path)
    return obj


def line(text: str, number: int) -> str:
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        return ""
    line = lines[number - 1].strip()
    return line if len(line) <= 80 else line[:77] + "..."


def deep_place(text: str) -> str:
    """Where brackets and braces first open more than MAX_DEPTH levels: "line L: <the text
    before it>" (strings are skipped roughly: enough to point at the key)."""
    depth, quote = 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        for column, ch in enumerate(line):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    start = max(0, column - MAX_DEPTH - 120)
                    return f"line {number}: {'...' if start else ''}{line[start:column + 1]}"
            elif ch in "]}":
                depth -= 1
    return "an unknown line"


def loads(text: str, where: str) -> Any:
    """Parse strict JSON; errors name ``where`` (a file name or an option)."""
    try:
        data = json.loads(text, parse_constant=_NotFinite, parse_float=_finite_float,
                          object_pairs_hook=_unique_keys(where))
    except RecursionError:
        place = deep_place(text)
        raise Refusal(f"{where}: nested more than {MAX_DEPTH} levels deep at {place}", "too_deep",
                      count=MAX_DEPTH, detail=place) from None
    except json.JSONDecodeError as exc:
        detail = f"{exc.lineno} 行 {exc.colno} 列目: {_SYNTAX_JA.get(exc.msg, exc.msg)}"
        raise Refusal(f"{where}: not valid JSON ({exc})", "syntax", noun="JSON", detail=detail) from None
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise Refusal(f"{where}: not valid JSON ({exc})", "syntax", noun="JSON", detail=str(exc)) from None
    deep, bad = _walk(data, MAX_DEPTH)
    if deep is not None:
        raise Refusal(f"{where}: {deep} is nested more than {MAX_DEPTH} levels deep", "too_deep",
                      count=MAX_DEPTH, detail=deep)
    if bad is not None:
        raise Refusal(f"{where}: {bad[0]} is {bad[1]}, not a finite JSON number", "not_finite",
                      key=bad[0], detail=bad[1])
    return data
