"""The Processes screen's filter and selection, read from a query string or a form.

The selection travels with the list's own form (so it survives paging and sorting without
any script): `carried_key` / `carried_exclude` hold what was chosen on other pages,
`page_key` names the rows of the page just shown and `key` the ones checked there. With
`all` (select all matching) an unchecked row of the page is an exclusion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_sim.web.common import int_or_none, ints
from engine_sim.web.service import STATES, CliError, Filter, WebSelection


def _getlist(params: Any, name: str) -> list[str]:
    return [str(v) for v in params.getlist(name)]


def _text(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    return str(value).strip() or None if value is not None else None


def read_filter(params: Any, default_states: bool = False) -> Filter:
    states = [s.upper() for s in _getlist(params, "state") if s.strip()]
    for state in states:
        if state not in STATES:
            raise CliError("--state", f"invalid choice: '{state}' (choose from "
                           + ", ".join(f"'{s}'" for s in STATES) + ")")
    if not states and default_states:
        states = ["ACTIVE", "INCIDENT"]  # Operate opens on the running instances
    return Filter(
        process=_text(params, "process"),
        version=int_or_none(_text(params, "version"), "--version"),
        states=tuple(dict.fromkeys(states)),
        element=_text(params, "element"),
        operation=int_or_none(_text(params, "operation"), "operation"),
    )


def read_selection(params: Any, flt: Filter) -> WebSelection:
    checked = ints(_getlist(params, "key"), "--key")
    page = set(ints(_getlist(params, "page_key"), "--key"))
    unchecked = page - set(checked)
    if params.get("all"):
        excluded = [k for k in ints(_getlist(params, "carried_exclude"), "--key")
                    if k not in checked]
        excluded += sorted(unchecked - set(excluded))
        return WebSelection(flt, all=True, excluded=tuple(dict.fromkeys(excluded)))
    keys = [k for k in ints(_getlist(params, "carried_key"), "--key") if k not in unchecked]
    keys += [k for k in checked if k not in keys]
    return WebSelection(flt, keys=tuple(dict.fromkeys(keys)))


def filter_params(flt: Filter) -> list[tuple[str, str]]:
    """The filter as query parameters (hidden fields and links)."""
    params = []
    if flt.process:
        params.append(("process", flt.process))
    if flt.version is not None:
        params.append(("version", str(flt.version)))
    params += [("state", s) for s in flt.states]
    if flt.element:
        params.append(("element", flt.element))
    if flt.operation is not None:
        params.append(("operation", str(flt.operation)))
    return params


def selection_params(selection: WebSelection) -> list[tuple[str, str]]:
    """The selection as query parameters for the next screen."""
    params = filter_params(selection.filter)
    if selection.all:
        params.append(("all", "1"))
        params += [("carried_exclude", str(k)) for k in selection.excluded]
    else:
        params += [("carried_key", str(k)) for k in selection.keys]
    return params
