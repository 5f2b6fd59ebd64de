"""One environment variable's text read as a value, or a ConfigurationError
that names the variable and what it takes."""

import ipaddress
from dataclasses import dataclass


class ConfigurationError(Exception):
    """The environment asks for something the server refuses to run with."""


RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
MAX_KEYS_PER_ORGANIZATION = 10**9


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` events per ``period_seconds``."""

    limit: int
    period_seconds: int


def whole_number(env, name: str, default: int, lowest: int, highest: int | None = None) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(_ascii_digits(raw.strip()))
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number") from None
    if value < lowest or (highest is not None and value > highest):
        bounds = f"from {lowest} to {highest}" if highest is not None else f"at least {lowest}"
        raise ConfigurationError(f"{name} must be {bounds}")
    return value


def switch(env, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off"):
        raise ConfigurationError(f"{name} must be on or off")
    return raw == "on"


def rate(raw: str) -> Rate | None:
    """``N/second``, ``N/minute``, ``N/hour``, ``N/day``, or ``off`` (None)."""
    text = raw.strip().lower()
    if text == "off":
        return None
    count, _, period = text.partition("/")
    if (
        not count.isascii()
        or not count.isdigit()
        or period not in RATE_PERIODS
        or not 1 <= int(count) <= MAX_KEYS_PER_ORGANIZATION
    ):
        raise ConfigurationError(
            "API_KEY_GENERATE_RATE must be N/second, N/minute, N/hour or N/day "
            f"(N from 1 to {MAX_KEYS_PER_ORGANIZATION}), or off"
        )
    return Rate(int(count), RATE_PERIODS[period])


def positive_number(env, name: str, highest: float) -> float | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number") from None
    if not 0 < value <= highest:
        raise ConfigurationError(f"{name} must be a positive number, at most {highest:g}")
    return value


def _ascii_digits(text: str) -> str:
    """The text if it is plain ASCII digits (int() also takes "١٢" and "1_0")."""
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return text


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(env, name: str) -> tuple[Network, ...]:
    """A comma-separated list of addresses and CIDR networks; empty: none."""
    entries = [entry.strip() for entry in (env.get(name) or "").split(",") if entry.strip()]
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError:
        raise ConfigurationError(
            f"{name} must be a comma-separated list of IP addresses or CIDR networks "
            "(127.0.0.1, 10.0.0.0/8, ::1)"
        ) from None
