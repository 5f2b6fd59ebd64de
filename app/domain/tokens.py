"""JWT issuing and verification: the token formats Bigcapital itself issues.

Bigcapital signs HS384 with ``APP_JWT_SECRET``; its ``sub`` is the user's
email, or (a later hardening) the user's id with ``iss`` and ``aud`` that
must match: APP_JWT_SUBJECT, APP_JWT_ISSUER and APP_JWT_AUDIENCE choose.
Tokens exchanged for a key by verify also carry the key's id and its
organization. Verification is pure: settings and the clock, no database.
"""

import math
import re
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.domain import jwt_hmac
from app.domain.keys import MAX_KEY_ID
from app.settings import HMAC_ALGORITHMS, ConfigurationError, Settings

LEEWAY_SECONDS = 30
ISSUED_ALGORITHM = "HS384"
# A JWT larger than this is not one we issue or accept; refusing it early
# keeps signature checks and base64 decoding off attacker-sized input.
MAX_TOKEN_LENGTH = 8192
# What no database takes as text (see _is_storable_text).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# The secret's minimum is our policy (32 bytes, refused below at start);
# PyJWT would otherwise warn on every HS384/HS512 check with such a secret.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)


jwt_hmac.check_keys_once()


# Claims of a token exchanged for a key: which key, in which organization.
API_KEY_CLAIM = "api_key_id"
ORGANIZATION_CLAIM = "organization_id"


class InvalidToken(Exception):
    """The token does not authenticate anybody. ``reason`` (malformed,
    bad_signature or expired) is for operators, never for the caller."""

    def __init__(self, reason: str = "malformed"):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedToken:
    subject: str
    # None for an exp past what a datetime holds (year 9999).
    expires_at: datetime | None
    # Set on a token exchanged for a key: it is worth what the key is.
    api_key_id: int | None = None
    organization_id: str | None = None


class TokenVerifier:
    """Checks JWTs against the configured keys and algorithms."""

    def __init__(self, settings: Settings):
        """Raises ConfigurationError for an unknown algorithm or a bad key."""
        available = jwt.algorithms.get_default_algorithms()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._required = ["exp", "sub"]
        if self._issuer:
            self._required.append("iss")
        if self._audience:
            self._required.append("aud")
        self._keys: dict[str, object] = {}
        for name in settings.jwt_algorithms:
            if name not in available or name == "none":
                raise ConfigurationError(f"unknown JWT algorithm {name!r}")
            if name in HMAC_ALGORITHMS:
                self._keys[name] = settings.jwt_secret
            elif settings.jwt_public_key:
                # Each asymmetric algorithm gets only the public key, so an
                # HS token is never checked against the public key as if it
                # were a shared secret (algorithm confusion).
                try:
                    self._keys[name] = available[name].prepare_key(settings.jwt_public_key)
                except (ValueError, TypeError, jwt.PyJWTError) as error:
                    raise ConfigurationError(
                        f"APP_JWT_PUBLIC_KEY is not a usable key for {name}"
                    ) from error
        # One key for every algorithm (a secret for HMAC only, the default):
        # PyJWT reads the header's algorithm itself, and the token is parsed
        # once. Otherwise the header names the key.
        keys = list(self._keys.values())
        self._shared = (
            (keys[0], list(self._keys)) if keys and all(key is keys[0] for key in keys) else None
        )

    def verify(self, token: str) -> VerifiedToken:
        """The facts of a valid token; raises InvalidToken otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken
        try:
            key, algorithms = self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                leeway=LEEWAY_SECONDS,
                issuer=self._issuer,
                audience=self._audience,
                options={
                    "require": self._required,
                    "verify_sub": True,
                    # Without a configured audience, a token's aud is not ours
                    # to judge (PyJWT would refuse every token that has one).
                    "verify_aud": self._audience is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("expired") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("bad_signature") from None
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            # PyJWT lets a few claim shapes escape as plain exceptions (an
            # ``exp`` of 1e400 overflows int()); each is a malformed token.
            raise InvalidToken from None
        if not isinstance(claims, dict):
            raise InvalidToken
        # PyJWT accepts an ``exp`` that int() can read, "123" included; only
        # a JSON number is one here.
        expires = claims["exp"]
        if not _is_number(expires) or not _is_storable_text(claims["sub"]):
            raise InvalidToken
        # The leeway is for clocks that run behind ours (nbf, iat); a token
        # past its expiry is expired, whatever the leeway.
        if expires <= time.time():
            raise InvalidToken("expired")
        return VerifiedToken(claims["sub"], _instant(expires), *_exchanged_for(claims))

    def _key_for(self, token: str) -> tuple[object, list[str]]:
        """The key to check ``token`` with, and the algorithms it may use."""
        if self._shared is not None:
            return self._shared
        algorithm = jwt.get_unverified_header(token).get("alg")
        # Any JSON may stand in the header: only a string names an algorithm.
        key = self._keys.get(algorithm) if isinstance(algorithm, str) else None
        if key is None:
            raise InvalidToken
        return key, [algorithm]


def _instant(timestamp: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_storable_text(value) -> bool:
    """Whether both databases can take it as a query parameter: JSON's escapes
    can spell a lone surrogate, which no driver encodes, and NUL, which
    PostgreSQL's text cannot hold. Such a ``sub`` names nobody."""
    return isinstance(value, str) and _UNSTORABLE.search(value) is None


def _exchanged_for(claims: dict) -> tuple[int | None, str | None]:
    """(key id, organization id) of a token exchanged for a key, else Nones."""
    if API_KEY_CLAIM not in claims:
        return None, None
    key_id, organization_id = claims[API_KEY_CLAIM], claims.get(ORGANIZATION_CLAIM)
    if (
        not isinstance(key_id, int)
        or isinstance(key_id, bool)
        or not 0 < key_id <= MAX_KEY_ID
        or not isinstance(organization_id, str)
    ):
        raise InvalidToken
    return key_id, organization_id


def issue_token(
    settings: Settings, subject: str, ttl_seconds: int, not_after: datetime | None = None, **claims
) -> str:
    """A token as Bigcapital issues it: HS384, ``sub``, iat and exp, and iss
    and aud when they are configured; ``claims`` are added to it. Its exp is
    ``ttl_seconds`` ahead, or ``not_after`` when that comes first."""
    now = int(time.time())
    expires = now + ttl_seconds
    if not_after is not None:
        # exp is whole seconds: rounded down, the token is dead by not_after.
        expires = min(expires, math.floor(not_after.timestamp()))
    payload = {"sub": subject, "iat": now, "exp": expires, **claims}
    if settings.jwt_issuer:
        payload["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        payload["aud"] = settings.jwt_audience
    return jwt.encode(payload, settings.jwt_secret, algorithm=ISSUED_ALGORITHM)


class NoUpstreamSubject(Exception):
    """The user has no upstream id, and tokens' subject is the user's id."""


def subject_for(subject_kind: str, email: str, upstream_id: int | None) -> str:
    """The ``sub`` of a token issued for a user (APP_JWT_SUBJECT): the email,
    or Bigcapital's id for the user. Raises NoUpstreamSubject."""
    if subject_kind == "email":
        return email
    if upstream_id is None:
        raise NoUpstreamSubject(f"user {email} has no upstream id")
    return str(upstream_id)


def exchanged_token(
    settings: Settings,
    email: str,
    upstream_id: int | None,
    api_key_id: int,
    organization_id: str,
    key_expires_at: datetime | None = None,
) -> str:
    """A token for the upstream, exchanged for a verified key: its subject as
    configured, the key and its organization named, and a lifetime of
    UPSTREAM_TOKEN_TTL_SECONDS, ending no later than the key. Raises NoUpstreamSubject."""
    return issue_token(
        settings,
        subject_for(settings.jwt_subject, email, upstream_id),
        settings.upstream_token_ttl_seconds,
        key_expires_at,
        **{API_KEY_CLAIM: api_key_id, ORGANIZATION_CLAIM: organization_id},
    )
