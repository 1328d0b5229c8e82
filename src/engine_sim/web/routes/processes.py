"""The Processes screen (filters, the paged and sorted instance list, the selection, the
Migrate button) and the Diagram screen (a definition with its token counts)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine_sim.web.common import error_page, error_text, int_or_none, render, service
from engine_sim.web.selection import filter_params, read_filter, read_selection
from engine_sim.web.service import STATES, CliError, Definition, Filter
from engine_sim.web.svg import render_svg

PAGE_SIZE = 50
SORTS = {"key": "key", "version": "version", "state": "state", "start": "startDate",
         "end": "endDate", "process": "bpmnProcessId"}


def _sorted(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    field = SORTS[sort]
    return sorted(rows, key=lambda r: (r[field] is None, r[field] or "", r["key"]),
                  reverse=order == "desc")


def _diagram(request: Request, source: Definition, element: str | None) -> Any:
    svc = service(request)
    stats = svc.statistics(source.key)
    diagram = svc.diagram(source.key)
    classes = {element: "selected"} if element else {}
    title = f"{source.process_id} version {source.version}"
    return {"svg": render_svg(diagram, "process-diagram", title, stats, classes, interactive=True),
            "notice": diagram.notice, "stats": stats}


def processes(request: Request) -> Response:
    svc = service(request)
    params = request.query_params
    catalog = svc.catalog()
    try:
        flt = read_filter(params, default_states=not params)
        sort, _, order = params.get("sortby", "").partition(":")
        if not sort:
            sort, order = params.get("sort", "key"), params.get("order", "asc")
        if sort not in SORTS or order not in ("asc", "desc"):
            raise CliError("sort", f"'{sort} {order}' is not one of {', '.join(SORTS)} "
                           "with asc or desc")
        page = int_or_none(params.get("page"), "page") or 1
        rows = svc.instances(flt)
        selection = read_selection(params, flt)
    except CliError as error:
        return render(request, "processes.html", _empty(catalog, error), 400)
    source = None
    if flt.process and flt.version is not None:
        source = svc.definition(flt.process, flt.version)
    rows = _sorted(rows, sort, order)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    shown_keys = {r["key"] for r in shown}
    running = {r["key"] for r in rows if r["running"]}
    excluded = set(selection.excluded) if selection.all else set()
    all_elsewhere = len(running - shown_keys - excluded)
    keys_elsewhere = 0 if selection.all else len((set(selection.keys) - shown_keys) & running)
    checked = shown_keys - excluded if selection.all else set(selection.keys) & shown_keys
    chosen_running = (all_elsewhere if selection.all else keys_elsewhere) + len(checked & running)
    elements = source.elements if source else ()
    return render(request, "processes.html", {
        "title": "Processes", "catalog": catalog, "filter": flt, "states": STATES,
        "rows": shown, "total": len(rows), "running_total": len(running), "page": page,
        "pages": pages, "sort": sort, "order": order, "selection": selection,
        "checked": checked, "all_elsewhere": all_elsewhere, "keys_elsewhere": keys_elsewhere, "can_migrate": bool(
            source and chosen_running), "selected_count": _selected_count(selection, rows),
        "filter_params": filter_params(flt), "source": source, "elements": elements,
        "diagram": _diagram(request, source, flt.element) if source else None,
    })


def _selected_count(selection: Any, rows: list[dict[str, Any]]) -> int:
    if selection.all:
        return len(rows) - len(set(selection.excluded) & {r["key"] for r in rows})
    return len(selection.keys)


def _empty(catalog: dict[str, list[int]], error: CliError) -> dict[str, Any]:
    return {"title": "Processes", "catalog": catalog, "filter": Filter(), "states": STATES,
            "rows": [], "total": 0, "running_total": 0, "page": 1, "pages": 1, "sort": "key",
            "order": "asc", "selection": None, "checked": set(), "all_elsewhere": 0, "keys_elsewhere": 0,
            "can_migrate": False, "selected_count": 0, "filter_params": [], "source": None,
            "elements": (), "diagram": None, "error": error_text(error)}


def diagram(request: Request) -> Response:
    svc = service(request)
    params = request.query_params
    try:
        version = int_or_none(params.get("version"), "--version")
        source = svc.definition(params.get("process", ""), version)
    except CliError as error:
        return error_page(request, error, 404)
    return render(request, "diagram.html", {
        "title": f"Diagram of {source.process_id} version {source.version}", "source": source,
        "diagram": _diagram(request, source, None),
    })


def home(request: Request) -> Response:
    return RedirectResponse("/processes", 302)


routes = [
    Route("/", home),
    Route("/processes", processes),
    Route("/diagram", diagram),
]
