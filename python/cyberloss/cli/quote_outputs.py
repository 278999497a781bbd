"""The EP curve plot and the HTML report of a quote, written by ``quote`` (``--plot``,
``--html``) and ``demo`` (into ``--out``)."""
from __future__ import annotations

from pathlib import Path

from .. import _extras, _files
from ..report import plots

PLOT_FORMATS = (".png", ".svg", ".pdf")
HTML_FORMATS = (".html", ".htm")


def check_outputs(plot: Path | None, html_path: Path | None, plot_option: str = "--plot",
                  html_option: str = "--html") -> None:
    """Refuse unwritable or wrongly named output paths, and a plot or report without the
    plotting extra or an HTML report without the report extra, before the simulation."""
    if plot is not None or html_path is not None:
        _extras.require("matplotlib", f"{plot_option if plot is not None else html_option} (plots)")
    if plot is not None:
        _files.check(plot, plot_option, PLOT_FORMATS)
    if html_path is not None:
        _extras.require("jinja2", f"{html_option} (the HTML report)")
        _files.check(html_path, html_option, HTML_FORMATS)


def write_outputs(quote, plot: Path | None, html_path: Path | None, plot_option: str = "--plot",
                  html_option: str = "--html", lang: str = "en") -> None:
    """Write the EP curve plot and/or the HTML report atomically (Agg backend without a
    display); the plot's format follows its extension."""
    if plot is None and html_path is None:
        return
    plt = plots.pyplot()
    if plot is not None:
        fmt = _files.suffix(plot, plot_option, PLOT_FORMATS)[1:]
        ax = quote.plot_ep()
        try:
            _files.write(plot, plot_option,
                          lambda fh: ax.figure.savefig(fh, format=fmt, dpi=120, bbox_inches="tight"))
        finally:
            plt.close(ax.figure)
    if html_path is not None:
        _files.write_text(html_path, html_option, quote.to_html(lang))
