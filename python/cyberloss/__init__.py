"""cyberloss: Monte Carlo cyber-incident loss distributions for Japanese organisations.

Frequency and severity by attack type, calibrated to JNSA's 2025 victim-organisation survey;
a parallel C++ core with counter-based random streams (results depend only on the seed and
the model).  The main workflows are here at the top level:

    import cyberloss as cl
    res = cl.simulate(cl.Model([...]), years=1_000_000, seed=1)     # engine
    q = cl.quote("examples/sme_manufacturer.toml")                  # price a policy
    sim = cl.simulate_organisation(cl.Profile("manufacturing", "sme"), 200_000, seed=1)
    cmp = cl.compare(profile)                                       # BCP: controls compared
    pf = cl.simulate_portfolio(cl.PortfolioModel(book), 100_000, seed=1)

Every result is a year-loss table (``cl.YearLossTable``: ``describe()``, ``var``, ``tvar``,
``ep_curve``, ``plot``); subpackages: ``calibration``, ``organisation``, ``insurance``,
``portfolio``, ``config``, ``report``, ``stats``, ``random``.  Names load on first use, so
``import cyberloss`` is quick.  See README.md and docs/.
"""
from __future__ import annotations

import importlib
import importlib.util

if importlib.util.find_spec("cyberloss._core") is None:  # pragma: no cover - only without a build
    raise ImportError(
        "cyberloss's compiled core (cyberloss._core) is not built. From the repository root run "
        "`make build` (or `pip install .`), which installs the Debian libraries and compiles it.")

from . import _core  # noqa: E402  (after the check above, which explains a missing build)

# CMake's project version, compiled into the core: the only place it is written.
__version__: str = _core.__version__

# name -> (module, attribute); attribute None: the module itself
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "AttackType": ("engine", "AttackType"),
    "Model": ("engine", "Model"),
    "SimulationResult": ("engine", "SimulationResult"),
    "simulate": ("engine", "simulate"),
    "load_model": ("engine", "load_model"),
    "Frequency": ("distributions", "Frequency"),
    "Poisson": ("distributions", "Poisson"),
    "NegativeBinomial": ("distributions", "NegativeBinomial"),
    "Severity": ("distributions", "Severity"),
    "Lognormal": ("distributions", "Lognormal"),
    "SplicedLognormalGPD": ("distributions", "SplicedLognormalGPD"),
    "YearLossTable": ("results", "YearLossTable"),
    "Estimate": ("stats", "Estimate"),
    "format_yen": ("report.money", "format_yen"),
    "Profile": ("organisation.profile", "OrganisationProfile"),
    "OrganisationProfile": ("organisation.profile", "OrganisationProfile"),
    "Controls": ("organisation.controls", "Controls"),
    "simulate_organisation": ("organisation.simulate", "simulate_organisation"),
    "Scenario": ("organisation.scenario", "Scenario"),
    "Variant": ("organisation.bcp", "Variant"),
    "compare": ("organisation.bcp", "compare"),
    "CoverageTerms": ("insurance.terms", "CoverageTerms"),
    "SectionTerms": ("insurance.terms", "SectionTerms"),
    "Loads": ("insurance.pricing", "Loads"),
    "QuoteSettings": ("insurance.quote", "QuoteSettings"),
    "quote": ("insurance.quote", "quote_profile"),
    "quote_events": ("insurance.quote", "quote_events"),
    "Portfolio": ("portfolio.book", "Portfolio"),
    "PortfolioModel": ("portfolio.simulate", "PortfolioModel"),
    "simulate_portfolio": ("portfolio.simulate", "simulate_portfolio"),
    "Programme": ("portfolio.reinsurance", "Programme"),
}
_MODULES = ("calibration", "config", "distributions", "engine", "insurance", "organisation",
            "portfolio", "random", "report", "results", "stats")

__all__ = sorted([*_EXPORTS, *_MODULES, "__version__"])


def __getattr__(name: str) -> object:
    if name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _EXPORTS:
        module_name, attribute = _EXPORTS[name]
        value = getattr(importlib.import_module(f"{__name__}.{module_name}"), attribute or name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cyberloss' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
