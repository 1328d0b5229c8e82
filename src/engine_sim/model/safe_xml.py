"""The only place that hands untrusted bytes to lxml, with every dangerous feature turned off.

BPMN files come from users, so the parser must not read local files (XXE), fetch URLs, or
expand entity bombs. BPMN never needs a DTD, so a document that declares one is refused before
lxml sees it, and lxml is configured so that even a DOCTYPE we failed to spot is never
expanded or fetched: entities are not resolved, no DTD is loaded, no network is used, and
libxml2's size limits stay on (`huge_tree=False`).
"""

from __future__ import annotations

import re

from lxml import etree

from engine_sim.model.errors import BpmnModelError

MAX_BPMN_BYTES = 10 * 1024 * 1024
DOCTYPE_REASON = "DOCTYPE declarations are not allowed"

# `<!DOCTYPE` as it appears in the encodings a BPMN file can reasonably use.
_DOCTYPE_MARKERS = tuple(
    ("<!DOCTYPE".encode(encoding), "\n".encode(encoding))
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_LXML_POSITION = re.compile(r",? line \d+, column \d+$")


def _new_parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers keep state, so one per document)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _doctype_line(data: bytes) -> int | None:
    """The line of a `<!DOCTYPE` in the raw bytes, or None: refuse before lxml parses it."""
    for marker, newline in _DOCTYPE_MARKERS:
        position = data.find(marker)
        if position >= 0:
            return data[:position].count(newline) + 1
    return None


def _syntax_error(error: etree.XMLSyntaxError, source: str) -> BpmnModelError:
    message = _LXML_POSITION.sub("", str(error.msg or "invalid XML")).strip()
    return BpmnModelError(source, f"invalid XML: {message}", line=error.lineno or None)


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse `data` safely into its root element, or raise BpmnModelError.

    Refuses files over `MAX_BPMN_BYTES`, any DOCTYPE (this is what stops XXE, billion-laughs
    and parameter-entity fetches), and XML that is not well-formed (with lxml's line and
    message).
    """
    if len(data) > MAX_BPMN_BYTES:
        raise BpmnModelError(source, f"file is larger than {MAX_BPMN_BYTES // (1024 * 1024)} MiB")
    line = _doctype_line(data)
    if line is not None:
        raise BpmnModelError(source, DOCTYPE_REASON, line=line)
    try:
        root = etree.fromstring(data, _new_parser())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error, source) from None
    except ValueError as error:  # lxml refuses some inputs (e.g. bad encodings) this way
        raise BpmnModelError(source, f"invalid XML: {error}") from None
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise BpmnModelError(source, DOCTYPE_REASON, line=1)
    return root
