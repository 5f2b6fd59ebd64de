"""Validation: Connexion's validators, made total and compiled once.

Connexion's request validator lets a body that is not UTF-8, or JSON nested
past the parser's recursion limit, escape as a 500; both are a client's
malformed input, so both are a 400 here. Connexion also builds a new
jsonschema validator for every parameter, request body and response of every
request (deep-copying each parameter's schema first); here each schema's
validator is built once and reused.
"""

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

# (kind, id(schema)) -> (schema, validator). The schema is kept so that its
# id cannot be reused by another object while its validator is cached.
_compiled: dict[tuple[str, int], tuple[dict, object]] = {}


def _compiled_once(kind: str, schema: dict, build):
    key = (kind, id(schema))
    cached = _compiled.get(key)
    if cached is None or cached[0] is not schema:
        cached = _compiled[key] = (schema, build())
    return cached[1]


class TotalJSONRequestBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return _compiled_once(
            "request", self._schema, lambda: JSONRequestBodyValidator._validator.fget(self)
        )

    async def _parse(self, stream, scope):
        try:
            return await super()._parse(stream, scope)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail="Request body is not valid UTF-8") from None
        except RecursionError:
            raise BadRequestProblem(detail="Request body is nested too deeply") from None


class CompiledJSONResponseBodyValidator(JSONResponseBodyValidator):
    @property
    def validator(self):
        return _compiled_once(
            "response", self._schema, lambda: JSONResponseBodyValidator.validator.fget(self)
        )


class CompiledParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        """Connexion's check, with the parameter's validator compiled once:
        the error message for a present value, None when it is valid."""
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        schema = param.get("schema", param)
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


def validator_map() -> dict:
    return {
        "parameter": CompiledParameterValidator,
        "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": TotalJSONRequestBodyValidator}),
        "response": MediaTypeDict(
            {**VALIDATOR_MAP["response"], "*/*json": CompiledJSONResponseBodyValidator}
        ),
    }
