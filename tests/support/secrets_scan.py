"""Finds credentials in text: any API key, any JWT, any Authorization header."""

import re

CREDENTIAL = re.compile(
    r"bc_(?:[0-9a-fA-F]{96}|[0-9a-fA-F]{72})"  # a key, bckeys' or Bigcapital's, any case
    r"|eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"  # a JWT
    r"|authorization['\"]?\s*[:=]\s*['\"]?bearer",  # an Authorization header
    re.IGNORECASE,
)


def credentials_in(text: str) -> list[str]:
    return [match[:16] + "..." for match in CREDENTIAL.findall(text)]
