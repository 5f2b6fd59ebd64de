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
    assert (settings.request_head_timeout_seconds, settings.worker_connections) == (10, 1000)


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
    [
        ("PORT", "0"),
        ("PORT", "65536"),
        ("PORT", "-1"),
        ("PORT", "1e3"),
        ("WORKERS", "0"),
        ("REQUEST_HEAD_TIMEOUT_SECONDS", "0"),
        ("REQUEST_HEAD_TIMEOUT_SECONDS", "301"),
        ("WORKER_CONNECTIONS", "0"),
    ],
)
def test_numbers_outside_their_range_are_refused(tmp_path, name, value):
    with pytest.raises(ConfigurationError, match=name):
        load_settings(_with(tmp_path, **{name: value}))


def test_numbers_at_their_bounds_are_accepted(tmp_path):
    settings = load_settings(_with(tmp_path, PORT="65535", WORKERS="1"))
    assert (settings.port, settings.workers) == (65535, 1)


@pytest.mark.parametrize(
    ("value", "limit", "period"),
    [("10/minute", 10, 60), ("1/second", 1, 1), ("24/HOUR", 24, 3600), (" 5/day ", 5, 86400)],
)
def test_generate_rate_is_read(tmp_path, value, limit, period):
    rate = load_settings(_with(tmp_path, API_KEY_GENERATE_RATE=value)).generate_rate
    assert (rate.limit, rate.period_seconds) == (limit, period)


def test_limits_default_to_10_a_minute_and_1000_keys(tmp_path):
    settings = load_settings(_with(tmp_path))
    assert (settings.generate_rate.limit, settings.generate_rate.period_seconds) == (10, 60)
    assert settings.api_keys_per_organization == 1000


def test_limits_can_be_switched_off(tmp_path):
    settings = load_settings(
        _with(tmp_path, API_KEY_GENERATE_RATE="off", API_KEYS_PER_ORGANIZATION="off")
    )
    assert settings.generate_rate is None
    assert settings.api_keys_per_organization is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("API_KEY_GENERATE_RATE", "0/minute"),
        ("API_KEY_GENERATE_RATE", "10/fortnight"),
        ("API_KEY_GENERATE_RATE", "ten/minute"),
        ("API_KEY_GENERATE_RATE", "\uff11/minute"),
        ("API_KEY_GENERATE_RATE", "1000000001/minute"),
        ("API_KEYS_PER_ORGANIZATION", "0"),
        ("API_KEYS_PER_ORGANIZATION", "1000000001"),
    ],
)
def test_bad_limits_are_refused(tmp_path, name, value):
    with pytest.raises(ConfigurationError, match=name):
        load_settings(_with(tmp_path, **{name: value}))


def test_accounts_are_local_unless_bigcapital_database_url_is_set(tmp_path):
    settings = load_settings({"BCKEYS_DATA_DIR": str(tmp_path), "APP_JWT_SECRET": "s" * 32})
    assert settings.bigcapital_database_url is None


@pytest.mark.parametrize(
    "url",
    [
        "mysql+pymysql://ro:pw@db:3306/bigcapital_system",
        "mysql://ro:pw@db:3306/bigcapital_system",
        "mariadb://ro:pw@db:3306/bigcapital_system",
        "mariadb+pymysql://ro:pw@db:3306/bigcapital_system",
    ],
)
def test_bigcapital_database_url_spellings_mean_pymysql(tmp_path, url):
    settings = load_settings(
        {
            "BCKEYS_DATA_DIR": str(tmp_path),
            "APP_JWT_SECRET": "s" * 32,
            "BIGCAPITAL_DATABASE_URL": url,
        }
    )
    assert settings.bigcapital_database_url == "mysql+pymysql://ro:pw@db:3306/bigcapital_system"


@pytest.mark.parametrize(
    "url", ["postgresql://ro@db/bigcapital_system", "sqlite:///x.db", "mysql+mysqldb://ro@db/x"]
)
def test_other_bigcapital_database_schemes_are_refused(tmp_path, url):
    with pytest.raises(ConfigurationError, match="BIGCAPITAL_DATABASE_URL"):
        load_settings(
            {
                "BCKEYS_DATA_DIR": str(tmp_path),
                "APP_JWT_SECRET": "s" * 32,
                "BIGCAPITAL_DATABASE_URL": url,
            }
        )


@pytest.mark.parametrize("written", ["٨٠٠٠", "8_000", "+8000", "8000.0"])
def test_a_number_in_the_environment_is_plain_ascii_digits(written):
    with pytest.raises(ConfigurationError, match="PORT must be a whole number"):
        load_settings({"PORT": written, "APP_JWT_SECRET": "x" * 32})
