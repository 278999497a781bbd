"""Plots: one set-up (IPAex Gothic from matplotlib-fontja, the Agg backend without a display)
used by every figure of the package, and money axes in 万円 / 億円.

matplotlib is an optional extra (``cyberloss[plot]``): it is imported when a plot is asked for,
never at import, and a missing one is named in one line (``_extras.require``).
"""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._extras import MissingExtra, require
from .money import MAN, OKU, format_yen

#: The font of every plot: IPAex Gothic, shipped on PyPI by matplotlib-fontja (so it is the
#: same on Linux, macOS, Windows and in notebooks), with DejaVu Sans behind it for Latin text.
FONT_PACKAGE = "matplotlib_fontja"


def font_file() -> Path:
    """The IPAex Gothic file inside the matplotlib-fontja package (found without importing it:
    importing it changes matplotlib's settings)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or spec.origin is None:
        raise MissingExtra(FONT_PACKAGE, "Japanese text in plots")
    found = sorted(Path(spec.origin).parent.rglob("*.ttf"))
    if not found:
        raise ValueError(f"the {FONT_PACKAGE} package holds no .ttf font file")
    return found[0]


def use_japanese_font() -> str:
    """Register IPAex Gothic with matplotlib and put it first among its sans-serif fonts;
    returns its name.  Called by every plot of the package when it first draws (not at import),
    so figures from the CLI, the Python API and notebooks show Japanese alike."""
    require("matplotlib", "plotting")
    from matplotlib import font_manager, rcParams

    path = font_file()
    name = font_manager.FontProperties(fname=str(path)).get_name()
    if str(path) not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    if rcParams["font.family"] != ["sans-serif"] or rcParams["font.sans-serif"][:1] != [name]:
        rcParams["font.family"] = ["sans-serif"]
        rcParams["font.sans-serif"] = [name, *(f for f in rcParams["font.sans-serif"] if f != name)]
    return name


def pyplot():
    """matplotlib.pyplot with the Agg backend when no display is set, and a Japanese font."""
    matplotlib = require("matplotlib", "plotting")
    if not os.environ.get("DISPLAY") and "ipykernel" not in matplotlib.get_backend():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_japanese_font()
    return plt


def axes(ax=None, figsize: tuple[float, float] = (7, 4.5)):
    """``ax``, or the axes of a new figure (with the package's set-up either way)."""
    if ax is not None:
        use_japanese_font()
        return ax
    plt = pyplot()
    _, ax = plt.subplots(figsize=figsize)
    return ax


def yen_axis(ax, axis: str = "y", oku: bool | None = None) -> None:
    """Label the ``axis`` of ``ax`` in 万円 or 億円 (億円 when the data reach 1億円, unless ``oku``
    says which)."""
    require("matplotlib", "plotting")
    from matplotlib.ticker import FuncFormatter

    lo, hi = (ax.get_ylim() if axis == "y" else ax.get_xlim())
    use_oku = max(abs(lo), abs(hi)) >= OKU if oku is None else oku
    scale, label = (OKU, "億円") if use_oku else (MAN, "万円")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v / scale:,.{2 if use_oku else 0}f}"))
    current = (ax.get_ylabel() if axis == "y" else ax.get_xlabel()) or "loss"
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(f"{current} ({label})")


def ep_plot(curves: Mapping[str, Any], title: str = "", ax=None, n_years: int | None = None):
    """Exceedance-probability curves on a log return-period axis, money in 万円 / 億円.

    ``curves`` maps a label ("gross AEP", "insured OEP", ...) to ``(return_periods, losses)``;
    labels ending in "OEP" are dashed.  Returns the axes."""
    ax = axes(ax)
    for i, (label, (periods, losses)) in enumerate(curves.items()):
        style = "--" if label.endswith("OEP") else "-"
        ax.plot(periods, losses, style, color=f"C{i // 2 if len(curves) > 2 else i}", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("return period (years, log scale)")
    ax.set_ylabel("loss")
    yen_axis(ax, "y")
    if title:
        ax.set_title(title)
    if n_years:
        ax.text(0.99, 0.01, f"{n_years:,} simulated years", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color="0.4")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def tick_labels(values: Sequence[float]) -> list[str]:
    """Amounts as short tick labels ("3,000万円", "1.00億円")."""
    return [format_yen(v) for v in values]
