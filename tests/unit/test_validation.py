"""The fast check may only ever make validation stricter than Connexion's."""

import json
from pathlib import Path

import pytest
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, resolve_refs
from connexion.validators import ParameterValidator
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from starlette.datastructures import Headers

from app.web.connexion_adaptations.validation import fast_check, header_needs_no_check

SPEC = resolve_refs(json.loads((Path(__file__).parents[2] / "openapi.json").read_text()))


def spec_schemas() -> dict[str, tuple[dict, type]]:
    """Every parameter, request body and response body schema in the spec,
    by where it is, with the jsonschema validator Connexion uses for it."""
    found = {}
    for path, item in SPEC["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            for parameter in [*shared, *operation.get("parameters", [])]:
                found[f"{method} {path} {parameter['in']} {parameter['name']}"] = (
                    parameter["schema"],
                    Draft4Validator,
                )
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, body in content.items():
                found[f"{method} {path} request {media_type}"] = (
                    body["schema"],
                    Draft4RequestValidator,
                )
            for status, response in operation["responses"].items():
                for media_type, body in response.get("content", {}).items():
                    found[f"{method} {path} {status} {media_type}"] = (
                        body["schema"],
                        Draft4ResponseValidator,
                    )
    return found


SCHEMAS = spec_schemas()
# Regular expressions stay with Connexion's validator (the two dialects
# differ): the Idempotency-Key header, checked only when it is sent.
FAST_SCHEMAS = {where: found for where, found in SCHEMAS.items() if "pattern" not in found[0]}

date_times = st.sampled_from(
    [
        "2026-11-27T04:05:06.789Z",
        "2026-11-27T04:05:06Z",
        "2026-11-27T04:05:06+01:00",
        "2026-11-27t04:05:06z",
        "2026-11-27T04:05:60Z",
        "2026-11-27T24:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-11-27 04:05:06Z",
        "2026-11-27T04:05:06",
        "2026-11-27",
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | date_times,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


def typed(schema: dict):
    """Values of the schema's types: mostly valid, with wrong values mixed in."""
    kind = schema.get("type")
    if kind == "array":
        return st.lists(typed(schema["items"]), max_size=3)
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {name: typed(properties[name]) for name in required},
            optional={
                name: typed(sub) | json_values
                for name, sub in properties.items()
                if name not in required
            },
        )
    return {
        "string": date_times if "format" in schema else st.text(),
        "number": st.integers() | st.floats(allow_nan=False),
        "integer": st.integers(),
        "boolean": st.booleans(),
    }.get(kind, json_values)


def near_instances(schema: dict):
    return typed(schema) | json_values


@pytest.mark.parametrize("where", FAST_SCHEMAS)
def test_every_schema_without_a_pattern_takes_the_fast_check(where):
    schema, _ = SCHEMAS[where]
    assert fast_check(schema) is not None


@pytest.mark.parametrize("where", FAST_SCHEMAS)
def test_what_the_fast_check_passes_connexion_would_pass(where):
    schema, connexion_validator = SCHEMAS[where]
    reference = connexion_validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    check = fast_check(schema)
    passed = []

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(near_instances(schema))
    def agrees(instance):
        if check(instance):
            passed.append(instance)
            assert reference.is_valid(instance), instance

    agrees()
    assert passed, "no generated instance was valid: the comparison proved nothing"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "nullable": True},
        {"type": "object", "properties": {"a": {"type": "string", "nullable": True}}},
        {"type": "array", "items": {"type": "string", "readOnly": True}},
        {"type": "object", "additionalProperties": {"type": "string", "writeOnly": True}},
        {"type": "string", "pattern": "^a+$"},
        {"type": "string", "format": "email"},
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    ],
)
def test_schemas_with_other_keywords_stay_with_connexion(schema):
    assert fast_check(schema) is None


def test_the_spec_components_connexion_attaches_are_not_checked():
    schema = {"type": "integer", "components": {"schemas": {"A": {"type": "string"}}}}
    check = fast_check(schema)
    assert check(1) and not check("1")


GENERATE_BODY = SCHEMAS["post /api/api-keys/generate request application/json"][0]


@pytest.mark.parametrize("length", [255, 256])
@pytest.mark.parametrize("character", ["n", "\x00", "\U0001f511", "\ud800", "\u0301"])
def test_the_fast_check_counts_a_name_in_code_points_as_connexion_does(character, length):
    body = {"name": character * length}
    reference = Draft4RequestValidator(GENERATE_BODY)
    assert fast_check(GENERATE_BODY)(body) is reference.is_valid(body) is (length <= 255)


HEADER_PARAMETERS = {
    f"{method} {path} {parameter['name']}": parameter
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method != "parameters"
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]
    if parameter["in"] == "header"
}


@pytest.mark.parametrize("where", HEADER_PARAMETERS)
def test_a_header_skipped_as_needing_no_check_is_one_connexion_passes(where):
    parameter = HEADER_PARAMETERS[where]
    skipped = []

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(st.none() | st.text(st.characters(max_codepoint=255)))
    def agrees(value):
        headers = Headers({} if value is None else {parameter["name"]: value})
        if header_needs_no_check(parameter, headers):
            skipped.append(value)
            assert ParameterValidator.validate_parameter("header", value, parameter) is None

    agrees()
    if parameter["schema"] == {"type": "string"} or not parameter.get("required"):
        assert skipped, "nothing was skipped: the comparison proved nothing"
