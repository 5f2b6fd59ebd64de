"""X-Auth-User-Email: any email, carried in printable ASCII a gateway can
pass on, and given back exactly by a percent-decoder."""

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from app.web.verify_headers import email_header


@given(st.text())
def test_any_email_is_carried_in_printable_ascii_and_decodes_back(email):
    header = email_header(email)
    assert header.isascii() and (header == "" or header.isprintable())
    assert " " not in header
    assert unquote(header, errors="strict") == email


def test_an_ascii_email_without_a_percent_sign_is_carried_as_it_is():
    email = "Ada.O'Brien+keys/{x}|y=z#!$&*?^`~@sub.example.com"
    assert email_header(email) == email


def test_a_percent_sign_and_every_character_beyond_ascii_are_percent_encoded():
    assert email_header("100%@例.example") == "100%25@%E4%BE%8B.example"
