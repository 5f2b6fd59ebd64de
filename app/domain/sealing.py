"""Sealing a stored response to a retried request: pure functions, no I/O.

An idempotency record keeps the response that created a key, so that a
retry gets the same key; the database must not give it away. The response
is sealed with AES-GCM under a key derived (HKDF-SHA256) from the client's
Idempotency-Key and a server secret: the database alone opens nothing, and
neither does the database with a guessed Idempotency-Key. The
Idempotency-Key itself is kept only as an HMAC under another server secret.

Both server secrets are derived from APP_JWT_SECRET, which every machine of
a deployment already shares, each under its own label. Rotating
APP_JWT_SECRET changes them: every stored record is then forgotten (no
retry finds its digest any more), and a retry is answered as a first
request would be.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_BYTES = 32
NONCE_BYTES = 12
_DIGEST_LABEL = b"bckeys idempotency-key digest v1"
_SEALING_LABEL = b"bckeys idempotency sealing v1"
_RESPONSE_LABEL = b"bckeys idempotent response v1"


@dataclass(frozen=True)
class ServerSecrets:
    digest: bytes
    sealing: bytes


def _hkdf(material: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=SECRET_BYTES, salt=salt, info=info).derive(
        material
    )


def server_secrets(jwt_secret: bytes) -> ServerSecrets:
    """The two secrets idempotency records are kept under, from APP_JWT_SECRET."""
    return ServerSecrets(_hkdf(jwt_secret, _DIGEST_LABEL), _hkdf(jwt_secret, _SEALING_LABEL))


def key_digest(server: ServerSecrets, idempotency_key: str) -> str:
    """The only form an Idempotency-Key is stored in: HMAC-SHA256, hex."""
    return hmac.new(server.digest, idempotency_key.encode("utf-8"), hashlib.sha256).hexdigest()


def _response_key(server: ServerSecrets, idempotency_key: str) -> bytes:
    # HKDF-Extract is HMAC keyed by the salt: a function of the client's key
    # that only the holder of the server secret can compute.
    return _hkdf(idempotency_key.encode("utf-8"), _RESPONSE_LABEL, salt=server.sealing)


def seal(server: ServerSecrets, idempotency_key: str, record: bytes, plaintext: bytes) -> bytes:
    """Nonce + AES-GCM ciphertext of ``plaintext``, bound to ``record`` (the
    record's identity, so a sealed response opens only where it was stored)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(_response_key(server, idempotency_key)).encrypt(nonce, plaintext, record)


def unseal(server: ServerSecrets, idempotency_key: str, record: bytes, sealed: bytes) -> bytes:
    """The plaintext ``seal`` sealed; raises cryptography's InvalidTag for
    anything else (another key, another record, a changed byte)."""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return AESGCM(_response_key(server, idempotency_key)).decrypt(nonce, ciphertext, record)
