"""Sealed idempotent responses: open only with the client's Idempotency-Key,
the server secret and the record they were stored in."""

import pytest
from cryptography.exceptions import InvalidTag

from app.domain import sealing

SERVER = sealing.server_secrets(b"a-jwt-secret-that-is-at-least-32-bytes")
RECORD = b"1:2:digest"
RESPONSE = b'{"id": 7, "key": "bc_..."}'


def test_a_sealed_response_opens_with_the_same_key_and_record():
    sealed = sealing.seal(SERVER, "8e03978e-40d5", RECORD, RESPONSE)
    assert sealing.unseal(SERVER, "8e03978e-40d5", RECORD, sealed) == RESPONSE


def test_the_sealed_form_holds_no_plaintext_and_differs_every_time():
    first = sealing.seal(SERVER, "k", RECORD, RESPONSE)
    assert RESPONSE not in first
    assert first != sealing.seal(SERVER, "k", RECORD, RESPONSE)


@pytest.mark.parametrize(
    ("server", "idempotency_key", "record"),
    [
        (SERVER, "another key", RECORD),
        (sealing.server_secrets(b"another-jwt-secret-of-at-least-32-bytes"), "k", RECORD),
        (SERVER, "k", b"1:3:digest"),
    ],
    ids=["another idempotency key", "another server secret", "another record"],
)
def test_a_sealed_response_does_not_open_with_anything_else(server, idempotency_key, record):
    sealed = sealing.seal(SERVER, "k", RECORD, RESPONSE)
    with pytest.raises(InvalidTag):
        sealing.unseal(server, idempotency_key, record, sealed)


def test_a_changed_byte_is_refused():
    sealed = bytearray(sealing.seal(SERVER, "k", RECORD, RESPONSE))
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        sealing.unseal(SERVER, "k", RECORD, bytes(sealed))


def test_the_key_digest_is_an_hmac_under_the_server_secret_not_a_plain_hash():
    digest = sealing.key_digest(SERVER, "k")
    assert len(digest) == 64
    assert digest == sealing.key_digest(SERVER, "k")
    other = sealing.server_secrets(b"another-jwt-secret-of-at-least-32-bytes")
    assert digest != sealing.key_digest(other, "k")


def test_the_digest_and_sealing_secrets_are_distinct_derivations():
    assert SERVER.digest != SERVER.sealing
    assert b"a-jwt-secret-that-is-at-least-32-bytes" not in (SERVER.digest, SERVER.sealing)
