"""Experience fitting: the truncated/censored lognormal MLE, the credibility update of the
frequency, the fitted calibration (save, load, use in quote / bcp / portfolio / uncertainty)
and ``cyberloss fit``."""
from __future__ import annotations

import datetime
import itertools
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from cyberloss import calibration, experience
from cyberloss import random as clrandom
from cyberloss.calibration import FittedCalibration, uncertainty
from cyberloss.cli import main
from cyberloss.experience import severity as sev
from cyberloss.experience import synthetic
from cyberloss.portfolio import Portfolio
from cyberloss.report import text

D, L = 1e6, 1e8            # deductible 100万円, limit 1億円


def lognormal_claims(n_wanted: int, mu: float, sigma: float, seed: int, d: float = D, limit: float = L):
    """Ground-up losses above ``d`` from LN(mu, sigma) (cyberloss.random streams), censored at d + limit."""
    u = np.asarray(clrandom.uniform_at(seed, clrandom.stream_id(clrandom.Purpose.USER, 7), 0,
                                       np.arange(50 * n_wanted, dtype=np.int64))).ravel()
    x = np.exp(mu + sigma * np.asarray(clrandom.normal_quantile(u), dtype=float))
    x = x[x > d][:n_wanted]
    assert x.size == n_wanted
    cap = d + limit
    return sev.Observations.from_losses(np.minimum(x, cap), x >= cap, np.full(x.size, d))


@pytest.fixture(scope="module")
def cal():
    return calibration.load()


def test_normal_tail_matches_erfc_and_the_asymptote():
    z = np.array([-30.0, -3.0, 0.0, 1.0, 4.999, 5.0, 7.5, 20.0])
    log_sf, hazard = sev.normal_tail(z)
    ref = np.array([math.log(0.5 * math.erfc(v / math.sqrt(2))) for v in z])
    assert np.allclose(log_sf, ref, rtol=1e-12, atol=1e-300)
    phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    assert np.allclose(hazard, phi / np.exp(ref), rtol=1e-11)
    big = sev.normal_tail(np.array([1e3]))
    assert big[1][0] == pytest.approx(1e3 + 1e-3 - 2e-9, rel=1e-13)   # h(z) = z + 1/z - 2/z^3 + ...


def test_analytic_gradient_and_hessian_match_finite_differences():
    obs = lognormal_claims(200, math.log(3e6), 1.7, seed=3)
    theta = np.array([14.8, 0.4])
    _, g, h = sev._terms(obs, *theta)
    eps = 1e-6
    for i in range(2):
        e = np.zeros(2)
        e[i] = eps
        lp, gp, _ = sev._terms(obs, *(theta + e))
        lm, gm, _ = sev._terms(obs, *(theta - e))
        assert g[i] == pytest.approx((lp - lm) / (2 * eps), rel=1e-6)
        assert h[i] == pytest.approx((gp - gm) / (2 * eps), rel=1e-5)


def test_recovery_truncated_censored_fit_within_3se_naive_fit_biased():
    """Acceptance 1: 500 claims through a 100万円 deductible and a 1億円 limit."""
    mu, sigma = math.log(5e6), 1.8
    obs = lognormal_claims(500, mu, sigma, seed=11)
    assert 5 <= obs.censored.sum() <= 100          # the limit bites
    fit = sev.fit_lognormal(obs)
    naive = sev.fit_naive(obs)
    assert abs(fit.mu - mu) < 3 * fit.se_mu and abs(fit.sigma - sigma) < 3 * fit.se_sigma
    # the naive fit sits far outside its own standard errors: above the true median, below
    # the true spread (by more than 3 SE of the aware fit too)
    assert naive.mu - mu > 5 * naive.se_mu and sigma - naive.sigma > 5 * naive.se_sigma
    assert sigma - naive.sigma > 3 * fit.se_sigma
    assert fit.n == 500 and fit.truncated == 500 and fit.censored == int(obs.censored.sum())


def test_standard_errors_match_the_spread_over_replications():
    mu, sigma = math.log(5e6), 1.8
    fits = [sev.fit_lognormal(lognormal_claims(300, mu, sigma, seed=s)) for s in range(12)]
    mus = np.array([f.mu for f in fits])
    se = np.mean([f.se_mu for f in fits])
    # the mean of 12 fits is within 3 SE/sqrt(12) of the truth; their sd within a factor 2 of the SE
    assert abs(mus.mean() - mu) < 3 * se / math.sqrt(12)
    assert 0.5 < mus.std(ddof=1) / se < 2.0


def test_without_truncation_or_censoring_the_mle_is_the_log_moments():
    y = np.log([1e5, 3e5, 2e6, 7e6, 4e7])
    obs = sev.Observations.from_losses(np.exp(y))
    fit = sev.fit_lognormal(obs)
    assert fit.mu == pytest.approx(y.mean(), abs=1e-9)
    assert fit.sigma == pytest.approx(y.std(), rel=1e-9)
    assert fit.se_mu == pytest.approx(y.std() / math.sqrt(5), rel=1e-6)


def test_all_censored_needs_a_prior_and_then_moves_up_from_it():
    obs = sev.Observations.from_losses(np.full(6, D + L), np.ones(6, bool), np.full(6, D))
    with pytest.raises(ValueError, match="at least two different uncensored losses"):
        sev.fit_lognormal(obs)
    prior = sev.LognormalPrior(math.log(5e6), 1.5, 10.0)
    fit = sev.fit_lognormal(obs, prior)
    assert fit.mu > prior.mu and math.isfinite(fit.se_mu) and fit.censored == 6


def test_tiny_samples_and_degenerate_data():
    with pytest.raises(ValueError, match="two different uncensored"):
        sev.fit_lognormal(sev.Observations.from_losses([2e6]))
    with pytest.raises(ValueError, match="two different uncensored"):
        sev.fit_lognormal(sev.Observations.from_losses([2e6, 2e6, 2e6]))
    one = sev.fit_lognormal(sev.Observations.from_losses([2e6], [False], [D]),
                            sev.LognormalPrior(math.log(3e6), 1.5, 10.0))
    assert math.log(2e6) < one.mu < math.log(3e6) + 0.5
    # three claims just above a deductible look like a decreasing density: the truncated
    # likelihood runs off to mu -> -inf, sigma -> inf; refused without a prior, fitted with one
    three = sev.Observations.from_losses([2e6, 5e6, 9e7], [False, False, True], [D] * 3)
    with pytest.raises(ValueError, match="no interior maximum"):
        sev.fit_lognormal(three)
    with_prior = sev.fit_lognormal(three, sev.LognormalPrior(math.log(3e6), 1.5, 10.0))
    assert with_prior.iterations < 50 and 1.0 < with_prior.sigma < 3.0
    plain = sev.fit_lognormal(sev.Observations.from_losses([2e6, 5e6, 9e7], [False, False, True]))
    assert plain.iterations < 50 and plain.sigma > 0
    with pytest.raises(ValueError, match="exceed its deductible"):
        sev.Observations.from_losses([5e5], deductible=[D])
    with pytest.raises(ValueError, match="finite and > 0"):
        sev.Observations.from_losses([float("nan")])


def test_a_plain_mle_the_claims_do_not_pin_is_refused_and_a_prior_fits():
    # Pareto claims above a deductible: the truncated lognormal's likelihood is nearly as high along
    # mu -> -inf, sigma -> inf (its limit is a power law) as at its weak maximum (mu 13.35, sigma 1.87;
    # 0.2 above the limit): that fit's gross-up for the deductible is arbitrary
    d = 3e7
    u = np.asarray(clrandom.uniform_at(3, clrandom.stream_id(clrandom.Purpose.USER, 7), 0,
                                       np.arange(40, dtype=np.int64))).ravel()
    obs = sev.Observations.from_losses(d / u, None, np.full(40, d))
    with pytest.raises(ValueError, match=r"no interior maximum the claims pin \(mu 13.35, sigma 1.868\): the "
                                         r"log-likelihood at sigma 50 is within 0.202 .*severity prior weight > 0"):
        sev.fit_lognormal(obs)
    fit = sev.fit_lognormal(obs, sev.LognormalPrior(math.log(1e7), 1.5, 5.0))
    assert math.isfinite(fit.se_mu) and fit.se_mu < 1


def test_product_limit_without_truncation_is_kaplan_meier():
    obs = sev.Observations.from_losses([1, 2, 3, 4, 5.0], [False, True, False, False, True])
    y, s = sev.product_limit(obs)
    assert np.allclose(np.exp(y), [1, 3, 4])
    assert np.allclose(s, [4 / 5, 4 / 5 * 2 / 3, 4 / 5 * 2 / 3 * 1 / 2])


def _exposure(cal, policy_years):
    return pd.DataFrame({"industry": ["manufacturing", "wholesale_retail"], "size": ["sme", "sme"],
                         "period": ["2024", "2024"], "policy_years": [policy_years] * 2})


def test_credibility_small_book_stays_near_the_prior(cal):
    """Acceptance 2: with about 5 claims every fitted rate stays within 20% of the prior."""
    expo = _exposure(cal, 5000.0)
    claims = synthetic.claims_book(cal, expo, seed=1, rate_factor=2.0)
    assert len(claims) == 5
    res = experience.fit(claims, expo)
    for g in res.calibration.groups:
        assert 0.8 <= g.factor <= 1.2, g
        assert g.credibility < 0.3
    assert res.calibration.rate("ransomware", "manufacturing", "sme", "all", "recent") == pytest.approx(
        cal.rate("ransomware", "manufacturing", "sme", "all", "recent"), rel=0.2)


def test_credibility_large_book_finds_twice_the_rate(cal):
    """Acceptance 2: with about 5,000 claims from a model at twice the prior rate the fitted
    rate is within 10% of the truth."""
    expo = _exposure(cal, 5_000_000.0)
    claims = synthetic.claims_book(cal, expo, seed=6, rate_factor=2.0)
    assert 4000 <= len(claims) <= 6500
    res = experience.fit(claims, expo)
    table = res.credibility_table()
    big = table[table["claims"] >= 200]
    assert len(big) >= 2
    assert np.all(np.abs(big["factor"] / 2.0 - 1.0) < 0.10), big
    total = (table["factor"] * table["expected_prior"]).sum() / table["expected_prior"].sum()
    assert abs(total / 2.0 - 1.0) < 0.10
    # the severity is JNSA's (the book was drawn from it): every fitted mu within 3 SE
    for a, f in res.fits.items():
        if f.n >= 100:
            assert abs(f.mu - cal.major_severity_parameters(a).mu) < 3 * f.se_mu + 0.05


@pytest.fixture(scope="module")
def book(cal, tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    expo = _exposure(cal, 300_000.0)
    truth = {"ransomware": (cal.major_severity_parameters("ransomware").mu + 0.5, 1.6)}
    claims = synthetic.claims_book(cal, expo, seed=9, rate_factor=1.5, severity=truth)
    claims.to_csv(folder / "claims.csv", index=False)
    expo.to_csv(folder / "exposure.csv", index=False)
    return folder, truth


def test_fitted_calibration_saves_loads_and_is_used(cal, book, tmp_path):
    folder, truth = book
    res = experience.fit(folder / "claims.csv", folder / "exposure.csv")
    fitted = res.calibration
    assert fitted.provenance.startswith(f"fitted to {len(res.claims)} claims from claims.csv on ")
    assert fitted.provenance.endswith("prior JNSA 2025")
    path = fitted.save(tmp_path / "fitted.json")
    again = calibration.load(path)
    assert isinstance(again, FittedCalibration) and again.provenance == fitted.provenance
    for a in cal.attack_types:
        assert again.rate(a, "manufacturing", "sme", "all", "recent") == \
            fitted.rate(a, "manufacturing", "sme", "all", "recent")
        assert again.major_severity_parameters(a) == fitted.major_severity_parameters(a)
    mu = fitted.major_severity_parameters("ransomware").mu
    assert abs(mu - truth["ransomware"][0]) < 3 * res.fits["ransomware"].se_mu + 1e-9
    # the contained branch and the minor type stay JNSA's
    assert fitted.contained("ransomware") == cal.contained("ransomware")
    assert fitted.minor_rate("manufacturing", "sme") == cal.minor_rate("manufacturing", "sme")
    # parameter draws keep the fit
    drawn = uncertainty.draw(again, 3, seed=1)
    assert isinstance(drawn, FittedCalibration)
    assert drawn.frequency_factor("ransomware", "sme") == fitted.frequency_factor("ransomware", "sme")
    assert drawn.major_severity_parameters("ransomware") != fitted.major_severity_parameters("ransomware")


def test_portfolio_accepts_a_fitted_calibration(cal, book):
    from cyberloss import portfolio

    folder, _ = book
    fitted = experience.fit(folder / "claims.csv", folder / "exposure.csv").calibration
    base = portfolio.Portfolio.synthetic(20, seed=3)
    mine = portfolio.Portfolio.synthetic(20, seed=3, calibration=fitted)
    assert mine.calibration is fitted
    assert not np.allclose(base.rates, mine.rates)


def test_fit_cli_then_quote_names_the_fitted_calibration(book, tmp_path, capsys):
    """Acceptance 3."""
    folder, _ = book
    out = tmp_path / "fitted.json"
    assert main(["fit", str(folder / "claims.csv"), "--exposure", str(folder / "exposure.csv"),
                 "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["provenance"]["claims_file"] == "claims.csv"
    assert {r["attack_type"] for r in doc["severity"]} >= {"ransomware"}
    assert all(0 <= r["credibility"] <= 1 for r in doc["frequency"])
    profile = "examples/sme_manufacturer.toml"
    assert main(["quote", profile, "--years", "20000", "--json", "--calibration", str(out)]) == 0
    fitted_quote = json.loads(capsys.readouterr().out)
    assert fitted_quote["calibration"].startswith("fitted to ") and "claims.csv" in fitted_quote["calibration"]
    assert main(["quote", profile, "--years", "20000", "--json"]) == 0
    jnsa_quote = json.loads(capsys.readouterr().out)
    assert jnsa_quote["calibration"].startswith("JNSA 2025")
    assert fitted_quote["expected_loss"]["gross"] != jnsa_quote["expected_loss"]["gross"]
    assert main(["quote", profile, "--years", "20000", "--calibration", str(out)]) == 0
    assert "calibration: fitted to " in capsys.readouterr().out


def test_fit_in_japanese(book, capsys):
    folder, _ = book
    argv = ["fit", str(folder / "claims.csv"), "--exposure", str(folder / "exposure.csv")]
    assert main([*argv, "--lang", "ja"]) == 0
    ja = capsys.readouterr().out
    for words in ("実績による当てはめ", "の請求", "事前分布の重み", "攻撃種別", "請求件数", "ランサムウェア感染",
                  "中小企業", "信頼度", "補正係数"):
        assert words in ja, words
    assert not re.search(r"\b(claims|Severity|Frequency|credibility|prior weights|fitted to)\b",
                         ja.replace("claims.csv", "")), ja
    lines = ja.splitlines()
    for heading in ("請求件数", "信頼度"):       # each table's rows as wide as its header
        head = next(i for i, line in enumerate(lines) if heading in line and "攻撃種別" in line)
        rows = list(itertools.takewhile(str.strip, lines[head + 2:]))
        assert rows and {text.width(r) for r in rows} == {text.width(lines[head])}, rows
    assert main([*argv, "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("cyberloss fit: fitted to ")


def test_claims_file_errors_name_row_column_and_value(cal, tmp_path, capsys):
    expo = tmp_path / "e.csv"
    expo.write_text("業種,規模,期間,契約年数\nmanufacturing,中小企業,2024,100\n", encoding="utf-8")
    good = ("claim_id,date,attack_type,industry,size,paid,deductible,limit\n"
            "A,2024-03-01,ランサムウェア感染,manufacturing,sme,500万円,100万円,1億円\n"
            "B,2024-04-01,ransomware,manufacturing,sme,1億円,100万円,1億円\n")
    claims = tmp_path / "c.csv"
    claims.write_text(good, encoding="utf-8")
    table = experience.read_claims(claims, cal)
    assert table["loss"].tolist() == [6e6, 1.01e8] and table["censored"].tolist() == [False, True]
    assert table["attack_type"].tolist() == ["ransomware"] * 2
    assert experience.read_exposure(expo, cal)["size"].tolist() == ["sme"]
    for bad, words in ((good.replace("100万円,1億円\nB", "-5,1億円\nB"), ("row 1", "'deductible'", "-5")),
                       (good.replace("2024-04-01", "2024-13-01"), ("row 2", "'date'", "2024-13-01")),
                       (good.replace("ランサムウェア感染", "phishing"), ("row 1", "'attack_type'", "phishing")),
                       (good.replace(",1億円,100万円", ",2億円,100万円"), ("row 2", "'paid'", "2億円")),
                       (good.replace("500万円", "nan"), ("row 1", "'paid'", "nan"))):
        claims.write_text(bad, encoding="utf-8")
        assert main(["fit", str(claims), "--exposure", str(expo)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("cyberloss fit: error: ") and "\n" not in err
        for w in words:
            assert w in err, (w, err)


CLAIMS_HEAD = "claim_id,date,attack_type,industry,size,ground_up\n"
EXPOSURE_HEAD = "industry,size,period,policy_years\n"


def _claim(cid: str, loss: str = "5000000", size: str = "sme") -> str:
    return f"{cid},2024-03-01,ransomware,manufacturing,{size},{loss}\n"


@pytest.mark.parametrize("name, text, message", [
    # line 1 the header, lines 2-3 a quoted id with a line break, 4-5 blank: A2 is on line 6
    ("claims", CLAIMS_HEAD + _claim('"A\n1"') + "\n\n" + _claim("A2", "-5"),
     r"row 2 \(line 6, claim_id 'A2'\), column 'ground_up': .*, got '-5'"),
    ("claims", CLAIMS_HEAD + _claim("A1") + "\n" + _claim("A1"),
     r"row 2 \(line 4, claim_id 'A1'\), column 'claim_id': duplicates row 1 \(line 2\), got 'A1'"),
    ("claims", CLAIMS_HEAD + _claim("A1") + "\n\nA2,2024-03-01\n",
     r"row 2 \(line 5\) has 2 fields, the header has 6: 'A2,2024-03-01'"),
    ("exposure", EXPOSURE_HEAD + "manufacturing,sme,2024,100\n\n\nmanufacturing,large,2024,-1\n",
     r"row 2 \(line 5\), column 'policy_years': .*, got '-1'"),
    ("exposure", EXPOSURE_HEAD + "\nmanufacturing,sme,2024,100\n\nmanufacturing,sme,2024,5\n",
     r"row 2 \(line 5\), column 'period': repeats the cell manufacturing x sme x 2024 of row 1 "
     r"\(line 3\), got '2024'"),
])
def test_claims_and_exposure_errors_name_the_line_a_row_starts_on(cal, tmp_path, name, text, message):
    """As the portfolio's: the row counts rows only, the line is where the row starts in the
    file (blank lines and line breaks in quoted cells counted); a DataFrame's row has no line."""
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    read = experience.read_claims if name == "claims" else experience.read_exposure
    with pytest.raises(ValueError, match=rf"^{name} file {re.escape(str(path))}, {message}$"):
        read(path, cal)
    if "fields" not in message:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows_only = re.sub(r" \\\(line \d+\\\)|line \d+, ", "", message)
        with pytest.raises(ValueError, match=rf"^{name} file, {rows_only}$"):
            read(frame, cal)


def test_exposure_numbers_may_carry_thousands_separators(cal, tmp_path):
    """policy_years written as spreadsheets write it ("1,200", full width "１，２００") reads
    as the plain number, as a portfolio's headcount does; a misplaced separator is refused."""
    plain, grouped = tmp_path / "plain.csv", tmp_path / "grouped.csv"
    plain.write_text(EXPOSURE_HEAD + "manufacturing,sme,2024,1200\nmanufacturing,large,2024,12000.5\n",
                     encoding="utf-8")
    grouped.write_text(EXPOSURE_HEAD + 'manufacturing,sme,2024,"1,200"\nmanufacturing,large,2024,１２，０００．５\n',
                       encoding="utf-8")
    pd.testing.assert_frame_equal(experience.read_exposure(grouped, cal), experience.read_exposure(plain, cal))
    grouped.write_text(EXPOSURE_HEAD + 'manufacturing,sme,2024,"1,2000"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \(line 2\), column 'policy_years': must be a number "
                                         r"such as 1200 or '1,200', got '1,2000'$"):
        experience.read_exposure(grouped, cal)


CLAIMS_JA = ("事故番号,事故日,攻撃の種類,業種,規模,支払保険金,免責金額,支払限度額\n"
             "A,2024-03-01,ランサムウェア感染,製造業,中小企業,500万円,100万円,1億円\n"
             "B,2024-04-01,ランサムウェア感染,製造業,中小企業,1億円,100万円,1億円\n")
EXPOSURE_JA = "業種,規模,期間,契約年数\n製造業,中小企業,2024,100\n"


def test_claims_and_exposure_saved_by_japanese_excel_are_read(cal, tmp_path, capsys):
    """CP932 (Japanese Excel's "CSV (コンマ区切り)") is detected as for a portfolio, or named by
    --encoding; a file in neither UTF-8 nor CP932 is refused in one line naming the byte."""
    utf8, sjis = tmp_path / "utf8", tmp_path / "sjis"
    for folder, encoding in ((utf8, "utf-8"), (sjis, "cp932")):
        folder.mkdir()
        (folder / "claims.csv").write_bytes(CLAIMS_JA.encode(encoding))
        (folder / "exposure.csv").write_bytes(EXPOSURE_JA.encode(encoding))
    for read, name in ((experience.read_claims, "claims.csv"), (experience.read_exposure, "exposure.csv")):
        pd.testing.assert_frame_equal(read(sjis / name, cal), read(utf8 / name, cal))
        pd.testing.assert_frame_equal(read(sjis / name, cal, "cp932"), read(utf8 / name, cal))
    day = datetime.date(2025, 1, 1)
    assert experience.fit(sjis / "claims.csv", sjis / "exposure.csv", fitted_on=day).to_json() == \
        experience.fit(utf8 / "claims.csv", utf8 / "exposure.csv", fitted_on=day).to_json()
    args = ["fit", str(sjis / "claims.csv"), "--exposure", str(sjis / "exposure.csv"), "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["provenance"]["claims"] == 2
    assert main(args + ["--encoding", "utf-8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(r"claims file .*claims\.csv: not UTF-8 text \(byte 0x", err), err
    (sjis / "claims.csv").write_bytes(CLAIMS_JA.encode("cp932") + b"\x81\x7f\n")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not UTF-8 nor CP932 text" in err and "--encoding" in err, err


@pytest.mark.parametrize("name, text, message", [
    ("claims", CLAIMS_HEAD.replace("claim_id", "claim_id,事故番号") + _claim("A1,A1"),
     r"has column\(s\) \['claim_id'\] more than once \(headers \['claim_id', '事故番号'\]\)"),
    ("exposure", EXPOSURE_HEAD.replace("size", "規模,size") + "manufacturing,sme,sme,2024,100\n",
     r"has column\(s\) \['size'\] more than once \(headers \['規模', 'size'\]\)"),
    ("exposure", EXPOSURE_HEAD.replace("policy_years", "契約年") + "manufacturing,sme,2024,100\n",
     r"has unknown column\(s\) \['契約年'\]; known: \[.*'policy_years', 'revenue'\] or their "
     r"Japanese names \[.*'契約年数', '売上高'\]"),
    ("claims", CLAIMS_HEAD.replace("date,", "") + _claim("A1").replace("2024-03-01,", ""),
     r"is missing column\(s\) \['date'\]; required: \['claim_id', 'date', 'attack_type', 'industry', "
     r"'size'\], optional: \['ground_up', 'paid', 'deductible', 'limit', 'status'\]"),
])
def test_claims_and_exposure_headers_are_checked_as_the_portfolios(cal, tmp_path, name, text, message):
    """A column given by its key and its Japanese name is refused naming both headers, an
    unknown header is refused listing the Japanese names too, as for a portfolio."""
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    read = experience.read_claims if name == "claims" else experience.read_exposure
    with pytest.raises(ValueError, match=rf"^{name} file {re.escape(str(path))} {message}$"):
        read(path, cal)


def test_industries_and_sizes_take_the_spellings_a_portfolio_takes(cal, tmp_path):
    """English in any case, full width and the census labels with 、 or ・ between their parts
    name the keys, as in a portfolio (and a profile); a spelling that names none is refused."""
    keys, spelled = tmp_path / "keys.csv", tmp_path / "spelled.csv"
    keys.write_text(CLAIMS_HEAD + _claim("A1") + _claim("A2").replace("manufacturing", "wholesale_retail")
                    + _claim("A3", size="large"), encoding="utf-8")
    spelled.write_text(CLAIMS_HEAD + _claim("A1", size="SME").replace("manufacturing", "Manufacturing")
                       + _claim("A2", size="ｓｍｅ").replace("manufacturing", "卸売・小売業")
                       + _claim("A3", size="Large Enterprise").replace("manufacturing", "製造業"), encoding="utf-8")
    pd.testing.assert_frame_equal(experience.read_claims(spelled, cal), experience.read_claims(keys, cal))
    expo = tmp_path / "e.csv"
    expo.write_text(EXPOSURE_HEAD + "卸売業、小売業,Sme,2024,100\n", encoding="utf-8")
    assert experience.read_exposure(expo, cal)[["industry", "size"]].values.tolist() == [["wholesale_retail", "sme"]]
    expo.write_text(EXPOSURE_HEAD + "卸売業、小売業,small,2024,100\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \(line 2\), column 'size': must be one of large, sme, "
                                         r"organisation \(or their Japanese labels\), got 'small'$"):
        experience.read_exposure(expo, cal)


@pytest.mark.parametrize("text", ["NaN", "nan", "1e400", "-inf"])
def test_nan_and_overflowing_numbers_are_refused_naming_the_range_as_in_a_portfolio(cal, tmp_path, text):
    """"nan" is not a way to leave a value out and 1e400 is not unlimited: refused with the
    column's range, in the portfolio's words for the same column."""
    claims, book = tmp_path / "c.csv", tmp_path / "p.csv"
    claims.write_text("claim_id,date,attack_type,industry,size,ground_up,deductible\n"
                      f"A1,2024-03-01,ransomware,manufacturing,sme,5000000,{text}\n", encoding="utf-8")
    book.write_text(f"policy_id,industry,size,deductible\nA1,manufacturing,sme,{text}\n", encoding="utf-8")
    with pytest.raises(ValueError) as portfolio_error:
        Portfolio.read(book)
    said = str(portfolio_error.value).split("), ", 1)[1]
    assert said == f"column 'deductible': must be a finite number >= 0 and <= 1e+18, got '{text}'"
    with pytest.raises(ValueError, match=rf"row 1 \(line 2, claim_id 'A1'\), {re.escape(said)}$"):
        experience.read_claims(claims, cal)
    expo = tmp_path / "e.csv"
    expo.write_text(EXPOSURE_HEAD + f"manufacturing,sme,2024,{text}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \(line 2\), column 'policy_years': must be a finite "
                                         rf"number > 0 and <= 1e\+09, got '{text}'$"):
        experience.read_exposure(expo, cal)


def test_fit_plots_render(book, tmp_path, capsys):
    folder, _ = book
    png = tmp_path / "qq.png"
    assert main(["fit", str(folder / "claims.csv"), "--exposure", str(folder / "exposure.csv"),
                 "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "Severity of a major incident" in text and "credibility" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_bcp_and_uncertainty_take_the_fitted_calibration(book, tmp_path, capsys):
    folder, _ = book
    out = tmp_path / "fitted.json"
    experience.fit(folder / "claims.csv", folder / "exposure.csv").calibration.save(out)
    assert main(["bcp", "examples/manufacturer.toml", "--years", "2000", "--json",
                 "--calibration", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["calibration"].startswith("fitted to ")
    fitted = calibration.load(out)
    res = uncertainty.simulate(fitted, "manufacturing", "sme", blocks=2, years_per_block=2000, seed=4)
    jnsa = uncertainty.simulate(calibration.load(), "manufacturing", "sme", blocks=2,
                                years_per_block=2000, seed=4)
    assert not np.allclose(res.blocks["mean"], jnsa.blocks["mean"])


def test_spliced_fit_reaches_a_maximum_next_to_a_kink():
    # The log-likelihood has a kink where a claim sits at the threshold (which moves with mu
    # and sigma); narrow second differences straddling one left this sample's fit indefinite
    # ("no interior maximum") where an independent optimiser finds a clear maximum.
    from scipy import optimize

    from cyberloss.distributions import Lognormal, SplicedLognormalGPD

    body, q = Lognormal(15.0, 1.5), 0.9
    dist = SplicedLognormalGPD(body, float(body.quantile(q)), 0.3)
    u = np.asarray(clrandom.uniform_at(7, clrandom.stream_id(clrandom.Purpose.USER, 131), 0,
                                       np.arange(400, dtype=np.int64))).ravel()
    obs = sev.Observations.from_losses(np.asarray(dist.quantile(u), dtype=float))
    fit = sev.fit_spliced(obs, q)
    zq = sev._probit(q)
    best = optimize.minimize(lambda t: -sev._spliced_log_likelihood(obs, t, zq, q),
                             [15.0, math.log(1.5), 0.3], method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert fit.log_likelihood == pytest.approx(-best.fun, abs=1e-5)
    np.testing.assert_allclose([fit.mu, math.log(fit.sigma), fit.xi], best.x, atol=1e-4)
    assert 0 < fit.se_xi < 1 and 0 < fit.se_mu < 1


def test_spliced_fit_recovers_the_tail_shape_through_deductible_and_limit():
    from cyberloss.distributions import Lognormal, SplicedLognormalGPD

    mu, sigma, xi, q = math.log(5e6), 1.2, 0.35, 0.9
    body = Lognormal(mu, sigma)
    dist = SplicedLognormalGPD(body, float(body.quantile(q)), xi)
    u = np.asarray(clrandom.uniform_at(3, clrandom.stream_id(clrandom.Purpose.USER, 9), 0,
                                       np.arange(20000, dtype=np.int64))).ravel()
    x = np.asarray(dist.quantile(u), dtype=float)
    x = x[x > D][:2000]
    cap = D + L
    obs = sev.Observations.from_losses(np.minimum(x, cap), x >= cap, np.full(x.size, D))
    assert obs.censored.sum() > 5
    fit = sev.fit_spliced(obs, q)
    assert abs(fit.xi - xi) < 3 * fit.se_xi and abs(fit.mu - mu) < 3 * fit.se_mu
    assert abs(fit.sigma - sigma) < 3 * fit.se_sigma
    assert fit.threshold == pytest.approx(float(body.quantile(q)), rel=5 * fit.se_mu)
    with pytest.raises(ValueError, match="at least 10 claims"):
        sev.fit_spliced(sev.Observations.from_losses([2e6, 3e6, 4e6]), q)


def test_without_a_frequency_prior_a_group_with_exposure_and_no_claims_is_refused(cal, book, capsys):
    # its factor would be 0, which the calibration reader refuses: the fit must not write it
    folder, _ = book
    claims = pd.read_csv(folder / "claims.csv")
    with pytest.raises(ValueError, match=r"frequency_prior_weight 0: attack type 'ransomware' x size 'large' "
                                         r"has exposure \(10 policy-years\) but no claims.*--frequency-prior-weight"):
        experience.fit(claims, pd.concat([_exposure(cal, 300_000.0), _exposure(cal, 5.0).assign(size="large")]),
                       frequency_prior_weight=0)


@pytest.mark.parametrize("weights", [[], ["--frequency-prior-weight", "0"], ["--severity-prior-weight", "0"],
                                     ["--frequency-prior-weight", "0", "--severity-prior-weight", "0"]])
@pytest.mark.parametrize("claims", ["book", "heavy_deductibles"])
def test_every_file_fit_writes_is_read_back_by_quote(book, tmp_path, capsys, weights, claims):
    folder, _ = book
    claims_file = folder / "claims.csv"
    if claims == "heavy_deductibles":
        # deductibles at the median loss: the claims above them barely pin a lognormal
        table = pd.read_csv(claims_file)
        big = table["ground_up"].median()
        table[table["ground_up"] > big].assign(deductible=big).to_csv(claims_file := tmp_path / "heavy.csv",
                                                                       index=False)
    elif "--severity-prior-weight" in weights:
        # a plain MLE needs claims enough of each type it fits: keep the types with ten or more
        table = pd.read_csv(claims_file)
        counts = table["attack_type"].value_counts()
        table[table["attack_type"].isin(counts[counts >= 10].index)].to_csv(
            claims_file := tmp_path / "plain.csv", index=False)
    out = tmp_path / "fitted.json"
    code = main(["fit", str(claims_file), "--exposure", str(folder / "exposure.csv"), "--out", str(out), *weights])
    err = capsys.readouterr().err
    refusal = ("no interior maximum" if claims == "heavy_deductibles" and "--severity-prior-weight" in weights
               # the types left out have exposure and no claims, which k = 0 cannot fit
               else "but no claims" if len(weights) == 4 else None)
    if refusal:
        assert code == 2 and not out.exists(), err
        assert err.startswith("cyberloss fit: error: ") and refusal in err, err
        return
    assert code == 0, err
    assert main(["quote", "examples/sme_manufacturer.toml", "--years", "2000", "--json",
                 "--calibration", str(out)]) == 0, capsys.readouterr().err


def test_parameter_draws_of_a_fitted_severity_follow_the_fits_standard_errors(cal, book, tmp_path):
    # The draws redrew a fitted type as if from its uncensored claims taken as exact answers,
    # ignoring what truncation and censoring cost: spreads half the fit's SEs under large deductibles.
    folder, _ = book
    table = pd.read_csv(folder / "claims.csv")
    heavy = table[(table["ground_up"] > 1e7) & (table["attack_type"] == "ransomware")].assign(deductible=1e7)
    # the plain MLE: 60 claims, 21 censored, se_mu 0.260 and se_sigma 0.310 where the 39 exact
    # claims taken as answers gave sd 0.213 and 0.151
    fitted = experience.fit(heavy, pd.read_csv(folder / "exposure.csv"), severity_prior_weight=0).calibration
    s = fitted.fitted_severities["ransomware"]
    assert -1 < s.corr_mu_log_sigma < 0          # a higher mu goes with a smaller sigma above a deductible
    draws = [uncertainty.draw(fitted, b, seed=2) for b in range(400)]
    mu = np.array([d.major_severity_parameters("ransomware").mu for d in draws])
    log_sigma = np.log([d.major_severity_parameters("ransomware").sigma for d in draws])
    # the sd of 400 normal draws is within 4 x 3.5% of the truth, their correlation within 4 x 0.05
    assert np.std(mu, ddof=1) / s.se_mu == pytest.approx(1.0, abs=0.14)
    assert np.std(log_sigma, ddof=1) / (s.se_sigma / s.sigma) == pytest.approx(1.0, abs=0.14)
    assert np.corrcoef(mu, log_sigma)[0, 1] == pytest.approx(s.corr_mu_log_sigma, abs=0.2)
    assert draws[0].severity_fit("ransomware", "recent").source.endswith(
        "from the fit's standard errors and correlation")
    # a file written without the correlation is read as before and drawn with it taken as 0
    doc = fitted.to_document()
    for r in doc["severity"]:
        del r["corr_mu_log_sigma"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    old = calibration.load(path)
    assert math.isnan(old.fitted_severities["ransomware"].corr_mu_log_sigma)
    drawn = uncertainty.draw(old, 0, seed=2)
    assert drawn.severity_fit("ransomware", "recent").source.endswith("(correlation not in the file: taken as 0)")
    mu = np.array([uncertainty.draw(old, b, seed=2).major_severity_parameters("ransomware").mu for b in range(200)])
    assert np.std(mu, ddof=1) / s.se_mu == pytest.approx(1.0, abs=0.2)


def test_spliced_likelihood_beyond_the_tails_end_point_is_minus_infinity_without_a_warning():
    # With xi < 0 the tail ends at u + beta / |xi|: a censored claim or a deductible beyond it has
    # survival 0. log1p of a value below -1 was NaN with a RuntimeWarning that reached fit's stderr.
    q = 0.9
    zq = sev._probit(q)
    theta = np.array([15.0, math.log(1.0), -0.45])
    end = math.exp(15.0 + zq) * 10            # well beyond the end point (2.27 x the threshold)
    censored = sev.Observations.from_losses([2e6, 3e6, end], [False, False, True])
    assert sev._spliced_log_likelihood(censored, theta, zq, q) == -math.inf
    truncated = sev.Observations.from_losses([2 * end, 3 * end], [True, True], [end, end])
    assert sev._spliced_log_likelihood(truncated, theta, zq, q) == -math.inf
    inside = sev.Observations.from_losses([2e6, 3e6, 4e6], [False, False, True])
    assert math.isfinite(sev._spliced_log_likelihood(inside, theta, zq, q))

