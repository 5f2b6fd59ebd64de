"""The Idempotency-Key field value: an RFC 8941 String, and the spec's
pattern for it saying the same."""

import json
import re
from pathlib import Path

import pytest

from app.web.idempotency_keys import MAX_LENGTH, parsed_string

SPEC = json.loads((Path(__file__).parents[2] / "openapi.json").read_text())
PATTERN = re.compile(SPEC["components"]["parameters"]["IdempotencyKey"]["schema"]["pattern"])

VALID = {
    '"8e03978e-40d5"': "8e03978e-40d5",
    '"a b"': "a b",
    r'"say \"hi\""': 'say "hi"',
    r'"back\\slash"': "back\\slash",
    '"' + "x" * MAX_LENGTH + '"': "x" * MAX_LENGTH,
}
MALFORMED = [
    "8e03978e-40d5",  # a token, not a string
    '"unterminated',
    '"a"b"',
    r'"bad \escape"',
    r'"trailing\"',
    '"tab\there"',
    '"é"',
    '"a";param=1',
    '"a", "b"',
    "",
]


@pytest.mark.parametrize(("value", "key"), VALID.items())
def test_a_quoted_string_is_read_with_its_escapes_undone(value, key):
    assert parsed_string(value) == key
    assert PATTERN.search(value)


@pytest.mark.parametrize("value", MALFORMED)
def test_anything_but_one_quoted_string_is_malformed(value):
    assert parsed_string(value) is None
    assert not PATTERN.search(value)


def test_the_pattern_refuses_what_the_server_refuses_an_empty_or_over_long_key():
    assert parsed_string('""') == ""
    assert not PATTERN.search('""')
    assert not PATTERN.search('"' + "x" * (MAX_LENGTH + 1) + '"')
