"""Plots: one set-up (a Japanese-capable font, the Agg backend without a display) used by every
figure of the package, and money axes in 万円 / 億円.

matplotlib is an optional extra (``cyberloss[plot]``): it is imported when a plot is asked for,
never at import, and a missing one is named in one line (``_extras.require``).
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._extras import require
from .money import MAN, OKU, format_yen

# Debian's fonts-ipaexfont-gothic (installed by `make`); other common locations as fallbacks.
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def use_japanese_font() -> str | None:
    """Register and select a font with Japanese glyphs; returns its name, or None if none found."""
    require("matplotlib", "plotting")
    from matplotlib import font_manager, rcParams

    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            font_manager.fontManager.addfont(candidate)
            name = font_manager.FontProperties(fname=candidate).get_name()
            if rcParams["font.sans-serif"][:1] != [name]:
                rcParams["font.family"] = ["sans-serif"]
                rcParams["font.sans-serif"] = [name, *rcParams["font.sans-serif"]]
            return name
    return None


def pyplot():
    """matplotlib.pyplot with the Agg backend when no display is set, and a Japanese font."""
    matplotlib = require("matplotlib", "plotting")
    if not os.environ.get("DISPLAY") and "ipykernel" not in matplotlib.get_backend():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_japanese_font()
    return plt


def axes(ax=None, figsize: tuple[float, float] = (7, 4.5)):
    """``ax``, or the axes of a new figure (with the package's set-up)."""
    if ax is not None:
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
