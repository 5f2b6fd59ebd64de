"""The scanner the suite relies on finds what it must."""

from app.domain import keys
from tests.support.secrets_scan import CREDENTIAL, credentials_in


def test_scanner_finds_keys_jwts_and_authorization_headers():
    key = keys.mint_key()
    jwt = "eyJhbGciOiJIUzM4NCJ9.eyJzdWIiOiJhQGIuYyJ9.c2lnbmF0dXJl"
    assert credentials_in(f"got {key} ok")
    assert credentials_in(f"got {key.upper()} ok")
    assert credentials_in(f"token={jwt}")
    assert credentials_in("{'Authorization': 'Bearer x'}")
    assert credentials_in("authorization: bearer x")


def test_scanner_finds_bigcapitals_own_keys_whole():
    key = "bc_" + "ab" * 48
    assert credentials_in(f"got {key} ok") == [key[:16] + "..."]
    assert CREDENTIAL.sub("[credential]", f"got {key} ok") == "got [credential] ok"


def test_scanner_passes_display_prefixes_and_ids():
    assert credentials_in("key.created key_id=3 display_prefix=bc_01234 request_id=ab12") == []
