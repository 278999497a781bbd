"""The ``cyberloss`` command line.

Each subcommand lives in its own module ``cyberloss.cli.<name>`` exposing
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning an exit code.  JSON output keys are a stable contract; every
JSON document is strict JSON written by ``cyberloss._json`` (README, "JSON output").

Errors in what the user gave (a value, a file, an option), and an option that needs an extra
that is not installed (``pip install 'cyberloss[dask]'``), print one line
``cyberloss <command>: error: <message naming the field and the value>`` and exit with
status 2.  Anything else is a bug and fails loudly with its traceback.  A closed output pipe
(``cyberloss jnsa | head``) ends the command quietly with status 141, as a Unix tool killed
by SIGPIPE.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys

from .. import _core
from .._extras import MissingExtra
from .._files import OutputError
from ..report import language, progress
from . import _args, bcp, demo, fit, jnsa, portfolio, quote, scenario, sensitivity, serve, simulate, validate

SUBCOMMANDS = {"simulate": simulate, "demo": demo, "jnsa": jnsa, "validate": validate, "bcp": bcp,
               "scenario": scenario, "quote": quote, "portfolio": portfolio, "fit": fit,
               "sensitivity": sensitivity, "serve": serve}
BROKEN_PIPE_STATUS = 128 + 13
_STREAM_ERRNOS = (errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF)


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


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="cyberloss",
        description="Cyber-incident loss distributions for Japanese organisations (JNSA 2025).",
    )
    parser.add_argument("--version", action=_Version,
                        help="print the version and the SIMD path the engine uses, and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS.values():
        module.register(sub)
    for name, command in sub.choices.items():
        _args.document(command, SUBCOMMANDS[name].__doc__)
        command.add_argument("--quiet", action="store_true",
                             help="no progress bar (there is none with --json, nor when stderr is "
                                  "not a terminal)")
        if "--lang" not in command._option_string_actions:     # serve's pages default to ja
            command.add_argument("--lang", choices=language.LANGUAGES, default=None,
                                 help="language of tables and reports (default: ja when the locale "
                                      "is Japanese, else en)")
    return parser


def one_line(message: object) -> str:
    """The message on one line, control characters shown escaped."""
    text = " ".join(str(message).split())
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, OutputError):
        reason = exc.strerror or str(exc)
        if exc.filename is not None:
            return f"{exc.filename}: {reason}"
        if exc.errno in _STREAM_ERRNOS:
            return f"standard output: {reason}"
        return reason
    return str(exc)


def _silence_stdout() -> None:
    """After a broken pipe: send what is still buffered to /dev/null, not to a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        print(f"{exc.prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:      # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    args.lang = language.resolve(args.lang)
    args.show_progress = bool(getattr(args, "progress", False) and not args.quiet) or progress.wanted(
        args.quiet, getattr(args, "json", False))
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE_STATUS
    except KeyboardInterrupt:    # progress bars have cleared their line on the way out
        print(f"\ncyberloss {args.command}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, MemoryError, MissingExtra) as exc:
        print(f"cyberloss {args.command}: error: {one_line(_describe(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
