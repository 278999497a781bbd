"""The web application: server-rendered pages (Starlette, Jinja2), every script, style and font
served from the package.

Pages take their inputs from the query string (``forms``): the URL of a page is the profile it
shows, so it can be bookmarked and shared.  A page whose run has not finished starts one in
the background (``jobs``) and shows its progress; when it ends the page shows the result.
Nothing from the browser names a file: downloads are built from the inputs.  Requests are
bounded in size; an unexpected error answers with one line and logs the detail.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import _json, config, stats
from .._extras import MissingExtra
from ..config import documents
from ..organisation import components as comp
from ..report import language, money, plots
from . import forms, jobs, text, toml

log = logging.getLogger("cyberloss.web")
HERE = Path(__file__).parent
COMPONENT_LABELS: dict[str, str] = comp.load().raw["components"]["labels_ja"]
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_QUERY_BYTES = 16_384
MAX_BODY_BYTES = 65_536
PAGES = ("organisation", "losses", "cover", "bcp")
DOWNLOADS = ("profile.toml", "report.html", "report.xlsx", "quote.json", "bcp.json")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The groups of inputs each page's form shows (the others ride along hidden); a refused input's
#: group is shown as well.
PAGE_GROUPS = {"organisation": ("organisation", "simulation"), "losses": ("simulation",),
               "cover": ("terms", "pricing"), "bcp": ("bcp", "organisation")}
#: The start of a default read from the data by industry and size (``Field.default_from``).
DATA = "data/"
UNITS = {"JPY": ("円（例: 30億円、500万円）", "JPY (e.g. 3000000000, 30億円, 500万円)"),
         "people": ("人", "people"), "records": ("件", "records"), "days": ("日", "days")}


def _yen(value: Any) -> str:
    if value is None:
        return "—"
    x = float(value)
    if math.isnan(x):
        return "—"
    return money.format_limit(x)


def _pct(value: Any, digits: int = 2) -> str:
    return f"{100 * float(value):.{digits}f}%"


def _limit(value: Any, lang: str) -> str:
    """A policy's limit: None (as the quote's JSON writes an unlimited amount) is unlimited."""
    return ("無制限" if lang == "ja" else "unlimited") if value is None else _yen(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["yen"] = _yen
    env.filters["pct"] = _pct
    env.filters["limit"] = _limit
    env.filters["level"] = lambda key: stats.level_label(float(key))
    env.filters["signed_yen"] = lambda v: money.format_yen(float(v), sign=True)
    return env


def inputs_key(kind: str, document: dict[str, Any]) -> str:
    """The inputs of a run, hashed: the same profile finds the same finished result."""
    return kind + ":" + hashlib.sha256(json.dumps(document, sort_keys=True, default=repr).encode()).hexdigest()


def japanese_font() -> Path | None:
    """The Japanese font the plots use (``report.plots``), served to the browser as well."""
    try:
        return plots.font_file()
    except MissingExtra:
        return None


class LimitRequests:
    """ASGI middleware: refuse long query strings, large bodies and many fields (414 / 413)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            length = dict(scope.get("headers", ())).get(b"content-length", b"0")
            problem = None
            if len(query) > MAX_QUERY_BYTES:
                problem = (414, f"the address is longer than {MAX_QUERY_BYTES} bytes")
            elif query.count(b"&") >= forms.MAX_FIELDS:
                problem = (413, f"more than {forms.MAX_FIELDS} fields")
            elif not length.isdigit() or int(length) > MAX_BODY_BYTES:
                problem = (413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
            if problem:
                await PlainTextResponse(f"error: {problem[1]}", status_code=problem[0])(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(lang: str | None = None, max_running: int = 2,
               allowed_hosts: tuple[str, ...] = LOOPBACK) -> Starlette:
    """The application; ``lang`` is the pages' default language (None: the locale's, as
    ``report.language.resolve`` chooses), ``max_running`` the number of runs at once (others
    queue); ``allowed_hosts`` the names the browser may call the server by (the loopback names
    when it listens on this machine only: a web site that points its own name at 127.0.0.1 is
    refused)."""
    lang = language.resolve(lang)
    env = _environment()
    manager = jobs.JobManager(max_running)
    font = japanese_font()

    def language_of(request: Request) -> str:
        """The page's language: its ``lang`` parameter, else the server's."""
        page_lang = request.query_params.get("lang", lang)
        return page_lang if page_lang in text.LANGS else lang

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        page_lang = language_of(request)
        inputs: forms.Inputs = context["inputs"]
        query = inputs.query()
        share = str(request.base_url).rstrip("/") + request.url.path + ("?" + urlencode(query) if query else "")
        other = "en" if page_lang == "ja" else "ja"
        body = env.get_template(name).render(
            t=text.texts(page_lang), lang=page_lang, query=urlencode(query), share=share,
            lang_query=urlencode([*query, ("lang", other)]), page=context.pop("page"),
            default_lang=lang, lang_param="" if page_lang == lang else "&" + urlencode({"lang": page_lang}),
            fields=_fields(inputs, page_lang), general_error=_error_text(inputs, "", page_lang),
            groups=forms.GROUPS, page_groups=PAGE_GROUPS, w=language.words(page_lang), language=language,
            component_labels=COMPONENT_LABELS, basis_words=lambda b, p: language.basis_words(b, p, page_lang),
            choices=forms.choice_labels(page_lang), font=font is not None, **context)
        return HTMLResponse(body, status_code=status)

    def read(request: Request, run: str = "quote", checked: bool = True) -> forms.Inputs:
        """The page's inputs, checked for the run it shows (``quote`` or ``bcp``) if ``checked``;
        a section whose 補償の有無 is left empty is covered, as the form's placeholder says and
        as a new page starts (a quote needs a covered section, and the Losses page asks for none)."""
        params = dict(request.query_params)
        params.update({k: v for k, v in forms.INITIAL.items() if not params.get(k, "").strip()})
        return forms.read(params, run, checked)

    async def organisation(request: Request) -> Response:
        # a form nobody has filled in yet (the first visit) is shown, not refused
        inputs = read(request, checked=not forms.untouched(request.query_params))
        return render(request, "organisation.html", page="organisation", inputs=inputs)

    def result_page(kind: str, page: str):
        async def endpoint(request: Request) -> Response:
            if forms.untouched(request.query_params):      # a first visit: the page's form, nothing refused
                return render(request, "form.html", page=page, inputs=read(request, kind, checked=False))
            inputs = read(request, kind)
            if not inputs.ok:      # the page's own form, so that the corrected inputs come back here
                return render(request, "form.html", status=400, page=page, inputs=inputs)
            key = inputs_key(kind, inputs.document)
            kept = manager.kept(key)
            # the page's "run again" after the worker lost what follows the result names that run
            if kept is None or (kept.late == jobs.LOST and request.query_params.get("again") == kept.id):
                try:
                    job = manager.submit(kind, inputs.document, key, language_of(request))
                except jobs.Busy as exc:
                    return PlainTextResponse(f"error: {exc}", status_code=503)
                return render(request, "run.html", page=page, inputs=inputs, job=job)
            lost = kept.late == jobs.LOST      # before the result is read: then it holds all that came
            return render(request, f"{page}.html", page=page, inputs=inputs, result=kept.result, lost=lost,
                          again=kept.id)
        return endpoint

    async def run_status(request: Request) -> Response:
        job = manager.get(request.path_params["job"])
        if job is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        return JSONResponse(job.status())

    async def run_cancel(request: Request) -> Response:
        if not _same_origin(request):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        job = manager.cancel(request.path_params["job"])
        if job is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        return JSONResponse(job.status())

    async def download(request: Request) -> Response:
        what = request.path_params["what"]
        if what not in DOWNLOADS:
            return PlainTextResponse(f"error: no download {what!r}; there are {', '.join(DOWNLOADS)}",
                                     status_code=404)
        inputs = read(request, "bcp" if what == "bcp.json" else "quote")
        if not inputs.ok:
            page_lang = language_of(request)
            said = " ".join(_error_text(inputs, next(iter(inputs.errors)), page_lang).split())
            return PlainTextResponse(("エラー: " if page_lang == "ja" else "error: ") + said, status_code=400)
        if what == "profile.toml":
            body = toml.dumps(inputs.document, "cyberloss profile written by `cyberloss serve`\n"
                                               "cyberloss quote profile.toml --json")
            return Response(body, media_type="application/toml; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="profile.toml"'})
        kind = "bcp" if what == "bcp.json" else "quote"
        kept = manager.kept(inputs_key(kind, inputs.document))
        if kept is None:
            return PlainTextResponse("error: " + text.texts(language_of(request))["not_finished"], status_code=409)
        lost = kept.late == jobs.LOST          # before the result is read: then it holds all that came
        result = kept.result
        assert result is not None               # a run is kept once its result is in
        if what in ("report.html", "report.xlsx"):
            if "report_html" not in result and lost:
                return PlainTextResponse("error: " + text.texts(language_of(request))["report_lost"],
                                         status_code=500)
            if "report_html" not in result:
                return PlainTextResponse("error: " + text.texts(language_of(request))["report_pending"],
                                         status_code=409)
            attachment = {"Content-Disposition": f'attachment; filename="{what}"'}
            if what == "report.xlsx":
                return Response(result["report_xlsx"][language_of(request)], media_type=XLSX, headers=attachment)
            return HTMLResponse(result["report_html"][language_of(request)], headers=attachment)
        data = result["quote"] if kind == "quote" else {k: v for k, v in result.items() if k != "svg"}
        return Response(_json.dumps(_json.document(data)), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{what}"'})

    async def defaults(request: Request) -> Response:
        """The data's default of each organisation field for an industry and size (the form
        shows them as the user picks the two)."""
        words = text.texts(language_of(request))
        shown = forms.defaults_for(request.query_params, words["unknown"]) or {
            i.path: words["by_data"] for i in forms.INPUTS if i.field.default_from.startswith(DATA)}
        word = words["default"]
        return JSONResponse({path: f"{word}: {value}" for path, value in shown.items()})

    async def japanese(request: Request) -> Response:
        if font is None:
            return PlainTextResponse("error: no Japanese font installed", status_code=404)
        return FileResponse(font, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})

    async def root(request: Request) -> Response:
        return RedirectResponse("/organisation" + (f"?{request.url.query}" if request.url.query else ""))

    async def failure(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return PlainTextResponse("error: the server could not answer this request (details in its log)",
                                 status_code=500)

    routes = [
        Route("/", root),
        Route("/organisation", organisation),
        Route("/losses", result_page("quote", "losses")),
        Route("/cover", result_page("quote", "cover")),
        Route("/bcp", result_page("bcp", "bcp")),
        Route("/api/defaults", defaults),
        Route("/api/runs/{job}", run_status),
        Route("/api/runs/{job}/cancel", run_cancel, methods=["POST"]),
        Route("/download/{what:str}", download),
        Route("/font/japanese", japanese),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        manager.shutdown()

    app = Starlette(routes=routes, exception_handlers={Exception: failure}, lifespan=lifespan)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(LimitRequests)
    app.state.jobs = manager
    return app


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or origin.rstrip("/") == str(request.base_url).rstrip("/")


def _label(item: forms.Input, ja: bool) -> str:
    """The field's name on the page (a section's fields prefixed with the section's, a premium
    principle's parameters with the principle's: the decision's TVaR水準 is another field)."""
    f = item.field
    label = (f.label_ja or f.label or f.key) if ja else (f.label or f.key)
    parts = item.path.split(".")
    if item.path in forms.PRINCIPLE_OF:
        name = forms.PRINCIPLE_OF[item.path]
        label = f"{language.PRINCIPLES_JA[name] if ja else name}: {label}"
    elif item.path == forms.PRINCIPLE_NAME and not ja:
        label = "premium principle"
    if parts[:2] == ["terms", "sections"]:
        if parts[3] == "sublimits":
            label = (f"{COMPONENT_LABELS[f.key]}の縮小支払限度額" if ja else f"sublimit: {f.key}")
        section = documents.SECTIONS.node(parts[2])
        label = f"{section.label_ja if ja else parts[2]}: {label}"
    return label


_PATHS = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in sorted(forms.BY_PATH, key=len, reverse=True))
                    + r")(?!\w)")


def _error_text(inputs: forms.Inputs, path: str, lang: str) -> str:
    """The refusal at ``path`` ("" for the form's own) as the page shows it: the words of the
    CLI, on a Japanese page those of its ``--lang ja`` (``forms.japanese``, the memory a run
    needs too); a refusal the CLI says in English only (the model's own checks) with each field it
    names followed by its Japanese name, or, when it names none, prefixed with that of the
    field it sits under."""
    message = inputs.errors.get(path, "")
    if not message or lang != "ja":
        return message
    if path in inputs.errors_ja:
        return inputs.errors_ja[path]
    named = _PATHS.sub(lambda m: f"{m[0]}（{_label(forms.BY_PATH[m[0]], True)}）", message)
    if named == message and path:
        named = f"{_label(forms.BY_PATH[path], True)}: {message}"
    return named


def _fields(inputs: forms.Inputs, lang: str) -> list[dict[str, Any]]:
    """Every input as the templates draw it: label, unit, help, default, text and refusal, and
    whether a run needs it given (``required``)."""
    ja = lang == "ja"
    data_defaults = forms.defaults_for(inputs.texts, text.texts(lang)["unknown"])
    out = []
    for item in forms.INPUTS:
        f = item.field
        # a principle's name is required in a principle's table, not in the decision
        required = f.required and item.path != forms.PRINCIPLE_NAME
        if item.path in data_defaults:
            default = data_defaults[item.path]
        elif item.path == forms.PRINCIPLE_NAME:
            default = forms.shown_choice(item.path, forms.DEFAULT_PRINCIPLE, lang)
        elif required:
            default = "必須" if ja else "required"
        elif f.default_from.startswith(DATA):       # until an industry and size are chosen
            default = text.texts(lang)["by_data"]
        elif f.default is None:
            default = _source(f, ja) or ("なし" if ja else "none")
        else:
            default = _default_text(f, ja)
        unit = UNITS.get(f.unit, (f.unit, f.unit))[0 if ja else 1] if f.unit else (
            "0〜1、%も可" if f.kind == "share" and ja else "0-1 or %" if f.kind == "share" else "")
        out.append({"path": item.path, "group": item.group, "label": _label(item, ja), "key": f.key,
                    "help": f.help_ja if ja else f.help, "unit": unit, "default": default, "kind": f.kind,
                    "choices": list(f.choices), "text": inputs.texts.get(item.path, ""), "required": required,
                    "error": _error_text(inputs, item.path, lang),
                    "source": _source(f, ja)})
    return out


def _source(f: config.Field, ja: bool) -> str:
    """Where the field's default comes from; on a Japanese page its quality (仮定, ...) or the
    data it is read from, without the English note that follows."""
    if not ja:
        return f.default_from
    head = f.default_from.split(": ", 1)[0]
    return language.QUALITIES_JA.get(head, head)


def _default_text(f: config.Field, ja: bool) -> str:
    """A field's default as its placeholder shows it: amounts in 万円/億円, shares, rates and
    levels as percents (99%, 30%), counts with thousands separators."""
    value = f.default
    if isinstance(value, bool):
        return ("はい" if value else "いいえ") if ja else ("yes" if value else "no")
    if f.kind == "amount" and isinstance(value, (int, float)):
        return ("0円" if value == 0 else _yen(value)) if math.isfinite(value) else ("無制限" if ja else "unlimited")
    if f.kind == "list" and f.unit == "JPY":
        return ", ".join(_yen(v) for v in value)
    if f.kind == "list" and f.item is not None and f.item.kind in config.types.PERCENT_KINDS:
        return ", ".join(stats.level_label(v) for v in value)
    if f.kind in config.types.PERCENT_KINDS and isinstance(value, (int, float)):
        return stats.level_label(value)
    if f.kind == "count" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and math.isinf(value):
        return "無制限" if ja else "unlimited"
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)
