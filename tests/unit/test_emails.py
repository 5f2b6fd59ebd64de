"""What an email may hold: what Bigcapital takes, less what cannot be
written safely to a log, a terminal or an HTTP header."""

import pytest

from app.domain.accounts import MAX_EMAIL_LENGTH, check_email
from app.domain.errors import Invalid


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.com",
        "Ada.O'Brien+keys@example.com",
        "用户@例子.example",
        "jos\u00e9@b\u00fccher.example",
        "a" * (MAX_EMAIL_LENGTH - len("@example.com")) + "@example.com",
    ],
)
def test_emails_bigcapital_takes_are_taken(email):
    check_email(email)


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x1b", "\t", "\x7f", "\x85", "\x9b", "\u00a0", "\u200b", "\u202e", "\u2028"],
    ids=lambda character: f"U+{ord(character):04X}",
)
def test_an_email_with_a_control_or_format_character_is_refused(character):
    with pytest.raises(Invalid):
        check_email(f"ev{character}il@example.com")


@pytest.mark.parametrize("character", ["\ud800", "\udcff", "\ue000"], ids=["D800", "DCFF", "E000"])
def test_an_email_with_a_surrogate_or_private_use_character_is_refused(character):
    with pytest.raises(Invalid):
        check_email(f"ev{character}il@example.com")


def test_an_email_over_254_characters_is_refused():
    with pytest.raises(Invalid):
        check_email("a" * (MAX_EMAIL_LENGTH + 1 - len("@example.com")) + "@example.com")


def test_the_refusal_names_the_email_with_its_controls_escaped():
    with pytest.raises(Invalid) as refused:
        check_email("evil\x1b[2J@example.com")
    assert "\x1b" not in str(refused.value)
    assert "evil\\x1b[2J@example.com" in str(refused.value)
