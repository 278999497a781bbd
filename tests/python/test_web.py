"""cyberloss serve: the inputs read from the schema and checked as the CLI checks them, the
TOML download, background runs (queue, cancel), the request limits, and the pages in Debian's
headless Chromium (acceptance of issue 15), offline, against `cyberloss serve` on a free port.

Screenshots go to build/test-output/web/."""
from __future__ import annotations

import asyncio
import html
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import late_faults

pytest.importorskip("starlette")

from cyberloss import config  # noqa: E402
from cyberloss.web import app as web_app  # noqa: E402
from cyberloss.web import forms, jobs, text, toml, worker  # noqa: E402

pytestmark = pytest.mark.web
ROOT = Path(__file__).resolve().parents[2]
SMALL = {"organisation": {"industry": "manufacturing", "size": "sme"},
         "terms": {"sections": {"response": {}}}, "quote": {"years": 20_000, "seed": 7}}
SMALL_BCP = {**SMALL, "simulation": {"years": 5_000, "seed": 7}}


def given(**texts: str) -> dict[str, str]:
    return {**forms.INITIAL, "organisation.industry": "製造業", "organisation.size": "中小企業", **texts}


def get(app, path: str, params: dict[str, str] | None = None) -> tuple[int, str]:
    """GET ``path`` with the query ``params`` from the application in this process (no server,
    no HTTP client): the status and the body."""
    status, body = get_bytes(app, path, params)
    return status, body.decode(errors="replace")


def get_bytes(app, path: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
    """:func:`get` with the body as it came (a workbook)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": urllib.parse.urlencode(params or {}).encode(),
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    answer: dict = {"body": b""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")
    asyncio.run(app(scope, receive, send))
    return answer["status"], answer["body"]


def errors_shown(body: str) -> dict[str, str]:
    """The refusals a page shows, by the id of the field they sit under ("general": the form's)."""
    return {m[0]: html.unescape(m[1]) for m in re.findall(r'<p class="error" id="error-([^"]*)"[^>]*>(.*?)</p>', body)}


@pytest.fixture(scope="module")
def app():
    """The application in this process, Japanese by default (its runs in worker processes)."""
    application = web_app.create_app(lang="ja")
    yield application
    application.state.jobs.shutdown()


#: A small quote with the business interruption section's periods given (Losses and Cover pages).
QUOTED = given(**{"quote.years": "1000", "quote.seed": "5",
                  "terms.sections.business_interruption.waiting_period_days": "0.5",
                  "terms.sections.business_interruption.indemnity_period_days": "90"})


@pytest.fixture(scope="module")
def quoted(app):
    """QUOTED's quote run in ``app`` and its reports drawn: its inputs."""
    status, body = get(app, "/cover", QUOTED)
    job = re.search(r'data-job="([^"]+)"', body)
    if job:
        finished = app.state.jobs.wait(job[1], 120)
        assert finished.state == "done", finished.error
    end = time.monotonic() + 60
    while get(app, "/download/report.xlsx", QUOTED)[0] == 409 and time.monotonic() < end:
        time.sleep(0.1)
    return QUOTED


def test_every_organisation_field_of_the_schema_is_an_input():
    paths = {p for p, _ in config.walk(config.documents.ORGANISATION)}
    assert paths <= set(forms.BY_PATH)


@pytest.mark.parametrize("texts, field, words", [
    ({"organisation.name": "x" * 201}, "organisation.name", "organisation.name must be at most 200 characters, got 201"),
    ({"organisation.revenue": "-5"}, "organisation.revenue", "organisation.revenue must be a finite number > 0"),
    ({"organisation.industry": "製造"}, "organisation.industry", "organisation.industry must be one of manufacturing"),
    ({"terms.deductible": "100万円", "terms.aggregate_limit": "50万円"}, "terms.aggregate_limit",
     "terms.aggregate_limit must not be below terms.deductible"),
    ({"quote.years": "1000000000000"}, "quote.years", "simulate fewer years"),
    ({"quote.years": "1e12"}, "quote.years", "quote.years must be an integer >= 1000"),
    ({"quote.decision.principle.name": "wang", "quote.decision.principle.lam": "-1"},
     "quote.decision.principle.lam", "lam must be"),
])
def test_bad_inputs_are_refused_next_to_their_field_with_the_cli_words(texts, field, words, tmp_path, capsys):
    inputs = forms.read(given(**texts))
    assert list(inputs.errors) == [field]
    assert words in inputs.errors[field]
    if field not in ("quote.years", "organisation.name"):
        # the same document in a file: cyberloss quote refuses it with the same words
        from cyberloss.cli import main
        path = tmp_path / "p.toml"
        path.write_text(toml.dumps(inputs.document), encoding="utf-8")
        assert main(["quote", str(path)]) == 2
        assert inputs.errors[field] in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["organisation.industry", "organisation.size"])
def test_a_missing_industry_or_size_is_refused_at_its_own_field(app, missing):
    texts = {k: v for k, v in given().items() if k != missing}
    inputs = forms.read(texts)
    assert inputs.errors == {missing: f"organisation: field '{missing.split('.')[1]}' is required"}
    status, body = get(app, "/losses", texts)
    assert status == 400 and list(errors_shown(body)) == [missing]


@pytest.mark.parametrize("page", ["organisation", "losses", "cover", "bcp"])
@pytest.mark.parametrize("params", [{}, {"lang": "en"}, forms.INITIAL, {"organisation.industry": ""}])
def test_a_form_nobody_has_filled_in_shows_no_refusal(app, page, params):
    # the first visit (/ redirects to /organisation; a result page opened by its address):
    # nothing marked, no banner, no "required", and the fields a run needs are there to fill in
    status, body = get(app, f"/{page}", params)
    assert status == 200 and errors_shown(body) == {}
    assert 'id="errors"' not in body and "field invalid" not in body and 'aria-invalid' not in body
    assert "is required" not in body and "必須）" not in body
    assert 'id="group-organisation"' in body and 'data-job=' not in body
    # once submitted with a field left out, it is refused at that field
    status, body = get(app, f"/{page}", {"organisation.industry": "製造業"})
    assert 'id="errors"' in body and list(errors_shown(body)) == ["organisation.size"]


@pytest.mark.parametrize("page, texts, field, button", [
    ("losses", {"organisation.revenue": "-5"}, "organisation.revenue", "損害を計算"),
    ("cover", {"terms.deductible": "-1"}, "terms.deductible", "補償を計算"),
    ("bcp", {"simulation.years": "1"}, "simulation.years", "BCPを比較"),
])
def test_a_refused_input_keeps_the_user_on_the_page_asked_for(app, page, texts, field, button):
    # the corrected inputs go back to the same page, not to another one
    status, body = get(app, f"/{page}", given(**texts))
    assert status == 400 and list(errors_shown(body)) == [field]
    assert re.findall(r'<form method="get" action="([^"]+)"', body) == [f"/{page}"]
    assert re.search(r'<button type="submit" id="submit">([^<]*)</button>', body)[1] == button
    assert f'<a id="nav-{page}" href="/{page}?' in body and 'class="current"' in body.split(f'id="nav-{page}"')[1].split(">")[0]


def test_a_refusal_of_two_fields_together_is_shown_under_each_of_them(app):
    # cyberloss quote's words for the loads' sum name both keys: the page marks both fields
    texts = given(**{"quote.loads.expense_ratio": "0.7", "quote.loads.profit_ratio": "0.4"})
    words = "expense_ratio + profit_ratio must be < 1, got 1.1"
    assert forms.read(texts).errors == {"quote.loads.expense_ratio": words, "quote.loads.profit_ratio": words}
    status, body = get(app, "/cover", texts)
    ja = "expense_ratio + profit_ratio には合計が 1（100%）未満になる事業費率と利潤率を指定する（入力: 1.1）"
    assert status == 400 and errors_shown(body) == {"quote.loads.expense_ratio": ja, "quote.loads.profit_ratio": ja}
    status, body = get(app, "/losses", {**texts, "lang": "en"})        # the pricing inputs shown to correct them
    assert status == 400 and errors_shown(body) == {"quote.loads.expense_ratio": words, "quote.loads.profit_ratio": words}


#: The tester's refusals (issue F1): refused by the field's parse or by cyberloss quote's checks.
JAPANESE_REFUSALS = [
    ("losses", {"organisation.revenue": "五千万円"}, "organisation.revenue"),
    ("losses", {"organisation.revenue": "1億円円"}, "organisation.revenue"),
    ("losses", {"organisation.gross_margin": "３０%%"}, "organisation.gross_margin"),
    ("losses", {"organisation.industry": "製造"}, "organisation.industry"),
    ("losses", {"organisation.size": "小企業"}, "organisation.size"),
    ("losses", {"organisation.employees": "120件"}, "organisation.employees"),
    ("losses", {"quote.years": "十万"}, "quote.years"),
    ("losses", {"quote.years": "10"}, "quote.years"),
    ("losses", {"quote.levels": "99%, 99.5％%"}, "quote.levels"),
    ("losses", {"organisation.controls.downtime_scale": "-50%"}, "organisation.controls.downtime_scale"),
    ("cover", {"terms.sections.business_interruption.coinsurance": "８０％％"},
     "terms.sections.business_interruption.coinsurance"),
    ("cover", {"quote.decision.principle.name": "wang", "quote.decision.principle.loading": "0.5"},
     "quote.decision.principle.loading"),
    ("bcp", {"simulation.years": "1"}, "simulation.years"),
    ("organisation", {"organisation.name": "x" * 201}, "organisation.name"),
]


@pytest.mark.parametrize("page, texts, field", JAPANESE_REFUSALS)
def test_a_japanese_page_says_a_refusal_as_the_cli_does_under_lang_ja(app, page, texts, field, tmp_path, capsys):
    status, body = get(app, f"/{page}", given(**texts))
    assert status == (200 if page == "organisation" else 400)
    shown = errors_shown(body)
    assert list(shown) == [field]
    said = shown[field]
    assert said.startswith(field.split(".")[0]) and not re.search(r"\b(must|got|one of)\b", said), said
    assert re.search(r"（入力: |を指定する|はない", said), said
    inputs = forms.read(given(**texts), "bcp" if page == "bcp" else "quote")
    if page in ("losses", "cover"):         # the same profile in a file: cyberloss quote --lang ja's sentence
        from cyberloss.cli import main
        path = tmp_path / "p.toml"
        path.write_text(toml.dumps(inputs.document), encoding="utf-8")
        assert main(["quote", str(path), "--lang", "ja"]) == 2
        assert said in capsys.readouterr().err
        assert get(app, "/download/profile.toml", given(**texts)) == (400, f"エラー: {said}")
    # in English, the CLI's English words, unchanged
    status, body = get(app, f"/{page}", {**given(**texts), "lang": "en"})
    assert errors_shown(body) == {field: inputs.errors[field]}


@pytest.mark.parametrize("texts, field, words", [
    # a parameter the run would not read (another principle's, or with no principle chosen) is refused
    ({"quote.decision.principle.name": "wang", "quote.decision.principle.loading": "0.5"},
     "quote.decision.principle.loading", "quote.decision.principle: unknown field 'loading'; known: name, lam"),
    ({"quote.decision.principle.lam": "0.5"}, "quote.decision.principle.name",
     "quote.decision.principle: field 'name' is required"),
])
def test_a_premium_principle_parameter_is_run_or_refused_at_its_field(app, texts, field, words):
    inputs = forms.read(given(**texts))
    assert list(inputs.errors) == [field] and inputs.errors[field].startswith(words)
    status, body = get(app, "/cover", given(**texts))
    assert status == 400 and list(errors_shown(body)) == [field]


def test_a_bcp_run_too_large_for_memory_is_refused_at_its_years_before_it_starts(app, tmp_path, capsys):
    texts = given(**{"simulation.years": "100000000000000"})
    inputs = forms.read(texts, "bcp")
    assert list(inputs.errors) == ["simulation.years"]
    assert "simulate fewer years" in inputs.errors["simulation.years"]
    # the estimate cyberloss bcp refuses the same profile with (the memory available may move)
    from cyberloss.cli import main
    path = tmp_path / "p.toml"
    path.write_text(toml.dumps(inputs.document), encoding="utf-8")
    assert main(["bcp", str(path)]) == 2
    peak = inputs.errors["simulation.years"].split(" at its peak")[0]
    assert peak in capsys.readouterr().err
    status, body = get(app, "/bcp", texts)
    assert status == 400 and list(errors_shown(body)) == ["simulation.years"] and "data-job" not in body
    # on a Japanese page in the words of `cyberloss bcp --lang ja` (it was the English)
    said = inputs.errors_ja["simulation.years"]
    assert "のメモリが必要だが、使えるのは" in said and "シミュレーション年数を減らす" in said, said
    assert errors_shown(get(app, "/bcp", {**texts, "lang": "ja"})[1])["simulation.years"] == said
    # a page that only quotes is not refused for what only the comparison would need
    assert forms.read(texts).ok and forms.refusals(inputs.document) == {}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_run_refused_in_its_worker_says_why_in_the_pages_language(lang):
    """What a worker refuses once it runs (here the memory a run needs, checked again where it
    runs) reaches a Japanese page in the words of the CLI's --lang ja; it was the English."""
    document = forms.read(given(**{"quote.years": "1000"})).document
    document["quote"]["years"] = 10**14       # past the form's check, as a run of another machine
    pipe = Pipe()
    worker.main("quote", document, pipe, lang)
    (kind, said), = pipe.messages
    assert kind == "error"
    if lang == "ja":
        assert "のメモリが必要だが、使えるのは" in said and "シミュレーション年数を減らす" in said, said
    else:
        assert "GiB at its peak" in said and "simulate fewer years" in said, said


@pytest.mark.parametrize("page, texts", [
    ("losses", {}),                                  # the Losses page has no terms inputs
    ("cover", {"terms.deductible": "10万円"}),        # the sections left as the form shows them
])
def test_a_profile_given_no_policy_section_is_quoted_with_those_a_new_page_starts_with(app, page, texts):
    texts = {"organisation.industry": "製造業", "organisation.size": "中小企業", "quote.years": "1000", **texts}
    status, body = get(app, f"/{page}", texts)
    assert status == 200 and errors_shown(body) == {}, errors_shown(body)
    app.state.jobs.cancel(re.search(r'data-job="([^"]+)"', body)[1])
    share = html.unescape(re.search(r'id="share" class="share" readonly value="([^"]+)"', body)[1])
    assert all(f"{k}={v}" in share for k, v in forms.INITIAL.items())       # shown, not hidden
    profile = config.loads_toml(get(app, "/download/profile.toml", texts)[1], "download")
    assert {s: v["covered"] for s, v in profile["terms"]["sections"].items()} == {
        "response": True, "liability": True, "business_interruption": True}


def test_a_section_left_partly_filled_keeps_its_siblings_covered_as_the_form_shows_them(app):
    # the form shows each section's 補償の有無 left empty as covered (its placeholder's default)
    texts = {"organisation.industry": "製造業", "organisation.size": "中小企業", "quote.years": "1000",
             "terms.sections.response.limit": "1億円", "terms.sections.liability.covered": "false"}
    status, body = get(app, "/cover", {**texts, "terms.deductible": "-1"})
    assert status == 400
    assert re.search(r'<option value="">— \(未入力時: (\w+)\)</option>', body)[1] == "はい"
    profile = config.loads_toml(get(app, "/download/profile.toml", texts)[1], "download")
    assert profile["terms"]["sections"] == {"response": {"limit": "1億円", "covered": True},
                                            "liability": {"covered": False},
                                            "business_interruption": {"covered": True}}
    status, body = get(app, "/cover", texts)
    app.state.jobs.cancel(re.search(r'data-job="([^"]+)"', body)[1])
    share = html.unescape(re.search(r'id="share" class="share" readonly value="([^"]+)"', body)[1])
    assert "terms.sections.business_interruption.covered=true" in share


def test_japanese_labels_and_amounts_read_as_the_profile_holds_them():
    inputs = forms.read(given(**{"organisation.revenue": "30億円", "organisation.employees": "120",
                                 "quote.decision.limits": "3000万円, 1億円、5億円"}))
    assert inputs.ok, inputs.errors
    org = inputs.document["organisation"]
    assert (org["industry"], org["size"], org["revenue"], org["employees"]) == ("manufacturing", "sme", "30億円", 120)
    assert inputs.document["quote"]["decision"]["limits"] == ["3000万円", "1億円", "5億円"]


@pytest.mark.parametrize("path, text, value", [
    ("organisation.employees", "１２０", 120), ("organisation.employees", "1,200", 1200),
    ("organisation.personal_records", "２０，０００", 20000), ("organisation.gross_margin", "０.２５", 0.25),
    ("quote.years", "２０，０００", 20000), ("quote.seed", "４２", 42),
    ("simulation.years", "5,000", 5000), ("organisation.revenue", "3,000,000,000", 3e9),
])
def test_full_width_digits_and_thousands_separators_are_read_as_in_a_profile_file(path, text, value):
    inputs = forms.read(given(**{path: text}), "bcp")
    assert inputs.ok, inputs.errors
    table, key = path.rsplit(".", 1)
    assert config.check(inputs.document, config.documents.PROFILE)[table.split(".")[0]][key] == value
    # the download keeps the text, and cyberloss quote reads it back
    assert config.loads_toml(toml.dumps(inputs.document), "download") == inputs.document


@pytest.mark.parametrize("text", ["1,2,3", "12,00", "1,200件"])     # 件: not a headcount's counter
def test_a_number_with_misplaced_separators_is_refused_not_read_without_them(text):
    # "1,2,3" was read as 123 (the commas dropped)
    inputs = forms.read(given(**{"organisation.employees": text}))
    assert list(inputs.errors) == ["organisation.employees"]
    assert inputs.errors["organisation.employees"].endswith(f"got {text!r}")


@pytest.mark.parametrize("path, text, values", [
    ("quote.decision.deductibles", "100万円, 1,000万円", ["100万円", "1,000万円"]),
    ("quote.decision.deductibles", "0 1,000,000 3,000,000", [0, "1,000,000", "3,000,000"]),
    ("quote.decision.limits", "１億円、３，０００万円", ["１億円", "３，０００万円"]),
    ("quote.levels", "0.99,0.995", [0.99, 0.995]), ("quote.levels", "0.99, 0.999", [0.99, 0.999]),
    ("quote.decision.limits", "50000000,100000000", [50000000, 100000000]),
])
def test_a_list_keeps_the_thousands_separators_of_its_values(path, text, values):
    # "100万円, 1,000万円" was read as 100万円, 1 and 0 yen
    inputs = forms.read(given(**{path: text}))
    assert inputs.ok, inputs.errors
    table = inputs.document
    for part in path.split("."):
        table = table[part]
    assert table == values


def test_the_toml_download_reads_back_as_the_same_document():
    inputs = forms.read(given(**{"organisation.name": 'A "quoted" 名前', "terms.aggregate_limit": "inf",
                                 "quote.levels": "0.99, 0.999", "organisation.controls.edr": "true",
                                 "terms.sections.business_interruption.waiting_period_days": "0.5"}))
    assert inputs.ok, inputs.errors
    assert config.loads_toml(toml.dumps(inputs.document, "header"), "download") == inputs.document


def test_the_report_is_in_the_language_of_the_page_it_is_downloaded_from(app, quoted):
    for lang in ("ja", "en"):
        status, body = get(app, "/download/report.html", {**quoted, "lang": lang})
        assert status == 200 and f'<html lang="{lang}">' in body
    assert '<html lang="ja">' in get(app, "/download/report.html", quoted)[1]    # the server's language
    status, page = get(app, "/cover", {**quoted, "lang": "en"})
    assert html.unescape(re.search(r'id="dl-report" href="([^"]+)"', page)[1]).endswith("&lang=en")


def test_the_workbook_is_in_the_language_of_the_page_it_is_downloaded_from(app, quoted):
    import openpyxl

    for lang, first in (("ja", "見積り"), ("en", "quote")):
        status, body = get_bytes(app, "/download/report.xlsx", {**quoted, "lang": lang})
        assert status == 200 and openpyxl.load_workbook(io.BytesIO(body)).sheetnames[0] == first
    status, page = get(app, "/cover", {**quoted, "lang": "en"})     # the page's link asks for it
    assert html.unescape(re.search(r'id="dl-xlsx" href="([^"]+)"', page)[1]).endswith("&lang=en")


JAPANESE = re.compile(r"[぀-ヿ一-鿿]")     # kana and kanji


def cells(body: str, table: str) -> list[list[str]]:
    """The text of each row's cells (th and td) of the table of id ``table``."""
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(rf'<table id="{table}">(.*?)</table>', body, re.S)[1], re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def test_the_japanese_cover_page_says_in_japanese_what_cyberloss_quote_lang_ja_says(app, quoted, tmp_path, capsys):
    from cyberloss.cli import main
    from cyberloss.report import language, money
    ja, en = (get(app, "/cover", {**quoted, "lang": lang})[1] for lang in ("ja", "en"))
    profile = tmp_path / "profile.toml"
    profile.write_text(get(app, "/download/profile.toml", quoted)[1], encoding="utf-8")
    assert main(["quote", str(profile), "--lang", "ja"]) == 0
    cli = capsys.readouterr().out
    assert re.search(r'<p id="reason">(.*?)</p>', ja, re.S)[1] == html.escape(cli.splitlines()[-1], quote=False)
    views_ja, views_en = cells(ja, "views"), cells(en, "views")
    assert views_ja[0][1:] == [language.VIEWS_JA[v] for v in ("gross", "insured", "retained")]
    assert all(row[0] in cli for row in views_ja[1:]), [row[0] for row in views_ja]
    # the same numbers in both languages, those of `cyberloss quote --json` on the page's profile
    assert [row[1:] for row in views_ja[1:]] == [row[1:] for row in views_en[1:]]
    assert main(["quote", str(profile), "--json"]) == 0
    cli_json = json.loads(capsys.readouterr().out)
    page_json = json.loads(get(app, "/download/quote.json", quoted)[1])
    for key in ("annual_loss_sha256", "expected_loss", "expected_loss_se", "var", "tvar", "premium", "recommended"):
        assert page_json[key] == cli_json[key], key
    assert views_en[1] == ["expected loss", *(money.format_limit(cli_json["expected_loss"][v]) for v in ("gross", "insured", "retained"))]
    losses = {lang: get(app, "/losses", {**quoted, "lang": lang})[1] for lang in ("ja", "en")}
    for table in ("tail", "ep-table"):
        assert [row[1:] for row in cells(losses["ja"], table)[1:]] == [row[1:] for row in cells(losses["en"], table)[1:]]
    assert float(re.search(r'id="expected-loss" data-value="([^"]+)"', losses["en"])[1]) == cli_json["expected_loss"]["gross"]
    policy = {row[0]: row[1] for row in cells(ja, "policy")}
    assert {language.SECTIONS_JA[s] for s in ("response", "liability", "business_interruption")} <= set(policy)
    assert "待機期間0.5日、補償期間90日" in policy[language.SECTIONS_JA["business_interruption"]]
    assert not JAPANESE.search(re.sub(r"<svg.*?</svg>", "", en.split("<form")[0], flags=re.S).split("<main>")[1]
                         .replace("万円", "").replace("億円", "")), "Japanese words on the English page"


def test_the_cover_page_shows_every_term_given_in_the_words_of_the_quote_s_report(app):
    # coinsurance and the recurrence-prevention cover were applied but not shown (issue F3)
    from cyberloss.insurance import report, terms
    texts = given(**{"quote.years": "1000", "quote.seed": "5",
                     "terms.sections.business_interruption.coinsurance": "８０％", "terms.cover_prevention": "true",
                     "terms.sections.response.sublimits.investigation": "3000万円",
                     "terms.sections.liability.covered": "false",
                     "terms.sections.business_interruption.indemnity_period_days": "90"})
    job = re.search(r'data-job="([^"]+)"', get(app, "/cover", texts)[1])
    if job:
        assert app.state.jobs.wait(job[1], 120).state == "done"
    assert json.loads(get(app, "/download/quote.json", texts)[1])["terms"]["sections"][
        "business_interruption"]["coinsurance"] == 0.8
    policy = terms.CoverageTerms.from_dict(forms.read(texts).document["terms"])
    for lang, sep in (("ja", "、"), ("en", "; ")):
        shown = {row[0]: row[1] for row in cells(get(app, "/cover", {**texts, "lang": lang})[1], "policy")}
        said = " ".join(report.terms_in_words(policy, lang))      # the report's sentences hold each row's words
        assert all(v in said for k, v in shown.items() if k not in ("免責金額（1事故）", "deductible per occurrence")), shown
        bi = shown["利益損害" if lang == "ja" else "business_interruption"]
        assert bi.split(sep)[1] == ("免責金額控除後の損害の80%を支払い" if lang == "ja"
                                    else "pays 80% of the loss after the deductible")
        assert shown["賠償責任" if lang == "ja" else "liability"] == ("補償対象外" if lang == "ja" else "not covered")
        assert shown["再発防止費用" if lang == "ja" else "recurrence-prevention costs"] == (
            "補償対象" if lang == "ja" else "covered")
        assert ("3,000万円" in shown["費用損害" if lang == "ja" else "response"]) and "90" in bi


def test_the_cover_page_says_a_zero_deductible_is_none(app):
    # 「0万円」 read as an amount; the report says 「免責金額なし」
    texts = given(**{"quote.years": "1000", "quote.seed": "5", "terms.deductible": "0"})
    job = re.search(r'data-job="([^"]+)"', get(app, "/cover", texts)[1])
    if job:
        assert app.state.jobs.wait(job[1], 120).state == "done"
    for lang, label, none in (("ja", "免責金額（1事故）", "なし"), ("en", "deductible per occurrence", "none")):
        assert {row[0]: row[1] for row in cells(get(app, "/cover", {**texts, "lang": lang})[1], "policy")}[label] == none


def test_a_recommended_zero_deductible_is_none_on_the_cover_page(app):
    texts = given(**{"quote.years": "1000", "quote.seed": "5", "quote.decision.deductibles": "0"})
    job = re.search(r'data-job="([^"]+)"', get(app, "/cover", texts)[1])
    if job:
        assert app.state.jobs.wait(job[1], 120).state == "done"
    for lang, none in (("ja", "なし"), ("en", "none")):
        page = get(app, "/cover", {**texts, "lang": lang})[1]
        shown = re.search(r'<span id="recommended-deductible" data-value="([^"]*)">([^<]*)</span>', page)
        assert shown and shown.groups() == ("0.0", none), shown and shown.groups()
        assert ("免責金額なし" if lang == "ja" else "No deductible") in re.search(
            r'<p id="reason">(.*?)</p>', page, re.S)[1]


def test_pages_speak_the_language_they_are_in(app, quoted):
    en = get(app, "/losses", {**quoted, "lang": "en"})[1]
    assert not JAPANESE.search(re.search(r'<p id="basis">(.*?)</p>', en, re.S)[1])
    organisation = get(app, "/organisation", given())[1]      # the data has no default record counts
    assert 'placeholder="未入力時: 不明"' in organisation and 'placeholder="未入力時: unknown"' not in organisation
    status, refused = get(app, "/losses", given(**{"organisation.revenue": "-5"}))
    assert status == 400 and errors_shown(refused)["organisation.revenue"] == \
        "organisation.revenue（売上高）には有限の数値（0 超 100京 以下）を指定する（入力: -5）"
    status, refused = get(app, "/losses", {k: v for k, v in given().items() if k != "organisation.industry"})
    assert errors_shown(refused)["organisation.industry"] == "organisation（組織プロファイル）: 項目 'industry'（業種）を指定する（必須）"


def test_levels_are_percents_defaults_are_values_and_the_expected_loss_is_the_cli_s_term(app, quoted):
    from cyberloss.report import language
    # the tail table's levels as the CLI names them (VaR 99%), not 0.99 (issue F8)
    losses = {lang: get(app, "/losses", {**quoted, "lang": lang})[1] for lang in ("ja", "en")}
    for body in losses.values():
        assert [row[0] for row in cells(body, "tail")[1:]] == ["99%", "99.5%"]
    # the expected annual loss in the words of cyberloss bcp --lang ja (年間期待損失) on every page
    term = language.SHEET_COLUMNS_JA["bcp"]["expected_loss"]
    assert cells(losses["ja"], "by-component")[0][1] == term and "予想損害" not in losses["ja"]
    assert re.search(r'<th class="name">([^<]*)</th>\s*<td><span class="big" id="expected-loss"', losses["ja"])[1] == term
    # a placeholder shows the default itself (or a short phrase until the industry and size are chosen),
    # not the data path it comes from cut off in the box
    placeholders = r'<input id="([^"]+)"[^>]*placeholder="([^"]*)"'
    for lang, word, phrase in (("ja", "未入力時", "業種・規模別の既定値"), ("en", "if empty", "by industry and size")):
        shown = {k: v for page in ("organisation", "cover")         # an empty form; cover's refused for it
                 for k, v in re.findall(placeholders, get(app, f"/{page}", {"lang": lang})[1])}
        assert not any("data/" in v or "profile_defaults" in v for v in shown.values()), shown
        assert shown["organisation.revenue"] == shown["organisation.gross_margin"] == f"{word}: {phrase}"
        assert shown["quote.levels"] == f"{word}: 99%, 99.5%" and shown["quote.years"] == f"{word}: 200,000"
        assert shown["quote.loads.expense_ratio"] == f"{word}: 30%" and shown["terms.deductible"] == f"{word}: 0円"
        with_data = dict(re.findall(placeholders, get(app, "/organisation", {**given(), "lang": lang})[1]))
        assert with_data["organisation.gross_margin"] == f"{word}: 20%"         # manufacturing's
        assert re.fullmatch(rf"{word}: [0-9.,]+億円", with_data["organisation.revenue"]), with_data
    assert json.loads(get(app, "/api/defaults", {"organisation.industry": "製造業"})[1])[
        "organisation.gross_margin"] == "未入力時: 業種・規模別の既定値"       # the size not chosen yet


def test_the_premium_principles_are_named_in_the_page_s_language(app, quoted):
    from cyberloss.report import language
    field = r'<input id="quote.decision.principle.name"[^>]*placeholder="([^"]*)"'
    suggestions = r'<datalist id="choices-quote.decision.principle.name">(.*?)</datalist>'
    ja, en = (get(app, "/cover", {**quoted, "lang": lang})[1] for lang in ("ja", "en"))
    # left empty, the decision prices with the expected value principle (not a required input)
    assert re.search(field, ja)[1] == "未入力時: 期待値原理" and re.search(field, en)[1] == "if empty: expected_value"
    assert re.findall(r'<option value="([^"]*)">', re.search(suggestions, ja, re.S)[1]) == list(language.PRINCIPLES_JA.values())
    assert not JAPANESE.search(re.search(suggestions, en, re.S)[1])
    premiums_ja = [row[0] for row in cells(ja, "views") if row[0].startswith("営業保険料")]
    assert premiums_ja[0] == "営業保険料: 期待値原理（安全割増率 30%）" and len(premiums_ja) == 4
    assert not any(re.search(r"[a-z]{4}", label) for label in premiums_ja), premiums_ja
    assert [row[0] for row in cells(en, "views") if row[0].startswith("premium")][0] == "premium: expected value (loading 30%)"
    # each parameter named with its principle (the decision's own TVaR水準 is another input)
    labels = dict(re.findall(r'<label for="quote\.decision\.([\w.]+)">([^<]*)</label>', ja))
    assert (labels["principle.level"], labels["tail_level"]) == ("TVaR資本コスト原理: TVaR水準", "TVaR水準")
    assert len(set(labels.values())) == len(labels), labels
    assert re.search(r'<label for="quote\.decision\.principle\.lam">([^<]*)</label>', en)[1] == "wang: lam"
    # a principle typed by its Japanese name is the profile's key
    inputs = forms.read(given(**{"quote.decision.principle.name": "ワング変換", "quote.decision.principle.lam": "0.5"}))
    assert inputs.ok and inputs.document["quote"]["decision"]["principle"] == {"name": "wang", "lam": 0.5}


def test_the_losses_and_bcp_pages_have_no_word_of_the_other_language(app, quoted):
    ja, en = (get(app, "/losses", {**quoted, "lang": lang})[1] for lang in ("ja", "en"))

    def shown(body: str) -> str:
        main = re.sub(r"<svg.*?</svg>", "", body.split("<main>")[1].split("<form")[0], flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", main.split('<p class="note">annual_loss_sha256')[0]))
    assert not JAPANESE.search(shown(en).replace("万円", "").replace("億円", "")), "Japanese words on the English page"
    # on the Japanese page the only Latin words are the measures (VaR, ...), an attack type's DDoS and
    # the organisation's name; the basis and period by the Japanese names a profile takes too
    assert set(re.findall(r"[A-Za-z_]{2,}", shown(ja))) <= {"VaR", "TVaR", "AEP", "OEP", "DDoS", "organisation"}, \
        set(re.findall(r"[A-Za-z_]{2,}", shown(ja)))
    basis = "集計ベース: 全インシデント（公表されたものに限らない）、期間: 直近2年"
    assert re.fullmatch(basis + r" · 1,000 年をシミュレーション、シード 5 · [\d,]+ 件のインシデント",
                        re.search(r'<p id="basis">(.*?)</p>', ja, re.S)[1])
    texts = {**quoted, "simulation.years": "2000"}
    job = re.search(r'data-job="([^"]+)"', get(app, "/bcp", texts)[1])
    assert app.state.jobs.wait(job[1], 120).state == "done"
    bcp = get(app, "/bcp", texts)[1]
    assert re.fullmatch(r"2,000 年をシミュレーション、シード \d+、" + basis, re.search(r'<p id="basis">(.*?)</p>', bcp, re.S)[1])
    assert cells(bcp, "bcp-table")[0][1:] == ["年間期待損失", "± 標準誤差", "基準との差", "± 標準誤差", "停止日数/年"]
    # the default variants' names and the assumptions in the page's language
    names = {lang: [row[0] for row in cells(get(app, "/bcp", {**texts, "lang": lang})[1], "bcp-table")[1:]]
             for lang in ("ja", "en")}
    assert names["ja"][0] == "現状" and "停止期間を半減（BCP目標）" in names["ja"], names["ja"]
    assert names["en"][0] == "as is" and "downtime halved (BCP target)" in names["en"], names["en"]
    assumed = re.search(r"<details><summary>前提</summary><ul>(.*?)</ul>", bcp, re.S)[1]
    assert "の損害額: 仮定（" in html.unescape(assumed) and "assumption" not in assumed


def test_the_losses_page_warns_of_a_no_exposure_cell_in_its_language(app):
    texts = given(**{"organisation.size": "団体等", "quote.years": "1000", "quote.seed": "5"})
    job = re.search(r'data-job="([^"]+)"', get(app, "/losses", texts)[1])
    assert app.state.jobs.wait(job[1], 120).state == "done"
    ja, en = (re.findall(r'<p class="error">(.*?)</p>', get(app, "/losses", {**texts, "lang": lang})[1], re.S)
              for lang in ("ja", "en"))
    assert html.unescape(ja[0]).startswith("業種「製造業」には規模「団体等」の組織がキャリブレーションにない"), ja
    assert html.unescape(en[0]).startswith("industry 'manufacturing' has no exposure of size 'organisation'"), en


def test_the_help_of_every_field_is_in_the_page_s_language(app):
    helps = r'<div class="field[^"]*" id="field-([^"]+)">.*?<p class="help">(.*?)(?: <span class="source">|</p>)'
    texts = given(**{"terms.deductible": "-1", "simulation.years": "1", "quote.years": "1"})
    for page in ("organisation", "cover", "bcp"):
        ja, en = (get(app, f"/{page}", {**texts, "lang": lang})[1] for lang in ("ja", "en"))
        shown = dict(re.findall(helps, ja, re.S))
        assert shown and all(JAPANESE.search(h) for h in shown.values()), {p: h for p, h in shown.items()
                                                                           if not JAPANESE.search(h)}
        assert {p: html.unescape(h) for p, h in re.findall(helps, en, re.S)} == {
            p: forms.BY_PATH[p].field.help for p in shown}
        # where a default comes from: its quality in Japanese, or the data file it is read from
        sources = re.findall(r'<span class="source">\((.*?)\)</span>', ja)
        assert sources and all(JAPANESE.search(s) or re.fullmatch(r"data/[\w./]+ [\w.]+", s) for s in sources), sources


class Pipe:
    """The worker's end of its pipe to the server, keeping what it is sent."""

    def __init__(self):
        self.messages: list[tuple] = []

    def send(self, message: tuple) -> None:
        self.messages.append(message)

    def close(self) -> None:
        pass


def run_in_worker(kind: str, document: dict, lang: str) -> dict[str, object]:
    """The messages of ``worker.main`` on a document for a page in ``lang``, by name, in the
    order sent (progress left out)."""
    pipe = Pipe()
    worker.main(kind, document, pipe, lang)
    return {m[0]: m[1] for m in pipe.messages if m[0] != "progress"}


FIGURES = {"quote": ("ep_svg", "decision_svg"), "bcp": ("svg",)}


@pytest.mark.parametrize("kind, document, lang", [("quote", SMALL, "ja"), ("bcp", SMALL_BCP, "en")])
def test_a_run_sends_its_page_s_figures_with_the_result_and_the_other_language_s_after_it(kind, document, lang):
    # the page's reader waits for their own language's figures only
    other = "en" if lang == "ja" else "ja"
    sent = run_in_worker(kind, document, lang)
    assert list(sent) == ["result", "figures", *(["report"] if kind == "quote" else [])]
    result, later = sent["result"], sent["figures"]
    assert {key: list(result[key]) for key in FIGURES[kind]} == {key: [lang] for key in FIGURES[kind]}
    assert {key: list(later[key]) for key in later} == {key: [other] for key in FIGURES[kind]}
    for key in FIGURES[kind]:
        assert result[key][lang].startswith("<svg") and later[key][other].startswith("<svg")
        assert result[key][lang] != later[key][other]


def figure(body: str, figure_id: str) -> str:
    return re.search(rf'<div class="figure" id="{figure_id}">(.*?)</div>', body, re.S)[1]


@pytest.mark.parametrize("kind, pages, lang", [
    ("quote", {"losses": "ep-plot", "cover": "decision-plot"}, "ja"), ("bcp", {"bcp": "bcp-plot"}, "en")])
def test_a_page_in_the_other_language_before_its_figures_are_drawn_says_so_and_shows_them_once_drawn(
        app, monkeypatch, kind, pages, lang):
    texts = given(**{"quote.years": "1000", "simulation.years": "2000", "quote.seed": "3", "simulation.seed": "3"})
    document = forms.read(texts, kind).document
    sent = run_in_worker(kind, document, lang)
    stored = sent["result"]           # as the server keeps it between the result and the other figures
    key = web_app.inputs_key(kind, document)
    kept = jobs.Job("drawing", kind, document, key, lang, result=stored)     # its worker still draws
    monkeypatch.setattr(app.state.jobs, "kept", lambda k: kept if k == key else None)
    other = "en" if lang == "ja" else "ja"
    note = {"ja": "図はまだ描画中です", "en": "The figure is still being drawn"}
    for page, figure_id in pages.items():
        status, body = get(app, f"/{page}", {**texts, "lang": other})
        assert status == 200 and "data-job" not in body          # the result, not another run
        shown = figure(body, figure_id)
        assert "<svg" not in shown and note[other] in html.unescape(shown), shown
        assert "<svg" in figure(get(app, f"/{page}", {**texts, "lang": lang})[1], figure_id)
    for name, drawn in sent["figures"].items():
        stored[name] = {**stored[name], **drawn}
    for page, figure_id in pages.items():
        status, body = get(app, f"/{page}", {**texts, "lang": other})
        assert status == 200 and "<svg" in figure(body, figure_id) and note[other] not in body


def test_a_run_is_started_for_its_page_s_language_and_its_result_gets_every_language_s_figures(app):
    manager = app.state.jobs
    with pytest.raises(ValueError, match="lang must be one of ja, en, got 'fr'"):
        manager.submit("quote", SMALL, "fr", lang="fr")
    texts = given(**{"quote.years": "1000", "quote.seed": "13"})
    job = manager.get(re.search(r'data-job="([^"]+)"', get(app, "/losses", {**texts, "lang": "en"})[1])[1])
    assert job.lang == "en"
    assert manager.wait(job.id, 120).state == "done"
    assert worker_ended(job).late == jobs.DRAWN
    result = manager.kept(job.key).result
    assert set(result["ep_svg"]) == set(result["decision_svg"]) == {"ja", "en"}
    status, body = get(app, "/losses", texts)                  # the Japanese page: the same result
    assert status == 200 and "data-job" not in body and "<svg" in figure(body, "ep-plot")


def worker_ended(job: jobs.Job, timeout: float = 60) -> jobs.Job:
    """``job`` once its worker has ended (it draws on after the result)."""
    end = time.monotonic() + timeout
    while job.finished is None and time.monotonic() < end:
        time.sleep(0.05)
    assert job.finished is not None, "the worker has not ended"
    return job


@pytest.mark.parametrize("kind, pages, lang, fault, sent", [
    # the worker killed (out of memory) before the other language's figures and the report
    ("quote", {"losses": "ep-plot", "cover": "decision-plot"}, "ja", "killed", 0),
    # a drawing library's error in the report, after the other language's figures
    ("quote", {"losses": "ep-plot", "cover": "decision-plot"}, "en", "crash", 1),
    # a ValueError, which the worker sends as an error (ignored once the result is in)
    ("quote", {"losses": "ep-plot"}, "en", "value_error", 0),
    ("bcp", {"bcp": "bcp-plot"}, "en", "killed", 0)])
def test_what_a_worker_fails_to_draw_after_the_result_is_shown_as_failed_and_can_be_run_again(
        app, caplog, kind, pages, lang, fault, sent):
    # the pages said "still being drawn" and the download "try again in a few seconds" for ever
    texts = given(**{"quote.years": "1000", "simulation.years": "2000", "quote.seed": "31", "simulation.seed": "31",
                     "organisation.name": f"{fault} {sent}"})
    document = forms.read(texts, kind).document
    key = web_app.inputs_key(kind, document)
    manager = app.state.jobs
    job = manager.submit(kind, late_faults.Breaking(document, fault, sent), key, lang)
    assert manager.wait(job.id, 120).state == "done", job.error
    assert worker_ended(job).late == jobs.LOST
    lost = [r.getMessage() for r in caplog.records if r.name == "cyberloss.web" and job.id in r.getMessage()]
    assert any("ended before drawing what follows its result" in m for m in lost), lost
    other = "en" if lang == "ja" else "ja"
    figures_lost = sent == 0      # the other language's figures are the first message after the result
    for page_lang in ("ja", "en"):
        words = text.texts(page_lang)
        for page, figure_id in pages.items():
            status, body = get(app, f"/{page}", {**texts, "lang": page_lang})
            assert status == 200 and "data-job" not in body         # the result, numbers and all
            notice = html.unescape(re.search(r'<p class="error" id="late-lost" role="alert">(.*?)</p>', body)[1])
            assert notice.startswith(words["late_lost"]) and words["again"] in notice
            shown = html.unescape(figure(body, figure_id))
            assert words["figure_pending"] not in shown
            if page_lang == other and figures_lost:
                assert "<svg" not in shown and words["figure_lost"] in shown and words["again"] in shown
            else:
                assert "<svg" in shown and words["figure_lost"] not in shown
        if kind == "quote":
            for what in ("report.html", "report.xlsx"):
                status, body = get(app, f"/download/{what}", {**texts, "lang": page_lang})
                assert (status, body) == (500, "error: " + words["report_lost"])
    # the Japanese words on the Japanese page
    ja = get(app, f"/{next(iter(pages))}", texts)[1]
    assert "図またはレポートの一部を作成できませんでした" in html.unescape(ja) and ">もう一度計算</a>" in ja
    # run again: a new run of the same inputs, whose page then has every figure
    again = html.unescape(re.search(r'id="late-lost".*?<a class="again" href="([^"]+)"', ja, re.S)[1])
    path, query = again.split("?")
    params = dict(urllib.parse.parse_qsl(query))
    assert params.pop("again") == job.id and forms.read(params, kind).document == document
    rerun = re.search(r'data-job="([^"]+)"', get(app, path, {**params, "again": job.id})[1])
    assert rerun and rerun[1] != job.id
    assert worker_ended(manager.wait(rerun[1], 120)).late == jobs.DRAWN
    for page_lang in ("ja", "en"):
        for page, figure_id in pages.items():
            body = get(app, f"/{page}", {**params, "again": job.id, "lang": page_lang})[1]   # not run a third time
            assert "data-job" not in body and 'id="late-lost"' not in body and "<svg" in figure(body, figure_id)
    if kind == "quote":
        assert get(app, "/download/report.html", texts)[0] == 200


def test_three_runs_with_a_limit_of_two_all_complete_the_third_after_one_of_the_first():
    manager = jobs.JobManager(max_running=2, max_queued=1)
    try:
        submitted = [manager.submit("bcp", SMALL_BCP, f"k{i}") for i in range(3)]
        assert [j.state for j in submitted] == ["running", "running", "queued"]
        with pytest.raises(jobs.Busy, match="1 runs are already waiting"):
            manager.submit("bcp", SMALL_BCP, "one too many")
        done = [manager.wait(j.id, 120) for j in submitted]
        assert [j.state for j in done] == ["done"] * 3, [j.error for j in done]
        first, second, third = done
        assert third.started >= min(first.finished, second.finished)
        assert len({repr(j.result["rows"]) for j in done}) == 1
    finally:
        manager.shutdown()


def test_the_same_inputs_requested_again_follow_the_run_already_going(app):
    # a refresh or a second tab: one run, not one per request (nor a refusal once 16 wait)
    texts = given(**{"simulation.years": "2000000", "simulation.seed": "11"})
    seen = set()
    for _ in range(20):
        status, body = get(app, "/bcp", texts)
        assert status == 200, body
        seen.add(re.search(r'data-job="([^"]+)"', body)[1])
    assert len(seen) == 1
    manager = app.state.jobs
    job = manager.get(seen.pop())
    manager.cancel(job.id)
    again = manager.submit(job.kind, job.document, job.key)      # a cancelled run is not followed
    assert again is not job
    manager.cancel(again.id)


def test_a_cancelled_run_stops_within_two_seconds_and_its_memory_is_freed():
    manager = jobs.JobManager(max_running=1)
    try:
        big = {**SMALL, "quote": {"years": 10_000_000, "seed": 7}}
        job = manager.submit("quote", big, "big")
        waiting = manager.submit("bcp", SMALL_BCP, "small")
        end = time.monotonic() + 60
        while job.progress == 0 and time.monotonic() < end:
            time.sleep(0.02)
        assert job.state == "running" and job.pid is not None
        rss = int(Path(f"/proc/{job.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        start = time.monotonic()
        manager.cancel(job.id)
        stopped = time.monotonic() - start
        assert stopped < 2.0 and job.state == "cancelled"
        assert not Path(f"/proc/{job.pid}").exists(), "the cancelled worker still holds its memory"
        assert rss > 50 * 2**20          # it held the simulation's memory while it ran
        assert manager.wait(waiting.id, 120).state == "done"   # the queue moves on
    finally:
        manager.shutdown()




# ----- the pages in a browser --------------------------------------------------------------
EXAMPLE = ROOT / "examples" / "sme_manufacturer.toml"
YEARS = 200_000
SHOTS = ROOT / "build" / "test-output" / "web"
# Japanese as a risk manager types it: the industry and size by their survey labels, amounts in 億円/万円
ORGANISATION_JA = {"organisation.name": "SME manufacturer (example)", "organisation.industry": "製造業",
                   "organisation.size": "中小企業", "organisation.revenue": "30億円",
                   "organisation.employees": "120", "organisation.personal_records": "20000",
                   "organisation.controls.offline_backups": "true",
                   "organisation.controls.mfa_remote_access": "true",
                   "quote.years": str(YEARS), "quote.seed": "20260701",
                   "quote.levels": "0.99, 0.999, 0.9995, 0.9999"}
COVER_JA = {"terms.deductible": "10万円", "terms.aggregate_limit": "1億円", "terms.cover_prevention": "false",
            "terms.sections.response.limit": "1億円",
            "terms.sections.response.sublimits.investigation": "3000万円",
            "terms.sections.response.sublimits.condolence": "500万円",
            "terms.sections.liability.limit": "1億円",
            "terms.sections.business_interruption.limit": "5000万円",
            "terms.sections.business_interruption.waiting_period_days": "0.5",
            "terms.sections.business_interruption.indemnity_period_days": "90",
            "quote.loads.expense_ratio": "0.30", "quote.loads.profit_ratio": "0.05",
            "quote.decision.deductibles": "0, 10万円, 50万円, 100万円, 300万円, 1000万円",
            "quote.decision.limits": "3000万円, 5000万円, 1億円, 3億円, 5億円, 10億円",
            "quote.decision.principle.name": "expected_value", "quote.decision.cost_of_capital": "0.10",
            "quote.decision.tail_level": "0.99"}


def cyberloss(*args: str, **kw) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("cyberloss")
    command = [str(script)] if script.exists() else [sys.executable, "-c",
                                                      "import sys; from cyberloss.cli import main; sys.exit(main())"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=False, **kw)


@pytest.fixture(scope="module")
def server():
    """`cyberloss serve` on a free loopback port, two runs at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = Path(sys.executable).with_name("cyberloss")
    command = [str(script)] if script.exists() else [sys.executable, "-c",
                                                      "import sys; from cyberloss.cli import main; sys.exit(main())"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS.parent / "web-server.log", "w", encoding="utf-8")
    proc = subprocess.Popen([*command, "serve", "--port", str(port), "--max-runs", "2", "--lang", "ja"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/organisation", timeout=5).read()
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"cyberloss serve did not start: {(SHOTS.parent / 'web-server.log').read_text()}") from exc
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, with every request that does not go to 127.0.0.1 blocked:
    host names other than 127.0.0.1 do not resolve and every other address goes to a proxy
    that is not there."""
    webdriver = pytest.importorskip("selenium.webdriver")
    for binary in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        assert Path(binary).exists(), f"{binary} missing: `make test` installs Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2200",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(arg)
    from selenium.webdriver.chrome.service import Service
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_script_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def fill(driver, values: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    for path, value in values.items():
        element = driver.find_element(By.ID, path)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def wait_for(driver, element_id: str, timeout: float = 120):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.ID, element_id)))


def submit(driver) -> None:
    from selenium.webdriver.common.by import By
    driver.find_element(By.ID, "submit").click()


def submit_and_wait_for(driver, element_id: str, timeout: float = 120):
    """Submit, then wait for element_id on the page the submission loads: when the page
    submitted holds an element of that id too, it must not be taken for the new one (seen
    once in CI: the old Cover page's recommendation found, then gone with the navigation)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    page = driver.find_element(By.TAG_NAME, "html")
    submit(driver)
    WebDriverWait(driver, timeout).until(ec.staleness_of(page))
    return wait_for(driver, element_id, timeout)


def offline_checks(driver, name: str) -> None:
    """Every resource the page loaded came from 127.0.0.1, a request elsewhere fails, the
    plots are drawn and the Japanese font is loaded and covers the Japanese text."""
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(r.startswith("http://127.0.0.1:") for r in resources), resources
    outside = driver.execute_async_script(
        "const done = arguments[0]; fetch('http://example.com/', {mode: 'no-cors'})"
        ".then(() => done('reached'), () => done('blocked'))")
    assert outside == "blocked"
    font = driver.execute_async_script(
        "const done = arguments[0]; document.fonts.load('16px cyberloss-ja', '製造業')"
        ".then(f => done([f.length, document.fonts.check('16px cyberloss-ja', '製造業')]), e => done(String(e)))")
    assert font == [1, True], font
    for svg in driver.execute_script("return [...document.querySelectorAll('.figure svg')]"
                                     ".map(s => s.getBoundingClientRect().width)"):
        assert svg > 200
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def cli_quote():
    run = cyberloss("quote", str(EXAMPLE), "--json", "--years", str(YEARS))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_a_risk_manager_gets_the_cli_numbers_in_the_browser_offline(server, browser, cli_quote, tmp_path):
    from selenium.webdriver.common.by import By

    from cyberloss.report import money
    browser.get(server + "/organisation")
    offline_checks(browser, "1-organisation")
    fill(browser, ORGANISATION_JA)
    from selenium.webdriver.support.ui import WebDriverWait
    margin = browser.find_element(By.ID, "organisation.gross_margin")   # left empty: the data's default shows
    WebDriverWait(browser, 10).until(lambda d: margin.get_attribute("placeholder") == "未入力時: 20%")
    submit(browser)                                 # -> Losses: runs with the default policy
    wait_for(browser, "expected-loss")
    browser.find_element(By.ID, "nav-cover").click()
    wait_for(browser, "recommendation")
    fill(browser, COVER_JA)
    submit_and_wait_for(browser, "recommendation")  # -> Cover: the example's policy and grid
    offline_checks(browser, "3-cover")
    deductible = browser.find_element(By.ID, "recommended-deductible")
    limit = browser.find_element(By.ID, "recommended-limit")
    rec = cli_quote["recommended"]
    assert float(deductible.get_attribute("data-value")) == rec["deductible"]
    assert float(limit.get_attribute("data-value")) == rec["limit"]
    assert (deductible.text, limit.text) == (money.format_yen(rec["deductible"]), money.format_yen(rec["limit"]))
    browser.find_element(By.ID, "nav-losses").click()
    shown = wait_for(browser, "expected-loss")
    offline_checks(browser, "2-losses")
    assert float(shown.get_attribute("data-value")) == cli_quote["expected_loss"]["gross"]
    assert shown.text == money.format_yen(cli_quote["expected_loss"]["gross"])
    sha = browser.find_element(By.ID, "sha256").text
    assert sha == cli_quote["annual_loss_sha256"]
    # acceptance 2: the downloaded profile, through cyberloss quote, gives the page's hash
    profile = tmp_path / "profile.toml"
    profile.write_bytes(urllib.request.urlopen(browser.find_element(By.ID, "dl-toml").get_attribute("href")).read())
    again = cyberloss("quote", str(profile), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["annual_loss_sha256"] == sha
    report_url, end = browser.find_element(By.ID, "dl-report").get_attribute("href"), time.monotonic() + 60
    while True:         # the worker draws the report after the page's result
        try:
            report = urllib.request.urlopen(report_url).read()
            break
        except urllib.error.HTTPError as exc:
            assert exc.code == 409 and time.monotonic() < end, exc
            time.sleep(0.5)
    assert '<html lang="ja">' in report.decode() and "免責金額と支払限度額" in report.decode()   # the page's language
    # the same quote as an Excel workbook (the tables of `cyberloss quote --xlsx`)
    workbook = urllib.request.urlopen(browser.find_element(By.ID, "dl-xlsx").get_attribute("href")).read()
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None, index_col=0)
    assert list(sheets) == ["見積り", "統計量", "保険料", "補償項目別の保険料", "超過確率曲線", "免責金額×支払限度額"]
    # the page in English: the same result, its figure drawn in English after the Japanese page's result
    from selenium.webdriver.support import expected_conditions as ec
    japanese_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "a.lang").click()
    WebDriverWait(browser, 30).until(ec.staleness_of(japanese_page))
    assert wait_for(browser, "sha256").text == sha and browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    offline_checks(browser, "2-losses-en")
    assert browser.execute_script("return document.querySelectorAll('#ep-plot svg').length") == 1
    # the shareable URL opens the same page with the same numbers
    browser.get(browser.find_element(By.ID, "share").get_attribute("value"))
    assert wait_for(browser, "sha256").text == sha
    bcp = browser.find_element(By.ID, "nav-bcp").get_attribute("href")
    browser.get(bcp + "&simulation.years=20000")    # the BCP page's own setting, kept short here
    wait_for(browser, "bcp-table")
    offline_checks(browser, "4-bcp")


@pytest.mark.parametrize("page, values, field", [
    ("organisation", {"organisation.revenue": "-5"}, "organisation.revenue"),
    ("organisation", {"organisation.industry": "製造"}, "organisation.industry"),
    ("cover", {"terms.deductible": "100万円", "terms.aggregate_limit": "50万円"}, "terms.aggregate_limit"),
    ("organisation", {"quote.years": "1000000000000"}, "quote.years"),
])
def test_bad_input_shows_its_error_next_to_the_field_and_the_server_keeps_serving(server, browser, page, values, field):
    from selenium.webdriver.common.by import By
    base = {k: v for k, v in ORGANISATION_JA.items() if k not in values}
    browser.get(server + "/organisation?" + urllib.parse.urlencode({**forms.INITIAL, **base, "quote.years": "1000"}))
    if page == "cover":
        browser.find_element(By.ID, "nav-cover").click()
        wait_for(browser, "recommendation")
    fill(browser, values)
    submit(browser)
    error = wait_for(browser, f"error-{field}", 30)
    container = browser.find_element(By.ID, f"field-{field}")
    assert error.is_displayed() and error in container.find_elements(By.CLASS_NAME, "error")
    assert field.split(".")[-1] in error.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", error)
    browser.save_screenshot(str(SHOTS / f"error-{field}.png"))
    assert urllib.request.urlopen(server + "/organisation").status == 200


def test_a_run_shows_progress_is_cancelled_from_its_tab_and_leaves_the_other_tab_alone(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    first = browser.current_window_handle
    browser.get(server + "/losses?" + urllib.parse.urlencode({**forms.INITIAL, **ORGANISATION_JA,
                                                              "quote.years": "10000000"}))
    WebDriverWait(browser, 60).until(lambda d: float(d.find_element(By.ID, "run-progress").get_attribute("value")) > 0)
    browser.save_screenshot(str(SHOTS / "run-progress.png"))
    job = browser.find_element(By.ID, "run").get_attribute("data-job")
    start = time.monotonic()
    urllib.request.urlopen(server + "/organisation").read()
    assert time.monotonic() - start < 2.0, "the server is not responsive while a run goes on"
    browser.switch_to.new_window("tab")             # a second tab, another run at the same time
    browser.get(server + "/losses?" + urllib.parse.urlencode({**forms.INITIAL, **ORGANISATION_JA,
                                                              "quote.years": "20000", "quote.seed": "3"}))
    browser.switch_to.window(first)
    browser.find_element(By.ID, "cancel").click()
    WebDriverWait(browser, 2).until(lambda d: not d.find_element(By.ID, "again").get_attribute("hidden"))
    status = json.loads(urllib.request.urlopen(f"{server}/api/runs/{job}").read())
    assert status["state"] == "cancelled"
    browser.switch_to.window(browser.window_handles[-1])
    assert "万円" in wait_for(browser, "expected-loss", 120).text
    browser.close()
    browser.switch_to.window(first)


def test_requests_are_bounded_and_refusals_are_one_line(server):
    def status(url, data=None, headers=None):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {})) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
    assert status(server + "/organisation?" + "x=1&" * 500)[0] == 413
    assert status(server + "/organisation?a=" + "x" * 20_000)[0] == 414
    assert status(server + "/api/runs/none/cancel", data=b"x" * 70_000)[0] == 413
    code, body = status(server + "/download/quote.json?" + urllib.parse.urlencode({**forms.INITIAL, **ORGANISATION_JA, "quote.years": "1001"}))
    assert code == 409 and body.count("\n") == 0
    for lang, said in (("ja", "この計算はまだ終わっていません"), ("en", "this run has not finished")):   # the page's language
        query = urllib.parse.urlencode({**forms.INITIAL, **ORGANISATION_JA, "quote.years": "1001", "lang": lang})
        assert said in status(server + "/download/quote.json?" + query)[1]
    assert status(server + "/api/runs/nothing")[0] == 404
    code, body = status(server + "/download/..%2F..%2Fetc%2Fpasswd")
    assert code == 404 and body.count("\n") == 0 and "root:" not in body
    assert status(server + "/api/runs/nothing/cancel", data=b"", headers={"Origin": "http://elsewhere.example"})[0] == 403
    assert status(server + "/organisation", headers={"Host": "attacker.example"})[0] == 400
    assert status(server + "/organisation")[0] == 200


@pytest.mark.filterwarnings("ignore:Please use `import python_multipart`:PendingDeprecationWarning")   # serve's check
@pytest.mark.parametrize("locale, lang", [("ja_JP.UTF-8", "ja"), ("C.UTF-8", "en")])
def test_the_pages_language_follows_the_locale_as_every_command_s_lang_does(monkeypatch, capsys, locale, lang):
    import uvicorn

    from cyberloss.cli import main
    assert main(["serve", "--help"]) == 0
    assert "default: ja when the locale is Japanese, else en" in " ".join(capsys.readouterr().out.split())
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["serve", "--port", str(port)]) == 0
    try:
        assert f'<html lang="{lang}">' in get(served[0], "/organisation")[1]
    finally:
        served[0].state.jobs.shutdown()


def test_an_address_it_cannot_listen_on_is_refused_in_one_line():
    # a port another program holds, and a host name that does not resolve: one error line
    # naming the option, status 2 (the server logged its own error and exited 3)
    script = Path(sys.executable).with_name("cyberloss")
    command = [str(script)] if script.exists() else [sys.executable, "-c",
                                                      "import sys; from cyberloss.cli import main; sys.exit(main())"]

    def serve(*argv: str) -> tuple[int, list[str]]:
        done = subprocess.run([*command, "serve", *argv], capture_output=True, text=True, timeout=60)
        return done.returncode, done.stderr.strip().splitlines()

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        status, err = serve("--port", str(held.getsockname()[1]))
    assert status == 2 and len(err) == 1 and "--port" in err[0], err
    assert err[0].startswith("cyberloss serve: error:")
    status, err = serve("--host", "nonexistent.invalid")
    assert status == 2 and len(err) == 1 and "--host" in err[0], err
