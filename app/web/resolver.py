"""The one rule that routes an operationId to its handler.

``<Name>Controller_<method>`` resolves to ``handlers.<name>.<method>``, both
parts in snake_case: ``AuthApiKeysController_getApiKeys`` is
``handlers.auth_api_keys.get_api_keys``.
"""

import re

from connexion.resolver import Resolver

_OPERATION_ID = re.compile(r"([A-Za-z][A-Za-z0-9]*)Controller_([A-Za-z][A-Za-z0-9]*)")
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    return _WORD_BOUNDARY.sub("_", name).lower()


def handler_path(operation_id: str) -> str:
    """The dotted path of the handler for ``operation_id``.

    Raises ValueError for an operationId that does not follow the rule.
    """
    match = _OPERATION_ID.fullmatch(operation_id)
    if match is None:
        raise ValueError(f"operationId {operation_id!r} is not <Name>Controller_<method>")
    controller, method = match.groups()
    return f"handlers.{snake_case(controller)}.{snake_case(method)}"


class ControllerResolver(Resolver):
    def resolve_operation_id(self, operation) -> str:
        return handler_path(operation.operation_id)
