"""The Operations screen: every batch operation, one operation's live progress (the page
polls its JSON), its failures with reasons, the link to its instances, revert and resume."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from engine_sim.web.common import checked_form, error_page, int_or_none, render, service
from engine_sim.web.service import CliError


def _key(request: Request) -> int:
    key = int_or_none(request.path_params["key"], "ID")
    assert key is not None
    return key


def operations(request: Request) -> Response:
    rows = service(request).operations()
    return render(request, "operations.html", {"title": "Operations", "operations": rows})


def operation(request: Request) -> Response:
    try:
        view = service(request).operation(_key(request))
    except CliError as error:
        return error_page(request, error, 404)
    return render(request, "operation.html", {"title": f"Operation {view['key']}", "op": view})


def progress(request: Request) -> Response:
    try:
        view = service(request).operation(_key(request))
    except CliError as error:
        return JSONResponse({"error": f"{error.argument}: {error.message}"}, 404)
    view["failures"] = {str(k): v for k, v in view["failures"].items()}
    return JSONResponse(view)


async def revert(request: Request) -> Response:
    await checked_form(request)
    try:
        created = await run_in_threadpool(service(request).revert, _key(request))
    except CliError as error:
        return error_page(request, error, 404 if error.argument == "ID" else 400)
    return RedirectResponse(f"/operations/{created}", 303)


async def resume(request: Request) -> Response:
    await checked_form(request)
    try:
        key = _key(request)
        await run_in_threadpool(service(request).operation, key)
    except CliError as error:
        return error_page(request, error, 404)
    service(request).run(key)
    return RedirectResponse(f"/operations/{key}", 303)


routes = [
    Route("/operations", operations),
    Route("/operations/{key}", operation),
    Route("/operations/{key}/progress", progress),
    Route("/operations/{key}/revert", revert, methods=["POST"]),
    Route("/operations/{key}/resume", resume, methods=["POST"]),
]
