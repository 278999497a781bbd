"""The package's plots: every one leaves the user's matplotlib settings as they were and draws
its text (tick labels drawn later included) in the package's fonts."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib import font_manager

import cyberloss as cl
from cyberloss.calibration import jnsa
from cyberloss.report import diagnostics, plots
from cyberloss.web import worker

ROOT = Path(__file__).resolve().parents[2]
NAME = "株式会社テスト製作所"
TORNADO = pd.DataFrame({"label": ["breach.records_per_employee", "downtime.days"],
                        "low_effect": [-1e6, -2e6], "high_effect": [1e6, 3e6],
                        "low_se": [1e4, 1e4], "high_se": [1e4, 1e4]})
FIT_POINTS = pd.DataFrame({"loss": [1e6, 2e6, 5e6], "empirical": [0.2, 0.5, 0.8],
                           "fitted": [0.25, 0.5, 0.75], "fitted_quantile": [1.1e6, 2e6, 4e6],
                           "naive": [0.3, 0.5, 0.7]})
WEB_EP_ROWS = [{"return_period": t, "gross_aep": t * 1e5, "gross_aep_se": 1e4, "gross_oep": t * 8e4,
                "insured_aep": t * 5e4, "retained_aep": t * 5e4} for t in (2, 10, 100)]


@pytest.fixture(scope="module")
def quote():
    profile = cl.Profile("製造業", "中小企業", name=NAME, revenue="30億円")
    sim = cl.simulate_organisation(profile, 4_000, seed=5)
    terms = cl.CoverageTerms.from_toml(ROOT / "examples" / "sme_manufacturer.toml")
    return cl.quote_events(sim, None, terms, name=NAME)


@pytest.fixture(scope="module")
def survey():
    return jnsa.simulate_survey(replications=200, seed=1)


def _figures(quote, survey, **lang):
    """Every plot of the package, as (name, figure)."""
    return [("EP curve", quote.plot_ep(**lang).figure),
            ("decision", quote.decision.plot(**lang)),
            ("survey", survey.plot(**lang).figure),
            ("tornado", diagnostics.tornado(TORNADO, "expected_loss", 5e6, **lang).figure),
            ("QQ", diagnostics.fit_plots(FIT_POINTS, "ransomware", **lang)),
            ("web EP", worker._ep_figure(WEB_EP_ROWS, NAME, 4_000, **lang))]


def test_a_plot_leaves_the_users_matplotlib_settings_as_they_were(quote, survey):
    own = {"font.family": ["serif"], "font.sans-serif": ["Liberation Sans"], "font.serif": ["DejaVu Serif"]}
    with matplotlib.rc_context(own):
        before = dict(matplotlib.rcParams)
        japanese = font_manager.FontProperties(fname=str(plots.font_file())).get_name()
        for name, fig in _figures(quote, survey):
            assert dict(matplotlib.rcParams) == before, name
            fig.canvas.draw()         # tick labels are made here, with the user's settings in force
            for ax in fig.axes:
                texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
                for t in texts:
                    if t.get_text():
                        found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
                        assert font_manager.FontProperties(fname=found).get_name() == japanese, (name, t)
            plots.pyplot().close(fig)
        assert dict(matplotlib.rcParams) == before
