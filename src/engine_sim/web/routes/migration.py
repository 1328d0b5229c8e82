"""The Migration screen: source and target diagrams side by side, the target pickers, the
mapping table, the preview (a dry run that writes nothing) and the confirmation (typing
MIGRATE), which creates the batch operation and opens its page.

Every input goes through the CLI's own checks (`WebService`), so a bad one gets the message
`engine-sim migrate` prints, and nothing is written."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine_sim.web.common import checked_form, error_text, int_or_none, render, service
from engine_sim.web.selection import read_filter, read_selection, selection_params
from engine_sim.web.service import CliError, Definition, WebSelection
from engine_sim.web.svg import render_svg

CONFIRM_WORD = "MIGRATE"


class Page:
    """What the screen shows, gathered step by step so an error can still show the rest."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.svc = service(request)
        self.context: dict[str, Any] = {"title": "Migrate process instances", "preview": None,
                                        "confirm_word": CONFIRM_WORD}

    def read(self, params: Any) -> tuple[WebSelection, Definition, Definition]:
        flt = read_filter(params)
        selection = read_selection(params, flt)
        self.context["selection_params"] = selection_params(selection)
        if not flt.process or flt.version is None:
            raise CliError("--version" if flt.process else "--process",
                           "choose one process and one version to migrate from")
        source = self.svc.definition(flt.process, flt.version)
        self.context["source"] = source
        catalog = self.svc.catalog()
        self.context["catalog"] = catalog
        to_process = str(params.get("to_process") or source.process_id)
        to_version = int_or_none(params.get("to_version"), "--to-version")
        if to_version is None and to_process == source.process_id:
            later = [v for v in catalog.get(to_process, []) if v != source.version]
            to_version = later[-1] if later else source.version
        target = self.svc.definition(to_process, to_version, "--to-process", "--to-version")
        self.context["target"] = target
        self.context["selected"] = self.svc.selected(self.svc.selection(selection, source))
        return selection, source, target

    def mapping(self, source: Definition, target: Definition, chosen: dict[str, str] | None) -> None:
        rows = self.svc.mapping_rows(source, target, chosen)
        self.context["rows"] = rows
        self.context["flow_count"] = len(self.svc.flow_pairs(source, target))

    def respond(self, status: int = 200) -> Response:
        ctx = self.context
        source, target = ctx.get("source"), ctx.get("target")
        preview = ctx.get("preview")
        if source is not None:
            selected = ctx.get("selected") or {"counts": {}}
            counts = preview["counts"] if preview else selected["counts"]
            mapped = {r.source: "mapped" if r.target else "unmapped" for r in ctx.get("rows", ())}
            ctx["source_svg"] = render_svg(
                self.svc.diagram(source.key), "source-diagram",
                f"Source: {source.process_id} version {source.version}",
                {k: (v, 0) for k, v in counts.items()}, mapped, interactive=True)
            ctx["source_notice"] = self.svc.diagram(source.key).notice
        if target is not None:
            targets = preview["targets"] if preview else {}
            ctx["target_svg"] = render_svg(
                self.svc.diagram(target.key), "target-diagram",
                f"Target: {target.process_id} version {target.version}",
                {k: (v, 0) for k, v in targets.items()}, {}, interactive=True)
            ctx["target_notice"] = self.svc.diagram(target.key).notice
        return render(self.request, "migration.html", ctx, status)


def migrate_page(request: Request) -> Response:
    page = Page(request)
    try:
        _, source, target = page.read(request.query_params)
        page.mapping(source, target, None)
    except CliError as error:
        page.context["error"] = error_text(error)
        return page.respond(400)
    return page.respond()


async def _posted(request: Request) -> tuple[Page, Any]:
    form = await checked_form(request)
    return Page(request), form


def _plan(page: Page, form: Any) -> tuple[Any, Definition, tuple[tuple[str, str], ...]]:
    """The selection, the target and the pairs of a posted migration form (checked)."""
    selection, source, target = page.read(form)
    items = [str(v) for v in form.getlist("map") if str(v).strip()]
    chosen = {}
    for item in items:
        src, _, tgt = item.partition("=")
        chosen[src.strip()] = tgt.strip()
    page.mapping(source, target, chosen)
    pairs = page.svc.parse_pairs(items, source, target)
    explicit = {s for s, _ in pairs}
    pairs += tuple(p for p in page.svc.flow_pairs(source, target) if p[0] not in explicit)
    operate_selection = page.svc.selection(selection, source)
    return operate_selection, target, pairs


async def preview(request: Request) -> Response:
    page, form = await _posted(request)
    return await run_in_threadpool(_preview, page, form)


def _preview(page: Page, form: Any) -> Response:
    try:
        selection, target, pairs = _plan(page, form)
        page.context["preview"] = page.svc.preview(selection, target, pairs)
    except CliError as error:
        page.context["error"] = error_text(error)
        return page.respond(400)
    return page.respond()


async def run(request: Request) -> Response:
    page, form = await _posted(request)
    return await run_in_threadpool(_run, page, form)


def _run(page: Page, form: Any) -> Response:
    try:
        selection, target, pairs = _plan(page, form)
        page.context["preview"] = page.svc.preview(selection, target, pairs)
        if str(form.get("confirm", "")).strip() != CONFIRM_WORD:
            raise CliError("confirm", f"type {CONFIRM_WORD} to confirm the migration: nothing "
                           "was changed")
        if page.context["preview"]["total"] == 0:
            raise CliError("selection", "no running instance selected: nothing to migrate")
        operation = page.svc.migrate(selection, target, pairs)
    except CliError as error:
        page.context["error"] = error_text(error)
        return page.respond(400)
    return RedirectResponse(f"/operations/{operation}", 303)


routes = [
    Route("/migrate", migrate_page, methods=["GET"]),
    Route("/migrate/preview", preview, methods=["POST"]),
    Route("/migrate/run", run, methods=["POST"]),
]
