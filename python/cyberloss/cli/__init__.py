"""The ``cyberloss`` command line.

Each subcommand lives in its own module ``cyberloss.cli.<name>`` exposing
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning an exit code.  JSON output keys are a stable contract.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = ["simulate", "demo", "jnsa", "bcp", "scenario", "quote", "portfolio"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cyberloss",
        description="Cyber-incident loss distributions for Japanese organisations (JNSA 2025).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"cyberloss.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, MemoryError) as exc:
        print(f"cyberloss {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cyberloss {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
