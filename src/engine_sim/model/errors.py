"""The one error the model package raises: a BPMN file that cannot be deployed."""

from __future__ import annotations


class BpmnModelError(Exception):
    """A BPMN file that does not parse, refers to something missing, or uses what we cannot run.

    The message follows the scenario contract (`FILE, line N: FIELD: what is wrong`):
    ``f"{source}, line {line}: element '{element_id}': {reason}"``, leaving out the parts that
    are unknown (`line`, `element_id`).
    """

    source: str
    line: int | None
    element_id: str | None
    reason: str

    def __init__(
        self,
        source: str,
        reason: str,
        line: int | None = None,
        element_id: str | None = None,
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.element_id = element_id
        super().__init__(self._message())

    def _message(self) -> str:
        head = self.source if self.line is None else f"{self.source}, line {self.line}"
        parts = [head]
        if self.element_id is not None:
            parts.append(f"element '{self.element_id}'")
        parts.append(self.reason)
        return ": ".join(parts)

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None, str | None]]:
        """Pickle with the keyword fields (Exception's default would pass only the message)."""
        return (BpmnModelError, (self.source, self.reason, self.line, self.element_id))
