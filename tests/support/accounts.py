"""Small factories: organizations, users and their credentials."""

import itertools
import json
from dataclasses import dataclass

from app.domain import accounts
from app.domain.tokens import issue_token
from app.services import Services

_numbers = itertools.count(1)


@dataclass
class Account:
    organization_id: str
    email: str
    token: str

    def headers(self, token: str | None = None, organization_id: str | None = None) -> dict:
        return {
            "Authorization": f"Bearer {token or self.token}",
            "organization-id": organization_id or self.organization_id,
        }


def make_account(services: Services, email: str | None = None) -> Account:
    number = next(_numbers)
    organization_id = accounts.create_organization(services.database, f"Org {number}")
    email = email or f"user{number}@example.com"
    accounts.add_user(services.database, email, organization_id)
    return Account(organization_id, email, issue_token(services.settings, email, 3600))


def generate_key(client, account: Account, name: str | None = "test key") -> dict:
    body = {} if name is None else {"name": name}
    # ASCII-escaped JSON: any string, lone surrogates included, can be sent.
    response = client.post(
        "/api/api-keys/generate",
        content=json.dumps(body).encode("ascii"),
        headers={**account.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    return response.json()
