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
nesting deeper than ``MAX_DEPTH`` are refused with ValueError naming the document and the key.
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


def _refuse_constant(where: str):
    def refuse(name: str):
        raise ValueError(f"{where}: {name} is not a JSON number (JSON numbers are finite)")
    return refuse


def _finite_float(where: str):
    def parse(text: str) -> float:
        x = float(text)
        if not math.isfinite(x):
            raise ValueError(f"{where}: number {text[:40]} is too large for a float64")
        return x
    return parse


def _unique_keys(where: str):
    def build(pairs: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"{where}: duplicate key {key!r}")
            out[key] = value
        return out
    return build


def depth(obj: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists and mappings, without recursion (stops past ``limit``)."""
    deepest, stack = 0, [(obj, 0)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, d + 1)
        if deepest > limit:
            return deepest
        stack.extend((c, d + 1) for c in children)
    return deepest


def check_depth(obj: Any, where: str) -> Any:
    if depth(obj) > MAX_DEPTH:
        raise ValueError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    return obj


def loads(text: str, where: str) -> Any:
    """Parse strict JSON; errors name ``where`` (a file name or an option)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant(where),
                          parse_float=_finite_float(where), object_pairs_hook=_unique_keys(where))
    except RecursionError:
        raise ValueError(f"{where}: nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc})") from None
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: not valid JSON ({exc})") from None
    return check_depth(data, where)
