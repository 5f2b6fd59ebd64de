"""Configuration from the environment."""

import pytest

from app.settings import ConfigurationError, load_settings


def test_short_jwt_secret_is_refused(tmp_path):
    with pytest.raises(ConfigurationError):
        load_settings({"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": "x" * 31})


def test_missing_secret_is_generated_once_and_kept(tmp_path):
    first = load_settings({"BCKEYS_DATA_DIR": str(tmp_path)}).jwt_secret
    second = load_settings({"BCKEYS_DATA_DIR": str(tmp_path)}).jwt_secret
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_defaults(tmp_path):
    settings = load_settings({"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": "s" * 32})
    assert settings.database_url == f"sqlite:///{tmp_path / 'bckeys.db'}"
    assert settings.jwt_algorithms == ("HS256", "HS384", "HS512")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.api_key_ttl_days is None
    assert (settings.log_level, settings.log_format) == ("INFO", "console")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_bad_key_ttl_is_refused(tmp_path, value):
    with pytest.raises(ConfigurationError):
        load_settings(
            {
                "BCKEYS_DATA_DIR": str(tmp_path),
                "APP_JWT_SECRET": "s" * 32,
                "API_KEY_TTL_DAYS": value,
            }
        )


def test_decimal_key_ttl_is_accepted(tmp_path):
    settings = load_settings(
        {"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": "s" * 32, "API_KEY_TTL_DAYS": "0.5"}
    )
    assert settings.api_key_ttl_days == 0.5


def _with(tmp_path, **values) -> dict:
    return {"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": "s" * 32, **values}


@pytest.mark.parametrize("value", ["36526", "1e10", "1e308"])
def test_key_ttl_past_a_century_is_refused(tmp_path, value):
    with pytest.raises(ConfigurationError, match="API_KEY_TTL_DAYS"):
        load_settings(_with(tmp_path, API_KEY_TTL_DAYS=value))


def test_key_ttl_of_a_century_is_accepted(tmp_path):
    assert load_settings(_with(tmp_path, API_KEY_TTL_DAYS="36525")).api_key_ttl_days == 36525


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "0"), ("PORT", "65536"), ("PORT", "-1"), ("PORT", "1e3"), ("WORKERS", "0")],
)
def test_numbers_outside_their_range_are_refused(tmp_path, name, value):
    with pytest.raises(ConfigurationError, match=name):
        load_settings(_with(tmp_path, **{name: value}))


def test_numbers_at_their_bounds_are_accepted(tmp_path):
    settings = load_settings(_with(tmp_path, PORT="65535", WORKERS="1"))
    assert (settings.port, settings.workers) == (65535, 1)
