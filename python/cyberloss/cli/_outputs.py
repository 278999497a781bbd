"""The files a command writes, checked before anything runs: the extras that write them
installed (found without importing them), the extension one the format has and the folder one
that takes files.  A missing library or font is so named in one line before the simulation,
not after it."""
from __future__ import annotations

from pathlib import Path

from .. import _extras, _files
from ..report import excel

PLOT_FORMATS = (".png", ".svg", ".pdf")
HTML_FORMATS = (".html", ".htm")

# What writing each kind of file needs: the modules (cyberloss._extras.EXTRA_OF) with what
# they are for (in English and Japanese), in the order checked, and the extensions. An HTML
# report draws plots.
PLOTS = (("matplotlib", "matplotlib_fontja"), "plots", "図")
NEEDS = {
    "plot": ((PLOTS,), PLOT_FORMATS),
    "html": ((PLOTS, (("jinja2",), "the HTML report", "HTML のレポート")), HTML_FORMATS),
    "xlsx": (((("openpyxl",), "Excel workbooks", "Excel のブック"),), excel.FORMATS),
}


def check(path: str | Path | None, option: str, kind: str) -> Path | None:
    """``path`` given by ``option`` checked for writing a ``kind`` file ("plot", "html" or
    "xlsx"); None when the output was not asked for."""
    if path is None:
        return None
    needs, formats = NEEDS[kind]
    for modules, purpose, purpose_ja in needs:
        _extras.require_installed(modules, f"{option} ({purpose})", f"引数 {option}（{purpose_ja}）")
    return _files.check(Path(path), option, formats)
