"""A profile document written as TOML (the download that ``cyberloss quote`` reads back).

Only what a profile holds: tables of texts, booleans, numbers and lists of them.  Texts are
written as TOML basic strings (JSON's escapes are TOML's), floats with ``repr`` (exact round
trip), infinity as ``inf``.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise ValueError(f"cannot write {v!r} as TOML")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k)


def dumps(doc: Mapping[str, Any], header: str = "") -> str:
    lines = [f"# {line}" for line in header.splitlines()]

    def table(name: str, data: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in data.items() if isinstance(v, Mapping)]
        if name and (scalars or not tables):
            lines.append("")
            lines.append(f"[{name}]")
        lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars)
        for k, v in tables:
            table(f"{name}.{_key(k)}" if name else _key(k), v)

    table("", doc)
    return "\n".join(lines).lstrip("\n") + "\n"
