"""bckeys serve with UPSTREAM_OPENAPI: a document that cannot be read stops
it in one line; one that can is the vocabulary of scoped keys."""

import json

import pytest

from tests.conftest import environment
from tests.support.postgres import free_port
from tests.support.server import ServerProcess, bckeys


@pytest.mark.parametrize(
    ("content", "said"),
    [(None, "cannot read it"), ("{", "cannot read it"), ("{}", "not an OpenAPI 3 document")],
)
def test_serve_with_a_missing_or_invalid_document_is_one_line(tmp_path, content, said):
    document = tmp_path / "upstream.json"
    if content is not None:
        document.write_text(content)
    env = environment(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'data' / 'bckeys.db'}",
        UPSTREAM_OPENAPI=str(document),
    )
    result = bckeys("serve", "--port", str(free_port()), env=env, check=False, timeout=30)
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "UPSTREAM_OPENAPI" in line and said in line


def test_serve_with_a_document_takes_its_tags(tmp_path):
    document = tmp_path / "upstream.json"
    document.write_text(
        json.dumps({"openapi": "3.0.0", "paths": {"/api/items": {"get": {"tags": ["Items"]}}}})
    )
    env = environment(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'data' / 'bckeys.db'}",
        UPSTREAM_OPENAPI=str(document),
    )
    server = ServerProcess(env, tmp_path / "server.log")
    try:
        organization = bckeys("org", "create", "Acme", env=env).stdout.strip()
        bckeys("user", "create", "ada@example.com", "--org", organization, env=env)
        token = bckeys("token", "ada@example.com", env=env).stdout.strip()
        headers = {"Authorization": f"Bearer {token}", "organization-id": organization}
        with server.client() as client:
            created = client.post(
                "/api/api-keys/generate",
                json={"permissions": {"Items": "read"}},
                headers=headers,
            )
        assert created.status_code == 201, created.text
    finally:
        server.stop()
