"""The ``cyberloss`` command line.

Each subcommand lives in its own module ``cyberloss.cli.<name>`` exposing
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning an exit code.  Only the module of the command being run is
imported (``COMMANDS`` lists every command for ``--help`` without importing it), so
``cyberloss --version`` loads neither numpy nor pandas and a command pays for its own
imports only.  ``--help`` is in the language of the output: Japanese under a Japanese locale
or with ``--lang ja`` anywhere on the command line (``cli._help``).  JSON output keys are a
stable contract; every
JSON document is strict JSON written by ``cyberloss._json`` (README, "JSON output").

Errors in what the user gave (a value, a file, an option), and an option that needs an extra
that is not installed (``pip install 'cyberloss[dask]'``), print one line
``cyberloss <command>: error: <message naming the field and the value>`` and exit with
status 2; in Japanese output (``--lang ja`` or a Japanese locale) ``cyberloss <command>:
エラー: <message>``, the refusals of inputs said in Japanese (:func:`_describe_in_japanese`).
Anything else is a bug and fails loudly with its traceback.  A closed output pipe
(``cyberloss jnsa | head``) ends the command quietly with status 141, as a Unix tool killed
by SIGPIPE.  Ctrl-C (also while the command loads), SIGTERM and SIGHUP print one line
``cyberloss <command>: interrupted`` (or ``terminated``) and exit with status 128 + the
signal's number, after the file being written has removed its temporary file.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from types import FrameType
from typing import Any, Optional, Union

from .. import _core
from .._extras import MissingExtra
from .._files import OutputError, japanese_reason
from ..report import language, plots, progress
from . import _help
from ._help import both

# Every command, in the order --help lists them, with the one-line help its module registers
# in English and Japanese (a test keeps the two equal); the module cyberloss.cli.<name> is
# imported only to run it.
COMMANDS = {
    "simulate": both("simulate the annual loss of a model given in TOML",
                     "TOML で与えたモデルの年間損害額をシミュレーション"),
    "demo": both("quote an example organisation and plot its EP curve",
                 "例の組織の保険料を見積り、EP曲線（超過確率曲線）を描く"),
    "jnsa": both("reproduce the JNSA 2025 tables from the calibrated model",
                 "較正したモデルで JNSA 2025 調査の表を再現"),
    "validate": both("compare the calibrated model with every external figure (JNSA, NPA, IPA)",
                     "較正したモデルをすべての外部の公表値（JNSA・警察庁・IPA）と比較"),
    "bcp": both("compare an organisation profile with changed versions (controls, downtime)",
                "組織のプロファイルを、変更した案（対策・停止期間）と比較"),
    "scenario": both("evaluate one described incident component by component",
                     "想定した1件のインシデントを損害項目ごとに評価"),
    "quote": both("price the policy in a profile's [terms] and recommend deductible and limit",
                  "プロファイルの [terms] の保険の保険料を算出し、免責金額と支払限度額を推奨"),
    "portfolio": both("simulate a book of policies with systemic events and reinsurance",
                      "契約群（ポートフォリオ）をシステミックな事象と再保険を含めてシミュレーション"),
    "fit": both("fit the calibration to an insurer's claims and exposure (credibility + MLE)",
                "保険会社の請求実績とエクスポージャーにキャリブレーションを当てはめ（信頼度＋最尤推定）"),
    "sensitivity": both("effect of each labelled assumption (low / high) on a measure, with a tornado chart",
                        "各前提（下限・上限）が指標に与える影響をトルネード図とともに表示"),
    "serve": both("serve the risk manager's web page on this machine",
                  "リスク管理者向けのウェブ画面をこのコンピュータで提供"),
}
BROKEN_PIPE_STATUS = 128 + 13
_STREAM_ERRNOS = (errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread as Ctrl-C's KeyboardInterrupt is: the
    ``finally`` clauses on the way out (the atomic writer's removal of its temporary file, a
    progress bar clearing its line) run before the command exits."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_Handler = Union[Callable[[int, Optional[FrameType]], Any], int, signal.Handlers, None]


#: The signals ``_terminate`` has turned into ``Terminated`` (Ctrl-C: KeyboardInterrupt) during
#: this ``main``.  A handler's exception raised while a C extension converts an argument can be
#: lost: pybind11 takes any exception there for a type mismatch and raises TypeError
#: ("incompatible function arguments") instead, as matplotlib's affine_transform did under
#: SIGTERM during a PNG write, or tries another overload and goes on. ``main`` treats any
#: error, or an end, after one of these as the stop it was.
_received: list[int] = []


_restoring = False     # main is putting the caller's handlers back (_restore_handlers)


def _terminate(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if _restoring:      # raised again once the caller's handlers are back
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def _stopped_by(signum: int) -> KeyboardInterrupt:
    """The exception a received signal stands for."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _catch_termination() -> dict[signal.Signals, _Handler]:
    """Turn SIGTERM and SIGHUP into ``Terminated`` and Ctrl-C into KeyboardInterrupt, each
    recorded in ``_received``; returns the handlers to restore.  A signal the caller ignores
    (``nohup``) or handles stays as it is."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[signal.Signals, _Handler] = {}
    for signum, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGHUP, signal.SIG_DFL),
                            (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(signum) == default:
            previous[signum] = signal.signal(signum, _terminate)
    return previous


def _restore_handlers(previous: dict[signal.Signals, _Handler]) -> None:
    """Put back the handlers :func:`_catch_termination` replaced.  A signal that arrives
    meanwhile is only recorded by ``_terminate`` (its Terminated, raised half-way through the
    restoring, escaped ``main`` with a traceback and status 1 in a CI run's SIGTERM test) and
    is raised again once every handler is back, for the caller's handler: a command run from a
    shell is then killed by it, its work done.  (Blocking the signals would not do: Python runs
    a handler in the main thread whichever thread the signal reaches, TBB's included.)"""
    global _restoring
    first = len(_received)
    _restoring = True
    try:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    finally:
        _restoring = False
    for received in _received[first:]:
        signal.raise_signal(received)


class _UsageError(Exception):
    def __init__(self, prog: str, message: str):
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block): ``cyberloss <command>: error: ...``."""

    def error(self, message: str):
        raise _UsageError(self.prog, message)


def version_text() -> str:
    """What ``cyberloss --version`` prints: the version and the engine's SIMD path (kernels
    chosen at run time; CYBERLOSS_SIMD forces one, and naming one this CPU lacks is an error)."""
    return (f"cyberloss {_core.__version__} (SIMD path: {_core.simd_path()}; "
            f"this CPU can run: {', '.join(_core.simd_paths_available())})")


class _Version(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            text = version_text()
        except ValueError as exc:
            parser.error(str(exc))
        print(text)
        parser.exit()


def build_parser(registered: Iterable[str] = COMMANDS, lang: str = "en") -> argparse.ArgumentParser:
    """The parser: every command is listed, and the ``registered`` ones (all by default) have
    their module imported and their options added; its help is in ``lang``."""
    registered = set(registered)
    parser = Parser(
        prog="cyberloss",
        description=both("Cyber-incident loss distributions for Japanese organisations (JNSA 2025).",
                         "日本の組織のサイバーインシデント損害額の分布（JNSA 2025 調査に較正）。"),
    )
    parser.add_argument("--version", action=_Version,
                        help=both("print the version and the SIMD path the engine uses, and exit",
                                  "バージョンと計算エンジンが使う SIMD の種類を表示して終了"))
    parser.add_argument("--lang", choices=language.LANGUAGES, default=None, dest="top_lang",
                        help=both("language of the help and, given before a command, of its output "
                                  "(as the command's own --lang, which wins)",
                                  "ヘルプの言語。コマンドの前に置けばその出力の言語にもなる"
                                  "（コマンドの後の --lang が優先）"))
    sub = parser.add_subparsers(dest="command", required=True, metavar=both("COMMAND", "コマンド"))
    for name, summary in COMMANDS.items():
        if name in registered:
            _register(sub, name)
        else:       # never parsed with: argv names another command
            sub.add_parser(name, help=summary)
    if lang == "ja":
        _help.in_japanese(parser)
    return parser


def _register(sub: argparse._SubParsersAction, name: str) -> None:
    module = importlib.import_module(f"{__name__}.{name}")
    module.register(sub)
    command = sub.choices[name]
    _help.document(command, module.__doc__, module.DOC_JA)
    command.add_argument("--quiet", action="store_true",
                         help=both("no progress bar (there is none with --json, nor when stderr is "
                                   "not a terminal)",
                                   "進捗バーを表示しない（--json のとき、標準エラー出力が端末でないときは"
                                   "もともと表示しない）"))
    if "--lang" not in command._option_string_actions:     # serve says what its --lang names
        command.add_argument("--lang", choices=language.LANGUAGES, default=None,
                             help=both("language of tables and reports (default: ja when the locale "
                                       "is Japanese, else en)",
                                       "表とレポートの言語（既定: ロケールが日本語なら ja、"
                                       "それ以外は en）"))


def named_command(argv: Sequence[str]) -> str:
    """The command ``argv`` names: its first word that is not an option or the value of a
    top-level ``--lang``; "" if there is none."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def one_line(message: object) -> str:
    """The message on one line, control characters shown escaped."""
    text = " ".join(str(message).split())
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _describe(exc: BaseException, lang: str = "en") -> str:
    """The error's one line; a system error (OSError) names the file or standard output, its
    reason in Japanese where ``lang`` is "ja" and the errno has a wording (``_files.REASONS_JA``);
    the core's refusal of a run too large for memory in Japanese too."""
    if isinstance(exc, OSError) and not isinstance(exc, OutputError):
        reason = japanese_reason(exc) if lang == "ja" else exc.strerror or str(exc)
        if exc.filename is not None:
            return f"{exc.filename}: {reason}"
        if exc.errno in _STREAM_ERRNOS:
            return f"{'標準出力' if lang == 'ja' else 'standard output'}: {reason}"
        return reason
    if isinstance(exc, MemoryError) and lang == "ja":   # the core's: see language.MEMORY_ERRORS_JA
        return language.memory_words(str(exc)) or str(exc)
    return str(exc)


def _describe_in_japanese(exc: BaseException) -> str:
    """An error in Japanese when it can say itself so (a ``japanese()`` method: an input's
    refusal, ``_validate.InputError``, with the field by its dotted path and its Japanese label,
    what it must be and the value given; a missing file; a file that cannot be written; a
    request too large for memory; a missing extra); a system error with its reason in Japanese
    (:func:`_describe`); any other (the model's own checks) in English, after the caller's
    Japanese 「エラー:」."""
    japanese = getattr(exc, "japanese", None)
    if not callable(japanese):
        return _describe(exc, "ja")
    config = importlib.import_module("..config", __package__)   # loaded: the error came from reading an input
    return japanese(config.label_ja)


def _one_line_warnings(command: str):
    """``warnings.showwarning`` for a command: a plot's warning (a character no font draws) on
    one line, once, as the command's; other warnings as Python shows them."""
    shown: set[str] = set()
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if not issubclass(category, plots.MissingGlyphWarning):
            default(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            print(f"cyberloss {command}: warning: {one_line(message)}", file=sys.stderr)
    return show


def _silence_stdout() -> None:
    """After a broken pipe: send what is still buffered to /dev/null, not to a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _received.clear()
    previous = _catch_termination()
    try:
        code = _run(argv)
        if _received:       # lost inside a C extension, the command ran past it
            raise _stopped_by(_received[0])
        return code
    except KeyboardInterrupt as exc:    # progress bars have cleared their line on the way out
        if isinstance(exc, Terminated):
            print(f"{_prog(argv)}: terminated", file=sys.stderr)
            return 128 + exc.signum
        print(f"\n{_prog(argv)}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception:
        if not _received:
            raise
        stopped = _stopped_by(_received[0])      # the error stood for the signal
        print(f"{_prog(argv)}: terminated" if isinstance(stopped, Terminated) else f"\n{_prog(argv)}: interrupted",
              file=sys.stderr)
        return 128 + _received[0]
    finally:
        _restore_handlers(previous)


def _prog(argv: Sequence[str]) -> str:
    command = named_command(argv)
    return f"cyberloss {command}" if command in COMMANDS else "cyberloss"


def _run(argv: list[str]) -> int:
    # Before NumPy loads: the commands' linear algebra is small (the calibration's GLM fits),
    # and OpenBLAS's worker threads would then spin on the cores the simulation runs on (about
    # 6% of a quote's CPU). A user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        args = build_parser({named_command(argv)} & COMMANDS.keys(), _help.help_language(argv)).parse_args(argv)
    except _UsageError as exc:
        if _help.help_language(argv) == "ja":
            print(f"{exc.prog}: エラー: {one_line(_help.usage_error_in_japanese(str(exc)))}", file=sys.stderr)
        else:
            print(f"{exc.prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:      # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    args.lang = language.resolve(args.lang if args.lang is not None else args.top_lang)
    args.show_progress = bool(getattr(args, "progress", False) and not args.quiet) or progress.wanted(
        args.quiet, getattr(args, "json", False))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", plots.MissingGlyphWarning)    # shown once, by show()
            warnings.showwarning = _one_line_warnings(args.command)
            code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE_STATUS
    except (ValueError, OSError, MemoryError, MissingExtra) as exc:
        if _received:       # the error stood for a signal (see _received)
            raise _stopped_by(_received[0]) from exc
        if args.lang == "ja":
            print(f"cyberloss {args.command}: エラー: {one_line(_describe_in_japanese(exc))}", file=sys.stderr)
        else:
            print(f"cyberloss {args.command}: error: {one_line(_describe(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
