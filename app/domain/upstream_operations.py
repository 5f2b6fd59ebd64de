"""Which operation of an OpenAPI document a request names: the vocabulary of
scoped keys.

An index over the document's path templates answers (method, path) with the
operation, its tags and whether it only reads. Literal segments win over
templated ones (``/api/sale-invoices/receivable`` is not
``/api/sale-invoices/{id}``); among the templates a path fits, the first in
that order that has the method is the one, as a router would pick it.

Matching is strict, because a scoped key's permission rests on it: only a
path in canonical form names an operation. Dot segments, an encoded ``/`` or
``.``, an empty segment (``//``, a trailing slash) and characters outside
RFC 3986's path characters name none, and literal segments compare exactly,
so another letter case names none either. The caller refuses what names none.
"""

import re
from dataclasses import dataclass, field

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
READ_METHODS = frozenset({"GET", "HEAD"})
# RFC 3986 pchar: unreserved, sub-delims, ":" and "@", or a percent-encoded octet.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+")
_ENCODED_SEPARATOR = re.compile(r"%2[EeFf]")
_TEMPLATED = re.compile(r"\{[^{}/]+\}")


class InvalidDocument(Exception):
    """The document is not an OpenAPI document this index can read."""


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the document's template
    tags: tuple[str, ...]
    operation_id: str | None

    @property
    def reads(self) -> bool:
        return self.method in READ_METHODS


@dataclass
class _Node:
    literals: dict[str, "_Node"] = field(default_factory=dict)
    templated: "_Node | None" = None
    operations: dict[str, Operation] = field(default_factory=dict)


class OperationIndex:
    """The operations of one OpenAPI document, by method and path."""

    def __init__(self, document: dict):
        paths = document.get("paths") if isinstance(document, dict) else None
        version = document.get("openapi") if isinstance(document, dict) else None
        if not isinstance(paths, dict) or not str(version).startswith("3."):
            raise InvalidDocument("not an OpenAPI 3 document: no openapi 3.x version or paths")
        self._root = _Node()
        self._by_id: dict[str, Operation] = {}
        tags: set[str] = set()
        for template, item in paths.items():
            if not isinstance(template, str) or not isinstance(item, dict):
                raise InvalidDocument(f"path {template!r} is not a path item")
            for method, definition in item.items():
                if method not in HTTP_METHODS:
                    continue
                if not isinstance(definition, dict):
                    raise InvalidDocument(f"{method.upper()} {template} is not an operation")
                operation = Operation(
                    method.upper(),
                    template,
                    tuple(tag for tag in definition.get("tags") or () if isinstance(tag, str)),
                    definition.get("operationId"),
                )
                tags.update(operation.tags)
                self._add(operation)
                if operation.operation_id is not None:
                    self._by_id.setdefault(operation.operation_id, operation)
        self.tags = frozenset(tags)

    def _add(self, operation: Operation) -> None:
        node = self._root
        for segment in operation.path.strip("/").split("/"):
            if _TEMPLATED.fullmatch(segment):
                node.templated = node.templated or _Node()
                node = node.templated
            else:
                node = node.literals.setdefault(segment, _Node())
        node.operations.setdefault(operation.method, operation)

    def operation(self, operation_id: str) -> Operation:
        """The operation with this operationId; raises KeyError."""
        return self._by_id[operation_id]

    def find(self, method: str, target: str) -> Operation | None:
        """The operation a request names, or None: for a path that is not in
        canonical form, or that no operation of the document has. ``target``
        is the request target as sent (its query is left out); HEAD is
        answered by GET where the document has no HEAD."""
        segments = canonical_segments(target)
        if segments is None:
            return None
        method = method.upper()
        found = _find(self._root, segments, method)
        if found is None and method == "HEAD":
            found = _find(self._root, segments, "GET")
        return found

    def __iter__(self):
        return iter(_operations(self._root))


def canonical_segments(target: str) -> list[str] | None:
    """The path's segments, or None when the path is not in canonical form."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or _ENCODED_SEPARATOR.search(path):
        return None
    segments = path[1:].split("/")
    for segment in segments:
        if segment in (".", "..") or not _SEGMENT.fullmatch(segment):
            return None
    return segments


def _find(node: _Node, segments: list[str], method: str) -> Operation | None:
    if not segments:
        return node.operations.get(method)
    head, rest = segments[0], segments[1:]
    literal = node.literals.get(head)
    if literal is not None:
        found = _find(literal, rest, method)
        if found is not None:
            return found
    if node.templated is not None:
        return _find(node.templated, rest, method)
    return None


def _operations(node: _Node) -> list[Operation]:
    found = list(node.operations.values())
    for child in node.literals.values():
        found.extend(_operations(child))
    if node.templated is not None:
        found.extend(_operations(node.templated))
    return found
