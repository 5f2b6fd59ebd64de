"""Connexion's validation middlewares, with their per-operation facts prepared once.

For every request, Connexion's request validation builds a URI parser, a
parameter validator and a media-type dict of what the operation consumes,
and looks the body's schema up through the spec; its response validation
builds a media-type dict of what the operation produces and looks the
response's definition and schema up again. None of it depends on the
request beyond its content type and status: here it is built once per
operation, and per content type and status on first use (bounded). The
checks, their order and their errors are Connexion's.
"""

import functools

from connexion import utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseHeaders, UnsupportedMediaTypeProblem
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.response_validation import (
    ResponseValidationAPI,
    ResponseValidationMiddleware,
    ResponseValidationOperation,
)

# Content types come from clients: only this many get a prepared entry.
PREPARED_CONTENT_TYPES = 32


def _media_types(media_types: list[str]) -> MediaTypeDict | None:
    return MediaTypeDict([(media_type.lower(), None) for media_type in media_types]) or None


def _admits(media_types: MediaTypeDict | None, mime_type: str) -> bool:
    """Whether an operation with ``media_types`` (None: any) takes ``mime_type``."""
    return media_types is None or mime_type.lower() in media_types


def _validator_class(validators: MediaTypeDict, mime_type: str):
    # A MediaTypeDict matches media ranges in [], not in get().
    try:
        return validators[mime_type]
    except KeyError:
        return None


class _PreparedRequestValidation(RequestValidationOperation):
    def __init__(self, next_app, *, operation, **kwargs) -> None:
        super().__init__(next_app, operation=operation, **kwargs)
        self._uri_parser = operation.uri_parser_class(
            operation.parameters, operation.body_definition()
        )
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=self._uri_parser,
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        self._consumes = _media_types(operation.consumes)
        self._body = functools.lru_cache(maxsize=PREPARED_CONTENT_TYPES)(self._body_facts)

    def validate_mime_type(self, mime_type: str) -> None:
        if not _admits(self._consumes, mime_type):
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )

    def _body_facts(self, mime_type: str):
        """(schema, validator class or None, nullable) for a body of ``mime_type``."""
        schema = self._operation.body_schema(mime_type)
        if not schema:
            return None, None, False
        validator_class = _validator_class(self._validator_map["body"], mime_type)
        nullable = utils.is_nullable(self._operation.body_definition(mime_type))
        return schema, validator_class, nullable

    async def __call__(self, scope, receive, send):
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        schema, validator_class, nullable = self._body(mime_type)
        if validator_class is not None:
            validator = validator_class(
                schema=schema,
                required=self._operation.request_body.get("required", False),
                nullable=nullable,
                encoding=encoding,
                strict_validation=self.strict_validation,
                uri_parser=self._uri_parser,
            )
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _PreparedRequestValidationAPI(RequestValidationAPI):
    def make_operation(self, operation) -> _PreparedRequestValidation:
        return _PreparedRequestValidation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class PreparedRequestValidationMiddleware(RequestValidationMiddleware):
    api_cls = _PreparedRequestValidationAPI


class _PreparedResponseValidation(ResponseValidationOperation):
    def __init__(self, next_app, *, operation, **kwargs) -> None:
        super().__init__(next_app, operation=operation, **kwargs)
        self._produces = _media_types(operation.produces)
        self._response = functools.lru_cache(maxsize=PREPARED_CONTENT_TYPES)(self._response_facts)

    def validate_mime_type(self, mime_type: str) -> None:
        if not _admits(self._produces, mime_type):
            raise NonConformingResponseHeaders(
                detail=f"Invalid Response Content-type ({mime_type}), "
                f"expected {self._operation.produces}",
            )

    def _response_facts(self, status: str, mime_type: str):
        """(definition, schema, nullable, validator class or None)."""
        definition = self._operation.response_definition(status, mime_type)
        return (
            definition,
            self._operation.response_schema(status, mime_type),
            utils.is_nullable(definition),
            _validator_class(self._validator_map["response"], mime_type),
        )

    async def __call__(self, scope, receive, send):
        async def validating_send(message) -> None:
            nonlocal send
            if message["type"] == "http.response.start":
                headers = message["headers"]
                mime_type, encoding = self.extract_content_type(headers)
                if message["status"] < 400:
                    self.validate_mime_type(mime_type)
                definition, schema, nullable, validator_class = self._response(
                    str(message["status"]), mime_type
                )
                self.validate_required_headers(headers, definition)
                if validator_class is not None:
                    validator = validator_class(
                        scope, schema=schema, nullable=nullable, encoding=encoding
                    )
                    send = validator.wrap_send(send)
            await send(message)

        await self.next_app(scope, receive, validating_send)


class _PreparedResponseValidationAPI(ResponseValidationAPI):
    def make_operation(self, operation):
        if not self.validate_responses:
            return self.next_app
        return _PreparedResponseValidation(
            self.next_app, operation=operation, validator_map=self.validator_map
        )


class PreparedResponseValidationMiddleware(ResponseValidationMiddleware):
    api_cls = _PreparedResponseValidationAPI
