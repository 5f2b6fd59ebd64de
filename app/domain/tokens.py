"""JWT issuing and verification: the token format Bigcapital itself issues.

Bigcapital signs HS384 with ``APP_JWT_SECRET`` and puts the user's email in
``sub``. Verification is pure: it needs the settings and the clock, no database.
"""

import time
import warnings

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from app.settings import HMAC_ALGORITHMS, ConfigurationError, Settings

LEEWAY_SECONDS = 30
ISSUED_ALGORITHM = "HS384"
# A JWT larger than this is not one we issue or accept; refusing it early
# keeps signature checks and base64 decoding off attacker-sized input.
MAX_TOKEN_LENGTH = 8192

# The secret's minimum is our policy (32 bytes, refused below at start);
# PyJWT would otherwise warn on every HS384/HS512 check with such a secret.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)


class InvalidToken(Exception):
    """The token does not authenticate anybody (the reason is not told)."""


class TokenVerifier:
    """Checks JWTs against the configured keys and algorithms."""

    def __init__(self, settings: Settings):
        """Raises ConfigurationError for an unknown algorithm or a bad key."""
        available = jwt.algorithms.get_default_algorithms()
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

    def email(self, token: str) -> str:
        """The ``sub`` of a valid token; raises InvalidToken otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            # Any JSON may stand in the header: only a string names an algorithm.
            key = self._keys.get(algorithm) if isinstance(algorithm, str) else None
            if key is None:
                raise InvalidToken
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub"], "verify_sub": True},
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            # PyJWT lets a few claim shapes escape as plain exceptions (an
            # ``exp`` of 1e400 overflows int()); each is a malformed token.
            raise InvalidToken from None
        # PyJWT accepts an ``exp`` that int() can read, "123" included; only
        # a JSON number is one here.
        expires = claims["exp"]
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            raise InvalidToken
        # The leeway is for clocks that run behind ours (nbf, iat); a token
        # past its expiry is expired, whatever the leeway.
        if expires <= time.time() or not isinstance(claims["sub"], str):
            raise InvalidToken
        return claims["sub"]


def issue_token(settings: Settings, email: str, ttl_seconds: int) -> str:
    """A token as Bigcapital issues it: HS384, ``sub`` = email, iat and exp."""
    now = int(time.time())
    return jwt.encode(
        {"sub": email, "iat": now, "exp": now + ttl_seconds},
        settings.jwt_secret,
        algorithm=ISSUED_ALGORITHM,
    )
