"""Validation: Connexion's validators, made total and compiled once.

Connexion's request validator lets a body that is not UTF-8, or JSON nested
past the parser's recursion limit, escape as a 500; both are a client's
malformed input, so both are a 400 here. Connexion also builds a new
jsonschema validator for every parameter, request body and response of every
request (deep-copying each parameter's schema first); here each schema's
validator is built once and reused.

Bodies and parameters are checked first by jsonschema-rs, compiled once per
schema: on a 10-item list response it takes about 450 µs less per request
than Python's jsonschema. Only a value it refuses goes on to Connexion's
jsonschema validator, which then decides and words the error, so a fast check can make
validation stricter than Connexion's, never looser. It is used only for
schemas made of the keywords in FAST_KEYWORDS, whose meaning the two share;
OpenAPI's own (``nullable``, ``readOnly``, ``writeOnly``) and regular
expressions, whose dialects differ, stay with Connexion's validators.
"""

from collections.abc import Callable

import jsonschema_rs
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, ValidationError

from app.web.connexion_adaptations.request_problems import (
    bad_request,
    body_entries,
    body_problem,
    extra_parameter_entry,
    parameter_entry,
)

# (kind, id(schema)) -> (schema, validator). The schema is kept so that its
# id cannot be reused by another object while its validator is cached.
_compiled: dict[tuple[str, int], tuple[dict, object]] = {}


def _compiled_once(kind: str, schema: dict, build):
    key = (kind, id(schema))
    cached = _compiled.get(key)
    if cached is None or cached[0] is not schema:
        cached = _compiled[key] = (schema, build())
    return cached[1]


FAST_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "format",
        "title",
        "description",
        "example",
        "default",
    }
)
# Formats whose check jsonschema-rs makes at least as strictly as jsonschema.
FAST_FORMATS = frozenset({"date-time"})


def fast_check(schema: dict) -> Callable[[object], bool] | None:
    """jsonschema-rs's validity test for the schema, compiled once; None when
    the schema is not one the fast check may stand in for."""
    return _compiled_once("fast", schema, lambda: _build_fast_check(schema))


def _build_fast_check(schema: dict) -> Callable[[object], bool] | None:
    # Connexion attaches the spec's components to the schemas it hands its
    # validators, for references; they are resolved already, so not needed.
    own = {keyword: value for keyword, value in schema.items() if keyword != "components"}
    if not _fast_checkable(own):
        return None
    return jsonschema_rs.Draft4Validator(own, validate_formats=True).is_valid


def _fast_checkable(schema) -> bool:
    if not isinstance(schema, dict) or not FAST_KEYWORDS.issuperset(schema):
        return False
    if "format" in schema and schema["format"] not in FAST_FORMATS:
        return False
    subschemas = list(schema.get("properties", {}).values())
    if "items" in schema:
        subschemas.append(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        subschemas.append(schema["additionalProperties"])
    return all(_fast_checkable(subschema) for subschema in subschemas)


def _passes_fast_check(schema: dict, body) -> bool:
    check = fast_check(schema)
    return check is not None and check(body)


class TotalJSONRequestBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return _compiled_once(
            "request", self._schema, lambda: JSONRequestBodyValidator._validator.fget(self)
        )

    async def wrap_receive(self, receive, *, scope):
        try:
            return await super().wrap_receive(receive, scope=scope)
        except BadRequestProblem as problem:
            if problem.detail == "RequestBody is required":
                raise body_problem("The request body is required: send a JSON object.") from None
            raise

    async def _parse(self, stream, scope):
        # Whether any body was sent: Connexion reads none and JSON's null alike.
        self._sent = False

        async def recorded():
            async for chunk in stream:
                self._sent = self._sent or bool(chunk)
                yield chunk

        try:
            return await super()._parse(recorded(), scope)
        except BadRequestProblem as problem:
            # Connexion quotes json's reason, which says where it stopped.
            raise body_problem(f"The request body is not valid JSON ({problem.detail}).") from None
        except UnicodeDecodeError:
            raise body_problem("The request body is not valid UTF-8.") from None
        except RecursionError:
            raise body_problem("The request body is nested too deeply.") from None
        except ValueError:
            # json refuses integers past Python's digit limit with a ValueError.
            raise body_problem("The request body holds a number too long to read.") from None

    def _validate(self, body):
        if body is not None and _passes_fast_check(self._schema, body):
            return
        if body is None and not self._required and not self._sent:
            # An optional body left out (Connexion would refuse it as empty).
            return
        if body is None:
            try:
                super()._validate(body)
            except BadRequestProblem as problem:
                raise body_problem(problem.detail) from None
            return
        errors = sorted(self._validator.iter_errors(body), key=lambda error: error.path)
        if errors:
            raise bad_request(body_entries(errors))


class CompiledJSONResponseBodyValidator(JSONResponseBodyValidator):
    @property
    def validator(self):
        return _compiled_once(
            "response", self._schema, lambda: JSONResponseBodyValidator.validator.fget(self)
        )

    def _validate(self, body):
        if not _passes_fast_check(self._schema, body):
            super()._validate(body)


class CompiledParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        """Connexion's check, with the parameter's validator compiled once:
        the error message for a present value, None when it is valid."""
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        schema = param.get("schema", param)
        if _passes_fast_check(schema, value):
            return None
        validator = _compiled_once(
            "parameter",
            schema,
            lambda: Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER),
        )
        try:
            validator.validate(value)
        except ValidationError as exception:
            return str(exception)
        return None

    def validate_request(self, request):
        """Connexion's checks, in its order, with every refusal worded for a
        program to act on (request_problems)."""
        if self.strict_validation:
            extra = self.validate_query_parameter_list(
                request, security_params=self.security_query_params
            )
            if extra:
                raise bad_request([extra_parameter_entry("query", name) for name in sorted(extra)])
        entries = []
        for place in ("query", "path", "header", "cookie"):
            validate = getattr(self, f"validate_{place}_parameter")
            for param in self.parameters.get(place, []):
                if place == "header" and header_needs_no_check(param, request.headers):
                    continue
                message = validate(param, request)
                if message:
                    entries.append(parameter_entry(place, param, message.startswith("Missing")))
        if entries:
            raise bad_request(entries)


# What a schema may say beside its type and still admit any string.
_ANNOTATIONS = frozenset({"type", "title", "description", "example"})


def header_needs_no_check(param: dict, headers) -> bool:
    """Whether Connexion's check of this header parameter could only pass: it
    is absent and optional, or present and any string is valid (a header's
    value is always a string)."""
    if param["name"] not in headers:
        return not param.get("required", False)
    schema = param.get("schema", {})
    return schema.get("type") == "string" and _ANNOTATIONS.issuperset(schema)


def validator_map() -> dict:
    return {
        "parameter": CompiledParameterValidator,
        "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": TotalJSONRequestBodyValidator}),
        "response": MediaTypeDict(
            {**VALIDATOR_MAP["response"], "*/*json": CompiledJSONResponseBodyValidator}
        ),
    }
