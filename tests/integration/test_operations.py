"""Connexion's per-operation work is done at start-up, not per request."""

import inflection
from connexion.decorators.main import BaseDecorator

from tests.support.accounts import generate_key


def test_operations_are_not_decorated_again_per_request(client, account, monkeypatch):
    decorated = []
    decorate = BaseDecorator.decorate
    monkeypatch.setattr(
        BaseDecorator,
        "decorate",
        lambda self, function: decorated.append(function) or decorate(self, function),
    )
    key = generate_key(client, account)
    listed = client.get("/api/api-keys", headers=account.headers())
    revoked = client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
    assert (listed.status_code, revoked.status_code) == (200, 200)
    assert revoked.json() == {"id": key["id"], "revoked": True}
    assert decorated == []


def test_parameter_names_are_converted_once(client, account, monkeypatch):
    converted = []
    underscore = inflection.underscore
    monkeypatch.setattr(
        inflection, "underscore", lambda name: converted.append(name) or underscore(name)
    )
    for _ in range(3):
        key = generate_key(client, account)
        revoked = client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
        assert revoked.json() == {"id": key["id"], "revoked": True}
    assert converted.count("id") <= 1
