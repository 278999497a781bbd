"""Every public name of ``cyberloss`` and every public method and property of its classes has a
docstring (the API reference is generated from them)."""
from __future__ import annotations

import inspect

import cyberloss as cl


def _undocumented() -> list[str]:
    missing = []
    for name in cl.__all__:
        obj = getattr(cl, name)
        if inspect.ismodule(obj) or isinstance(obj, str):
            if inspect.ismodule(obj) and not inspect.getdoc(obj):
                missing.append(name)
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if not inspect.isclass(obj):
            continue
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            member = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if (callable(member) or isinstance(value, property)) and not (getattr(member, "__doc__", "") or "").strip():
                missing.append(f"{name}.{attr}")
    return missing


def test_public_api_has_docstrings():
    assert _undocumented() == []
