"""``cyberloss demo``: quote the example SME manufacturer and plot its EP curve.

Runs ``cyberloss quote`` on ``examples/sme_manufacturer.toml`` (organisation profile, policy
terms and quote settings) and writes into ``--out``: the EP curve (``ep_curve.png``, return
periods on a log axis), the HTML report (``quote.html``) and the JSON quote (``quote.json``).
The folder is created if needed and checked before the simulation; each file is written
atomically, and a folder this run created is removed again if a file cannot be written.
``quote.json`` is strict JSON (README, "JSON output"): an unlimited limit is null; a
statistic that is not finite is null and named in its ``warnings`` list.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .. import _files, _json
from ..insurance.quote import MIN_YEARS, quote_profile
from ..report import language
from . import _args
from ._help import both
from .quote_outputs import check_outputs, write_outputs


def example_path(name: str) -> Path:
    """An example file: the repository's examples/ in a checkout, else the copy in the package."""
    repo = Path(__file__).resolve().parents[3] / "examples" / name
    if repo.is_file():
        return repo
    return Path(str(resources.files("cyberloss") / "examples" / name))


EXAMPLE = example_path("sme_manufacturer.toml")

DOC_JA = """``cyberloss demo``: 例の中小製造業の保険料を見積り、EP曲線を描きます。

``examples/sme_manufacturer.toml``（組織のプロファイル、保険条件と見積りの設定）で ``cyberloss quote``
を実行し、``--out`` のフォルダーに EP曲線（``ep_curve.png``、再現期間は対数軸）、HTML レポート
（``quote.html``）と JSON の見積り（``quote.json``）を書き出します。フォルダーは必要なら作成し、
シミュレーションの前に確認します。各ファイルはアトミックに書き込み、書けないファイルがあれば
この実行で作成したフォルダーを削除します。``quote.json`` は厳密な JSON です（README の
「JSON output」）: 無制限の支払限度額は null、有限でない統計量は null として ``warnings`` の
リストに名前を挙げます。
"""


def output_folder(path: str, option: str) -> Path:
    """Create the folder ``path`` if needed and check that it accepts files."""
    if not str(path).strip():
        raise ValueError(f"{option} '': the folder name is empty")
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _files.OutputError(option, out, "exists and is not a folder",
                                 reason_ja="フォルダでないものが既にある") from None
    except OSError as exc:
        raise _files.OutputError(option, out, f"cannot create the folder: {exc.strerror or exc}", exc.errno,
                                 f"フォルダを作れない（{_files.japanese_reason(exc)}）") from None
    return _files.check_folder(out, option)


def missing_folders(path: str) -> list[Path]:
    """The folders ``output_folder(path, ...)`` would create, the deepest first."""
    missing = []
    folder = Path(path).absolute()
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def run(args) -> int:
    created = missing_folders(args.out)
    out = Path(args.out)
    png, page, data = out / "ep_curve.png", out / "quote.html", out / "quote.json"
    try:
        output_folder(args.out, "--out")
        check_outputs(png, page, "--out", "--out")
        _files.check(data, "--out")
        quote = quote_profile(args.profile, years=args.years, seed=args.seed, progress=args.show_progress)
        write_outputs(quote, png, page, "--out", "--out", lang=args.lang)
        _files.write_text(data, "--out", _json.dumps(quote.to_json()))
    except BaseException:
        # nothing of a failed (or interrupted) run stays in folders it made
        for path in [png, page, data] if created else []:
            path.unlink(missing_ok=True)
        for folder in created:
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    print(quote.text(args.lang))
    print(language.words(args.lang)(
        f"\nEP curve written to {png}\nreport written to {page}\nJSON quote written to {data}",
        f"\nEP曲線の図: {png}\nHTMLレポート: {page}\nJSONの見積り: {data}"))
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help=both("quote an example organisation and plot its EP curve",
                                         "例の組織の保険料を見積り、EP曲線（超過確率曲線）を描く"))
    p.add_argument("--profile", default=str(EXAMPLE), metavar=both("PROFILE", "プロファイル"),
                   help=both("profile TOML with [terms] (default: examples/sme_manufacturer.toml)",
                             "[terms] を持つプロファイルの TOML（既定: examples/sme_manufacturer.toml）"))
    p.add_argument("--years", type=_args.integer(MIN_YEARS, _args.MAX_COUNT), default=None, metavar=_args.YEARS_WORD,
                   help=both("simulated years (default: the profile's)",
                             "シミュレーションする年数（既定: プロファイルの値）"))
    p.add_argument("--seed", type=_args.SEED, default=None, metavar=_args.SEED_WORD,
                   help=both("random seed (default: the profile's)", "乱数のシード（既定: プロファイルの値）"))
    p.add_argument("--out", default="demo_out", metavar=both("OUT", "フォルダー"),
                   help=both("folder for the plot, report and JSON", "図、レポートと JSON を書き出すフォルダー"))
    p.set_defaults(func=run)
