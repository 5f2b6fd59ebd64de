"""400 answers a program can act on: one plain sentence in ``detail``, and
the RFC 9457 ``errors`` extension with one entry per problem, each with its
own ``detail`` and a ``pointer`` (JSON Pointer into the body) or a
``parameter`` (its name).

Connexion words its refusals as jsonschema writes them: a multi-line dump
for a parameter, ``None is not of type 'string' - 'name'`` for a body.
"""

from connexion.exceptions import ProblemException
from jsonschema import ValidationError

_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a JSON object",
    "array": "a JSON array",
    "null": "null",
}


def bad_request(entries: list[dict]) -> ProblemException:
    """The problem for ``entries`` (each with ``detail`` and a ``pointer``
    or a ``parameter``)."""
    detail = (
        entries[0]["detail"]
        if len(entries) == 1
        else f"The request has {len(entries)} problems, each listed in errors."
    )
    return ProblemException(status=400, title="Bad Request", detail=detail, ext={"errors": entries})


def body_problem(detail: str) -> ProblemException:
    """A problem with the body as a whole (not JSON, not UTF-8, ...)."""
    return bad_request([{"detail": detail, "pointer": ""}])


def body_entries(errors: list[ValidationError]) -> list[dict]:
    return [{"detail": _body_sentence(error), "pointer": _pointer(error)} for error in errors]


def parameter_entry(place: str, param: dict, missing: bool) -> dict:
    name = param["name"]
    if missing:
        detail = f"The {place} parameter '{name}' is required."
    elif "pattern" in param.get("schema", param):
        detail = f"The {place} parameter '{name}' must match {param['schema']['pattern']}."
    else:
        expected = _expected(param.get("schema", param))
        detail = f"The {place} parameter '{name}' must be {expected}."
    return {"detail": detail, "parameter": name}


def extra_parameter_entry(place: str, name: str) -> dict:
    return {"detail": f"The {place} parameter '{name}' is not accepted here.", "parameter": name}


def _body_sentence(error: ValidationError) -> str:
    where = f"'{_pointer(error)[1:]}'" if error.absolute_path else "The request body"
    if error.validator == "type":
        return f"{where} must be {_expected(error.schema)}."
    if error.validator == "required":
        inside = where if error.absolute_path else "the request body"
        return f"'{_missing(error) or 'a field'}' is required in {inside}."
    if error.validator == "additionalProperties":
        return f"{where} has a field the schema does not allow."
    if error.validator == "maxLength":
        return f"{where} must be at most {error.validator_value} characters."
    if error.validator == "minProperties":
        return f"{where} must have at least {error.validator_value} field."
    if error.validator == "enum":
        return f"{where} must be one of: {', '.join(map(str, error.validator_value))}."
    return f"{where} does not satisfy the schema's '{error.validator}' rule."


def _expected(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(_TYPE_NAMES.get(name, name) for name in kind)
    return _TYPE_NAMES.get(kind, "as the schema describes")


def _pointer(error: ValidationError) -> str:
    """RFC 6901: each step, with ~ and / escaped, after a slash."""
    steps = [str(step) for step in error.absolute_path]
    if missing := _missing(error):
        steps.append(missing)
    return "".join("/" + step.replace("~", "~0").replace("/", "~1") for step in steps)


def _missing(error: ValidationError) -> str | None:
    """The field a ``required`` error names: jsonschema says it only in its
    message, ``'name' is a required property``."""
    if error.validator != "required" or "'" not in error.message:
        return None
    return error.message.split("'")[1]
