"""The Starlette application: the screens' routes, the package's static assets (nothing is
fetched from the network), the CSRF cookie on every response, and readable error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from engine_sim.web.common import HERE, render, set_csrf_cookie
from engine_sim.web.routes import instances, migration, operations, processes
from engine_sim.web.service import WebService

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Headers(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        set_csrf_cookie(request, response)
        return response


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    title = {403: "Forbidden", 404: "Not found", 405: "Method not allowed"}.get(
        error.status_code, "Error")
    return render(request, "error.html", {"title": title, "error": error.detail},
                  error.status_code)


def create_app(service: WebService, close_on_shutdown: bool = True) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            service.close()

    app = Starlette(
        routes=[*processes.routes, *migration.routes, *operations.routes, *instances.routes,
                Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")],
        middleware=[Middleware(Headers)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
