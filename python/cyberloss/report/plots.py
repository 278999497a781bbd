"""Plots: one set-up (IPAex Gothic from matplotlib-fontja, the Agg backend without a display)
used by every figure of the package, and money axes in 万円 / 億円.

matplotlib is an optional extra (``cyberloss[plot]``): it is imported when a plot is asked for,
never at import, and a missing one is named in one line (``_extras.require``).
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .._extras import MissingExtra, require
from . import language
from .money import MAN, OKU, format_yen

#: The font of every plot: IPAex Gothic, shipped on PyPI by matplotlib-fontja (so it is the
#: same on Linux, macOS, Windows and in notebooks), with DejaVu Sans behind it for Latin text.
FONT_PACKAGE = "matplotlib_fontja"
FALLBACK_FONT = "DejaVu Sans"
#: What a plot draws for a character none of its fonts has (IPAex Gothic has it).
MISSING_GLYPH = "□"
PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__))


class MissingGlyphWarning(UserWarning):
    """A plot's text holds characters none of the plot's fonts can draw (e.g. 𠮷, emoji)."""


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
    """Register IPAex Gothic with matplotlib (once) and return its name.  Called by every plot
    of the package when it draws (not at import); matplotlib's settings are left as they are."""
    require("matplotlib", "plotting", "図の描画")
    from matplotlib import font_manager

    path = font_file()
    name = font_manager.FontProperties(fname=str(path)).get_name()
    if str(path) not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return name


def font_family() -> list[str]:
    """The fonts of the package's text, in order: IPAex Gothic, then matplotlib's own DejaVu
    Sans for what IPAex Gothic lacks."""
    return [use_japanese_font(), FALLBACK_FONT]


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The package's settings while one of its figures is drawn (``matplotlib.rc_context``:
    a notebook user's own settings are back afterwards).  Every plot function of the package
    runs inside it and ends with :func:`finish`."""
    matplotlib = require("matplotlib", "plotting", "図の描画")
    with matplotlib.rc_context({"font.family": font_family()}):
        yield


def finish(*artists) -> None:
    """Give every text of ``artists`` (the axes or figures a plot drew) the package's fonts,
    the axes' tick labels included: texts made before the plot (the labels of a given axes)
    and tick labels made when the figure is drawn later (they copy the first tick's font)
    would otherwise take the user's settings, which may lack Japanese.

    A character none of the fonts has is drawn as □ and named in one
    :class:`MissingGlyphWarning` (matplotlib would warn about it twice a drawing, in raw
    lines with its source paths)."""
    require("matplotlib", "plotting", "図の描画")
    from matplotlib.text import Text

    family = font_family()
    drawable = _drawable(tuple(family))
    missing: dict[str, None] = {}
    for artist in artists:
        for t in artist.findobj(Text):
            t.set_fontfamily(family)
            text = t.get_text()
            lost = [ch for ch in text if ord(ch) not in drawable and ch.isprintable() and not ch.isspace()]
            if lost:
                missing.update(dict.fromkeys(lost))
                t.set_text("".join(MISSING_GLYPH if ch in lost else ch for ch in text))
    if missing:
        chars = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
        warnings.warn(f"the plot's fonts ({', '.join(family)}) cannot draw {chars}: drawn as {MISSING_GLYPH}",
                      MissingGlyphWarning, stacklevel=_caller_level())


@functools.lru_cache(maxsize=None)
def _drawable(family: tuple[str, ...]) -> frozenset[int]:
    """The characters (code points) one of the fonts of ``family`` has a glyph for."""
    require("matplotlib", "plotting", "図の描画")
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    codes: set[int] = set()
    for name in family:
        path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        codes.update(FT2Font(path).get_charmap())
    return frozenset(codes)


def _caller_level() -> int:
    """The ``stacklevel`` of the first caller outside the package (a notebook's cell, a
    script's line): a warning names the line that made the plot."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def pyplot():
    """matplotlib.pyplot with the Agg backend when no display is set."""
    matplotlib = require("matplotlib", "plotting", "図の描画")
    if not os.environ.get("DISPLAY") and "ipykernel" not in matplotlib.get_backend():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def axes(ax=None, figsize: tuple[float, float] = (7, 4.5)):
    """``ax``, or the axes of a new figure (called inside :func:`style`)."""
    if ax is not None:
        return ax
    plt = pyplot()
    _, ax = plt.subplots(figsize=figsize)
    return ax


def yen_axis(ax, axis: str = "y", oku: bool | None = None) -> None:
    """Label the ``axis`` of ``ax`` in 万円 or 億円 (億円 when the data reach 1億円, unless ``oku``
    says which)."""
    require("matplotlib", "plotting", "図の描画")
    from matplotlib.ticker import FuncFormatter

    lo, hi = (ax.get_ylim() if axis == "y" else ax.get_xlim())
    use_oku = max(abs(lo), abs(hi)) >= OKU if oku is None else oku
    scale, label = (OKU, "億円") if use_oku else (MAN, "万円")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v / scale:,.{2 if use_oku else 0}f}"))
    current = (ax.get_ylabel() if axis == "y" else ax.get_xlabel()) or "loss"
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(f"{current} ({label})")


def yen_log_axis(ax, axis: str = "y") -> None:
    """Label the ticks of the log-scale money ``axis`` of ``ax`` with their amounts ("1万円",
    "100万円", "1億円": the axis spans orders of magnitude, so each tick carries its unit)."""
    require("matplotlib", "plotting", "図の描画")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: log_tick_label(v)))
    target.set_minor_formatter(NullFormatter())


def log_tick_label(amount: float) -> str:
    """A round amount of a log axis, short ("5,000円", "1万円", "300万円", "10億円")."""
    for scale, unit in ((OKU, "億円"), (MAN, "万円")):
        if abs(amount) >= scale:
            return f"{amount / scale:,.4g}{unit}"
    return f"{amount:,.4g}円"


def ep_plot(curves: Mapping[str, Any], title: str = "", ax=None, n_years: int | None = None,
            lang: str | None = None):
    """Exceedance-probability curves on a log return-period axis, money in 万円 / 億円.

    ``curves`` maps a label ("gross AEP", "insured OEP", ...) to ``(return_periods, losses)``;
    labels ending in "OEP" are dashed.  The axes' words in ``lang`` ("ja" or "en"; None: the
    locale's).  Returns the axes."""
    t = language.plot_words(lang)
    with style():
        ax = axes(ax)
        _draw_ep(ax, curves, title, n_years, t)
        finish(ax)
    return ax


def _draw_ep(ax, curves: Mapping[str, Any], title: str, n_years: int | None, t) -> None:
    for i, (label, (periods, losses)) in enumerate(curves.items()):
        line = "--" if label.endswith("OEP") else "-"
        ax.plot(periods, losses, line, color=f"C{i // 2 if len(curves) > 2 else i}", label=label)
    ax.set_xscale("log")
    ax.set_xlabel(t("return period (years, log scale)"))
    ax.set_ylabel(t("loss"))
    yen_axis(ax, "y")
    if title:
        ax.set_title(title)
    if n_years:
        ax.text(0.99, 0.01, t("{n} simulated years", n=f"{n_years:,}"), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color="0.4")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()


def tick_labels(values: Sequence[float]) -> list[str]:
    """Amounts as short tick labels, without trailing zeros so that a grid's labels read alike
    ("0万円", "50万円", "3,000万円", "1億円", "1.5億円"; format_yen gives "50.0万円", "1.00億円")."""
    return [re.sub(r"\.?0+(?=[万億])", "", s) if "." in s else s for s in map(format_yen, values)]
