"""The ``--calibration FILE`` option shared by the commands that simulate an organisation:
the packaged JNSA calibration by default, or a file (a JNSA-format calibration or one written
by ``cyberloss fit``), read before any simulation."""
from __future__ import annotations

import argparse

from ..calibration import Calibration
from ..calibration import load as load_calibration
from ._help import both


def add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calibration", metavar="FILE.json",
                        help=both("calibration file: one written by `cyberloss fit`, or a JNSA-format "
                                  "file (default: the packaged JNSA 2025 calibration)",
                                  "キャリブレーションファイル: `cyberloss fit` が書き出したもの、または"
                                  " JNSA 形式のファイル（既定: 同梱の JNSA 2025 キャリブレーション）"))


def load(args: argparse.Namespace) -> Calibration | None:
    path = getattr(args, "calibration", None)
    return None if path is None else load_calibration(path)
