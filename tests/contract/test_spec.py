"""openapi.json: valid, and the seed's operation as supplied, with only the
additions PRODUCT.md names."""

import copy
import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi.json").read_text())
SEED = yaml.safe_load((ROOT / "tests/fixtures/seed_generate_api_key.yaml").read_text())
GENERATE = ("/api/api-keys/generate", "post")


def with_additions(seed: dict) -> dict:
    """The seed as the spec must keep it, with its three additions: a key's
    name at most 255 characters, as upstream's column holds, optional
    permissions (checked on their own below), and the optional
    Idempotency-Key header."""
    expected = copy.deepcopy(seed)
    expected["paths"][GENERATE[0]][GENERATE[1]]["parameters"].append(
        {"$ref": "#/components/parameters/IdempotencyKey"}
    )
    expected["components"]["parameters"] = SPEC["components"]["parameters"]
    properties = expected["components"]["schemas"]["GenerateApiKeyDto"]["properties"]
    properties["name"]["maxLength"] = 255
    properties["permissions"] = SPEC["components"]["schemas"]["GenerateApiKeyDto"]["properties"][
        "permissions"
    ]
    return expected


EXPECTED = with_additions(SEED)


def resolve(document: dict, node):
    """``node`` with every local $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(document, target)
        return {key: resolve(document, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(document, item) for item in node]
    return node


def operation(document: dict, path: str, method: str) -> dict:
    return resolve(document, document["paths"][path][method])


def test_spec_is_valid_openapi_3_0():
    assert SPEC["openapi"].startswith("3.0.")
    validate(SPEC)


@pytest.mark.parametrize("part", ["parameters", "requestBody", "operationId", "summary", "tags"])
def test_seed_operation_part_is_kept(part):
    assert operation(SPEC, *GENERATE)[part] == operation(EXPECTED, *GENERATE)[part]


def test_seed_201_response_is_kept():
    assert (
        operation(SPEC, *GENERATE)["responses"]["201"]
        == (operation(EXPECTED, *GENERATE)["responses"]["201"])
    )


def test_seed_component_schemas_are_kept():
    for name, schema in EXPECTED["components"]["schemas"].items():
        assert SPEC["components"]["schemas"][name] == schema


def test_bearer_scheme_is_required_at_the_root():
    schemes = SPEC["components"]["securitySchemes"]
    assert [
        name
        for name, scheme in schemes.items()
        if scheme == {**scheme, "type": "http", "scheme": "bearer"}
    ]
    assert SPEC["security"] == [{name: []} for name in schemes]


def test_every_error_response_is_problem_json_with_the_shared_schema():
    for item in SPEC["paths"].values():
        for method, method_operation in item.items():
            if method == "parameters":
                continue
            for status, response in resolve(SPEC, method_operation["responses"]).items():
                if int(status) >= 400:
                    assert set(response["content"]) == {"application/problem+json"}
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == resolve(SPEC, {"$ref": "#/components/schemas/Problem"})


@pytest.mark.parametrize(
    ("path", "method", "operation_id"),
    [
        ("/api/api-keys", "get", "AuthApiKeysController_getApiKeys"),
        ("/api/api-keys/{id}/revoke", "put", "AuthApiKeysController_revoke"),
        ("/api/api-keys/{id}/roll", "post", "AuthApiKeysController_roll"),
    ],
)
def test_published_siblings_are_present(path, method, operation_id):
    assert SPEC["paths"][path][method]["operationId"] == operation_id


def test_permissions_are_an_optional_object_of_read_or_write_by_tag():
    schema = SPEC["components"]["schemas"]["GenerateApiKeyDto"]
    permissions = schema["properties"]["permissions"]
    assert "permissions" not in schema.get("required", [])
    assert permissions["type"] == "object"
    assert permissions["minProperties"] == 1
    assert permissions["additionalProperties"] == {"type": "string", "enum": ["read", "write"]}


@pytest.mark.parametrize("path", ["/api/api-keys/generate", "/api/api-keys/{id}/roll"])
def test_generate_and_roll_take_an_optional_idempotency_key_and_document_409_and_422(path):
    post = operation(SPEC, path, "post")
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["required"] is False
    assert {"409", "422"} <= set(post["responses"])


def test_roll_documents_every_status_its_siblings_do():
    roll = operation(SPEC, "/api/api-keys/{id}/roll", "post")
    revoke = operation(SPEC, "/api/api-keys/{id}/revoke", "put")
    assert set(revoke["responses"]) - {"200"} <= set(roll["responses"])
    assert [p for p in roll["parameters"] if p["name"] != "Idempotency-Key"] == revoke["parameters"]
    grace = roll["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert grace["expiresInSeconds"] == {
        **grace["expiresInSeconds"],
        "minimum": 0,
        "maximum": 604800,
    }
