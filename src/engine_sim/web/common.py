"""What every screen shares: the templates, the CSRF check, query parsing, error pages.

CSRF: a double-submit token. Every response carries a random token in a SameSite=Strict
cookie; every page puts the same token in its forms (and a `<meta>` for scripts); a POST
must send it back (form field `csrf_token` or header `X-CSRF-Token`) and, when the browser
says where it comes from (`Origin`), come from this server. Anything else is refused (403)
before the handler runs, so nothing is written.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from engine_sim.web.service import CliError, WebService

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _when(stamp: str | None) -> Markup:
    """A record timestamp as people read it, the exact value kept for machines and tooltips."""
    if not stamp:
        return Markup("")
    short = stamp.replace("T", " ").split(".")[0].rstrip("Z")
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(stamp, short)


templates.env.filters["when"] = _when
CSRF_COOKIE = "engine_sim_csrf"
CSRF_FIELD = "csrf_token"

# what the CLI's argument names are called on the screens
LABELS = {
    "--process": "Process", "--version": "Version", "--element": "Element", "--state": "State",
    "--to-process": "Target process", "--to-version": "Target version", "--map": "Mapping",
    "--key": "Selected instance", "selection": "Selection", "confirm": "Confirmation",
    "operation": "Operation", "ID": "Operation", "KEY": "Instance", "revert": "Revert",
    "page": "Page", "sort": "Sort",
}


def service(request: Request) -> WebService:
    return request.app.state.service  # type: ignore[no-any-return]


def csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token  # the middleware sets the cookie on the response
    return token


def error_text(error: CliError) -> str:
    label = LABELS.get(error.argument, error.argument)
    return f"{label} ({error.argument}): {error.message}" if label != error.argument else str(error)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    context.setdefault("error", None)
    context["csrf_token"] = csrf_token(request)
    context["csrf_field"] = Markup(
        f'<input type="hidden" name="{CSRF_FIELD}" value="{context["csrf_token"]}">')
    return templates.TemplateResponse(request, name, context, status_code=status)


def set_csrf_cookie(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/")


def error_page(request: Request, error: CliError, status: int = 400) -> Response:
    return render(request, "error.html", {"error": error_text(error), "title": "Invalid input"},
                  status)


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token and origin are checked (else 403)."""
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD) or request.headers.get("x-csrf-token") or "")
    if not cookie or not secrets.compare_digest(cookie, sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, f"cross-origin request from {origin} refused")
    return form


def int_or_none(value: str | None, argument: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise CliError(argument, f"invalid int value: '{value}'") from None


def ints(values: list[str], argument: str) -> list[int]:
    return [number for v in values if (number := int_or_none(v, argument)) is not None]
