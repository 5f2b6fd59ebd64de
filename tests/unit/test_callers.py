"""The check both implementations of the callers interface make on a token
verify exchanged for a key."""

import pytest

from app.domain.callers import Caller, exchanged_token_caller
from app.domain.errors import Unauthenticated

KEY_CALLER = Caller(
    user_id=1,
    email="a@example.com",
    upstream_id=None,
    organization_id=7,
    organization_public_id="org_00000000000000000007",
    api_key_id=3,
)


def test_an_exchanged_token_is_its_keys_caller_in_its_keys_organization():
    assert exchanged_token_caller(KEY_CALLER, "org_00000000000000000007") is KEY_CALLER


def test_an_exchanged_token_naming_another_organization_is_refused_as_malformed():
    with pytest.raises(Unauthenticated) as refused:
        exchanged_token_caller(KEY_CALLER, "org_00000000000000000008")
    assert refused.value.reason == "malformed"
