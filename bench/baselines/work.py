"""The work each baseline server does per request, the same as the product's:
verify the HS384 JWT or look up the key's hash, check the organization,
insert the same row, list the same rows, or answer verify with the same
identity and (for a key) an exchanged JWT, on the same database settings.

Written for the benchmark: plain SQL on the product's engine configuration,
nothing the product's guarantees add (spec validation, problem+json).
"""

import hashlib
import secrets
import zlib
from datetime import UTC, datetime

import jwt
from sqlalchemy import text

from app.settings import load_settings
from app.storage.engine import create_database_engine
from app.storage.models import UTCDateTime

_settings = load_settings()
engine = create_database_engine(_settings)
SECRET = _settings.jwt_secret

_USER_IN_ORGANIZATION = text(
    "SELECT u.id, o.id FROM users u JOIN memberships m ON m.user_id = u.id "
    "JOIN organizations o ON o.id = m.organization_id "
    "WHERE u.email_key = :email AND u.active AND o.public_id = :organization"
)
_KEY_OWNER = text(
    "SELECT k.user_id, k.organization_id, o.public_id FROM api_keys k "
    "JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = k.organization_id "
    "WHERE k.key_hash = :hash AND k.revoked_at IS NULL AND u.active"
)
_VERIFY_KEY = text(
    "SELECT k.id, u.email, o.public_id FROM api_keys k "
    "JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = k.organization_id "
    "JOIN memberships m ON m.user_id = k.user_id AND m.organization_id = k.organization_id "
    "WHERE k.key_hash = :hash AND k.revoked_at IS NULL AND u.active"
)
_VERIFY_USER = text(
    "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id "
    "JOIN organizations o ON o.id = m.organization_id "
    "WHERE u.email_key = :email AND u.active AND o.public_id = :organization"
)
UPSTREAM_TTL_SECONDS = 60
_INSERT = text(
    "INSERT INTO api_keys (organization_id, user_id, name, key_hash, display_prefix, "
    "created_at) VALUES (:organization, :user, :name, :hash, :prefix, :now) RETURNING id"
)
_LIST = text(
    "SELECT id, name, display_prefix, created_at FROM api_keys "
    "WHERE organization_id = :organization AND revoked_at IS NULL ORDER BY id"
).columns(created_at=UTCDateTime)


class Denied(Exception):
    def __init__(self, status: int):
        self.status = status


def is_well_formed(token: str) -> bool:
    random_hex, check = token[3:67], token[67:]
    return len(token) == 75 and f"{zlib.crc32(random_hex.encode()):08x}" == check


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_key() -> str:
    random_hex = secrets.token_hex(32)
    return f"bc_{random_hex}{zlib.crc32(random_hex.encode()):08x}"


def _key_row(connection, statement, token: str):
    """The row ``statement`` finds for a well-formed key; raises Denied(401)."""
    if not is_well_formed(token):
        raise Denied(401)
    row = connection.execute(statement, {"hash": hash_key(token)}).first()
    if row is None:
        raise Denied(401)
    return row


def caller(authorization: str | None, organization: str | None) -> tuple[int, int]:
    """(user id, organization id) of the caller; raises Denied(401 or 403)."""
    if not authorization or not authorization.lower().startswith("bearer ") or not organization:
        raise Denied(401)
    token = authorization[7:]
    with engine.connect() as connection:
        if token.startswith("bc_"):
            row = _key_row(connection, _KEY_OWNER, token)
            if row[2] != organization:
                raise Denied(403)
            return row[0], row[1]
        try:
            email = jwt.decode(token, SECRET, algorithms=["HS384"], options={"require": ["exp"]})[
                "sub"
            ]
        except jwt.PyJWTError:
            raise Denied(401) from None
        row = connection.execute(
            _USER_IN_ORGANIZATION, {"email": email.lower(), "organization": organization}
        ).first()
    if row is None:
        raise Denied(403)
    return row[0], row[1]


def caller_from(headers) -> tuple[int, int]:
    """``caller`` for a request's headers."""
    return caller(headers.get("authorization"), headers.get("organization-id"))


def requested_name(body) -> str | None:
    """The name in a generate body; raises Denied(400) for a wrong type."""
    name = body.get("name") if isinstance(body, dict) else None
    if name is not None and not isinstance(name, str):
        raise Denied(400)
    return name


def generate(user_id: int, organization_id: int, name: str | None) -> dict:
    key = new_key()
    with engine.begin() as connection:
        key_id = connection.execute(
            _INSERT,
            {
                "organization": organization_id,
                "user": user_id,
                "name": None if name is None else name.encode("utf-8"),
                "hash": hash_key(key),
                "prefix": key[:8],
                "now": datetime.now(UTC).replace(tzinfo=None),
            },
        ).scalar_one()
    return {"id": key_id, "key": key}


def listed(organization_id: int) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(_LIST, {"organization": organization_id}).all()
    items = []
    for key_id, name, prefix, created_at in rows:
        created = created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        item = {"id": key_id, "token": prefix + "...", "createdAt": created}
        if name is not None:
            item["name"] = bytes(name).decode("utf-8")
        item["revoked"] = False
        items.append(item)
    return items


def verified(authorization: str | None, organization: str | None) -> tuple[dict, dict]:
    """Verify's body and X-Auth-* headers; raises Denied(401 or 403)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Denied(401)
    token = authorization[7:]
    with engine.connect() as connection:
        if token.startswith("bc_"):
            key_id, email, public_id = _key_row(connection, _VERIFY_KEY, token)
            if organization is not None and organization != public_id:
                raise Denied(403)
            upstream = exchanged_token(email, key_id, public_id)
            body = {"userEmail": email, "organizationId": public_id, "apiKeyId": key_id}
        else:
            try:
                claims = jwt.decode(
                    token, SECRET, algorithms=["HS384"], options={"require": ["exp"]}
                )
            except jwt.PyJWTError:
                raise Denied(401) from None
            email = connection.execute(
                _VERIFY_USER, {"email": claims["sub"].lower(), "organization": organization}
            ).scalar()
            if email is None:
                raise Denied(403)
            upstream, body = token, {"userEmail": email, "organizationId": organization}
    return body, verified_headers(body, upstream)


def exchanged_token(email: str, key_id: int, organization: str) -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "sub": email,
        "iat": now,
        "exp": now + UPSTREAM_TTL_SECONDS,
        "api_key_id": key_id,
        "organization_id": organization,
    }
    return jwt.encode(claims, SECRET, algorithm="HS384")


def verified_headers(body: dict, upstream: str) -> dict:
    """Verify's X-Auth-* headers for its body and the token passed upstream."""
    headers = {
        "Cache-Control": "no-store",
        "X-Auth-User-Email": body["userEmail"],
        "X-Auth-Organization-Id": body["organizationId"],
        "X-Auth-Upstream-Authorization": f"Bearer {upstream}",
    }
    if "apiKeyId" in body:
        headers["X-Auth-Api-Key-Id"] = str(body["apiKeyId"])
    return headers
