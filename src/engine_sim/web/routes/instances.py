"""The Instance screen: its diagram with its tokens, variables, incidents, and its history
(every record of its stream, every migration: from, to, when, mapping)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine_sim.web.common import error_page, int_or_none, render, service
from engine_sim.web.service import CliError
from engine_sim.web.svg import render_svg


def instance(request: Request) -> Response:
    svc = service(request)
    try:
        key = int_or_none(request.path_params["key"], "KEY")
        assert key is not None
        data = svc.instance(key)
    except CliError as error:
        return error_page(request, error, 404)
    row = data["row"]
    counts: dict[str, tuple[int, int]] = {}
    for element_id in row["activeElements"]:
        active, incidents = counts.get(element_id, (0, 0))
        counts[element_id] = (active + 1, incidents)
    for incident in data["incidents"]:
        active, incidents = counts.get(incident["element"], (0, 0))
        counts[incident["element"]] = (active, incidents + 1)
    diagram = svc.diagram(row["processDefinitionKey"])
    title = f"{row['bpmnProcessId']} version {row['version']}, instance {key}"
    return render(request, "instance.html", {
        "title": f"Process instance {key}", "row": row, "data": data, "records": data["records"],
        "svg": render_svg(diagram, "instance-diagram", title, counts, {}, interactive=False),
        "notice": diagram.notice, "json": lambda v: json.dumps(v, default=str),
    })


routes = [Route("/instances/{key}", instance)]
