"""The resolver rule: <Name>Controller_<method> to handlers.<name>.<method>."""

import json
from pathlib import Path

import pytest

from app.web.resolver import handler_path, snake_case

SPEC = Path(__file__).resolve().parents[2] / "openapi.json"


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("AuthApiKeysController_generate", "handlers.auth_api_keys.generate"),
        ("AuthApiKeysController_getApiKeys", "handlers.auth_api_keys.get_api_keys"),
        ("AuthApiKeysController_revoke", "handlers.auth_api_keys.revoke"),
        ("UsersController_findOne", "handlers.users.find_one"),
        ("HTTPStatusController_getURLList", "handlers.http_status.get_url_list"),
    ],
)
def test_operation_id_resolves_to_handler_path(operation_id, path):
    assert handler_path(operation_id) == path


@pytest.mark.parametrize(
    "operation_id",
    ["generate", "handlers.auth_api_keys.generate", "Controller_generate", "AuthController_", ""],
)
def test_operation_id_outside_the_rule_is_refused(operation_id):
    with pytest.raises(ValueError):
        handler_path(operation_id)


def test_snake_case_splits_words_and_acronyms():
    assert snake_case("AuthApiKeys") == "auth_api_keys"
    assert snake_case("getApiKeys") == "get_api_keys"
    assert snake_case("JWTTokens") == "jwt_tokens"


def test_every_operation_in_the_spec_resolves_to_an_existing_function():
    import importlib

    spec = json.loads(SPEC.read_text())
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            module, _, name = handler_path(operation["operationId"]).rpartition(".")
            assert callable(getattr(importlib.import_module(module), name))
