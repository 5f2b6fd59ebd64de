"""JWT verification: what authenticates and what never does."""

import base64
import json
import math
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from jwt.algorithms import HMACAlgorithm

from app.domain.tokens import (
    MAX_TOKEN_LENGTH,
    InvalidToken,
    NoUpstreamSubject,
    TokenVerifier,
    exchanged_token,
    issue_token,
)
from app.settings import ConfigurationError, load_settings

SECRET = "unit-test-secret-that-is-32-bytes-or-more"
EMAIL = "ada@example.com"


def settings(tmp_path, **extra):
    return load_settings({"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": SECRET, **extra})


def sign(claims, algorithm="HS384", key=SECRET, headers=None):
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def now():
    return int(time.time())


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def verifier(tmp_path):
    return TokenVerifier(settings(tmp_path))


def test_token_minted_as_bigcapital_mints_it_authenticates(verifier):
    token = sign({"sub": EMAIL, "iat": now(), "exp": now() + 86400}, "HS384")
    assert verifier.verify(token).subject == EMAIL


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_each_allowed_hmac_algorithm_authenticates(verifier, algorithm):
    assert verifier.verify(sign({"sub": EMAIL, "exp": now() + 60}, algorithm)).subject == EMAIL


def test_issued_token_is_hs384_with_sub_iat_and_exp(tmp_path, verifier):
    token = issue_token(settings(tmp_path), EMAIL, 60)
    assert jwt.get_unverified_header(token)["alg"] == "HS384"
    assert set(jwt.decode(token, options={"verify_signature": False})) == {"sub", "iat", "exp"}
    assert verifier.verify(token).subject == EMAIL


# Built when each test runs: times taken at collection would drift.
INVALID_TOKENS = {
    "bad-signature": lambda: sign(
        {"sub": EMAIL, "exp": now() + 60}, key="another-secret-of-32-bytes-or-more!"
    ),
    "expired": lambda: sign({"sub": EMAIL, "exp": now() - 1}),
    "expired-within-leeway": lambda: sign({"sub": EMAIL, "exp": now() - 10}),
    "no-exp": lambda: sign({"sub": EMAIL}),
    "no-sub": lambda: sign({"exp": now() + 60}),
    "sub-not-a-string": lambda: sign({"sub": 42, "exp": now() + 60}),
    "not-yet-valid": lambda: sign({"sub": EMAIL, "exp": now() + 600, "nbf": now() + 120}),
    "issued-in-the-future": lambda: sign({"sub": EMAIL, "exp": now() + 600, "iat": now() + 120}),
    "alg-none": lambda: (
        f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({'sub': EMAIL, 'exp': now() + 60})}."
    ),
    "stripped-signature": lambda: sign({"sub": EMAIL, "exp": now() + 60}).rsplit(".", 1)[0] + ".",
    "garbage": lambda: "not.a.jwt",
    "empty": lambda: "",
    "huge": lambda: "a" * (MAX_TOKEN_LENGTH + 1),
}


@pytest.mark.parametrize("make_token", INVALID_TOKENS.values(), ids=INVALID_TOKENS.keys())
def test_invalid_tokens_are_refused(verifier, make_token):
    with pytest.raises(InvalidToken):
        verifier.verify(make_token())


def test_tampered_claims_are_refused(verifier):
    header, _, signature = sign({"sub": EMAIL, "exp": now() + 60}).split(".")
    forged = f"{header}.{b64({'sub': 'admin@example.com', 'exp': now() + 60})}.{signature}"
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_nbf_within_leeway_is_honoured(verifier):
    token = sign({"sub": EMAIL, "exp": now() + 60, "nbf": now() + 20})
    assert verifier.verify(token).subject == EMAIL


def test_algorithm_not_allowed_is_refused(tmp_path):
    verifier = TokenVerifier(settings(tmp_path, APP_JWT_ALGORITHMS="HS384"))
    with pytest.raises(InvalidToken):
        verifier.verify(sign({"sub": EMAIL, "exp": now() + 60}, "HS256"))


@pytest.fixture
def rsa_keys():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public_pem.decode()


def test_rs256_token_authenticates_with_a_configured_public_key(tmp_path, rsa_keys):
    private, public_pem = rsa_keys
    verifier = TokenVerifier(
        settings(tmp_path, APP_JWT_PUBLIC_KEY=public_pem, APP_JWT_ALGORITHMS="HS384,RS256")
    )
    token = sign({"sub": EMAIL, "exp": now() + 60}, "RS256", private)
    assert verifier.verify(token).subject == EMAIL


def test_hs_token_signed_with_the_public_key_is_refused(tmp_path, rsa_keys):
    _, public_pem = rsa_keys
    verifier = TokenVerifier(
        settings(tmp_path, APP_JWT_PUBLIC_KEY=public_pem, APP_JWT_ALGORITHMS="HS256,RS256")
    )
    header = b64({"alg": "HS256", "typ": "JWT"})
    payload = b64({"sub": EMAIL, "exp": now() + 60})
    import hashlib
    import hmac

    signature = hmac.new(
        public_pem.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    forged = f"{header}.{payload}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_rs_token_without_a_public_key_is_refused(tmp_path, rsa_keys):
    private, _ = rsa_keys
    verifier = TokenVerifier(settings(tmp_path, APP_JWT_ALGORITHMS="HS384,RS256"))
    with pytest.raises(InvalidToken):
        verifier.verify(sign({"sub": EMAIL, "exp": now() + 60}, "RS256", private))


@pytest.mark.parametrize("algorithms", ["none", "HS256,none", "XY512"])
def test_unusable_algorithm_lists_are_refused_at_start(tmp_path, algorithms):
    with pytest.raises(ConfigurationError):
        TokenVerifier(settings(tmp_path, APP_JWT_ALGORITHMS=algorithms))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
HEADERS = st.one_of(
    JSON, st.fixed_dictionaries({"alg": JSON}), st.fixed_dictionaries({"alg": st.just("HS256")})
)
CLAIMS = st.one_of(
    JSON,
    st.fixed_dictionaries({"sub": JSON, "exp": JSON}, optional={"nbf": JSON, "iat": JSON}),
)


def signed_raw(header, claims) -> str:
    """A token signed with the secret over any JSON, claims and header alike."""
    signing_input = f"{b64_any(header)}.{b64_any(claims)}"
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        signing_input.encode(), SECRET.encode()
    )
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def b64_any(value) -> str:
    raw = json.dumps(value, allow_nan=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def shared_verifier(tmp_path_factory):
    return TokenVerifier(settings(tmp_path_factory.mktemp("tokens")))


@hypothesis_settings(max_examples=300, deadline=None)
@given(header=HEADERS, claims=CLAIMS)
def test_any_signed_json_either_authenticates_or_is_invalid_token(shared_verifier, header, claims):
    verifier = shared_verifier
    try:
        subject = verifier.verify(signed_raw(header, claims)).subject
    except InvalidToken:
        return
    assert isinstance(subject, str)


def test_a_token_with_an_audience_is_accepted_when_none_is_configured(verifier):
    token = sign({"sub": EMAIL, "exp": now() + 60, "aud": "bigcapital-api", "iss": "bigcapital"})
    assert verifier.verify(token).subject == EMAIL


HARDENED = {"APP_JWT_SUBJECT": "user_id", "APP_JWT_ISSUER": "bc", "APP_JWT_AUDIENCE": "bc-api"}


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"iss": "bc"},
        {"aud": "bc-api"},
        {"iss": "other", "aud": "bc-api"},
        {"iss": "bc", "aud": "other"},
    ],
    ids=["neither", "no-aud", "no-iss", "wrong-iss", "wrong-aud"],
)
def test_a_configured_issuer_and_audience_are_required_and_checked(tmp_path, claims):
    verifier = TokenVerifier(settings(tmp_path, **HARDENED))
    with pytest.raises(InvalidToken):
        verifier.verify(sign({"sub": "42", "exp": now() + 60, **claims}))


def test_issued_tokens_carry_the_configured_issuer_and_audience(tmp_path):
    configured = settings(tmp_path, **HARDENED)
    token = issue_token(configured, "42", 60)
    assert TokenVerifier(configured).verify(token).subject == "42"
    claims = jwt.decode(token, SECRET, algorithms=["HS384"], audience="bc-api", issuer="bc")
    assert claims["sub"] == "42"


def test_an_exchanged_token_names_its_key_and_organization(tmp_path, verifier):
    token = exchanged_token(settings(tmp_path), EMAIL, None, 7, "org_x")
    verified = verifier.verify(token)
    assert (verified.subject, verified.api_key_id, verified.organization_id) == (EMAIL, 7, "org_x")
    assert 0 < verified.expires_at.timestamp() - now() <= 60


def test_an_exchanged_token_dies_with_its_key_rounded_down_to_the_second(tmp_path):
    key_expires_at = datetime.now(UTC) + timedelta(seconds=1.7)
    token = exchanged_token(settings(tmp_path), EMAIL, None, 7, "org_x", key_expires_at)
    claims = jwt.decode(token, SECRET, algorithms=["HS384"])
    assert claims["exp"] == math.floor(key_expires_at.timestamp())
    assert claims["exp"] <= key_expires_at.timestamp()


def test_an_exchanged_token_for_a_key_that_outlives_it_lives_its_configured_ttl(tmp_path):
    key_expires_at = datetime.now(UTC) + timedelta(hours=1)
    token = exchanged_token(settings(tmp_path), EMAIL, None, 7, "org_x", key_expires_at)
    claims = jwt.decode(token, SECRET, algorithms=["HS384"])
    assert claims["exp"] - claims["iat"] == 60


@pytest.mark.parametrize("subject", ["\ud800", "ada\udfff@example.com", "ada\x00@example.com"])
def test_a_subject_no_database_can_look_up_is_malformed(verifier, subject):
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(sign({"sub": subject, "exp": now() + 60}))
    assert refused.value.reason == "malformed"


def test_an_exchanged_token_in_the_id_format_needs_an_upstream_id(tmp_path):
    configured = settings(tmp_path, **HARDENED)
    assert (
        TokenVerifier(configured).verify(exchanged_token(configured, EMAIL, 42, 7, "org_x")).subject
        == "42"
    )
    with pytest.raises(NoUpstreamSubject):
        exchanged_token(configured, EMAIL, None, 7, "org_x")


@pytest.mark.parametrize(
    "claims",
    [
        {"api_key_id": "7", "organization_id": "org_x"},
        {"api_key_id": True, "organization_id": "org_x"},
        {"api_key_id": 0, "organization_id": "org_x"},
        {"api_key_id": 2**63, "organization_id": "org_x"},
        {"api_key_id": 7},
        {"api_key_id": 7, "organization_id": 7},
    ],
)
def test_malformed_exchange_claims_are_refused(verifier, claims):
    with pytest.raises(InvalidToken):
        verifier.verify(sign({"sub": EMAIL, "exp": now() + 60, **claims}))


def test_an_exp_past_year_9999_has_no_expiry_instant(verifier):
    assert verifier.verify(sign({"sub": EMAIL, "exp": 10**15})).expires_at is None


def test_an_hmac_secret_is_checked_once_not_on_every_token(tmp_path, verifier, monkeypatch):
    checked = []
    checks = HMACAlgorithm._is_der_key
    monkeypatch.setattr(
        HMACAlgorithm, "_is_der_key", staticmethod(lambda key: checked.append(key) or checks(key))
    )
    secret = f"{SECRET}-checked-once"
    for _ in range(5):
        jwt.decode(sign({"sub": EMAIL}, key=secret), secret, algorithms=["HS384"])
    assert len(checked) <= 1
    assert verifier.verify(issue_token(settings(tmp_path), EMAIL, 60)).subject == EMAIL


def test_an_asymmetric_key_is_still_refused_as_an_hmac_secret_every_time(rsa_keys):
    public_pem = rsa_keys[1]
    for _ in range(2):
        with pytest.raises(jwt.InvalidKeyError):
            sign({"sub": EMAIL}, algorithm="HS256", key=public_pem)
