"""Insurance: a policy's terms, premiums, the deductible x limit decision and the quote.

Modules: ``terms`` (:class:`CoverageTerms`, :func:`apply` -> :class:`InsuredResult`, a
year-loss table with gross / insured / retained views), ``pricing`` (premium principles,
loads, premiums split by section), ``decision`` (the retention grid and its recommendation),
``quote`` (the workflow: simulate an organisation, price its policy, recommend the cover).
The computations run in the C++ core.
"""
from __future__ import annotations

from . import decision, pricing, quote, terms
from .decision import RetentionDecision, choose_retention
from .pricing import (
                      DEFAULT_PRINCIPLES,
                      ExpectedValue,
                      Loads,
                      Premium,
                      StandardDeviation,
                      TVaRCostOfCapital,
                      WangTransform,
                      premium,
                      premium_table,
                      premiums,
                      principle_from,
                      quote_table,
)
from .quote import Quote, QuoteSettings, quote_events, quote_profile
from .terms import CoverageTerms, InsuredResult, Layer, SectionTerms, apply, event_table

__all__ = ["DEFAULT_PRINCIPLES", "CoverageTerms", "ExpectedValue", "InsuredResult", "Layer",
           "Loads", "Premium", "Quote", "QuoteSettings", "RetentionDecision", "SectionTerms",
           "StandardDeviation", "TVaRCostOfCapital", "WangTransform", "apply", "choose_retention",
           "decision", "event_table", "premium", "premium_table", "premiums", "pricing", "principle_from", "quote",
           "quote_events", "quote_profile", "quote_table", "terms"]
