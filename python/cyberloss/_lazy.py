"""Modules imported on first use.

pandas (with pyarrow, which pandas 3 loads when it is installed) takes about half a second to
import, more than a quote's whole computation, and ``cyberloss quote``'s text and JSON never
need it.  ``from .._lazy import pandas as pd`` gives a stand-in that imports pandas when one
of its attributes is first read; mypy sees pandas itself.
"""
from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any


class LazyModule(types.ModuleType):
    """A module imported when one of its attributes is first read; each attribute read is kept,
    so later reads cost what a module's do."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module(self.__name__), name)
        setattr(self, name, value)
        return value


if TYPE_CHECKING:
    import pandas as pandas
else:
    pandas = LazyModule("pandas")
