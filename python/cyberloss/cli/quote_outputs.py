"""The EP curve plot and the HTML report of a quote, written by ``quote`` (``--plot``,
``--html``) and ``demo`` (into ``--out``)."""
from __future__ import annotations

from pathlib import Path

from .. import _files
from ..report import plots
from . import _outputs
from ._outputs import PLOT_FORMATS


def check_outputs(plot: Path | None, html_path: Path | None, plot_option: str = "--plot",
                  html_option: str = "--html") -> None:
    """Refuse, before the simulation, unwritable or wrongly named output paths and a plot or
    report whose extras (plot: matplotlib and its Japanese font; report) are not installed."""
    _outputs.check(plot, plot_option, "plot")
    _outputs.check(html_path, html_option, "html")


def write_outputs(quote, plot: Path | None, html_path: Path | None, plot_option: str = "--plot",
                  html_option: str = "--html", lang: str = "en") -> None:
    """Write the EP curve plot and/or the HTML report atomically (Agg backend without a
    display); the plot's format follows its extension."""
    if plot is None and html_path is None:
        return
    plt = plots.pyplot()
    if plot is not None:
        fmt = _files.suffix(plot, plot_option, PLOT_FORMATS)[1:]
        ax = quote.plot_ep(lang=lang)
        try:
            _files.write(plot, plot_option,
                          lambda fh: ax.figure.savefig(fh, format=fmt, dpi=120, bbox_inches="tight"))
        finally:
            plt.close(ax.figure)
    if html_path is not None:
        _files.write_text(html_path, html_option, quote.to_html(lang))
