"""The field reference of the documentation site lists exactly the fields the loaders accept
(issue 13, acceptance 5): every keyword of the Python objects a profile builds is listed, every
listed field is accepted by its loader, and an unlisted one is refused by name."""
from __future__ import annotations

import dataclasses
import re

import pytest

from cyberloss.config import documents, reference_pages
from cyberloss.config.schema import Field, walk
from cyberloss.insurance.pricing import Loads
from cyberloss.insurance.quote import DecisionSettings, QuoteSettings
from cyberloss.insurance.terms import CoverageTerms, SectionTerms
from cyberloss.organisation import OrganisationProfile
from cyberloss.organisation.controls import Controls
from cyberloss.portfolio.reinsurance import Programme

PAGES = reference_pages.pages()


def listed(page: str) -> set[str]:
    return set(re.findall(r"^\| `([^`]+)`", PAGES[page], flags=re.M))


# keyword arguments of the Python objects that are tables (not single fields) in a document
_TABLES = {"sections", "sublimits", "controls", "loads", "decision", "principles"}


@pytest.mark.parametrize("cls, prefix", [
    (OrganisationProfile, "organisation"), (Controls, "organisation.controls"),
    (CoverageTerms, "terms"), (SectionTerms, "terms.sections.response"),
    (QuoteSettings, "quote"), (Loads, "quote.loads"), (DecisionSettings, "quote.decision"),
])
def test_every_keyword_of_the_python_objects_is_in_the_reference(cls, prefix):
    names = {f.name for f in dataclasses.fields(cls) if f.init and f.name not in _TABLES and f.name != "data"}
    fields = listed("profile.md")
    # a tagged table (principle) is listed by its fields: quote.decision.principle.<name=wang>.lam
    missing = {n for n in names if not any(f == f"{prefix}.{n}" or f.startswith(f"{prefix}.{n}.")
                                           for f in fields)}
    assert names and not missing


def _sample(field: Field):
    if field.choices:
        return field.choices[0]
    return {"amount": "1,000万円", "share": 0.5, "probability": 0.5, "integer": 10, "count": 20_000,
            "seed": 1, "bool": True, "number": 1.0, "text": "x", "choice": "manufacturing"}[field.kind]


@pytest.mark.parametrize("key", [f.key for f in documents.ORGANISATION.fields if isinstance(f, Field)])
def test_every_listed_organisation_field_is_accepted(key):
    assert f"organisation.{key}" in listed("profile.md")
    field = documents.ORGANISATION.field(key)
    doc = {"industry": "製造業", "size": "中小企業", key: _sample(field)}
    if key == "industry":
        doc[key] = "Manufacturing"
    profile = OrganisationProfile.from_mapping(doc)
    assert profile.sources[key] == "given"


@pytest.mark.parametrize("key", [f.key for f in documents.TERMS.fields if isinstance(f, Field)]
                         + [f"sections.business_interruption.{f.key}" for f in documents.SECTION.fields
                            if isinstance(f, Field)])
def test_every_listed_terms_field_is_accepted(key):
    assert f"terms.{key}" in listed("profile.md")
    leaf = key.rsplit(".", 1)[-1]
    doc: dict = {"sections": {"business_interruption": {}}}
    target = doc if "." not in key else doc["sections"]["business_interruption"]
    target[leaf] = _sample(documents.TERMS.field(leaf) if "." not in key else documents.SECTION.field(leaf))
    CoverageTerms.from_dict(doc)


def test_the_reference_has_every_field_of_every_document_and_no_other():
    for name, _, node, _ in reference_pages.DOCUMENTS:
        fields = {dotted.replace(".[]", "[]") for dotted, _ in walk(node)}
        assert listed(name) == fields, name


def test_an_unlisted_field_is_refused_by_name():
    assert "organisation.turnover" not in listed("profile.md")
    with pytest.raises(ValueError, match=r"organisation: unknown field 'turnover'; known: name, industry"):
        OrganisationProfile.from_mapping({"industry": "製造業", "size": "sme", "turnover": 1})


def test_the_reference_says_which_japanese_names_are_keys(tmp_path):
    """The reinsurance reference listed a Japanese name beside every field, and the file
    refused each one as a key: the pages now say that those names are for reading only, and
    which Japanese keys a profile does take (controls and sections)."""
    for page in ("reinsurance.md", "spec.md"):
        assert "for reading only: a table or key written in Japanese" in PAGES[page]
    for contract in documents.REINSURANCE.fields:
        with pytest.raises(ValueError, match=f"unknown contract '{contract.label_ja}'"):
            Programme.from_dict({contract.label_ja: {}})
        for field in contract.fields:
            with pytest.raises(ValueError, match=f"unknown field '{field.label_ja}'"):
                Programme.from_dict({contract.key: {field.label_ja: 1}})
    assert "except that a control and a section of the policy may also be named" in PAGES["profile.md"]
    profile = OrganisationProfile.from_mapping({"industry": "製造業", "size": "中小企業",
                                    "controls": {"オフラインバックアップ": True}})
    assert profile.controls.offline_backups
    assert "response" in CoverageTerms.from_dict({"sections": {"費用損害": {}}}).sections
