"""Optional dependencies: ``pip install cyberloss`` brings only NumPy and pandas; the extras of
pyproject.toml bring the rest. A feature that needs one imports it through :func:`require`,
which, when it is missing, raises :class:`MissingExtra` naming the extra to install (the CLI
prints it as its one-line error, exit status 2)."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from types import ModuleType

# Top-level module -> the extra that installs it (pyproject.toml, [project.optional-dependencies]).
EXTRA_OF = {
    "matplotlib": "plot",
    "matplotlib_fontja": "plot",
    "pyarrow": "parquet",
    "dask": "dask",
    "distributed": "dask",
    "cryptography": "dask",
    "openpyxl": "excel",
    "jinja2": "report",
    "tqdm": "report",
    "starlette": "web",
    "uvicorn": "web",
    "multipart": "web",
}


class MissingExtra(ImportError):
    """An optional dependency is not installed; ``extra`` names what to install, and
    :meth:`japanese` says so in Japanese (``feature_ja``: the feature's Japanese name, by
    default ``feature`` as it is: an option, a command)."""

    def __init__(self, module: str, feature: str, feature_ja: str | None = None):
        self.extra = EXTRA_OF[module]
        self.feature_ja = feature if feature_ja is None else feature_ja
        super().__init__(f"{feature} needs {module}, which is not installed: "
                         f"pip install 'cyberloss[{self.extra}]'", name=module)

    def japanese(self, label_of=None) -> str:
        space = " " if self.feature_ja[-1:].isascii() else ""
        return (f"{self.feature_ja}{space}には {self.name} が必要だが、インストールされていない: "
                f"pip install 'cyberloss[{self.extra}]'")


def require(module: str, feature: str, feature_ja: str | None = None) -> ModuleType:
    """``import module`` for ``feature`` (e.g. "plotting"; ``feature_ja``: its Japanese name), or
    MissingExtra if its extra is not installed. A module of the extra that is present but
    broken fails as itself."""
    top = module.partition(".")[0]
    if top not in EXTRA_OF:
        raise ValueError(f"{module!r} is not a module of any cyberloss extra")
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing in EXTRA_OF:
            raise MissingExtra(missing, feature, feature_ja) from None
        raise


def require_installed(modules: Iterable[str], feature: str, feature_ja: str | None = None) -> None:
    """MissingExtra for ``feature`` if one of the top-level ``modules`` is not installed, found
    without importing them: the check a command makes before a long run (importing
    matplotlib_fontja would change matplotlib's settings)."""
    for module in modules:
        if module not in EXTRA_OF:
            raise ValueError(f"{module!r} is not a module of any cyberloss extra")
        if sys.modules.get(module) is not None:
            continue
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise MissingExtra(module, feature, feature_ja)
