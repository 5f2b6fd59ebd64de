"""The key format, pinned with known vectors."""

import re

import pytest

from app.domain import keys

KNOWN_RANDOM = "0123456789abcdef" * 4
KNOWN_KEY = "bc_" + KNOWN_RANDOM + "a77cac63"
KNOWN_HASH = "a17931362dcd46a64c5b2eb8309a9cde360aa00164bac316d7cfc66ece12e470"
SCANNER_PATTERN = re.compile(r"\bbc_(?:[0-9a-f]{72}|[0-9a-f]{96})\b")
BIGCAPITAL_KEY = "bc_" + "0123456789abcdef" * 6


def test_checksum_is_crc32_of_the_random_hex_as_ascii():
    assert keys.checksum("0" * 64) == "34b1e4cb"
    assert keys.checksum(KNOWN_RANDOM) == "a77cac63"


def test_known_key_is_well_formed():
    assert keys.is_well_formed(KNOWN_KEY)


def test_minted_key_has_the_documented_format():
    key = keys.mint_key()
    assert len(key) == keys.KEY_LENGTH == 75
    assert SCANNER_PATTERN.fullmatch(key)
    assert keys.checksum(key[3:67]) == key[67:]
    assert keys.is_well_formed(key)


def test_minted_keys_differ():
    assert len({keys.mint_key() for _ in range(1000)}) == 1000


def test_bigcapitals_own_key_format_is_well_formed_without_a_checksum():
    assert keys.is_well_formed(BIGCAPITAL_KEY)


def test_secret_scanner_pattern_finds_bigcapitals_keys_in_text():
    assert SCANNER_PATTERN.findall(f"KEY={BIGCAPITAL_KEY} ok") == [BIGCAPITAL_KEY]


def test_secret_scanner_pattern_finds_a_key_in_text():
    text = f"export TOKEN={keys.mint_key()}; echo done"
    assert len(SCANNER_PATTERN.findall(text)) == 1


@pytest.mark.parametrize(
    "token",
    [
        KNOWN_KEY[:-1] + ("4" if KNOWN_KEY[-1] != "4" else "5"),  # bad checksum
        KNOWN_KEY.upper().replace("BC_", "bc_"),  # upper-case hex
        KNOWN_KEY.upper(),
        KNOWN_KEY[:-1],  # truncated
        KNOWN_KEY + "0",  # too long
        BIGCAPITAL_KEY.upper().replace("BC_", "bc_"),  # Bigcapital's, upper-case hex
        BIGCAPITAL_KEY[:-1],  # 95 hex
        BIGCAPITAL_KEY + "0",  # 97 hex
        "bc_" + "0" * 80,  # between the two formats
        "bc_" + "g" * 64 + "00000000",
        "bc_",
        "",
        " " + KNOWN_KEY,
        KNOWN_KEY + "\n",
    ],
)
def test_malformed_keys_are_not_well_formed(token):
    assert not keys.is_well_formed(token)


def test_hash_is_sha256_of_the_whole_key_in_hex():
    assert keys.hash_key(KNOWN_KEY) == KNOWN_HASH


def test_display_prefix_is_the_first_eight_characters():
    assert keys.display_prefix(KNOWN_KEY) == "bc_01234"
    assert keys.masked(keys.display_prefix(KNOWN_KEY)) == "bc_01234..."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("10.0", 10),
        ("1e3", 1000),
        ("1.5e1", 15),
        ("9007199254740993", 9007199254740993),
        ("9223372036854775807", 2**63 - 1),
        ("4397599636016587.0", 4397599636016587),
    ],
)
def test_key_id_reads_plain_numbers_exactly(text, expected):
    assert keys.key_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-1",
        "1.5",
        "9223372036854775808",
        "18446744073709551616",
        "1e300",
        "1e-300",
        "1_0",
        "+13",
        " 16",
        "16 ",
        "0x10",
        "010",
        "\uff11",
        "\u0661",
        "nan",
        "inf",
        "1.",
        ".5",
        "",
    ],
)
def test_key_id_names_no_key_for_anything_else(text):
    assert keys.key_id(text) is None
