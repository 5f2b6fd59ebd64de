"""The API key format: minting, checksum, hashing and the display prefix.

A key is ``bc_`` + 64 lowercase hex characters of CSPRNG output + 8 lowercase
hex characters of CRC32 over those 64 characters. Bigcapital's own keys,
``bc_`` + 96 lowercase hex characters (48 random bytes, no checksum), are
kept too once imported (bckeys keys import-bigcapital). Everything here is
pure.
"""

import hashlib
import re
import secrets
import zlib
from decimal import Decimal

PREFIX = "bc_"
RANDOM_HEX_LENGTH = 64
CHECKSUM_HEX_LENGTH = 8
KEY_LENGTH = len(PREFIX) + RANDOM_HEX_LENGTH + CHECKSUM_HEX_LENGTH
DISPLAY_PREFIX_LENGTH = 8
# Key ids are positive 64-bit integers (PostgreSQL's bigint).
MAX_KEY_ID = 2**63 - 1

_KEY_PATTERN = re.compile(r"bc_([0-9a-f]{64})([0-9a-f]{8})")
# Bigcapital's GenerateApiKey: "bc_" + randomBytes(48).toString("hex").
_BIGCAPITAL_KEY_PATTERN = re.compile(r"bc_[0-9a-f]{96}")
# JSON's number grammar, ASCII digits only: what the spec's ``number`` means.
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def checksum(random_hex: str) -> str:
    """CRC32 of the random part (as ASCII text), as 8 lowercase hex characters."""
    return f"{zlib.crc32(random_hex.encode('ascii')):08x}"


def mint_key() -> str:
    """A new key from the operating system's CSPRNG."""
    random_hex = secrets.token_hex(RANDOM_HEX_LENGTH // 2)
    return PREFIX + random_hex + checksum(random_hex)


def is_well_formed(token: str) -> bool:
    """Whether ``token`` has the key format and a valid checksum, or
    Bigcapital's key format (which has no checksum).

    Upper-case keys are not well formed: both formats are lowercase only, so
    a key's case is never folded.
    """
    if _BIGCAPITAL_KEY_PATTERN.fullmatch(token):
        return True
    match = _KEY_PATTERN.fullmatch(token)
    return match is not None and secrets.compare_digest(checksum(match.group(1)), match.group(2))


def credential_kind(token: str) -> str:
    """``api_key`` for a bearer token in the key form (``bc_...``), else ``jwt``."""
    return "api_key" if token.startswith(PREFIX) else "jwt"


def hash_key(key: str) -> str:
    """SHA-256 of the whole key, hex: the only form a key is stored in."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters of a key, safe to show in lists and logs."""
    return key[:DISPLAY_PREFIX_LENGTH]


def masked(display: str) -> str:
    """The form a stored key takes in a list: its display prefix and '...'."""
    return display + "..."


def key_id(text: str) -> int | None:
    """The key id a path's ``id`` names, read exactly; None for any text that
    names no key: not a plain JSON number, not a whole number, or outside
    1 to MAX_KEY_ID."""
    return whole_number(text, 1, MAX_KEY_ID)


def whole_number(text: str, lowest: int, highest: int) -> int | None:
    """The whole number ``text`` writes in the spec's plain ASCII number form
    (JSON's grammar), read exactly; None for any other text, and for one
    outside ``lowest`` to ``highest``.

    Python's float() and int() also take ``1_0``, ``+13``, `` 16`` and
    non-ASCII digits, and float() rounds past 2**53 (so that
    9007199254740993 would name key 9007199254740992); Decimal on text the
    grammar has admitted does neither.
    """
    if not _JSON_NUMBER.fullmatch(text):
        return None
    value = Decimal(text)
    if not lowest <= value <= highest or value != value.to_integral_value():
        return None
    return int(value)
