"""``cyberloss serve``: the web page (``cyberloss.web``) on this machine.

It binds to 127.0.0.1 unless another host is asked for, and says where it listens.  The
pages need the ``web`` extra and their plots the ``plot`` extra; without one the command says
which package is missing before it starts.  The web
package is imported when the command runs, so other commands do not pay for loading it.
"""
from __future__ import annotations

import argparse
import logging
import socket
import sys

from .. import _extras
from ..report import language
from . import _args
from ._help import both

DOC_JA = """``cyberloss serve``: ウェブ画面（``cyberloss.web``）をこのコンピュータで提供します。

別のホストを指定しない限り 127.0.0.1 にバインドし、待ち受けるアドレスを表示します。画面には
``web`` エクストラ、その図には ``plot`` エクストラが必要です。どちらかがないときは、起動する前に
足りないパッケージを示します。web パッケージはコマンドの実行時に読み込むため、ほかのコマンドは
その読み込みの時間がかかりません。
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help=both("serve the risk manager's web page on this machine",
                           "リスク管理者向けのウェブ画面をこのコンピュータで提供"),
        description=both("Serve the web page (organisation, losses, cover, BCP) at http://HOST:PORT/. "
                         "Only this machine can connect unless --host names another address.",
                         "ウェブ画面（組織、損害、補償、BCP）を http://ホスト:ポート/ で提供します。--host で"
                         "別のアドレスを指定しない限り、このコンピュータからしか接続できません。"))
    parser.add_argument("--port", type=_args.integer(1, 65535), default=8765, metavar=both("PORT", "ポート"),
                        help=both("TCP port (default 8765)", "TCP ポート（既定 8765）"))
    parser.add_argument("--host", default="127.0.0.1", metavar=both("HOST", "ホスト"),
                        help=both("address to bind (default 127.0.0.1: this machine only)",
                                  "バインドするアドレス（既定 127.0.0.1: このコンピュータのみ）"))
    parser.add_argument("--lang", choices=language.LANGUAGES, default=None,
                        help=both("language of the pages and of the reports they download (default: ja "
                                  "when the locale is Japanese, else en; a page's lang= overrides it)",
                                  "画面と、画面からダウンロードするレポートの言語（既定: ロケールが日本語なら"
                                  " ja、それ以外は en。画面の lang= が優先）"))
    parser.add_argument("--max-runs", type=_args.integer(1, 64), default=2, metavar=both("MAX_RUNS", "実行数"),
                        help=both("simulations running at once; others wait (default 2)",
                                  "同時に実行するシミュレーションの数。ほかは待つ（既定 2）"))
    parser.set_defaults(func=run)


def check_address(host: str, port: int) -> None:
    """Refuse, in one line before anything starts, an address this machine cannot listen on: a
    host name that does not resolve, or a port another program holds (the server would
    otherwise log its own error and exit with status 3)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise OSError(f"--host {host!r} is not an address of this machine: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise OSError(f"cannot listen on {host} port {port} (--host, --port): "
                          f"{exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    for module in ("starlette", "jinja2", "multipart"):
        _extras.require(module, "cyberloss serve")
    uvicorn = _extras.require("uvicorn", "cyberloss serve")
    # every run draws plots (the pages' and the report's) and writes the report's workbook:
    # without them each run would fail, or its download never come
    _extras.require_installed(("matplotlib", "matplotlib_fontja", "openpyxl"), "cyberloss serve")
    check_address(args.host, args.port)
    from ..web import app as web_app
    loopback = args.host in web_app.LOOPBACK
    app = web_app.create_app(lang=args.lang, max_running=args.max_runs,
                             allowed_hosts=web_app.LOOPBACK if loopback else ("*",))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    shown = f"[{args.host}]" if ":" in args.host else args.host
    who = ("only this machine can connect" if loopback
           else "WARNING: other machines can connect; the page has no login")
    print(f"cyberloss serve: http://{shown}:{args.port}/ ({who}; Ctrl-C stops)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                h11_max_incomplete_event_size=64 * 1024)
    return 0
