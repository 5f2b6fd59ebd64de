"""bckeys in front of the real Bigcapital, as deployed: Debian's nginx with the
shipped configuration, bckeys reading accounts from Bigcapital's system
database through a read-only account, on both of bckeys' engines."""

import itertools
import uuid
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import require
from tests.support import real_bigcapital as bigcapital
from tests.support.gateway import Nginx
from tests.support.real_bigcapital import Bigcapital, BigcapitalUser, sign_in, sign_up
from tests.support.server import bckeys

pytestmark = pytest.mark.slow

_emails = (f"user{number}-{uuid.uuid4().hex[:8]}@example.com" for number in itertools.count())


@pytest.fixture(scope="session")
def real_bigcapital():
    missing = bigcapital.missing_part()
    require(missing is None, missing or "")
    require(bigcapital.is_built(), "Bigcapital's build (make bigcapital)")
    server = Bigcapital()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bigcapital_user(real_bigcapital) -> BigcapitalUser:
    """A user of Bigcapital with an organization of their own, never changed."""
    return sign_up(real_bigcapital.url, next(_emails))


@pytest.fixture(scope="session")
def other_bigcapital_user(real_bigcapital) -> BigcapitalUser:
    return sign_up(real_bigcapital.url, next(_emails))


@dataclass
class Deployment:
    proxy: Nginx
    bigcapital: Bigcapital
    env: dict

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.proxy.url, timeout=30)

    def items(self, token: str, organization_id: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if organization_id is not None:
            headers["organization-id"] = organization_id
        with self.client() as client:
            return client.get("/api/items", headers=headers)

    def generate(self, user: BigcapitalUser) -> dict:
        with self.client() as client:
            created = client.post("/api/api-keys/generate", json={}, headers=user.headers())
        assert created.status_code == 201, created.text
        return created.json()


@pytest.fixture
def deployment(real_bigcapital, start_server, env):
    bigcapitals = {
        "BIGCAPITAL_DATABASE_URL": real_bigcapital.database_url,
        "APP_JWT_SECRET": real_bigcapital.secret,
    }
    server = start_server(**bigcapitals)
    proxy = Nginx(server.port, real_bigcapital.port)
    yield Deployment(proxy, real_bigcapital, {**env, **bigcapitals})
    proxy.stop()


def test_a_user_signs_up_and_in_through_the_proxy_and_their_token_works_there(deployment):
    user = sign_up(deployment.proxy.url, next(_emails))
    with deployment.client() as client:
        assert sign_in(client, user.email).organization_id == user.organization_id
    assert deployment.items(user.token, user.organization_id).status_code == 200


def test_a_token_is_refused_at_the_gateway_for_another_organization(
    deployment, bigcapital_user, other_bigcapital_user
):
    # Bigcapital itself would answer 200: it does not check membership.
    direct = httpx.get(
        f"{deployment.bigcapital.url}/api/items",
        headers=bigcapital_user.headers(organization_id=other_bigcapital_user.organization_id),
    )
    assert direct.status_code == 200
    refused = deployment.items(bigcapital_user.token, other_bigcapital_user.organization_id)
    assert refused.status_code == 403


def test_a_key_generated_with_the_web_apps_token_reads_and_writes_bigcapital_data(
    deployment, bigcapital_user
):
    key = deployment.generate(bigcapital_user)["key"]
    assert deployment.items(key).status_code == 200
    name = f"Consulting {uuid.uuid4().hex[:8]}"
    with deployment.client() as client:
        created = client.post(
            "/api/items",
            json={"name": name, "type": "service"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert created.status_code == 201, created.text
    listed = deployment.items(bigcapital_user.token, bigcapital_user.organization_id)
    assert name in [item["name"] for item in listed.json()["items"]]


def test_a_key_is_refused_on_the_request_right_after_revoke(deployment, bigcapital_user):
    key = deployment.generate(bigcapital_user)
    assert deployment.items(key["key"]).status_code == 200
    with deployment.client() as client:
        revoked = client.put(f"/api/api-keys/{key['id']}/revoke", headers=bigcapital_user.headers())
    assert revoked.status_code == 200
    assert deployment.items(key["key"]).status_code == 401


def test_a_key_is_refused_right_after_its_user_is_deactivated_in_bigcapital(deployment):
    user = sign_up(deployment.bigcapital.url, next(_emails))
    key = deployment.generate(user)["key"]
    assert deployment.items(key).status_code == 200
    deployment.bigcapital.sql(f"UPDATE USERS SET ACTIVE = 0 WHERE ID = {user.user_id:d}")  # noqa: S608
    assert deployment.items(key).status_code == 401
    assert deployment.items(user.token, user.organization_id).status_code == 401


def test_a_key_is_refused_right_after_its_user_is_deleted_in_bigcapital(deployment):
    user = sign_up(deployment.bigcapital.url, next(_emails))
    key = deployment.generate(user)["key"]
    assert deployment.items(key).status_code == 200
    deployment.bigcapital.sql(f"DELETE FROM USERS WHERE ID = {user.user_id:d}")  # noqa: S608
    assert deployment.items(key).status_code == 401
    assert deployment.items(user.token, user.organization_id).status_code == 401


def test_a_key_made_in_bigcapital_works_after_import_and_is_never_listed_in_full(
    deployment, bigcapital_user
):
    with httpx.Client(base_url=deployment.bigcapital.url, timeout=30) as direct:
        made = direct.post(
            "/api/api-keys/generate",
            json={"name": "made upstream"},
            headers=bigcapital_user.headers(),
        )
    assert made.status_code == 201, made.text
    upstream_key = made.json()["key"]
    assert deployment.items(upstream_key).status_code == 401
    imported = bckeys("keys", "import-bigcapital", env=deployment.env, check=False)
    assert imported.returncode == 0, imported.stderr
    assert deployment.items(upstream_key).status_code == 200
    with deployment.client() as client:
        listed = client.get("/api/api-keys", headers=bigcapital_user.headers(upstream_key))
    assert listed.status_code == 200
    assert upstream_key[:8] + "..." in [key["token"] for key in listed.json()]
    assert upstream_key not in listed.text
    again = bckeys("keys", "import-bigcapital", env=deployment.env, check=False)
    assert again.returncode == 0, again.stderr
    with deployment.client() as client:
        relisted = client.get("/api/api-keys", headers=bigcapital_user.headers())
    assert len(relisted.json()) == len(listed.json())


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("POST", "/api/api-keys/generate"),
        ("POST", "/API/API-KEYS/GENERATE"),
        ("POST", "/Api/Api-Keys/Generate"),
        ("POST", "/api/api%2Dkeys/generate"),
        ("POST", "//api/api-keys/generate"),
        ("GET", "/API/api-keys"),
    ],
)
def test_bigcapitals_own_key_routes_are_never_reached(deployment, bigcapital_user, method, target):
    def upstream_keys() -> str:
        return deployment.bigcapital.sql("SELECT COUNT(*), MAX(ID) FROM API_KEYS")

    before = upstream_keys()
    status = deployment.proxy.raw(method, target, list(bigcapital_user.headers().items()))
    # bckeys' answers: its own generate, and 404 for what it does not route.
    assert status in (201, 404)
    assert upstream_keys() == before
