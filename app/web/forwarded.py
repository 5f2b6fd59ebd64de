"""What a trusted proxy tells about a request: the client's address
(X-Forwarded-For), and for verify the request it asks about."""

import ipaddress

from starlette.datastructures import Headers

from app.environment import Network
from app.logs import printable, redact

# What a gateway asks verify about: nginx's names, then Traefik's.
_ORIGINAL_METHOD = ("x-original-method", "x-forwarded-method")
_ORIGINAL_URI = ("x-original-uri", "x-forwarded-uri")
MAX_LOGGED_METHOD = 16


def is_trusted(address: str | None, trusted: tuple[Network, ...]) -> bool:
    if not trusted or address is None:
        return False
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def client_address(
    peer: str | None, headers: Headers, from_proxy: bool, trusted: tuple[Network, ...]
) -> str | None:
    """The peer's address; behind trusted proxies, the right-most address in
    X-Forwarded-For that is not a trusted proxy's. Entries left of it were
    written by the client and prove nothing; an entry that is no address
    ends the walk at the last address before it."""
    if not from_proxy:
        return peer
    client = peer
    forwarded = ",".join(headers.getlist("x-forwarded-for"))
    for entry in reversed(forwarded.split(",")):
        try:
            address = ipaddress.ip_address(entry.strip())
        except ValueError:
            break
        client = str(address)
        if not is_trusted(client, trusted):
            break
    return client


def original_request(headers: Headers, max_path: int) -> tuple[str | None, str | None]:
    """The method and path a gateway asked verify about, redacted as every
    logged path is; the query is never logged."""
    method = next((headers[name] for name in _ORIGINAL_METHOD if name in headers), None)
    uri = next((headers[name] for name in _ORIGINAL_URI if name in headers), None)
    path = None if uri is None else printable(redact(uri.split("?", 1)[0]), max_path)
    return printable(redact(method), MAX_LOGGED_METHOD) if method else None, path
