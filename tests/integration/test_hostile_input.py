"""Hostile input, table-driven: each request gets the status PRODUCT.md gives
it, never a 5xx, and a rejected one changes nothing in the database.

The server runs with an RSA public key configured, so that HS/RS algorithm
confusion is a live attack, not a disabled one.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from app.domain import keys
from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.conftest import JWT_SECRET
from tests.support.accounts import make_account
from tests.support.database import key_count

GENERATE = "/api/api-keys/generate"
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    PRIVATE_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class World:
    """What a row may build its request from."""

    email: str
    organization_id: str
    key: str

    def claims(self, **extra) -> dict:
        return {"sub": self.email, "iat": int(time.time()), "exp": int(time.time()) + 600, **extra}


@dataclass
class Row:
    status: int
    body: bytes | None = b'{"name": "x"}'
    content_type: str = "application/json"
    token: object = None  # callable(World) -> str; None: a valid JWT
    organization_id: object = None  # callable(World) -> str; None: the caller's
    extra_headers: dict = field(default_factory=dict)
    name: str | None = None  # set: the body's name must come back exactly
    chunked: bool = False


def name_row(name: str) -> Row:
    return Row(201, json.dumps({"name": name}).encode(), name=name)


def hs256_signed_with_public_key(world: World) -> str:
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(world.claims())}"
    signature = hmac.new(PUBLIC_PEM.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(world: World) -> str:
    header, _, signature = jwt.encode(world.claims(), JWT_SECRET, "HS384").split(".")
    return f"{header}.{b64(world.claims(sub='admin@example.com'))}.{signature}"


def with_bad_checksum(key: str) -> str:
    return key[:-8] + ("0" * 8 if not key.endswith("0" * 8) else "1" * 8)


ROWS = {
    # Bodies.
    "malformed-json": Row(400, b'{"name": '),
    "invalid-utf8": Row(400, b'{"name": "\xc3\x28"}'),
    "json-array": Row(400, b"[]"),
    "json-string": Row(400, b'"x"'),
    "json-null": Row(400, b"null"),
    "name-wrong-type": Row(400, b'{"name": 1.5}'),
    "name-256": Row(400, json.dumps({"name": "n" * 256}).encode()),
    "name-60000": Row(400, json.dumps({"name": "n" * 60_000}).encode()),
    "deeply-nested": Row(400, b'{"x": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"),
    "2-mib-body": Row(413, b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}'),
    "chunked-no-length": Row(201, b'{"name": "chunked"}', chunked=True, name="chunked"),
    "chunked-over-limit": Row(413, b'{"name": "' + b"a" * 70_000 + b'"}', chunked=True),
    "text-plain": Row(415, b"name=x", content_type="text/plain"),
    "form": Row(415, b"name=x", content_type="application/x-www-form-urlencoded"),
    "xml": Row(415, b"<name>x</name>", content_type="application/xml"),
    # Names the schema admits: accepted, returned exactly.
    "name-255": name_row("n" * 255),
    "name-255-astral": name_row("\U0001f511" * 255),
    "name-nul": name_row("a\x00b"),
    "name-control": name_row("\x01\x02\x1b[31m\x7f"),
    "name-rtl": name_row("\u202egnp.exe\u202c\u200f"),
    # Headers.
    "oversized-authorization": Row(401, token=lambda w: "x" * 20_000),
    "organization-sql": Row(403, organization_id=lambda w: "' OR '1'='1'; DROP TABLE api_keys;--"),
    "organization-5000-chars": Row(403, organization_id=lambda w: "o" * 5000),
    "organization-traversal": Row(403, organization_id=lambda w: "../../../etc/passwd"),
    # JWT attacks.
    "jwt-alg-none": Row(401, token=lambda w: f"{b64({'alg': 'none'})}.{b64(w.claims())}."),
    "jwt-hs-rs-confusion": Row(401, token=hs256_signed_with_public_key),
    "jwt-stripped-signature": Row(
        401, token=lambda w: jwt.encode(w.claims(), JWT_SECRET, "HS384").rsplit(".", 1)[0] + "."
    ),
    "jwt-tampered-claims": Row(401, token=tampered),
    "jwt-expired": Row(401, token=lambda w: jwt.encode(w.claims(exp=1), JWT_SECRET, "HS384")),
    "jwt-not-yet-valid": Row(
        401,
        token=lambda w: jwt.encode(w.claims(nbf=int(time.time()) + 3600), JWT_SECRET, "HS384"),
    ),
    "jwt-huge": Row(401, token=lambda w: jwt.encode(w.claims(pad="p" * 9000), JWT_SECRET, "HS384")),
    "jwt-rs256-valid": Row(201, token=lambda w: jwt.encode(w.claims(), PRIVATE_KEY, "RS256")),
    # Forged keys.
    "key-bad-checksum": Row(401, token=lambda w: with_bad_checksum(w.key)),
    "key-right-checksum-unknown": Row(401, token=lambda w: keys.mint_key()),
    "key-upper-case": Row(401, token=lambda w: w.key.upper()),
    "key-truncated": Row(401, token=lambda w: w.key[:-3]),
    "key-upstream-96-hex": Row(401, token=lambda w: "bc_" + w.key[3:51] * 2),
    "key-valid": Row(201, token=lambda w: w.key),
}


@pytest.fixture
def hostile_client(env):
    services = build_services(
        load_settings(
            {**env, "APP_JWT_PUBLIC_KEY": PUBLIC_PEM, "APP_JWT_ALGORITHMS": "HS256,HS384,RS256"}
        )
    )
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        yield client, services
    services.database.engine.dispose()


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_hostile_input(hostile_client, row):
    client, services = hostile_client
    account = make_account(services)
    created = client.post(GENERATE, json={}, headers=account.headers()).json()
    world = World(account.email, account.organization_id, created["key"])
    token = row.token(world) if row.token else account.token
    organization_id = row.organization_id(world) if row.organization_id else world.organization_id
    headers = {
        "Authorization": f"Bearer {token}",
        "organization-id": organization_id,
        "Content-Type": row.content_type,
        **row.extra_headers,
    }
    content = (chunk for chunk in [row.body[:7], row.body[7:]]) if row.chunked else row.body

    before = key_count(services)
    response = client.post(GENERATE, content=content, headers=headers)

    assert response.status_code == row.status, response.text[:300]
    if row.status >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert key_count(services) == before
    else:
        assert key_count(services) == before + 1
    if row.name is not None:
        listed = client.get("/api/api-keys", headers=account.headers()).json()
        assert listed[-1]["name"] == row.name
