"""/openapi.json is the committed file, byte for byte, $refs intact."""

from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "openapi.json"


def test_the_served_spec_is_the_committed_file(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == SPEC.read_bytes()
    assert '"$ref": "#/components/schemas/ApiKeyResponseDto"' in response.text


def test_swagger_ui_points_at_the_served_spec(client):
    page = client.get("/ui/")
    assert page.status_code == 200
    initializer = client.get("/ui/swagger-ui-config.json")
    assert "/openapi.json" in page.text + initializer.text
