"""The ``--data PATH`` and ``--set KEY=VALUE`` options of ``jnsa`` and ``validate``: the
calibration they compare with published figures, with assumptions overridden."""
from __future__ import annotations

import argparse

from .. import _json, _validate
from ..calibration import Calibration
from ..calibration import load as load_calibration
from ._help import both


def add(parser: argparse.ArgumentParser, example: str) -> None:
    """Add both options; ``example`` is a ``--set`` shown in the help."""
    parser.add_argument("--data", metavar=both("PATH", "パス"),
                        help=both("a calibration file instead of the packaged one",
                                  "同梱のものに代えて使うキャリブレーションファイル"))
    parser.add_argument("--set", metavar=both("KEY=VALUE", "キー=値"), action="append", default=[],
                        help=both(f"override an assumption (value parsed as JSON), e.g. {example}",
                                  f"前提を上書き（値は JSON として読む）。例: {example}"))


def overrides(pairs: list[str]) -> dict:
    """``--set`` values by key: JSON where the value parses as JSON, else the text itself."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _validate.InputError(f"--set expects KEY=VALUE, got {pair!r}",
                                       _validate.Need("relation", detail="KEY=VALUE の形の前提"), "--set", pair)
        try:
            out[key] = _json.loads(value, f"--set {key}")
        except ValueError:      # not JSON (or NaN, Infinity, too deep): the text itself
            out[key] = value
    return out


def load(args: argparse.Namespace) -> Calibration:
    return load_calibration(args.data, overrides(args.set))
