"""The errors that are not refusals of a value, in Japanese under ``--lang ja`` (the refusals of
values are test_japanese_errors.py's): a file that cannot be read or written, its system reason
said in Japanese by its errno; a run too large for memory; a CSV's structure and cells; an extra
not installed; a calibration file's JSON and assumptions set on the command line; each a line
after 「エラー:」, English nowhere in it but the system's or a parser's words without a wording."""
from __future__ import annotations

import errno
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cyberloss import _core, _files, _validate
from cyberloss.calibration import jnsa
from cyberloss.cli import main
from test_output_faults import EXE, _tmpfs

ROOT = Path(__file__).resolve().parents[2]
BOOK = str(ROOT / "examples" / "portfolio_small.csv")
PROFILE = str(ROOT / "examples" / "sme_manufacturer.toml")
# Root reads and writes whatever the permission bits say unless it drops these capabilities.
AS_A_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
             "--inh-caps=-dac_override,-dac_read_search"]


def _ja(argv: list[str], capsys) -> str:
    """The one line ``argv`` fails with in Japanese, after 「cyberloss <command>: エラー: 」."""
    assert main([*argv, "--lang", "ja"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    head = f"cyberloss {argv[0]}: エラー: "
    assert lines[0].startswith(head), lines[0]
    return lines[0][len(head):]


def _ja_run(argv: list[str], prefix: tuple[str, ...] = (), **kwargs) -> str:
    """:func:`_ja` in a process of its own (``prefix``: a command it runs under)."""
    done = subprocess.run([*prefix, EXE, *argv, "--lang", "ja"], capture_output="stdout" not in kwargs,
                          stderr=subprocess.PIPE if "stdout" in kwargs else None, text=True,
                          timeout=300, **kwargs)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    head = f"cyberloss {argv[0]}: エラー: "
    assert len(lines) == 1 and lines[0].startswith(head), done.stderr
    return lines[0][len(head):]


def test_every_wording_of_a_system_reason_is_japanese_and_any_other_stays_english():
    for code, words in _files.REASONS_JA.items():
        assert _files.japanese_reason(OSError(code, "English")) == words and not words.isascii(), code
    assert _files.japanese_reason(OSError(errno.EINVAL, "Invalid argument")) == "Invalid argument"
    assert _files.japanese_reason(OSError("no errno")) == "no errno"


def test_a_full_disk_and_a_read_only_folder_in_japanese(capsys):
    with _tmpfs("size=64k") as disk:
        (disk / "filler").write_bytes(b"\0" * 40_000)
        out = disk / "ylt.csv"
        assert _ja(["portfolio", BOOK, "--years", "100000", "--out", str(out)], capsys) == \
            f"引数 --out {out}: 書き込めない（ディスクの空き容量がない）"
    with _tmpfs("ro,size=64k") as folder:
        assert _ja(["portfolio", BOOK, "--years", "1000", "--out", str(folder / "y.csv")], capsys) == \
            f"引数 --out {folder / 'y.csv'}: {folder} にファイルを作れない（読み取り専用のファイルシステムである）"


def test_destinations_refused_before_the_run_in_japanese(tmp_path, capsys):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "file.txt").write_text("x")
    book = ["portfolio", BOOK, "--years", "1000", "--out"]
    for out, said in (
            (tmp_path / "none" / "y.csv", f"フォルダ {tmp_path / 'none'} がない"),
            (tmp_path / "folder.csv", "フォルダであり、ファイルではない"),
            (tmp_path / "file.txt" / "y.csv", "パスの途中にフォルダでないものがある"),
            (tmp_path / ("y" * 300 + ".csv"), "ファイル名が長すぎる"),
            (tmp_path / "y.txt", "拡張子 '.txt' のファイルは書き出せない（.parquet、.csv のいずれかにする）"),
            (Path("/dev/full"), "拡張子がない（.parquet、.csv のいずれかにする）")):
        assert _ja([*book, str(out)], capsys) == f"引数 --out {out}: {said}"
    (tmp_path / "ylt.csv").symlink_to("/dev/full")
    assert _ja([*book, str(tmp_path / "ylt.csv")], capsys) == \
        f"引数 --out {tmp_path / 'ylt.csv'}: 通常のファイルではない（安全に置き換えられない）"
    assert _ja(["demo", "--years", "1000", "--out", str(tmp_path / "file.txt")], capsys) == \
        f"引数 --out {tmp_path / 'file.txt'}: フォルダでないものが既にある"


def test_a_file_too_large_and_a_full_standard_output_in_japanese(tmp_path):
    out = tmp_path / "ylt.csv"

    def small_files():     # Python ignores SIGXFSZ: a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
    assert _ja_run(["portfolio", BOOK, "--years", "100000", "--out", str(out)], preexec_fn=small_files) == \
        f"引数 --out {out}: 書き込めない（ファイルが大きすぎる）"
    with open("/dev/full", "w") as full:
        assert _ja_run(["jnsa", "--json", "--replications", "20"], stdout=full) == "標準出力: ディスクの空き容量がない"


@pytest.mark.skipif(shutil.which("setpriv") is None or sys.platform != "linux", reason="needs setpriv")
def test_files_without_permission_in_japanese(tmp_path):
    secret = tmp_path / "secret.toml"
    shutil.copy(PROFILE, secret)
    secret.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o555)
    if subprocess.run([*AS_A_USER, "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot drop capabilities here")
    assert _ja_run(["quote", str(secret)], tuple(AS_A_USER)) == \
        f"プロファイル {secret}: ファイルを読めない（アクセス権がない）"
    assert _ja_run(["portfolio", BOOK, "--years", "1000", "--out", str(closed / "y.csv")], tuple(AS_A_USER)) == \
        f"引数 --out {closed / 'y.csv'}: {closed} にファイルを作れない（アクセス権がない）"


@pytest.mark.parametrize("argv, what, advice", [
    (["quote", PROFILE, "--years", "1000"], "1,000 年の見積り（シミュレーションするインシデント約", "シミュレーション年数を減らす"),
    (["bcp", PROFILE, "--years", "1000"], "案の 1,000 年にわたる比較（シミュレーションするインシデント約",
     "シミュレーション年数を減らす"),
    (["portfolio", BOOK, "--years", "1000"], "1,000 年のポートフォリオの実行（年間損失表、1ブロック分の事象、契約ごとの合計）",
     "1年分でも大きすぎる（契約群全体で年に約"),
    (["simulate", str(ROOT / "examples" / "simulate_basic.toml"), "--years", "1000", "--seed", "1"],
     "1,000 年のシミュレーションとその統計量", "--years を減らす"),
    (["jnsa", "--replications", "1000"], "回答 29 件の模擬アンケート 1,000 回", "模擬アンケートの回数（replications）を減らす"),
    (["sensitivity", PROFILE, "--years", "2000"], "2,000 年の感度分析（1回の実行でシミュレーションするインシデント約",
     "年数を減らす（--years）"),
], ids=["quote", "bcp", "portfolio", "simulate", "jnsa", "sensitivity"])
def test_a_run_too_large_for_memory_in_japanese(argv, what, advice, monkeypatch, capsys):
    monkeypatch.setattr(_core, "available_memory_bytes", lambda: 1.0)
    said = _ja(argv, capsys)
    assert what in said and "にはピーク時に約 " in said and "GiB のメモリが必要だが、使えるのは 0.0 GiB。" in said, said
    assert advice in said and "needs" not in said and "available" not in said, said


def test_every_memory_check_has_its_japanese(monkeypatch):
    monkeypatch.setattr(_core, "available_memory_bytes", lambda: 1.0)
    with pytest.raises(_validate.OutOfMemory) as caught:
        jnsa.simulate_economy(histories=1000)
    assert str(caught.value).startswith("1,000 simulated histories of ")
    assert re.fullmatch(r"\d+ 区分の模擬履歴 1,000 通りにはピーク時に約 [\d.,]+ GiB のメモリが必要だが、"
                        r"使えるのは 0\.0 GiB。模擬履歴の数（histories）を減らす", caught.value.japanese())


H = "policy_id,industry,size,revenue,deductible,occurrence_limit,aggregate_limit,frequency_factor\n"
CLAIMS = "claim_id,date,attack_type,industry,size,ground_up\n"
CLAIM = "A1,2024-03-01,ransomware,manufacturing,sme,5000000\n"
EXPOSURE = "industry,size,period,policy_years\nmanufacturing,sme,2024,100\n"
# (case, the file, its contents, what follows 「<file's Japanese name> <path>: 」)
_CSV = [
    ("book_empty", "b.csv", "", "見出しの行がない（ファイルが空）"),
    ("book_quote", "b.csv", H + 'A1,"manu"facturing,sme,1,1,1,1,1\n',
     "CSV として正しくない（ファイルの 2 行目: \" の後には区切りの ',' が必要（引用符の中の \" は 2 つ重ねる））"),
    ("book_unterminated", "b.csv", H + 'A1,"manufacturing,sme\n',
     "CSV として正しくない（ファイルの 2 行目: 引用符が閉じられないままファイルが終わる）"),
    ("book_headless_column", "b.csv", "policy_id,,industry,size\nA1,x,manufacturing,sme\n",
     "2 列目に見出しがないのに値がある（最初は ポートフォリオの 1 件目（ファイルの 2 行目）の 'x'）。列に名前を付けるか、削除する"),
    ("book_extension", "b.xlsx", "x", "拡張子が .csv か .parquet のファイルを指定する（入力: 拡張子 '.xlsx'）"),
    ("book_parquet", "b.parquet", "x", "Parquet として正しくない（ArrowInvalid: "),
    ("claims_empty", "c.csv", "", "見出しの行がない（ファイルが空）"),
    ("claims_header_only", "c.csv", CLAIMS, "見出しの後に行がない"),
    ("claims_fields", "c.csv", CLAIMS + CLAIM.rstrip() + ",x\n",
     "1 件目（ファイルの 2 行目）: 値が 7 個ある（見出しは 6 個）: 'A1,2024-03-01,ransomware,manufacturing,sme,5000000,x'"),
    ("claims_both_amounts", "c.csv", CLAIMS.rstrip() + ",paid\n" + CLAIM.rstrip() + ",1\n",
     "列 ground_up（損害額）と paid（支払保険金）のどちらか一方だけを指定する（入力: 両方の列）"),
    ("claims_date", "c.csv", CLAIMS + CLAIM.replace("2024-03-01", "2024-13-01"),
     "1 件目（ファイルの 2 行目、claim_id 'A1'）: 列 'date'（事故日）には日付（YYYY-MM-DD）を指定する（入力: '2024-13-01'）"),
    ("claims_empty_cell", "c.csv", CLAIMS + CLAIM.replace("5000000", ""),
     "1 件目（ファイルの 2 行目、claim_id 'A1'）: 列 'ground_up'（損害額）には空でない値を指定する（入力: ''）"),
    ("claims_amount", "c.csv", CLAIMS + CLAIM.replace("5000000", "lots"),
     "1 件目（ファイルの 2 行目、claim_id 'A1'）: 列 'ground_up'（損害額）には金額（5000000、'500万円'、'1.5億円' など）"
     "を指定する（入力: 'lots'）"),
    ("claims_duplicate", "c.csv", CLAIMS + CLAIM + CLAIM,
     "2 件目（ファイルの 3 行目、claim_id 'A1'）: 列 'claim_id'（事故番号）: 1 件目（ファイルの 2 行目）と重複している（入力: 'A1'）"),
    ("claims_below_deductible", "c.csv", CLAIMS.rstrip() + ",deductible\n" + CLAIM.rstrip() + ",1億\n",
     "1 件目（ファイルの 2 行目、claim_id 'A1'）: 列 'ground_up'（損害額）には免責金額 1.00億円 を超える金額"
     "（請求は免責金額を超える損害にだけある）を指定する（入力: '5000000'）"),
    ("claims_over_limit", "c.csv", "claim_id,date,attack_type,industry,size,paid,limit\n"
     "A1,2024-03-01,ransomware,manufacturing,sme,2億円,1億円\n",
     "1 件目（ファイルの 2 行目、claim_id 'A1'）: 列 'paid'（支払保険金）には支払限度額 1.00億円 以下の金額を指定する（入力: '2億円'）"),
    ("exposure_header_only", "e.csv", EXPOSURE.splitlines()[0] + "\n", "見出しの後に行がない"),
    ("exposure_repeated", "e.csv", EXPOSURE + EXPOSURE.splitlines()[1] + "\n",
     "2 件目（ファイルの 3 行目）: 列 'period'（期間）: 1 件目（ファイルの 2 行目）の区分「manufacturing x sme x 2024」と重複している"
     "（入力: '2024'）"),
]


@pytest.mark.parametrize("name, file, content, said", _CSV, ids=[c[0] for c in _CSV])
def test_csv_structure_and_cells_in_japanese(name, file, content, said, tmp_path, capsys):
    path = tmp_path / file
    path.write_text(content, encoding="utf-8")
    claims, exposure = tmp_path / "claims.csv", tmp_path / "exposure.csv"
    claims.write_text(CLAIMS + CLAIM, encoding="utf-8")
    exposure.write_text(EXPOSURE, encoding="utf-8")
    if name.startswith("book"):
        argv, place = ["portfolio", str(path), "--years", "100"], "ポートフォリオファイル"
    elif name.startswith("claims"):
        argv, place = ["fit", str(path), "--exposure", str(exposure)], "請求実績ファイル"
    else:
        argv, place = ["fit", str(claims), "--exposure", str(path)], "エクスポージャーファイル"
    line = _ja(argv, capsys)
    assert line.startswith(f"{place} {path}: {said}"), line


def test_an_unknown_encoding_in_japanese(capsys):
    assert _ja(["portfolio", BOOK, "--years", "100", "--encoding", "klingon"], capsys) == \
        "encoding には 'auto'、または utf-8 や cp932 のような文字コードを指定する（入力: 'klingon'）"


@pytest.mark.parametrize("modules, argv, said", [
    (("openpyxl",), ["quote", PROFILE, "--years", "1000", "--xlsx", "{tmp}/q.xlsx"],
     "引数 --xlsx（Excel のブック）には openpyxl が必要だが、インストールされていない: pip install 'cyberloss[excel]'"),
    (("jinja2",), ["quote", PROFILE, "--years", "1000", "--html", "{tmp}/q.html"],
     "引数 --html（HTML のレポート）には jinja2 が必要だが、インストールされていない: pip install 'cyberloss[report]'"),
    (("matplotlib_fontja",), ["quote", PROFILE, "--years", "1000", "--plot", "{tmp}/ep.png"],
     "引数 --plot（図）には matplotlib_fontja が必要だが、インストールされていない: pip install 'cyberloss[plot]'"),
    (("pyarrow",), ["portfolio", BOOK, "--years", "1000", "--out", "{tmp}/ylt.parquet"],
     "引数 --out の .parquet には pyarrow が必要だが、インストールされていない: pip install 'cyberloss[parquet]'"),
    (("dask", "distributed"), ["portfolio", BOOK, "--years", "1000", "--local-cluster", "1"],
     "引数 --local-cluster には dask が必要だが、インストールされていない: pip install 'cyberloss[dask]'"),
], ids=["xlsx", "html", "font", "parquet", "dask"])
def test_a_missing_extra_in_japanese(modules, argv, said, tmp_path, monkeypatch, capsys):
    # None in sys.modules: not installed, for import and find_spec alike; the modules and their
    # submodules that an earlier test imported too (dask.distributed, found there, is not imported again)
    for name in [*modules, *(m for m in sys.modules if m.partition(".")[0] in modules)]:
        monkeypatch.setitem(sys.modules, name, None)
    assert _ja([a.replace("{tmp}", str(tmp_path)) for a in argv], capsys) == said


_JSON = [
    ("malformed", '{"a": ', "JSON として正しくない（1 行 7 列目: 値がない）"),
    # short texts without a NUL byte were taken for UTF-16 ("UTF-16 のテキストらしい")
    ("short", "[1, 2]", "最上位が JSON のオブジェクト（{ }）である文書を指定する（入力: リスト [1, 2]）"),
    ("empty", "", "JSON として正しくない（1 行 1 列目: 値がない）"),
    ("key", '{\n  "a": 1\n  "b": 2}', "JSON として正しくない（3 行 3 列目: 区切りの ',' がない）"),
    ("nan", '{"a": {"b": NaN}}', "a.b が NaN であり、有限の数値ではない"),
    ("duplicate", '{"a": 1, "a": 2}', "キー 'a' が2回以上ある"),
    ("deep", "[" * 70 + "]" * 70, "入れ子が 64 段より深い（"),
    ("unknown_key", '{"foo": 1}', "キー 'foo' はない（使えるキー: format, about, "),
]


@pytest.mark.parametrize("name, text, said", _JSON, ids=[j[0] for j in _JSON])
def test_a_calibration_file_refused_in_japanese(name, text, said, tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    assert _ja(["quote", PROFILE, "--calibration", str(path)], capsys).startswith(
        f"キャリブレーションファイル {path}: {said}")
    assert _ja(["jnsa", "--data", str(path)], capsys).startswith(f"キャリブレーションファイル {path}: {said}")


def test_assumptions_set_on_the_command_line_refused_in_japanese(capsys):
    assert _ja(["jnsa", "--set", "tail.xi"], capsys) == "--set には KEY=VALUE の形の前提を指定する（入力: 'tail.xi'）"
    assert _ja(["jnsa", "--set", "tail.chi=0.5"], capsys).startswith(
        "前提 'tail.chi' はない（使える前提: attack_type_reconciliation, ")
    assert _ja(["jnsa", "--set", "experience.frequency_prior_claims=-1"], capsys) == \
        "'overrides.experience.frequency_prior_claims' には有限の数値（0 以上 100万 以下）を指定する（入力: -1）"
