"""Verify for every identity bckeys accepts: emails beyond ASCII."""

from urllib.parse import unquote

from sqlalchemy import update

from app.storage.models import User
from tests.support.accounts import generate_key, make_account

VERIFY = "/api/api-keys/verify"


def verify(client, token: str):
    return client.get(VERIFY, headers={"Authorization": f"Bearer {token}"})


def test_a_non_latin_1_email_is_verified_and_percent_encoded_in_its_header(client, services):
    account = make_account(services, email="用户@例子.example")
    key = generate_key(client, account)["key"]
    for token in (key, account.token):
        response = verify(client, token)
        assert response.status_code == 200, response.text
        assert response.json()["userEmail"] == "用户@例子.example"
        header = response.headers["x-auth-user-email"]
        assert header == "%E7%94%A8%E6%88%B7@%E4%BE%8B%E5%AD%90.example"
        assert unquote(header) == "用户@例子.example"


def test_an_ascii_email_is_its_own_header_and_a_percent_sign_is_encoded(client, services):
    plain = make_account(services, email="Ada.O'Brien+keys@example.com")
    percent = make_account(services, email="100%real@example.com")
    assert verify(client, plain.token).headers["x-auth-user-email"] == plain.email
    assert verify(client, percent.token).headers["x-auth-user-email"] == "100%25real@example.com"


def test_a_stored_email_with_control_characters_is_verified_with_them_encoded(client, services):
    account = make_account(services)
    key = generate_key(client, account)["key"]
    # Written before emails were checked for them, or by another system.
    with services.database.transaction() as session:
        session.execute(
            update(User).where(User.email == account.email).values(email="evil\x1b[2J@example.com")
        )
    response = verify(client, key)
    assert response.status_code == 200
    assert response.headers["x-auth-user-email"] == "evil%1B[2J@example.com"
